//! Materialized views: `CREATE MATERIALIZED VIEW v AS query` is a table
//! holding the query's rows (`CREATE TABLE v AS ...`), with the query's
//! translation kept in the tenant's `pgcat__matview` table;
//! `REFRESH MATERIALIZED VIEW [CONCURRENTLY] v` (which sqlparser does not
//! parse: read from tokens) replaces the rows by running it again, in one
//! savepoint (the session's `StmtKind::RefreshMatview`); `DROP MATERIALIZED
//! VIEW` drops the table and the definition.

use sqlparser::ast::{CreateView, ObjectName};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::ast::{base_name, ident_name};
use super::error::{other, unsupported};
use super::names::check_table_name;
use super::{CreateTableAs, TranslateError, Translation};
use crate::sql::quote_literal;

/// The definitions table, created by the first materialized view.
pub const TABLE_DDL: &str = "CREATE TABLE IF NOT EXISTS main.pgcat__matview \
     (name TEXT PRIMARY KEY, query TEXT NOT NULL)";

/// The statements making sure the definitions table exists: `TABLE_DDL`,
/// after dropping the empty stand-in a connection's catalog views may have
/// made (`backend::sqlite::catalog::install`), which would hide it.
pub fn table_ddl() -> [String; 2] {
    [
        "DROP TABLE IF EXISTS temp.pgcat__matview".to_owned(),
        TABLE_DDL.to_owned(),
    ]
}

/// `CREATE MATERIALIZED VIEW`: a table made from the query, and its
/// stored definition.
pub(super) fn create(view: CreateView) -> Result<CreateTableAs, TranslateError> {
    if view.or_replace || view.or_alter {
        return Err(unsupported("CREATE OR REPLACE MATERIALIZED VIEW"));
    }
    let mut name = view.name.clone();
    check_table_name(&mut name)?;
    let table = base_name(&name);
    let query = plain_select(&view.query.to_string())?;
    let mut after = table_ddl().to_vec();
    // IF NOT EXISTS keeps an existing view's definition.
    after.push(format!(
        "INSERT OR {} INTO main.pgcat__matview (name, query) VALUES ({}, {})",
        if view.if_not_exists {
            "IGNORE"
        } else {
            "REPLACE"
        },
        quote_literal(&table),
        quote_literal(&query.sql)
    ));
    Ok(CreateTableAs {
        table,
        temporary: false,
        if_not_exists: view.if_not_exists,
        columns: view.columns.iter().map(|c| ident_name(&c.name)).collect(),
        query,
        after,
        skipped_tag: "CREATE MATERIALIZED VIEW",
        like: None,
    })
}

/// The translation of a plain query (no parameters, no data changes).
pub(super) fn plain_select(query: &str) -> Result<Translation, TranslateError> {
    let mut translated = super::translate(query)?;
    match (translated.pop(), translated.is_empty()) {
        (Some(t), true)
            if t.steps.is_empty()
                && t.params.is_empty()
                && matches!(t.kind, super::StmtKind::Query { tag: "SELECT", .. }) =>
        {
            Ok(t)
        }
        _ => Err(unsupported("a table made from this query")),
    }
}

/// The statements of `DROP MATERIALIZED VIEW [IF EXISTS] names`.
pub(super) fn drop(names: &[ObjectName], if_exists: bool) -> Result<Vec<String>, TranslateError> {
    let mut out = table_ddl().to_vec();
    for name in names {
        let mut name = name.clone();
        check_table_name(&mut name)?;
        let exists = if if_exists { "IF EXISTS " } else { "" };
        out.extend(super::comments::dropped_relation(&base_name(&name)));
        out.extend(super::grants::dropped_relation(&base_name(&name)));
        out.push(format!("DROP TABLE {exists}{name}"));
        out.push(format!(
            "DELETE FROM main.pgcat__matview WHERE name = {}",
            quote_literal(&base_name(&name))
        ));
    }
    Ok(out)
}

/// `REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]`: the
/// view's name, or `None` when the tokens are another statement.
pub(super) fn refresh_target(tokens: &[&TokenWithSpan]) -> Option<Result<String, TranslateError>> {
    let word = |i: usize| match tokens.get(i).map(|t| &t.token) {
        Some(Token::Word(w)) => Some(w),
        _ => None,
    };
    let refresh = word(0)?;
    if !refresh.value.eq_ignore_ascii_case("refresh") {
        return None;
    }
    let ok = word(1).is_some_and(|w| w.keyword == Keyword::MATERIALIZED)
        && word(2).is_some_and(|w| w.keyword == Keyword::VIEW);
    if !ok {
        return Some(Err(other("42601", "syntax error at or near \"REFRESH\"")));
    }
    let mut i = 3;
    if word(i).is_some_and(|w| w.keyword == Keyword::CONCURRENTLY) {
        i += 1;
    }
    // The name: `v` or `public.v`.
    let mut parts = Vec::new();
    while let Some(w) = word(i) {
        parts.push(if w.quote_style.is_some() {
            w.value.clone()
        } else {
            w.value.to_ascii_lowercase()
        });
        i += 1;
        if matches!(tokens.get(i).map(|t| &t.token), Some(Token::Period)) {
            i += 1;
        } else {
            break;
        }
    }
    let name = match parts.as_slice() {
        [n] => n.clone(),
        [s, n] if s == "public" => n.clone(),
        [s, _] => return Some(Err(super::error::no_schema(s))),
        _ => {
            return Some(Err(other(
                "42601",
                "syntax error in REFRESH MATERIALIZED VIEW",
            )))
        }
    };
    // `WITH DATA` is the default; `WITH NO DATA` empties the view.
    let rest: Vec<String> = tokens[i..]
        .iter()
        .map(|t| t.token.to_string().to_ascii_uppercase())
        .collect();
    match rest.join(" ").as_str() {
        "" | "WITH DATA" => Some(Ok(name)),
        "WITH NO DATA" => Some(Err(unsupported("REFRESH ... WITH NO DATA"))),
        _ => Some(Err(other(
            "42601",
            "syntax error at end of REFRESH MATERIALIZED VIEW",
        ))),
    }
}
