//! `ALTER SEQUENCE name option ...`, which sqlparser does not parse: read
//! from the tokens and turned into one UPDATE of the sequence's row (see
//! `sequences`). `OWNED BY` and `OWNER TO` are accepted and change nothing
//! (pg_dump writes them); `RENAME TO` renames the table.

use super::error::{syntax, unsupported};
use super::sequences::quote_name;
use super::{StmtKind, TranslateError, Translation};
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
    let tokens: Vec<Token> = chunk
        .into_iter()
        .map(|t| t.token)
        .filter(|t| !matches!(t, Token::Whitespace(_) | Token::EOF))
        .collect();
    let mut c = Words { tokens, pos: 2 };
    if c.word("if") {
        return Err(unsupported("ALTER SEQUENCE IF EXISTS"));
    }
    let name = c.name()?;
    let mut sets: Vec<String> = Vec::new();
    let mut restart: Option<Option<i64>> = None;
    let mut new_start = None;
    while c.peek().is_some() {
        if c.word("increment") {
            c.word("by");
            sets.push(format!("increment_by = {}", c.number()?));
        } else if c.word("minvalue") {
            sets.push(format!("min_value = {}", c.number()?));
        } else if c.word("maxvalue") {
            sets.push(format!("max_value = {}", c.number()?));
        } else if c.word("start") {
            c.word("with");
            let n = c.number()?;
            new_start = Some(n);
            sets.push(format!("start_value = {n}"));
        } else if c.word("restart") {
            c.word("with");
            restart = Some(c.try_number());
        } else if c.word("cache") {
            sets.push(format!("cache_size = {}", c.number()?));
        } else if c.word("cycle") {
            sets.push("cycle = 1".into());
        } else if c.word("no") {
            if c.word("cycle") {
                sets.push("cycle = 0".into());
            } else if c.word("minvalue") {
                sets.push(
                    "min_value = CASE WHEN increment_by > 0 THEN 1 ELSE -9223372036854775808 END"
                        .into(),
                );
            } else if c.word("maxvalue") {
                sets.push(
                    "max_value = CASE WHEN increment_by > 0 THEN 9223372036854775807 ELSE -1 END"
                        .into(),
                );
            } else {
                return Err(c.unexpected());
            }
        } else if c.word("owned") {
            // OWNED BY t.c | NONE: dependency tracking PostgreSQL does.
            c.word("by");
            while c.peek().is_some() && !c.at_option() {
                c.pos += 1;
            }
        } else if c.word("owner") {
            c.word("to");
            c.pos += 1;
        } else if c.word("as") {
            c.pos += 1;
        } else if c.word("rename") {
            if !c.word("to") {
                return Err(c.unexpected());
            }
            let new = c.name()?;
            if c.peek().is_some() {
                return Err(c.unexpected());
            }
            return Ok(query(
                "ALTER SEQUENCE",
                format!("ALTER TABLE {name} RENAME TO {new}"),
            ));
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
        return Ok(Translation {
            kind: StmtKind::Noop {
                tag: "ALTER SEQUENCE",
            },
            sql: String::new(),
            params: vec![],
            columns: vec![],
            retype: None,
        });
    }
    Ok(query(
        "ALTER SEQUENCE",
        format!("UPDATE {name} SET {}", sets.join(", ")),
    ))
}

fn query(tag: &'static str, sql: String) -> Translation {
    Translation {
        kind: StmtKind::Query {
            tag,
            returns_rows: false,
        },
        sql,
        params: vec![],
        columns: vec![],
        retype: None,
    }
}

struct Words {
    tokens: Vec<Token>,
    pos: usize,
}

impl Words {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn word(&mut self, w: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(x)) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
        {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Whether the next token starts another option (after OWNED BY's target).
    fn at_option(&self) -> bool {
        matches!(self.peek(), Some(Token::Word(x)) if x.quote_style.is_none() && matches!(
            x.value.to_ascii_lowercase().as_str(),
            "increment" | "minvalue" | "maxvalue" | "start" | "restart" | "cache" | "cycle" | "no" | "owner" | "as"
        ))
    }

    /// A sequence name, `public.` dropped, quoted for SQLite.
    fn name(&mut self) -> Result<String, TranslateError> {
        let mut parts = Vec::new();
        loop {
            match self.tokens.get(self.pos) {
                Some(Token::Word(w)) => {
                    parts.push(if w.quote_style.is_some() {
                        w.value.clone()
                    } else {
                        w.value.to_lowercase()
                    });
                    self.pos += 1;
                }
                _ => return Err(self.unexpected()),
            }
            if self.peek() == Some(&Token::Period) {
                self.pos += 1;
            } else {
                break;
            }
        }
        match parts.as_slice() {
            [n] => Ok(quote_name(n)),
            [s, n] if s == "public" => Ok(quote_name(n)),
            _ => Err(unsupported("a sequence outside schema public")),
        }
    }

    fn try_number(&mut self) -> Option<i64> {
        let start = self.pos;
        let negative = self.peek() == Some(&Token::Minus);
        if negative {
            self.pos += 1;
        }
        match self.peek() {
            Some(Token::Number(n, _)) => {
                let v = n.parse::<i64>().ok()?;
                self.pos += 1;
                Some(if negative { -v } else { v })
            }
            _ => {
                self.pos = start;
                None
            }
        }
    }

    fn number(&mut self) -> Result<i64, TranslateError> {
        self.try_number().ok_or_else(|| self.unexpected())
    }

    fn unexpected(&self) -> TranslateError {
        match self.peek() {
            None => syntax("syntax error at end of input"),
            Some(t) => syntax(format!("syntax error at or near \"{t}\"")),
        }
    }
}
