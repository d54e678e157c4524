//! Which function calls are aggregates, for passes that must know whether
//! a SELECT aggregates (one row without GROUP BY; columns inside them need
//! no grouping).

use super::ast::base_name;
use sqlparser::ast::FunctionArguments;

/// PostgreSQL's and SQLite's aggregate functions (and those pgtenant adds);
/// an aggregate call with FILTER or WITHIN GROUP counts too.
pub(super) fn is_aggregate(f: &sqlparser::ast::Function) -> bool {
    if f.over.is_some() || matches!(f.args, FunctionArguments::Subquery(_)) {
        return false;
    }
    if f.filter.is_some() || !f.within_group.is_empty() {
        return true;
    }
    let name = base_name(&f.name);
    // SQLite's two-argument min/max are scalar (greatest/least).
    if matches!(name.as_str(), "min" | "max")
        && matches!(&f.args, FunctionArguments::List(l) if l.args.len() > 1)
    {
        return false;
    }
    matches!(
        name.as_str(),
        "count"
            | "sum"
            | "min"
            | "max"
            | "avg"
            | "total"
            | "group_concat"
            | "string_agg"
            | "array_agg"
            | "json_agg"
            | "jsonb_agg"
            | "json_object_agg"
            | "jsonb_object_agg"
            | "json_group_array"
            | "json_group_object"
            | "bool_and"
            | "bool_or"
            | "every"
            | "bit_and"
            | "bit_or"
            | "bit_xor"
            | "stddev"
            | "stddev_samp"
            | "stddev_pop"
            | "variance"
            | "var_samp"
            | "var_pop"
            | "corr"
            | "covar_pop"
            | "covar_samp"
            | "mode"
            | "percentile_cont"
            | "percentile_disc"
            | "xmlagg"
            | "pg_avg"
            | "pg_spread"
            | "pg_mode"
            | "pg_percentile_cont"
            | "pg_percentile_disc"
            | "pg_json_agg"
            | "pg_json_agg_rows"
            | "pg_json_object_agg"
            | "pg_string_agg_distinct"
    ) || name.starts_with("regr_")
}

/// Whether `expr` calls an aggregate (in a subquery too: a conservative
/// answer for the passes that ask).
pub(super) fn contains_aggregate(expr: &sqlparser::ast::Expr) -> bool {
    sqlparser::ast::visit_expressions(expr, |e| match e {
        sqlparser::ast::Expr::Function(f) if is_aggregate(f) => std::ops::ControlFlow::Break(()),
        _ => std::ops::ControlFlow::Continue(()),
    })
    .is_break()
}
