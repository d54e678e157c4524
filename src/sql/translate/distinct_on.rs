//! `SELECT DISTINCT ON (e, ...) items ... ORDER BY o, ...`: SQLite has no
//! DISTINCT ON, so the first row of each group by the ORDER BY becomes a
//! `row_number()` window filter:
//!
//! ```sql
//! SELECT c1 AS "item", ... FROM (
//!   SELECT item AS c1, ..., row_number() OVER (PARTITION BY e ORDER BY o) AS rn,
//!          o AS o1, ...
//!   FROM ... WHERE ... GROUP BY ...
//! ) WHERE rn = 1 ORDER BY o1, ... LIMIT ...
//! ```

use sqlparser::ast::{
    Distinct, Expr, Ident, OrderByKind, Query, SelectItem, SetExpr, TableFactor, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::error::unsupported;
use super::TranslateError;

pub(super) fn rewrite(query: &mut Query) -> Result<(), TranslateError> {
    let SetExpr::Select(select) = query.body.as_mut() else {
        return Ok(());
    };
    let Some(Distinct::On(on)) = select.distinct.clone() else {
        return Ok(());
    };
    select.distinct = None;
    // Output names, and the items aliased c1.. inside.
    let mut names = Vec::with_capacity(select.projection.len());
    let mut exprs = Vec::with_capacity(select.projection.len());
    for (i, item) in select.projection.iter_mut().enumerate() {
        let (expr, name) = match item {
            SelectItem::UnnamedExpr(e) => (e.clone(), output_name(e)),
            SelectItem::ExprWithAlias { expr, alias } => (expr.clone(), alias.value.clone()),
            _ => return Err(unsupported("DISTINCT ON with *")),
        };
        *item = SelectItem::ExprWithAlias {
            expr: expr.clone(),
            alias: Ident::new(format!("pgtenant_c{}", i + 1)),
        };
        names.push(name);
        exprs.push(expr);
    }
    // ORDER BY and ON may name an output column or its position.
    let resolve = |e: &Expr| -> Expr {
        match e {
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => n
                    .parse::<usize>()
                    .ok()
                    .and_then(|k| exprs.get(k.wrapping_sub(1)).cloned())
                    .unwrap_or_else(|| e.clone()),
                _ => e.clone(),
            },
            Expr::Identifier(id) => names
                .iter()
                .position(|n| n.eq_ignore_ascii_case(&id.value))
                .map(|k| exprs[k].clone())
                .unwrap_or_else(|| e.clone()),
            _ => e.clone(),
        }
    };
    let order: Vec<(Expr, String)> = match query.order_by.take().map(|o| o.kind) {
        Some(OrderByKind::Expressions(list)) => list
            .iter()
            .map(|o| (resolve(&o.expr), o.options.to_string()))
            .collect(),
        Some(OrderByKind::All(_)) => return Err(unsupported("ORDER BY ALL")),
        None => Vec::new(),
    };
    let partition: Vec<String> = on.iter().map(|e| resolve(e).to_string()).collect();
    let window_order: Vec<String> = order
        .iter()
        .map(|(e, opts)| format!("{e}{}", spaced(opts)))
        .collect();
    let window = if window_order.is_empty() {
        format!("row_number() OVER (PARTITION BY {})", partition.join(", "))
    } else {
        format!(
            "row_number() OVER (PARTITION BY {} ORDER BY {})",
            partition.join(", "),
            window_order.join(", ")
        )
    };
    let window_expr = parse_expr(&window)?;
    select.projection.push(SelectItem::ExprWithAlias {
        expr: window_expr,
        alias: Ident::new("pgtenant_rn"),
    });
    for (j, (e, _)) in order.iter().enumerate() {
        select.projection.push(SelectItem::ExprWithAlias {
            expr: e.clone(),
            alias: Ident::new(format!("pgtenant_o{}", j + 1)),
        });
    }
    let outer_items: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("pgtenant_c{} AS {}", i + 1, Ident::with_quote('"', n)))
        .collect();
    let outer_order: Vec<String> = order
        .iter()
        .enumerate()
        .map(|(j, (_, opts))| format!("pgtenant_o{}{}", j + 1, spaced(opts)))
        .collect();
    let mut sql = format!(
        "SELECT {} FROM (SELECT 1) AS pgtenant_distinct WHERE pgtenant_rn = 1",
        outer_items.join(", ")
    );
    if !outer_order.is_empty() {
        sql.push_str(" ORDER BY ");
        sql.push_str(&outer_order.join(", "));
    }
    let mut outer = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&sql)
        .and_then(|mut p| p.parse_query())
        .map_err(|e| unsupported(format!("this DISTINCT ON ({e})")))?;
    // The original query (without ORDER BY and LIMIT) becomes the inner one.
    outer.limit_clause = query.limit_clause.take();
    outer.fetch = query.fetch.take();
    let with = query.with.take();
    let inner = std::mem::replace(query, *outer);
    query.with = with;
    if let SetExpr::Select(s) = query.body.as_mut() {
        if let Some(TableFactor::Derived { subquery, .. }) =
            s.from.first_mut().map(|t| &mut t.relation)
        {
            **subquery = inner;
        }
    }
    Ok(())
}

fn spaced(opts: &str) -> String {
    if opts.is_empty() || opts.starts_with(' ') {
        opts.to_owned()
    } else {
        format!(" {opts}")
    }
}

fn parse_expr(sql: &str) -> Result<Expr, TranslateError> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| unsupported(format!("this DISTINCT ON ({e})")))
}

/// PostgreSQL's name for an unaliased output column.
fn output_name(e: &Expr) -> String {
    match e {
        Expr::Identifier(i) => i.value.clone(),
        Expr::CompoundIdentifier(ids) => ids.last().map(|i| i.value.clone()).unwrap_or_default(),
        Expr::Function(f) => super::ast::base_name(&f.name),
        _ => "?column?".to_owned(),
    }
}
