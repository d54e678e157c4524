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
    /// `VACUUM [FULL] [ANALYZE] [names]`, `CLUSTER ...`, `REINDEX ...`,
    /// `CHECKPOINT`:
    /// maintenance SQLite needs none of (its B-trees have no bloat to
    /// rewrite nor order to restore), accepted as a no-op with this tag.
    Maintenance(&'static str),
    /// `COPY ...`: its tokens, read by the `copy` module.
    Copy(Vec<TokenWithSpan>),
    /// `ALTER SEQUENCE ...` (sqlparser does not parse it): its tokens.
    AlterSequence(Vec<TokenWithSpan>),
    /// `ALTER TABLE ... ALTER COLUMN c DROP IDENTITY | SET GENERATED |
    /// RESTART` (nor these): its tokens.
    IdentityAlter(Vec<TokenWithSpan>),
    /// `CREATE DOMAIN ...` (sqlparser takes no NOT NULL there): its tokens.
    CreateDomain(Vec<TokenWithSpan>),
    /// `ALTER <object> ... OWNER TO role`: its tokens.
    OwnerTo(Vec<TokenWithSpan>),
    /// `COMMENT ON ...` (sqlparser takes neither `$$` texts nor
    /// CONSTRAINT): its tokens.
    Comment(Vec<TokenWithSpan>),
    /// `REFRESH MATERIALIZED VIEW name` (nor this): the view's name.
    Refresh(String),
    /// `CREATE TABLE t (LIKE s INCLUDING ...)` (nor this): its tokens.
    CreateLike(Vec<TokenWithSpan>),
    /// `CREATE TRIGGER ... tsvector_update_trigger('config', ...)` (nor
    /// this, for its literal argument): its tokens.
    TsvectorTrigger(Vec<TokenWithSpan>),
    /// `ALTER DEFAULT PRIVILEGES ...` (nor this): its tokens.
    DefaultPrivileges(Vec<TokenWithSpan>),
    /// `DO ...` (nor this): its significant tokens.
    Do(Vec<TokenWithSpan>),
    /// `SET CONSTRAINTS ... DEFERRED | IMMEDIATE` (nor this): whether deferred.
    SetConstraints(bool),
    Statement(Box<Statement>),
    /// `INSERT ... OVERRIDING SYSTEM VALUE ...`: the INSERT without the
    /// clause (sqlparser does not parse it; see `pre_parse`), whose values
    /// identity columns `GENERATED ALWAYS` take.
    OverridingInsert(Box<Statement>),
}

/// `sql`'s statements, parsed; for SQL inside a statement (PREPARE's,
/// COPY's query), whose stack [`tokenize`]'s caller has seen to.
pub(super) fn split_statements(sql: &str) -> Result<Vec<Parsed>, TranslateError> {
    let (tokens, _) = tokenize(sql)?;
    split_tokens(tokens)
}

/// `sql`'s tokens, and how deep they nest (54001 beyond `MAX_DEPTH`),
/// measured before anything parses them.
pub(super) fn tokenize(sql: &str) -> Result<(Vec<TokenWithSpan>, usize), TranslateError> {
    super::depth::reserve_stack();
    // About one token per four bytes of SQL (whitespace included): sized
    // once instead of grown and copied five or six times.
    let mut tokens = Vec::with_capacity((sql.len() / 4 + 8).min(4096));
    Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location_into_buf(&mut tokens)
        .map_err(|e| syntax(e.message))?;
    let depth = super::depth::check(&tokens)?;
    Ok((tokens, depth))
}

