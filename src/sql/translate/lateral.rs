//! `LATERAL` subqueries that yield at most one row per outer row, which
//! SQLite can express as correlated scalar subqueries: an aggregate without
//! GROUP BY (`, LATERAL (SELECT count(*) AS c FROM t2 WHERE t2.p = t.id) x`)
//! or `LIMIT 1` (the top-1-per-group idiom). Each `x.col` becomes the
//! subquery reduced to that column; a CROSS/inner join with a `LIMIT 1`
//! subquery keeps only outer rows for which it has a row (`EXISTS`), a LEFT
//! JOIN keeps them all with NULLs, as PostgreSQL does.
//!
//! Any other LATERAL subquery, and a set-returning function in FROM whose
//! arguments read an earlier FROM item (`FROM products p, unnest(p.tags)
//! t`, `jsonb_each(p.attrs)`), is packed: a correlated scalar subquery
//! gathers its rows as one JSON array of arrays, and SQLite's `json_each`,
//! which may read earlier FROM items, spreads them out again. `x.col` is
//! then `json_extract(x.value, '$[i]')`, cast to the column's type.

use super::error::unsupported;
use super::TranslateError;
use sqlparser::ast::{
    Expr, FunctionArguments, GroupByExpr, Ident, Join, JoinConstraint, JoinOperator, LimitClause,
    Query, Select, SelectItem, SetExpr, TableFactor, Value, VisitMut, VisitorMut,
};
use std::ops::ControlFlow;

/// One LATERAL subquery taken out of FROM (or packed in place).
struct Lateral {
    alias: String,
    query: Query,
    /// Output column name → its expression.
    columns: Vec<(String, Expr)>,
    /// Packed into `json_each`: the column types, read back with json_extract.
    packed: Option<Vec<Option<crate::sql::pgtype::PgType>>>,
}

/// Rewrites the LATERAL subqueries of a query's FROM clause, and the
/// references to their columns in its select list, WHERE, GROUP BY, HAVING
/// and ORDER BY.
pub(super) fn rewrite(query: &mut Query) -> Result<(), TranslateError> {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return Ok(());
    };
    let (laterals, outer) = rewrite_select(select)?;
    if let Some(order_by) = &mut query.order_by {
        if let sqlparser::ast::OrderByKind::Expressions(items) = &mut order_by.kind {
            let mut replace = Replace {
                laterals: &laterals,
                outer: outer.as_ref(),
                depth: 0,
            };
            for item in items {
                let _ = item.expr.visit(&mut replace);
            }
        }
    }
    Ok(())
}

/// json_each's own columns, which a packed function's `json_each` brings
/// into FROM: a bare name among them would become ambiguous there.
const JSON_EACH_COLUMNS: [&str; 10] = [
    "key", "value", "type", "atom", "id", "parent", "fullkey", "path", "json", "root",
];

/// The one other FROM item that a bare name of json_each's columns reads
/// (`SELECT id, x FROM t, jsonb_path_query(t.doc, ..) AS x`), unless the
/// name is an output alias (`ORDER BY key`).
struct Outer {
    relation: Ident,
    aliases: Vec<String>,
}

impl Outer {
    fn find(select: &Select, names: &[Option<Ident>], laterals: &[Lateral]) -> Option<Outer> {
        if !laterals.iter().any(|l| l.packed.is_some()) {
            return None;
        }
        let mut others = names.iter().filter(|n| {
            !n.as_ref()
                .is_some_and(|n| laterals.iter().any(|l| l.alias == n.value))
        });
        let (Some(Some(relation)), None) = (others.next(), others.next()) else {
            return None;
        };
        let aliases = select
            .projection
            .iter()
            .filter_map(|item| match item {
                SelectItem::ExprWithAlias { alias, .. } => Some(alias.value.clone()),
                _ => None,
            })
            .collect();
        Some(Outer {
            relation: relation.clone(),
            aliases,
        })
    }

