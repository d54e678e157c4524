//! Scalar subqueries that may return several rows raise 21000, as in
//! PostgreSQL, instead of SQLite's silent first row.
//!
//! The subquery's value is passed through the `pgtenant_single` aggregate,
//! which fails at a second row:
//! - `(SELECT name FROM users WHERE id = $1)` becomes
//!   `(SELECT pgtenant_single(name) FROM users WHERE id = $1)`: the same
//!   plan (an aggregate over the rows the index finds), so the common
//!   single-row lookup stays an index lookup;
//! - anything else that may return several rows (UNION, DISTINCT, GROUP BY,
//!   window functions, LIMIT n) is read as a derived table:
//!   `(SELECT pgtenant_single(pgtenant_v) FROM (<subquery>))`.
//!
//! Subqueries that cannot return more than one row are left alone: LIMIT 1,
//! no FROM, a single-row VALUES, an aggregate without GROUP BY.
//! The pass runs after result types and names are worked out (so they are
//! those of the subquery as written) and before the rewrites that add
//! subqueries of their own.

use super::aggregates::is_aggregate;
use super::ast::call;
use sqlparser::ast::{
    Expr, GroupByExpr, Ident, LimitClause, Query, Select, SelectItem, SetExpr, Statement,
    TableFactor, Value, Visit, VisitMut, Visitor, VisitorMut,
};
use std::collections::HashSet;
use std::ops::ControlFlow;

const VALUE: &str = "pgtenant_v";

/// Wraps every scalar subquery of `statement` that may return several rows.
pub(super) fn guard(statement: &mut Statement) {
    let _ = statement.visit(&mut Guard {
        not_scalar: HashSet::new(),
    });
}

struct Guard {
    /// Subqueries of `= ANY (...)` / `= ALL (...)`: sets, not values.
    not_scalar: HashSet<usize>,
}

impl VisitorMut for Guard {
    type Break = ();

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::AnyOp { right, .. } | Expr::AllOp { right, .. } = expr {
            if let Expr::Subquery(q) = right.as_ref() {
                self.not_scalar.insert(address(q));
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::Subquery(q) = expr {
            if !self.not_scalar.contains(&address(q)) {
                guard_query(q);
            }
        }
        ControlFlow::Continue(())
    }
}

fn address(q: &Query) -> usize {
    q as *const Query as usize
}

fn guard_query(q: &mut Box<Query>) {
    if at_most_one_row(q) || reads_catalog(q) {
        return;
    }
    match q.body.as_mut() {
        SetExpr::Select(s) if plain(q.limit_clause.is_none() && q.fetch.is_none(), s) => {
            let [SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }] =
                s.projection.as_mut_slice()
            else {
                return;
            };
            // Moved, not cloned: the expression may hold the subqueries
            // nested inside this one.
            *e = call("pgtenant_single", vec![super::ast::take(e)]);
            // Order does not matter for at most one row, and an aggregate
            // query orders nothing.
            q.order_by = None;
        }
        _ => {
            if !name_first_column(&mut q.body) {
                return;
            }
            let outer = format!("SELECT pgtenant_single({VALUE}) FROM (SELECT 1) AS pgtenant_rows");
            let mut wrapped = super::ast::parse_query(&outer);
            if let SetExpr::Select(s) = wrapped.body.as_mut() {
                if let Some(TableFactor::Derived { subquery, .. }) =
                    s.from.first_mut().map(|t| &mut t.relation)
                {
                    std::mem::swap(subquery, q);
                }
            }
            **q = wrapped;
        }
    }
}

/// The catalog views (and the translator's own lookups in them) are left
/// as they are: what tools send there is keyed, and a check would only cost.
fn reads_catalog(q: &Query) -> bool {
    struct Find;
    impl Visitor for Find {
        type Break = ();
        fn pre_visit_relation(&mut self, name: &sqlparser::ast::ObjectName) -> ControlFlow<()> {
            if super::ast::base_name(name).starts_with(CATALOG_PREFIX) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    q.visit(&mut Find).is_break()
}

/// Table names of the catalog views once `catalog::prepare` named them.
pub(super) const CATALOG_PREFIX: &str = "pgcat_";

/// A subquery that cannot return more than one row.
fn at_most_one_row(q: &Query) -> bool {
    let limit_one = matches!(&q.limit_clause,
        Some(LimitClause::LimitOffset { limit: Some(Expr::Value(v)), .. })
            if matches!(&v.value, Value::Number(n, _) if n == "1" || n == "0"));
    if limit_one {
        return true;
    }
    match q.body.as_ref() {
        SetExpr::Values(v) => v.rows.len() <= 1,
        SetExpr::Select(s) => {
            s.from.is_empty()
                || (!grouped(s)
                    && (s.having.is_some() || s.projection.iter().any(has_aggregate_item)))
        }
        _ => false,
    }
}

/// A SELECT whose value can go through the aggregate as it stands: one
/// result expression, no grouping, DISTINCT, window or aggregate.
fn plain(unlimited: bool, s: &Select) -> bool {
    unlimited
        && s.distinct.is_none()
        && !grouped(s)
        && s.having.is_none()
        && s.named_window.is_empty()
        && s.projection.len() == 1
        && !s.projection.iter().any(has_aggregate_item)
        && !s.projection.iter().any(has_window)
}

fn grouped(s: &Select) -> bool {
    !matches!(&s.group_by, GroupByExpr::Expressions(e, _) if e.is_empty())
}

/// Names the only result column `pgtenant_v` in the leftmost SELECT (a
/// compound query's column names are its first SELECT's). False when it
/// has several columns or a wildcard.
fn name_first_column(body: &mut SetExpr) -> bool {
    match body {
        SetExpr::Select(s) => match s.projection.as_mut_slice() {
            [item @ (SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. })] => {
                let expr = match item {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                        super::ast::take(e)
                    }
                    _ => unreachable!("matched above"),
                };
                *item = SelectItem::ExprWithAlias {
                    expr,
                    alias: Ident::new(VALUE),
                };
                true
            }
            _ => false,
        },
        SetExpr::SetOperation { left, .. } => name_first_column(left),
        SetExpr::Query(q) => name_first_column(&mut q.body),
        _ => false,
    }
}

fn has_aggregate_item(item: &SelectItem) -> bool {
    item_expr(item).is_some_and(|e| finds(e, |e| matches!(e, Expr::Function(f) if is_aggregate(f))))
}

fn has_window(item: &SelectItem) -> bool {
    item_expr(item)
        .is_some_and(|e| finds(e, |e| matches!(e, Expr::Function(f) if f.over.is_some())))
}

fn item_expr(item: &SelectItem) -> Option<&Expr> {
    match item {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
        _ => None,
    }
}

/// Whether an expression (not looking into its subqueries) has a node for
/// which `hit` holds.
fn finds(expr: &Expr, hit: impl Fn(&Expr) -> bool) -> bool {
    struct Find<F> {
        hit: F,
        depth: usize,
    }
    impl<F: Fn(&Expr) -> bool> Visitor for Find<F> {
        type Break = ();
        // Queries inside are another level: their aggregates are theirs.
        fn pre_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, e: &Expr) -> ControlFlow<()> {
            if self.depth == 0 && (self.hit)(e) {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        }
    }
    expr.visit(&mut Find { hit, depth: 0 }).is_break()
}
