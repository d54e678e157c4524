//! Ordered-set aggregates: `percentile_cont(f) WITHIN GROUP (ORDER BY x)`,
//! `percentile_disc(f) WITHIN GROUP (...)` and `mode() WITHIN GROUP (...)`
//! become pgtenant's aggregates `pg_percentile_cont(f, x, desc)`,
//! `pg_percentile_disc(f, x, desc)` and `pg_mode(x, desc)`, which sort the
//! group's values themselves (SQLite has no WITHIN GROUP).

use super::ast::{arg_list, base, number, object_name, plain_args};
use super::error::unsupported;
use super::TranslateError;
use sqlparser::ast::{Expr, Function};

/// Rewrites `func` when it is an ordered-set aggregate; false otherwise.
pub(super) fn rewrite(func: &mut Function) -> Result<bool, TranslateError> {
    let name = base(&func.name);
    let target = match name.as_ref() {
        "percentile_cont" => "pg_percentile_cont",
        "percentile_disc" => "pg_percentile_disc",
        "mode" => "pg_mode",
        _ => return Ok(false),
    };
    let [order] = func.within_group.as_slice() else {
        return Err(unsupported(format!(
            "{name}() without exactly one WITHIN GROUP (ORDER BY ...) expression"
        )));
    };
    if func.over.is_some() {
        return Err(unsupported(format!("{name}() as a window function")));
    }
    let desc = matches!(order.options.sort, Some(sqlparser::ast::OrderBySort::Desc));
    let mut args: Vec<Expr> = plain_args(func)
        .ok_or_else(|| unsupported(format!("these arguments of {name}()")))?
        .into_iter()
        .cloned()
        .collect();
    match (name.as_ref(), args.len()) {
        ("mode", 0) | ("percentile_cont" | "percentile_disc", 1) => {}
        _ => return Err(unsupported(format!("{name}() with these arguments"))),
    }
    args.push(order.expr.clone());
    args.push(number(u8::from(desc)));
    func.name = object_name(target);
    func.within_group.clear();
    func.args = arg_list(args);
    Ok(true)
}
