//! The PostgreSQL types of a table's or view's columns: declared for a
//! table's, worked out from the view's kept PostgreSQL query
//! (`sql::view_source`) for a view's computed ones (`sum(total)`,
//! `price * 2`), which SQLite declares no type for. The executor types
//! result columns with them; the catalog (pg_attribute, `\d`,
//! information_schema.columns) shows them through `pg_view_column_decl`.

use rusqlite::Connection;

use crate::sql::pgtype::PgType;
use crate::sql::translate::{Retype, TableColumn, TableColumns};

/// A relation's columns, `depth` views deep; `routines`: whether the
/// tenant has functions of its own (their result types are read then).
pub fn relation_columns(
    db: &Connection,
    routines: bool,
    table: &str,
    depth: usize,
) -> Option<TableColumns> {
    let mut stmt = db
        // xinfo: generated columns too (hidden 2, 3), which `*` reads.
        .prepare_cached(
            "SELECT name, pg_decl(type, dflt_value) FROM pragma_table_xinfo(?1) \
             WHERE hidden IN (0, 2, 3) ORDER BY cid",
        )
        .ok()?;
    let declared: Vec<(String, String)> = stmt
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .ok()?
        .filter_map(Result::ok)
        .collect();
    let mut cols: TableColumns = declared
        .iter()
        .map(|(name, decl)| TableColumn::from_decl(name.clone(), decl))
        .collect();
    // A view's computed columns have no declaration: typed from its query.
    if declared.iter().any(|(_, decl)| decl.trim().is_empty()) {
        if let Some(typed) = view_types(db, routines, table, depth) {
            for ((col, (_, decl)), (ty, scale)) in cols.iter_mut().zip(&declared).zip(typed) {
                if decl.trim().is_empty() {
                    if let Some(ty) = ty {
                        col.ty = ty;
                        col.scale = scale;
                    }
                }
            }
        }
    }
    if cols.is_empty() && super::pgfuncs::sequences::is_serial_sequence(db, table) {
        // A serial key's sequence, read as a relation (see `serial_sequence`).
        return Some(
            [
                ("last_value", "bigint"),
                ("log_cnt", "bigint"),
                ("is_called", "boolean"),
            ]
            .into_iter()
            .map(|(n, t)| TableColumn::from_decl(n.to_owned(), t))
            .collect(),
        );
    }
    (!cols.is_empty()).then_some(cols)
}

/// The types and numeric scales of a view's columns, from the PostgreSQL
/// query its definition keeps and the columns of what it reads (views
/// inside views, a few levels deep).
fn view_types(
    db: &Connection,
    routines: bool,
    view: &str,
    depth: usize,
) -> Option<Vec<(Option<PgType>, Option<u16>)>> {
    const DEEPEST: usize = 4;
    if depth >= DEEPEST {
        return None;
    }
    let sql: String = db
        .prepare_cached(
            "SELECT sql FROM main.sqlite_schema WHERE type = 'view' AND name = ?1 COLLATE NOCASE",
        )
        .ok()?
        .query_row([view], |r| r.get(0))
        .ok()?;
    let source = crate::sql::view_source::read(&sql)?;
    let retype = crate::sql::stack::with_room_for_text(&source, || {
        let mut parsed = sqlparser::parser::Parser::parse_sql(
            &sqlparser::dialect::PostgreSqlDialect {},
            &source,
        )
        .ok()?;
        let query = parsed.pop().filter(|_| parsed.is_empty())?;
        Some(Retype::for_view(query))
    })?;
    let schema = retype
        .tables()
        .into_iter()
        .filter(|t| !t.eq_ignore_ascii_case(view))
        .filter_map(|t| Some((t.clone(), relation_columns(db, routines, &t, depth + 1)?)))
        .collect();
    let typed = retype.types(schema, function_types(db, routines, &retype));
    Some(
        typed
            .types
            .iter()
            .enumerate()
            .map(|(i, ty)| (*ty, typed.scales.get(i).copied().flatten()))
            .collect(),
    )
}

/// The result types of the tenant's functions a statement calls.
pub fn function_types(db: &Connection, routines: bool, retype: &Retype) -> Vec<(String, PgType)> {
    if !routines {
        return Vec::new();
    }
    retype
        .functions()
        .into_iter()
        .filter_map(|f| Some((f.clone(), super::routines::result_type(db, &f)?)))
        .collect()
}

/// `pg_view_column_decl(view, cid)`: the type name of a view's computed
/// column (`numeric`, `int8`, `_text`), for the catalog's `decl`; NULL
/// when its query does not say.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_view_column_decl", 2, super::catalog::session(), |ctx| {
        let (view, cid): (String, i64) = (ctx.get(0)?, ctx.get(1)?);
        // SAFETY: the connection outlives the call; the queries only read.
        let conn = unsafe { ctx.get_connection()? };
        let Some(types) = view_types(&conn, true, &view, 0) else {
            return Ok(None);
        };
        Ok(usize::try_from(cid)
            .ok()
            .and_then(|i| types.get(i).and_then(|(t, _)| *t))
            .map(|t| t.name()))
    })
}
