//! `pg_drop_check(table, also_dropped...)`: PostgreSQL refuses to drop a
//! table that another table's foreign key references (2BP01) unless the
//! statement says CASCADE or drops the referencing table too. SQLite drops
//! it, and only fails later, per row, if the child has rows.

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

use super::error;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_drop_check", -1, FunctionFlags::SQLITE_UTF8, |ctx| {
        let table: String = ctx.get(0)?;
        let dropped: Vec<String> = (1..ctx.len())
            .map(|i| ctx.get::<String>(i))
            .collect::<rusqlite::Result<_>>()?;
        // SAFETY: a read of the schema during the call.
        let conn = unsafe { ctx.get_connection()? };
        let mut stmt = conn.prepare_cached(
            "SELECT m.name FROM sqlite_schema m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND f.\"table\" = ?1 COLLATE NOCASE \
             AND m.name <> ?1 COLLATE NOCASE",
        )?;
        let referencing: Vec<String> = stmt
            .query_map([&table], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        match referencing
            .iter()
            .find(|t| !dropped.iter().any(|d| d.eq_ignore_ascii_case(t)))
        {
            // (SQLite keeps only the message of a function's error, so the
            // referencing table cannot travel as the DETAIL.)
            Some(_) => Err(error(
                "2BP01",
                format!("cannot drop table {table} because other objects depend on it"),
            )),
            None => Ok(rusqlite::types::Value::Null),
        }
    })
}
