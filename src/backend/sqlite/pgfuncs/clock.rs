//! `pg_now()`: PostgreSQL's `now()` / `transaction_timestamp()`, the time
//! the transaction started: the same for every call in one transaction (rows
//! inserted together share their `created_at`), in microseconds, in the
//! stored timestamp form. `pg_now(1)` is `statement_timestamp()`, `pg_now(2)`
//! `clock_timestamp()` (a new reading per call). SQLite's `'now'` is per
//! statement and in milliseconds. `pg_xact_id()` is `txid_current()` /
//! `pg_current_xact_id()`: one number per transaction, growing.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use bytes::BytesMut;
use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

use crate::sql::encode::datetime::{self, Stamp};

/// The clock readings of a connection's transaction and statement, taken
/// when its owner says each begins (a vDSO clock read per statement).
#[derive(Default)]
pub struct Clock {
    transaction: AtomicI64,
    statement: AtomicI64,
    /// The transaction's id once asked for (0: not yet).
    xact_id: AtomicI64,
}

impl Clock {
    /// A statement begins; outside a transaction block it (or the BEGIN
    /// it is) begins a transaction too.
    pub fn statement_begins(&self, in_block: bool) {
        let now = now_usecs();
        self.statement.store(now, Ordering::Relaxed);
        if !in_block {
            self.transaction.store(now, Ordering::Relaxed);
            self.xact_id.store(0, Ordering::Relaxed);
        }
    }

    /// The transaction's id: assigned at its first use, as PostgreSQL
    /// assigns one lazily, so the same all through the transaction.
    fn xact_id(&self) -> i64 {
        match self.xact_id.load(Ordering::Relaxed) {
            0 => {
                let id = next_xact_id();
                self.xact_id.store(id, Ordering::Relaxed);
                id
            }
            id => id,
        }
    }

    fn statement(&self) -> i64 {
        self.statement.load(Ordering::Relaxed)
    }

    fn transaction(&self) -> i64 {
        self.transaction.load(Ordering::Relaxed)
    }
}

/// Microseconds since PostgreSQL's epoch (2000-01-01 UTC).
fn now_usecs() -> i64 {
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    datetime::usecs_of_unix(d.as_secs() as i64).unwrap_or(0) + d.subsec_micros() as i64
}

/// A transaction id larger than any this process gave before: the clock in
/// microseconds, so ids keep growing across restarts too, and one more than
/// the last id when two transactions ask within a microsecond.
fn next_xact_id() -> i64 {
    static LAST: AtomicI64 = AtomicI64::new(0);
    let now = now_usecs();
    let prev = LAST
        .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |last| {
            Some(now.max(last + 1))
        })
        .unwrap_or(now);
    now.max(prev + 1)
}

fn text(us: i64) -> String {
    let mut b = BytesMut::with_capacity(26);
    datetime::write_timestamp(&mut b, Stamp::At(us), false);
    String::from_utf8_lossy(&b).into_owned()
}

/// Registers `pg_now` reading `clock`. Without an owner to mark statements
/// (`clock` None), each call reads the clock.
pub fn register(conn: &Connection, clock: Option<Arc<Clock>>) -> rusqlite::Result<()> {
    // Not deterministic: the value changes between transactions. Innocuous
    // (no side effects): a column DEFAULT in the schema may call it.
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    let c = clock.clone();
    conn.create_scalar_function("pg_xact_id", 0, flags, move |_| {
        Ok(c.as_ref().map_or_else(next_xact_id, |c| c.xact_id()))
    })?;
    // When the server started (its metrics began counting then).
    conn.create_scalar_function("pg_postmaster_start_time", 0, flags, |_| {
        let up = crate::metrics::global().uptime().as_micros() as i64;
        Ok(text(now_usecs() - up))
    })?;
    let c = clock.clone();
    conn.create_scalar_function("pg_now", 0, flags, move |_| {
        Ok(text(c.as_ref().map_or_else(now_usecs, |c| c.transaction())))
    })?;
    conn.create_scalar_function("pg_now", 1, flags, move |ctx| {
        let us = match (ctx.get::<i64>(0)?, &clock) {
            (0, Some(c)) => c.transaction(),
            (1, Some(c)) => c.statement(),
            _ => now_usecs(),
        };
        Ok(text(us))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transaction_reading_is_kept_until_the_next_transaction() {
        let db = Connection::open_in_memory().unwrap();
        let clock = Arc::new(Clock::default());
        register(&db, Some(clock.clone())).unwrap();
        let read = |sql: &str| db.query_row(sql, [], |r| r.get::<_, String>(0)).unwrap();
        clock.statement_begins(false);
        let first = read("SELECT pg_now()");
        assert!(chrono::NaiveDateTime::parse_from_str(&first, "%Y-%m-%d %H:%M:%S%.f").is_ok());
        std::thread::sleep(std::time::Duration::from_millis(2));
        clock.statement_begins(true);
        assert_eq!(read("SELECT pg_now()"), first);
        assert!(read("SELECT pg_now(2)") > first);
        assert!(read("SELECT pg_now(1)") > first);
        clock.statement_begins(false);
        assert!(read("SELECT pg_now()") > first);
    }

    #[test]
    fn transaction_id_is_kept_until_the_next_transaction() {
        let db = Connection::open_in_memory().unwrap();
        let clock = Arc::new(Clock::default());
        register(&db, Some(clock.clone())).unwrap();
        let read = || {
            db.query_row("SELECT pg_xact_id()", [], |r| r.get::<_, i64>(0))
                .unwrap()
        };
        clock.statement_begins(false);
        let first = read();
        clock.statement_begins(true);
        assert_eq!(read(), first);
        clock.statement_begins(false);
        assert!(read() > first);
    }
}
