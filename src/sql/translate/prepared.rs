//! SQL-level prepared statements: `PREPARE name [(types)] AS statement`,
//! `EXECUTE name [(args)]`, `DEALLOCATE [PREPARE] name | ALL`.
//!
//! The session keeps the PostgreSQL text of each prepared statement; EXECUTE
//! substitutes its arguments for `$1..$n` in the statement's AST (each cast
//! to the declared parameter type, if any) and translates the result like any
//! other statement, so the prepared statement always sees the live schema.

use super::ast::{cast, ident_name, name_parts, nested};
use super::error::{other, unsupported};
use super::split::{split_statements, Parsed};
use super::statement::translate_statement;
use super::{StmtKind, TranslateError, Translation};
use sqlparser::ast::{visit_expressions_mut, DataType, Expr, Statement, Value};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// The session command for PREPARE / EXECUTE / DEALLOCATE, or `None`.
pub(super) fn translate(statement: &Statement) -> Result<Option<StmtKind>, TranslateError> {
    Ok(Some(match statement {
        Statement::Prepare {
            name,
            data_types,
            statement,
        } => {
            let inner = statement.to_string();
            // Refuse at PREPARE what could never run, as PostgreSQL does.
            match translate_statement(Parsed::Statement(statement.clone()))?.kind {
                StmtKind::Query { .. } => {}
                _ => return Err(unsupported("PREPARE of this statement")),
            }
            StmtKind::Prepare {
                name: ident_name(name),
                statement: inner,
                types: data_types.iter().map(DataType::to_string).collect(),
            }
        }
        Statement::Execute {
            name: Some(name),
            parameters,
            immediate: false,
            into,
            using,
            ..
        } if into.is_empty() && using.is_empty() => StmtKind::Execute {
            name: name_parts(name).join("."),
            args: parameters.iter().map(Expr::to_string).collect(),
        },
        Statement::Deallocate { name, .. } => StmtKind::Deallocate {
            name: (!(name.quote_style.is_none() && name.value.eq_ignore_ascii_case("all")))
                .then(|| ident_name(name)),
        },
        _ => return Ok(None),
    }))
}

/// The translation EXECUTE runs: `statement` (a PREPARE body) with `args`
/// in place of its parameters. Outer `$n` inside `args` stay parameters.
pub fn bind(
    statement: &str,
    types: &[String],
    args: &[String],
) -> Result<Translation, TranslateError> {
    let parse_expr = |text: &str| {
        Parser::new(&PostgreSqlDialect {})
            .try_with_sql(text)
            .and_then(|mut p| p.parse_expr())
            .map_err(|e| other("42601", e.to_string()))
    };
    let mut exprs = Vec::with_capacity(args.len());
    for (i, a) in args.iter().enumerate() {
        let e = parse_expr(a)?;
        exprs.push(match types.get(i) {
            Some(t) => cast(nested(e), parse_type(t)?),
            None => nested(e),
        });
    }
    let mut parsed = split_statements(statement)?;
    let (mut stmt, overriding) = match (parsed.pop(), parsed.is_empty()) {
        (Some(Parsed::Statement(stmt)), true) => (stmt, false),
        (Some(Parsed::OverridingInsert(stmt)), true) => (stmt, true),
        _ => {
            return Err(other(
                "XX000",
                "prepared statement text is not one statement",
            ))
        }
    };
    let highest = highest_placeholder(&mut stmt).max(types.len());
    if highest != exprs.len() {
        return Err(other(
            "42601",
            format!(
                "wrong number of parameters for prepared statement: expected {highest}, got {}",
                exprs.len()
            ),
        ));
    }
    let _ = visit_expressions_mut(stmt.as_mut(), |e| {
        if let Some(n) = placeholder(e) {
            if let Some(arg) = exprs.get(n - 1) {
                *e = arg.clone();
            }
        }
        ControlFlow::<()>::Continue(())
    });
    super::budget::metered(|| {
        translate_statement(if overriding {
            Parsed::OverridingInsert(stmt)
        } else {
            Parsed::Statement(stmt)
        })
    })
}

fn parse_type(text: &str) -> Result<DataType, TranslateError> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_data_type())
        .map_err(|e| other("42601", e.to_string()))
}

/// `$n` (1-based) if `e` is a positional parameter.
fn placeholder(e: &Expr) -> Option<usize> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('$')?.parse().ok().filter(|n| *n > 0),
            _ => None,
        },
        _ => None,
    }
}

fn highest_placeholder(stmt: &mut Statement) -> usize {
    let mut highest = 0;
    let _ = visit_expressions_mut(stmt, |e| {
        highest = highest.max(placeholder(e).unwrap_or(0));
        ControlFlow::<()>::Continue(())
    });
    highest
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sql::translate::translate as tr;

    fn kind(sql: &str) -> StmtKind {
        tr(sql).unwrap().remove(0).kind
    }

    #[test]
    fn prepare_execute_deallocate_kinds() {
        assert_eq!(
            kind("PREPARE q (int, text) AS SELECT $1 + 1, $2"),
            StmtKind::Prepare {
                name: "q".into(),
                statement: "SELECT $1 + 1, $2".into(),
                types: vec!["INT".into(), "TEXT".into()],
            }
        );
        assert_eq!(
            kind("EXECUTE Q(41, 'x')"),
            StmtKind::Execute {
                name: "q".into(),
                args: vec!["41".into(), "'x'".into()],
            }
        );
        assert_eq!(kind("DEALLOCATE ALL"), StmtKind::Deallocate { name: None });
        assert_eq!(
            kind("DEALLOCATE PREPARE q"),
            StmtKind::Deallocate {
                name: Some("q".into())
            }
        );
    }

    #[test]
    fn bind_substitutes_typed_arguments() {
        let t = bind(
            "SELECT $1 + 1, $2",
            &["INT".into(), "TEXT".into()],
            &["41".into(), "$1".into()],
        )
        .unwrap();
        assert!(t.sql.contains("41 + 1"), "{}", t.sql);
        assert!(t.sql.contains("?1"), "outer parameter stays: {}", t.sql);
        let e = bind("SELECT $1", &[], &[]).unwrap_err();
        assert_eq!(e.code, "42601");
    }

    #[test]
    fn prepare_refuses_what_cannot_run() {
        assert!(tr("PREPARE q AS SELEC 1").is_err());
    }
}
