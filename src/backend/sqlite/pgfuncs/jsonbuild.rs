//! The json (not jsonb) builders, which print their own spacing that
//! clients see verbatim: `json_build_object` (`{"a" : 1, "b" : "x"}`),
//! `json_build_array` (`[1, "a", null]`), `json_agg` (`[1, 2]`),
//! `json_object_agg` (`{ "k" : v, ... }`) and `to_json`. jsonb results are
//! printed canonically by the encoder, so the jsonb builders keep SQLite's.
//!
//! A value is embedded as JSON when it carries SQLite's JSON subtype (the
//! result of a JSON function, or of `pg_json_value`, which the translator
//! wraps around json-typed arguments); other text is a JSON string.

use rusqlite::functions::{Aggregate, Context, FunctionFlags, SubType};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::{error, pure};
use crate::sql::encode::json::{parse, write_jsonb, write_string};

/// SQLite's subtype for JSON text (`'J'`).
pub(super) const JSON_SUBTYPE: u32 = b'J' as u32;

pub(super) fn flags() -> FunctionFlags {
    pure() | FunctionFlags::SQLITE_SUBTYPE | FunctionFlags::SQLITE_RESULT_SUBTYPE
}

/// Appends argument `i` as PostgreSQL's `datum_to_json` would.
fn push_value(out: &mut String, ctx: &Context<'_>, i: usize) {
    match ctx.get_raw(i) {
        ValueRef::Null => out.push_str("null"),
        ValueRef::Integer(n) => out.push_str(itoa::Buffer::new().format(n)),
        ValueRef::Real(f) if f.is_finite() => {
            let mut b = bytes::BytesMut::new();
            crate::sql::encode::float::write_f64(&mut b, f);
            out.push_str(&String::from_utf8_lossy(&b));
        }
        // NaN and infinities are not JSON numbers: PostgreSQL quotes them.
        ValueRef::Real(f) => {
            let mut b = bytes::BytesMut::new();
            crate::sql::encode::float::write_f64(&mut b, f);
            write_string(out, &String::from_utf8_lossy(&b));
        }
        ValueRef::Text(t) if ctx.get_subtype(i) == JSON_SUBTYPE => {
            out.push_str(&String::from_utf8_lossy(t))
        }
        ValueRef::Text(t) => write_string(out, &String::from_utf8_lossy(t)),
        ValueRef::Blob(b) => {
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            write_string(out, &format!("\\x{hex}"));
        }
    }
}

/// An object key: any non-null value, as its text.
fn push_key(out: &mut String, ctx: &Context<'_>, i: usize) -> rusqlite::Result<()> {
    let key = match ctx.get_raw(i) {
        ValueRef::Null => return Err(error("22004", "null value not allowed for object key")),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        _ => {
            let mut v = String::new();
            push_value(&mut v, ctx, i);
            v
        }
    };
    write_string(out, &key);
    Ok(())
}

/// A result of the JSON subtype (a NULL keeps none).
fn json(text: Option<String>) -> (Option<String>, SubType) {
    let subtype = text.as_ref().map(|_| JSON_SUBTYPE);
    (text, subtype)
}

/// `json_agg`; `rows`: of rows (composites), which PostgreSQL starts on a
/// new line each.
struct JsonAgg {
    rows: bool,
}

impl Aggregate<String, (Option<String>, SubType)> for JsonAgg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<String> {
        Ok(String::from("["))
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut String) -> rusqlite::Result<()> {
        if acc.len() > 1 {
            acc.push_str(if self.rows { ", \n " } else { ", " });
        }
        push_value(acc, ctx, 0);
        Ok(())
    }

    /// No rows give NULL, not `[]`.
    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<String>,
    ) -> rusqlite::Result<(Option<String>, SubType)> {
        Ok(json(acc.map(|mut a| {
            a.push(']');
            a
        })))
    }
}

struct JsonObjectAgg;

impl Aggregate<String, (Option<String>, SubType)> for JsonObjectAgg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<String> {
        Ok(String::from("{ "))
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut String) -> rusqlite::Result<()> {
        if acc.len() > 2 {
            acc.push_str(", ");
        }
        push_key(acc, ctx, 0)?;
        acc.push_str(" : ");
        push_value(acc, ctx, 1);
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<String>,
    ) -> rusqlite::Result<(Option<String>, SubType)> {
        Ok(json(acc.map(|mut a| {
            a.push_str(" }");
            a
        })))
    }
}

/// A jsonb value's canonical text (as given when it does not parse).
pub(super) fn jsonb_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    match parse(s) {
        Some(j) => write_jsonb(&mut out, &j),
        None => out.push_str(s),
    }
    out
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_json_build_object", -1, flags(), |ctx| {
        if ctx.len() % 2 != 0 {
            return Err(error(
                "22023",
                "argument list must have even number of elements",
            ));
        }
        let mut out = String::from("{");
        for i in (0..ctx.len()).step_by(2) {
            if i > 0 {
                out.push_str(", ");
            }
            push_key(&mut out, ctx, i)?;
            out.push_str(" : ");
            push_value(&mut out, ctx, i + 1);
        }
        out.push('}');
        Ok(json(Some(out)))
    })?;
    conn.create_scalar_function("pg_json_build_array", -1, flags(), |ctx| {
        let mut out = String::from("[");
        for i in 0..ctx.len() {
            if i > 0 {
                out.push_str(", ");
            }
            push_value(&mut out, ctx, i);
        }
        out.push(']');
        Ok(json(Some(out)))
    })?;
    conn.create_scalar_function("pg_to_json", 1, flags(), |ctx| {
        if let ValueRef::Null = ctx.get_raw(0) {
            return Ok(json(None));
        }
        let mut out = String::new();
        push_value(&mut out, ctx, 0);
        Ok(json(Some(out)))
    })?;
    // A json value embedded as written; a jsonb value in its canonical text.
    conn.create_scalar_function("pg_json_value", 1, flags(), |ctx| {
        Ok(json(ctx.get::<Option<String>>(0)?))
    })?;
    conn.create_scalar_function("pg_jsonb_value", 1, flags(), |ctx| {
        Ok(json(ctx.get::<Option<String>>(0)?.map(|s| jsonb_text(&s))))
    })?;
    conn.create_aggregate_function("pg_json_agg", 1, flags(), JsonAgg { rows: false })?;
    conn.create_aggregate_function("pg_json_agg_rows", 1, flags(), JsonAgg { rows: true })?;
    conn.create_aggregate_function("pg_json_object_agg", 2, flags(), JsonObjectAgg)?;
    Ok(())
}
