//! PostgreSQL sorts NULLs as larger than every value (last ascending, first
//! descending); SQLite sorts them as smaller. Every ORDER BY item without an
//! explicit NULLS FIRST/LAST gets PostgreSQL's default spelled out.

use sqlparser::ast::{
    Expr, FunctionArgumentClause, FunctionArguments, NamedWindowExpr, OrderByExpr, OrderByKind,
    OrderBySort, Query, Select, WindowType,
};

fn apply(items: &mut [OrderByExpr]) {
    for item in items {
        if item.options.nulls_first.is_none() {
            let desc = matches!(item.options.sort, Some(OrderBySort::Desc));
            item.options.nulls_first = Some(desc);
        }
    }
}

/// The query's own ORDER BY.
pub(super) fn query(query: &mut Query) {
    if let Some(order_by) = &mut query.order_by {
        if let OrderByKind::Expressions(items) = &mut order_by.kind {
            apply(items);
        }
    }
}

/// Named windows (`WINDOW w AS (ORDER BY ...)`).
pub(super) fn select(select: &mut Select) {
    for def in &mut select.named_window {
        if let NamedWindowExpr::WindowSpec(spec) = &mut def.1 {
            apply(&mut spec.order_by);
        }
    }
}

/// Window ORDER BY, aggregate argument ORDER BY and WITHIN GROUP.
pub(super) fn expr(expr: &mut Expr) {
    let Expr::Function(f) = expr else { return };
    if let Some(WindowType::WindowSpec(spec)) = &mut f.over {
        apply(&mut spec.order_by);
    }
    if let FunctionArguments::List(list) = &mut f.args {
        for clause in &mut list.clauses {
            if let FunctionArgumentClause::OrderBy(items) = clause {
                apply(items);
            }
        }
    }
    apply(&mut f.within_group);
}
