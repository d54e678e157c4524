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
        let Some(column) = declared(ctx, &decls, 1)? else {
            return ctx.get::<Value>(0);
        };
        let cast = ctx.get::<bool>(3)?;
        Ok(match converted(v, Some(column), cast)? {
            Some(text) => Value::Text(text),
            None => ctx.get::<Value>(0)?,
        })
    })?;
    // pg_value_text(x, type): x printed as the named type's output.
    conn.create_scalar_function("pg_value_text", 2, pure(), |ctx| {
        let v = ctx.get_raw(0);
        if matches!(v, ValueRef::Null) {
            return Ok(Value::Null);
        }
        let ty = PgType::from_decl(ctx.get_raw(1).as_str().unwrap_or(""));
        crate::sql::encode::output_text(v, ty, None)
            .map(Value::Text)
            .map_err(|e| error(e.code, e.message))
    })?;
    // A type name (pg_column_type's, or SQLite's storage class) as regtype
    // prints it.
    conn.create_scalar_function("pg_type_display", 1, pure(), |ctx| {
        let name: Option<String> = ctx.get(0)?;
        Ok(name.map(|n| match n.as_str() {
            "integer" => "bigint".to_owned(),
            "real" => "double precision".to_owned(),
            "null" => "unknown".to_owned(),
            "blob" => "bytea".to_owned(),
            other => PgType::from_decl(other).display_name(),
        }))
    })?;
    // pg_column_literal(text, scopes, column): a quoted literal compared
    // with a column, read as input for the column's type (see
    // `crate::sql::decode::compared_literal`).
    let literal_decls = cache.clone();
    conn.create_scalar_function("pg_column_literal", 3, pure(), move |ctx| {
        let v = ctx.get::<Value>(0)?;
        let Value::Text(s) = &v else { return Ok(v) };
        let Some(column) = declared(ctx, &literal_decls, 1)? else {
            return Ok(v);
        };
        match crate::sql::decode::compared_literal(s, column.ty) {
            Some(Ok(read)) => Ok(read),
            Some(Err(e)) => Err(super::error(e.code, e.message)),
            None => Ok(v),
        }
    })?;
    let concat_decls = cache.clone();
    conn.create_scalar_function("pg_column_concat", 5, pure(), move |ctx| {
        concat(ctx, &concat_decls)
    })?;
    // pg_column_element(x, scopes, column): an `array_agg` argument, stored
    // as JSON in the array: a numeric keeps its declared scale, an array
    // nests (a 2-D result); other values as they are.
    let element_decls = cache.clone();
    conn.create_scalar_function(
        "pg_column_element",
        3,
        super::jsonbuild::flags(),
        move |ctx| {
            column_json(ctx, &element_decls, |ty| {
                matches!(ty, PgType::Array(_) | PgType::Numeric)
            })
        },
    )?;
    conn.create_scalar_function("pg_column_json", 3, super::jsonbuild::flags(), move |ctx| {
        column_json(ctx, &cache, |_| true)
    })?;
    // pg_table_row_json(table, rowid, jsonb): `row_to_json(t)` / `to_jsonb(t)`
    // of a real table's row, each column as its declared type prints in
    // JSON, in column order (jsonb: PostgreSQL's key order and spacing).
    conn.create_scalar_function("pg_table_row_json", 3, super::jsonbuild::flags(), |ctx| {
        let table: String = ctx.get(0)?;
        let Some(rowid) = ctx.get::<Option<i64>>(1)? else {
            return Ok((Value::Null, None));
        };
        let jsonb: bool = ctx.get(2)?;
        // SAFETY: the row is read during the call, on the calling connection.
        let conn = unsafe { ctx.get_connection()? };
        let columns: Vec<(String, Column)> = conn
            // xinfo: `*` includes generated columns (hidden 2, 3), table_info not.
            .prepare_cached(
                "SELECT name, type FROM pragma_table_xinfo(?1) WHERE hidden IN (0, 2, 3) ORDER BY cid",
            )?
            .query_map([&table], |r| {
                Ok((r.get::<_, String>(0)?, Column::of(&r.get::<_, String>(1)?)))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let sql = format!(
            "SELECT * FROM \"{}\" WHERE rowid = ?1",
            table.replace('"', "\"\"")
        );
        let mut stmt = conn.prepare_cached(&sql)?;
        let mut rows = stmt.query([rowid])?;
        let Some(row) = rows.next()? else {
            return Ok((Value::Null, None));
        };
        let mut out = String::from("{");
        for (i, (name, column)) in columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            crate::sql::encode::json::write_string(&mut out, name);
            out.push(':');
            let v = row.get_ref(i)?;
            match (v, json_text(v, *column)?) {
                (ValueRef::Null, _) => out.push_str("null"),
                (_, Some(text)) => out.push_str(&text),
                (ValueRef::Integer(n), None) => out.push_str(&n.to_string()),
                (ValueRef::Real(f), None) => out.push_str(&ctx_text(ValueRef::Real(f))),
                (other, None) => crate::sql::encode::json::write_string(&mut out, &ctx_text(other)),
            }
        }
        out.push('}');
        let text = if jsonb {
            super::jsonbuild::jsonb_text(&out)
        } else {
            out
        };
        Ok((Value::Text(text), Some(super::jsonbuild::JSON_SUBTYPE)))
    })
}