/// [`tokenize`]'s tokens, split into statements and parsed.
pub(super) fn split_tokens(mut tokens: Vec<TokenWithSpan>) -> Result<Vec<Parsed>, TranslateError> {
    let dialect = super::dialect::PgDialect;
    let mut out = Vec::new();
    let mut start = 0;
    while start < tokens.len() {
        let end = tokens[start..]
            .iter()
            .position(|t| t.token == Token::SemiColon)
            .map_or(tokens.len(), |n| start + n);
        let range = start..end;
        start = end + 1;
        let chunk = &tokens[range.clone()];
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
            out.push(Parsed::Maintenance("VACUUM"));
            continue;
        }
        if is_keyword(&first.token, Keyword::CLUSTER) {
            out.push(Parsed::Maintenance("CLUSTER"));
            continue;
        }
        if is_keyword(&first.token, Keyword::REINDEX) {
            out.push(Parsed::Maintenance("REINDEX"));
            continue;
        }
        // (SQLite checkpoints its WAL on its own as it grows.)
        if significant.len() == 1
            && matches!(&first.token, Token::Word(w) if w.value.eq_ignore_ascii_case("checkpoint"))
        {
            out.push(Parsed::Maintenance("CHECKPOINT"));
            continue;
        }
        if let Some(name) = super::matview::refresh_target(&significant) {
            out.push(Parsed::Refresh(name?));
            continue;
        }
        if super::comments::is_comment(&significant) {
            out.push(Parsed::Comment(chunk.to_vec()));
            continue;
        }
        if super::default_privileges::is_default_privileges(&significant) {
            out.push(Parsed::DefaultPrivileges(chunk.to_vec()));
            continue;
        }
        if super::domains::is_create_domain(&significant) {
            out.push(Parsed::CreateDomain(chunk.to_vec()));
            continue;
        }
        if super::owner::is_owner_to(&significant) {
            out.push(Parsed::OwnerTo(chunk.to_vec()));
            continue;
        }
        if super::identity_alter::is_identity_alter(&significant) {
            out.push(Parsed::IdentityAlter(chunk.to_vec()));
            continue;
        }
        if super::alter_sequence::is_alter_sequence(&significant) {
            out.push(Parsed::AlterSequence(chunk.to_vec()));
            continue;
        }
        if super::create_like::is_create_like(&significant) {
            out.push(Parsed::CreateLike(chunk.to_vec()));
            continue;
        }
        if super::tsvector_trigger::is_tsvector_trigger(&significant) {
            out.push(Parsed::TsvectorTrigger(chunk.to_vec()));
            continue;
        }
        if super::do_block::is_do(&significant) {
            out.push(Parsed::Do(significant.into_iter().cloned().collect()));
            continue;
        }
        if is_keyword(&first.token, Keyword::COPY) {
            out.push(Parsed::Copy(chunk.to_vec()));
            continue;
        }
        if let Some(deferred) = super::set_constraints::parse(&significant) {
            out.push(Parsed::SetConstraints(deferred?));
            continue;
        }
        // The parser skips whitespace and comments anyway: without them,
        // the token passes and the parser walk fewer tokens, and the
        // statement's tokens move instead of being copied.
        let chunk = significant_tokens(&mut tokens[range])?;
        let (chunk, overriding) = super::pre_parse::rewrite(chunk)?;
        let chunk = super::sequences::canonical_order(chunk);
        let chunk = super::symmetric::mark(chunk);
        let mut parser = Parser::new(&dialect)
            .with_recursion_limit(super::depth::MAX_NESTING)
            .with_tokens_with_locations(chunk);
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
        super::spelled_out::normalize(&mut statement);
        out.push(if overriding {
            Parsed::OverridingInsert(Box::new(statement))
        } else {
            Parsed::Statement(Box::new(statement))
        });
    }
    Ok(out)
}

/// The statement's tokens without whitespace and comments, moved out of
/// `tokens`. String constants separated by whitespace holding a newline are
/// one constant, as PostgreSQL's lexer reads them (`'abc'\n'def'` is
/// `'abcdef'`; on one line it is a syntax error, where sqlparser would
/// read the second as an alias).
fn significant_tokens(tokens: &mut [TokenWithSpan]) -> Result<Vec<TokenWithSpan>, TranslateError> {
    use sqlparser::tokenizer::Whitespace;
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(tokens.len());
    // Whether a newline came since the last token kept.
    let mut newline = false;
    for t in tokens.iter_mut() {
        match &t.token {
            Token::Whitespace(Whitespace::Newline | Whitespace::SingleLineComment { .. }) => {
                newline = true;
                continue;
            }
            Token::Whitespace(_) | Token::EOF => continue,
            Token::SingleQuotedString(next) => {
                if let Some(Token::SingleQuotedString(previous)) =
                    out.last_mut().map(|p| &mut p.token)
                {
                    if !newline {
                        return Err(syntax(format!("syntax error at or near \"{}\"", t.token)));
                    }
                    previous.push_str(next);
                    newline = false;
                    continue;
                }
            }
            _ => {}
        }
        newline = false;
        out.push(std::mem::replace(t, TokenWithSpan::wrap(Token::EOF)));
    }
    Ok(out)
}

pub(super) fn is_keyword(token: &Token, keyword: Keyword) -> bool {
    matches!(token, Token::Word(w) if w.keyword == keyword)
}

/// Turns sqlparser's "Expected: X, found: Y at Line: ..." into PostgreSQL's
/// `syntax error at or near "Y"` / `syntax error at end of input`.
pub(super) fn parse_error(err: ParserError) -> TranslateError {
    let message = match &err {
        ParserError::ParserError(m) | ParserError::TokenizerError(m) => m.as_str(),
        ParserError::RecursionLimitExceeded => return super::depth::too_deep_nesting(),
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