    /// `relation.name` for a bare json_each column name.
    fn qualify(&self, id: &Ident) -> Option<Expr> {
        let name = if id.quote_style.is_none() {
            id.value.to_ascii_lowercase()
        } else {
            id.value.clone()
        };
        (JSON_EACH_COLUMNS.contains(&name.as_str()) && !self.aliases.contains(&id.value))
            .then(|| Expr::CompoundIdentifier(vec![self.relation.clone(), id.clone()]))
    }
}

fn rewrite_select(select: &mut Select) -> Result<(Vec<Lateral>, Option<Outer>), TranslateError> {
    correlated_functions(select)?;
    let names = from_names(select);
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
            let relation = std::mem::replace(&mut from[i].relation, placeholder());
            let l = take(relation)?;
            if l.packed.is_some() {
                from[i].relation = l.packed_factor();
                laterals.push(l);
            } else {
                let twj = from.remove(i);
                if !l.always_one_row() {
                    exists.push(l.query.clone());
                }
                laterals.push(l);
                // Its joins attach to what came before.
                from[i - 1].joins.extend(twj.joins);
                continue;
            }
        }
        let mut j = 0;
        while j < from[i].joins.len() {
            if !is_lateral(&from[i].joins[j].relation) {
                j += 1;
                continue;
            }
            let relation = std::mem::replace(&mut from[i].joins[j].relation, placeholder());
            let l = take(relation)?;
            if l.packed.is_some() {
                if !matches!(
                    from[i].joins[j].join_operator,
                    JoinOperator::CrossJoin(_)
                        | JoinOperator::Join(_)
                        | JoinOperator::Inner(_)
                        | JoinOperator::Left(_)
                        | JoinOperator::LeftOuter(_)
                ) {
                    select.from = from;
                    return Err(unsupported("this LATERAL join"));
                }
                from[i].joins[j].relation = l.packed_factor();
                laterals.push(l);
                j += 1;
                continue;
            }
            let Join { join_operator, .. } = from[i].joins.remove(j);
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
        return Ok((laterals, None));
    }
    let outer = Outer::find(select, &names, &laterals);
    let mut replace = Replace {
        laterals: &laterals,
        outer: outer.as_ref(),
        depth: 0,
    };
    expand_wildcards(select, &laterals, &names);
    for twj in &mut select.from {
        for join in &mut twj.joins {
            if let Some(JoinConstraint::On(e)) = join_constraint(&mut join.join_operator) {
                let _ = e.visit(&mut replace);
            }
        }
    }
    for item in &mut select.projection {
        match item {
            // `x.c` keeps its output name `c` as a subquery.
            SelectItem::UnnamedExpr(e @ (Expr::CompoundIdentifier(_) | Expr::Identifier(_))) => {
                let name = match e {
                    Expr::CompoundIdentifier(ids) => ids.last().cloned(),
                    Expr::Identifier(id) => Some(id.clone()),
                    _ => None,
                };
                let _ = e.visit(&mut replace);
                if let (Expr::Subquery(_) | Expr::Function(_) | Expr::Cast { .. }, Some(name)) =
                    (&*e, name)
                {
                    *item = SelectItem::ExprWithAlias {
                        expr: e.clone(),
                        alias: Ident::with_quote('"', name.value),
                    };
                }
            }
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                let _ = e.visit(&mut replace);
            }
            SelectItem::QualifiedWildcard(
                sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(n),
                _,
            ) if !n
                .0
                .last()
                .and_then(|p| p.as_ident())
                .is_some_and(|q| laterals.iter().any(|l| l.alias == q.value)) => {}
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
    Ok((laterals, outer))
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
        let expr = match item {
            SelectItem::ExprWithAlias { expr, .. } | SelectItem::UnnamedExpr(expr) => expr.clone(),
            _ => return Err(unsupported("* inside a LATERAL subquery")),
        };
        // PostgreSQL's output name (`array_position`, `?column?`) unless the
        // alias names the column.
        let name = alias
            .columns
            .get(i)
            .map_or_else(|| super::columns::item_name(item), |c| c.name.value.clone());
        columns.push((name, expr));
    }
    let l = Lateral {
        alias: alias.name.value,
        query: *subquery,
        columns,
        packed: None,
    };
    if !l.always_one_row() && !l.limit_one() {
        let types = super::columns::query_columns(&l.query);
        let types = if types.len() == l.columns.len() {
            types
        } else {
            vec![None; l.columns.len()]
        };
        return Ok(Lateral {
            packed: Some(types),
            ..l
        });
    }
    Ok(l)
}

