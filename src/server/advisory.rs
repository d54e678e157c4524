//! PostgreSQL's advisory locks (`pg_advisory_lock`, `pg_try_advisory_lock`,
//! `pg_advisory_xact_lock`, their `_shared` forms and the unlocks), which
//! migration tools and job queues take to run one at a time. Each tenant
//! database has one lock table in this process ([`AdvisoryLocks`], on its
//! `TenantDb`), so tenants never see each other's keys; a session's locks go
//! when it ends, its transaction-level locks when the transaction does.
//!
//! A blocked `pg_advisory_lock` waits on the blocking pool, never on the
//! async worker that serves other sessions: a call made during an inline
//! run gives up (the run is over its budget) and the statement is run again
//! off the worker, where it waits, interruptible by cancel and
//! `statement_timeout`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use rusqlite::functions::{Context, FunctionFlags};

use crate::backend::sqlite::exec::Conn;
use crate::sql::errors::SqlError;

/// Who holds one key.
enum Held {
    Exclusive {
        pid: i32,
        count: u32,
    },
    /// Session pid → times taken.
    Shared(HashMap<i32, u32>),
}

/// One tenant database's advisory locks.
#[derive(Default)]
pub struct AdvisoryLocks {
    held: Mutex<HashMap<i64, Held>>,
    freed: Condvar,
}

impl AdvisoryLocks {
    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Held>> {
        self.held.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes `key` for session `pid` if no other session's lock conflicts
    /// (a session may take its own lock again: it counts).
    pub fn try_acquire(&self, pid: i32, key: i64, shared: bool) -> bool {
        let mut table = self.table();
        match table.get_mut(&key) {
            None => {
                let held = if shared {
                    Held::Shared(HashMap::from([(pid, 1)]))
                } else {
                    Held::Exclusive { pid, count: 1 }
                };
                table.insert(key, held);
                true
            }
            // A session's own exclusive lock covers its shared requests too.
            Some(Held::Exclusive { pid: owner, count }) if *owner == pid => {
                *count += 1;
                true
            }
            Some(Held::Shared(holders)) if shared => {
                *holders.entry(pid).or_insert(0) += 1;
                true
            }
            // Exclusive while only this session shares it. (PostgreSQL
            // keeps the two modes apart; holding both at once is rare
            // enough to fold into one exclusive hold.)
            Some(held) if !shared => {
                let sole = matches!(held, Held::Shared(h) if h.len() == 1 && h.contains_key(&pid));
                if sole {
                    *held = Held::Exclusive { pid, count: 1 };
                }
                sole
            }
            Some(_) => false,
        }
    }

    /// Releases one hold of `key` by `pid`; false when it held none.
    pub fn release(&self, pid: i32, key: i64, shared: bool) -> bool {
        let mut table = self.table();
        let (released, empty) = match table.get_mut(&key) {
            Some(Held::Exclusive { pid: owner, count }) if *owner == pid => {
                *count -= 1;
                (true, *count == 0)
            }
            Some(Held::Shared(holders)) if shared => match holders.get_mut(&pid) {
                Some(n) => {
                    *n -= 1;
                    if *n == 0 {
                        holders.remove(&pid);
                    }
                    (true, holders.is_empty())
                }
                None => (false, false),
            },
            _ => (false, false),
        };
        if empty {
            table.remove(&key);
            self.freed.notify_all();
        }
        released
    }

    /// Everything `pid` holds (the session ended, or pg_advisory_unlock_all).
    pub fn release_all(&self, pid: i32) {
        let mut table = self.table();
        let before = table.len();
        table.retain(|_, held| match held {
            Held::Exclusive { pid: owner, .. } => *owner != pid,
            Held::Shared(holders) => {
                holders.remove(&pid);
                !holders.is_empty()
            }
        });
        if table.len() != before {
            self.freed.notify_all();
        }
    }

    /// Waits until some lock is released, or `timeout`.
    fn wait(&self, timeout: Duration) {
        let table = self.table();
        let _ = self.freed.wait_timeout(table, timeout);
    }
}

/// One session's side: its pid, its tenant's table, and the
/// transaction-level locks to release when the transaction ends.
pub struct SessionLocks {
    pid: i32,
    locks: Arc<AdvisoryLocks>,
    xact: Mutex<Vec<(i64, bool)>>,
}

impl SessionLocks {
    pub fn new(pid: i32, locks: Arc<AdvisoryLocks>) -> SessionLocks {
        SessionLocks {
            pid,
            locks,
            xact: Mutex::new(Vec::new()),
        }
    }

    /// The transaction ended (COMMIT or ROLLBACK).
    pub fn end_transaction(&self) {
        let taken = std::mem::take(&mut *self.xact.lock().unwrap_or_else(|p| p.into_inner()));
        for (key, shared) in taken {
            self.locks.release(self.pid, key, shared);
        }
    }

