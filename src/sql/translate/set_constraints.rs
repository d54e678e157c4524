//! `SET CONSTRAINTS { ALL | name [, ...] } { DEFERRED | IMMEDIATE }`
//! (sqlparser does not parse it; Django sends it around fixture loading
//! and constraint checks). SQLite has one switch for the whole connection,
//! `PRAGMA defer_foreign_keys`, so named constraints are treated as ALL,
//! and a foreign key PostgreSQL would not let defer (not DEFERRABLE) is
//! deferred too; the session applies it (see `StmtKind::SetConstraints`).

use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::error::syntax;
use super::split::is_keyword;
use super::TranslateError;

/// `Some(deferred)` when `significant` (one statement's tokens) is a SET
/// CONSTRAINTS; `None` for any other statement.
pub(super) fn parse(significant: &[&TokenWithSpan]) -> Option<Result<bool, TranslateError>> {
    let [set, constraints, rest @ ..] = significant else {
        return None;
    };
    if !is_keyword(&set.token, Keyword::SET) || !is_word(&constraints.token, "constraints") {
        return None;
    }
    let Some((mode, targets)) = rest.split_last() else {
        return Some(Err(syntax("syntax error at end of input")));
    };
    let deferred = if is_word(&mode.token, "deferred") {
        true
    } else if is_word(&mode.token, "immediate") {
        false
    } else if matches!(mode.token, Token::Word(_)) {
        // A name or ALL, with the mode missing after it.
        return Some(Err(syntax("syntax error at end of input")));
    } else {
        return Some(Err(syntax(format!(
            "syntax error at or near \"{}\"",
            mode.token
        ))));
    };
    // ALL, or a list of (possibly qualified) names.
    let well_formed = match targets {
        [] => false,
        [all] if is_keyword(&all.token, Keyword::ALL) => true,
        names => names.iter().enumerate().all(|(i, t)| match &t.token {
            Token::Word(_) => {
                i % 2 == 0 || matches!(names.get(i - 1), Some(p) if p.token == Token::Period)
            }
            Token::Comma | Token::Period => i % 2 == 1,
            _ => false,
        }),
    };
    if !well_formed {
        let near = targets.first().map_or(&mode.token, |t| &t.token);
        return Some(Err(syntax(format!("syntax error at or near \"{near}\""))));
    }
    Some(Ok(deferred))
}

fn is_word(token: &Token, word: &str) -> bool {
    matches!(token, Token::Word(w) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn read(sql: &str) -> Option<Result<bool, TranslateError>> {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap();
        let significant: Vec<&TokenWithSpan> = tokens
            .iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
            .collect();
        parse(&significant)
    }

    #[test]
    fn reads_set_constraints() {
        assert_eq!(
            read("SET CONSTRAINTS ALL IMMEDIATE").unwrap().ok(),
            Some(false)
        );
        assert_eq!(
            read("set constraints all deferred").unwrap().ok(),
            Some(true)
        );
        assert_eq!(
            read("SET CONSTRAINTS a_fk, public.b_fk DEFERRED")
                .unwrap()
                .ok(),
            Some(true)
        );
        assert!(read("SET CONSTRAINTS ALL").unwrap().is_err());
        assert!(read("SET CONSTRAINTS DEFERRED").unwrap().is_err());
        assert!(read("SET search_path = public").is_none());
    }
}
