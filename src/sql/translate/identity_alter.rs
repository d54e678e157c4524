//! `ALTER TABLE t ALTER [COLUMN] c DROP IDENTITY [IF EXISTS] | SET
//! GENERATED { ALWAYS | BY DEFAULT } | RESTART [[WITH] n]`, which sqlparser
//! does not parse: read from the tokens. Django drops an identity when a
//! field stops being an AutoField; schema tools flip ALWAYS and BY DEFAULT
//! and restart numbering after a data load. Whether the column is an
//! identity is the schema's to say, so the edits go to the backend (see
//! `backend::sqlite::alter_column`). One such action per statement; the
//! sequence options PostgreSQL also takes here (`SET INCREMENT BY ...`)
//! are refused by name.

use super::error::unsupported;
use super::tokens::Cursor;
use super::{ColumnChange, StmtKind, TranslateError, Translation};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// Whether a statement's significant tokens are `ALTER TABLE ... ALTER
/// [COLUMN] c` followed by one of the identity actions.
pub(super) fn is_identity_alter(tokens: &[&TokenWithSpan]) -> bool {
    let word = |n: usize, k: Keyword| matches!(tokens.get(n).map(|t| &t.token), Some(Token::Word(w)) if w.keyword == k && w.quote_style.is_none());
    if !(word(0, Keyword::ALTER) && word(1, Keyword::TABLE)) {
        return false;
    }
    // The second ALTER (the column's), then the column and the action.
    let Some(at) = (2..tokens.len()).find(|&n| word(n, Keyword::ALTER)) else {
        return false;
    };
    let action = if word(at + 1, Keyword::COLUMN) {
        at + 3
    } else {
        at + 2
    };
    (word(action, Keyword::DROP) && word(action + 1, Keyword::IDENTITY))
        || (word(action, Keyword::SET) && word(action + 1, Keyword::GENERATED))
        || word(action, Keyword::RESTART)
        || (word(action, Keyword::SET)
            && [
                Keyword::INCREMENT,
                Keyword::START,
                Keyword::MINVALUE,
                Keyword::MAXVALUE,
                Keyword::CYCLE,
                Keyword::CACHE,
                Keyword::NO,
            ]
            .into_iter()
            .any(|k| word(action + 1, k)))
}

pub(super) fn translate(tokens: Vec<TokenWithSpan>) -> Result<Translation, TranslateError> {
    let mut c = Cursor::new(tokens);
    c.pos = 2;
    if c.eat_word("if") {
        return Err(unsupported("ALTER TABLE IF EXISTS"));
    }
    // ONLY changes nothing: no table inherits another.
    c.eat_word("only");
    let table = table_name(&mut c)?;
    if !c.eat_word("alter") {
        return Err(c.unexpected());
    }
    c.eat_word("column");
    let column = c.identifier()?;
    let change = if c.eat_word("drop") {
        c.eat_word("identity");
        let if_exists = c.eat_word("if");
        if if_exists && !c.eat_word("exists") {
            return Err(c.unexpected());
        }
        ColumnChange::DropIdentity { column, if_exists }
    } else if c.eat_word("restart") {
        c.eat_word("with");
        let value = match c.peek() {
            None => None,
            Some(_) => Some(number(&mut c)?),
        };
        ColumnChange::RestartIdentity { column, value }
    } else if c.eat_word("set") && c.eat_word("generated") {
        let always = if c.eat_word("always") {
            true
        } else if c.eat_word("by") && c.eat_word("default") {
            false
        } else {
            return Err(c.unexpected());
        };
        ColumnChange::SetGenerated { column, always }
    } else {
        return Err(unsupported(
            "ALTER COLUMN ... SET <sequence option> (use ALTER SEQUENCE on the identity's sequence)",
        ));
    };
    if c.peek().is_some() {
        return Err(unsupported(
            "ALTER TABLE with an identity change and other changes",
        ));
    }
    Ok(Translation::command(StmtKind::AlterColumns {
        table,
        changes: vec![change],
    }))
}

/// The table's name, without the schema `public`.
fn table_name(c: &mut Cursor) -> Result<String, TranslateError> {
    let mut parts = vec![c.identifier()?];
    while c.eat(&Token::Period) {
        parts.push(c.identifier()?);
    }
    match parts.as_slice() {
        [n] => Ok(n.clone()),
        [s, n] if s == "public" => Ok(n.clone()),
        _ => Err(unsupported("a table outside schema public")),
    }
}

/// An integer literal, maybe negative.
fn number(c: &mut Cursor) -> Result<i64, TranslateError> {
    let negative = c.eat(&Token::Minus);
    match c.peek() {
        Some(Token::Number(n, _)) => {
            let v = n.parse::<i64>().map_err(|_| c.unexpected())?;
            c.pos += 1;
            Ok(if negative { -v } else { v })
        }
        _ => Err(c.unexpected()),
    }
}

#[cfg(test)]
mod tests {
    use crate::sql::translate::{translate, ColumnChange, StmtKind};

    fn changes(sql: &str) -> Vec<ColumnChange> {
        match translate(sql).unwrap().remove(0).kind {
            StmtKind::AlterColumns { changes, .. } => changes,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn identity_actions_read_from_tokens() {
        assert_eq!(
            changes("ALTER TABLE \"t\" ALTER COLUMN \"id\" DROP IDENTITY IF EXISTS"),
            vec![ColumnChange::DropIdentity {
                column: "id".into(),
                if_exists: true
            }]
        );
        assert_eq!(
            changes("alter table public.t alter id set generated by default"),
            vec![ColumnChange::SetGenerated {
                column: "id".into(),
                always: false
            }]
        );
        assert_eq!(
            changes("ALTER TABLE ONLY t ALTER COLUMN id RESTART WITH 100"),
            vec![ColumnChange::RestartIdentity {
                column: "id".into(),
                value: Some(100)
            }]
        );
        assert_eq!(
            changes("ALTER TABLE t ALTER COLUMN id RESTART"),
            vec![ColumnChange::RestartIdentity {
                column: "id".into(),
                value: None
            }]
        );
        let e = translate("ALTER TABLE t ALTER COLUMN id SET INCREMENT BY 2").unwrap_err();
        assert_eq!(e.code, "0A000");
    }
}
