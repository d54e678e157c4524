//! Parenthesized members of a set operation: `(SELECT ... ORDER BY x LIMIT
//! 2) UNION ALL (SELECT ...)`. SQLite takes neither parentheses there nor
//! ORDER BY / LIMIT in a member: a lone parenthesized SELECT loses its
//! parentheses, any other member (its own ORDER BY, LIMIT or WITH, or a
//! set operation, whose grouping the parentheses decide) is read through
//! `SELECT * FROM (member)`.

use sqlparser::ast::{Query, SetExpr, Statement, TableFactor};

pub(super) fn rewrite(body: &mut SetExpr) {
    let SetExpr::SetOperation { left, right, .. } = body else {
        return;
    };
    for side in [left, right] {
        rewrite(side);
        let SetExpr::Query(q) = side.as_mut() else {
            continue;
        };
        let plain = q.order_by.is_none()
            && q.limit_clause.is_none()
            && q.fetch.is_none()
            && q.with.is_none()
            && q.locks.is_empty()
            && matches!(*q.body, SetExpr::Select(_));
        let member = std::mem::replace(q, Box::new(empty_query()));
        **side = if plain {
            *member.body
        } else {
            select_all_from(member)
        };
    }
}

/// `SELECT * FROM (member) AS pgtenant_member`.
fn select_all_from(member: Box<Query>) -> SetExpr {
    let mut outer = empty_query();
    if let SetExpr::Select(select) = outer.body.as_mut() {
        if let Some(TableFactor::Derived { subquery, .. }) =
            select.from.first_mut().map(|t| &mut t.relation)
        {
            *subquery = member;
        }
    }
    *outer.body
}

/// The template the members are put in.
fn empty_query() -> Query {
    let statement = sqlparser::parser::Parser::parse_sql(
        &sqlparser::dialect::PostgreSqlDialect {},
        "SELECT * FROM (SELECT 1) AS pgtenant_member",
    );
    match statement.ok().and_then(|mut s| s.pop()) {
        Some(Statement::Query(q)) => *q,
        _ => unreachable!("the template parses"),
    }
}
