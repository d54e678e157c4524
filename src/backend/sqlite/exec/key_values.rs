//! The key values of a unique violation's DETAIL, worked out after the fact.
//!
//! SQLite names the table and columns of a violated unique key ("UNIQUE
//! constraint failed: users.email"), not the values; PostgreSQL's DETAIL
//! is `Key (email)=(a@x.com) already exists.`. So the failed statement runs
//! again with temporary triggers handing each new row's key to a function
//! (`rerun::last_row_seen`): the last row seen before the statement failed
//! again is the duplicate.

use rusqlite::types::Value;
use rusqlite::Connection;

use crate::sql::quote_ident;

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
    let news: Vec<String> = key
        .iter()
        .map(|c| format!("NEW.{}", quote_ident(c)))
        .collect();
    failing_row_values(db, sql, params, table, &news)
}

/// The text of each of `exprs` (SQLite expressions over `NEW`) in the row
/// of `table` that made `sql` fail; a NULL prints `null`.
fn failing_row_values(
    db: &Connection,
    sql: &str,
    params: &[Value],
    table: &str,
    exprs: &[String],
) -> Option<Vec<String>> {
    let news: Vec<String> = exprs
        .iter()
        .map(|e| format!("CAST(({e}) AS TEXT)"))
        .collect();
    let target = format!("main.{}", quote_ident(table));
    let values = super::rerun::last_row_seen(db, sql, params, &target, &news, &news)?;
    Some(
        values
            .into_iter()
            .map(|v| match v {
                Value::Text(t) => t,
                _ => "null".into(),
            })
            .collect(),
    )
}

/// A unique violation's DETAIL: `Key (email)=(a@x.io) already exists.`
pub(super) fn already_exists(keys: &str, values: &[String]) -> String {
    format!("Key ({keys})=({}) already exists.", values.join(", "))
}

/// The DETAIL of a violated unique expression index (`CREATE UNIQUE INDEX
/// ON users (lower(email))`), which SQLite names by the index alone: its
/// keys read from the index's definition, evaluated over the failing row as
/// [`explain`] does for columns: `Key (lower(email))=(a@x.io) already
/// exists.` With the index's table.
pub(super) fn explain_index(
    db: &Connection,
    sql: &str,
    params: &[Value],
    index: &str,
) -> Option<(String, String)> {
    let (table, def): (String, String) = db
        .query_row(
            "SELECT tbl_name, sql FROM main.sqlite_schema WHERE type = 'index' AND name = ?1",
            [index],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok()?;
    let def = crate::backend::sqlite::index_def::parse(&def)?;
    let exprs: Vec<String> = def.keys.iter().map(|k| k.over_new.clone()).collect();
    let values = failing_row_values(db, sql, params, &table, &exprs)?;
    let detail = already_exists(&def.key_names(), &values);
    Some((table, detail))
}
