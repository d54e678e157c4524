//! pg_catalog and information_schema, built live from the tenant's SQLite
//! schema.
//!
//! Each catalog relation is a TEMP VIEW (`pgcat_<name>`, `pgcat_is_<name>` for
//! information_schema) over `sqlite_schema` and SQLite's read-only pragma
//! table functions, so it is never stale. The views are created lazily, on
//! the first statement of a connection that references one (the executor sees
//! "no such table: pgcat_..." and installs them), so connecting costs nothing.
//!
//! Every column has a PostgreSQL type here; the translator uses it for result
//! and parameter types (SQLite has no declared type for view expressions), and
//! the view wraps each value in a CAST so comparisons get the right affinity
//! (`attrelid = '16385'` compares as a number, as in PostgreSQL).

mod descriptions;
mod information_schema;
mod pg_class;
mod pg_type;
mod privileges;
mod statics;

use crate::sql::pgtype::{ArrayElem, PgType};
use std::collections::HashMap;
use std::sync::OnceLock;

pub use descriptions::{catalog_oid, CATALOG_OIDS};
pub use pg_type::{format_type, info_data_type, regtype_oid, type_collation, type_mod, TYPES};
pub use pg_type::{ENUM_LABEL_OID, ENUM_OID};

/// OID of the `public` namespace, as in PostgreSQL.
pub const PUBLIC_OID: i64 = 2200;
/// OIDs of tables and views: `sqlite_schema` rowid plus this.
pub const REL_OID_BASE: i64 = 16384;

/// Whether `name` is one of PostgreSQL's built-in types (as pg_type or
/// format_type names it), including those pgtenant's pg_type leaves out
/// and keeps as text.
pub fn is_built_in_type(name: &str) -> bool {
    TYPES.iter().any(|t| t.name == name || t.sql_name == name)
        || OTHER_BUILT_IN_TYPES.contains(&name)
}

/// Built-in types missing from [`TYPES`].
const OTHER_BUILT_IN_TYPES: &[&str] = &[
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    "macaddr8",
    "pg_lsn",
    "txid_snapshot",
    "pg_snapshot",
    "xid8",
    "refcursor",
    "aclitem",
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "int4multirange",
    "int8multirange",
    "nummultirange",
    "tsmultirange",
    "tstzmultirange",
    "datemultirange",
    "regoper",
    "regoperator",
    "regcollation",
    "regdictionary",
];

/// One catalog relation.
pub struct Relation {
    /// The view's name in SQLite (`pgcat_pg_class`).
    pub view: String,
    pub columns: Vec<(&'static str, PgType)>,
    /// Always empty (pg_inherits, pg_trigger, ...).
    pub empty: bool,
    body: String,
}

/// The prefix of every catalog view; tenant SQL may not use it.
pub const VIEW_PREFIX: &str = "pgcat_";

/// The tenant database's table of enum labels (hidden by VIEW_PREFIX).
pub const ENUM_TABLE: &str = "CREATE TABLE IF NOT EXISTS main.pgcat__enum (\
     type TEXT NOT NULL, label TEXT NOT NULL, sort REAL NOT NULL, PRIMARY KEY (type, label))";

/// The tenant database's table of `COMMENT ON` texts (hidden by
/// VIEW_PREFIX). Keyed by name, not OID: an OID is a `sqlite_schema` rowid,
/// which a table rebuild changes, while names change only through the
/// statements that carry the comments along (`translate::comments`).
/// `kind` is `rel` (table, view, sequence), `idx`, `col` (`sub` is the
/// column), `type` or `schema`; names compare as SQLite compares them.
pub const COMMENT_TABLE: &str = "CREATE TABLE IF NOT EXISTS main.pgcat__comment (\
     kind TEXT NOT NULL, obj TEXT NOT NULL COLLATE NOCASE, \
     sub TEXT NOT NULL DEFAULT '' COLLATE NOCASE, description TEXT NOT NULL, \
     PRIMARY KEY (kind, obj, sub))";

/// The view name of `schema.name` (schema `None`: unqualified, which
/// resolves to pg_catalog as PostgreSQL's search path does).
pub fn view_for(schema: Option<&str>, name: &str) -> Option<&'static str> {
    // Asked for every table a statement names: one hash lookup, by the
    // name the view's prefix is followed by.
    type ByName = HashMap<&'static str, &'static str>;
    static NAMES: OnceLock<(ByName, ByName)> = OnceLock::new();
    let (catalog, information_schema) = NAMES.get_or_init(|| {
        let (mut catalog, mut information_schema) = (ByName::new(), ByName::new());
        for view in relations().iter().map(|r| r.view.as_str()) {
            if view.starts_with("pgcat__") {
                continue;
            }
            if let Some(name) = view.strip_prefix("pgcat_") {
                catalog.entry(name).or_insert(view);
            }
            if let Some(name) = view.strip_prefix("pgcat_is_") {
                information_schema.entry(name).or_insert(view);
            }
        }
        (catalog, information_schema)
    });
    match schema {
        None | Some("pg_catalog") => catalog.get(name).copied(),
        Some("information_schema") => information_schema.get(name).copied(),
        Some(_) => None,
    }
}

