//! `CREATE TRIGGER ... EXECUTE FUNCTION tsvector_update_trigger(tsv,
//! 'config', col, ...)`, PostgreSQL's built-in trigger keeping a tsvector
//! column up to date (its documentation's example for text search), which
//! sqlparser does not parse (literal arguments): read from the tokens and
//! made SQLite triggers that recompute the column after the row is written,
//! from the listed columns joined by spaces (the same lexemes and
//! positions as PostgreSQL's one parse over the columns in turn; NULLs are
//! skipped). `DROP TRIGGER name ON table` drops them. Other trigger
//! functions would need PL/pgSQL: 0A000.

use super::error::unsupported;
use super::tokens::Cursor;
use super::{StmtKind, TranslateError, Translation};
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// Whether a statement's significant tokens are a CREATE TRIGGER running
/// tsvector_update_trigger.
pub(super) fn is_tsvector_trigger(tokens: &[&TokenWithSpan]) -> bool {
    let word = |i: usize, kw: &str| {
        matches!(tokens.get(i).map(|t| &t.token), Some(Token::Word(w))
            if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
    };
    word(0, "create")
        && (word(1, "trigger") || (word(1, "or") && word(3, "trigger")))
        && tokens.windows(2).any(|w| {
            matches!(&w[0].token, Token::Word(f) if f.value.eq_ignore_ascii_case("tsvector_update_trigger"))
                && w[1].token == Token::LParen
        })
}

/// The SQLite trigger for one event of PostgreSQL trigger `name` on `table`.
pub(super) fn sqlite_name(table: &str, name: &str, event: char) -> String {
    quote(&format!("pgtenant_tsv__{table}__{name}__{event}"))
}

fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(super) fn translate(chunk: Vec<TokenWithSpan>) -> Result<Translation, TranslateError> {
    let mut c = Cursor::new(chunk);
    c.eat_word("create");
    let replace = c.eat_word("or");
    if replace && !c.eat_word("replace") {
        return Err(c.unexpected());
    }
    c.eat_word("trigger");
    let name = c.identifier()?;
    if !(c.eat_word("before") || c.eat_word("after")) {
        return Err(unsupported("INSTEAD OF triggers"));
    }
    let (mut insert, mut update) = (false, false);
    loop {
        if c.eat_word("insert") {
            insert = true;
        } else if c.eat_word("update") {
            update = true;
            // `UPDATE OF cols`: the tsvector is recomputed on any update,
            // which gives the same column.
            if c.eat_word("of") {
                c.identifier()?;
                while c.eat(&Token::Comma) {
                    c.identifier()?;
                }
            }
        } else if !(c.eat_word("delete") || c.eat_word("truncate")) {
            return Err(c.unexpected());
        }
        if !c.eat_word("or") {
            break;
        }
    }
    if !c.eat_word("on") {
        return Err(c.unexpected());
    }
    let mut table = c.identifier()?;
    if c.eat(&Token::Period) {
        table = c.identifier()?;
    }
    if c.eat_word("for") {
        c.eat_word("each");
        if c.eat_word("statement") {
            return Err(unsupported("FOR EACH STATEMENT triggers"));
        }
        if !c.eat_word("row") {
            return Err(c.unexpected());
        }
    }
    if c.eat_word("when") {
        return Err(unsupported("trigger WHEN conditions"));
    }
    if !(c.eat_word("execute") && (c.eat_word("function") || c.eat_word("procedure"))) {
        return Err(c.unexpected());
    }
    if c.eat_word("pg_catalog") && !c.eat(&Token::Period) {
        return Err(c.unexpected());
    }
    if !(c.eat_word("tsvector_update_trigger") && c.eat(&Token::LParen)) {
        return Err(c.unexpected());
    }
    let target = c.identifier()?;
    if !c.eat(&Token::Comma) {
        return Err(c.unexpected());
    }
    let config = c.string()?;
    let mut columns = Vec::new();
    while c.eat(&Token::Comma) {
        columns.push(c.identifier()?);
    }
    if !c.eat(&Token::RParen) || c.peek().is_some() {
        return Err(c.unexpected());
    }
    if columns.is_empty() {
        return Err(super::error::other(
            "XX000",
            "tsvector_update_trigger: arguments must be tsvector_field, ts_config, text_field1, ...",
        ));
    }
    let q_table = quote(&table);
    let joined = columns
        .iter()
        .map(|col| format!("NEW.{}", quote(col)))
        .collect::<Vec<_>>()
        .join(", ");
    let body = format!(
        "BEGIN UPDATE {q_table} SET {} = to_tsvector('{}', concat_ws(' ', {joined})) \
         WHERE rowid = NEW.rowid; END",
        quote(&target),
        config.replace('\'', "''"),
    );
    // An UPDATE recomputes only when a source column changed (as
    // PostgreSQL's trigger checks), so a direct write of the tsvector stays.
    let changed = columns
        .iter()
        .map(|col| format!("NEW.{0} IS NOT OLD.{0}", quote(col)))
        .collect::<Vec<_>>()
        .join(" OR ");
    let mut statements = Vec::new();
    for (event, on) in [('i', insert), ('u', update)] {
        let trigger = sqlite_name(&table, &name, event);
        if replace {
            statements.push(format!("DROP TRIGGER IF EXISTS {trigger}"));
        }
        if on {
            let (when, condition) = if event == 'i' {
                ("INSERT", String::new())
            } else {
                ("UPDATE", format!(" WHEN {changed}"))
            };
            statements.push(format!(
                "CREATE TRIGGER {trigger} AFTER {when} ON {q_table} FOR EACH ROW{condition} {body}"
            ));
        }
    }
    let mut t = Translation::command(StmtKind::Query {
        tag: "CREATE TRIGGER",
        returns_rows: false,
    });
    t.sql = statements.join("; ");
    Ok(t)
}
