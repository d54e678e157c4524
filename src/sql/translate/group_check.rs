//! 42803 for a column that is neither grouped nor aggregated:
//! `SELECT region, qty FROM sales GROUP BY region`. SQLite returns a value
//! from some row of the group; PostgreSQL refuses the query, unless the
//! column's table is grouped by its primary key (functional dependence).
//!
//! Whether the grouped columns cover the primary key is a schema question,
//! so the translator only finds the suspects and adds, per suspect, a
//! constant term `pg_group_check(table, range, grouped, column)` to the
//! WHERE clause: SQLite evaluates a constant WHERE term once, before the
//! first row, and the function (see `pgfuncs::group_check`) raises 42803
//! unless the table's primary key is among `grouped`. Queries whose columns
//! are all grouped or aggregated get no term and cost nothing more.
//!
//! Conservative where the schema would be needed to be sure: unqualified
//! columns with several tables in FROM, columns of derived tables and WITH
//! queries, and columns inside window functions or subqueries are not checked.

use super::aggregates::is_aggregate;
use super::ast::{base_name, call, ident_name, string};
use sqlparser::ast::{
    BinaryOperator, Expr, GroupByExpr, Ident, OrderByExpr, OrderByKind, Query, Select, SelectItem,
    SetExpr, Statement, TableFactor, Value, VisitMut, VisitorMut,
};
use std::collections::HashSet;
use std::ops::ControlFlow;

/// Adds the checks to every grouped SELECT of `statement`.
pub(super) fn add_checks(statement: &mut Statement) {
    struct Queries {
        ctes: HashSet<String>,
    }
    impl VisitorMut for Queries {
        type Break = ();
        fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
            for cte in query.with.iter().flat_map(|w| &w.cte_tables) {
                self.ctes.insert(ident_name(&cte.alias.name));
            }
            let order = match query.order_by.as_ref().map(|o| &o.kind) {
                Some(OrderByKind::Expressions(items)) => items.as_slice(),
                _ => &[],
            };
            if let SetExpr::Select(select) = query.body.as_mut() {
                check_select(select, order, &self.ctes);
            }
            ControlFlow::Continue(())
        }
    }
    let _ = statement.visit(&mut Queries {
        ctes: HashSet::new(),
    });
}

/// A table of the FROM clause: the name it goes by, and the table.
struct Range {
    name: String,
    table: Option<String>,
}

fn check_select(select: &mut Select, order: &[OrderByExpr], ctes: &HashSet<String>) {
    let GroupByExpr::Expressions(grouped, modifiers) = &select.group_by else {
        return;
    };
    // Without GROUP BY, an aggregate (or HAVING) makes the whole FROM one
    // group: every bare column is then ungrouped, key or not.
    let implicit_group = grouped.is_empty() && (select.having.is_some() || aggregates(select));
    if (grouped.is_empty() && !implicit_group) || !modifiers.is_empty() || select.from.is_empty() {
        return;
    }
    if grouped
        .iter()
        .any(|g| matches!(g, Expr::Rollup(_) | Expr::Cube(_) | Expr::GroupingSets(_)))
    {
        return;
    }
    let mut ranges = Vec::new();
    for t in &select.from {
        add_range(&t.relation, ctes, &mut ranges);
        for j in &t.joins {
            add_range(&j.relation, ctes, &mut ranges);
        }
    }
    // An unqualified grouped name with several tables: which table's
    // column it is needs the schema.
    if ranges.len() > 1 && grouped.iter().any(|g| matches!(g, Expr::Identifier(_))) {
        return;
    }
    // GROUP BY 1 and GROUP BY output_name stand for select-list expressions.
    let mut groups: Vec<Expr> = Vec::new();
    for g in grouped {
        groups.push(g.clone());
        if let Some(e) = output_expr(select, g) {
            groups.push(e);
        }
    }
    let aliases: Vec<String> = select
        .projection
        .iter()
        .filter_map(|i| match i {
            SelectItem::ExprWithAlias { alias, .. } => Some(ident_name(alias)),
            _ => None,
        })
        .collect();
    let mut found = Found {
        ranges: &ranges,
        groups: &groups,
        grouped_texts: Vec::new(),
    };
    found.grouped_texts = groups
        .iter()
        .filter(|g| found.column_of(g).is_none())
        .map(|g| found.canonical(g))
        .collect();
    let mut suspects: Vec<(usize, String)> = Vec::new();
    for item in &select.projection {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                found.ungrouped(e, &mut suspects)
            }
            SelectItem::Wildcard(_) => {
                for i in 0..ranges.len() {
                    suspects.push((i, "*".into()));
                }
            }
            SelectItem::QualifiedWildcard(kind, _) => {
                let name = match kind {
                    sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(n) => base_name(n),
                    _ => continue,
                };
                if let Some(i) = ranges.iter().position(|r| r.name == name) {
                    suspects.push((i, "*".into()));
                }
            }
            _ => {}
        }
    }
    for e in order.iter().map(|o| &o.expr) {
        let alias_or_position = matches!(e, Expr::Identifier(id) if aliases.contains(&ident_name(id)))
            || matches!(e, Expr::Value(v) if matches!(v.value, Value::Number(..)));
        if !alias_or_position {
            found.ungrouped(e, &mut suspects);
        }
    }
    if let Some(h) = &select.having {
        found.ungrouped(h, &mut suspects);
    }
    let mut seen = HashSet::new();
    for (i, column) in suspects {
        let Some(table) = &ranges[i].table else {
            continue;
        };
        if !seen.insert((i, column.clone())) {
            continue;
        }
        let keys: Vec<String> = groups
            .iter()
            .filter_map(|g| found.column_of(g))
            .filter(|(r, _)| *r == i)
            .map(|(_, c)| c)
            .collect();
        let check = call(
            "pg_group_check",
            vec![
                string(table.clone()),
                string(ranges[i].name.clone()),
                string(keys.join(",")),
                string(column),
            ],
        );
        select.selection = Some(match select.selection.take() {
            Some(w) => Expr::BinaryOp {
                left: Box::new(Expr::Nested(Box::new(w))),
                op: BinaryOperator::And,
                right: Box::new(check),
            },
            None => check,
        });
    }
}

