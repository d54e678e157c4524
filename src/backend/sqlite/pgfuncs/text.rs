//! Text and array functions:
//! - `lower(s)`, `upper(s)` for every letter, `repeat(s, n)`, `reverse(s)`;
//! - `regexp_replace(s, pattern, replacement[, flags])`: PostgreSQL's
//!   replacement syntax (`\1`..`\9`, `\&`, `\\`), flags `g` (all matches),
//!   `i`/`c` (case), `n`/`m`/`s`/`x` accepted as in PostgreSQL's ARE mode;
//! - `regexp_match(s, pattern[, flags])` -> the first match's text[] (JSON);
//! - `pg_regexp_matches(s, pattern[, flags])` -> the rows of PostgreSQL's
//!   set-returning `regexp_matches`, a JSON array of text[];
//! - `string_to_array(s, delimiter[, null_string])` -> JSON array text;
//! - `format(fmt, ...)`: `%s`, `%I`, `%L`, `%%`, with `%n$` positions.

use super::{error, pure};
use rusqlite::functions::Context;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

/// Results above this many bytes raise 54000, as PostgreSQL's 1 GB limit does.
const MAX_RESULT: usize = 256 * 1024 * 1024;

fn change_case(s: &str, upper: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let mut changed = String::new();
        if upper {
            changed.extend(c.to_uppercase());
        } else {
            changed.extend(c.to_lowercase());
        }
        if changed.chars().count() == 1 {
            out.push_str(&changed);
        } else {
            out.push(c);
        }
    }
    out
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("repeat", 2, pure(), |ctx| {
        let (Some(s), Some(n)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<i64>>(1)?) else {
            return Ok(None);
        };
        let n = usize::try_from(n).unwrap_or(0);
        if s.len().saturating_mul(n) > MAX_RESULT {
            return Err(error("54000", "requested length too large"));
        }
        Ok(Some(s.repeat(n)))
    })?;
    // PostgreSQL's lower/upper change every letter (SQLite's only ASCII);
    // a letter whose other case is longer (ß) stays, as with glibc.
    for (name, upper) in [("lower", false), ("upper", true)] {
        conn.create_scalar_function(name, 1, pure(), move |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Null => None,
                ValueRef::Text(t) if t.is_ascii() => {
                    let mut out = String::from_utf8_lossy(t).into_owned();
                    if upper {
                        out.make_ascii_uppercase();
                    } else {
                        out.make_ascii_lowercase();
                    }
                    Some(out)
                }
                _ => ctx
                    .get::<Option<String>>(0)?
                    .map(|s| change_case(&s, upper)),
            })
        })?;
    }
    conn.create_scalar_function("reverse", 1, pure(), |ctx| {
        Ok(ctx
            .get::<Option<String>>(0)?
            .map(|s| s.chars().rev().collect::<String>()))
    })?;
    for n in [3, 4] {
        conn.create_scalar_function("regexp_replace", n, pure(), |ctx| regexp_replace(ctx))?;
    }
    for n in [2, 3] {
        conn.create_scalar_function("regexp_match", n, pure(), |ctx| regexp_match(ctx))?;
        conn.create_scalar_function("pg_regexp_matches", n, pure(), |ctx| regexp_matches(ctx))?;
        conn.create_scalar_function("string_to_array", n, pure(), |ctx| string_to_array(ctx))?;
    }
    for n in [2, 3] {
        conn.create_scalar_function("regexp_split_to_array", n, pure(), |ctx| regexp_split(ctx))?;
    }
    conn.create_scalar_function("pg_regexp_substr", 2, pure(), |ctx| regexp_substr(ctx))?;
    conn.create_scalar_function("format", -1, pure(), |ctx| format(ctx))?;
    conn.create_aggregate_function("pg_string_agg_distinct", 2, pure(), DistinctStringAgg)?;
    Ok(())
}

/// `string_agg(DISTINCT x, sep ...)`, which SQLite's DISTINCT (one argument
/// only) cannot express: each value once, in the order the rows come (the
/// translator orders them), NULLs skipped; each value after the first is
/// preceded by its own row's separator, as in PostgreSQL.
struct DistinctStringAgg;

#[derive(Default)]
struct DistinctAcc {
    seen: std::collections::HashSet<String>,
    out: Option<String>,
}

impl rusqlite::functions::Aggregate<DistinctAcc, Option<String>> for DistinctStringAgg {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<DistinctAcc> {
        Ok(DistinctAcc::default())
    }

