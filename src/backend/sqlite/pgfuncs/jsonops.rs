//! jsonb operators and array functions over the JSON text both are stored
//! as: `@>`/`<@` containment (`pg_json_contains`), `?` key existence
//! (`pg_json_exists`), `#>`/`#>>` paths (`pg_json_path`,
//! `pg_json_path_text`), and `array_append`, `array_prepend`, `array_cat`,
//! `array_remove`, `array_lower`, `jsonb_set`, `jsonb_pretty`, and `pg_array`, which reads a stored
//! array in either form (see `decode::array::stored_json`) as JSON text.

use rusqlite::functions::Context;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde_json::Value as Json;

use super::json_exact::{exact_scalar_text, exact_text, jsonb_arg_exact};
use super::{error, pure};
use crate::sql::decode::array::stored_json;
use crate::sql::encode::json::{parse, write_jsonb_pretty};

/// A JSON argument; a stored PG array literal (`{a,b}`) reads as its array.
pub(super) fn json_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Json>> {
    match ctx.get_raw(i) {
        ValueRef::Null => Ok(None),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            let stored = std::str::from_utf8(t)
                .ok()
                .and_then(|s| stored_json(s, None));
            let text = stored.as_deref().map_or(t, str::as_bytes);
            serde_json::from_slice(text).map(Some).map_err(|_| {
                error(
                    "22P02",
                    format!(
                        "invalid input syntax for type json: \"{}\"",
                        String::from_utf8_lossy(t)
                    ),
                )
            })
        }
        ValueRef::Integer(v) => Ok(Some(Json::from(v))),
        ValueRef::Real(v) => Ok(serde_json::Number::from_f64(v).map(Json::Number)),
    }
}

/// A jsonb argument: plain JSON text, so `{}` is an empty object (to
/// [`json_arg`], which also reads arrays, it is an empty array literal).
pub(super) fn jsonb_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Json>> {
    match ctx.get_raw(i) {
        ValueRef::Text(t) => serde_json::from_slice(t).map(Some).map_err(|_| {
            error(
                "22P02",
                format!(
                    "invalid input syntax for type json: \"{}\"",
                    String::from_utf8_lossy(t)
                ),
            )
        }),
        _ => json_arg(ctx, i),
    }
}

/// An element value as JSON (an array element argument).
pub(super) fn element(ctx: &Context<'_>, i: usize) -> Json {
    match ctx.get_raw(i) {
        ValueRef::Null => Json::Null,
        ValueRef::Integer(v) => Json::from(v),
        ValueRef::Real(v) => serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number),
        ValueRef::Text(t) | ValueRef::Blob(t) => {
            Json::String(String::from_utf8_lossy(t).into_owned())
        }
    }
}

/// jsonb containment: objects contain sub-objects, arrays contain each
/// element of the other (in any order), scalars are equal.
fn contains(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Object(x), Json::Object(y)) => y
            .iter()
            .all(|(k, v)| x.get(k).is_some_and(|w| contains(w, v))),
        (Json::Array(x), Json::Array(y)) => y.iter().all(|v| x.iter().any(|w| contains(w, v))),
        // An array contains a bare scalar it has as an element.
        (Json::Array(x), y) if !y.is_array() && !y.is_object() => x.iter().any(|w| w == y),
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (x, y) => x == y,
    }
}

