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
        let SetExpr::Query(q) = side.as_ref() else {
            continue;
        };
        let plain = q.order_by.is_none()
            && q.limit_clause.is_none()
            && q.fetch.is_none()
            && q.with.is_none()
            && q.locks.is_empty()
            && matches!(*q.body, SetExpr::Select(_));
        // The member out, `SELECT * FROM (SELECT 1) AS pgtenant_member` in.
        let mut template = select_all_template();
        std::mem::swap(side.as_mut(), template.body.as_mut());
        let SetExpr::Query(member) = *template.body else {
            unreachable!("checked above")
        };
        if plain {
            **side = *member.body;
        } else if let SetExpr::Select(select) = side.as_mut() {
            if let Some(TableFactor::Derived { subquery, .. }) =
                select.from.first_mut().map(|t| &mut t.relation)
            {
                *subquery = member;
            }
        }
    }
}

/// `SELECT * FROM (SELECT 1) AS pgtenant_member`, whose subquery a member
/// takes the place of.
fn select_all_template() -> Query {
    let statement = sqlparser::parser::Parser::parse_sql(
        &sqlparser::dialect::PostgreSqlDialect {},
        "SELECT * FROM (SELECT 1) AS pgtenant_member",
    );
    match statement.ok().and_then(|mut s| s.pop()) {
        Some(Statement::Query(q)) => *q,
        _ => unreachable!("the template parses"),
    }
}
