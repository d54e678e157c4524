//! Query-level clauses SQLite spells differently: LIMIT/OFFSET/FETCH, row
//! locks, DISTINCT ON, set-returning functions in FROM.

use super::ast::{base_name, number};
use super::error::unsupported;
use super::TranslateError;
use sqlparser::ast::{
    Distinct, Expr, LimitClause, Offset, OffsetRows, Query, Select, SetExpr, TableFactor,
    UnaryOperator,
};

/// `FETCH FIRST n ROWS ONLY` -> `LIMIT n`; `OFFSET n ROWS` -> `OFFSET n`;
/// OFFSET without LIMIT gets `LIMIT -1`, which SQLite requires.
pub(super) fn rewrite_limits(query: &mut Query) -> Result<(), TranslateError> {
    if let Some(fetch) = query.fetch.take() {
        if fetch.with_ties || fetch.percent {
            return Err(unsupported("FETCH ... WITH TIES / PERCENT"));
        }
        let quantity = fetch.quantity.unwrap_or_else(|| number(1));
        match &mut query.limit_clause {
            Some(LimitClause::LimitOffset { limit, .. }) => *limit = Some(quantity),
            Some(LimitClause::OffsetCommaLimit { .. }) => {
                return Err(unsupported("LIMIT offset, count"))
            }
            None => {
                query.limit_clause = Some(LimitClause::LimitOffset {
                    limit: Some(quantity),
                    offset: None,
                    limit_by: vec![],
                })
            }
        }
    }
    match &mut query.limit_clause {
        Some(LimitClause::LimitOffset {
            limit,
            offset,
            limit_by,
        }) => {
            if !limit_by.is_empty() {
                return Err(unsupported("LIMIT BY"));
            }
            if let Some(Offset { rows, .. }) = offset {
                *rows = OffsetRows::None;
                if limit.is_none() {
                    *limit = Some(Expr::UnaryOp {
                        op: UnaryOperator::Minus,
                        expr: Box::new(number(1)),
                    });
                }
            }
        }
        Some(LimitClause::OffsetCommaLimit { .. }) => {
            return Err(unsupported("LIMIT offset, count"))
        }
        None => {}
    }
    // SQLite serializes writers, so FOR UPDATE/SHARE locking is implied.
    query.locks.clear();
    if query.for_clause.is_some() || query.format_clause.is_some() || query.settings.is_some() {
        return Err(unsupported("this query clause"));
    }
    Ok(())
}

pub(super) fn check_select(select: &Select) -> Result<(), TranslateError> {
    if matches!(select.distinct, Some(Distinct::On(_))) {
        return Err(unsupported("DISTINCT ON"));
    }
    if select.into.is_some() {
        return Err(unsupported("SELECT INTO"));
    }
    if select.top.is_some() || !select.lateral_views.is_empty() || select.qualify.is_some() {
        return Err(unsupported("this SELECT clause"));
    }
    Ok(())
}

/// Table functions SQLite has with the same shape; everything else in FROM
/// position with arguments is refused by name.
const TABLE_FUNCTIONS: [&str; 2] = ["json_each", "json_tree"];
// (jsonb_each, json_array_elements and friends are rewritten by `series`.)

pub(super) fn check_table_factor(factor: &TableFactor) -> Result<(), TranslateError> {
    match factor {
        TableFactor::Table {
            name,
            args: Some(_),
            ..
        } => {
            let base = base_name(name);
            if TABLE_FUNCTIONS.contains(&base.as_str()) {
                Ok(())
            } else {
                Err(unsupported(format!("function {base}() in FROM")))
            }
        }
        TableFactor::Table {
            with_ordinality: true,
            ..
        } => Err(unsupported("WITH ORDINALITY")),
        TableFactor::Function { .. }
        | TableFactor::UNNEST { .. }
        | TableFactor::TableFunction { .. }
        | TableFactor::JsonTable { .. }
        | TableFactor::Pivot { .. }
        | TableFactor::Unpivot { .. }
        | TableFactor::MatchRecognize { .. } => Err(unsupported("this FROM item")),
        _ => Ok(()),
    }
}

/// `VALUES (...) ORDER BY 1 LIMIT 2`: SQLite takes ORDER BY and LIMIT only
/// after a SELECT, so the rows move into a subquery read by `SELECT *`
/// (SQLite names its columns column1, column2, ... as PostgreSQL does).
pub(super) fn sorted_values(query: &mut Query) {
    let modified =
        query.order_by.is_some() || query.limit_clause.is_some() || query.fetch.is_some();
    if !modified || !matches!(query.body.as_ref(), SetExpr::Values(_)) {
        return;
    }
    let mut wrapper = super::ast::parse_query("SELECT * FROM (VALUES (1))");
    let SetExpr::Select(select) = wrapper.body.as_mut() else {
        return;
    };
    let Some(TableFactor::Derived { subquery, .. }) =
        select.from.first_mut().map(|f| &mut f.relation)
    else {
        return;
    };
    std::mem::swap(subquery.body.as_mut(), query.body.as_mut());
    query.body = wrapper.body;
}