/// `pg_column_concat(col, other, scopes, column, col_on_right)`: `||` with
/// a column whose type only the schema knows. jsonb merges (as
/// `pg_jsonb_concat`), an array concatenates with an array (JSON or `{..}`
/// text) or takes an element; anything else is text concatenation, the
/// column printed as `pg_column_text` prints it.
fn concat(ctx: &Context<'_>, cache: &DeclCache) -> rusqlite::Result<Value> {
    use super::json_exact::{exact_text, jsonb_arg_exact};
    use super::jsonops::{element, json_arg, jsonb_concat};
    use serde_json::Value as Json;
    let right = ctx.get::<bool>(4)?;
    let (l, r) = if right { (1, 0) } else { (0, 1) };
    let column = declared(ctx, cache, 2)?;
    let ty = column.map(|c| c.ty);
    match ty {
        Some(PgType::Jsonb | PgType::Json) => {
            let (Some(a), Some(b)) = (jsonb_arg_exact(ctx, l)?, jsonb_arg_exact(ctx, r)?) else {
                return Ok(Value::Null);
            };
            // In jsonb's canonical text, which a RETURNING list prints.
            let merged = exact_text(&jsonb_concat(a, b));
            Ok(Value::Text(super::jsonbuild::jsonb_text(&merged)))
        }
        Some(PgType::Array(_)) => {
            // The column is argument 0 on either side of `||`.
            let other = 1;
            let other_is_array = match ctx.get_raw(other) {
                ValueRef::Text(t) => {
                    t.trim_ascii_start().starts_with(b"[") || t.trim_ascii_start().starts_with(b"{")
                }
                // An untyped NULL is an array: the column's array is kept.
                ValueRef::Null => true,
                _ => false,
            };
            let column = match json_arg(ctx, 0)? {
                Some(Json::Array(a)) => Some(a),
                None => None,
                Some(_) => return Err(error("22P02", "malformed array literal")),
            };
            let items = if other_is_array {
                let extra = match json_arg(ctx, other)? {
                    Some(Json::Array(a)) => Some(a),
                    None => None,
                    Some(_) => return Err(error("22P02", "malformed array literal")),
                };
                match (column, extra) {
                    (None, None) => return Ok(Value::Null),
                    (a, b) if right => [b, a].into_iter().flatten().flatten().collect(),
                    (a, b) => [a, b].into_iter().flatten().flatten().collect(),
                }
            } else {
                let mut a = column.unwrap_or_default();
                let e = element(ctx, other);
                if right {
                    a.insert(0, e);
                } else {
                    a.push(e);
                }
                a
            };
            Ok(Value::Text(Json::Array(items).to_string()))
        }
        _ => {
            let mut out = String::new();
            for i in [l, r] {
                let v = ctx.get_raw(i);
                if matches!(v, ValueRef::Null) {
                    return Ok(Value::Null);
                }
                // Argument 0 is the column, printed as its type prints.
                let converted = if i == 0 {
                    converted(v, column, true)?
                } else {
                    None
                };
                out.push_str(&converted.unwrap_or_else(|| ctx_text(v)));
            }
            Ok(Value::Text(out))
        }
    }
}

