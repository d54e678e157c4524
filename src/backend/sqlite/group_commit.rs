//! Group commit: one fsync of a tenant's WAL makes several commits durable.
//!
//! With `synchronous = full`, SQLite fsyncs the WAL inside every COMMIT, and
//! a tenant's writers queue behind that fsync (one writer at a time). Instead,
//! session connections commit with SQLite's `synchronous = NORMAL` (frames
//! written, not synced; checkpoints still sync, so the file stays consistent
//! after a crash) and the session, after giving the writer slot to the next
//! writer, waits here until the WAL is on disk before the client hears
//! "COMMIT". Commits that finish while one fsync runs share the next one, as
//! PostgreSQL's WAL flush covers every backend waiting for it. An
//! acknowledged commit is as durable as with `synchronous = FULL`.
//!
//! One difference remains: another session may read a commit in the moment
//! between its write and its fsync (PostgreSQL shows it only after the flush).
//! Such a reader's own later commit is synced after it, so nothing written
//! can depend on a commit a crash takes back.

use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::{Arc, Condvar, Mutex};

use tokio::sync::Notify;

use crate::sql::errors::SqlError;

/// The WAL flusher of one tenant database file; every session of the
/// database shares it (it lives in the registry's entry).
pub struct GroupCommit {
    wal: PathBuf,
    state: Mutex<State>,
    /// Wakes blocked waiters after each fsync ...
    synced: Condvar,
    /// ... and async ones.
    synced_async: Notify,
}

#[derive(Default)]
struct State {
    /// fsyncs begun; each covers every commit written before it began.
    started: u64,
    /// The latest fsync finished.
    done: u64,
    running: bool,
    /// An fsync failed: what was written may be lost, and a later fsync
    /// reporting success proves nothing (the kernel may have dropped the
    /// dirty pages). Commits are refused from then on, as PostgreSQL
    /// stops rather than go on after a failed fsync.
    failed: Option<String>,
}

impl GroupCommit {
    pub fn new(db_file: &Path) -> GroupCommit {
        let mut wal = db_file.as_os_str().to_owned();
        wal.push("-wal");
        GroupCommit {
            wal: PathBuf::from(wal),
            state: Mutex::new(State::default()),
            synced: Condvar::new(),
            synced_async: Notify::new(),
        }
    }

    /// Returns once everything committed before the call is on disk. Blocks:
    /// call it on the blocking pool, after releasing the writer slot.
    pub fn wait_durable(&self) -> Result<(), SqlError> {
        let needed = self.begin_wait();
        let mut s = self.lock();
        loop {
            match self.step(&mut s, needed)? {
                Step::Done => return Ok(()),
                Step::Wait => s = self.synced.wait(s).unwrap_or_else(|p| p.into_inner()),
                Step::Sync(epoch) => {
                    drop(s);
                    self.sync(epoch);
                    s = self.lock();
                }
            }
        }
    }

