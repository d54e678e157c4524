//! Range functions and operators over stored ranges (`sql::textual::range`):
//! the constructors (`int4range(1, 10, '[]')`), `lower` / `upper`,
//! `isempty`, `lower_inc` / `upper_inc` / `lower_inf` / `upper_inf`, `@>` /
//! `<@` (a range or an element) and `&&`. A stored range's element type is
//! read from its canonical text (a column's value carries no type here).

use rusqlite::functions::Context;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::{error, pure};
use crate::sql::textual::range::{value_text, Range, RangeKind};

/// The element type a stored (canonical) range's bounds spell.
fn guess_kind(text: &str) -> RangeKind {
    let inner = text.trim_matches(|c| matches!(c, '[' | ']' | '(' | ')'));
    let bound = inner
        .split(',')
        .map(|b| b.trim_matches('"'))
        .find(|b| !b.is_empty())
        .unwrap_or("");
    let date_like = |b: &str| b.len() >= 10 && b.as_bytes()[4] == b'-' && b.as_bytes()[7] == b'-';
    if bound.parse::<i64>().is_ok() || bound.is_empty() {
        RangeKind::Int8
    } else if bound.parse::<f64>().is_ok() {
        RangeKind::Num
    } else if date_like(bound) && bound.len() == 10 || bound.ends_with("infinity") {
        RangeKind::Date
    } else if bound.len() > 19 && bound[19..].contains(['+', '-']) {
        RangeKind::Tstz
    } else {
        RangeKind::Ts
    }
}

/// A stored range (`None` for NULL or text that is no range).
pub(super) fn stored_range(v: ValueRef<'_>) -> Option<Range> {
    let ValueRef::Text(t) = v else { return None };
    let text = std::str::from_utf8(t).ok()?;
    let first = text.trim_start().bytes().next()?;
    if !matches!(first, b'[' | b'(' | b'e' | b'E') {
        return None;
    }
    // A numeric range's bounds are kept as written: read it as numrange,
    // which never re-canonicalizes (an int4range is already canonical).
    let kind = match guess_kind(text) {
        RangeKind::Int8 => RangeKind::Num,
        other => other,
    };
    Range::parse(text, kind).ok()
}

fn range_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Range>> {
    match ctx.get_raw(i) {
        ValueRef::Null => Ok(None),
        v => stored_range(v)
            .map(Some)
            .ok_or_else(|| error("22P02", "malformed range literal")),
    }
}

/// `a @> b` where `a` is a range: `b` a range or an element.
pub(super) fn contains(a: &Range, b: ValueRef<'_>) -> rusqlite::Result<bool> {
    if let Some(inner) = stored_range(b) {
        return Ok(a.contains_range(&inner));
    }
    let text = value_text(b, a.kind).map_err(|m| error("22P02", m))?;
    Ok(a.contains_value(&text))
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    // pg_range_make(lower, upper, bounds, kind): the range constructors.
    conn.create_scalar_function("pg_range_make", 4, pure(), |ctx| {
        let kind_name: String = ctx.get(3)?;
        let kind = RangeKind::from_name(&kind_name)
            .ok_or_else(|| error("42704", format!("type \"{kind_name}\" does not exist")))?;
        let bounds: Option<String> = ctx.get(2)?;
        let (lower_inc, upper_inc) = match bounds.as_deref() {
            None => return Ok(Value::Null),
            Some("[)") => (true, false),
            Some("[]") => (true, true),
            Some("(]") => (false, true),
            Some("()") => (false, false),
            Some(_) => return Err(error("42601", "invalid range bound flags")),
        };
        let bound = |i: usize| -> rusqlite::Result<Option<String>> {
            match ctx.get_raw(i) {
                ValueRef::Null => Ok(None),
                v => value_text(v, kind).map(Some).map_err(|m| error("22P02", m)),
            }
        };
        let range = Range::make(kind, bound(0)?, bound(1)?, lower_inc, upper_inc)
            .map_err(|m| error(crate::sql::textual::code_of(&m), m))?;
        Ok(Value::Text(range.to_string()))
    })?;
    // The bound's output text (`lower(col)` typed text, see
    // `translate::range_ops::projection`).
    for (name, upper) in [
        ("pg_range_lower_text", false),
        ("pg_range_upper_text", true),
    ] {
        conn.create_scalar_function(name, 1, pure(), move |ctx| {
            let Some(r) = range_arg(ctx, 0)? else {
                return Ok(None);
            };
            let bound = if upper { r.upper() } else { r.lower() };
            Ok(bound.and_then(|b| b.value.clone()))
        })?;
    }
    for (name, upper) in [("pg_range_lower", false), ("pg_range_upper", true)] {
        conn.create_scalar_function(name, 1, pure(), move |ctx| {
            let Some(r) = range_arg(ctx, 0)? else {
                return Ok(Value::Null);
            };
            let bound = if upper { r.upper() } else { r.lower() };
            Ok(bound
                .and_then(|b| b.value.as_deref())
                .and_then(|v| crate::sql::textual::range::stored_value(v, r.kind))
                .unwrap_or(Value::Null))
        })?;
    }
    type Test = fn(&Range) -> bool;
    let tests: [(&str, Test); 5] = [
        ("pg_range_isempty", |r| r.bounds.is_none()),
        ("pg_range_lower_inc", |r| {
            r.lower().is_some_and(|b| b.inclusive)
        }),
        ("pg_range_upper_inc", |r| {
            r.upper().is_some_and(|b| b.inclusive)
        }),
        ("pg_range_lower_inf", |r| {
            r.lower().is_some_and(|b| b.value.is_none())
        }),
        ("pg_range_upper_inf", |r| {
            r.upper().is_some_and(|b| b.value.is_none())
        }),
    ];
    for (name, test) in tests {
        conn.create_scalar_function(name, 1, pure(), move |ctx| {
            Ok(range_arg(ctx, 0)?.map(|r| test(&r)))
        })?;
    }
    conn.create_scalar_function("pg_range_contains", 2, pure(), |ctx| {
        let Some(a) = range_arg(ctx, 0)? else {
            return Ok(None);
        };
        match ctx.get_raw(1) {
            ValueRef::Null => Ok(None),
            b => contains(&a, b).map(Some),
        }
    })?;
    // 'range' for a stored range (not array JSON), else NULL: the operand
    // of a `CASE ... WHEN 'range'` a remote tenant resolves to its ELSE.
    conn.create_scalar_function("pg_is_range", 1, pure(), |ctx| {
        let v = ctx.get_raw(0);
        let json = matches!(v, ValueRef::Text(t) if serde_json::from_slice::<serde::de::IgnoredAny>(t).is_ok());
        Ok((!json && stored_range(v).is_some()).then_some("range"))
    })?;
    conn.create_scalar_function("pg_range_overlaps", 2, pure(), |ctx| {
        let (Some(a), Some(b)) = (range_arg(ctx, 0)?, range_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(a.overlaps(&b)))
    })
}
