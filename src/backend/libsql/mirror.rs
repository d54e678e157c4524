//! An in-memory SQLite copy of a remote database's schema (no rows).
//!
//! Preparing a statement against it tells the proxy the result columns with
//! their declared types and the parameter count without a round trip, the
//! same way the local engine learns them; the catalog views can be answered
//! from it the same way too. It is reloaded from the remote `sqlite_schema`
//! after DDL (and after a rollback, which may undo DDL).

use rusqlite::Connection;

use crate::backend::sqlite::exec::{ColumnInfo, Described};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::pgtype::PgType;

/// The query that reads the remote schema, tables first so that indexes,
/// views and triggers find what they refer to.
pub const SCHEMA_SQL: &str = "SELECT type, name, sql FROM sqlite_schema \
     WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, rowid";

pub struct SchemaMirror {
    db: Connection,
    stale: bool,
}

/// One `sqlite_schema` entry.
pub struct SchemaEntry {
    pub kind: String,
    pub name: String,
    pub sql: String,
}

impl SchemaMirror {
    pub fn new() -> Result<SchemaMirror, SqlError> {
        let db = Connection::open_in_memory().map_err(|e| from_sqlite(&e))?;
        Ok(SchemaMirror { db, stale: true })
    }

    pub fn is_stale(&self) -> bool {
        self.stale
    }

    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    /// Replaces the mirrored schema. Entries SQLite here cannot recreate
    /// (a virtual table of an extension the server has) are skipped: the
    /// statements touching them then describe as unknown.
    pub fn load(&mut self, entries: &[SchemaEntry]) -> Result<(), SqlError> {
        let db = Connection::open_in_memory().map_err(|e| from_sqlite(&e))?;
        for e in entries {
            if let Err(err) = db.execute_batch(&e.sql) {
                tracing::debug!(kind = %e.kind, name = %e.name, %err, "schema entry not mirrored");
            }
        }
        self.db = db;
        self.stale = false;
        Ok(())
    }

    /// Columns and parameter count of `sql`; `None` when the mirror cannot
    /// prepare it (the server may still run it).
    pub fn describe(&self, sql: &str) -> Option<Described> {
        let stmt = self.db.prepare_cached(sql).ok()?;
        let columns = stmt
            .columns()
            .map(|c| ColumnInfo {
                name: c.name().to_owned(),
                decl: c.decl_type().map(PgType::from_decl),
            })
            .collect();
        Some(Described {
            columns,
            param_count: stmt.parameter_count(),
        })
    }

    /// Whether `sql` holds several statements (one PostgreSQL statement can
    /// become several SQLite ones: `DROP TABLE a, b`).
    pub fn is_multi_statement(&self, sql: &str) -> bool {
        matches!(
            self.db.prepare(sql),
            Err(rusqlite::Error::MultipleStatement)
        )
    }

    /// The mirror's connection, for catalog queries.
    pub fn sqlite(&self) -> &Connection {
        &self.db
    }
}

/// Whether a statement may change the schema.
pub fn changes_schema(sql: &str) -> bool {
    let word = sql
        .trim_start()
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    ["CREATE", "DROP", "ALTER", "ROLLBACK"]
        .iter()
        .any(|w| word.eq_ignore_ascii_case(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_from_loaded_schema() {
        let mut m = SchemaMirror::new().unwrap();
        m.load(&[SchemaEntry {
            kind: "table".into(),
            name: "t".into(),
            sql: "CREATE TABLE t (id int8, name text, score float8)".into(),
        }])
        .unwrap();
        let d = m
            .describe("SELECT name, score FROM t WHERE id = ?1")
            .unwrap();
        assert_eq!(d.param_count, 1);
        assert_eq!(d.columns[0].decl, Some(PgType::from_decl("text")));
        assert_eq!(d.columns[1].decl, Some(PgType::from_decl("float8")));
        assert!(m.describe("SELECT * FROM missing").is_none());
        assert!(changes_schema("  create table x (a int)"));
        assert!(!changes_schema("SELECT 1"));
    }
}