    fn step(&self, ctx: &mut Context<'_>, acc: &mut DistinctAcc) -> rusqlite::Result<()> {
        let Some(value) = text_arg(ctx, 0)? else {
            return Ok(());
        };
        if acc.seen.contains(&value) {
            return Ok(());
        }
        match &mut acc.out {
            None => acc.out = Some(value.clone()),
            Some(out) => {
                if let Some(sep) = text_arg(ctx, 1)? {
                    out.push_str(&sep);
                }
                out.push_str(&value);
                if out.len() > MAX_RESULT {
                    return Err(error("54000", "requested length too large"));
                }
            }
        }
        acc.seen.insert(value);
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        acc: Option<DistinctAcc>,
    ) -> rusqlite::Result<Option<String>> {
        Ok(acc.and_then(|a| a.out))
    }
}

fn text_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    ctx.get::<Option<String>>(i)
}

fn regexp_replace(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    // A number fourth is PostgreSQL 15's start position, not flags.
    if ctx.len() > 3 && matches!(ctx.get_raw(3), ValueRef::Integer(_)) {
        return super::regexp_positions::replace_from(ctx);
    }
    let (Some(source), Some(pattern), Some(replacement)) =
        (text_arg(ctx, 0)?, text_arg(ctx, 1)?, text_arg(ctx, 2)?)
    else {
        return Ok(None);
    };
    let flags = if ctx.len() > 3 {
        match text_arg(ctx, 3)? {
            Some(f) => f,
            None => return Ok(None),
        }
    } else {
        String::new()
    };
    let (re, global) = compile(&pattern, &flags)?;
    let mut out = String::with_capacity(source.len());
    let mut last = 0;
    for caps in re.captures_iter(&source) {
        let Some(whole) = caps.get(0) else { continue };
        out.push_str(&source[last..whole.start()]);
        expand(&replacement, &caps, &mut out);
        last = whole.end();
        if !global {
            break;
        }
    }
    out.push_str(&source[last..]);
    Ok(Some(out))
}

/// A pattern with PostgreSQL's flags: `g` (all matches, returned as the
/// second value), `i`/`c` (case), `n`/`m`/`s`/`x` as in PostgreSQL's ARE mode.
pub(super) fn compile(pattern: &str, flags: &str) -> rusqlite::Result<(regex::Regex, bool)> {
    let mut global = false;
    let mut builder = regex::RegexBuilder::new(pattern);
    for flag in flags.chars() {
        match flag {
            'g' => global = true,
            'i' => {
                builder.case_insensitive(true);
            }
            'c' => {
                builder.case_insensitive(false);
            }
            'n' | 'm' => {
                builder.multi_line(true);
            }
            's' => {
                builder.dot_matches_new_line(true);
            }
            'x' => {
                builder.ignore_whitespace(true);
            }
            other => {
                return Err(error(
                    "22023",
                    format!("invalid regular expression option: \"{other}\""),
                ))
            }
        }
    }
    let re = builder
        .build()
        .map_err(|e| error("2201B", format!("invalid regular expression: {e}")))?;
    Ok((re, global))
}

/// The text[] of one match, as a JSON array: each capture group's text
/// (NULL when it took no part), or the whole match when there is no group.
fn match_array(re: &regex::Regex, caps: &regex::Captures<'_>) -> serde_json::Value {
    let groups: Vec<serde_json::Value> = if re.captures_len() == 1 {
        vec![caps.get(0).map(|m| m.as_str()).into()]
    } else {
        (1..re.captures_len())
            .map(|i| caps.get(i).map(|m| m.as_str()).into())
            .collect()
    };
    serde_json::Value::Array(groups)
}

/// Source, pattern and flags of `regexp_match[es](s, pattern[, flags])`;
/// `None` when one is NULL.
fn match_args(ctx: &Context<'_>) -> rusqlite::Result<Option<(String, String, String)>> {
    let (Some(source), Some(pattern)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
        return Ok(None);
    };
    let flags = if ctx.len() > 2 {
        match text_arg(ctx, 2)? {
            Some(f) => f,
            None => return Ok(None),
        }
    } else {
        String::new()
    };
    Ok(Some((source, pattern, flags)))
}

