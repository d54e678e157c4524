//! `json[b]_populate_record[set](null::t, j)` at run time (see
//! `translate::populate`): the translation cannot see table `t`, so the
//! values are read by the table's declarations here.
//!
//! - `pg_populate_field(object, table, column, jsonb)`: the object's key
//!   `column` as PostgreSQL's populate_record reads it into the column: a
//!   JSON string's text, a number's or boolean's text, through the input
//!   rules of the column's type (22P02, 22003, 22001 as for any input);
//!   json/jsonb columns take the JSON value itself; a missing key or JSON
//!   null is NULL. The stored form is what an INSERT would store.
//! - `pg_populate_record(table, object, jsonb)`: the whole row as
//!   PostgreSQL prints a composite, `(1,q,,)` (a SQL NULL object is NULL).
//! - `pg_populate_rows(array, function)`: the set form's array, checked
//!   to hold objects only.
//! - `pg_populate_star(table, object, jsonb)`: stands for all the columns;
//!   the executor replaces it by one `pg_populate_field` per column before
//!   preparing (see `exec::populate`), so it runs only when `table` is no
//!   table: 42704, as PostgreSQL's `null::t` of an unknown type.

use std::sync::Arc;

use rusqlite::functions::Context;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::column_input::{fits_precision, limited, Column, DeclCache};
use super::{error, pure};
use crate::sql::encode::json::{parse, write_compact, write_jsonb, Json};
use crate::sql::pgtype::PgType;

pub(super) fn register(conn: &Connection, cache: Arc<DeclCache>) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_populate_field", 4, pure(), move |ctx| {
        let Some(text) = object_text(ctx, 0)? else {
            return Ok(Value::Null);
        };
        let table: String = ctx.get(1)?;
        let name: String = ctx.get(2)?;
        let jsonb: bool = ctx.get(3)?;
        let column = match ctx.get_aux::<Option<Column>>(2)? {
            Some(known) => *known,
            None => {
                // SAFETY: a read of the schema during the call.
                let conn = unsafe { ctx.get_connection()? };
                let column = cache.column_of(&conn, &table, &name)?;
                ctx.set_aux(2, column)?;
                column
            }
        };
        let Some(column) = column else {
            return Err(type_missing(&table));
        };
        let fields = object_fields(&text, "populate_composite")?;
        match fields.iter().rev().find(|(k, _, _)| *k == name) {
            Some((_, v, raw)) => input(v, raw, column, jsonb),
            None => Ok(Value::Null),
        }
    })?;
    conn.create_scalar_function("pg_populate_record", 3, pure(), |ctx| {
        let table: String = ctx.get(0)?;
        let Some(text) = object_text(ctx, 1)? else {
            return Ok(Value::Null);
        };
        let jsonb: bool = ctx.get(2)?;
        // SAFETY: a read of the schema during the call.
        let conn = unsafe { ctx.get_connection()? };
        let columns = table_columns(&conn, &table)?;
        if columns.is_empty() {
            return Err(type_missing(&table));
        }
        let fields = object_fields(&text, "populate_composite")?;
        let mut values = Vec::with_capacity(columns.len());
        for (name, column) in &columns {
            let v = match fields.iter().rev().find(|(k, _, _)| k == name) {
                Some((_, v, raw)) => input(v, raw, *column, jsonb)?,
                None => Value::Null,
            };
            values.push((v, *column));
        }
        Ok(Value::Text(composite(&values)?))
    })?;
    // pg_populate_rows(array, function): the array of objects the set
    // form reads with json_each, checked as PostgreSQL checks it.
    conn.create_scalar_function("pg_populate_rows", 2, pure(), |ctx| {
        let Some(text) = object_text(ctx, 0)? else {
            return Ok(Value::Null);
        };
        let name: String = ctx.get(1)?;
        match parse(&text) {
            Some(Json::Array(items)) => {
                if items.iter().any(|i| !matches!(i, Json::Object(_))) {
                    return Err(error(
                        "22023",
                        format!("argument of {name} must be an array of objects"),
                    ));
                }
            }
            Some(Json::Object(_)) => {
                return Err(error("22023", format!("cannot call {name} on an object")))
            }
            Some(_) => return Err(error("22023", format!("cannot call {name} on a scalar"))),
            None => {
                return Err(error(
                    "22P02",
                    format!("invalid input syntax for type json: \"{text}\""),
                ))
            }
        }
        Ok(Value::Text(text))
    })?;
    conn.create_scalar_function("pg_populate_star", 3, pure(), |ctx| {
        let table: String = ctx.get(0)?;
        Err::<Value, _>(type_missing(&table))
    })
}

