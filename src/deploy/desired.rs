//! The desired schema: ordinary PostgreSQL DDL, translated by the same
//! translator tenant SQL goes through (so a deployed table is declared
//! exactly as one a tenant created), run in a scratch database and read back
//! through the same introspection as the live database.

use super::hints::{self, Hints};
use super::schema::{introspect, is_internal, scratch, Schema};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::translate::{self, StmtKind};

pub struct Desired {
    pub schema: Schema,
    pub hints: Hints,
}

const ALLOWED: &[&str] = &["CREATE TABLE", "CREATE INDEX", "CREATE VIEW"];

/// Parses, translates and loads a desired schema written in PostgreSQL DDL.
pub fn from_postgres(ddl: &str) -> Result<Desired, SqlError> {
    let hints = hints::parse(ddl)?;
    let translations = translate::translate(ddl).map_err(|e| {
        SqlError::from(e.clone()).with_detail("while translating the desired schema")
    })?;
    let conn = scratch()?;
    for t in &translations {
        // A desired schema declares no domains: a column's unknown type is
        // an enum's (or refused as missing) as the plain translation says.
        let t = match &t.kind {
            StmtKind::WithUserTypes { then, .. } => then.as_ref(),
            _ => t,
        };
        match &t.kind {
            StmtKind::Query { tag, .. } if ALLOWED.contains(tag) => {
                conn.execute_batch(&t.sql).map_err(|e| {
                    let mut err = from_sqlite(&e);
                    err.message = format!("desired schema: {}", err.message);
                    err
                })?;
            }
            // `CREATE SCHEMA IF NOT EXISTS public`, `SET ...`: nothing to
            // deploy; nor `COMMENT ON` (comments are not part of what a
            // deployment compares and applies, as before they were stored).
            StmtKind::Noop { .. } | StmtKind::Set { .. } => {}
            StmtKind::Query { tag: "COMMENT", .. } => {}
            StmtKind::Query { tag, .. } => {
                return Err(SqlError::new(
                    "0A000",
                    format!("desired schema: {tag} is not allowed here"),
                )
                .with_detail("A desired schema states what should exist: CREATE TABLE, CREATE INDEX and CREATE VIEW statements."))
            }
            _ => {
                return Err(SqlError::new(
                    "0A000",
                    "desired schema: only CREATE TABLE, CREATE INDEX and CREATE VIEW are allowed",
                ))
            }
        }
    }
    let schema = introspect(&conn)?;
    reserved(&conn)?;
    Ok(Desired { schema, hints })
}

/// Names starting with `_pgtenant` / `pgtenant_` belong to the server:
/// introspection hides them, so a desired schema may not create them.
fn reserved(conn: &rusqlite::Connection) -> Result<(), SqlError> {
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_schema")
        .map_err(|e| from_sqlite(&e))?;
    let names = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .map_err(|e| from_sqlite(&e))?;
    for name in names {
        let name = name.map_err(|e| from_sqlite(&e))?;
        // (pgcat__enum, its label triggers and pgcat__matview are the server's;
        // sqlite_sequence SQLite's counters of serial keys.)
        if is_internal(&name)
            && !name.starts_with("sqlite_autoindex")
            && name != "sqlite_sequence"
            && !name.starts_with("pgcat__")
        {
            return Err(SqlError::new(
                "42939",
                format!("desired schema: the name \"{name}\" is reserved for pgtenant"),
            ));
        }
    }
    Ok(())
}

/// Loads a schema snapshot (SQLite DDL recorded by an earlier deployment).
pub fn from_snapshot(ddl: &str) -> Result<Schema, SqlError> {
    let conn = scratch()?;
    conn.execute_batch(ddl).map_err(|e| from_sqlite(&e))?;
    introspect(&conn)
}