    /// [`Self::wait_durable`] for the async side: a waiter whose commit an
    /// fsync already running or about to run covers is woken by it, and
    /// only the one that starts an fsync hands it to the blocking pool.
    pub async fn wait_durable_async(self: &Arc<Self>) -> Result<(), SqlError> {
        let needed = self.begin_wait();
        loop {
            let synced = self.synced_async.notified();
            tokio::pin!(synced);
            // Registered before the state is read: a wake-up between the
            // read and the await is not lost.
            synced.as_mut().enable();
            let step = {
                let mut s = self.lock();
                self.step(&mut s, needed)?
            };
            match step {
                Step::Done => return Ok(()),
                Step::Wait => synced.await,
                Step::Sync(epoch) => {
                    let this = self.clone();
                    // Runs to its end even if this future is dropped, so the
                    // `running` flag is always cleared.
                    tokio::task::spawn_blocking(move || this.sync(epoch))
                        .await
                        .map_err(|e| SqlError::internal("WAL fsync task", e))?;
                }
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The fsync a commit written before this call needs.
    fn begin_wait(&self) -> u64 {
        crate::metrics::global()
            .durable_commits_total
            .fetch_add(1, Relaxed);
        // An fsync already running may have begun before our commit was
        // written: only one that begins from now on is sure to cover it.
        self.lock().started + 1
    }

    /// What a waiter for fsync `needed` does next; `Sync` makes it the one
    /// to run the next fsync.
    fn step(&self, s: &mut State, needed: u64) -> Result<Step, SqlError> {
        if let Some(e) = &s.failed {
            return Err(fsync_failed(e));
        }
        if s.done >= needed {
            return Ok(Step::Done);
        }
        if s.running {
            return Ok(Step::Wait);
        }
        s.running = true;
        s.started += 1;
        Ok(Step::Sync(s.started))
    }

    /// Runs fsync `epoch` and wakes every waiter. Blocks.
    fn sync(&self, epoch: u64) {
        let r = sync_file(&self.wal);
        crate::metrics::global()
            .wal_fsyncs_total
            .fetch_add(1, Relaxed);
        let mut s = self.lock();
        s.running = false;
        match r {
            Ok(()) => s.done = epoch,
            Err(e) => {
                tracing::error!(wal = %self.wal.display(), error = %e, "fsync of the WAL failed; refusing further commits");
                s.failed = Some(e.to_string());
            }
        }
        drop(s);
        self.synced.notify_all();
        self.synced_async.notify_waiters();
    }
}

enum Step {
    Done,
    Wait,
    Sync(u64),
}

/// fdatasync of the WAL file by name: SQLite's own descriptor is not
/// reachable, and on Linux an fsync through any descriptor writes back the
/// file's dirty pages. A missing WAL means the last connection checkpointed
/// it into the database (synced, as `NORMAL` checkpoints are) and removed it.
fn sync_file(path: &Path) -> std::io::Result<()> {
    match std::fs::File::open(path) {
        Ok(f) => f.sync_data(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn fsync_failed(e: &str) -> SqlError {
    SqlError::new("58030", format!("could not fsync the tenant's write-ahead log: {e}"))
        .with_detail("The last commits may not be durable. The server refuses further commits to this database until it is reopened (restart the server or suspend and resume the tenant).")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_waiters_share_fsyncs() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        std::fs::write(dir.path().join("t.db-wal"), b"x").unwrap();
        let gc = Arc::new(GroupCommit::new(&db));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let gc = gc.clone();
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        gc.wait_durable().unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let s = gc.state.lock().unwrap();
        assert!(!s.running);
        assert_eq!(s.done, s.started);
        assert!(s.failed.is_none());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn async_and_blocking_waiters_share_fsyncs() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("t.db");
        std::fs::write(dir.path().join("t.db-wal"), b"x").unwrap();
        let gc = Arc::new(GroupCommit::new(&db));
        let mut tasks = Vec::new();
        for i in 0..8 {
            let gc = gc.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..20 {
                    if i % 2 == 0 {
                        gc.wait_durable_async().await.unwrap();
                    } else {
                        let gc = gc.clone();
                        tokio::task::spawn_blocking(move || gc.wait_durable())
                            .await
                            .unwrap()
                            .unwrap();
                    }
                }
            }));
        }
        for t in tasks {
            tokio::time::timeout(std::time::Duration::from_secs(60), t)
                .await
                .expect("a waiter was never woken")
                .unwrap();
        }
        let s = gc.state.lock().unwrap();
        assert!(!s.running);
        assert_eq!(s.done, s.started);
        assert!(s.failed.is_none());
    }

    #[tokio::test]
    async fn a_failed_fsync_fails_async_waiters() {
        let gc = Arc::new(GroupCommit::new(std::path::Path::new("/x")));
        gc.state.lock().unwrap().failed = Some("EIO".into());
        let e = gc.wait_durable_async().await.unwrap_err();
        assert_eq!(e.code, "58030");
    }

    #[test]
    fn missing_wal_is_durable_already() {
        let dir = tempfile::tempdir().unwrap();
        let gc = GroupCommit::new(&dir.path().join("none.db"));
        gc.wait_durable().unwrap();
    }
}