/// Source and compiled pattern of a function that takes no `g` flag
/// (`regexp_match`, `regexp_split_to_array`); `None` when one is NULL.
fn one_match_args(
    ctx: &Context<'_>,
    function: &str,
) -> rusqlite::Result<Option<(String, regex::Regex)>> {
    let Some((source, pattern, flags)) = match_args(ctx)? else {
        return Ok(None);
    };
    let (re, global) = compile(&pattern, &flags)?;
    if global {
        return Err(error(
            "22023",
            format!("{function}() does not support the \"global\" option"),
        ));
    }
    Ok(Some((source, re)))
}

/// `regexp_split_to_array(s, pattern[, flags])`: the pieces between
/// matches, as a JSON array (the stored text[] form). An empty match splits
/// between characters, as PostgreSQL does.
fn regexp_split(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let Some((source, re)) = one_match_args(ctx, "regexp_split_to_array")? else {
        return Ok(None);
    };
    let mut pieces = Vec::new();
    let mut start = 0;
    for m in re.find_iter(&source) {
        if m.start() == m.end() {
            // An empty match: never at the very start or end.
            if m.start() == 0 || m.start() >= source.len() {
                continue;
            }
        }
        pieces.push(serde_json::Value::from(&source[start..m.start()]));
        start = m.end();
    }
    pieces.push(serde_json::Value::from(&source[start..]));
    Ok(Some(serde_json::Value::Array(pieces).to_string()))
}

/// `substring(s FROM pattern)`: the first match, or its first capture group
/// when the pattern has one; NULL when nothing matches.
fn regexp_substr(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let (Some(source), Some(pattern)) = (text_arg(ctx, 0)?, text_arg(ctx, 1)?) else {
        return Ok(None);
    };
    let (re, _) = compile(&pattern, "")?;
    Ok(re.captures(&source).and_then(|caps| {
        let group = if re.captures_len() > 1 { 1 } else { 0 };
        caps.get(group).map(|m| m.as_str().to_owned())
    }))
}

/// `regexp_match(s, pattern[, flags])`: the first match's text[], or NULL.
fn regexp_match(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let Some((source, re)) = one_match_args(ctx, "regexp_match")? else {
        return Ok(None);
    };
    Ok(re
        .captures(&source)
        .map(|caps| match_array(&re, &caps).to_string()))
}

/// `pg_regexp_matches(s, pattern[, flags])`: the rows `regexp_matches`
/// returns (the first match, or every match with `g`), as a JSON array of
/// text[] for the translator's `json_each`.
fn regexp_matches(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let Some((source, pattern, flags)) = match_args(ctx)? else {
        return Ok(Some("[]".to_owned()));
    };
    let (re, global) = compile(&pattern, &flags)?;
    let rows: Vec<serde_json::Value> = re
        .captures_iter(&source)
        .take(if global { usize::MAX } else { 1 })
        .map(|caps| match_array(&re, &caps))
        .collect();
    Ok(Some(serde_json::Value::Array(rows).to_string()))
}

/// PostgreSQL replacement text: `\n` is group n, `\&` the match, `\\` a backslash.
pub(super) fn expand(replacement: &str, caps: &regex::Captures<'_>, out: &mut String) {
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.peek().copied() {
            Some(d @ '1'..='9') => {
                chars.next();
                let group = d as usize - '0' as usize;
                out.push_str(caps.get(group).map_or("", |m| m.as_str()));
            }
            Some('&') => {
                chars.next();
                out.push_str(caps.get(0).map_or("", |m| m.as_str()));
            }
            Some('\\') => {
                chars.next();
                out.push('\\');
            }
            _ => out.push('\\'),
        }
    }
}

fn string_to_array(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let Some(s) = text_arg(ctx, 0)? else {
        return Ok(None);
    };
    let delimiter = text_arg(ctx, 1)?;
    let null_string = if ctx.len() > 2 {
        text_arg(ctx, 2)?
    } else {
        None
    };
    if s.is_empty() {
        return Ok(Some("[]".into()));
    }
    let parts: Vec<String> = match delimiter.as_deref() {
        None => s.chars().map(String::from).collect(),
        Some("") => vec![s.clone()],
        Some(d) => s.split(d).map(String::from).collect(),
    };
    let values: Vec<serde_json::Value> = parts
        .into_iter()
        .map(|p| {
            if null_string.as_deref() == Some(p.as_str()) {
                serde_json::Value::Null
            } else {
                serde_json::Value::String(p)
            }
        })
        .collect();
    Ok(Some(serde_json::Value::Array(values).to_string()))
}

