//! The Prometheus text format and the rows of `pgtenant.stats`.

use std::fmt::Write;
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;

use super::{global, LATENCY_BUCKETS};
use crate::server::Server;
use crate::tenant::registry::TenantDb;

/// Tenant environments with open sessions, busiest first, at most `limit`.
fn busiest(server: &Server, limit: usize) -> (Vec<Arc<TenantDb>>, usize) {
    let mut open = server.registry.open_databases();
    let total = open.len();
    open.retain(|db| db.stats.sessions.load(Relaxed) > 0);
    open.sort_by_key(|db| std::cmp::Reverse(db.stats.statements.load(Relaxed)));
    open.truncate(limit);
    (open, total)
}

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
}

/// Label values are tenant names and SQLSTATEs (no quotes or backslashes
/// possible), but escape anyway.
fn esc(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Everything, in the Prometheus text exposition format 0.0.4.
pub fn prometheus_text(server: &Server) -> String {
    let m = global();
    let mut out = String::with_capacity(4096);
    header(
        &mut out,
        "pgtenant_connections_total",
        "counter",
        "TCP connections accepted.",
    );
    let _ = writeln!(
        out,
        "pgtenant_connections_total {}",
        m.connections_total.load(Relaxed)
    );
    header(
        &mut out,
        "pgtenant_connections_active",
        "gauge",
        "TCP connections open now.",
    );
    let _ = writeln!(
        out,
        "pgtenant_connections_active {}",
        m.connections_active.load(Relaxed)
    );
    header(
        &mut out,
        "pgtenant_sessions",
        "gauge",
        "Authenticated sessions open now.",
    );
    let _ = writeln!(out, "pgtenant_sessions {}", server.sessions.len());
    header(
        &mut out,
        "pgtenant_statements_total",
        "counter",
        "Statements executed.",
    );
    let _ = writeln!(
        out,
        "pgtenant_statements_total {}",
        m.statements_total.load(Relaxed)
    );
    for (name, help, value) in [
        (
            "pgtenant_durable_commits_total",
            "Commits that waited for group commit's WAL fsync.",
            &m.durable_commits_total,
        ),
        (
            "pgtenant_wal_fsyncs_total",
            "WAL fsyncs made by group commit (one serves every commit waiting).",
            &m.wal_fsyncs_total,
        ),
        (
            "pgtenant_statements_offloaded_total",
            "Statements run on a blocking thread rather than inline on the async worker.",
            &m.statements_offloaded_total,
        ),
    ] {
        header(&mut out, name, "counter", help);
        let _ = writeln!(out, "{name} {}", value.load(Relaxed));
    }
    header(
        &mut out,
        "pgtenant_errors_total",
        "counter",
        "Error responses sent, by SQLSTATE.",
    );
    for (code, n) in m.errors() {
        let _ = writeln!(
            out,
            "pgtenant_errors_total{{sqlstate=\"{}\"}} {n}",
            esc(&code)
        );
    }
    header(
        &mut out,
        "pgtenant_statement_duration_seconds",
        "histogram",
        "Statement execution time until its result starts.",
    );
    let (buckets, sum, count) = m.latency();
    for (i, n) in buckets.iter().enumerate() {
        match LATENCY_BUCKETS.get(i) {
            Some(le) => {
                let _ = writeln!(
                    out,
                    "pgtenant_statement_duration_seconds_bucket{{le=\"{le}\"}} {n}"
                );
            }
            None => {
                let _ = writeln!(
                    out,
                    "pgtenant_statement_duration_seconds_bucket{{le=\"+Inf\"}} {n}"
                );
            }
        }
    }
    let _ = writeln!(out, "pgtenant_statement_duration_seconds_sum {sum}");
    let _ = writeln!(out, "pgtenant_statement_duration_seconds_count {count}");

    let (busiest, open) = busiest(server, server.config.metrics_tenant_limit);
    header(
        &mut out,
        "pgtenant_open_databases",
        "gauge",
        "Tenant environment databases open (backends).",
    );
    let _ = writeln!(out, "pgtenant_open_databases {open}");
    header(
        &mut out,
        "pgtenant_tenant_sessions",
        "gauge",
        "Sessions per tenant environment (only the busiest with open sessions).",
    );
    for db in &busiest {
        let _ = writeln!(
            out,
            "pgtenant_tenant_sessions{{tenant=\"{}\",env=\"{}\"}} {}",
            esc(&db.key.tenant),
            esc(&db.key.env),
            db.stats.sessions.load(Relaxed)
        );
    }
    for (name, help, get) in [
        (
            "pgtenant_tenant_statements_total",
            "Statements per tenant environment while it is open.",
            (|db: &TenantDb| db.stats.statements.load(Relaxed)) as fn(&TenantDb) -> u64,
        ),
        (
            "pgtenant_tenant_errors_total",
            "Failed statements per tenant environment while it is open.",
            |db: &TenantDb| db.stats.errors.load(Relaxed),
        ),
    ] {
        header(&mut out, name, "counter", help);
        for db in &busiest {
            let _ = writeln!(
                out,
                "{name}{{tenant=\"{}\",env=\"{}\"}} {}",
                esc(&db.key.tenant),
                esc(&db.key.env),
                get(db)
            );
        }
    }
    header(
        &mut out,
        "pgtenant_uptime_seconds",
        "gauge",
        "Seconds since the server started.",
    );
    let _ = writeln!(out, "pgtenant_uptime_seconds {}", m.uptime().as_secs());
    out
}

/// `pgtenant.stats`: (scope, tenant, environment, metric, value).
pub fn stats_rows(server: &Server) -> Vec<Vec<String>> {
    let m = global();
    let (_, sum, count) = m.latency();
    let server_row = |metric: &str, value: String| {
        vec![
            "server".to_owned(),
            String::new(),
            String::new(),
            metric.to_owned(),
            value,
        ]
    };
    let errors: u64 = m.errors().iter().map(|(_, n)| n).sum();
    let (busiest, open) = busiest(server, server.config.metrics_tenant_limit);
    let mut rows = vec![
        server_row(
            "connections_total",
            m.connections_total.load(Relaxed).to_string(),
        ),
        server_row(
            "connections_active",
            m.connections_active.load(Relaxed).to_string(),
        ),
        server_row("sessions", server.sessions.len().to_string()),
        server_row("statements_total", count.to_string()),
        server_row("errors_total", errors.to_string()),
        server_row(
            "statement_avg_ms",
            format!(
                "{:.3}",
                if count > 0 {
                    sum * 1000.0 / count as f64
                } else {
                    0.0
                }
            ),
        ),
        server_row("open_databases", open.to_string()),
        server_row("uptime_seconds", m.uptime().as_secs().to_string()),
    ];
    for (code, n) in m.errors() {
        rows.push(server_row(&format!("errors_{code}"), n.to_string()));
    }
    for db in busiest {
        for (metric, v) in [
            ("sessions", db.stats.sessions.load(Relaxed)),
            ("statements_total", db.stats.statements.load(Relaxed)),
            ("errors_total", db.stats.errors.load(Relaxed)),
        ] {
            rows.push(vec![
                "tenant".to_owned(),
                db.key.tenant.clone(),
                db.key.env.clone(),
                metric.to_owned(),
                v.to_string(),
            ]);
        }
    }
    rows
}