/// The relation behind a view name.
pub fn relation(view: &str) -> Option<&'static Relation> {
    // Asked for every table a statement reads, catalog or not: a hash
    // lookup rather than a scan of some two hundred names.
    static BY_VIEW: OnceLock<HashMap<&'static str, &'static Relation>> = OnceLock::new();
    BY_VIEW
        .get_or_init(|| {
            let mut map = HashMap::new();
            for r in relations() {
                map.entry(r.view.as_str()).or_insert(r);
            }
            map
        })
        .get(view)
        .copied()
}

/// The PostgreSQL type of a catalog view column.
pub fn column_type(view: &str, column: &str) -> Option<PgType> {
    relation(view)?
        .columns
        .iter()
        .find(|(c, _)| *c == column)
        .map(|(_, t)| *t)
}

/// All relations, internal helpers first (views are created in this order).
pub fn relations() -> &'static [Relation] {
    static ALL: OnceLock<Vec<Relation>> = OnceLock::new();
    ALL.get_or_init(|| {
        let mut all = Vec::new();
        privileges::add(&mut all);
        pg_class::add(&mut all);
        pg_type::add(&mut all);
        statics::add(&mut all);
        descriptions::add(&mut all);
        information_schema::add(&mut all);
        all
    })
}

/// The SQL creating every catalog view (idempotent).
pub fn install_sql() -> &'static str {
    static SQL: OnceLock<String> = OnceLock::new();
    SQL.get_or_init(|| {
        relations()
            .iter()
            .map(|r| {
                format!(
                    "CREATE TEMP VIEW IF NOT EXISTS {} AS {};\n",
                    r.view,
                    r.select()
                )
            })
            .collect()
    })
}

/// Whether an SQLite error message means the catalog views are not installed.
pub fn is_missing_catalog(message: &str) -> bool {
    message.contains("no such table: pgcat_") || message.contains("no such table: temp.pgcat_")
}

impl Relation {
    /// The view body: every column cast to its storage class, so affinity
    /// and values match the PostgreSQL type.
    fn select(&self) -> String {
        let cols: Vec<String> = self
            .columns
            .iter()
            .map(|(name, t)| format!("CAST(\"{name}\" AS {}) AS \"{name}\"", storage(*t)))
            .collect();
        if self.empty {
            let nulls: Vec<String> = self
                .columns
                .iter()
                .map(|(name, _)| format!("NULL AS \"{name}\""))
                .collect();
            return format!(
                "SELECT {} FROM (SELECT {}) WHERE 0",
                cols.join(", "),
                nulls.join(", ")
            );
        }
        format!("SELECT {} FROM ({})", cols.join(", "), self.body)
    }
}

fn storage(t: PgType) -> &'static str {
    match t {
        PgType::Bool | PgType::Int2 | PgType::Int4 | PgType::Int8 | PgType::Oid => "INTEGER",
        PgType::Float4 | PgType::Float8 => "REAL",
        _ => "TEXT",
    }
}

/// Parses `"oid:oid relname:name ..."` into typed columns.
fn columns(spec: &'static str) -> Vec<(&'static str, PgType)> {
    spec.split_whitespace()
        .map(|c| {
            let (name, ty) = c.split_once(':').unwrap_or((c, "text"));
            let t = match ty {
                "char" => PgType::Char,
                "text[]" => PgType::Array(ArrayElem::Text),
                "int2[]" | "int2vector" | "oid[]" | "oidvector" => PgType::Array(ArrayElem::Int2),
                other => PgType::from_decl(other),
            };
            (name, t)
        })
        .collect()
}

/// A relation with rows from `body` (a SELECT naming every column).
fn rel(all: &mut Vec<Relation>, view: &str, spec: &'static str, body: &str) {
    let mut columns = columns(spec);
    let body = match table_oid(view, &mut columns) {
        Some(oid) => format!("SELECT *, {oid} AS tableoid FROM ({body})"),
        None => body.to_string(),
    };
    all.push(Relation {
        view: view.to_string(),
        columns,
        empty: false,
        body,
    });
}

/// A relation that never has rows.
fn empty(all: &mut Vec<Relation>, view: &str, spec: &'static str) {
    let mut columns = columns(spec);
    table_oid(view, &mut columns);
    all.push(Relation {
        view: view.to_string(),
        columns,
        empty: true,
        body: String::new(),
    });
}

/// A system catalog's rows carry the catalog's OID as the system column
/// `tableoid` (pg_dump reads it of every catalog): added to the columns of
/// a pg_catalog relation PostgreSQL numbers; its OID.
fn table_oid(view: &str, columns: &mut Vec<(&'static str, PgType)>) -> Option<i64> {
    let oid = catalog_oid(view.strip_prefix("pgcat_")?)?;
    columns.push(("tableoid", PgType::Oid));
    Some(oid)
}

#[cfg(test)]
mod tests;
