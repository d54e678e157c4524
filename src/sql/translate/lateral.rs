//! `LATERAL` subqueries that yield at most one row per outer row, which
//! SQLite can express as correlated scalar subqueries: an aggregate without
//! GROUP BY (`, LATERAL (SELECT count(*) AS c FROM t2 WHERE t2.p = t.id) x`)
//! or `LIMIT 1` (the top-1-per-group idiom). Each `x.col` becomes the
//! subquery reduced to that column; a CROSS/inner join with a `LIMIT 1`
//! subquery keeps only outer rows for which it has a row (`EXISTS`), a LEFT
//! JOIN keeps them all with NULLs, as PostgreSQL does. Other LATERAL forms
//! are refused with 0A000.

use super::error::unsupported;
use super::TranslateError;
use sqlparser::ast::{
    Expr, FunctionArguments, GroupByExpr, Ident, Join, JoinConstraint, JoinOperator, LimitClause,
    Query, Select, SelectItem, SetExpr, TableFactor, Value, VisitMut, VisitorMut,
};
use std::ops::ControlFlow;

/// One LATERAL subquery taken out of FROM.
struct Lateral {
    alias: String,
    query: Query,
    /// Output column name → its expression.
    columns: Vec<(String, Expr)>,
}

/// Rewrites the LATERAL subqueries of a query's FROM clause, and the
/// references to their columns in its select list, WHERE, GROUP BY, HAVING
/// and ORDER BY.
pub(super) fn rewrite(query: &mut Query) -> Result<(), TranslateError> {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return Ok(());
    };
    let laterals = rewrite_select(select)?;
    if let Some(order_by) = &mut query.order_by {
        if let sqlparser::ast::OrderByKind::Expressions(items) = &mut order_by.kind {
            let mut replace = Replace {
                laterals: &laterals,
            };
            for item in items {
                let _ = item.expr.visit(&mut replace);
            }
        }
    }
    Ok(())
}

fn rewrite_select(select: &mut Select) -> Result<Vec<Lateral>, TranslateError> {
    let mut laterals = Vec::new();
    let mut exists = Vec::new();
    let mut from = std::mem::take(&mut select.from);
    let mut i = 0;
    while i < from.len() {
        if is_lateral(&from[i].relation) {
            if i == 0 {
                select.from = from;
                return Err(unsupported("LATERAL as the first FROM item"));
            }
            let twj = from.remove(i);
            let l = take(twj.relation)?;
            if !l.always_one_row() {
                exists.push(l.query.clone());
            }
            laterals.push(l);
            // Its joins attach to what came before.
            from[i - 1].joins.extend(twj.joins);
            continue;
        }
        let mut j = 0;
        while j < from[i].joins.len() {
            if !is_lateral(&from[i].joins[j].relation) {
                j += 1;
                continue;
            }
            let Join {
                relation,
                join_operator,
                ..
            } = from[i].joins.remove(j);
            let l = take(relation)?;
            let left = match join_operator {
                JoinOperator::CrossJoin(_) => false,
                JoinOperator::Join(c) | JoinOperator::Inner(c) if on_true(&c) => false,
                JoinOperator::Left(c) | JoinOperator::LeftOuter(c) if on_true(&c) => true,
                _ => {
                    select.from = from;
                    return Err(unsupported("this LATERAL join (use ON true)"));
                }
            };
            if !left && !l.always_one_row() {
                exists.push(l.query.clone());
            }
            laterals.push(l);
        }
        i += 1;
    }
    select.from = from;
    if laterals.is_empty() {
        return Ok(laterals);
    }
    let mut replace = Replace {
        laterals: &laterals,
    };
    for item in &mut select.projection {
        match item {
            // `x.c` keeps its output name `c` as a subquery.
            SelectItem::UnnamedExpr(e @ Expr::CompoundIdentifier(_)) => {
                let name = match e {
                    Expr::CompoundIdentifier(ids) => ids.last().cloned(),
                    _ => None,
                };
                let _ = e.visit(&mut replace);
                if let (Expr::Subquery(_), Some(name)) = (&*e, name) {
                    *item = SelectItem::ExprWithAlias {
                        expr: e.clone(),
                        alias: Ident::with_quote('"', name.value),
                    };
                }
            }
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                let _ = e.visit(&mut replace);
            }
            _ => return Err(unsupported("* over a LATERAL subquery")),
        }
    }
    for e in [&mut select.selection, &mut select.having]
        .into_iter()
        .flatten()
    {
        let _ = e.visit(&mut replace);
    }
    if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
        for e in exprs {
            let _ = e.visit(&mut replace);
        }
    }
    for query in exists {
        let test = Expr::Exists {
            subquery: Box::new(query),
            negated: false,
        };
        select.selection = Some(match select.selection.take() {
            Some(w) => Expr::BinaryOp {
                left: Box::new(Expr::Nested(Box::new(w))),
                op: sqlparser::ast::BinaryOperator::And,
                right: Box::new(test),
            },
            None => test,
        });
    }
    Ok(laterals)
}

