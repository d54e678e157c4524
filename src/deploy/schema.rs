//! The schema model both sides of a diff are read into: the live tenant
//! database and the desired schema (loaded into a scratch database first),
//! through the same introspection, so equal means equal to SQLite.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::canonical::canonical;
use super::tenant_db::{int, text, Db};
use crate::sql::errors::{from_sqlite, SqlError};

/// Names the server keeps for itself; deployments neither see nor touch them.
pub fn is_internal(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n.starts_with("sqlite_")
        || n.starts_with("_pgtenant")
        || n.starts_with("pgtenant_")
        || n.starts_with(crate::sql::catalog::VIEW_PREFIX)
}

/// One column, as `pragma table_xinfo` reports it. `decl` is the declared
/// type, which keeps the PostgreSQL type name (`int4`, `varchar(20)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub decl: String,
    pub not_null: bool,
    pub default: Option<String>,
    pub pk: u32,
    /// Generated columns cannot be written by the copy of a rebuild.
    pub generated: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: String,
    pub sql: String,
    pub canonical: String,
    pub columns: Vec<Column>,
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns
            .iter()
            .find(|c| c.name.eq_ignore_ascii_case(name))
    }
}

/// An index, view or trigger: its stored SQL and the table it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Object {
    pub name: String,
    /// Lower-case name of the table (for a view: the view itself).
    pub table: String,
    pub sql: String,
    pub canonical: String,
}

/// A database schema keyed by lower-case name (SQLite names ignore case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    pub tables: BTreeMap<String, Table>,
    pub indexes: BTreeMap<String, Object>,
    pub views: BTreeMap<String, Object>,
    /// Kept across table rebuilds; not part of the desired schema.
    pub triggers: BTreeMap<String, Object>,
}

pub fn key(name: &str) -> String {
    name.to_ascii_lowercase()
}

fn err(e: rusqlite::Error) -> SqlError {
    from_sqlite(&e)
}

/// Reads the schema of `main`, leaving out the server's own objects and
/// SQLite's automatic indexes: on a local file, a scratch database or a
/// remote libSQL database alike.
pub fn introspect(db: &dyn Db) -> Result<Schema, SqlError> {
    let mut schema = Schema::default();
    let rows = db.query(
        "SELECT type, name, tbl_name, sql FROM main.sqlite_schema
         WHERE sql IS NOT NULL ORDER BY rowid",
        &[],
    )?;
    for row in rows {
        let t = |i| text(&row, i).unwrap_or_default();
        let (kind, name, table, sql) = (t(0), t(1), t(2), t(3));
        if is_internal(&name) || is_internal(&table) {
            continue;
        }
        let object = Object {
            name: name.clone(),
            table: key(&table),
            canonical: canonical(&sql),
            sql,
        };
        match kind.as_str() {
            "table" => {
                let columns = columns(db, &name)?;
                schema.tables.insert(
                    key(&name),
                    Table {
                        name,
                        sql: object.sql,
                        canonical: object.canonical,
                        columns,
                    },
                );
            }
            "index" => {
                schema.indexes.insert(key(&name), object);
            }
            "view" => {
                schema.views.insert(key(&name), object);
            }
            "trigger" => {
                schema.triggers.insert(key(&name), object);
            }
            _ => {}
        }
    }
    Ok(schema)
}

/// Columns of one table, in order.
pub fn columns(db: &dyn Db, table: &str) -> Result<Vec<Column>, SqlError> {
    let rows = db.query(
        "SELECT name, type, \"notnull\", dflt_value, pk, hidden
         FROM pragma_table_xinfo(?1, 'main')",
        &[table],
    )?;
    Ok(rows
        .iter()
        .map(|r| Column {
            name: text(r, 0).unwrap_or_default(),
            decl: text(r, 1).unwrap_or_default().to_ascii_lowercase(),
            not_null: int(r, 2) != 0,
            default: text(r, 3).map(current_default),
            pk: int(r, 4) as u32,
            generated: int(r, 5) != 0,
        })
        .collect())
}

/// A default as the translator writes it today: now() was SQLite's
/// millisecond clock before `pg_now()`, and such a table is not a change.
fn current_default(d: String) -> String {
    if d == "(strftime('%Y-%m-%d %H:%M:%f', 'now'))" {
        "(pg_now())".into()
    } else {
        d
    }
}

impl Schema {
    /// The DDL that recreates this schema, in dependency-safe order
    /// (tables, indexes, views, triggers): a deployment's snapshot.
    pub fn ddl(&self) -> String {
        let mut out = String::new();
        let all = self
            .tables
            .values()
            .map(|t| t.sql.as_str())
            .chain(self.indexes.values().map(|o| o.sql.as_str()))
            .chain(self.views.values().map(|o| o.sql.as_str()))
            .chain(self.triggers.values().map(|o| o.sql.as_str()));
        for sql in all {
            out.push_str(sql);
            out.push_str(";\n");
        }
        out
    }

    /// Whether two schemas hold the same tables, indexes and views
    /// (triggers are not managed by deployments); the first difference otherwise.
    pub fn difference(&self, other: &Schema) -> Option<String> {
        fn first<'a, V>(
            kind: &str,
            a: &'a BTreeMap<String, V>,
            b: &'a BTreeMap<String, V>,
            text: impl Fn(&V) -> &str,
        ) -> Option<String> {
            for (k, v) in a {
                match b.get(k) {
                    None => return Some(format!("{kind} {k} is extra")),
                    Some(w) if text(v) != text(w) => {
                        return Some(format!("{kind} {k}: {} <> {}", text(v), text(w)))
                    }
                    _ => {}
                }
            }
            b.keys()
                .find(|k| !a.contains_key(*k))
                .map(|k| format!("{kind} {k} is missing"))
        }
        first("table", &self.tables, &other.tables, |t| &t.canonical)
            .or_else(|| first("index", &self.indexes, &other.indexes, |o| &o.canonical))
            .or_else(|| first("view", &self.views, &other.views, |o| &o.canonical))
    }
}

/// An in-memory database with the server's SQL functions, for loading a
/// desired schema or simulating a plan.
pub fn scratch() -> Result<Connection, SqlError> {
    let conn = Connection::open_in_memory().map_err(err)?;
    crate::backend::sqlite::functions::register(&conn).map_err(err)?;
    crate::backend::sqlite::pgfuncs::register(&conn).map_err(err)?;
    // Column types are checked against the enum types (none here).
    conn.execute_batch(crate::sql::catalog::ENUM_TABLE)
        .map_err(err)?;
    crate::backend::sqlite::enum_order::install(&conn).map_err(err)?;
    Ok(conn)
}

/// Loads a schema snapshot into a connection.
pub fn load(conn: &Connection, schema: &Schema) -> Result<(), SqlError> {
    conn.execute_batch(&schema.ddl()).map_err(err)
}