/// A path argument: PostgreSQL's text-array literal `{a,b,0}` or a JSON array.
fn path(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Vec<String>>> {
    let Some(s) = ctx.get::<Option<String>>(i)? else {
        return Ok(None);
    };
    let t = s.trim();
    if let Ok(Json::Array(items)) = serde_json::from_str::<Json>(t) {
        return Ok(Some(
            items
                .into_iter()
                .map(|v| match v {
                    Json::String(s) => s,
                    other => other.to_string(),
                })
                .collect(),
        ));
    }
    let inner = t
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .ok_or_else(|| error("22P02", format!("malformed array literal: \"{s}\"")))?;
    if inner.trim().is_empty() {
        return Ok(Some(Vec::new()));
    }
    Ok(Some(
        inner
            .split(',')
            .map(|p| p.trim().trim_matches('"').to_owned())
            .collect(),
    ))
}

/// A path element naming an array position (22P02 when it is no integer).
fn path_index(element: &str) -> rusqlite::Result<i64> {
    element.parse().map_err(|_| {
        error(
            "22P02",
            format!("path element is not an integer: \"{element}\""),
        )
    })
}

/// A position in an array of `len` elements, a negative one counted from
/// the end (still out of range when it is past either end).
fn from_end(i: i64, len: usize) -> i64 {
    if i < 0 {
        len as i64 + i
    } else {
        i
    }
}

fn walk<'a>(mut v: &'a Json, keys: &[String]) -> Option<&'a Json> {
    for k in keys {
        v = match v {
            Json::Object(m) => m.get(k)?,
            Json::Array(a) => {
                let i = from_end(k.parse().ok()?, a.len());
                a.get(usize::try_from(i).ok()?)?
            }
            _ => return None,
        };
    }
    Some(v)
}

/// `jsonb_set`'s walk: replaces (or, with `create`, adds) the value at
/// `path`; a missing step on the way leaves `v` unchanged.
fn set_path(v: &mut Json, path: &[String], new: Json, create: bool) -> rusqlite::Result<()> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(());
    };
    match v {
        Json::Object(m) if rest.is_empty() && (create || m.contains_key(first)) => {
            m.insert(first.clone(), new);
        }
        Json::Object(_) if rest.is_empty() => {}
        Json::Object(m) => {
            if let Some(child) = m.get_mut(first) {
                set_path(child, rest, new, create)?;
            }
        }
        Json::Array(a) => {
            let at = from_end(path_index(first.trim())?, a.len());
            match usize::try_from(at).ok().filter(|&at| at < a.len()) {
                Some(at) if rest.is_empty() => a[at] = new,
                Some(at) => set_path(&mut a[at], rest, new, create)?,
                // Past either end: added at that end.
                None if rest.is_empty() && create => {
                    if at < 0 {
                        a.insert(0, new)
                    } else {
                        a.push(new)
                    }
                }
                None => {}
            }
        }
        _ => {}
    }
    Ok(())
}

/// A change at a path of a jsonb value (`set_path`, `insert_path`); the
/// flag is the function's fourth argument.
type PathEdit = fn(&mut Json, &[String], Json, bool) -> rusqlite::Result<()>;

/// `name(target, path, new [, flag])` for an edit at a path.
fn edit_at_path(
    ctx: &Context<'_>,
    default_flag: bool,
    edit: PathEdit,
) -> rusqlite::Result<Option<String>> {
    let (Some(mut target), Some(p), Some(new)) = (
        jsonb_arg_exact(ctx, 0)?,
        path(ctx, 1)?,
        jsonb_arg_exact(ctx, 2)?,
    ) else {
        return Ok(None);
    };
    let flag = if ctx.len() > 3 {
        match ctx.get::<Option<bool>>(3)? {
            Some(f) => f,
            None => return Ok(None),
        }
    } else {
        default_flag
    };
    if !target.is_object() && !target.is_array() {
        return Err(error("22023", "cannot set path in scalar"));
    }
    edit(&mut target, &p, new, flag)?;
    Ok(Some(exact_text(&target)))
}

