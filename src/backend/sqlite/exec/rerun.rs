//! A failed statement's second run, to learn what SQLite's error does not
//! say (see `fk_violation`, `key_values`): inside a savepoint that is always
//! rolled back, so nothing the second run writes stays.

use rusqlite::types::Value;
use rusqlite::Connection;

/// Runs `f` inside a savepoint that is rolled back after it, whatever it
/// returns.
pub(super) fn rolled_back<T>(db: &Connection, f: impl FnOnce() -> Option<T>) -> Option<T> {
    db.execute_batch("SAVEPOINT pgtenant_explain").ok()?;
    let r = f();
    let _ = db.execute_batch("ROLLBACK TO pgtenant_explain; RELEASE pgtenant_explain");
    r
}

/// Runs `sql` with `params` to its end, its rows read and dropped.
pub(super) fn run_again(db: &Connection, sql: &str, params: &[Value]) -> rusqlite::Result<()> {
    let mut stmt = db.prepare(sql)?;
    for (i, v) in params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, v)?;
    }
    let mut rows = stmt.raw_query();
    while rows.next()?.is_some() {}
    Ok(())
}
