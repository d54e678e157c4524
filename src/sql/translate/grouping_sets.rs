//! `GROUP BY ROLLUP (..)`, `CUBE (..)` and `GROUPING SETS (..)`, which
//! SQLite lacks: one grouped SELECT per grouping set, joined with UNION ALL,
//! as PostgreSQL defines them. In each, a grouping column outside the set
//! reads NULL (outside aggregate arguments) and `GROUPING(a, b)` is the
//! set's bit mask. The union becomes a derived table that the query's
//! ORDER BY, LIMIT and OFFSET apply to, by output name or position.

use sqlparser::ast::{
    visit_expressions_mut, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, GroupByExpr,
    Ident, OrderByKind, Query, Select, SelectItem, SetExpr, SetOperator, SetQuantifier, TableAlias,
    TableFactor, TableWithJoins, Value, VisitMut, VisitorMut,
};
use std::ops::ControlFlow;

use super::ast::{base_name, number};
use super::error::unsupported;
use super::TranslateError;

/// More sets than this (a CUBE of 7+ columns) is refused rather than
/// turned into a statement of hundreds of SELECTs.
const MAX_SETS: usize = 64;

/// Rewrites `query` in place when its SELECT groups by grouping sets.
pub(super) fn rewrite(query: &mut Query) -> Result<(), TranslateError> {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Ok(());
    };
    let Some(sets) = grouping_sets(select)? else {
        return Ok(());
    };
    let all: Vec<Expr> = {
        let mut all: Vec<Expr> = Vec::new();
        for e in sets.iter().flatten() {
            if !all.contains(e) {
                all.push(e.clone());
            }
        }
        all
    };
    let mut branches = Vec::with_capacity(sets.len());
    for set in &sets {
        let mut branch = (**select).clone();
        branch.group_by = GroupByExpr::Expressions(set.clone(), Vec::new());
        let absent: Vec<&Expr> = all.iter().filter(|e| !set.contains(e)).collect();
        for item in &mut branch.projection {
            match item {
                SelectItem::UnnamedExpr(e) => {
                    // Keep the output name the expression gave (`status`).
                    if let Some(name) = output_name(e) {
                        let mut expr = e.clone();
                        null_absent(&mut expr, &absent, set);
                        *item = SelectItem::ExprWithAlias {
                            expr,
                            alias: Ident::with_quote('"', name),
                        };
                    } else {
                        null_absent(e, &absent, set);
                    }
                }
                SelectItem::ExprWithAlias { expr, .. } => null_absent(expr, &absent, set),
                _ => return Err(unsupported("* with GROUPING SETS, CUBE or ROLLUP")),
            }
        }
        if let Some(having) = &mut branch.having {
            null_absent(having, &absent, set);
        }
        branches.push(SetExpr::Select(Box::new(branch)));
    }
    let union = branches
        .into_iter()
        .reduce(|left, right| SetExpr::SetOperation {
            op: SetOperator::Union,
            set_quantifier: SetQuantifier::All,
            left: Box::new(left),
            right: Box::new(right),
        })
        .expect("at least one grouping set");
    let inner = Query {
        with: None,
        body: Box::new(union),
        order_by: None,
        limit_clause: None,
        fetch: None,
        locks: Vec::new(),
        for_clause: None,
        settings: None,
        format_clause: None,
        pipe_operators: Vec::new(),
    };
    // ORDER BY names output columns: a qualified `t.status` is `status`.
    if let Some(order_by) = &mut query.order_by {
        if let OrderByKind::Expressions(items) = &mut order_by.kind {
            for item in items {
                if let Expr::CompoundIdentifier(ids) = &item.expr {
                    if let Some(last) = ids.last() {
                        item.expr = Expr::Identifier(last.clone());
                    }
                }
            }
        }
    }
    let outer = Select {
        projection: vec![SelectItem::Wildcard(Default::default())],
        from: vec![TableWithJoins {
            relation: TableFactor::Derived {
                lateral: false,
                subquery: Box::new(inner),
                alias: Some(TableAlias {
                    at: None,
                    explicit: true,
                    name: Ident::new("pgtenant_grouping_sets"),
                    columns: Vec::new(),
                }),
                sample: None,
            },
            joins: Vec::new(),
        }],
        ..empty_select(select)
    };
    *query.body = SetExpr::Select(Box::new(outer));
    Ok(())
}

/// A SELECT with nothing in it but what `Select` requires.
fn empty_select(like: &Select) -> Select {
    let mut s = like.clone();
    s.distinct = None;
    s.top = None;
    s.projection = Vec::new();
    s.into = None;
    s.from = Vec::new();
    s.lateral_views = Vec::new();
    s.prewhere = None;
    s.selection = None;
    s.group_by = GroupByExpr::Expressions(Vec::new(), Vec::new());
    s.cluster_by = Vec::new();
    s.distribute_by = Vec::new();
    s.sort_by = Vec::new();
    s.having = None;
    s.named_window = Vec::new();
    s.qualify = None;
    s.connect_by = Vec::new();
    s
}

