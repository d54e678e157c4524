//! `COPY` statements, read from the token stream (sqlparser's COPY grammar
//! misses PostgreSQL forms such as `FREEZE on` and `HEADER match`).
//!
//! `COPY t [(cols)] FROM STDIN` becomes [`StmtKind::CopyIn`]; `COPY t
//! [(cols)] TO STDOUT` and `COPY (query) TO STDOUT` become
//! [`StmtKind::CopyOut`] carrying the translated SELECT. Files and programs
//! are refused: a tenant never reaches the server's file system.

use super::ast::name_parts;
use super::copy_options::{build, OptionValue};
use super::error::{other, syntax, unsupported};
use super::names::check_table_name;
use super::split::{parse_error, Parsed};
use super::tokens::Cursor;
use super::{statement, StmtKind, TranslateError, Translation};
use crate::sql::quote_ident;
use sqlparser::ast::ObjectName;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

fn parse_tokens(tokens: Vec<TokenWithSpan>) -> Result<Parsed, TranslateError> {
    let mut parser = Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(tokens);
    let statement = parser.parse_statement().map_err(parse_error)?;
    if parser.peek_token().token != Token::EOF {
        return Err(syntax(format!(
            "syntax error at or near \"{}\"",
            parser.peek_token().token
        )));
    }
    Ok(Parsed::Statement(Box::new(statement)))
}

