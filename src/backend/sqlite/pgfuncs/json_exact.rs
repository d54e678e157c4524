//! jsonb edits that keep numbers as written. The edits (`-`, `||`,
//! `jsonb_set`, `#-`, `jsonb_strip_nulls`) and path reads (`#>`, `#>>`)
//! work on `serde_json` values, whose numbers are doubles: `19.90` came
//! back `19.9`, `1000` as `1000.0`. PostgreSQL's jsonb numbers are
//! numerics and keep their digits. These functions only move values
//! around, never compare numbers, so a number is carried through them as a
//! marked string holding its text (a NUL first: no jsonb string holds one,
//! PostgreSQL refuses `\u0000`) and written back as that text.
//! (`serde_json`'s `arbitrary_precision` feature would keep the digits
//! everywhere, but it changes how the libSQL client reads its protocol's
//! numbers: remote tenants' connections failed with it.)

use rusqlite::functions::Context;
use rusqlite::types::ValueRef;
use serde_json::{Map, Value as Json};

use super::jsonops::jsonb_arg;
use crate::sql::encode::json::{parse, Json as Exact};
use crate::sql::encode::numeric::Numeric;

const MARK: char = '\u{0}';

/// [`jsonb_arg`], with numbers carried as written (see the module comment).
pub(super) fn jsonb_arg_exact(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Json>> {
    let ValueRef::Text(t) = ctx.get_raw(i) else {
        return jsonb_arg(ctx, i);
    };
    let parsed = std::str::from_utf8(t).ok().and_then(parse);
    match parsed {
        Some(doc) => Ok(Some(carried(&doc))),
        // Not plain JSON text: as jsonb_arg reads it (or its error).
        None => jsonb_arg(ctx, i),
    }
}

fn carried(doc: &Exact<'_>) -> Json {
    match doc {
        Exact::Null => Json::Null,
        Exact::Bool(b) => Json::Bool(*b),
        // As jsonb prints a numeric: `1e3` is 1000, `19.90` stays.
        Exact::Number(n) => {
            let text = Numeric::parse(n).map_or_else(|| (*n).to_owned(), |v| v.to_text());
            Json::String(format!("{MARK}{text}"))
        }
        Exact::String(s) => Json::String(s.to_string()),
        Exact::Array(items) => Json::Array(items.iter().map(carried).collect()),
        Exact::Object(fields) => {
            let mut map = Map::new();
            for (k, v) in fields {
                map.insert(k.to_string(), carried(v));
            }
            Json::Object(map)
        }
    }
}

/// The JSON text of a value read with [`jsonb_arg_exact`], numbers as
/// they were written.
pub(super) fn exact_text(v: &Json) -> String {
    let text = v.to_string();
    // A carried number prints as the string "\u0000<digits>".
    const OPEN: &str = "\"\\u0000";
    if !text.contains(OPEN) {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text.as_str();
    while let Some(at) = rest.find(OPEN) {
        out.push_str(&rest[..at]);
        let digits = &rest[at + OPEN.len()..];
        let end = digits.find('"').unwrap_or(digits.len());
        out.push_str(&digits[..end]);
        rest = digits.get(end + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out
}

/// `#>>`'s text of a value read with [`jsonb_arg_exact`]: a string's
/// contents, a number's digits, other values' JSON text; SQL NULL for null.
pub(super) fn exact_scalar_text(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::String(s) => Some(s.strip_prefix(MARK).unwrap_or(s).to_owned()),
        other => Some(exact_text(other)),
    }
}
