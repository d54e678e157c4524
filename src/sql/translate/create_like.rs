//! `CREATE TABLE new (LIKE source [INCLUDING | EXCLUDING option ...])`,
//! which sqlparser reads only without options: read from the tokens. The
//! session copies the source's columns (names, declared types, NOT NULL)
//! when it runs (see `backend::sqlite::exec::create_table_as`), with
//! defaults (DEFAULTS, IDENTITY), CHECK constraints (CONSTRAINTS) and the
//! primary key, unique constraints and indexes (INDEXES) as the options
//! ask; `ALL` is all of them. Foreign keys are never copied, as in
//! PostgreSQL.

use super::error::unsupported;
use super::names::check_table_name;
use super::tokens::Cursor;
use super::{CreateTableAs, Like, StmtKind, TranslateError, Translation};
use sqlparser::ast::{Ident, ObjectName};
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// Whether a statement's significant tokens are `CREATE [TEMP] TABLE
/// [IF NOT EXISTS] name ( LIKE`.
pub(super) fn is_create_like(tokens: &[&TokenWithSpan]) -> bool {
    let word = |i: usize, kw: &str| {
        matches!(tokens.get(i).map(|t| &t.token), Some(Token::Word(w))
            if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
    };
    if !word(0, "create") {
        return false;
    }
    let mut i = 1;
    if word(i, "temp") || word(i, "temporary") || word(i, "unlogged") {
        i += 1;
    }
    if !word(i, "table") {
        return false;
    }
    i += 1;
    if word(i, "if") {
        i += 3;
    }
    // The name, maybe qualified.
    i += 1;
    while matches!(tokens.get(i).map(|t| &t.token), Some(Token::Period)) {
        i += 2;
    }
    matches!(tokens.get(i).map(|t| &t.token), Some(Token::LParen)) && word(i + 1, "like")
}

pub(super) fn translate(chunk: Vec<TokenWithSpan>) -> Result<Translation, TranslateError> {
    let mut c = Cursor::new(chunk);
    c.eat_word("create");
    let temporary = c.eat_word("temp") || c.eat_word("temporary");
    c.eat_word("unlogged");
    c.eat_word("table");
    let if_not_exists = c.eat_word("if");
    if if_not_exists && !(c.eat_word("not") && c.eat_word("exists")) {
        return Err(c.unexpected());
    }
    let table = table_name(&mut c)?;
    if !(c.eat(&Token::LParen) && c.eat_word("like")) {
        return Err(c.unexpected());
    }
    let source = table_name(&mut c)?;
    let mut like = Like {
        source: source.clone(),
        defaults: false,
        constraints: false,
        indexes: false,
    };
    loop {
        let include = if c.eat_word("including") {
            true
        } else if c.eat_word("excluding") {
            false
        } else {
            break;
        };
        let option = match c.next() {
            Some(Token::Word(w)) if w.quote_style.is_none() => w.value.to_ascii_lowercase(),
            _ => {
                c.pos -= 1;
                return Err(c.unexpected());
            }
        };
        match option.as_str() {
            "all" => {
                like.defaults = include;
                like.constraints = include;
                like.indexes = include;
            }
            "defaults" | "identity" => like.defaults = include,
            "constraints" => like.constraints = include,
            "indexes" => like.indexes = include,
            // Nothing here keeps them.
            "comments" | "statistics" | "storage" | "compression" | "generated" => {}
            _ => {
                c.pos -= 1;
                return Err(c.unexpected());
            }
        }
    }
    if c.eat(&Token::Comma) {
        return Err(unsupported("CREATE TABLE with LIKE and other columns"));
    }
    if !c.eat(&Token::RParen) || c.peek().is_some() {
        return Err(c.unexpected());
    }
    // The source's columns, typed as the session's CREATE TABLE AS types
    // them; no row is copied.
    let query = super::matview::plain_select(&format!(
        "SELECT * FROM {}",
        Ident::with_quote('"', &source)
    ))?;
    Ok(Translation::command(StmtKind::CreateTableAs(Box::new(
        CreateTableAs {
            table,
            temporary,
            if_not_exists,
            columns: Vec::new(),
            query,
            after: Vec::new(),
            skipped_tag: "CREATE TABLE",
            like: Some(like),
        },
    ))))
}

/// A table name, maybe `public.`-qualified, checked as any other.
fn table_name(c: &mut Cursor) -> Result<String, TranslateError> {
    let mut parts = vec![c.identifier()?];
    while c.eat(&Token::Period) {
        parts.push(c.identifier()?);
    }
    let mut name = ObjectName::from(parts.into_iter().map(Ident::new).collect::<Vec<_>>());
    check_table_name(&mut name)?;
    Ok(super::ast::base_name(&name))
}