fn type_missing(table: &str) -> rusqlite::Error {
    error("42704", format!("type \"{table}\" does not exist"))
}

/// The object argument's text; `None` for SQL NULL.
fn object_text(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
    })
}

/// A JSON object member: its key, its value and the value's source text.
type Field<'a> = (String, Json<'a>, &'a str);

/// The members of a JSON object, in order (a repeated key's last value is
/// the one read). `caller` names the function in PostgreSQL's error for an
/// array or a scalar.
fn object_fields<'a>(text: &'a str, caller: &str) -> rusqlite::Result<Vec<Field<'a>>> {
    match parse(text) {
        Some(Json::Object(fields)) => {
            let raw = raw_values(text);
            Ok(fields
                .into_iter()
                .enumerate()
                .map(|(i, (k, v))| {
                    let source = raw.get(i).copied().unwrap_or_default();
                    (k.into_owned(), v, source)
                })
                .collect())
        }
        Some(Json::Array(_)) => Err(error("22023", format!("cannot call {caller} on an array"))),
        Some(_) => Err(error("22023", format!("cannot call {caller} on a scalar"))),
        None => Err(error(
            "22P02",
            format!("invalid input syntax for type json: \"{text}\""),
        )),
    }
}

/// The source text of each member value of a (valid) JSON object, in
/// order: `json` (not jsonb) hands embedded documents on as written.
fn raw_values(text: &str) -> Vec<&str> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    // Past a string starting at `i` (its opening quote).
    let string_end = |mut i: usize| {
        i += 1;
        while i < b.len() && b[i] != b'"' {
            i += if b[i] == b'\\' { 2 } else { 1 };
        }
        i + 1
    };
    let skip_ws = |mut i: usize| {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        i
    };
    i = skip_ws(i) + 1; // `{`
    loop {
        i = skip_ws(i);
        if i >= b.len() || b[i] != b'"' {
            return out;
        }
        i = skip_ws(string_end(i)) + 1; // the key and `:`
        let start = skip_ws(i);
        let mut j = start;
        let mut depth = 0usize;
        while j < b.len() {
            match b[j] {
                b'"' => {
                    j = string_end(j);
                    if depth == 0 {
                        break;
                    }
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth > 0 => {
                    depth -= 1;
                    if depth == 0 {
                        j += 1;
                        break;
                    }
                }
                b',' | b'}' if depth == 0 => break,
                _ => {}
            }
            j += 1;
        }
        out.push(text[start..j.min(b.len())].trim_end());
        i = skip_ws(j) + 1; // `,` or `}`
    }
}

/// A table's columns with their declarations, in order (empty: no table).
pub(super) fn table_columns(
    conn: &Connection,
    table: &str,
) -> rusqlite::Result<Vec<(String, Column)>> {
    conn.prepare_cached(
        "SELECT name, pg_decl(type, dflt_value) FROM pragma_table_info(?1) ORDER BY cid",
    )?
    .query_map([table], |r| {
        Ok((r.get::<_, String>(0)?, Column::of(&r.get::<_, String>(1)?)))
    })?
    .collect()
}

