//! `FETCH FIRST n ROWS WITH TIES`: the rows of the first n and every row
//! that sorts equal to the last of them. SQLite has no such clause; its
//! LIMIT takes a subquery, which counts the rows whose `rank()` over the
//! ORDER BY is at most offset + n (exactly the rows up to the end of the
//! last row's group of ties). The count runs the query's FROM, WHERE,
//! GROUP BY and HAVING a second time. Runs before the query is translated.

use sqlparser::ast::{
    Expr, GroupByExpr, LimitClause, Offset, OrderByKind, Query, SelectItem, SetExpr, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::ast::ident_name;
use super::error::{other, unsupported};
use super::TranslateError;

pub(super) fn rewrite(query: &mut Query) -> Result<(), TranslateError> {
    let Some(fetch) = query.fetch.as_ref().filter(|f| f.with_ties) else {
        return Ok(());
    };
    if fetch.percent {
        return Err(unsupported("FETCH ... PERCENT"));
    }
    let n = fetch
        .quantity
        .clone()
        .unwrap_or_else(|| Expr::value(Value::Number("1".into(), false)));
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Err(unsupported("WITH TIES of a set operation"));
    };
    if select.distinct.is_some() {
        return Err(unsupported("WITH TIES with DISTINCT"));
    }
    let keys = match query.order_by.as_ref().map(|o| &o.kind) {
        Some(OrderByKind::Expressions(keys)) if !keys.is_empty() => keys,
        _ => {
            return Err(other(
                "42601",
                "WITH TIES cannot be specified without ORDER BY clause",
            ))
        }
    };
    // Keys naming an output column by position or alias mean its expression.
    let mut window_keys = Vec::new();
    for key in keys {
        let mut key = key.clone();
        if let Some(item) = output_item(&key.expr, &select.projection) {
            key.expr = item;
        }
        window_keys.push(key.to_string());
    }
    let offset = match &query.limit_clause {
        Some(LimitClause::LimitOffset {
            limit: None,
            offset,
            ..
        }) => offset
            .as_ref()
            .map(|Offset { value, .. }| value.to_string()),
        None => None,
        Some(_) => return Err(unsupported("WITH TIES with LIMIT")),
    };
    let from: Vec<String> = select.from.iter().map(ToString::to_string).collect();
    let mut inner = format!(
        "SELECT rank() OVER (ORDER BY {}) AS pg_ties_rank",
        window_keys.join(", ")
    );
    if !from.is_empty() {
        inner.push_str(&format!(" FROM {}", from.join(", ")));
    }
    if let Some(w) = &select.selection {
        inner.push_str(&format!(" WHERE {w}"));
    }
    if let GroupByExpr::Expressions(exprs, _) = &select.group_by {
        if !exprs.is_empty() {
            let g: Vec<String> = exprs.iter().map(ToString::to_string).collect();
            inner.push_str(&format!(" GROUP BY {}", g.join(", ")));
        }
    } else {
        return Err(unsupported("WITH TIES with GROUP BY ALL"));
    }
    if let Some(h) = &select.having {
        inner.push_str(&format!(" HAVING {h}"));
    }
    let skip = offset.unwrap_or_else(|| "0".into());
    let limit = format!(
        "(SELECT count(*) FROM ({inner}) AS pg_ties WHERE pg_ties_rank <= ({skip}) + ({n})) - ({skip})"
    );
    let limit = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&limit)
        .and_then(|mut p| p.parse_expr())
        .map_err(|e| other("42601", format!("WITH TIES: {e}")))?;
    query.fetch = None;
    match &mut query.limit_clause {
        Some(LimitClause::LimitOffset { limit: l, .. }) => *l = Some(limit),
        _ => {
            query.limit_clause = Some(LimitClause::LimitOffset {
                limit: Some(limit),
                offset: None,
                limit_by: vec![],
            })
        }
    }
    Ok(())
}

/// The select item an ORDER BY key names: `ORDER BY 2`, `ORDER BY total`.
fn output_item(key: &Expr, projection: &[SelectItem]) -> Option<Expr> {
    match key {
        Expr::Value(v) => {
            let Value::Number(n, _) = &v.value else {
                return None;
            };
            let i: usize = n.parse().ok()?;
            match projection.get(i.checked_sub(1)?)? {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                    Some(e.clone())
                }
                _ => None,
            }
        }
        Expr::Identifier(id) => projection.iter().find_map(|item| match item {
            SelectItem::ExprWithAlias { expr, alias } if ident_name(alias) == ident_name(id) => {
                Some(expr.clone())
            }
            _ => None,
        }),
        _ => None,
    }
}
