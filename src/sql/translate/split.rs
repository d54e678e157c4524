//! Splits a query string into statements on the token stream and parses each.
//!
//! Splitting on `;` tokens (not text) keeps semicolons inside strings, quoted
//! identifiers and dollar-quoted bodies intact. Parsing statement by statement
//! lets `VACUUM ...`, which sqlparser's PostgreSQL dialect only partly parses,
//! be recognised from its leading keyword.

use super::error::{forbidden, syntax};
use super::TranslateError;
use sqlparser::ast::Statement;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// One statement of the input.
#[derive(Debug)]
pub(super) enum Parsed {
    /// `VACUUM [FULL] [ANALYZE] [names]`: accepted as a no-op.
    Vacuum,
    /// `COPY ...`: its tokens, read by the `copy` module.
    Copy(Vec<TokenWithSpan>),
    /// `ALTER SEQUENCE ...` (sqlparser does not parse it): its tokens.
    AlterSequence(Vec<TokenWithSpan>),
    /// `REFRESH MATERIALIZED VIEW name` (nor this): the view's name.
    Refresh(String),
    Statement(Box<Statement>),
}

pub(super) fn split_statements(sql: &str) -> Result<Vec<Parsed>, TranslateError> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize_with_location()
        .map_err(|e| syntax(e.message))?;
    let mut out = Vec::new();
    for chunk in tokens.split(|t| t.token == Token::SemiColon) {
        let significant: Vec<&TokenWithSpan> = chunk
            .iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
            .collect();
        let Some(first) = significant.first() else {
            continue;
        };
        if is_keyword(&first.token, Keyword::VACUUM) {
            // `VACUUM INTO 'file'` writes a copy of the database to disk.
            if significant
                .iter()
                .any(|t| is_keyword(&t.token, Keyword::INTO))
            {
                return Err(forbidden("VACUUM INTO"));
            }
            out.push(Parsed::Vacuum);
            continue;
        }
        if let Some(name) = super::matview::refresh_target(&significant) {
            out.push(Parsed::Refresh(name?));
            continue;
        }
        if super::alter_sequence::is_alter_sequence(&significant) {
            out.push(Parsed::AlterSequence(chunk.to_vec()));
            continue;
        }
        if is_keyword(&first.token, Keyword::COPY) {
            out.push(Parsed::Copy(chunk.to_vec()));
            continue;
        }
        let chunk = upsert_from_constants(lock_strength(drop_index_concurrently(chunk.to_vec())));
        let chunk = super::sequences::canonical_order(chunk);
        let chunk = super::symmetric::mark(chunk);
        let mut parser = Parser::new(&dialect).with_tokens_with_locations(chunk);
        let mut statement = parser.parse_statement().map_err(parse_error)?;
        let next = parser.peek_token();
        if next.token != Token::EOF {
            return Err(syntax(format!(
                "syntax error at or near \"{}\"",
                next.token
            )));
        }
        super::modifying_with::check_nesting(&mut statement)?;
        super::symmetric::expand(&mut statement);
        out.push(Parsed::Statement(Box::new(statement)));
    }
    Ok(out)
}

/// `DROP INDEX CONCURRENTLY name` (migration tools send it to avoid long
/// locks; sqlparser does not parse it): SQLite drops an index at once.
fn drop_index_concurrently(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let words: Vec<usize> = chunk
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t.token, Token::Whitespace(_)))
        .map(|(i, _)| i)
        .take(3)
        .collect();
    let is = |n: usize, k| {
        words
            .get(n)
            .is_some_and(|&i| is_keyword(&chunk[i].token, k))
    };
    if is(0, Keyword::DROP) && is(1, Keyword::INDEX) && is(2, Keyword::CONCURRENTLY) {
        chunk.remove(words[2]);
    }
    chunk
}

/// `FOR NO KEY UPDATE` and `FOR KEY SHARE` (Django's `no_key=True`)
/// read as `FOR UPDATE` / `FOR SHARE`, which sqlparser parses; SQLite's
/// single writer implies all of them.
fn lock_strength(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let words: Vec<usize> = chunk
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t.token, Token::Whitespace(_)))
        .map(|(i, _)| i)
        .collect();
    let is = |n: usize, k| {
        words
            .get(n)
            .is_some_and(|&i| is_keyword(&chunk[i].token, k))
    };
    let mut drop = Vec::new();
    for n in 0..words.len() {
        if !is(n, Keyword::FOR) {
            continue;
        }
        if is(n + 1, Keyword::NO) && is(n + 2, Keyword::KEY) && is(n + 3, Keyword::UPDATE) {
            drop.extend([words[n + 1], words[n + 2]]);
        } else if is(n + 1, Keyword::KEY) && is(n + 2, Keyword::SHARE) {
            drop.push(words[n + 1]);
        }
    }
    for i in drop.into_iter().rev() {
        chunk.remove(i);
    }
    chunk
}

/// `INSERT INTO t SELECT 1, 'x' ON CONFLICT ...`: sqlparser reads the ON
/// as part of the SELECT when nothing follows its list; a neutral
/// `WHERE true` (what SQLite also needs there) ends the list first.
fn upsert_from_constants(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let words: Vec<usize> = chunk
        .iter()
        .enumerate()
        .filter(|(_, t)| !matches!(t.token, Token::Whitespace(_)))
        .map(|(i, _)| i)
        .collect();
    if !words
        .first()
        .is_some_and(|&i| is_keyword(&chunk[i].token, Keyword::INSERT))
    {
        return chunk;
    }
    let (mut depth, mut select, mut ends_list) = (0usize, false, false);
    for (n, &i) in words.iter().enumerate() {
        match &chunk[i].token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            t if is_keyword(t, Keyword::SELECT) => select = true,
            t if select
                && [
                    Keyword::FROM,
                    Keyword::WHERE,
                    Keyword::GROUP,
                    Keyword::ORDER,
                    Keyword::LIMIT,
                ]
                .iter()
                .any(|k| is_keyword(t, *k)) =>
            {
                ends_list = true
            }
            t if select
                && !ends_list
                && is_keyword(t, Keyword::ON)
                && words
                    .get(n + 1)
                    .is_some_and(|&j| is_keyword(&chunk[j].token, Keyword::CONFLICT)) =>
            {
                let guard = [
                    Token::make_keyword("WHERE"),
                    Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                    Token::make_keyword("TRUE"),
                    Token::Whitespace(sqlparser::tokenizer::Whitespace::Space),
                ];
                chunk.splice(i..i, guard.into_iter().map(TokenWithSpan::wrap));
                return chunk;
            }
            _ => {}
        }
    }
    chunk
}

fn is_keyword(token: &Token, keyword: Keyword) -> bool {
    matches!(token, Token::Word(w) if w.keyword == keyword)
}

/// Turns sqlparser's "Expected: X, found: Y at Line: ..." into PostgreSQL's
/// `syntax error at or near "Y"` / `syntax error at end of input`.
pub(super) fn parse_error(err: ParserError) -> TranslateError {
    let message = match &err {
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => m.as_str(),
        ParserError::RecursionLimitExceeded => return syntax("statement is too deeply nested"),
    };
    let Some((_, found)) = message.split_once("found: ") else {
        return syntax(message.to_string());
    };
    let found = found.split(" at Line: ").next().unwrap_or(found);
    if found == "EOF" {
        syntax("syntax error at end of input")
    } else {
        syntax(format!("syntax error at or near \"{found}\""))
    }
}