/// `jsonb_insert`'s walk: the new value goes before (or after) the array
/// element the path ends at, or under a key the object does not have.
fn insert_path(v: &mut Json, path: &[String], new: Json, after: bool) -> rusqlite::Result<()> {
    let Some((first, rest)) = path.split_first() else {
        return Ok(());
    };
    match v {
        Json::Object(m) if rest.is_empty() => {
            if m.contains_key(first) {
                return Err(error("22023", "cannot replace existing key"));
            }
            m.insert(first.clone(), new);
        }
        Json::Object(m) => {
            if let Some(child) = m.get_mut(first) {
                insert_path(child, rest, new, after)?;
            }
        }
        Json::Array(a) => {
            let len = a.len() as i64;
            let at = from_end(path_index(first.trim())?, a.len());
            if rest.is_empty() {
                let pos = match at {
                    _ if at < 0 => 0,
                    _ if at >= len => len,
                    _ => at + i64::from(after),
                };
                a.insert(pos as usize, new);
            } else if let Some(child) = usize::try_from(at).ok().and_then(|at| a.get_mut(at)) {
                insert_path(child, rest, new, after)?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A text[] argument (stored JSON, or an array literal, nested or not) as
/// its elements in order, NULLs kept.
fn text_array(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Vec<Option<String>>>> {
    let Some(s) = ctx.get::<Option<String>>(i)? else {
        return Ok(None);
    };
    let json = match serde_json::from_str::<Json>(s.trim()) {
        Ok(j @ Json::Array(_)) => j,
        _ => stored_json(&s, None)
            .and_then(|j| serde_json::from_str(&j).ok())
            .ok_or_else(|| error("22P02", format!("malformed array literal: \"{s}\"")))?,
    };
    let mut out = Vec::new();
    fn flatten(v: Json, out: &mut Vec<Option<String>>) {
        match v {
            Json::Array(items) => items.into_iter().for_each(|v| flatten(v, out)),
            Json::Null => out.push(None),
            Json::String(s) => out.push(Some(s)),
            other => out.push(Some(other.to_string())),
        }
    }
    flatten(json, &mut out);
    Ok(Some(out))
}

fn array_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Vec<Json>>> {
    Ok(match json_arg(ctx, i)? {
        None => None,
        Some(Json::Array(a)) => Some(a),
        Some(_) => return Err(error("22P02", "malformed array literal")),
    })
}

fn array_text(a: Vec<Json>) -> String {
    Json::Array(a).to_string()
}

/// jsonb || jsonb: objects merge (right wins), arrays concatenate, a
/// scalar joins an array as an element.
pub(super) fn jsonb_concat(a: Json, b: Json) -> Json {
    match (a, b) {
        (Json::Object(mut x), Json::Object(y)) => {
            x.extend(y);
            Json::Object(x)
        }
        (Json::Array(mut x), Json::Array(y)) => {
            x.extend(y);
            Json::Array(x)
        }
        (Json::Array(mut x), y) => {
            x.push(y);
            Json::Array(x)
        }
        (x, Json::Array(mut y)) => {
            y.insert(0, x);
            Json::Array(y)
        }
        (x, y) => Json::Array(vec![x, y]),
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    // pg_array_text(x, '_int4'): an array (stored as JSON) as text, in
    // PostgreSQL's form (`ARRAY[1,2]::text` is `{1,2}`); other values as
    // they are.
    conn.create_scalar_function("pg_array_text", 2, pure(), |ctx| {
        use crate::sql::pgtype::PgType;
        use rusqlite::types::Value;
        let PgType::Array(elem) = PgType::from_decl(&ctx.get::<String>(1)?) else {
            return ctx.get::<Value>(0);
        };
        Ok(match ctx.get_raw(0) {
            ValueRef::Text(t) => {
                let s = String::from_utf8_lossy(t);
                match crate::sql::encode::array::array_text(&s, elem) {
                    Some(text) => Value::Text(text),
                    None => Value::Text(s.into_owned()),
                }
            }
            _ => ctx.get::<Value>(0)?,
        })
    })?;
    conn.create_scalar_function("pg_array", 1, pure(), |ctx| {
        let Some(s) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        // An int2vector or oidvector (pg_index.indkey: `1 2`) lists its
        // numbers between spaces.
        let t = s.trim();
        if t.is_empty() || t.split(' ').all(|n| n.parse::<i64>().is_ok()) {
            return Ok(Some(format!("[{}]", t.replace(' ', ","))));
        }
        match stored_json(&s, None) {
            Some(json) => Ok(Some(json.into_owned())),
            None => Err(error("22P02", format!("malformed array literal: \"{s}\""))),
        }
    })?;
    conn.create_scalar_function("pg_json_contains", 2, pure(), |ctx| {
        let a = match json_arg(ctx, 0) {
            Ok(Some(a)) => a,
            Ok(None) => return Ok(None),
            // Not JSON: a range column (whose type the translation did not
            // know), `during @> now()`, `span @> 5`.
            Err(e) => match super::ranges::stored_range(ctx.get_raw(0)) {
                Some(range) => {
                    return match ctx.get_raw(1) {
                        ValueRef::Null => Ok(None),
                        b => super::ranges::contains(&range, b).map(Some),
                    }
                }
                None => return Err(e),
            },
        };
        let Some(b) = json_arg(ctx, 1)? else {
            return Ok(None);
        };
        Ok(Some(contains(&a, &b)))
    })?;
    conn.create_scalar_function("pg_json_exists", 2, pure(), |ctx| {
        let (Some(a), Some(k)) = (jsonb_arg(ctx, 0)?, ctx.get::<Option<String>>(1)?) else {
            return Ok(None);
        };
        Ok(Some(match a {
            Json::Object(m) => m.contains_key(&k),
            Json::Array(items) => items.iter().any(|v| v.as_str() == Some(k.as_str())),
            Json::String(s) => s == k,
            _ => false,
        }))
    })?;
    // `?|` / `?&`: any / all of the keys (a text[] literal or ARRAY[..]).
    for (name, all) in [("pg_json_exists_any", false), ("pg_json_exists_all", true)] {
        conn.create_scalar_function(name, 2, pure(), move |ctx| {
            let (Some(a), Some(keys)) = (jsonb_arg(ctx, 0)?, path(ctx, 1)?) else {
                return Ok(None);
            };
            let has = |k: &String| match &a {
                Json::Object(m) => m.contains_key(k),
                Json::Array(items) => items.iter().any(|v| v.as_str() == Some(k.as_str())),
                Json::String(s) => s == k,
                _ => false,
            };
            Ok(Some(if all {
                keys.iter().all(has)
            } else {
                keys.iter().any(has)
            }))
        })?;
    }
    // `#-`: the value without the element at the path.
    conn.create_scalar_function("pg_jsonb_delete_path", 2, pure(), |ctx| {
        let (Some(mut a), Some(p)) = (jsonb_arg_exact(ctx, 0)?, path(ctx, 1)?) else {
            return Ok(None);
        };
        if !a.is_object() && !a.is_array() {
            return Err(error("22023", "cannot delete path in scalar"));
        }
        if let Some((last, parents)) = p.split_last() {
            let parent = parents.iter().try_fold(&mut a, |v, k| match v {
                Json::Object(m) => m.get_mut(k),
                Json::Array(items) => {
                    let i = from_end(k.parse().ok()?, items.len());
                    items.get_mut(usize::try_from(i).ok()?)
                }
                _ => None,
            });
            match parent {
                Some(Json::Object(m)) => {
                    m.remove(last);
                }
                Some(Json::Array(items)) => {
                    let i = from_end(path_index(last)?, items.len());
                    if let Some(i) = usize::try_from(i).ok().filter(|&i| i < items.len()) {
                        items.remove(i);
                    }
                }
                _ => {}
            }
        }
        Ok(Some(exact_text(&a)))
    })?;
    // jsonb_strip_nulls: object fields whose value is null removed, at every depth.
    conn.create_scalar_function("jsonb_strip_nulls", 1, pure(), |ctx| {
        fn strip(v: &mut Json) {
            match v {
                Json::Object(m) => {
                    m.retain(|_, x| !x.is_null());
                    m.values_mut().for_each(strip);
                }
                Json::Array(items) => items.iter_mut().for_each(strip),
                _ => {}
            }
        }
        let Some(mut a) = jsonb_arg_exact(ctx, 0)? else {
            return Ok(None);
        };
        strip(&mut a);
        Ok(Some(exact_text(&a)))
    })?;
    conn.create_scalar_function("pg_json_path", 2, pure(), |ctx| {
        let (Some(a), Some(p)) = (jsonb_arg_exact(ctx, 0)?, path(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(walk(&a, &p).map(exact_text))
    })?;
    conn.create_scalar_function("pg_json_path_text", 2, pure(), |ctx| {
        let (Some(a), Some(p)) = (jsonb_arg_exact(ctx, 0)?, path(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(walk(&a, &p).and_then(exact_scalar_text))
    })?;
    conn.create_scalar_function("pg_jsonb_concat", 2, pure(), |ctx| {
        let (Some(a), Some(b)) = (jsonb_arg_exact(ctx, 0)?, jsonb_arg_exact(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(exact_text(&jsonb_concat(a, b))))
    })?;
    // jsonb - 'key': the object without that key, or the array without
    // that string element; jsonb - n: the array without element n
    // (negative counts from the end).
    conn.create_scalar_function("pg_jsonb_delete", 2, pure(), |ctx| {
        let Some(a) = jsonb_arg_exact(ctx, 0)? else {
            return Ok(None);
        };
        let out = match ctx.get_raw(1) {
            ValueRef::Null => return Ok(None),
            ValueRef::Integer(i) => delete_index(a, i)?,
            _ => {
                let k: String = ctx.get(1)?;
                delete_keys(a, &[k])?
            }
        };
        Ok(Some(exact_text(&out)))
    })?;
    // jsonb - text[]: every key or string element named.
    conn.create_scalar_function("pg_jsonb_delete_keys", 2, pure(), |ctx| {
        let (Some(a), Some(keys)) = (jsonb_arg_exact(ctx, 0)?, jsonb_arg(ctx, 1)?) else {
            return Ok(None);
        };
        let keys: Vec<String> = match keys {
            Json::Array(v) => v
                .into_iter()
                .filter_map(|k| k.as_str().map(str::to_owned))
                .collect(),
            _ => return Err(error("22P02", "malformed array literal")),
        };
        Ok(Some(exact_text(&delete_keys(a, &keys)?)))
    })?;
    // jsonb_set(target, path, new [, create_missing]) and
    // jsonb_insert(target, path, new [, insert_after]) (SQLite's own
    // jsonb_insert, binary JSONB out, is replaced by PostgreSQL's).
    let edits: [(&str, bool, PathEdit); 2] = [
        ("jsonb_set", true, set_path),
        ("jsonb_insert", false, insert_path),
    ];
    for (name, default_flag, edit) in edits {
        for n in [3, 4] {
            conn.create_scalar_function(name, n, pure(), move |ctx| {
                edit_at_path(ctx, default_flag, edit)
            })?;
        }
    }
    // PostgreSQL's json_object / jsonb_object of text arrays: `{k, v, ...}`,
    // `{{k, v}, ...}` or separate key and value arrays; values are strings.
    // (The translator renames them: SQLite's json_object takes pairs.)
    for (name, n) in [
        ("pg_json_object", 1),
        ("pg_json_object", 2),
        ("pg_jsonb_object", 1),
        ("pg_jsonb_object", 2),
    ] {
        let spaced = name == "pg_json_object";
        conn.create_scalar_function(name, n, pure(), move |ctx| {
            let Some(first) = text_array(ctx, 0)? else {
                return Ok(None);
            };
            let (keys, values) = if ctx.len() == 2 {
                let Some(values) = text_array(ctx, 1)? else {
                    return Ok(None);
                };
                if values.len() != first.len() {
                    return Err(error("2202E", "mismatched array dimensions"));
                }
                (first, values)
            } else {
                if first.len() % 2 != 0 {
                    return Err(error("2202E", "array must have even number of elements"));
                }
                let mut keys = Vec::new();
                let mut values = Vec::new();
                for pair in first.chunks(2) {
                    keys.push(pair[0].clone());
                    values.push(pair[1].clone());
                }
                (keys, values)
            };
            let mut out = String::from("{");
            for (i, (k, v)) in keys.iter().zip(&values).enumerate() {
                let Some(k) = k else {
                    return Err(error("22004", "null value not allowed for object key"));
                };
                if i > 0 {
                    out.push_str(", ");
                }
                crate::sql::encode::json::write_string(&mut out, k);
                out.push_str(if spaced { " : " } else { ": " });
                match v {
                    Some(v) => crate::sql::encode::json::write_string(&mut out, v),
                    None => out.push_str("null"),
                }
            }
            out.push('}');
            Ok(Some(out))
        })?;
    }
    // pg_json_field(doc, key, jsonb): a field as json[b]_to_record reads
    // it into a column that is not json: a string's text, `true`/`false`,
    // a number as written, a nested value as json (jsonb's spacing).
    conn.create_scalar_function("pg_json_field", 3, pure(), |ctx| {
        use crate::sql::encode::json::{parse, write_compact, write_jsonb, Json as Doc};
        let (Some(doc), Some(key)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        let jsonb: bool = ctx.get(2)?;
        let Some(Doc::Object(fields)) = parse(&doc) else {
            return Err(error("22023", "cannot call json_to_record on a non-object"));
        };
        let Some((_, v)) = fields.iter().rev().find(|(k, _)| *k == key) else {
            return Ok(None);
        };
        Ok(match v {
            Doc::Null => None,
            Doc::Bool(b) => Some(b.to_string()),
            Doc::Number(n) => Some((*n).to_owned()),
            Doc::String(s) => Some(s.to_string()),
            nested => {
                let mut out = String::new();
                if jsonb {
                    write_jsonb(&mut out, nested);
                } else {
                    write_compact(&mut out, nested);
                }
                Some(out)
            }
        })
    })?;
    conn.create_scalar_function("jsonb_pretty", 1, pure(), |ctx| {
        let Some(s) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        let j = parse(&s).ok_or_else(|| {
            error(
                "22P02",
                format!("invalid input syntax for type json: \"{s}\""),
            )
        })?;
        let mut out = String::with_capacity(s.len() * 2);
        write_jsonb_pretty(&mut out, &j, 0);
        Ok(Some(out))
    })?;
    conn.create_scalar_function("array_append", 2, pure(), |ctx| {
        let mut a = array_arg(ctx, 0)?.unwrap_or_default();
        a.push(element(ctx, 1));
        Ok(array_text(a))
    })?;
    conn.create_scalar_function("array_prepend", 2, pure(), |ctx| {
        let mut a = array_arg(ctx, 1)?.unwrap_or_default();
        a.insert(0, element(ctx, 0));
        Ok(array_text(a))
    })?;
    conn.create_scalar_function("array_cat", 2, pure(), |ctx| {
        match (array_arg(ctx, 0)?, array_arg(ctx, 1)?) {
            (None, None) => Ok(None),
            (a, b) => {
                let mut a = a.unwrap_or_default();
                a.extend(b.unwrap_or_default());
                Ok(Some(array_text(a)))
            }
        }
    })?;
    conn.create_scalar_function("array_remove", 2, pure(), |ctx| {
        let Some(a) = array_arg(ctx, 0)? else {
            return Ok(None);
        };
        let x = element(ctx, 1);
        Ok(Some(array_text(
            a.into_iter()
                .filter(|v| !contains(v, &x) || v.is_array())
                .collect(),
        )))
    })?;
    conn.create_scalar_function("array_replace", 3, pure(), |ctx| {
        let Some(a) = array_arg(ctx, 0)? else {
            return Ok(None);
        };
        let (from, to) = (element(ctx, 1), element(ctx, 2));
        Ok(Some(array_text(
            a.into_iter()
                .map(|v| {
                    if contains(&v, &from) && !v.is_array() {
                        to.clone()
                    } else {
                        v
                    }
                })
                .collect(),
        )))
    })?;
    // array_fill(value, dims[, lower_bounds]): nested arrays of the value;
    // arrays here always start at 1.
    for n in [2, 3] {
        conn.create_scalar_function("array_fill", n, pure(), |ctx| {
            let Some(dims) = array_arg(ctx, 1)? else {
                return Err(error(
                    "22004",
                    "dimension array or low bound array cannot be null",
                ));
            };
            if ctx.len() > 2 {
                let lower = array_arg(ctx, 2)?.unwrap_or_default();
                if lower.len() != dims.len() {
                    return Err(error("2202E", "wrong number of array subscripts"));
                }
                if lower.iter().any(|b| b.as_i64() != Some(1)) {
                    return Err(error(
                        "0A000",
                        "array_fill with lower bounds other than 1 is not supported",
                    ));
                }
            }
            let mut lengths = Vec::with_capacity(dims.len());
            for d in &dims {
                match d.as_i64() {
                    Some(n) if n >= 0 => lengths.push(n as usize),
                    Some(_) => {
                        return Err(error("22023", "array size exceeds the maximum allowed"))
                    }
                    None => return Err(error("22004", "dimension values cannot be null")),
                }
            }
            if lengths.iter().product::<usize>() > 1 << 24 {
                return Err(error("54000", "array size exceeds the maximum allowed"));
            }
            let mut value = element(ctx, 0);
            if lengths.contains(&0) {
                return Ok(Some("[]".to_owned()));
            }
            for &n in lengths.iter().rev() {
                value = serde_json::Value::Array(vec![value; n]);
            }
            Ok(Some(value.to_string()))
        })?;
    }
    conn.create_scalar_function("array_lower", 2, pure(), |ctx| {
        let (Some(a), Some(dim)) = (array_arg(ctx, 0)?, ctx.get::<Option<i64>>(1)?) else {
            return Ok(None);
        };
        Ok((dim == 1 && !a.is_empty()).then_some(1i64))
    })?;
    Ok(())
}

fn delete_keys(a: Json, keys: &[String]) -> rusqlite::Result<Json> {
    Ok(match a {
        Json::Object(mut m) => {
            for k in keys {
                m.remove(k);
            }
            Json::Object(m)
        }
        Json::Array(v) => Json::Array(
            v.into_iter()
                .filter(|e| !e.as_str().is_some_and(|s| keys.iter().any(|k| k == s)))
                .collect(),
        ),
        _ => return Err(error("22023", "cannot delete from scalar")),
    })
}

fn delete_index(a: Json, i: i64) -> rusqlite::Result<Json> {
    match a {
        Json::Array(mut v) => {
            let at = from_end(i, v.len());
            if (0..v.len() as i64).contains(&at) {
                v.remove(at as usize);
            }
            Ok(Json::Array(v))
        }
        Json::Object(_) => Err(error(
            "22023",
            "cannot delete from object using integer index",
        )),
        _ => Err(error("22023", "cannot delete from scalar")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containment() {
        let j = |s: &str| serde_json::from_str::<Json>(s).unwrap();
        assert!(contains(&j(r#"{"a":1,"b":2}"#), &j(r#"{"a":1}"#)));
        assert!(!contains(&j(r#"{"a":1,"b":2}"#), &j(r#"{"a":2}"#)));
        assert!(contains(&j("[1,2,3]"), &j("[3,1]")));
        assert!(contains(&j(r#"{"t":["x","y"]}"#), &j(r#"{"t":["y"]}"#)));
        assert!(contains(&j("[1,2]"), &j("1")));
        assert!(!contains(&j("[1,2]"), &j("[4]")));
    }
}
