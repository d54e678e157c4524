//! An in-memory SQLite copy of a remote database's schema (no rows).
//!
//! It also decides where a statement runs (see [`SchemaMirror::runs_here`])
//! and applies the session role's guard before anything reaches the server.
//! Preparing a statement against it tells the proxy the result columns with
//! their declared types and the parameter count without a round trip, the
//! same way the local engine learns them. It is a local engine connection
//! (same SQL functions, same lazily created catalog views), so pg_catalog
//! and information_schema queries of a remote tenant run on it through the
//! local code path. It is reloaded from the remote `sqlite_schema` after DDL
//! (and after a rollback, which may undo DDL).

use std::collections::HashMap;

use rusqlite::Connection;

use crate::backend::sqlite::exec::{ColumnInfo, Conn, Described};
use crate::backend::sqlite::guard::{self, Role};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::pgtype::PgType;

/// The query that reads the remote schema, tables first so that indexes,
/// views and triggers find what they refer to, with the schema version on
/// every row (one row of NULLs and the version when the schema is empty):
/// one statement, so the two always agree.
pub const SCHEMA_SQL: &str = "SELECT s.type, s.name, s.sql, v.schema_version \
     FROM pragma_schema_version AS v LEFT JOIN (SELECT type, name, sql, rowid AS rid \
     FROM sqlite_schema WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\') AS s \
     ORDER BY CASE s.type WHEN 'table' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, s.rid";

/// The server's table of comments (`sql::catalog::COMMENT_TABLE`).
pub const COMMENTS: &str = "pgcat__comment";

/// Reads the server's comments, when [`COMMENTS`] is among its tables.
pub const COMMENTS_SQL: &str = "SELECT kind, obj, sub, description FROM main.pgcat__comment";

/// Route decisions kept per statement text (cleared on reload).
const ROUTE_CACHE: usize = 512;

pub struct SchemaMirror {
    /// One connection for the session's life: the session registers its
    /// settings and identity functions on it, so a reload happens in place.
    db: Conn,
    stale: bool,
    /// Statement text → whether it runs here (reads no remote table).
    routes: HashMap<String, bool>,
}

/// One `sqlite_schema` entry.
pub struct SchemaEntry {
    pub kind: String,
    pub name: String,
    pub sql: String,
}

impl SchemaMirror {
    /// An empty mirror whose statements are authorized as for `role`: a
    /// statement the guard refuses here never reaches the server.
    pub fn new(role: Role) -> Result<SchemaMirror, SqlError> {
        let sql = |e: rusqlite::Error| from_sqlite(&e);
        let mut db = fresh().map_err(sql)?;
        guard::install(&mut db).map_err(sql)?;
        guard::set_role(&mut db, role, false).map_err(sql)?;
        Ok(SchemaMirror {
            db: Conn::new(db),
            stale: true,
            routes: HashMap::new(),
        })
    }

    pub fn is_stale(&self) -> bool {
        self.stale
    }

    pub fn mark_stale(&mut self) {
        self.stale = true;
    }