/// The grouping sets of a GROUP BY that has any (plain expressions are in
/// every set), in PostgreSQL's order.
fn grouping_sets(select: &Select) -> Result<Option<Vec<Vec<Expr>>>, TranslateError> {
    let GroupByExpr::Expressions(exprs, _) = &select.group_by else {
        return Ok(None);
    };
    if !exprs
        .iter()
        .any(|e| matches!(e, Expr::Rollup(_) | Expr::Cube(_) | Expr::GroupingSets(_)))
    {
        return Ok(None);
    }
    let mut sets: Vec<Vec<Expr>> = vec![Vec::new()];
    for e in exprs {
        let choices: Vec<Vec<Expr>> = match e {
            Expr::Rollup(items) => (0..=items.len())
                .rev()
                .map(|n| items[..n].concat())
                .collect(),
            Expr::Cube(items) => {
                if items.len() > 6 {
                    return Err(unsupported("CUBE of more than 6 elements"));
                }
                // Subsets from the whole list down, as PostgreSQL lists them.
                let n = items.len();
                (0..1usize << n)
                    .rev()
                    .map(|mask| {
                        (0..n)
                            .filter(|i| mask & (1 << (n - 1 - i)) != 0)
                            .flat_map(|i| items[i].clone())
                            .collect()
                    })
                    .collect()
            }
            Expr::GroupingSets(list) => list.clone(),
            plain => vec![vec![plain.clone()]],
        };
        let mut next = Vec::new();
        for set in &sets {
            for choice in &choices {
                let mut s = set.clone();
                s.extend(choice.iter().cloned());
                next.push(s);
            }
        }
        if next.len() > MAX_SETS {
            return Err(unsupported("more than 64 grouping sets"));
        }
        sets = next;
    }
    // `ROLLUP (facid, month)` with `extract(month FROM t) AS month` in the
    // select list: a name no input column has is the output column's
    // expression (PostgreSQL looks at input columns first; the translator,
    // without the schema, takes a name that is only an alias to be one).
    for set in &mut sets {
        for e in set.iter_mut() {
            if let Some(aliased) = aliased_expression(select, e) {
                *e = aliased;
            }
        }
    }
    Ok(Some(sets))
}

/// The expression a bare name stands for when the select list gives it as
/// the alias of another expression.
fn aliased_expression(select: &Select, e: &Expr) -> Option<Expr> {
    let Expr::Identifier(name) = e else {
        return None;
    };
    let name = super::ast::ident_name(name);
    let aliased = select.projection.iter().find_map(|item| match item {
        SelectItem::ExprWithAlias { expr, alias }
            if super::ast::ident_name(alias) == name
                && !matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) =>
        {
            Some(expr)
        }
        _ => None,
    })?;
    // `coalesce(country, '??') AS country`: the select list (or WHERE)
    // reads an input column of that name, so the name is that column.
    let mut reads_input = false;
    for item in &select.projection {
        if let SelectItem::UnnamedExpr(x) | SelectItem::ExprWithAlias { expr: x, .. } = item {
            reads_input |= reads_column(x, &name);
        }
    }
    if let Some(filter) = &select.selection {
        reads_input |= reads_column(filter, &name);
    }
    (!reads_input).then(|| aliased.clone())
}

/// Whether `e` reads a column called `name` (bare or qualified).
fn reads_column(e: &Expr, name: &str) -> bool {
    sqlparser::ast::visit_expressions(e, |x| {
        let column = match x {
            Expr::Identifier(id) => Some(id),
            Expr::CompoundIdentifier(ids) => ids.last(),
            _ => None,
        };
        if column.is_some_and(|id| super::ast::ident_name(id) == name) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
    .is_break()
}

/// The name PostgreSQL gives a bare column item.
fn output_name(e: &Expr) -> Option<String> {
    match e {
        Expr::Identifier(id) => Some(id.value.clone()),
        Expr::CompoundIdentifier(ids) => ids.last().map(|i| i.value.clone()),
        _ => None,
    }
}

/// Grouping columns outside the set become NULL (not inside aggregate
/// calls, which see the rows); `GROUPING(..)` becomes the set's mask.
/// Aggregate calls are set aside on the way down (their arguments keep
/// the row values) and put back after.
fn null_absent(e: &mut Expr, absent: &[&Expr], set: &[Expr]) {
    let mut nuller = Nuller {
        absent,
        set,
        saved: Vec::new(),
    };
    let _ = VisitMut::visit(e, &mut nuller);
    let saved = nuller.saved;
    if saved.is_empty() {
        return;
    }
    let _ = visit_expressions_mut(e, |x| {
        if let Expr::Identifier(id) = x {
            if let Some(i) = id.value.strip_prefix(SAVED) {
                if let Some(agg) = i.parse::<usize>().ok().and_then(|i| saved.get(i)) {
                    *x = agg.clone();
                }
            }
        }
        ControlFlow::<()>::Continue(())
    });
}

/// The stand-in name of an aggregate call set aside.
const SAVED: &str = "\u{0}pgtenant_aggregate_";

struct Nuller<'a> {
    absent: &'a [&'a Expr],
    set: &'a [Expr],
    saved: Vec<Expr>,
}

impl VisitorMut for Nuller<'_> {
    type Break = ();

    fn pre_visit_expr(&mut self, x: &mut Expr) -> ControlFlow<()> {
        if let Expr::Function(f) = x {
            if base_name(&f.name) == "grouping" {
                *x = grouping_mask(f, self.set);
            } else if super::aggregates::is_aggregate(f) {
                let name = format!("{SAVED}{}", self.saved.len());
                self.saved
                    .push(std::mem::replace(x, Expr::Identifier(Ident::new(name))));
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, x: &mut Expr) -> ControlFlow<()> {
        if self.absent.iter().any(|a| *a == x) {
            *x = Expr::value(Value::Null);
        }
        ControlFlow::Continue(())
    }
}

/// `GROUPING(a, b)`: bit 1 for each argument not grouped in this set, the
/// first argument the highest bit.
fn grouping_mask(f: &sqlparser::ast::Function, set: &[Expr]) -> Expr {
    let FunctionArguments::List(list) = &f.args else {
        return number(0);
    };
    let mut mask = 0u64;
    for arg in &list.args {
        mask <<= 1;
        if let FunctionArg::Unnamed(FunctionArgExpr::Expr(a)) = arg {
            if !set.contains(a) {
                mask |= 1;
            }
        }
    }
    number(mask)
}
