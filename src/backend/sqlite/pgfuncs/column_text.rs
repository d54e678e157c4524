//! `pg_column_text(x, scopes, column, cast)`: a column's value as text the
//! way PostgreSQL prints its declared type (see `translate::column_text`).
//! Only the types whose storage form differs from their output are
//! converted: booleans (0/1), numerics with a declared scale, floats and
//! timestamptz; text, arrays and json pass through untouched, so `||` on
//! them keeps its meaning.
//!
//! `pg_column_json(x, scopes, column)`: the value as a JSON builder's
//! argument (`json_build_object`, `json_agg`, `row_to_json`): a boolean is
//! `true`/`false`, json and arrays are embedded as JSON, a timestamp is
//! its ISO text, a numeric keeps its scale.

use std::sync::Arc;

use rusqlite::functions::Context;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::column_input::{Column, DeclCache};
use super::column_type::resolve;
use super::{error, pure};
use crate::sql::pgtype::PgType;

pub(super) fn register(conn: &Connection, cache: Arc<DeclCache>) -> rusqlite::Result<()> {
    let decls = cache.clone();
    conn.create_scalar_function("pg_column_text", 4, pure(), move |ctx| {
        let v = ctx.get_raw(0);
        if matches!(v, ValueRef::Null) {
            return Ok(Value::Null);
        }
        let Some(column) = declared(ctx, &decls)? else {
            return ctx.get::<Value>(0);
        };
        let cast = ctx.get::<bool>(3)?;
        if column.ty == PgType::Bool {
            return Ok(match (as_bool(v), cast) {
                (Some(true), true) => Value::Text("true".into()),
                (Some(false), true) => Value::Text("false".into()),
                (Some(true), false) => Value::Text("t".into()),
                (Some(false), false) => Value::Text("f".into()),
                (None, _) => ctx.get::<Value>(0)?,
            });
        }
        match column.ty {
            PgType::Float4 | PgType::Float8 | PgType::Timestamptz => {}
            PgType::Numeric if column.scale.is_some() => {}
            _ => return ctx.get::<Value>(0),
        }
        output(v, column).map(Value::Text)
    })?;
    conn.create_scalar_function("pg_column_json", 3, super::jsonbuild::flags(), move |ctx| {
        let v = ctx.get_raw(0);
        let plain = || Ok((ctx.get::<Value>(0)?, None));
        if matches!(v, ValueRef::Null) {
            return plain();
        }
        let Some(column) = declared(ctx, &cache)? else {
            return plain();
        };
        let text = match column.ty {
            PgType::Bool => match as_bool(v) {
                Some(b) => b.to_string(),
                None => return plain(),
            },
            PgType::Json | PgType::Array(_) => match v {
                ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                _ => return plain(),
            },
            PgType::Jsonb => match v {
                ValueRef::Text(t) => super::jsonbuild::jsonb_text(&String::from_utf8_lossy(t)),
                _ => return plain(),
            },
            PgType::Numeric if column.scale.is_some() && !matches!(v, ValueRef::Text(_)) => {
                output(v, column)?
            }
            PgType::Timestamp | PgType::Timestamptz => {
                let mut iso = output(v, column)?.replacen(' ', "T", 1);
                // PostgreSQL's JSON writes the zone as +HH:MM.
                if column.ty == PgType::Timestamptz && iso.len() >= 3 {
                    let zone = &iso[iso.len() - 3..];
                    if zone.starts_with(['+', '-']) {
                        iso.push_str(":00");
                    }
                }
                let mut quoted = String::with_capacity(iso.len() + 2);
                crate::sql::encode::json::write_string(&mut quoted, &iso);
                quoted
            }
            _ => return plain(),
        };
        Ok((Value::Text(text), Some(super::jsonbuild::JSON_SUBTYPE)))
    })
}

/// The declaration of the column arguments 1 and 2 name, kept for the
/// whole statement as SQLite auxdata on the (constant) column argument.
fn declared(ctx: &Context<'_>, cache: &DeclCache) -> rusqlite::Result<Option<Column>> {
    if let Some(known) = ctx.get_aux::<Option<Column>>(2)? {
        return Ok(*known);
    }
    let scopes: String = ctx.get(1)?;
    let name: String = ctx.get(2)?;
    // SAFETY: the lookup only reads the schema during the call.
    let conn = unsafe { ctx.get_connection()? };
    let column = resolve(cache, &conn, &scopes, &name)?;
    ctx.set_aux(2, column)?;
    Ok(column)
}

fn as_bool(v: ValueRef<'_>) -> Option<bool> {
    match v {
        ValueRef::Integer(i) => Some(i != 0),
        ValueRef::Real(f) => Some(f != 0.0),
        _ => None,
    }
}

fn output(v: ValueRef<'_>, column: Column) -> rusqlite::Result<String> {
    crate::sql::encode::output_text(v, column.ty, column.scale)
        .map_err(|e| error(e.code, e.message))
}