    /// Replaces the mirrored schema, in place. Entries SQLite here cannot
    /// recreate (a virtual table of an extension the server has) are
    /// skipped, and so are virtual tables: their rows are behind the
    /// module, so statements on them must go to the server.
    pub fn load(&mut self, entries: &[SchemaEntry]) -> Result<(), SqlError> {
        guard::unguarded(self.db.sqlite_mut(), |c| {
            let old: Vec<(String, String)> = c
                .prepare(
                    "SELECT type, name FROM main.sqlite_schema WHERE type IN ('view', 'table') \
                     AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type = 'table'",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<Result<_, _>>()?;
            c.execute_batch("PRAGMA foreign_keys = OFF")?;
            for (kind, name) in old {
                let kind = if kind == "view" { "VIEW" } else { "TABLE" };
                c.execute_batch(&format!(
                    "DROP {kind} IF EXISTS main.\"{}\"",
                    name.replace('"', "\"\"")
                ))?;
            }
            for e in entries {
                // The comments are rows, which `load_comments` copies into
                // a TEMP table: a catalog query reading them then still
                // reads no table of the tenant's and runs here.
                if e.name.eq_ignore_ascii_case(COMMENTS) {
                    continue;
                }
                let virtual_table = e.kind == "table"
                    && e.sql
                        .get(..20)
                        .is_some_and(|h| h.eq_ignore_ascii_case("CREATE VIRTUAL TABLE"));
                if virtual_table {
                    continue;
                }
                if let Err(err) = c.execute_batch(&e.sql) {
                    tracing::debug!(kind = %e.kind, name = %e.name, %err, "schema entry not mirrored");
                }
            }
            Ok(())
        })
        .map_err(|e| from_sqlite(&e))?;
        self.db.sqlite().flush_prepared_statement_cache();
        self.routes.clear();
        self.stale = false;
        Ok(())
    }

    /// A mirror of the same schema (no comments) whose statements are
    /// authorized as for `role`, to change without touching this one (see
    /// [`super::schema_change`]).
    pub fn copy(&self, role: Role) -> Result<SchemaMirror, SqlError> {
        let entries: Vec<SchemaEntry> = self
            .db
            .sqlite()
            .prepare(
                "SELECT type, name, sql FROM main.sqlite_schema WHERE sql IS NOT NULL \
                 AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
                 ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'view' THEN 1 ELSE 2 END, rowid",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok(SchemaEntry {
                        kind: r.get(0)?,
                        name: r.get(1)?,
                        sql: r.get(2)?,
                    })
                })?
                .collect()
            })
            .map_err(|e| from_sqlite(&e))?;
        let mut copy = SchemaMirror::new(role)?;
        copy.load(&entries)?;
        Ok(copy)
    }

    /// Replaces the mirrored `COMMENT ON` texts (rows of the server's
    /// `pgcat__comment`: kind, obj, sub, description).
    pub fn load_comments(&mut self, rows: &[[String; 4]]) -> Result<(), SqlError> {
        guard::unguarded(self.db.sqlite_mut(), |c| {
            c.execute_batch(&crate::sql::catalog::COMMENT_TABLE.replace("main.", "temp."))?;
            c.execute("DELETE FROM temp.pgcat__comment", [])?;
            let mut insert = c.prepare(
                "INSERT OR REPLACE INTO temp.pgcat__comment (kind, obj, sub, description) \
                 VALUES (?1, ?2, ?3, ?4)",
            )?;
            for row in rows {
                insert.execute(rusqlite::params_from_iter(row.iter()))?;
            }
            Ok(())
        })
        .map_err(|e| from_sqlite(&e))
    }

    /// Whether `sql` runs here rather than on the server: it reads and
    /// writes no table of the tenant's database (catalog views, settings,
    /// `SELECT 1`, `SELECT version()`), so the mirror gives the same answer
    /// without a round trip. A statement the session's role may not run is
    /// refused here with the local engine's error.
    pub fn runs_here(&mut self, sql: &str) -> Result<bool, SqlError> {
        if let Some(&here) = self.routes.get(sql) {
            return Ok(here);
        }
        // Sequence functions read their table from inside the function,
        // where EXPLAIN does not see it; the mirror holds no rows.
        let here = match self.reads_no_table(sql) {
            Ok(_) if crate::sql::translate::uses_sequences(sql) => false,
            Ok(here) => here,
            Err(e) if is_denial(&e) => return Err(from_sqlite(&e)),
            Err(e) if super::super::sqlite::catalog_missing(&e) => {
                crate::backend::sqlite::catalog::install(self.db.sqlite())
                    .map_err(|e| from_sqlite(&e))?;
                match self.reads_no_table(sql) {
                    Err(e) if is_denial(&e) => return Err(from_sqlite(&e)),
                    r => r.unwrap_or(false),
                }
            }
            // The server may know what the mirror does not (a function).
            Err(_) => false,
        };
        if self.routes.len() >= ROUTE_CACHE {
            self.routes.clear();
        }
        self.routes.insert(sql.to_owned(), here);
        Ok(here)
    }

    /// Compiles `sql` and looks at the cursors its program opens: any on a
    /// table or index of the main database other than `sqlite_schema`
    /// (root page 1, which the mirror has too), or a schema change, means
    /// the tenant's data.
    fn reads_no_table(&self, sql: &str) -> rusqlite::Result<bool> {
        let mut stmt = self.db.sqlite().prepare(&format!("EXPLAIN {sql}"))?;
        // Parameters stay unbound: the program does not depend on them.
        let mut rows = stmt.raw_query();
        while let Some(r) = rows.next()? {
            let op = r.get_ref(1)?.as_str().unwrap_or("");
            let (p2, p3) = (r.get::<_, i64>(3)?, r.get::<_, i64>(4)?);
            let touches_main = match op {
                "OpenRead" | "OpenWrite" | "ReopenIdx" => p3 == 0 && p2 != 1,
                // Eponymous virtual tables (json_each, pragma_table_info)
                // are not the tenant's: VOpen does not count. A tenant's own
                // virtual tables are not mirrored, so they never compile here.
                "CreateBtree" | "ParseSchema" | "DropTable" | "DropIndex" | "DropTrigger"
                | "SqlExec" | "Vacuum" | "VCreate" | "VDestroy" => true,
                "Destroy" => p3 == 0,
                "Clear" => p2 == 0,
                _ => false,
            };
            if touches_main {
                return Ok(false);
            }
        }
        Ok(true)
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

    /// The declared scale of each numeric(p, s) result column, which prints
    /// with it (as in the local engine).
    pub fn numeric_scales(&self, sql: &str) -> Vec<Option<u16>> {
        match self.db.sqlite().prepare_cached(sql) {
            Ok(stmt) => stmt
                .columns()
                .map(|c| c.decl_type().and_then(PgType::numeric_scale))
                .collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Whether `sql` holds several statements (one PostgreSQL statement can
    /// become several SQLite ones: `DROP TABLE a, b`).
    pub fn is_multi_statement(&self, sql: &str) -> bool {
        match self.db.sqlite().prepare(sql) {
            Err(rusqlite::Error::MultipleStatement) => true,
            // rusqlite prepares the rest to tell: a later statement may use
            // what an earlier one creates (CREATE SEQUENCE's table and row).
            Err(_) => sql.contains("; "),
            Ok(_) => false,
        }
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

    /// The declared type name `pg_column_type(scopes, column)` gives for
    /// the remote schema (the translation asks it of columns whose type
    /// decides what an operator means).
    pub fn column_type(&self, scopes: &str, column: &str) -> Option<String> {
        self.db
            .sqlite()
            .prepare_cached("SELECT pg_column_type(?1, ?2)")
            .and_then(|mut s| s.query_row([scopes, column], |r| r.get(0)))
            .ok()
            .flatten()
    }

    /// The mirror as a local engine connection: catalog queries of the
    /// remote tenant run on it exactly as on a local tenant's connection.
    pub fn catalog(&self) -> &Conn {
        &self.db
    }

    /// The same, to change: a copy of the mirror that a schema edit runs on
    /// (see [`super::schema_change`]).
    pub fn catalog_mut(&mut self) -> &mut Conn {
        &mut self.db
    }
}

fn is_denial(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::AuthorizationForStatementDenied)
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
        let mut m = SchemaMirror::new(Role::Owner).unwrap();
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
        assert!(m.runs_here("SELECT 1 + 1").unwrap());
        assert!(m.runs_here("SELECT ?1 + 1").unwrap());
        assert!(!m.runs_here("SELECT name FROM t WHERE id = ?1").unwrap());
        assert!(!m.runs_here("SELECT name FROM t").unwrap());
        assert!(!m.runs_here("INSERT INTO t (id) VALUES (1)").unwrap());
        assert!(!m.runs_here("CREATE TABLE u (a int)").unwrap());
        assert!(m
            .runs_here("SELECT name FROM sqlite_schema WHERE type = 'table'")
            .unwrap());
        assert!(changes_schema("  create table x (a int)"));
        assert!(!changes_schema("SELECT 1"));
    }
}
