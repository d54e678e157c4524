//! The SQLite statements of `CREATE TABLE t (LIKE source ...)` (see
//! `translate::create_like`), from the source's stored definition: each
//! column with its declared type and NOT NULL; its default with DEFAULTS
//! (SQLite expression text, pasted as is); the CHECK constraints with
//! CONSTRAINTS; the primary key, unique constraints and plain indexes with
//! INDEXES, named for the new table as PostgreSQL names them. A serial key
//! (SQLite's rowid alias) keeps its numbering with DEFAULTS, which makes it
//! the new table's key too. Partial and expression indexes are not copied.

use rusqlite::{Connection, OptionalExtension};

use super::super::catalog::name_taken;
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::pgtype::PgType;
use crate::sql::quote_ident;
use crate::sql::serial_key::{self, ROWID_DECL};
use crate::sql::table_constraints::{constraints, Kind, PRIMARY_KEY_INDEX, UNIQUE_INDEX};
use crate::sql::translate::Like;

/// The comments that mark a unique index as a constraint, kept on the copy.
const MARKERS: [&str; 2] = [UNIQUE_INDEX, PRIMARY_KEY_INDEX];

struct Column {
    name: String,
    decl: String,
    not_null: bool,
    default: Option<String>,
    pk: i64,
}

/// The CREATE TABLE and CREATE INDEX statements, in order.
pub(super) fn statements(
    db: &Connection,
    schema: &str,
    table: &str,
    like: &Like,
) -> Result<Vec<String>, SqlError> {
    let sql = |e: rusqlite::Error| from_sqlite(&e);
    let source = &like.source;
    let definition: Option<(String, String)> = db
        .prepare_cached(
            "SELECT name, coalesce(sql, '') FROM main.sqlite_schema \
             WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE",
        )
        .and_then(|mut s| {
            s.query_row([source], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()
        })
        .map_err(sql)?;
    let Some((source, source_sql)) = definition else {
        return Err(SqlError::new(
            "42P01",
            format!("relation \"{source}\" does not exist"),
        ));
    };
    let columns: Vec<Column> = db
        .prepare_cached(
            "SELECT name, type, \"notnull\", dflt_value, pk FROM pragma_table_info(?1) ORDER BY cid",
        )
        .and_then(|mut s| {
            s.query_map([&source], |r| {
                Ok(Column {
                    name: r.get(0)?,
                    decl: r.get(1)?,
                    not_null: r.get(2)?,
                    default: r.get(3)?,
                    pk: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()
        })
        .map_err(sql)?;
    let mut keys: Vec<&Column> = columns.iter().filter(|c| c.pk > 0).collect();
    keys.sort_by_key(|c| c.pk);
    let rowid_key = match keys.as_slice() {
        [k] if super::key_types::is_rowid_decl(Some(&k.decl)) => Some(k.name.as_str()),
        _ => None,
    };

    let mut items = Vec::new();
    let mut key_declared = false;
    for c in &columns {
        let name = quote_ident(&c.name);
        if rowid_key == Some(c.name.as_str()) {
            if like.defaults {
                // Numbered by SQLite as the source's key is; its DEFAULT
                // records the key's real type.
                let marker = c.default.as_deref().map(|d| format!(" DEFAULT ({d})"));
                items.push(format!(
                    "{name} {ROWID_DECL} PRIMARY KEY{}",
                    marker.unwrap_or_default()
                ));
                key_declared = true;
            } else {
                let real = serial_key::decl(&c.decl, c.default.as_deref());
                items.push(format!(
                    "{name} {} NOT NULL",
                    PgType::from_decl(real).name()
                ));
            }
            continue;
        }
        let mut item = format!("{name} {}", c.decl);
        if c.not_null || c.pk > 0 {
            item.push_str(" NOT NULL");
        }
        if let (true, Some(d)) = (like.defaults, &c.default) {
            item.push_str(&format!(" DEFAULT ({d})"));
        }
        items.push(item);
    }
    let table_constraints = constraints(&source, &source_sql);
    if like.constraints {
        for c in table_constraints.iter().filter(|c| c.kind == Kind::Check) {
            items.push(format!(
                "CONSTRAINT {} {}",
                quote_ident(&c.name),
                c.definition
            ));
        }
    }
    let mut indexes = Vec::new();
    if like.indexes {
        if !keys.is_empty() && !key_declared {
            let cols: Vec<String> = keys.iter().map(|k| quote_ident(&k.name)).collect();
            items.push(format!("PRIMARY KEY ({})", cols.join(", ")));
        }
        for c in table_constraints.iter().filter(|c| c.kind == Kind::Unique) {
            let cols: Vec<String> = c.columns.iter().map(|n| quote_ident(n)).collect();
            items.push(format!("UNIQUE ({})", cols.join(", ")));
        }
        indexes = copied_indexes(db, schema, &source, table)?;
    }
    let mut out = vec![format!(
        "CREATE TABLE {schema}.{} ({})",
        quote_ident(table),
        items.join(", ")
    )];
    out.extend(indexes);
    Ok(out)
}

/// `CREATE [UNIQUE] INDEX` for each index made by CREATE INDEX (or by
/// `ALTER TABLE ... ADD UNIQUE`) on plain columns, named
/// `<table>_<columns>_idx` (`_key` for a constraint's), numbered when taken.
fn copied_indexes(
    db: &Connection,
    schema: &str,
    source: &str,
    table: &str,
) -> Result<Vec<String>, SqlError> {
    let sql = |e: rusqlite::Error| from_sqlite(&e);
    let listed: Vec<(String, bool, String)> = db
        .prepare(
            "SELECT il.name, il.\"unique\", coalesce(s.sql, '') FROM pragma_index_list(?1) il \
             JOIN main.sqlite_schema s ON s.type = 'index' AND s.name = il.name \
             WHERE il.origin = 'c' AND il.partial = 0 ORDER BY s.rowid",
        )
        .and_then(|mut s| {
            s.query_map([source], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(sql)?;
    let mut out = Vec::new();
    let mut taken: Vec<String> = Vec::new();
    for (index, unique, index_sql) in listed {
        let columns: Vec<Option<String>> = db
            .prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
            .and_then(|mut s| {
                s.query_map([&index], |r| r.get(0))?
                    .collect::<rusqlite::Result<_>>()
            })
            .map_err(sql)?;
        // An expression's column has no name.
        let Some(columns) = columns.into_iter().collect::<Option<Vec<String>>>() else {
            continue;
        };
        let marker = MARKERS.iter().find(|m| index_sql.ends_with(**m));
        let suffix = if marker.is_some() { "key" } else { "idx" };
        let base = format!("{table}_{}_{suffix}", columns.join("_"));
        let mut name = base.clone();
        let mut n = 0;
        while taken.contains(&name) || name_taken(db, schema, &name).map_err(sql)? {
            n += 1;
            name = format!("{base}{n}");
        }
        taken.push(name.clone());
        let cols: Vec<String> = columns.iter().map(|c| quote_ident(c)).collect();
        out.push(format!(
            "CREATE {}INDEX {schema}.{} ON {} ({}){}",
            if unique { "UNIQUE " } else { "" },
            quote_ident(&name),
            quote_ident(table),
            cols.join(", "),
            marker.map(|m| format!(" {m}")).unwrap_or_default()
        ));
    }
    Ok(out)
}
