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

/// Registers the functions on one connection.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("regexp", 2, flags(), |ctx| regex_match(ctx, false))?;
    conn.create_scalar_function("regexp_i", 2, flags(), |ctx| regex_match(ctx, true))?;
    Ok(())
}
