//! SQL functions PostgreSQL has and SQLite lacks, registered on every tenant
//! connection. All are deterministic where PostgreSQL's are and marked
//! innocuous so views, defaults and triggers may use them under
//! `trusted_schema = off`.

use std::cell::RefCell;
use std::collections::HashMap;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::Connection;

fn flags() -> FunctionFlags {
    FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS
}

thread_local! {
    // Compiled patterns per blocking thread; queries reuse a handful of patterns.
    static REGEX_CACHE: RefCell<HashMap<(String, bool), regex::Regex>> = RefCell::new(HashMap::new());
}

fn with_regex<T>(
    pattern: &str,
    case_insensitive: bool,
    f: impl FnOnce(&regex::Regex) -> T,
) -> rusqlite::Result<T> {
    REGEX_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = (pattern.to_owned(), case_insensitive);
        if !cache.contains_key(&key) {
            let re = regex::RegexBuilder::new(pattern)
                .case_insensitive(case_insensitive)
                .build()
                .map_err(|e| {
                    rusqlite::Error::UserFunctionError(Box::new(InvalidRegex(e.to_string())))
                })?;
            if cache.len() > 256 {
                cache.clear();
            }
            cache.insert(key.clone(), re);
        }
        Ok(f(&cache[&key]))
    })
}

/// Raised for a bad regular expression; mapped to SQLSTATE 2201B.
#[derive(Debug, thiserror::Error)]
#[error("invalid regular expression: {0}")]
pub struct InvalidRegex(pub String);

fn regex_match(ctx: &Context<'_>, case_insensitive: bool) -> rusqlite::Result<Option<bool>> {
    // regexp(pattern, text): the argument order SQLite's REGEXP operator uses.
    let pattern: Option<String> = ctx.get(0)?;
    let text: Option<String> = ctx.get(1)?;
    match (pattern, text) {
        (Some(p), Some(t)) => with_regex(&p, case_insensitive, |re| Some(re.is_match(&t))),
        _ => Ok(None),
    }
}

/// PostgreSQL LIKE: case-sensitive, `%` and `_`, escape `\\` unless given.
fn like_match(text: &str, pattern: &str, escape: Option<char>) -> bool {
    let t: Vec<char> = text.chars().collect();
    // Tokenise the pattern: Some(c) literal, None for `_`, and a marker for `%`.
    enum Tok {
        Lit(char),
        One,
        Any,
    }
    let mut toks = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            if let Some(n) = chars.next() {
                toks.push(Tok::Lit(n));
            }
        } else if c == '%' {
            toks.push(Tok::Any);
        } else if c == '_' {
            toks.push(Tok::One);
        } else {
            toks.push(Tok::Lit(c));
        }
    }
    // Iterative wildcard matching with backtracking to the last `%`.
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match toks.get(pi) {
            Some(Tok::Lit(c)) if *c == t[ti] => {
                ti += 1;
                pi += 1;
            }
            Some(Tok::One) => {
                ti += 1;
                pi += 1;
            }
            Some(Tok::Any) => {
                star = Some((pi, ti));
                pi += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks[pi..].iter().all(|t| matches!(t, Tok::Any))
}

fn pad(ctx: &Context<'_>, left: bool) -> rusqlite::Result<Option<String>> {
    let s: Option<String> = ctx.get(0)?;
    let len: Option<i64> = ctx.get(1)?;
    let fill: Option<String> = if ctx.len() > 2 {
        ctx.get(2)?
    } else {
        Some(" ".into())
    };
    let (Some(s), Some(len), Some(fill)) = (s, len, fill) else {
        return Ok(None);
    };
    let len = len.max(0) as usize;
    let chars: Vec<char> = s.chars().collect();
    if chars.len() >= len {
        return Ok(Some(chars[..len].iter().collect()));
    }
    let fill: Vec<char> = fill.chars().collect();
    if fill.is_empty() {
        return Ok(Some(s));
    }
    let padding: String = fill.iter().cycle().take(len - chars.len()).collect();
    Ok(Some(if left { padding + &s } else { s + &padding }))
}

fn initcap(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if start {
                out.extend(c.to_uppercase());
            } else {
                out.extend(c.to_lowercase());
            }
            start = false;
        } else {
            out.push(c);
            start = true;
        }
    }
    out
}