/// An empty FROM item, standing in while the real one is taken apart.
fn placeholder() -> TableFactor {
    TableFactor::NestedJoin {
        table_with_joins: Box::new(sqlparser::ast::TableWithJoins {
            relation: TableFactor::Table {
                name: sqlparser::ast::ObjectName::from(vec![Ident::new("pgtenant_none")]),
                alias: None,
                args: None,
                with_hints: vec![],
                version: None,
                partitions: vec![],
                with_ordinality: false,
                json_path: None,
                sample: None,
                index_hints: vec![],
            },
            joins: vec![],
        }),
        alias: None,
    }
}

fn join_constraint(op: &mut JoinOperator) -> Option<&mut JoinConstraint> {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c) => Some(c),
        _ => None,
    }
}

/// A set-returning function after the first FROM item whose arguments name
/// columns (of an earlier item: PostgreSQL's implicit LATERAL) becomes a
/// LATERAL derived table, packed like any other.
fn correlated_functions(select: &mut Select) -> Result<(), TranslateError> {
    let mut first = true;
    for twj in &mut select.from {
        let factors =
            std::iter::once(&mut twj.relation).chain(twj.joins.iter_mut().map(|j| &mut j.relation));
        for factor in factors {
            if let TableFactor::Function {
                name,
                args,
                alias,
                with_ordinality,
                ..
            } = factor
            {
                let with_ordinality = *with_ordinality;
                // `LATERAL f(..)`: the same as without LATERAL.
                *factor = TableFactor::Table {
                    name: name.clone(),
                    alias: alias.clone(),
                    args: Some(sqlparser::ast::TableFunctionArgs {
                        args: std::mem::take(args),
                        settings: None,
                    }),
                    with_hints: vec![],
                    version: None,
                    partitions: vec![],
                    with_ordinality,
                    json_path: None,
                    sample: None,
                    index_hints: vec![],
                };
            }
            if !first && reads_columns(factor) {
                // A populated row's columns are known only when the
                // statement runs, too late to pack it here.
                if let TableFactor::Table { name, .. } = factor {
                    let name = super::ast::base_name(name);
                    if super::populate::set_form(&name).is_some() {
                        return Err(unsupported(format!(
                            "{name}() over columns of an earlier FROM item"
                        )));
                    }
                }
                let mut f = factor.clone();
                if super::series::rewrite_table_function(&mut f)? {
                    if let TableFactor::Derived { lateral, .. } = &mut f {
                        *lateral = true;
                        *factor = f;
                    }
                }
            }
            first = false;
        }
    }
    Ok(())
}

/// A function in FROM with a column reference among its arguments.
fn reads_columns(factor: &TableFactor) -> bool {
    let args: Vec<&Expr> = match factor {
        TableFactor::Table { args: Some(a), .. } => a
            .args
            .iter()
            .filter_map(|a| match a {
                sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(e)) => {
                    Some(e)
                }
                _ => None,
            })
            .collect(),
        TableFactor::UNNEST { array_exprs, .. } => array_exprs.iter().collect(),
        _ => return false,
    };
    let mut found = false;
    for arg in args {
        let _ = sqlparser::ast::visit_expressions(arg, |e| {
            if matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) {
                found = true;
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        });
    }
    found
}

/// The name each FROM item is known by, in order (None: unnamed).
fn from_names(select: &Select) -> Vec<Option<Ident>> {
    let mut names = Vec::new();
    for twj in &select.from {
        for f in std::iter::once(&twj.relation).chain(twj.joins.iter().map(|j| &j.relation)) {
            names.push(match f {
                TableFactor::Table { alias: Some(a), .. }
                | TableFactor::Derived { alias: Some(a), .. } => Some(a.name.clone()),
                TableFactor::Table { name, .. } => {
                    name.0.last().and_then(|p| p.as_ident()).cloned()
                }
                _ => None,
            });
        }
    }
    names
}

