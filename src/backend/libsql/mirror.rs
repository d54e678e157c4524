//! An in-memory SQLite copy of a remote database's schema (no rows).
//!
//! Preparing a statement against it tells the proxy the result columns with
//! their declared types and the parameter count without a round trip, the
//! same way the local engine learns them. It is a local engine connection
//! (same SQL functions, same lazily created catalog views), so pg_catalog
//! and information_schema queries of a remote tenant run on it through the
//! local code path. It is reloaded from the remote `sqlite_schema` after DDL
//! (and after a rollback, which may undo DDL).

use rusqlite::Connection;

use crate::backend::sqlite::exec::{ColumnInfo, Conn, Described};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::pgtype::PgType;

/// The query that reads the remote schema, tables first so that indexes,
/// views and triggers find what they refer to.
pub const SCHEMA_SQL: &str = "SELECT type, name, sql FROM sqlite_schema \
     WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
     ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, rowid";

pub struct SchemaMirror {
    db: Conn,
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
        Ok(SchemaMirror {
            db: Conn::new(fresh().map_err(|e| from_sqlite(&e))?),
            stale: true,
        })
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
        let db = fresh().map_err(|e| from_sqlite(&e))?;
        for e in entries {
            if let Err(err) = db.execute_batch(&e.sql) {
                tracing::debug!(kind = %e.kind, name = %e.name, %err, "schema entry not mirrored");
            }
        }
        self.db = Conn::new(db);
        self.stale = false;
        Ok(())
    }

    /// Columns and parameter count of `sql`; `None` when the mirror cannot
    /// prepare it (the server may still run it).
    pub fn describe(&self, sql: &str) -> Option<Described> {
        let stmt = self.db.sqlite().prepare_cached(sql).ok()?;
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
            self.db.sqlite().prepare(sql),
            Err(rusqlite::Error::MultipleStatement)
        )
    }

    /// Whether the local engine defines SQL function `name` (translations
    /// call some of pgtenant's own functions, which a libSQL server lacks).
    pub fn has_function(&self, name: &str) -> bool {
        if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return false;
        }
        match self.db.sqlite().prepare(&format!("SELECT {name}()")) {
            Ok(_) => true,
            Err(e) => !e.to_string().contains("no such function"),
        }
    }

    /// The mirror as a local engine connection: catalog queries of the
    /// remote tenant run on it exactly as on a local tenant's connection.
    pub fn catalog(&self) -> &Conn {
        &self.db
    }
}

/// An empty in-memory database with the local engine's SQL functions.
fn fresh() -> rusqlite::Result<Connection> {
    use crate::backend::sqlite::{catalog, functions, pgfuncs};
    let db = Connection::open_in_memory()?;
    functions::register(&db)?;
    pgfuncs::register(&db)?;
    catalog::register(&db)?;
    Ok(db)
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
