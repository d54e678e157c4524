//! `REFRESH MATERIALIZED VIEW`: the view's table gets the rows of its
//! stored query again (see `translate::matview`), all or none.

use rusqlite::{Connection, OptionalExtension};

use crate::sql::errors::{from_sqlite, SqlError};

pub fn refresh(conn: &Connection, name: &str) -> Result<(), SqlError> {
    let sql = |e: rusqlite::Error| from_sqlite(&e);
    let has = |name: &str| super::catalog::has_relation(conn, name).map_err(sql);
    let query: Option<String> = if has("pgcat__matview")? {
        conn.query_row(
            "SELECT query FROM main.pgcat__matview WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql)?
    } else {
        None
    };
    let Some(query) = query else {
        return Err(if has(name)? {
            SqlError::new("0A000", format!("\"{name}\" is not a materialized view"))
        } else {
            SqlError::new("42P01", format!("relation \"{name}\" does not exist"))
        });
    };
    let table = format!("\"{}\"", name.replace('"', "\"\""));
    conn.execute_batch("SAVEPOINT pgtenant_refresh")
        .map_err(sql)?;
    let r = conn
        .execute_batch(&format!("DELETE FROM {table}; INSERT INTO {table} {query}"))
        .map_err(sql);
    let end = if r.is_ok() {
        "RELEASE pgtenant_refresh"
    } else {
        "ROLLBACK TO pgtenant_refresh; RELEASE pgtenant_refresh"
    };
    let ended = conn.execute_batch(end).map_err(sql);
    r.and(ended)
}
