//! The mark an upsert's rows leave for RETURNING's `xmax` (see
//! `translate::upsert_xmax`): `pg_upsert_mark(v)` sets it when ON CONFLICT
//! updates a row instead of inserting it (and returns `v`);
//! `pg_upsert_xmax(1)`, RETURNING's first `xmax` of the row, takes it (0
//! for a row inserted, 1 for a row updated) and clears it for the next
//! row; a later `xmax` of the same row, `pg_upsert_xmax(n)`, reads what the
//! first took. One mark per connection, which runs one statement at a time.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;
use rusqlite::Connection;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    // Not deterministic: SQLite must call them at each row, in order.
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    let mark = Arc::new(AtomicI64::new(0));
    let taken = Arc::new(AtomicI64::new(0));
    let set = mark.clone();
    conn.create_scalar_function("pg_upsert_mark", 1, flags, move |ctx| {
        set.store(1, Ordering::Relaxed);
        ctx.get::<Value>(0)
    })?;
    conn.create_scalar_function("pg_upsert_xmax", 1, flags, move |ctx| {
        if ctx.get::<i64>(0)? == 1 {
            taken.store(mark.swap(0, Ordering::Relaxed), Ordering::Relaxed);
        }
        Ok(taken.load(Ordering::Relaxed))
    })
}
