//! `ALTER SEQUENCE name option ...`, which sqlparser does not parse: read
//! from the tokens and turned into one UPDATE of the sequence's row (see
//! `sequences`). `OWNED BY` and `OWNER TO` are accepted and change nothing
//! (pg_dump writes them); `RENAME TO` renames the table.

use super::error::unsupported;
use super::tokens::Cursor;
use super::{StmtKind, TranslateError, Translation};
use crate::sql::quote_ident;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// Whether a statement's significant tokens start with ALTER SEQUENCE.
pub(super) fn is_alter_sequence(tokens: &[&TokenWithSpan]) -> bool {
    matches!(
        (tokens.first().map(|t| &t.token), tokens.get(1).map(|t| &t.token)),
        (Some(Token::Word(a)), Some(Token::Word(s)))
            if a.keyword == Keyword::ALTER && s.keyword == Keyword::SEQUENCE
    )
}

pub(super) fn translate(chunk: Vec<TokenWithSpan>) -> Result<Translation, TranslateError> {
    let mut c = Cursor::new(chunk);
    c.pos = 2;
    if c.eat_word("if") {
        return Err(unsupported("ALTER SEQUENCE IF EXISTS"));
    }
    let raw_name = sequence_name(&mut c)?;
    let name = quote_ident(&raw_name);
    let mut sets: Vec<String> = Vec::new();
    let mut restart: Option<Option<i64>> = None;
    let mut new_start = None;
    while c.peek().is_some() {
        if c.eat_word("increment") {
            c.eat_word("by");
            sets.push(format!("increment_by = {}", number(&mut c)?));
        } else if c.eat_word("minvalue") {
            sets.push(format!("min_value = {}", number(&mut c)?));
        } else if c.eat_word("maxvalue") {
            sets.push(format!("max_value = {}", number(&mut c)?));
        } else if c.eat_word("start") {
            c.eat_word("with");
            let n = number(&mut c)?;
            new_start = Some(n);
            sets.push(format!("start_value = {n}"));
        } else if c.eat_word("restart") {
            c.eat_word("with");
            restart = Some(try_number(&mut c));
        } else if c.eat_word("cache") {
            sets.push(format!("cache_size = {}", number(&mut c)?));
        } else if c.eat_word("cycle") {
            sets.push("cycle = 1".into());
        } else if c.eat_word("no") {
            if c.eat_word("cycle") {
                sets.push("cycle = 0".into());
            } else if c.eat_word("minvalue") {
                sets.push(
                    "min_value = CASE WHEN increment_by > 0 THEN 1 ELSE -9223372036854775808 END"
                        .into(),
                );
            } else if c.eat_word("maxvalue") {
                sets.push(
                    "max_value = CASE WHEN increment_by > 0 THEN 9223372036854775807 ELSE -1 END"
                        .into(),
                );
            } else {
                return Err(c.unexpected());
            }
        } else if c.eat_word("owned") {
            // OWNED BY t.c | NONE: dependency tracking PostgreSQL does.
            c.eat_word("by");
            while c.peek().is_some() && !at_option(&c) {
                c.pos += 1;
            }
        } else if c.eat_word("owner") {
            c.eat_word("to");
            c.pos += 1;
        } else if c.eat_word("as") {
            c.pos += 1;
        } else if c.eat_word("rename") {
            if !c.eat_word("to") {
                return Err(c.unexpected());
            }
            let new = sequence_name(&mut c)?;
            if c.peek().is_some() {
                return Err(c.unexpected());
            }
            let mut sql = vec![format!(
                "ALTER TABLE {name} RENAME TO {}",
                quote_ident(&new)
            )];
            sql.extend(super::comments::renamed_relation(&raw_name, &new));
            sql.extend(super::grants::renamed_relation(&raw_name, &new));
            return Ok(query("ALTER SEQUENCE", sql.join("; ")));
        } else {
            return Err(c.unexpected());
        }
    }
    // SET reads the old row: RESTART without a value after START WITH in
    // the same statement takes the new start from here.
    match restart.map(|n| n.or(new_start)) {
        Some(Some(n)) => sets.push(format!("last_value = {n}, is_called = 0")),
        Some(None) => sets.push("last_value = start_value, is_called = 0".into()),
        None => {}
    }
    if sets.is_empty() {
        // Only OWNED BY / OWNER TO: nothing to change here.
        return Ok(Translation::command(StmtKind::Noop {
            tag: "ALTER SEQUENCE",
        }));
    }
    Ok(query(
        "ALTER SEQUENCE",
        format!("UPDATE {name} SET {}", sets.join(", ")),
    ))
}

/// A translation of plain SQLite statements returning no rows.
pub(super) fn query(tag: &'static str, sql: String) -> Translation {
    Translation {
        kind: StmtKind::Query {
            tag,
            returns_rows: false,
        },
        sql,
        params: vec![],
        columns: vec![],
        retype: None,
        scales: vec![],
        steps: Vec::new(),
        locks_rows: false,
    }
}

/// Whether the next token starts another option (after OWNED BY's target).
fn at_option(c: &Cursor) -> bool {
    matches!(c.peek(), Some(Token::Word(x)) if x.quote_style.is_none() && matches!(
        x.value.to_ascii_lowercase().as_str(),
        "increment" | "minvalue" | "maxvalue" | "start" | "restart" | "cache" | "cycle" | "no" | "owner" | "as"
    ))
}

/// The (unquoted) name of a sequence in schema public.
fn sequence_name(c: &mut Cursor) -> Result<String, TranslateError> {
    c.public_name("a sequence")
}

/// An integer literal, maybe negative; the cursor stays put otherwise.
fn try_number(c: &mut Cursor) -> Option<i64> {
    let start = c.pos;
    let negative = c.eat(&Token::Minus);
    if let Some(Token::Number(n, _)) = c.peek() {
        if let Ok(v) = n.parse::<i64>() {
            c.pos += 1;
            return Some(if negative { -v } else { v });
        }
    }
    c.pos = start;
    None
}

fn number(c: &mut Cursor) -> Result<i64, TranslateError> {
    try_number(c).ok_or_else(|| c.unexpected())
}
