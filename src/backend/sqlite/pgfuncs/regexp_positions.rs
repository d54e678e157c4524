//! PostgreSQL 15's position-aware regular expression functions, over the
//! same pattern compiler as `regexp_replace` (see `text`):
//! - `regexp_count(s, pattern[, start[, flags]])`: how many matches;
//! - `regexp_instr(s, pattern[, start[, n[, endoption[, flags[, subexpr]]]]])`:
//!   where the n-th match (or its subexpression) begins, or ends with
//!   `endoption = 1`; 0 when there is none;
//! - `regexp_like(s, pattern[, flags])`: whether it matches;
//! - `regexp_substr(s, pattern[, start[, n[, flags[, subexpr]]]])`: the n-th
//!   match's text (or its subexpression's), NULL when there is none;
//! - `regexp_replace(s, pattern, replacement, start[, n[, flags]])`: the n-th
//!   match replaced, or every match from `start` on when `n` is 0.
//!
//! Positions count characters from 1, as PostgreSQL's do. A search from
//! `start` still sees the text before it (`^` and `\b` look behind it).

use super::text::{compile, expand};
use super::{error, pure};
use rusqlite::functions::Context;
use rusqlite::Connection;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    for n in 2..=4 {
        conn.create_scalar_function("regexp_count", n, pure(), |ctx| count(ctx))?;
    }
    for n in 2..=7 {
        conn.create_scalar_function("regexp_instr", n, pure(), |ctx| instr(ctx))?;
    }
    for n in 2..=3 {
        conn.create_scalar_function("regexp_like", n, pure(), |ctx| like(ctx))?;
    }
    for n in 2..=6 {
        conn.create_scalar_function("regexp_substr", n, pure(), |ctx| substr(ctx))?;
    }
    for n in 5..=6 {
        conn.create_scalar_function("regexp_replace", n, pure(), |ctx| replace_from(ctx))?;
    }
    Ok(())
}

/// The text argument `i`, or the default when the call has fewer.
fn text_at(ctx: &Context<'_>, i: usize, default: &str) -> rusqlite::Result<Option<String>> {
    if i < ctx.len() {
        ctx.get::<Option<String>>(i)
    } else {
        Ok(Some(default.to_owned()))
    }
}

/// The integer argument `i` (the parameter `name`), checked against its
/// least allowed value; the default when the call has fewer.
fn int_at(
    ctx: &Context<'_>,
    i: usize,
    default: i64,
    name: &str,
    least: i64,
) -> rusqlite::Result<Option<i64>> {
    if i >= ctx.len() {
        return Ok(Some(default));
    }
    let Some(v) = ctx.get::<Option<i64>>(i)? else {
        return Ok(None);
    };
    if v < least {
        return Err(error(
            "22023",
            format!("invalid value for parameter \"{name}\": {v}"),
        ));
    }
    Ok(Some(v))
}

/// A pattern of a function that takes no `g` flag.
fn compile_once(pattern: &str, flags: &str, function: &str) -> rusqlite::Result<regex::Regex> {
    let (re, global) = compile(pattern, flags)?;
    if global {
        return Err(error(
            "22023",
            format!("{function}() does not support the \"global\" option"),
        ));
    }
    Ok(re)
}

/// The byte offset of character `start` (1-based); the end when past it.
fn byte_offset(source: &str, start: i64) -> usize {
    let skip = usize::try_from(start - 1).unwrap_or(0);
    source
        .char_indices()
        .nth(skip)
        .map_or(source.len(), |(b, _)| b)
}

/// The character position (1-based) of byte offset `b`.
fn char_position(source: &str, b: usize) -> i64 {
    source[..b].chars().count() as i64 + 1
}

/// The matches from byte `from` on, as PostgreSQL walks them: after an
/// empty match the search moves on by one character.
fn matches_from<'s>(
    re: &'s regex::Regex,
    source: &'s str,
    from: usize,
) -> impl Iterator<Item = regex::Captures<'s>> + 's {
    let mut at = Some(from);
    std::iter::from_fn(move || {
        let pos = at?;
        if pos > source.len() {
            return None;
        }
        let caps = re.captures_at(source, pos)?;
        let whole = caps.get(0)?;
        at = if whole.end() > whole.start() {
            Some(whole.end())
        } else {
            source[whole.end()..]
                .chars()
                .next()
                .map(|c| whole.end() + c.len_utf8())
                .or(Some(source.len() + 1))
        };
        Some(caps)
    })
}

fn source_and_pattern(ctx: &Context<'_>) -> rusqlite::Result<Option<(String, String)>> {
    Ok(
        match (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?) {
            (Some(s), Some(p)) => Some((s, p)),
            _ => None,
        },
    )
}