/// `*` and `x.*` name a LATERAL subquery's columns as `x.col` (SQLite's `*`
/// would show json_each's own columns for a packed one, and nothing for one
/// taken out of FROM), in FROM order; other FROM items keep `t.*`. The
/// references are then replaced like any other.
fn expand_wildcards(select: &mut Select, laterals: &[Lateral], names: &[Option<Ident>]) {
    use sqlparser::ast::{ObjectName, SelectItemQualifiedWildcardKind, WildcardAdditionalOptions};
    let lateral = |alias: &str| laterals.iter().find(|l| l.alias == alias);
    let columns_of = |l: &Lateral| -> Vec<SelectItem> {
        l.columns
            .iter()
            .map(|(name, _)| SelectItem::ExprWithAlias {
                expr: Expr::CompoundIdentifier(vec![
                    Ident::with_quote('"', &l.alias),
                    Ident::with_quote('"', name),
                ]),
                alias: Ident::with_quote('"', name),
            })
            .collect()
    };
    let mut out = Vec::with_capacity(select.projection.len());
    for item in std::mem::take(&mut select.projection) {
        match item {
            SelectItem::Wildcard(_) if names.iter().all(Option::is_some) => {
                for name in names.iter().flatten() {
                    match lateral(&name.value) {
                        Some(l) => out.extend(columns_of(l)),
                        None => out.push(SelectItem::QualifiedWildcard(
                            SelectItemQualifiedWildcardKind::ObjectName(ObjectName::from(vec![
                                name.clone(),
                            ])),
                            WildcardAdditionalOptions::default(),
                        )),
                    }
                }
            }
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(n), o) => {
                let found = match n.0.as_slice() {
                    [p] => p.as_ident().and_then(|i| lateral(&i.value)),
                    _ => None,
                };
                match found {
                    Some(l) => out.extend(columns_of(l)),
                    None => out.push(SelectItem::QualifiedWildcard(
                        SelectItemQualifiedWildcardKind::ObjectName(n),
                        o,
                    )),
                }
            }
            other => out.push(other),
        }
    }
    select.projection = out;
}