    /// The session ended.
    pub fn end_session(&self) {
        self.xact.lock().unwrap_or_else(|p| p.into_inner()).clear();
        self.locks.release_all(self.pid);
    }
}

fn flags() -> FunctionFlags {
    FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY
}

fn fail(code: &'static str, message: &str) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(Box::new(SqlError::new(code, message)))
}

/// The key of a one-argument (bigint) or two-argument (int, int) call.
fn key(ctx: &Context<'_>) -> rusqlite::Result<Option<i64>> {
    if ctx.len() == 1 {
        return ctx.get::<Option<i64>>(0);
    }
    let (Some(a), Some(b)) = (ctx.get::<Option<i64>>(0)?, ctx.get::<Option<i64>>(1)?) else {
        return Ok(None);
    };
    let (Ok(a), Ok(b)) = (i32::try_from(a), i32::try_from(b)) else {
        return Err(fail("22003", "integer out of range"));
    };
    Ok(Some((i64::from(a) << 32) | i64::from(b as u32)))
}

fn in_transaction(ctx: &Context<'_>) -> bool {
    // SAFETY: as above.
    unsafe { ctx.get_connection().is_ok_and(|c| !c.is_autocommit()) }
}

/// Registers the functions for `session` on its connection (replacing a
/// previous session's on a pooled connection).
pub fn register(conn: &Conn, session: Arc<SessionLocks>) -> rusqlite::Result<()> {
    let db = conn.sqlite();
    let (inline, over_budget) = conn.budget_flags();
    // Blocking forms: pg_advisory_lock, _shared, pg_advisory_xact_lock, _shared.
    for (name, shared, xact) in [
        ("pg_advisory_lock", false, false),
        ("pg_advisory_lock_shared", true, false),
        ("pg_advisory_xact_lock", false, true),
        ("pg_advisory_xact_lock_shared", true, true),
    ] {
        for n in [1, 2] {
            let s = session.clone();
            let (inline, over_budget) = (inline.clone(), over_budget.clone());
            db.create_scalar_function(name, n, flags(), move |ctx| {
                let Some(key) = key(ctx)? else {
                    return Ok(None::<String>);
                };
                wait_for(ctx, &s, key, shared, &inline, &over_budget)?;
                taken(ctx, &s, key, shared, xact);
                // void: an empty value, not NULL.
                Ok(Some(String::new()))
            })?;
        }
    }
    for (name, shared, xact) in [
        ("pg_try_advisory_lock", false, false),
        ("pg_try_advisory_lock_shared", true, false),
        ("pg_try_advisory_xact_lock", false, true),
        ("pg_try_advisory_xact_lock_shared", true, true),
    ] {
        for n in [1, 2] {
            let s = session.clone();
            db.create_scalar_function(name, n, flags(), move |ctx| {
                let Some(key) = key(ctx)? else {
                    return Ok(None);
                };
                let ok = s.locks.try_acquire(s.pid, key, shared);
                if ok {
                    taken(ctx, &s, key, shared, xact);
                }
                Ok(Some(ok))
            })?;
        }
    }
    for (name, shared) in [
        ("pg_advisory_unlock", false),
        ("pg_advisory_unlock_shared", true),
    ] {
        for n in [1, 2] {
            let s = session.clone();
            db.create_scalar_function(name, n, flags(), move |ctx| {
                let Some(key) = key(ctx)? else {
                    return Ok(None);
                };
                Ok(Some(s.locks.release(s.pid, key, shared)))
            })?;
        }
    }
    let s = session;
    db.create_scalar_function("pg_advisory_unlock_all", 0, flags(), move |_| {
        s.locks.release_all(s.pid);
        Ok(String::new())
    })
}

/// Takes the lock, waiting while another session holds it.
fn wait_for(
    ctx: &Context<'_>,
    s: &SessionLocks,
    key: i64,
    shared: bool,
    inline: &AtomicBool,
    over_budget: &AtomicBool,
) -> rusqlite::Result<()> {
    while !s.locks.try_acquire(s.pid, key, shared) {
        if inline.load(Ordering::Relaxed) {
            // Not on the async worker: the statement runs again off it.
            over_budget.store(true, Ordering::Relaxed);
            return Err(fail("57014", "advisory lock wait moved off the worker"));
        }
        if crate::backend::sqlite::sleep::interrupted(ctx) {
            return Err(crate::backend::sqlite::sleep::interrupt_error());
        }
        s.locks.wait(Duration::from_millis(50));
    }
    Ok(())
}

/// Records a transaction-level lock; outside a transaction block the
/// statement was the transaction, so it is released at once.
fn taken(ctx: &Context<'_>, s: &SessionLocks, key: i64, shared: bool, xact: bool) {
    if !xact {
        return;
    }
    if in_transaction(ctx) {
        s.xact
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((key, shared));
    } else {
        s.locks.release(s.pid, key, shared);
    }
}
