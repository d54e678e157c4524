//! `EXCEPT ALL` and `INTERSECT ALL`, which SQLite lacks: each side's rows
//! are numbered within their group of equal rows (`row_number() OVER
//! (PARTITION BY every column)`), so the third copy of a row in one side
//! meets only the third copy in the other, and the plain `EXCEPT` /
//! `INTERSECT` of the numbered rows keeps PostgreSQL's multiset answer:
//!
//! ```sql
//! WITH pg_l(pg_c1, ..) AS (left), pg_r(pg_c1, ..) AS (right)
//! SELECT pg_c1 AS "a", .. FROM (SELECT pg_c1, .., row_number() OVER
//!   (PARTITION BY pg_c1, ..) FROM pg_l EXCEPT SELECT .. FROM pg_r) AS pg_set
//! ```
//!
//! The columns must be countable: a `*` in the left side is 0A000.

use super::columns::item_name;
use super::error::unsupported;
use super::TranslateError;
use sqlparser::ast::{
    Cte, Ident, Query, SelectItem, SetExpr, SetOperator, SetQuantifier, TableAlias, With,
};

pub(super) fn rewrite(query: &mut Query) -> Result<(), TranslateError> {
    nested(&mut query.body)?;
    let SetExpr::SetOperation {
        op: op @ (SetOperator::Except | SetOperator::Intersect),
        set_quantifier: SetQuantifier::All,
        ..
    } = query.body.as_ref()
    else {
        return Ok(());
    };
    let keyword = if *op == SetOperator::Except {
        "EXCEPT"
    } else {
        "INTERSECT"
    };
    let names = column_names(&query.body)
        .ok_or_else(|| unsupported(format!("{keyword} ALL over a select list with *")))?;
    let columns: Vec<String> = (1..=names.len()).map(|i| format!("pg_c{i}")).collect();
    let list = columns.join(", ");
    let numbered = |from: &str| {
        format!("SELECT {list}, row_number() OVER (PARTITION BY {list}) AS pg_n FROM {from}")
    };
    let outputs: Vec<String> = columns
        .iter()
        .zip(&names)
        .map(|(c, n)| format!("{c} AS \"{}\"", n.replace('"', "\"\"")))
        .collect();
    let sql = format!(
        "SELECT {} FROM ({} {keyword} {}) AS pg_set",
        outputs.join(", "),
        numbered("pg_l"),
        numbered("pg_r")
    );
    let Ok(mut statements) =
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, &sql)
    else {
        return Err(unsupported(format!("{keyword} ALL")));
    };
    let Some(sqlparser::ast::Statement::Query(template)) = statements.pop() else {
        return Err(unsupported(format!("{keyword} ALL")));
    };
    // The template has no WITH, ORDER BY or LIMIT: the CTEs' queries are
    // it with another body.
    let template = *template;
    let SetExpr::SetOperation { left, right, .. } =
        std::mem::replace(query.body.as_mut(), (*template.body).clone())
    else {
        unreachable!("matched above")
    };
    let side = |name: &str, body: Box<SetExpr>| Cte {
        alias: TableAlias {
            name: Ident::new(name),
            columns: columns
                .iter()
                .map(|c| sqlparser::ast::TableAliasColumnDef::from_name(c.as_str()))
                .collect(),
            explicit: false,
            at: None,
        },
        // A member that is a query already (`(SELECT ...)`, or a rewritten
        // nested EXCEPT ALL) is the CTE's query: SQLite takes no extra
        // parentheses there.
        query: match *body {
            SetExpr::Query(q) => q,
            body => Box::new(Query {
                body: Box::new(body),
                ..template.clone()
            }),
        },
        from: None,
        materialized: None,
        closing_paren_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
    };
    let ctes = [side("pg_l", left), side("pg_r", right)];
    match &mut query.with {
        Some(with) => with.cte_tables.extend(ctes),
        None => {
            query.with = Some(With {
                with_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
                recursive: false,
                cte_tables: ctes.into(),
            })
        }
    }
    Ok(())
}

/// An `EXCEPT ALL` / `INTERSECT ALL` inside another set operation
/// (`a UNION ALL b INTERSECT ALL c`) becomes a query of its own, rewritten
/// here (and read as a member through `set_members`).
fn nested(body: &mut SetExpr) -> Result<(), TranslateError> {
    let SetExpr::SetOperation { left, right, .. } = body else {
        return Ok(());
    };
    for side in [left, right] {
        if matches!(
            side.as_ref(),
            SetExpr::SetOperation {
                op: SetOperator::Except | SetOperator::Intersect,
                set_quantifier: SetQuantifier::All,
                ..
            }
        ) {
            let Ok(mut parsed) = sqlparser::parser::Parser::parse_sql(
                &sqlparser::dialect::PostgreSqlDialect {},
                "SELECT 1",
            ) else {
                continue;
            };
            let Some(sqlparser::ast::Statement::Query(mut member)) = parsed.pop() else {
                continue;
            };
            std::mem::swap(&mut member.body, side);
            rewrite(&mut member)?;
            **side = SetExpr::Query(member);
        } else {
            nested(side)?;
        }
    }
    Ok(())
}

/// The output names of a set operation: its leftmost select list's.
fn column_names(body: &SetExpr) -> Option<Vec<String>> {
    match body {
        SetExpr::Select(select) => select
            .projection
            .iter()
            .map(|item| match item {
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => None,
                item => Some(item_name(item)),
            })
            .collect(),
        SetExpr::Query(q) => column_names(&q.body),
        SetExpr::SetOperation { left, .. } => column_names(left),
        _ => None,
    }
}
