//! `REFRESH MATERIALIZED VIEW`: the view's table gets the rows of its
//! stored query again (see `translate::matview`), all or none.

use rusqlite::{Connection, OptionalExtension};

use crate::sql::errors::{from_sqlite, SqlError};

pub fn refresh(conn: &mut Connection, name: &str) -> Result<(), SqlError> {
    let sql = |e: rusqlite::Error| from_sqlite(&e);
    use super::catalog::has_relation as has;
    let query: Option<String> = if has(conn, "pgcat__matview").map_err(sql)? {
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
        return Err(if has(conn, name).map_err(sql)? {
            SqlError::new("0A000", format!("\"{name}\" is not a materialized view"))
        } else {
            SqlError::new("42P01", format!("relation \"{name}\" does not exist"))
        });
    };
    let table = format!("\"{}\"", name.replace('"', "\"\""));
    super::all_or_none(conn, "pgtenant_refresh", |c| {
        c.execute_batch(&format!("DELETE FROM {table}; INSERT INTO {table} {query}"))
            .map_err(sql)
    })
}
