//! PostgreSQL's SQL/JSON path functions: `jsonb_path_exists`,
//! `jsonb_path_match`, `jsonb_path_query_array` and `jsonb_path_query_first`
//! (each with optional `vars` and `silent`); the translator makes the
//! set-returning `jsonb_path_query` and the `@?`/`@@` operators of them.
//! The path language is read by `lex` and `parse` into `ast` and run by
//! `eval` (predicates in `predicate`, numbers in `arith`, `.keyvalue()`'s
//! ids from `layout`).

mod arith;
mod ast;
mod eval;
mod layout;
mod lex;
mod parse;
mod predicate;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use rusqlite::functions::Context;
use rusqlite::Connection;
use serde_json::{Map, Value as Json};

use super::jsonops::json_arg;
use super::{error, pure};
use ast::JsonPath;

/// What a call's arguments ask for.
struct Call {
    target: Json,
    path: Arc<JsonPath>,
    vars: Map<String, Json>,
    silent: bool,
}

/// A jsonb argument: JSON text first (`'{}'` is an empty object here, not
/// the empty array literal `json_arg` would read; numbers keep their
/// digits), else a stored array.
fn jsonb_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Json>> {
    if let Ok(Some(text)) = ctx.get_raw(i).as_str_or_null() {
        if let Some(v) = arith::read(text) {
            return Ok(Some(v));
        }
    }
    json_arg(ctx, i)
}

/// The call's arguments; `None` when one is NULL (the functions are
/// strict).
fn call(ctx: &Context<'_>) -> rusqlite::Result<Option<Call>> {
    let Some(target) = jsonb_arg(ctx, 0)? else {
        return Ok(None);
    };
    if ctx.get_raw(1).as_str_or_null().ok().flatten().is_none() {
        return Ok(None);
    }
    // The path is parsed once per statement (a regex compiled once).
    let path = ctx.get_or_create_aux(1, |v| {
        let text = v.as_str().unwrap_or_default();
        parse::parse(text).map_err(|e| crate::sql::errors::SqlError::new("42601", e.0))
    })?;
    let vars = if ctx.len() > 2 {
        match jsonb_arg(ctx, 2)? {
            None => return Ok(None),
            Some(Json::Object(m)) => m,
            Some(_) => return Err(error("22023", VARS_NOT_OBJECT)),
        }
    } else {
        Map::new()
    };
    let silent = if ctx.len() > 3 {
        match ctx.get::<Option<bool>>(3)? {
            None => return Ok(None),
            Some(s) => s,
        }
    } else {
        false
    };
    Ok(Some(Call {
        target,
        path,
        vars,
        silent,
    }))
}

const VARS_NOT_OBJECT: &str = "\"vars\" argument is not an object";
const SINGLE_BOOLEAN: &str = "single boolean result is expected";

impl Call {
    /// The items; a silenced error keeps those found before it, as in
    /// PostgreSQL.
    fn run(&self) -> rusqlite::Result<Vec<Json>> {
        match eval::query(&self.path, &self.target, &self.vars) {
            (items, None) => Ok(items),
            (items, Some(e)) if self.silent && !e.always => Ok(items),
            (_, Some(e)) => Err(error(e.code, e.message)),
        }
    }

    /// `jsonb_path_exists`: in lax mode true at the first item (PostgreSQL
    /// stops there, before any later error); strict mode looks for errors
    /// in the whole path. A silenced error gives NULL.
    fn exists(&self) -> rusqlite::Result<Option<bool>> {
        match eval::query(&self.path, &self.target, &self.vars) {
            (items, _) if !items.is_empty() && !self.path.strict => Ok(Some(true)),
            (items, None) => Ok(Some(!items.is_empty())),
            (_, Some(e)) if self.silent && !e.always => Ok(None),
            (_, Some(e)) => Err(error(e.code, e.message)),
        }
    }

    /// `jsonb_path_match`: the single boolean the path yields (NULL for a
    /// JSON null); anything else is an error, or NULL when silent.
    fn matches(&self) -> rusqlite::Result<Option<bool>> {
        let items = self.run()?;
        match items.as_slice() {
            [Json::Bool(b)] => Ok(Some(*b)),
            [Json::Null] => Ok(None),
            _ if self.silent => Ok(None),
            _ => Err(error("22038", SINGLE_BOOLEAN)),
        }
    }
}

/// `target @@ path` where the translator learned only at run time that the
/// left operand is json (see `textsearch::pg_ts_match`).
pub(super) fn silent_match(target: &str, path: &str) -> rusqlite::Result<Option<bool>> {
    let target = arith::read(target).ok_or_else(|| {
        error(
            "22P02",
            format!("invalid input syntax for type json: \"{target}\""),
        )
    })?;
    let path = parse::parse(path).map_err(|e| error("42601", e.0))?;
    Call {
        target,
        path: Arc::new(path),
        vars: Map::new(),
        silent: true,
    }
    .matches()
}

/// Registers the functions with 2, 3 and 4 arguments.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    for n in 2..=4 {
        conn.create_scalar_function("jsonb_path_exists", n, pure(), |ctx| {
            let Some(c) = call(ctx)? else { return Ok(None) };
            c.exists()
        })?;
        conn.create_scalar_function("jsonb_path_match", n, pure(), |ctx| {
            let Some(c) = call(ctx)? else { return Ok(None) };
            c.matches()
        })?;
        conn.create_scalar_function("jsonb_path_query_array", n, pure(), |ctx| {
            let Some(c) = call(ctx)? else { return Ok(None) };
            Ok(Some(arith::write(&Json::Array(c.run()?))))
        })?;
        conn.create_scalar_function("jsonb_path_query_first", n, pure(), |ctx| {
            let Some(c) = call(ctx)? else { return Ok(None) };
            Ok(c.run()?.first().map(arith::write))
        })?;
    }
    Ok(())
}

/// The SQLSTATE of a message raised here (SQLite keeps only the text).
pub fn sqlstate(message: &str) -> Option<&'static str> {
    const PREFIXES: [(&str, &str); 20] = [
        ("jsonpath member accessor", "2203A"),
        ("JSON object does not contain key", "2203A"),
        ("jsonpath wildcard array accessor", "22039"),
        ("jsonpath array accessor", "22039"),
        ("jsonpath array subscript", "22033"),
        ("jsonpath wildcard member accessor", "2203C"),
        ("left operand of jsonpath operator", "22038"),
        ("right operand of jsonpath operator", "22038"),
        (SINGLE_BOOLEAN, "22038"),
        ("operand of unary jsonpath operator", "2203B"),
        ("jsonpath item method .keyvalue()", "2203C"),
        ("jsonpath item method .size()", "22039"),
        ("jsonpath item method ", "22036"),
        ("string argument of jsonpath item method", "22036"),
        ("NaN or Infinity is not allowed for jsonpath", "22036"),
        ("could not find jsonpath variable", "42704"),
        (VARS_NOT_OBJECT, "22023"),
        ("@ is not allowed in root expressions", "42601"),
        ("LAST is allowed only in array subscripts", "42601"),
        ("unterminated quoted string in jsonpath", "42601"),
    ];
    if let Some((_, code)) = PREFIXES.iter().find(|(p, _)| message.starts_with(p)) {
        return Some(code);
    }
    (message.ends_with(" of jsonpath input") || message.starts_with("invalid Unicode escape"))
        .then_some("42601")
}