fn add_range(factor: &TableFactor, ctes: &HashSet<String>, ranges: &mut Vec<Range>) {
    let (name, table) = match factor {
        TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } => {
            let table = base_name(name);
            // Catalog views have no primary key here, but PostgreSQL's
            // catalogs do (`GROUP BY c.oid`): not checked.
            let real = (name.0.len() > 1 || !ctes.contains(&table))
                && !table.starts_with(super::scalar_subquery::CATALOG_PREFIX);
            let range = alias
                .as_ref()
                .map_or(table.clone(), |a| ident_name(&a.name));
            (range, real.then_some(table))
        }
        TableFactor::Table { alias, .. }
        | TableFactor::Derived { alias, .. }
        | TableFactor::Function { alias, .. }
        | TableFactor::UNNEST { alias, .. } => match alias {
            Some(a) => (ident_name(&a.name), None),
            None => (String::new(), None),
        },
        TableFactor::NestedJoin {
            table_with_joins, ..
        } => {
            add_range(&table_with_joins.relation, ctes, ranges);
            for j in &table_with_joins.joins {
                add_range(&j.relation, ctes, ranges);
            }
            return;
        }
        _ => (String::new(), None),
    };
    ranges.push(Range { name, table });
}

/// The select-list expression `GROUP BY n` or `GROUP BY name` stands for.
fn output_expr(select: &Select, g: &Expr) -> Option<Expr> {
    match g {
        Expr::Value(v) => {
            let Value::Number(n, _) = &v.value else {
                return None;
            };
            let i: usize = n.parse().ok()?;
            match select.projection.get(i.checked_sub(1)?)? {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    Some(e.clone())
                }
                _ => None,
            }
        }
        Expr::Identifier(id) => select.projection.iter().find_map(|i| match i {
            SelectItem::ExprWithAlias { expr, alias } if ident_name(alias) == ident_name(id) => {
                Some(expr.clone())
            }
            _ => None,
        }),
        _ => None,
    }
}

struct Found<'a> {
    ranges: &'a [Range],
    groups: &'a [Expr],
    /// [`Found::canonical`] of the grouped expressions that are not columns.
    grouped_texts: Vec<String>,
}