/// Translates a COPY statement; `tokens` start at the COPY keyword.
pub(super) fn translate(tokens: Vec<TokenWithSpan>) -> Result<Translation, TranslateError> {
    let mut c = Cursor::new(tokens);
    c.eat_word("copy");
    let mut query = None;
    let mut table = None;
    let mut columns = Vec::new();
    if c.eat(&Token::LParen) {
        query = Some(c.until_close()?);
    } else {
        let start = c.pos;
        c.identifier()?;
        while c.eat(&Token::Period) {
            c.identifier()?;
        }
        let name_tokens = c.tokens[start..c.pos].to_vec();
        let mut name: ObjectName = Parser::new(&PostgreSqlDialect {})
            .with_tokens_with_locations(name_tokens)
            .parse_object_name(false)
            .map_err(parse_error)?;
        check_table_name(&mut name)?;
        table = name_parts(&name).pop();
        if c.eat(&Token::LParen) {
            columns = c.column_list()?;
        }
    }
    let to = if c.eat_word("to") {
        true
    } else if c.eat_word("from") {
        false
    } else {
        return Err(c.unexpected());
    };
    if query.is_some() && !to {
        return Err(syntax("syntax error at or near \"FROM\""));
    }
    let direction = if to { "to" } else { "from" };
    if c.eat_word("program") {
        return Err(other(
            "42501",
            "must be superuser or a member of the pg_execute_server_program role to COPY to or from an external program",
        ));
    }
    let stdio = if to { "stdout" } else { "stdin" };
    if !c.eat_word(stdio) {
        if matches!(
            c.peek(),
            Some(Token::SingleQuotedString(_) | Token::EscapedStringLiteral(_))
        ) {
            let role = if to { "write" } else { "read" };
            return Err(other(
                "42501",
                format!("must be superuser or a member of the pg_{role}_server_files role to COPY {direction} a file"),
            ));
        }
        return Err(c.unexpected());
    }
    let options = parse_options(&mut c)?;
    if c.eat_word("where") {
        return Err(unsupported("COPY FROM ... WHERE"));
    }
    if c.peek().is_some() {
        return Err(c.unexpected());
    }
    let options = build(options)?;
    if !to {
        return Ok(Translation::command(StmtKind::CopyIn {
            table: table.unwrap_or_default(),
            columns,
            options,
        }));
    }
    let select = match query {
        Some(tokens) => parse_tokens(tokens)?,
        None => {
            let list = if columns.is_empty() {
                "*".to_owned()
            } else {
                columns
                    .iter()
                    .map(|c| quote_ident(c))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            let text = format!(
                "SELECT {list} FROM {}",
                quote_ident(&table.unwrap_or_default())
            );
            let mut parsed = super::split::split_statements(&text)?;
            parsed.pop().ok_or_else(|| syntax("empty COPY query"))?
        }
    };
    let inner = statement::translate_statement(select)?;
    if !inner.steps.is_empty() {
        return Err(unsupported("COPY of a query with a data-modifying WITH"));
    }
    match inner.kind {
        StmtKind::Query {
            returns_rows: true, ..
        } => {}
        _ => return Err(unsupported("COPY of a statement that returns no rows")),
    }
    Ok(Translation {
        kind: StmtKind::CopyOut {
            query_sql: inner.sql.clone(),
            options,
        },
        sql: inner.sql,
        params: inner.params,
        columns: inner.columns,
        retype: inner.retype,
        scales: inner.scales,
        steps: Vec::new(),
        locks_rows: false,
    })
}

/// `[WITH] ( name [value], ... )` or the old keyword options.
fn parse_options(c: &mut Cursor) -> Result<Vec<(String, OptionValue)>, TranslateError> {
    c.eat_word("with");
    let mut out = Vec::new();
    if c.eat(&Token::LParen) {
        loop {
            let name = c.identifier()?;
            let value = match c.peek() {
                Some(Token::Comma | Token::RParen) | None => OptionValue::None,
                Some(Token::Mul) => {
                    c.pos += 1;
                    OptionValue::Star
                }
                Some(Token::LParen) => {
                    c.pos += 1;
                    OptionValue::Columns(c.column_list()?)
                }
                Some(Token::SingleQuotedString(_) | Token::EscapedStringLiteral(_)) => {
                    OptionValue::Text(c.string()?)
                }
                Some(Token::Number(n, _)) => {
                    let n = n.clone();
                    c.pos += 1;
                    OptionValue::Word(n)
                }
                Some(Token::Word(w)) => {
                    let w = w.value.clone();
                    c.pos += 1;
                    OptionValue::Word(w)
                }
                Some(_) => return Err(c.unexpected()),
            };
            out.push((name, value));
            if c.eat(&Token::RParen) {
                return Ok(out);
            }
            if !c.eat(&Token::Comma) {
                return Err(c.unexpected());
            }
        }
    }
    loop {
        let (name, value) = if c.eat_word("binary") {
            ("format", OptionValue::Word("binary".into()))
        } else if c.eat_word("csv") {
            ("format", OptionValue::Word("csv".into()))
        } else if c.eat_word("freeze") {
            ("freeze", OptionValue::None)
        } else if c.eat_word("header") {
            ("header", OptionValue::None)
        } else if c.eat_word("delimiter") {
            c.eat_word("as");
            ("delimiter", OptionValue::Text(c.string()?))
        } else if c.eat_word("null") {
            c.eat_word("as");
            ("null", OptionValue::Text(c.string()?))
        } else if c.eat_word("quote") {
            c.eat_word("as");
            ("quote", OptionValue::Text(c.string()?))
        } else if c.eat_word("escape") {
            c.eat_word("as");
            ("escape", OptionValue::Text(c.string()?))
        } else if c.eat_word("force") {
            if c.eat_word("quote") {
                if c.eat(&Token::Mul) {
                    ("force_quote", OptionValue::Star)
                } else {
                    ("force_quote", OptionValue::Columns(bare_columns(c)?))
                }
            } else if c.eat_word("not") && c.eat_word("null") {
                ("force_not_null", OptionValue::Columns(bare_columns(c)?))
            } else {
                return Err(c.unexpected());
            }
        } else {
            return Ok(out);
        };
        out.push((name.to_owned(), value));
    }
}

/// The old syntax lists columns without parentheses: `FORCE QUOTE a, b`.
fn bare_columns(c: &mut Cursor) -> Result<Vec<String>, TranslateError> {
    let mut cols = vec![c.identifier()?];
    while c.eat(&Token::Comma) {
        cols.push(c.identifier()?);
    }
    Ok(cols)
}
