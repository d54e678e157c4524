//! `pg_column_default(table, column)`: a column's declared default,
//! evaluated now, for `DEFAULT` inside VALUES rows and SET lists (see
//! `translate::defaults`). `column` is a name, or a 0-based position when
//! the INSERT named no columns.

use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension};

use super::error;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    // `pg_decl(type, dflt_value)` of `pragma_table_info`: the declared type
    // to read a column as (a serial key's is in its default, see `serial_key`).
    conn.create_scalar_function("pg_decl", 2, super::pure(), |ctx| {
        let decl: Option<String> = ctx.get(0)?;
        let dflt: Option<String> = ctx.get(1)?;
        Ok(decl.map(|d| crate::sql::serial_key::decl(&d, dflt.as_deref()).to_owned()))
    })?;
    // Not deterministic: a default such as now() changes between calls.
    conn.create_scalar_function("pg_column_default", 2, FunctionFlags::SQLITE_UTF8, |ctx| {
        let table: String = ctx.get(0)?;
        // SAFETY: the connection outlives the call, and the nested queries
        // below only read the schema and evaluate a constant expression.
        let conn = unsafe { ctx.get_connection()? };
        let found = column_field(&conn, &table, ctx.get_raw(1), Field::Default)?;
        match found {
            None => Err(error(
                "42703",
                match ctx.get_raw(1) {
                    ValueRef::Text(c) => format!(
                        "column \"{}\" of relation \"{table}\" does not exist",
                        String::from_utf8_lossy(c)
                    ),
                    _ => format!("column of relation \"{table}\" does not exist"),
                },
            )),
            Some(None) => Ok(Value::Null),
            // SQLite checked the expression when the table was created:
            // constant, no columns, no subqueries.
            Some(Some(expr)) => conn.query_row(&format!("SELECT {expr}"), [], |r| r.get(0)),
        }
    })
}

/// A field of `pragma_table_info`.
#[derive(Clone, Copy)]
pub(super) enum Field {
    Type,
    Default,
}

/// The `field` of a column given by name or 0-based position (`column`):
/// `None` when there is no such column, `Some(None)` for a NULL field.
pub(super) fn column_field(
    conn: &Connection,
    table: &str,
    column: ValueRef<'_>,
    field: Field,
) -> rusqlite::Result<Option<Option<String>>> {
    let (by_position, by_name) = match field {
        Field::Type => (
            "SELECT pg_decl(type, dflt_value) FROM pragma_table_xinfo(?1) WHERE cid = ?2",
            "SELECT pg_decl(type, dflt_value) FROM pragma_table_xinfo(?1) WHERE name = ?2 COLLATE NOCASE",
        ),
        Field::Default => (
            "SELECT dflt_value FROM pragma_table_xinfo(?1) WHERE cid = ?2",
            "SELECT dflt_value FROM pragma_table_xinfo(?1) WHERE name = ?2 COLLATE NOCASE",
        ),
    };
    match column {
        ValueRef::Integer(cid) => conn
            .prepare_cached(by_position)?
            .query_row(rusqlite::params![table, cid], |r| r.get(0))
            .optional(),
        ValueRef::Text(name) => conn
            .prepare_cached(by_name)?
            .query_row(
                rusqlite::params![table, String::from_utf8_lossy(name)],
                |r| r.get(0),
            )
            .optional(),
        _ => Ok(None),
    }
}