fn is_lateral(f: &TableFactor) -> bool {
    matches!(f, TableFactor::Derived { lateral: true, .. })
}

fn on_true(c: &JoinConstraint) -> bool {
    matches!(c, JoinConstraint::On(Expr::Value(v)) if v.value == Value::Boolean(true))
}

fn take(f: TableFactor) -> Result<Lateral, TranslateError> {
    let TableFactor::Derived {
        subquery,
        alias: Some(alias),
        ..
    } = f
    else {
        return Err(unsupported("LATERAL without an alias"));
    };
    let SetExpr::Select(select) = subquery.body.as_ref() else {
        return Err(unsupported("LATERAL over a set operation"));
    };
    let mut columns = Vec::new();
    for (i, item) in select.projection.iter().enumerate() {
        let (name, expr) = match item {
            SelectItem::ExprWithAlias { expr, alias } => (alias.value.clone(), expr.clone()),
            SelectItem::UnnamedExpr(e @ Expr::Identifier(id)) => (id.value.clone(), e.clone()),
            SelectItem::UnnamedExpr(e @ Expr::CompoundIdentifier(ids)) => (
                ids.last().map(|i| i.value.clone()).unwrap_or_default(),
                e.clone(),
            ),
            _ => return Err(unsupported("an unnamed LATERAL column")),
        };
        let name = alias.columns.get(i).map_or(name, |c| c.name.value.clone());
        columns.push((name, expr));
    }
    let l = Lateral {
        alias: alias.name.value,
        query: *subquery,
        columns,
    };
    if !l.always_one_row() && !l.limit_one() {
        return Err(unsupported(
            "a LATERAL subquery that may return several rows (an aggregate or LIMIT 1 is supported)",
        ));
    }
    Ok(l)
}

impl Lateral {
    /// An aggregate without GROUP BY: exactly one row.
    fn always_one_row(&self) -> bool {
        let SetExpr::Select(s) = self.query.body.as_ref() else {
            return false;
        };
        let grouped = !matches!(&s.group_by, GroupByExpr::Expressions(e, _) if e.is_empty());
        !grouped
            && s.having.is_none()
            && self.query.limit_clause.is_none()
            && s.projection.iter().all(|item| match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    is_aggregate(e)
                }
                _ => false,
            })
    }

    fn limit_one(&self) -> bool {
        matches!(&self.query.limit_clause,
            Some(LimitClause::LimitOffset { limit: Some(Expr::Value(v)), offset: None, .. })
                if v.value == Value::Number("1".into(), false))
    }

    /// The subquery reduced to one of its columns.
    fn scalar(&self, column: &str) -> Option<Expr> {
        let (_, expr) = self.columns.iter().find(|(n, _)| n == column)?;
        let mut q = self.query.clone();
        if let SetExpr::Select(s) = q.body.as_mut() {
            s.projection = vec![SelectItem::UnnamedExpr(expr.clone())];
        }
        Some(Expr::Subquery(Box::new(q)))
    }
}

fn is_aggregate(e: &Expr) -> bool {
    match e {
        Expr::Function(f) => {
            matches!(
                super::ast::base_name(&f.name).as_str(),
                "count"
                    | "sum"
                    | "min"
                    | "max"
                    | "avg"
                    | "string_agg"
                    | "array_agg"
                    | "json_agg"
                    | "jsonb_agg"
                    | "bool_and"
                    | "bool_or"
                    | "every"
            ) && f.over.is_none()
                && !matches!(f.args, FunctionArguments::Subquery(_))
        }
        Expr::Nested(inner) => is_aggregate(inner),
        Expr::Cast { expr, .. } => is_aggregate(expr),
        _ => false,
    }
}

/// Replaces `alias.column` references with scalar subqueries.
struct Replace<'a> {
    laterals: &'a [Lateral],
}

impl VisitorMut for Replace<'_> {
    type Break = ();

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        if let Expr::CompoundIdentifier(ids) = expr {
            if let [q, c] = ids.as_slice() {
                if let Some(l) = self.laterals.iter().find(|l| l.alias == q.value) {
                    if let Some(s) = l.scalar(&c.value) {
                        *expr = s;
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }
}