/// A numeric argument as f64, keeping NULL.
/// A float function of one float argument.
type F64Fn = fn(f64) -> f64;

fn num(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<f64>> {
    ctx.get::<Option<f64>>(i)
}

/// Integers stay integers where PostgreSQL's result type would be integral.
fn int_or_real(v: f64, integral_input: bool) -> rusqlite::types::Value {
    if integral_input && v.fract() == 0.0 && v.abs() < 9.0e15 {
        rusqlite::types::Value::Integer(v as i64)
    } else {
        rusqlite::types::Value::Real(v)
    }
}

fn is_integer_arg(ctx: &Context<'_>, i: usize) -> bool {
    matches!(ctx.get_raw(i), rusqlite::types::ValueRef::Integer(_))
}

/// Registers the functions on one connection.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    use rusqlite::types::Value;
    conn.create_scalar_function("regexp", 2, flags(), |ctx| regex_match(ctx, false))?;
    conn.create_scalar_function("regexp_i", 2, flags(), |ctx| regex_match(ctx, true))?;
    for n in [2, 3] {
        conn.create_scalar_function("pg_like", n, flags(), |ctx| {
            let t: Option<String> = ctx.get(0)?;
            let p: Option<String> = ctx.get(1)?;
            let esc = if ctx.len() > 2 {
                ctx.get::<Option<String>>(2)?.and_then(|e| e.chars().next())
            } else {
                Some('\\')
            };
            Ok(match (t, p) {
                (Some(t), Some(p)) => Some(like_match(&t, &p, esc)),
                _ => None,
            })
        })?;
        conn.create_scalar_function("lpad", n, flags(), |ctx| pad(ctx, true))?;
        conn.create_scalar_function("rpad", n, flags(), |ctx| pad(ctx, false))?;
    }
    conn.create_scalar_function("md5", 1, flags(), |ctx| {
        use md5::Digest;
        let s: Option<String> = ctx.get(0)?;
        Ok(s.map(|s| {
            let d = md5::Md5::digest(s.as_bytes());
            d.iter().map(|b| format!("{b:02x}")).collect::<String>()
        }))
    })?;
    conn.create_scalar_function("split_part", 3, flags(), |ctx| {
        let s: Option<String> = ctx.get(0)?;
        let d: Option<String> = ctx.get(1)?;
        let n: Option<i64> = ctx.get(2)?;
        let (Some(s), Some(d), Some(n)) = (s, d, n) else {
            return Ok(None);
        };
        if n == 0 {
            return Err(rusqlite::Error::UserFunctionError(Box::new(
                crate::sql::errors::SqlError::new("22023", "field position must not be zero"),
            )));
        }
        let parts: Vec<&str> = if d.is_empty() {
            vec![s.as_str()]
        } else {
            s.split(d.as_str()).collect()
        };
        let idx = if n > 0 { n - 1 } else { parts.len() as i64 + n };
        Ok(Some(
            usize::try_from(idx)
                .ok()
                .and_then(|i| parts.get(i))
                .map(|p| p.to_string())
                .unwrap_or_default(),
        ))
    })?;
    // Float math PostgreSQL has and this SQLite build lacks.
    let unary: [(&str, F64Fn); 9] = [
        ("exp", f64::exp),
        ("degrees", f64::to_degrees),
        ("radians", f64::to_radians),
        ("sin", f64::sin),
        ("cos", f64::cos),
        ("tan", f64::tan),
        ("atan", f64::atan),
        ("cbrt", f64::cbrt),
        ("log10", f64::log10),
    ];
    for (name, f) in unary {
        conn.create_scalar_function(name, 1, flags(), move |ctx| Ok(num(ctx, 0)?.map(f)))?;
    }
    conn.create_scalar_function("pi", 0, flags(), |_| Ok(std::f64::consts::PI))?;
    for (name, log) in [("ln", f64::ln as F64Fn), ("log", f64::log10)] {
        conn.create_scalar_function(name, 1, flags(), move |ctx| match num(ctx, 0)? {
            Some(v) if v <= 0.0 => Err(rusqlite::Error::UserFunctionError(Box::new(
                crate::sql::errors::SqlError::new(
                    "2201E",
                    if v == 0.0 {
                        "cannot take logarithm of zero"
                    } else {
                        "cannot take logarithm of a negative number"
                    },
                ),
            ))),
            v => Ok(v.map(log)),
        })?;
    }
    // pg_raise(code, message): fails the statement with that SQLSTATE
    // (server-written checks: enum labels, CREATE TYPE). Innocuous, so the
    // enum label triggers may call it.
    conn.create_scalar_function(
        "pg_raise",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        |ctx| {
            let code: String = ctx.get(0)?;
            let message: String = ctx.get(1)?;
            // The code travels in the message (see `errors::with_code`).
            Err::<Option<String>, _>(rusqlite::Error::UserFunctionError(
                crate::sql::errors::with_code(&code, &message).into(),
            ))
        },
    )?;
    // The divisor of `/` and `%`, passed through unless it is zero.
    conn.create_scalar_function("pg_divisor", 1, flags(), |ctx| {
        let v: Value = ctx.get(0)?;
        let zero = match v {
            Value::Integer(0) => true,
            Value::Real(f) => f == 0.0,
            _ => false,
        };
        if zero {
            return Err(rusqlite::Error::UserFunctionError(Box::new(
                crate::sql::errors::SqlError::new("22012", "division by zero"),
            )));
        }
        Ok(v)
    })?;
    conn.create_scalar_function("initcap", 1, flags(), |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.map(|s| initcap(&s)))
    })?;
    conn.create_scalar_function("floor", 1, flags(), |ctx| {
        let int = is_integer_arg(ctx, 0);
        Ok(num(ctx, 0)?
            .map(|v| int_or_real(v.floor(), int))
            .unwrap_or(Value::Null))
    })?;
    conn.create_scalar_function("ceil", 1, flags(), |ctx| {
        let int = is_integer_arg(ctx, 0);
        Ok(num(ctx, 0)?
            .map(|v| int_or_real(v.ceil(), int))
            .unwrap_or(Value::Null))
    })?;
    conn.create_scalar_function("sqrt", 1, flags(), |ctx| match num(ctx, 0)? {
        Some(v) if v < 0.0 => Err(rusqlite::Error::UserFunctionError(Box::new(
            crate::sql::errors::SqlError::new(
                "2201F",
                "cannot take square root of a negative number",
            ),
        ))),
        v => Ok(v.map(f64::sqrt)),
    })?;
    conn.create_scalar_function("power", 2, flags(), |ctx| {
        Ok(match (num(ctx, 0)?, num(ctx, 1)?) {
            (Some(a), Some(b)) => Some(a.powf(b)),
            _ => None,
        })
    })?;
    for n in [1, 2] {
        conn.create_scalar_function("trunc", n, flags(), |ctx| {
            let places: i64 = if ctx.len() > 1 {
                ctx.get::<Option<i64>>(1)?.unwrap_or(0)
            } else {
                0
            };
            let int = is_integer_arg(ctx, 0);
            Ok(num(ctx, 0)?
                .map(|v| {
                    let m = 10f64.powi(places as i32);
                    int_or_real((v * m).trunc() / m, int || places <= 0 && ctx.len() == 1)
                })
                .unwrap_or(Value::Null))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like() {
        assert!(like_match("abc", "a%", Some('\\')));
        assert!(!like_match("Abc", "a%", Some('\\')));
        assert!(like_match("a_c", "a\\_c", Some('\\')));
        assert!(!like_match("abc", "a\\_c", Some('\\')));
        assert!(like_match("abc", "%b%", Some('\\')));
        assert!(like_match("", "%", Some('\\')));
        assert!(!like_match("ab", "a", Some('\\')));
    }

    #[test]
    fn functions_run() {
        let c = Connection::open_in_memory().unwrap();
        register(&c).unwrap();
        let row: (String, String, String, String, i64, f64) = c
            .query_row(
                "SELECT lpad('7', 3, '0'), rpad('ab', 4), split_part('a,b,c', ',', 2), initcap('hello woRLD'), floor(7), power(2, 10)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .unwrap();
        assert_eq!(
            row,
            (
                "007".into(),
                "ab  ".into(),
                "b".into(),
                "Hello World".into(),
                7,
                1024.0
            )
        );
        let m: String = c.query_row("SELECT md5('abc')", [], |r| r.get(0)).unwrap();
        assert_eq!(m, "900150983cd24fb0d6963f7d28e17f72");
    }
}
