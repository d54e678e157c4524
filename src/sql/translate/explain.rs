//! `EXPLAIN [VERBOSE] [(options)] statement`: SQLite's query plan for the
//! statement's translation, one `QUERY PLAN` text row per plan node,
//! indented as PostgreSQL indents its tree (`->` under a parent). The
//! statement is prepared, never run (`pg_explain`, on the tenant's own
//! connection and authorizer). EXPLAIN ANALYZE and formats other than TEXT
//! are 0A000: they promise timings and structured output SQLite's plan has
//! no counterpart for.

use sqlparser::ast::{Expr, Statement, Value};

use super::error::unsupported;
use super::split::Parsed;
use super::statement::translate_statement;
use super::{StmtKind, TranslateError, Translation};
use crate::sql::pgtype::PgType;
use crate::sql::quote_literal;

/// The translation of an EXPLAIN statement, or `None` for other statements.
pub(super) fn translate(statement: &Statement) -> Result<Option<Translation>, TranslateError> {
    let Statement::Explain {
        analyze,
        statement,
        format,
        options,
        query_plan: false,
        estimate: false,
        ..
    } = statement
    else {
        return Ok(None);
    };
    if *analyze {
        return Err(unsupported("EXPLAIN ANALYZE"));
    }
    if format.is_some() {
        return Err(unsupported("EXPLAIN FORMAT"));
    }
    for option in options.iter().flatten() {
        let name = option.name.value.to_ascii_lowercase();
        let on = match &option.arg {
            None => true,
            Some(Expr::Value(v)) => match &v.value {
                Value::Boolean(b) => *b,
                Value::Number(n, _) => n != "0",
                Value::SingleQuotedString(s) => !matches!(s.as_str(), "off" | "false" | "0"),
                _ => true,
            },
            Some(Expr::Identifier(id)) => {
                let v = id.value.to_ascii_lowercase();
                if name == "format" {
                    if v != "text" {
                        return Err(unsupported(format!("EXPLAIN FORMAT {}", id.value)));
                    }
                    continue;
                }
                !matches!(v.as_str(), "off" | "false")
            }
            Some(_) => true,
        };
        match name.as_str() {
            "analyze" if on => return Err(unsupported("EXPLAIN ANALYZE")),
            "analyze" | "verbose" | "costs" | "settings" | "buffers" | "wal" | "timing"
            | "summary" | "generic_plan" | "format" => {}
            _ => {
                return Err(super::error::other(
                    "42601",
                    format!("unrecognized EXPLAIN option \"{}\"", option.name.value),
                ))
            }
        }
    }
    // PostgreSQL explains queries and DML only; other statements are not
    // in EXPLAIN's grammar.
    if !matches!(
        statement.as_ref(),
        Statement::Query(_) | Statement::Insert(_) | Statement::Update(_) | Statement::Delete(_)
    ) {
        let word = super::statement::statement_name(statement);
        let word = word.split(' ').next().unwrap_or_default().to_owned();
        return Err(super::error::other(
            "42601",
            format!("syntax error at or near \"{word}\""),
        ));
    }
    let inner = translate_statement(Parsed::Statement(statement.clone()))?;
    if !matches!(inner.kind, StmtKind::Query { .. }) || inner.sql.is_empty() {
        return Err(unsupported(format!(
            "EXPLAIN {}",
            super::statement::statement_name(statement)
        )));
    }
    Ok(Some(Translation {
        kind: StmtKind::Query {
            tag: "EXPLAIN",
            returns_rows: true,
        },
        // The parameters go to pg_explain too: the client binds them as
        // for the statement itself, and the plan never reads them.
        sql: format!(
            "SELECT value AS \"QUERY PLAN\" FROM json_each(pg_explain({}{}))",
            quote_literal(&inner.sql),
            (1..=inner.params.len())
                .map(|i| format!(", ?{i}"))
                .collect::<String>()
        ),
        params: inner.params,
        columns: vec![Some(PgType::Text)],
        retype: None,
        scales: vec![],
        steps: vec![],
        locks_rows: false,
    }))
}
