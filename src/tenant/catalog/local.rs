//! The catalog in an SQLite file under the data folder (the default).
//! Statements go through rusqlite's statement cache: login lookups are on
//! the connection hot path.

use std::path::Path;

use rusqlite::types::Value;
use rusqlite::Connection;

use super::store::{Params, Row};
use crate::sql::errors::SqlError;

/// Opens (creating if needed) the catalog file.
pub fn open(path: &Path) -> Result<Connection, SqlError> {
    let conn = Connection::open(path).map_err(error)?;
    conn.pragma_update(None, "journal_mode", "WAL")
        .map_err(error)?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(error)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(error)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(error)?;
    Ok(conn)
}

/// A constraint failure keeps its SQLSTATE (23xxx) so callers can tell it
/// apart; anything else is the catalog's error (see [`super::db_err`]).
pub fn error(e: rusqlite::Error) -> SqlError {
    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) {
        return crate::sql::errors::from_sqlite(&e);
    }
    super::db_err(e)
}

pub fn execute(conn: &Connection, sql: &str, params: Params<'_>) -> Result<usize, SqlError> {
    conn.prepare_cached(sql)
        .and_then(|mut s| s.execute(params))
        .map_err(error)
}

pub fn query(conn: &Connection, sql: &str, params: Params<'_>) -> Result<Vec<Row>, SqlError> {
    let mut stmt = conn.prepare_cached(sql).map_err(error)?;
    let n = stmt.column_count();
    let mut rows = stmt.query(params).map_err(error)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(error)? {
        let values = (0..n)
            .map(|i| r.get::<_, Value>(i))
            .collect::<Result<Vec<_>, _>>()
            .map_err(error)?;
        out.push(Row(values));
    }
    Ok(out)
}
