//! A failed statement's second run, to learn what SQLite's error does not
//! say (see `fk_violation`, `key_values`, `failing_row`): inside a savepoint that is always
//! rolled back, so nothing the second run writes stays.

use std::sync::{Arc, Mutex};

use rusqlite::functions::FunctionFlags;
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

/// The function the temporary triggers of [`last_row_seen`] hand rows to.
const SEEN: &str = "pgtenant_row_seen";

/// Runs `sql` again (rolled back) with temporary BEFORE INSERT and BEFORE
/// UPDATE triggers on `target` handing the expressions `on_insert` /
/// `on_update` (of NEW) to a function registered for the while: what the
/// last row reached gave, which is the row that failed. A function, not a
/// table, keeps it: SQLite undoes everything the failing statement and its
/// triggers wrote.
pub(super) fn last_row_seen(
    db: &Connection,
    sql: &str,
    params: &[Value],
    target: &str,
    on_insert: &[String],
    on_update: &[String],
) -> Option<Vec<Value>> {
    let last: Arc<Mutex<Option<Vec<Value>>>> = Arc::default();
    let seen = Arc::clone(&last);
    db.create_scalar_function(
        SEEN,
        -1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        move |ctx| {
            let values = (0..ctx.len())
                .map(|i| ctx.get::<Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            *seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(values);
            Ok(true)
        },
    )
    .ok()?;
    let note = |values: &[String]| format!("SELECT {SEEN}({});", values.join(", "));
    let triggers = format!(
        "CREATE TEMP TRIGGER pgtenant_seen_insert BEFORE INSERT ON {target} BEGIN {} END;
         CREATE TEMP TRIGGER pgtenant_seen_update BEFORE UPDATE ON {target} BEGIN {} END;",
        note(on_insert),
        note(on_update)
    );
    let r = rolled_back(db, || {
        db.execute_batch(&triggers).ok()?;
        // The violation fails the statement again; that is the point.
        let _ = run_again(db, sql, params);
        Some(())
    });
    let _ = db.remove_function(SEEN, -1);
    r?;
    let values = last.lock().unwrap_or_else(|p| p.into_inner()).take();
    values
}