fn count(ctx: &Context<'_>) -> rusqlite::Result<Option<i64>> {
    let Some((source, pattern)) = source_and_pattern(ctx)? else {
        return Ok(None);
    };
    let (Some(start), Some(flags)) = (int_at(ctx, 2, 1, "start", 1)?, text_at(ctx, 3, "")?) else {
        return Ok(None);
    };
    let re = compile_once(&pattern, &flags, "regexp_count")?;
    Ok(Some(
        matches_from(&re, &source, byte_offset(&source, start)).count() as i64,
    ))
}

fn like(ctx: &Context<'_>) -> rusqlite::Result<Option<bool>> {
    let Some((source, pattern)) = source_and_pattern(ctx)? else {
        return Ok(None);
    };
    let Some(flags) = text_at(ctx, 2, "")? else {
        return Ok(None);
    };
    let re = compile_once(&pattern, &flags, "regexp_like")?;
    Ok(Some(re.is_match(&source)))
}

/// The `n`-th match from `start`, and the span of its subexpression
/// (`None` when the subexpression took no part or does not exist).
fn nth_span(
    re: &regex::Regex,
    source: &str,
    start: i64,
    n: i64,
    subexpr: i64,
) -> Option<(usize, usize)> {
    let skip = usize::try_from(n - 1).ok()?;
    let caps = matches_from(re, source, byte_offset(source, start)).nth(skip)?;
    let m = caps.get(usize::try_from(subexpr).ok()?)?;
    Some((m.start(), m.end()))
}

fn instr(ctx: &Context<'_>) -> rusqlite::Result<Option<i64>> {
    let Some((source, pattern)) = source_and_pattern(ctx)? else {
        return Ok(None);
    };
    let (Some(start), Some(n), Some(endoption), Some(flags), Some(subexpr)) = (
        int_at(ctx, 2, 1, "start", 1)?,
        int_at(ctx, 3, 1, "n", 1)?,
        int_at(ctx, 4, 0, "endoption", 0)?,
        text_at(ctx, 5, "")?,
        int_at(ctx, 6, 0, "subexpr", 0)?,
    ) else {
        return Ok(None);
    };
    if endoption > 1 {
        return Err(error(
            "22023",
            format!("invalid value for parameter \"endoption\": {endoption}"),
        ));
    }
    let re = compile_once(&pattern, &flags, "regexp_instr")?;
    Ok(Some(match nth_span(&re, &source, start, n, subexpr) {
        Some((from, to)) => char_position(&source, if endoption == 1 { to } else { from }),
        None => 0,
    }))
}

fn substr(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let Some((source, pattern)) = source_and_pattern(ctx)? else {
        return Ok(None);
    };
    let (Some(start), Some(n), Some(flags), Some(subexpr)) = (
        int_at(ctx, 2, 1, "start", 1)?,
        int_at(ctx, 3, 1, "n", 1)?,
        text_at(ctx, 4, "")?,
        int_at(ctx, 5, 0, "subexpr", 0)?,
    ) else {
        return Ok(None);
    };
    let re = compile_once(&pattern, &flags, "regexp_substr")?;
    Ok(nth_span(&re, &source, start, n, subexpr).map(|(from, to)| source[from..to].to_owned()))
}

/// `regexp_replace(s, pattern, replacement, start[, n[, flags]])`: without
/// `n`, the `g` flag says all or the first.
pub(super) fn replace_from(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let Some((source, pattern)) = source_and_pattern(ctx)? else {
        return Ok(None);
    };
    let (Some(replacement), Some(start), Some(n), Some(flags)) = (
        ctx.get::<Option<String>>(2)?,
        int_at(ctx, 3, 1, "start", 1)?,
        int_at(ctx, 4, -1, "n", 0)?,
        text_at(ctx, 5, "")?,
    ) else {
        return Ok(None);
    };
    let (re, global) = compile(&pattern, &flags)?;
    // Which matches to replace: all (0) or the n-th.
    let n = if n < 0 { i64::from(!global) } else { n };
    let mut out = String::with_capacity(source.len());
    let mut last = 0;
    for (i, caps) in matches_from(&re, &source, byte_offset(&source, start)).enumerate() {
        if n > 0 && i as i64 + 1 != n {
            continue;
        }
        let Some(whole) = caps.get(0) else { continue };
        out.push_str(&source[last..whole.start()]);
        expand(&replacement, &caps, &mut out);
        last = whole.end();
        if n > 0 {
            break;
        }
    }
    out.push_str(&source[last..]);
    Ok(Some(out))
}
