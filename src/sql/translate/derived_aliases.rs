//! Column aliases on a derived table, `FROM (VALUES ...) AS v(n, s)` or
//! `FROM (SELECT ...) AS t(a, b)`: SQLite has no alias column list, so the
//! names move inside. VALUES gets a SELECT naming its `columnN` outputs
//! (the form SQLAlchemy's insertmanyvalues sends); a SELECT gets its
//! output expressions aliased.

use sqlparser::ast::{Ident, Query, SelectItem, SetExpr, TableFactor};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::error::unsupported;
use super::TranslateError;

pub(super) fn rewrite(factor: &mut TableFactor) -> Result<(), TranslateError> {
    let TableFactor::Derived {
        subquery,
        alias: Some(alias),
        ..
    } = factor
    else {
        return Ok(());
    };
    if alias.columns.is_empty() {
        return Ok(());
    }
    let names: Vec<Ident> = alias.columns.iter().map(|c| c.name.clone()).collect();
    if let SetExpr::Values(values) = subquery.body.as_ref() {
        let width = values.rows.first().map_or(0, |r| r.content.len());
        if names.len() > width {
            return Err(too_many(&alias.name.value, width, names.len()));
        }
        let projection: Vec<String> = (0..width)
            .map(|i| match names.get(i) {
                Some(n) => format!("column{} AS {n}", i + 1),
                None => format!("column{}", i + 1),
            })
            .collect();
        let mut outer: Box<Query> = Parser::new(&PostgreSqlDialect {})
            .try_with_sql(&format!(
                "SELECT {} FROM (SELECT 1) AS pgtenant_values",
                projection.join(", ")
            ))
            .and_then(|mut p| p.parse_query())
            .expect("generated SQL parses");
        if let SetExpr::Select(select) = outer.body.as_mut() {
            if let Some(TableFactor::Derived {
                subquery: inner, ..
            }) = select.from.first_mut().map(|t| &mut t.relation)
            {
                *inner = subquery.clone();
            }
        }
        *subquery = outer;
    } else {
        let projection = leftmost_projection(&mut subquery.body)
            .ok_or_else(|| unsupported("column aliases on this derived table"))?;
        if projection.iter().any(|i| {
            !matches!(
                i,
                SelectItem::UnnamedExpr(_) | SelectItem::ExprWithAlias { .. }
            )
        }) {
            return Err(unsupported("column aliases on a derived table selecting *"));
        }
        if names.len() > projection.len() {
            return Err(too_many(&alias.name.value, projection.len(), names.len()));
        }
        for (item, name) in projection.iter_mut().zip(&names) {
            let expr = match std::mem::replace(item, SelectItem::Wildcard(Default::default())) {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
                _ => unreachable!("checked above"),
            };
            *item = SelectItem::ExprWithAlias {
                expr,
                alias: name.clone(),
            };
        }
    }
    alias.columns.clear();
    Ok(())
}

/// The SELECT list that names a query's columns (the leftmost of a UNION).
fn leftmost_projection(body: &mut SetExpr) -> Option<&mut Vec<SelectItem>> {
    match body {
        SetExpr::Select(select) => Some(&mut select.projection),
        SetExpr::SetOperation { left, .. } => leftmost_projection(left),
        SetExpr::Query(q) => leftmost_projection(&mut q.body),
        _ => None,
    }
}

fn too_many(table: &str, has: usize, given: usize) -> TranslateError {
    super::error::other(
        "42P10",
        format!("table \"{table}\" has {has} columns available but {given} columns specified"),
    )
}