/// The column's value as PostgreSQL's output for its declared type, where
/// that differs from SQLite's text of the stored value (`None`: as is).
/// `cast` picks `true`/`false` (a cast, `||`) over `t`/`f` for booleans.
fn converted(
    v: ValueRef<'_>,
    column: Option<Column>,
    cast: bool,
) -> rusqlite::Result<Option<String>> {
    let Some(c) = column else { return Ok(None) };
    Ok(match c.ty {
        PgType::Bool => as_bool(v).map(|b| {
            match (b, cast) {
                (true, true) => "true",
                (false, true) => "false",
                (true, false) => "t",
                (false, false) => "f",
            }
            .to_owned()
        }),
        PgType::Float4 | PgType::Float8 | PgType::Timestamptz => Some(output(v, c)?),
        // `ip::text` shows the mask; concat() and format() print inet_out's.
        PgType::Inet if cast => match v {
            ValueRef::Text(t) => {
                crate::sql::textual::inet::Inet::parse(&String::from_utf8_lossy(t), false)
                    .ok()
                    .map(|a| a.with_mask())
            }
            _ => None,
        },
        PgType::Numeric if c.scale.is_some() => Some(output(v, c)?),
        // An array as text: PostgreSQL's `{a,b}`, not the stored JSON.
        PgType::Array(elem) => match v {
            ValueRef::Text(t) => {
                crate::sql::encode::array::array_text(&String::from_utf8_lossy(t), elem)
            }
            _ => None,
        },
        // char(n) as text (a cast, `||`) drops the padding.
        PgType::Bpchar if cast => match v {
            ValueRef::Text(t) => Some(String::from_utf8_lossy(t).trim_end_matches(' ').to_owned()),
            _ => None,
        },
        _ => None,
    })
}

/// `pg_column_json` / `pg_column_element`: the value as JSON text (with
/// the JSON subtype) where its column's type, when `wanted`, prints
/// otherwise than SQLite's value would; else the value as it is.
fn column_json(
    ctx: &Context<'_>,
    cache: &DeclCache,
    wanted: fn(PgType) -> bool,
) -> rusqlite::Result<(Value, Option<std::os::raw::c_uint>)> {
    let v = ctx.get_raw(0);
    let plain = || Ok((ctx.get::<Value>(0)?, None));
    if matches!(v, ValueRef::Null) {
        return plain();
    }
    match declared(ctx, cache, 1)? {
        Some(column) if wanted(column.ty) => match json_text(v, column)? {
            Some(text) => Ok((Value::Text(text), Some(super::jsonbuild::JSON_SUBTYPE))),
            None => plain(),
        },
        _ => plain(),
    }
}

/// SQLite's text of a value (what its `||` would use).
fn ctx_text(v: ValueRef<'_>) -> String {
    match v {
        ValueRef::Null => String::new(),
        ValueRef::Integer(n) => n.to_string(),
        ValueRef::Real(f) => {
            let mut b = bytes::BytesMut::new();
            crate::sql::encode::float::write_f64(&mut b, f);
            String::from_utf8_lossy(&b).into_owned()
        }
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
    }
}

/// The declaration of the column arguments `at` and `at + 1` name, kept for the
/// whole statement as SQLite auxdata on the (constant) column argument.
fn declared(ctx: &Context<'_>, cache: &DeclCache, at: usize) -> rusqlite::Result<Option<Column>> {
    if let Some(known) = ctx.get_aux::<Option<Column>>(at as i32 + 1)? {
        return Ok(*known);
    }
    let scopes: String = ctx.get(at)?;
    let name: String = ctx.get(at + 1)?;
    // SAFETY: the lookup only reads the schema during the call.
    let conn = unsafe { ctx.get_connection()? };
    let column = resolve(cache, &conn, &scopes, &name)?;
    ctx.set_aux(at as i32 + 1, column)?;
    Ok(column)
}

/// A non-NULL value of a column as JSON text, where its declared type
/// prints otherwise than SQLite's value would (`None`: as the value is).
fn json_text(v: ValueRef<'_>, column: Column) -> rusqlite::Result<Option<String>> {
    Ok(Some(match column.ty {
        PgType::Bool => match as_bool(v) {
            Some(b) => b.to_string(),
            None => return Ok(None),
        },
        PgType::Json | PgType::Array(_) => match v {
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            _ => return Ok(None),
        },
        PgType::Jsonb => match v {
            ValueRef::Text(t) => super::jsonbuild::jsonb_text(&String::from_utf8_lossy(t)),
            _ => return Ok(None),
        },
        PgType::Numeric if column.scale.is_some() && !matches!(v, ValueRef::Text(_)) => {
            output(v, column)?
        }
        PgType::Timestamp | PgType::Timestamptz if !matches!(v, ValueRef::Null) => {
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
        _ => return Ok(None),
    }))
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