/// An argument as text for `%s` (None = SQL NULL).
fn arg_text(value: ValueRef<'_>) -> Option<String> {
    match value {
        ValueRef::Null => None,
        ValueRef::Integer(n) => Some(n.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Some(b.iter().fold(String::from("\\x"), |mut s, byte| {
            s.push_str(&format!("{byte:02x}"));
            s
        })),
    }
}

/// `quote_nullable`: NULL unquoted; backslashes make it an E'' string.
fn quote_literal(s: Option<&str>) -> String {
    match s {
        None => "NULL".into(),
        Some(s) if s.contains('\\') => {
            format!("E'{}'", s.replace('\\', "\\\\").replace('\'', "''"))
        }
        Some(s) => format!("'{}'", s.replace('\'', "''")),
    }
}

fn format(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    if ctx.is_empty() {
        return Err(error("42883", "function format() does not exist"));
    }
    let Some(fmt) = text_arg(ctx, 0)? else {
        return Ok(None);
    };
    let mut out = String::with_capacity(fmt.len());
    let mut next_arg = 1;
    let mut chars = fmt.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // `%[n$][-][width | * | *m$]type`.
        let read_digits = |chars: &mut std::iter::Peekable<std::str::Chars<'_>>| {
            let mut digits = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            digits
        };
        let position = |digits: &str| -> rusqlite::Result<usize> {
            match digits.parse::<usize>() {
                Ok(0) => Err(error(
                    "22023",
                    "format specifies argument 0, but arguments are numbered from 1",
                )),
                Ok(n) => Ok(n),
                Err(_) => Err(error("22003", "number is out of range")),
            }
        };
        let mut index = next_arg;
        let mut width: Option<i64> = None;
        let mut left = false;
        let digits = read_digits(&mut chars);
        let positioned = !digits.is_empty() && chars.peek() == Some(&'$');
        if positioned {
            chars.next();
            index = position(&digits)?;
        } else if !digits.is_empty() {
            width = digits.parse().ok();
        }
        if width.is_none() {
            if chars.peek() == Some(&'-') {
                chars.next();
                left = true;
            }
            let digits = read_digits(&mut chars);
            if !digits.is_empty() {
                width = Some(
                    digits
                        .parse()
                        .map_err(|_| error("22003", "number is out of range"))?,
                );
            } else if chars.peek() == Some(&'*') {
                // The width is an argument: the next one, or `*m$`.
                chars.next();
                let digits = read_digits(&mut chars);
                let at = if digits.is_empty() {
                    let at = index;
                    index += 1;
                    at
                } else {
                    if chars.next() != Some('$') {
                        return Err(error("22023", "unterminated format() type specifier"));
                    }
                    position(&digits)?
                };
                if at >= ctx.len() {
                    return Err(error("22023", "too few arguments for format()"));
                }
                width = Some(ctx.get::<Option<i64>>(at)?.unwrap_or(0));
                if !positioned && digits.is_empty() {
                    next_arg = index;
                }
            }
        }
        // A negative width left-justifies, as `-` does.
        let (width, left) = match width {
            Some(w) if w < 0 => (Some(w.unsigned_abs() as usize), true),
            Some(w) => (Some(w as usize), left),
            None => (None, left),
        };
        let digits = if positioned || width.is_some() {
            "x"
        } else {
            ""
        };
        let conversion = chars
            .next()
            .ok_or_else(|| error("22023", "unterminated format() type specifier"))?;
        if conversion == '%' && digits.is_empty() {
            out.push('%');
            continue;
        }
        if !matches!(conversion, 's' | 'I' | 'L') {
            return Err(error(
                "22023",
                format!("unrecognized format() type specifier \"{conversion}\""),
            ));
        }
        if index >= ctx.len() {
            return Err(error("22023", "too few arguments for format()"));
        }
        next_arg = index + 1;
        let value = arg_text(ctx.get_raw(index));
        let formatted = match conversion {
            's' => value.unwrap_or_default(),
            'I' => match value {
                Some(v) => crate::sql::pg_ident::quote_ident(&v),
                None => {
                    return Err(error(
                        "22004",
                        "null values cannot be formatted as an SQL identifier",
                    ))
                }
            },
            _ => quote_literal(value.as_deref()),
        };
        let pad = width.map_or(0, |w| w.saturating_sub(formatted.chars().count()));
        if !left {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        out.push_str(&formatted);
        if left {
            out.extend(std::iter::repeat_n(' ', pad));
        }
    }
    Ok(Some(out))
}
