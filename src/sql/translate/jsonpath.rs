//! SQL/JSON path calls (the functions themselves are the backend's
//! `pgfuncs::jsonpath`): `vars => ..`/`silent => ..` arguments become
//! positional, as the SQLite functions take them; `@?` and a jsonpath `@@`
//! become silent calls; a jsonpath operand is told from a text search one.

use super::ast::{base_name, call, number, string, string_literal};
use super::error::other;
use super::TranslateError;
use sqlparser::ast::{DataType, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments};

/// The SQL/JSON path functions, each `(target, path[, vars[, silent]])`.
pub(super) fn is_path_function(name: &str) -> bool {
    matches!(
        name,
        "jsonb_path_exists"
            | "jsonb_path_match"
            | "jsonb_path_query"
            | "jsonb_path_query_array"
            | "jsonb_path_query_first"
    )
}

/// The arguments by position; named ones (`silent => true`) go to their
/// slot, and a `silent` without `vars` gets the default `'{}'`.
pub(super) fn positional(name: &str, args: &[FunctionArg]) -> Result<Vec<Expr>, TranslateError> {
    const NAMES: [&str; 4] = ["target", "path", "vars", "silent"];
    let mut slots: [Option<Expr>; 4] = Default::default();
    let missing = || {
        other(
            "42883",
            format!("function {name} with these arguments does not exist"),
        )
    };
    for (i, arg) in args.iter().enumerate() {
        let (slot, value) = match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) if i < 4 => (i, e),
            FunctionArg::Named {
                name: n,
                arg: FunctionArgExpr::Expr(e),
                ..
            }
            | FunctionArg::ExprNamed {
                name: Expr::Identifier(n),
                arg: FunctionArgExpr::Expr(e),
                ..
            } => (
                NAMES
                    .iter()
                    .position(|s| n.value.eq_ignore_ascii_case(s))
                    .ok_or_else(missing)?,
                e,
            ),
            _ => return Err(missing()),
        };
        slots[slot] = Some(value.clone());
    }
    if slots[3].is_some() && slots[2].is_none() {
        slots[2] = Some(string("{}"));
    }
    let given = slots.iter().rposition(Option::is_some).map_or(0, |i| i + 1);
    let out: Option<Vec<Expr>> = slots.into_iter().take(given).collect();
    match out {
        Some(v) if v.len() >= 2 => Ok(v),
        _ => Err(missing()),
    }
}

/// Makes a path function's named arguments positional, in place.
pub(super) fn normalize(func: &mut Function) -> Result<(), TranslateError> {
    let FunctionArguments::List(list) = &mut func.args else {
        return Ok(());
    };
    if !list
        .args
        .iter()
        .any(|a| !matches!(a, FunctionArg::Unnamed(_)))
    {
        return Ok(());
    }
    let name = base_name(&func.name);
    if !is_path_function(&name) {
        return Ok(());
    }
    list.args = positional(&name, &list.args)?
        .into_iter()
        .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
        .collect();
    Ok(())
}

/// `target @? path`: `jsonb_path_exists` with errors silenced.
pub(super) fn exists_operator(target: Expr, path: Expr) -> Expr {
    call(
        "jsonb_path_exists",
        vec![target, path, string("{}"), number(1)],
    )
}

/// `target @@ path` as jsonpath: `jsonb_path_match`, silent.
pub(super) fn match_operator(target: Expr, path: Expr) -> Expr {
    call(
        "jsonb_path_match",
        vec![target, path, string("{}"), number(1)],
    )
}

/// Whether `@@`'s right operand is a jsonpath: a `::jsonpath` cast, or a
/// literal that reads as a path (`$...`, `strict ...`, `lax ...`), which no
/// text search query starts with.
pub(super) fn is_path_operand(e: &Expr) -> bool {
    match e {
        Expr::Cast {
            data_type: DataType::Custom(name, _),
            ..
        } => base_name(name).eq_ignore_ascii_case("jsonpath"),
        Expr::Nested(inner) => is_path_operand(inner),
        _ => string_literal(e).is_some_and(|s| {
            let t = s.trim_start().to_ascii_lowercase();
            t.starts_with('$') || t.starts_with("strict ") || t.starts_with("lax ")
        }),
    }
}
