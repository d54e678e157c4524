//! `pg_column_type(scopes, column)`: the declared type name of the column
//! an expression names, for arithmetic whose meaning depends on it (see
//! `translate::column_dates`). `scopes` lists candidate tables, innermost
//! query level first: `t1,t2;outer`; a `?` is a derived table at that
//! level, whose columns are unknown, so the search ends there; `=type` is
//! a WITH query's column of a type the translation knew. NULL when
//! no table has the column. Its arguments are constant, so SQLite
//! evaluates it once per run; declarations come from the connection's
//! [`DeclCache`], which the executor checks against the schema version.

use std::sync::Arc;

use rusqlite::{Connection, OptionalExtension};

use super::column_input::{Column, DeclCache};
use super::pure;

pub(super) fn register(conn: &Connection, cache: Arc<DeclCache>) -> rusqlite::Result<()> {
    let types = cache.clone();
    conn.create_scalar_function("pg_column_type", 2, pure(), move |ctx| {
        let scopes: String = ctx.get(0)?;
        let column: String = ctx.get(1)?;
        // SAFETY: the lookup only reads the schema during the call.
        let conn = unsafe { ctx.get_connection()? };
        Ok(resolve(&types, &conn, &scopes, &column)?.map(|c| c.ty.name()))
    })?;
    // The declaration as written: an enum column's is its type's name
    // (`enum_range(prio)`, see `translate::enum_functions`).
    conn.create_scalar_function("pg_column_decl", 2, pure(), |ctx| {
        let scopes: String = ctx.get(0)?;
        let column: String = ctx.get(1)?;
        // SAFETY: the lookup only reads the schema during the call.
        let conn = unsafe { ctx.get_connection()? };
        search(&scopes, |table| {
            if let Some(ty) = table.strip_prefix('=') {
                return Ok(Some(ty.to_owned()));
            }
            conn.query_row(
                "SELECT type FROM pragma_table_xinfo(?1) WHERE name = ?2 COLLATE NOCASE",
                [table, column.as_str()],
                |r| r.get::<_, String>(0),
            )
            .optional()
        })
    })?;
    super::column_text::register(conn, cache)
}

/// The declaration of the column `scopes` and `column` name (see above).
pub(super) fn resolve(
    cache: &DeclCache,
    conn: &Connection,
    scopes: &str,
    column: &str,
) -> rusqlite::Result<Option<Column>> {
    search(scopes, |table| {
        if let Some(ty) = table.strip_prefix('=') {
            return Ok(Some(Column::of(ty)));
        }
        match catalog_column(table, column) {
            Some(ty) => Ok(Some(Column::of(ty.name()))),
            None => cache.column_of(conn, table, column),
        }
    })
}

/// The first table of `scopes` (innermost level first, see above) that
/// `find` finds the column in.
fn search<T>(
    scopes: &str,
    mut find: impl FnMut(&str) -> rusqlite::Result<Option<T>>,
) -> rusqlite::Result<Option<T>> {
    for level in scopes.split(';') {
        let mut unknown = false;
        for table in level.split(',').filter(|t| !t.is_empty()) {
            if table == "?" {
                unknown = true;
            } else if let Some(found) = find(table)? {
                return Ok(Some(found));
            }
        }
        if unknown {
            break;
        }
    }
    Ok(None)
}

/// A pg_catalog or information_schema view's column: its type is declared
/// with the view, not in the tenant's schema (`d.indisprimary = 'f'`).
fn catalog_column(table: &str, column: &str) -> Option<crate::sql::pgtype::PgType> {
    use crate::sql::catalog;
    // The translation names the view itself (`pgcat_pg_index`).
    if !table.starts_with(catalog::VIEW_PREFIX) {
        return None;
    }
    catalog::column_type(table, column)
}
