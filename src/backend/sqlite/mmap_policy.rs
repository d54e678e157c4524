//! Whether a tenant's session connections read through mmap right now.
//!
//! mmap saves a `pread` and a copy per page a connection's own cache
//! misses, which pays on read-heavy tenants (pgbench -S, 8 clients: ~10%
//! more tps). But when another connection has committed, SQLite unmaps the
//! whole file at the next read transaction (it cannot tell a rewrite by
//! another process from an append), and every page touched since faults
//! in again: a `munmap` with a TLB shootdown across cores, per connection,
//! per foreign commit. Under steady writes that costs more than it saves
//! (pgbench tpcb-like, 4 clients: ~15% fewer tps with mmap). So a tenant
//! whose commits come faster than [`BUSY_GAP_MS`] apart reads with `pread`
//! until they slow down again.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use super::exec::clock_nanos;

/// Commits closer together than this on average (over the last several)
/// make a tenant write-busy: 100 commits a second.
const BUSY_GAP_MS: u64 = 10;

/// A busy tenant goes back to mmap this long after its last commit.
const QUIET_AFTER_MS: u64 = 1000;

/// One tenant database's commit rate, shared by its sessions.
#[derive(Debug)]
pub struct MmapPolicy {
    /// The configured `mmap_size` (0: never mmap).
    size: i64,
    /// When the last commit was noted (ms on [`clock_nanos`]'s clock).
    last_ms: AtomicU64,
    /// A moving average of the gaps between commits, in ms.
    gap_ms: AtomicU64,
}

impl MmapPolicy {
    pub fn new(size: i64) -> MmapPolicy {
        MmapPolicy {
            size,
            last_ms: AtomicU64::new(0),
            gap_ms: AtomicU64::new(QUIET_AFTER_MS),
        }
    }

    /// A session's transaction committed. Racing sessions may lose one
    /// another's update: the average only has to be roughly right.
    pub fn note_commit(&self) {
        let now = now_ms();
        let gap = now
            .saturating_sub(self.last_ms.swap(now, Relaxed))
            .min(QUIET_AFTER_MS);
        let avg = self.gap_ms.load(Relaxed);
        self.gap_ms.store((avg * 7 + gap) / 8, Relaxed);
    }

    /// The `mmap_size` a connection should read with now.
    pub fn size_now(&self) -> i64 {
        if self.size == 0 || !self.write_busy(now_ms()) {
            return self.size;
        }
        0
    }

    fn write_busy(&self, now: u64) -> bool {
        now.saturating_sub(self.last_ms.load(Relaxed)) < QUIET_AFTER_MS
            && self.gap_ms.load(Relaxed) < BUSY_GAP_MS
    }
}

fn now_ms() -> u64 {
    clock_nanos() / 1_000_000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steady_commits_turn_mmap_off_and_quiet_turns_it_back_on() {
        let p = MmapPolicy::new(1 << 20);
        assert_eq!(p.size_now(), 1 << 20, "no commits yet");
        for _ in 0..40 {
            p.note_commit();
        }
        assert_eq!(p.size_now(), 0, "commits microseconds apart");
        let last = p.last_ms.load(Relaxed);
        assert!(!p.write_busy(last + QUIET_AFTER_MS), "a second of quiet");
    }

    #[test]
    fn occasional_commits_keep_mmap() {
        let p = MmapPolicy::new(1 << 20);
        p.note_commit();
        assert_eq!(p.size_now(), 1 << 20, "one commit is no rate");
        assert_eq!(MmapPolicy::new(0).size_now(), 0, "configured off");
    }
}