impl Found<'_> {
    /// (range index, column) of a column reference, when the range is certain.
    fn column_of(&self, e: &Expr) -> Option<(usize, String)> {
        match e {
            Expr::Identifier(id) if self.ranges.len() == 1 => Some((0, ident_name(id))),
            Expr::CompoundIdentifier(ids) if ids.len() == 2 => {
                let range = ident_name(&ids[0]);
                let i = self.ranges.iter().position(|r| r.name == range)?;
                Some((i, ident_name(&ids[1])))
            }
            Expr::Nested(inner) => self.column_of(inner),
            _ => None,
        }
    }

    fn is_grouped(&self, e: &Expr) -> bool {
        let column = self.column_of(e);
        if column.is_some() && self.groups.iter().any(|g| self.column_of(g) == column) {
            return true;
        }
        // Grouped expressions other than columns (`GROUP BY upper(name)`):
        // compared as text, only when there are some (a long expression
        // is then folded at every level).
        if self.grouped_texts.is_empty() {
            return false;
        }
        let text = self.canonical(e);
        self.grouped_texts.contains(&text)
    }

    /// The expression's text with names folded (and, with one table, not
    /// qualified), so `upper(u."Name")` and `upper(name)` compare equal.
    fn canonical(&self, e: &Expr) -> String {
        struct Fold(bool);
        impl VisitorMut for Fold {
            type Break = ();
            fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
                match e {
                    Expr::Identifier(id) => *id = Ident::new(ident_name(id)),
                    Expr::CompoundIdentifier(ids) if self.0 && ids.len() == 2 => {
                        *e = Expr::Identifier(Ident::new(ident_name(&ids[1])));
                    }
                    Expr::CompoundIdentifier(ids) => {
                        for id in ids.iter_mut() {
                            *id = Ident::new(ident_name(id));
                        }
                    }
                    _ => {}
                }
                ControlFlow::Continue(())
            }
        }
        let mut e = e.clone();
        let _ = e.visit(&mut Fold(self.ranges.len() == 1));
        e.to_string().to_lowercase()
    }

    /// Collects the ungrouped column references of `e` outside aggregates.
    fn ungrouped(&self, e: &Expr, out: &mut Vec<(usize, String)>) {
        if self.is_grouped(e) {
            return;
        }
        match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
                if let Some(c) = self.column_of(e) {
                    out.push(c);
                }
            }
            Expr::Function(f) if is_aggregate(f) || f.over.is_some() => {}
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => {}
            _ => {
                // Children one level down; the visitor cannot stop at
                // aggregates by itself.
                for child in children(e) {
                    self.ungrouped(child, out);
                }
            }
        }
    }
}

/// Whether the select list calls an aggregate (not as a window function),
/// outside subqueries.
fn aggregates(select: &Select) -> bool {
    fn calls(e: &Expr) -> bool {
        match e {
            Expr::Function(f) if is_aggregate(f) => true,
            Expr::Function(f) if f.over.is_some() => false,
            Expr::Subquery(_) | Expr::Exists { .. } | Expr::InSubquery { .. } => false,
            _ => children(e).into_iter().any(calls),
        }
    }
    select.projection.iter().any(|item| match item {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => calls(e),
        _ => false,
    })
}

/// The direct sub-expressions of `e` (those the check descends into).
fn children(e: &Expr) -> Vec<&Expr> {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments};
    match e {
        Expr::BinaryOp { left, right, .. } => vec![left, right],
        Expr::UnaryOp { expr, .. }
        | Expr::Nested(expr)
        | Expr::Cast { expr, .. }
        | Expr::IsNull(expr)
        | Expr::IsNotNull(expr)
        | Expr::IsTrue(expr)
        | Expr::IsFalse(expr)
        | Expr::IsNotTrue(expr)
        | Expr::IsNotFalse(expr)
        | Expr::Collate { expr, .. } => vec![expr],
        Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => vec![a, b],
        Expr::Between {
            expr, low, high, ..
        } => vec![expr, low, high],
        Expr::Like { expr, pattern, .. } | Expr::ILike { expr, pattern, .. } => {
            vec![expr, pattern]
        }
        Expr::InList { expr, list, .. } => {
            let mut v: Vec<&Expr> = vec![expr];
            v.extend(list.iter());
            v
        }
        Expr::Case {
            operand,
            conditions,
            else_result,
            ..
        } => {
            let mut v: Vec<&Expr> = operand.iter().map(|b| &**b).collect();
            for c in conditions {
                v.push(&c.condition);
                v.push(&c.result);
            }
            v.extend(else_result.iter().map(|b| &**b));
            v
        }
        Expr::Function(f) => match &f.args {
            FunctionArguments::List(l) => l
                .args
                .iter()
                .filter_map(|a| match a {
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                    | FunctionArg::Named {
                        arg: FunctionArgExpr::Expr(e),
                        ..
                    } => Some(e),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}
