//! Process-wide counters for Prometheus and `pgtenant.stats`. The statement
//! path only bumps atomics; the error map takes a lock on errors alone, and
//! per-tenant numbers live on each open tenant database (no global map).

pub mod http;
mod render;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{LazyLock, Mutex};
use std::time::{Duration, Instant};

pub use render::{prometheus_text, stats_rows};

/// Upper bounds of the statement latency buckets, in seconds.
pub const LATENCY_BUCKETS: [f64; 12] = [
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0, 5.0,
];

/// Server-wide counters.
pub struct Metrics {
    started: Instant,
    pub connections_total: AtomicU64,
    pub connections_active: AtomicU64,
    pub statements_total: AtomicU64,
    /// Commits of tenant sessions that waited for group commit's fsync.
    pub durable_commits_total: AtomicU64,
    /// WAL fsyncs group commit made (fewer than commits when they share).
    pub wal_fsyncs_total: AtomicU64,
    /// Statements handed to a blocking thread (the rest ran on the async
    /// worker that read them: point reads, short writes, BEGIN).
    pub statements_offloaded_total: AtomicU64,
    /// Per bucket (not cumulative), the last slot is +Inf.
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len() + 1],
    latency_sum_us: AtomicU64,
    errors: Mutex<HashMap<[u8; 5], u64>>,
}

static GLOBAL: LazyLock<Metrics> = LazyLock::new(|| Metrics {
    started: Instant::now(),
    connections_total: AtomicU64::new(0),
    connections_active: AtomicU64::new(0),
    statements_total: AtomicU64::new(0),
    durable_commits_total: AtomicU64::new(0),
    wal_fsyncs_total: AtomicU64::new(0),
    statements_offloaded_total: AtomicU64::new(0),
    latency_buckets: Default::default(),
    latency_sum_us: AtomicU64::new(0),
    errors: Mutex::new(HashMap::new()),
});

/// The process's counters (one server per process in production; tests
/// that share a process compare before and after).
pub fn global() -> &'static Metrics {
    &GLOBAL
}

/// Decrements the active connection gauge when the connection task ends.
pub struct ConnectionGuard(());

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        global().connections_active.fetch_sub(1, Relaxed);
    }
}

impl Metrics {
    /// A TCP connection was accepted.
    pub fn connection(&self) -> ConnectionGuard {
        self.connections_total.fetch_add(1, Relaxed);
        self.connections_active.fetch_add(1, Relaxed);
        ConnectionGuard(())
    }

    /// A statement was handed to a blocking thread.
    pub fn offloaded(&self) {
        self.statements_offloaded_total.fetch_add(1, Relaxed);
    }

    /// One statement ran (successfully or not) in `elapsed`.
    pub fn statement(&self, elapsed: Duration) {
        self.statements_total.fetch_add(1, Relaxed);
        let secs = elapsed.as_secs_f64();
        let i = LATENCY_BUCKETS
            .iter()
            .position(|b| secs <= *b)
            .unwrap_or(LATENCY_BUCKETS.len());
        self.latency_buckets[i].fetch_add(1, Relaxed);
        self.latency_sum_us
            .fetch_add(elapsed.as_micros() as u64, Relaxed);
    }

    /// An ErrorResponse with this SQLSTATE went to a client.
    pub fn error(&self, sqlstate: &str) {
        let Ok(code) = <[u8; 5]>::try_from(sqlstate.as_bytes()) else {
            return;
        };
        *self
            .errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(code)
            .or_default() += 1;
    }

    pub fn errors(&self) -> Vec<(String, u64)> {
        let mut v: Vec<(String, u64)> = self
            .errors
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, n)| (String::from_utf8_lossy(k).into_owned(), *n))
            .collect();
        v.sort();
        v
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// Cumulative bucket counts (Prometheus `le` semantics), sum in seconds, count.
    pub fn latency(&self) -> (Vec<u64>, f64, u64) {
        let mut cumulative = Vec::with_capacity(self.latency_buckets.len());
        let mut total = 0;
        for b in &self.latency_buckets {
            total += b.load(Relaxed);
            cumulative.push(total);
        }
        let sum = self.latency_sum_us.load(Relaxed) as f64 / 1e6;
        (cumulative, sum, total)
    }
}

/// Counters of one open tenant environment, kept on its registry entry.
#[derive(Debug, Default)]
pub struct TenantStats {
    pub sessions: AtomicU64,
    pub statements: AtomicU64,
    pub errors: AtomicU64,
}

impl TenantStats {
    pub fn session_started(&self) {
        self.sessions.fetch_add(1, Relaxed);
    }

    pub fn session_ended(&self) {
        self.sessions.fetch_sub(1, Relaxed);
    }

    pub fn statement(&self, ok: bool) {
        self.statements.fetch_add(1, Relaxed);
        if !ok {
            self.errors.fetch_add(1, Relaxed);
        }
    }
}
