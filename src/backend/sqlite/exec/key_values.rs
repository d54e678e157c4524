//! The key values of a unique violation's DETAIL, worked out after the fact.
//!
//! SQLite names the table and columns of a violated unique key ("UNIQUE
//! constraint failed: users.email"), not the values; PostgreSQL's DETAIL
//! is `Key (email)=(a@x.com) already exists.`. So the failed statement runs
//! again inside a savepoint with temporary BEFORE INSERT/UPDATE triggers on
//! the table that hand each new row's key to a function registered only for
//! the while: the last row seen before the statement failed again is the
//! duplicate. A function, not a table, keeps what it saw: SQLite undoes
//! everything the failing statement and its triggers wrote. The savepoint
//! is rolled back (the triggers go with it) and the function removed.

use std::sync::{Arc, Mutex};

use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;
use rusqlite::Connection;

use crate::sql::quote_ident;

const SEEN: &str = "pgtenant_key_seen";

/// The values of `key` (columns of `table`) in the row that made `sql`
/// fail, as text, or `None` when the second run does not tell.
pub(super) fn explain(
    db: &Connection,
    sql: &str,
    params: &[Value],
    table: &str,
    key: &[String],
) -> Option<Vec<String>> {
    if key.is_empty() {
        return None;
    }
    let last: Arc<Mutex<Option<Vec<String>>>> = Arc::default();
    let seen = Arc::clone(&last);
    db.create_scalar_function(
        SEEN,
        -1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        move |ctx| {
            let values = (0..ctx.len())
                .map(|i| {
                    ctx.get::<Option<String>>(i)
                        .map(|v| v.unwrap_or_else(|| "null".into()))
                })
                .collect::<rusqlite::Result<Vec<_>>>()?;
            *seen.lock().unwrap_or_else(|p| p.into_inner()) = Some(values);
            Ok(true)
        },
    )
    .ok()?;
    let r = rerun(db, sql, params, table, key);
    let _ = db.remove_function(SEEN, -1);
    r?;
    let values = last.lock().unwrap_or_else(|p| p.into_inner()).take();
    values
}

fn rerun(db: &Connection, sql: &str, params: &[Value], table: &str, key: &[String]) -> Option<()> {
    let news: Vec<String> = key
        .iter()
        .map(|c| format!("CAST(NEW.{} AS TEXT)", quote_ident(c)))
        .collect();
    let note = format!("SELECT {SEEN}({});", news.join(", "));
    let target = format!("main.{}", quote_ident(table));
    let triggers = format!(
        "CREATE TEMP TRIGGER pgtenant_key_insert BEFORE INSERT ON {target} BEGIN {note} END;
         CREATE TEMP TRIGGER pgtenant_key_update BEFORE UPDATE ON {target} BEGIN {note} END;"
    );
    super::rerun::rolled_back(db, || {
        db.execute_batch(&triggers).ok()?;
        // The duplicate fails the statement again; that is the point.
        let _ = super::rerun::run_again(db, sql, params);
        Some(())
    })
}
