//! `sum(x)` and `avg(x)` over intervals: SQLite's would add the leading
//! digits of the interval texts (`sum(duration)` of '1 day' and '2 hours'
//! was 3 seconds). An argument known to be an interval calls
//! `pg_interval_sum` / `pg_interval_avg`; a column whose type only the
//! schema knows sums as `CASE pg_column_type(..) WHEN 'interval' THEN
//! pg_column_sum(x, ..) WHEN 'float4' THEN pg_column_sum(x, ..) ELSE
//! sum(x) END` (a real column sums in single precision, as PostgreSQL's). (`avg` of such a column in a result
//! column is `pg_avg`, which reads the column's type itself: see `exact`.)

use super::ast::{base, call, object_name};
use super::column_dates::{column_lookup, when_type};
use super::columns::expr_type;
use super::scopes::Scopes;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{
    DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArguments, Value,
};

/// Renames the sum or average of an argument known to be an interval;
/// runs before the arguments are rewritten (a cast or literal is then no
/// longer recognisable as an interval).
pub(super) fn rewrite_known(expr: &mut Expr) {
    let Expr::Function(f) = expr else {
        return;
    };
    if let Some(interval_fn) = interval_fn(f) {
        if only_argument(f).and_then(expr_type) == Some(PgType::Interval) {
            f.name = object_name(interval_fn);
        }
    }
}

/// Rewrites the sum of a column whose type only the schema knows; runs
/// after the arguments were rewritten (the new CASE is not visited again).
pub(super) fn rewrite_column(expr: &mut Expr, scopes: &Scopes) {
    let Expr::Function(f) = expr else {
        return;
    };
    if interval_fn(f) != Some("pg_interval_sum") {
        return;
    }
    let Some(arg) = only_argument(f).filter(|a| expr_type(a).is_none()) else {
        return;
    };
    let Some(lookup) = column_lookup(arg, scopes) else {
        return;
    };
    let column_type = call("pg_column_type", lookup.into());
    let mut typed = f.clone();
    let distinct = matches!(
        &f.args,
        FunctionArguments::List(l) if l.duplicate_treatment == Some(DuplicateTreatment::Distinct)
    );
    if distinct {
        // (SQLite's DISTINCT aggregates take one argument.)
        typed.name = object_name("pg_interval_sum");
    } else {
        // One call in both branches: SQLite keeps one accumulator for it.
        typed.name = object_name("pg_column_sum");
        if let FunctionArguments::List(list) = &mut typed.args {
            list.args.push(FunctionArg::Unnamed(FunctionArgExpr::Expr(
                column_type.clone(),
            )));
        }
    }
    let native = std::mem::replace(expr, Expr::value(Value::Null));
    let mut case = when_type(
        column_type,
        "interval",
        Expr::Function(typed.clone()),
        native,
    );
    if !distinct {
        if let Expr::Case { conditions, .. } = &mut case {
            conditions.push(sqlparser::ast::CaseWhen {
                condition: super::ast::string("float4"),
                result: Expr::Function(typed),
            });
        }
    }
    *expr = case;
}

/// The interval function a one-argument `sum` or `avg` may become.
fn interval_fn(f: &Function) -> Option<&'static str> {
    only_argument(f)?;
    match base(&f.name).as_ref() {
        "sum" => Some("pg_interval_sum"),
        "avg" => Some("pg_interval_avg"),
        _ => None,
    }
}

fn only_argument(f: &Function) -> Option<&Expr> {
    match &f.args {
        FunctionArguments::List(list) => match list.args.as_slice() {
            [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] => Some(arg),
            _ => None,
        },
        _ => None,
    }
}