/// One JSON value (`raw` its source text) read into `column` (see the
/// module comment).
fn input(v: &Json<'_>, raw: &str, column: Column, jsonb: bool) -> rusqlite::Result<Value> {
    let as_json = || {
        if jsonb {
            let mut out = String::new();
            write_jsonb(&mut out, v);
            out
        } else {
            raw.to_owned()
        }
    };
    let text = match v {
        Json::Null => return Ok(Value::Null),
        _ if matches!(column.ty, PgType::Json | PgType::Jsonb) => {
            return Ok(Value::Text(as_json()))
        }
        // An array column takes a JSON array as its stored JSON form.
        Json::Array(_) if matches!(column.ty, PgType::Array(_)) => {
            let mut out = String::new();
            write_compact(&mut out, v);
            return Ok(Value::Text(out));
        }
        Json::String(s) => s.to_string(),
        Json::Number(n) => (*n).to_owned(),
        Json::Bool(b) => b.to_string(),
        Json::Array(_) | Json::Object(_) => as_json(),
    };
    if let Some(limit) = column.limit {
        return limited(Value::Text(text), limit);
    }
    let value = match column.ty {
        // Text keeps its text (decoding would change nothing else).
        PgType::Text | PgType::Name | PgType::Unknown => return Ok(Value::Text(text)),
        ty => crate::sql::decode::decode_param(Some(text.as_bytes()), ty, false)
            .map_err(|e| error(e.code, e.message))?,
    };
    if let (PgType::Numeric, Some(p), Some(s)) = (column.ty, column.precision, column.scale) {
        fits_precision(&value, p, s)?;
    }
    Ok(value)
}

/// Values as PostgreSQL prints a row: `(a,b,)`, a field quoted when it is
/// empty or holds a delimiter, quote, backslash or space; NULL is nothing.
pub(super) fn composite(values: &[(Value, Column)]) -> rusqlite::Result<String> {
    let mut out = String::from("(");
    for (i, (v, column)) in values.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let Some(text) = output(v, *column)? else {
            continue;
        };
        let quote = text.is_empty()
            || text
                .chars()
                .any(|c| matches!(c, '(' | ')' | ',' | '"' | '\\') || c.is_whitespace());
        if quote {
            out.push('"');
            for c in text.chars() {
                if c == '"' || c == '\\' {
                    out.push(c);
                }
                out.push(c);
            }
            out.push('"');
        } else {
            out.push_str(&text);
        }
    }
    out.push(')');
    Ok(out)
}

/// A stored value as PostgreSQL's output function for the column's type
/// prints it (`None` for NULL): `t`/`f`, a numeric with its scale, a
/// timestamptz with its offset, an array as `{a,b}`.
pub(super) fn output(v: &Value, column: Column) -> rusqlite::Result<Option<String>> {
    let v = ValueRef::from(v);
    if matches!(v, ValueRef::Null) {
        return Ok(None);
    }
    let ty = match (column.ty, v) {
        // What a column of no known type holds prints as SQLite's text.
        (PgType::Unknown, _) => crate::sql::encode::type_of_value(v),
        (ty, _) => ty,
    };
    crate::sql::encode::output_text(v, ty, column.scale)
        .map(Some)
        .map_err(|e| error(e.code, e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_values_keep_their_source_text() {
        let text = r#" { "a" : {"x": [1, "]"]} , "b":"s\"}", "c": 1.50 ,"d":[ ],"e":null}"#;
        assert_eq!(
            raw_values(text),
            vec![r#"{"x": [1, "]"]}"#, r#""s\"}""#, "1.50", "[ ]", "null"]
        );
        assert!(raw_values("{}").is_empty());
    }

    #[test]
    fn composite_quotes_as_postgres() {
        let c = Column::of("text");
        let row = [
            (Value::Integer(1), Column::of("integer")),
            (Value::Text("a b".into()), c),
            (Value::Null, c),
            (Value::Text(String::new()), c),
            (Value::Text(r#"x"\y"#.into()), c),
            (Value::Integer(0), Column::of("boolean")),
        ];
        assert_eq!(composite(&row).unwrap(), r#"(1,"a b",,"","x""\\y",f)"#);
    }
}