impl Lateral {
    /// An aggregate without GROUP BY: exactly one row.
    fn always_one_row(&self) -> bool {
        let SetExpr::Select(s) = self.query.body.as_ref() else {
            return false;
        };
        let grouped = !matches!(&s.group_by, GroupByExpr::Expressions(e, _) if e.is_empty());
        if grouped || s.having.is_some() || self.query.limit_clause.is_some() {
            return false;
        }
        let items = || {
            s.projection.iter().map(|item| match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
                _ => None,
            })
        };
        // An aggregate without GROUP BY, or expressions over no table
        // (`LATERAL (SELECT t.a * 2 AS d)`) unless a set-returning function
        // among them makes rows.
        items().all(|e| e.is_some_and(is_aggregate))
            || (s.from.is_empty()
                && s.selection.is_none()
                && items().all(|e| e.is_some_and(|e| !super::series::returns_set(e))))
    }

    /// `json_each((SELECT json_group_array(json_array(c1, ..)) FROM (query) AS
    /// pgtenant_lateral)) AS alias`.
    fn packed_factor(&self) -> TableFactor {
        let cols: Vec<Expr> = self
            .columns
            .iter()
            .map(|(n, _)| {
                Expr::CompoundIdentifier(vec![
                    Ident::new("pgtenant_lateral"),
                    Ident::with_quote('"', n),
                ])
            })
            .collect();
        let row = super::ast::call("json_array", cols);
        let rows = super::ast::call("json_group_array", vec![row]);
        let mut inner = self.query.clone();
        // Output names as the columns are known here (an alias list wins).
        if let SetExpr::Select(s) = inner.body.as_mut() {
            for (item, (name, _)) in s.projection.iter_mut().zip(&self.columns) {
                let expr = match item {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                        e.clone()
                    }
                    _ => continue,
                };
                *item = SelectItem::ExprWithAlias {
                    expr,
                    alias: Ident::with_quote('"', name),
                };
            }
        }
        let gather: Query = {
            let mut q: Query =
                sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
                    .try_with_sql("SELECT 1 FROM (SELECT 1) AS pgtenant_lateral")
                    .and_then(|mut p| p.parse_query())
                    .map(|q| *q)
                    .expect("generated SQL parses");
            if let SetExpr::Select(s) = q.body.as_mut() {
                s.projection = vec![SelectItem::UnnamedExpr(rows)];
                if let Some(TableFactor::Derived { subquery, .. }) =
                    s.from.first_mut().map(|t| &mut t.relation)
                {
                    **subquery = inner;
                }
            }
            q
        };
        super::ast::table_function(
            "json_each",
            &self.alias,
            vec![],
            vec![Expr::Subquery(Box::new(gather))],
        )
    }

    /// Column `i` of a packed row, as its type.
    fn extract(&self, i: usize) -> Expr {
        use crate::sql::pgtype::PgType;
        let value =
            Expr::CompoundIdentifier(vec![Ident::new(self.alias.clone()), Ident::new("value")]);
        let e = super::ast::call(
            "json_extract",
            vec![value, super::ast::string(format!("$[{i}]"))],
        );
        let ty = self
            .packed
            .as_ref()
            .and_then(|t| t.get(i).copied().flatten());
        let Some(ty) = ty.filter(|t| !matches!(t, PgType::Text | PgType::Int4 | PgType::Int8))
        else {
            return e;
        };
        match sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
            .try_with_sql(&ty.display_name())
            .and_then(|mut p| p.parse_data_type())
        {
            Ok(data_type) => Expr::Cast {
                kind: sqlparser::ast::CastKind::DoubleColon,
                expr: Box::new(e),
                data_type,
                format: None,
            },
            Err(_) => e,
        }
    }

    fn limit_one(&self) -> bool {
        matches!(&self.query.limit_clause,
            Some(LimitClause::LimitOffset { limit: Some(Expr::Value(v)), offset: None, .. })
                if v.value == Value::Number("1".into(), false))
    }

    /// The subquery reduced to one of its columns (for a packed one, the
    /// column read back from the row).
    fn scalar(&self, column: &str) -> Option<Expr> {
        let i = self.columns.iter().position(|(n, _)| n == column)?;
        if self.packed.is_some() {
            return Some(self.extract(i));
        }
        let (_, expr) = &self.columns[i];
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
    outer: Option<&'a Outer>,
    /// Subquery nesting: their bare names are their own FROM's.
    depth: usize,
}

impl VisitorMut for Replace<'_> {
    type Break = ();

    fn pre_visit_query(&mut self, _: &mut Query) -> ControlFlow<()> {
        self.depth += 1;
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &mut Query) -> ControlFlow<()> {
        self.depth -= 1;
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        // A bare name of a packed subquery's column.
        if let Expr::Identifier(id) = expr {
            let mut owners = self
                .laterals
                .iter()
                .filter(|l| l.packed.is_some() && l.columns.iter().any(|(n, _)| *n == id.value));
            if let (Some(l), None) = (owners.next(), owners.next()) {
                if let Some(s) = l.scalar(&id.value) {
                    *expr = s;
                }
            } else if let Some(l) = self
                .laterals
                .iter()
                .find(|l| l.packed.is_some() && l.columns.len() == 1 && l.alias == id.value)
            {
                // A one-column function's alias names its value
                // (`jsonb_array_elements(..) AS elem`).
                *expr = l.extract(0);
            } else if let Some(q) = self
                .outer
                .filter(|_| self.depth == 0)
                .and_then(|o| o.qualify(id))
            {
                *expr = q;
            }
            return ControlFlow::Continue(());
        }
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
