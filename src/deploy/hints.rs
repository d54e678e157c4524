//! Rename hints in the desired schema's comments.
//!
//! A rename cannot be told from a drop plus an add, so the user states it:
//!
//! ```sql
//! -- pgtenant: rename table old_name to new_name
//! -- pgtenant: rename orders.old_col to new_col
//! CREATE TABLE orders (
//!     id bigserial PRIMARY KEY,
//!     new_col text -- pgtenant: rename old_col to new_col
//! );
//! ```
//!
//! `rename a to b` without a table names a column of the CREATE TABLE the
//! comment is in (or directly precedes, before its `;`). Hints that no longer
//! apply (the live schema already has the new name) are ignored, so they can
//! stay in the schema file.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

use crate::sql::errors::SqlError;

#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Hints {
    /// (old, new) table names, lower case.
    pub tables: Vec<(String, String)>,
    /// (table, old, new) column names, lower case.
    pub columns: Vec<(String, String, String)>,
}

fn hint_error(text: &str, why: &str) -> SqlError {
    SqlError::new("42601", format!("invalid pgtenant hint \"{text}\": {why}")).with_detail(
        "Hints: -- pgtenant: rename table OLD to NEW | rename TABLE.OLD to NEW | rename OLD to NEW (inside a CREATE TABLE)",
    )
}

fn ident(word: &str) -> String {
    word.trim_matches('"').to_ascii_lowercase()
}

/// Reads the hints of a desired schema.
pub fn parse(sql: &str) -> Result<Hints, SqlError> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, sql)
        .tokenize()
        .map_err(|e| SqlError::new("42601", e.to_string()))?;
    let mut hints = Hints::default();
    // One statement at a time: its comments and the table it creates.
    let mut comments: Vec<String> = Vec::new();
    let mut words: Vec<String> = Vec::new();
    let mut flush = |comments: &mut Vec<String>, words: &mut Vec<String>| {
        let table = created_table(words);
        for c in comments.drain(..) {
            apply(&c, table.as_deref(), &mut hints)?;
        }
        words.clear();
        Ok::<(), SqlError>(())
    };
    for token in tokens {
        match token {
            Token::Whitespace(Whitespace::SingleLineComment { comment, .. }) => {
                comments.push(comment)
            }
            Token::Whitespace(Whitespace::MultiLineComment(comment)) => comments.push(comment),
            Token::Whitespace(_) => {}
            Token::SemiColon => flush(&mut comments, &mut words)?,
            Token::Word(w) if words.len() < 12 => words.push(match w.quote_style {
                Some(_) => format!("\"{}\"", w.value),
                None => w.value,
            }),
            Token::Period if words.len() < 12 => words.push(".".into()),
            _ if words.len() < 12 => words.push(String::new()),
            _ => {}
        }
    }
    flush(&mut comments, &mut words)?;
    Ok(hints)
}

/// The table a statement creates, from its leading words.
fn created_table(words: &[String]) -> Option<String> {
    let mut it = words.iter().map(String::as_str).peekable();
    if !it.next()?.eq_ignore_ascii_case("create") {
        return None;
    }
    loop {
        let w = it.next()?;
        if w.eq_ignore_ascii_case("table") {
            break;
        }
        if !["global", "local", "temp", "temporary", "unlogged"]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
        {
            return None;
        }
    }
    let mut name = it.next()?;
    if name.eq_ignore_ascii_case("if") {
        it.next(); // NOT
        it.next(); // EXISTS
        name = it.next()?;
    }
    if it.peek() == Some(&".") {
        it.next();
        name = it.next()?;
    }
    Some(ident(name))
}

fn apply(comment: &str, table: Option<&str>, hints: &mut Hints) -> Result<(), SqlError> {
    let text = comment.trim();
    let Some(rest) = text
        .get(..9)
        .filter(|p| p.eq_ignore_ascii_case("pgtenant:"))
        .map(|_| &text[9..])
    else {
        return Ok(());
    };
    let words: Vec<&str> = rest.split_whitespace().collect();
    match words.as_slice() {
        [r, t, old, to, new]
            if r.eq_ignore_ascii_case("rename")
                && t.eq_ignore_ascii_case("table")
                && to.eq_ignore_ascii_case("to") =>
        {
            hints.tables.push((ident(old), ident(new)));
        }
        [r, old, to, new] if r.eq_ignore_ascii_case("rename") && to.eq_ignore_ascii_case("to") => {
            let (table, old) = match old.split_once('.') {
                Some((t, c)) => (ident(t), ident(c)),
                None => match table {
                    Some(t) => (t.to_owned(), ident(old)),
                    None => {
                        return Err(hint_error(
                            text,
                            "a column rename outside a CREATE TABLE must name the table (rename TABLE.OLD to NEW)",
                        ))
                    }
                },
            };
            hints.columns.push((table, old, ident(new)));
        }
        _ => return Err(hint_error(text, "unrecognized hint")),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_scope_to_their_create_table() {
        let h = parse(
            "-- pgtenant: rename table people to persons
             CREATE TABLE public.persons (
               id int, full_name text -- pgtenant: rename name to full_name
             );
             /* pgtenant: rename orders.qty to quantity */
             -- an ordinary comment
             CREATE INDEX i ON persons (id);",
        )
        .unwrap();
        assert_eq!(h.tables, vec![("people".into(), "persons".into())]);
        assert_eq!(
            h.columns,
            vec![
                ("persons".into(), "name".into(), "full_name".into()),
                ("orders".into(), "qty".into(), "quantity".into())
            ]
        );
        assert_eq!(
            parse("-- pgtenant: rename a to b\nCREATE INDEX i ON t (x);")
                .unwrap_err()
                .code,
            "42601"
        );
        assert_eq!(parse("-- pgtenant: frobnicate").unwrap_err().code, "42601");
    }
}
