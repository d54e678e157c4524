//! `DO [LANGUAGE plpgsql] 'BEGIN ... [EXCEPTION WHEN ... THEN ...] END'`:
//! an anonymous block of plain SQL statements, with exception handlers.
//! ORMs create types this way where PostgreSQL has no IF NOT EXISTS
//! (Sequelize: `DO 'BEGIN CREATE TYPE ... AS ENUM (...); EXCEPTION WHEN
//! duplicate_object THEN null; END'`). Each statement is translated as if
//! sent alone; the session runs them in a savepoint, and an error a handler
//! names rolls the block's statements back and runs the handler's
//! (`StmtKind::DoBlock`). PL/pgSQL proper (DECLARE, variables, IF, loops,
//! nested blocks) is refused by name with 0A000.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::error::{other, unsupported};
use super::split::is_keyword;
use super::{StmtKind, TranslateError, Translation};

/// A translated DO block.
#[derive(Debug, Clone, PartialEq)]
pub struct DoBlock {
    pub body: Vec<Translation>,
    pub handlers: Vec<DoHandler>,
}

/// `WHEN condition [OR condition ...] THEN statements`.
#[derive(Debug, Clone, PartialEq)]
pub struct DoHandler {
    /// SQLSTATEs; `OTHERS` is every code but query_canceled (57014) and
    /// assert_failure (P0004), as in PL/pgSQL.
    pub codes: Vec<String>,
    pub others: bool,
    pub body: Vec<Translation>,
}

impl DoHandler {
    pub fn catches(&self, code: &str) -> bool {
        if self.others {
            return !matches!(code, "57014" | "P0004");
        }
        self.codes.iter().any(|c| c == code)
    }
}

/// Whether a statement's first significant token is DO.
pub(super) fn is_do(significant: &[&TokenWithSpan]) -> bool {
    significant
        .first()
        .is_some_and(|t| is_keyword(&t.token, Keyword::DO))
}

/// The DO statement's significant tokens as a block.
pub(super) fn translate(significant: &[TokenWithSpan]) -> Result<Translation, TranslateError> {
    let mut body = None;
    let mut i = 1;
    while let Some(t) = significant.get(i) {
        match &t.token {
            Token::Word(w) if w.keyword == Keyword::LANGUAGE => {
                let lang = match significant.get(i + 1).map(|t| &t.token) {
                    Some(Token::Word(w)) => w.value.to_ascii_lowercase(),
                    Some(Token::SingleQuotedString(s)) => s.to_ascii_lowercase(),
                    _ => return Err(other("42601", "syntax error at end of input")),
                };
                match lang.as_str() {
                    "plpgsql" => {}
                    "sql" | "c" | "internal" => {
                        return Err(other(
                            "0A000",
                            format!("language \"{lang}\" does not support inline code execution"),
                        ))
                    }
                    _ => {
                        return Err(other(
                            "42704",
                            format!("language \"{lang}\" does not exist"),
                        ))
                    }
                }
                i += 2;
            }
            Token::SingleQuotedString(s) if body.is_none() => {
                body = Some(s.clone());
                i += 1;
            }
            Token::DollarQuotedString(s) if body.is_none() => {
                body = Some(s.value.clone());
                i += 1;
            }
            other_token => {
                return Err(other(
                    "42601",
                    format!("syntax error at or near \"{other_token}\""),
                ))
            }
        }
    }
    let Some(body) = body else {
        return Err(other("42601", "no inline code specified"));
    };
    Ok(Translation::command(StmtKind::DoBlock(Box::new(block(
        &body,
    )?))))
}

/// `[DECLARE ...] BEGIN statements [EXCEPTION handlers] END [;]`.
fn block(source: &str) -> Result<DoBlock, TranslateError> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, source)
        .tokenize_with_location()
        .map_err(|e| other("42601", e.message))?;
    let mut cur = Cursor { tokens, at: 0 };
    match cur.word().as_deref() {
        Some("declare") => return Err(unsupported("DECLARE in a DO block")),
        Some("begin") => cur.next(),
        _ => return Err(cur.unexpected()),
    }
    let body = cur.statements()?;
    let mut handlers = Vec::new();
    if cur.word().as_deref() == Some("exception") {
        cur.next();
        while cur.word().as_deref() == Some("when") {
            cur.next();
            let (codes, others) = cur.conditions()?;
            let body = cur.statements()?;
            handlers.push(DoHandler {
                codes,
                others,
                body,
            });
        }
        if handlers.is_empty() {
            return Err(cur.unexpected());
        }
    }
    if cur.word().as_deref() != Some("end") {
        return Err(cur.unexpected());
    }
    cur.next();
    if cur.peek() == Some(&Token::SemiColon) {
        cur.next();
    }
    if cur.peek().is_some() {
        return Err(cur.unexpected());
    }
    Ok(DoBlock { body, handlers })
}

struct Cursor {
    tokens: Vec<TokenWithSpan>,
    at: usize,
}

impl Cursor {
    fn skip_space(&mut self) {
        while matches!(
            self.tokens.get(self.at).map(|t| &t.token),
            Some(Token::Whitespace(_))
        ) {
            self.at += 1;
        }
    }

    fn peek(&mut self) -> Option<&Token> {
        self.skip_space();
        self.tokens
            .get(self.at)
            .map(|t| &t.token)
            .filter(|t| **t != Token::EOF)
    }

    fn next(&mut self) {
        self.skip_space();
        self.at += 1;
    }

    /// The next token as a lower-case unquoted word.
    fn word(&mut self) -> Option<String> {
        match self.peek() {
            Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn unexpected(&mut self) -> TranslateError {
        match self.peek().cloned() {
            Some(t) => other("42601", format!("syntax error at or near \"{t}\"")),
            None => other("42601", "syntax error at end of input"),
        }
    }

    /// Statements up to a top-level EXCEPTION, WHEN or END, each
    /// translated as if sent alone.
    fn statements(&mut self) -> Result<Vec<Translation>, TranslateError> {
        let mut out = Vec::new();
        loop {
            let word = self.word();
            match word.as_deref() {
                Some("exception" | "when" | "end") => return Ok(out),
                None if self.peek().is_none() => return Err(self.unexpected()),
                Some(
                    w @ ("declare" | "begin" | "if" | "case" | "loop" | "while" | "for" | "foreach"
                    | "return" | "raise" | "execute" | "get" | "exit" | "continue" | "assert"
                    | "call"),
                ) => {
                    return Err(unsupported(format!(
                        "PL/pgSQL {} in a DO block",
                        w.to_ascii_uppercase()
                    )))
                }
                _ => {}
            }
            let start = self.at;
            let mut end = start;
            while let Some(t) = self.tokens.get(end) {
                if matches!(t.token, Token::SemiColon | Token::EOF) {
                    break;
                }
                end += 1;
            }
            if self.tokens.get(end).map(|t| &t.token) != Some(&Token::SemiColon) {
                self.at = end;
                return Err(self.unexpected());
            }
            self.at = end + 1;
            let text: String = self.tokens[start..end]
                .iter()
                .map(|t| t.token.to_string())
                .collect();
            let text = text.trim();
            if text.eq_ignore_ascii_case("null") {
                continue;
            }
            let text = match word.as_deref() {
                // PERFORM runs a query and drops its rows.
                Some("perform") => format!("SELECT {}", &text["perform".len()..]),
                _ => text.to_owned(),
            };
            out.extend(super::translate(&text)?);
        }
    }

    /// `condition [OR condition ...] THEN`: their SQLSTATEs, and whether
    /// OTHERS is one of them.
    fn conditions(&mut self) -> Result<(Vec<String>, bool), TranslateError> {
        let mut codes = Vec::new();
        let mut others = false;
        loop {
            match self.word().as_deref() {
                Some("sqlstate") => {
                    self.next();
                    match self.peek().cloned() {
                        Some(Token::SingleQuotedString(s))
                            if s.len() == 5 && s.bytes().all(|b| b.is_ascii_alphanumeric()) =>
                        {
                            codes.push(s.to_ascii_uppercase());
                            self.next();
                        }
                        _ => return Err(self.unexpected()),
                    }
                }
                Some("others") => {
                    others = true;
                    self.next();
                }
                Some(name) => match condition_code(name) {
                    Some(code) => {
                        codes.push(code.to_owned());
                        self.next();
                    }
                    None => {
                        return Err(other(
                            "42704",
                            format!("unrecognized exception condition \"{name}\""),
                        ))
                    }
                },
                None => return Err(self.unexpected()),
            }
            match self.word().as_deref() {
                Some("or") => self.next(),
                Some("then") => {
                    self.next();
                    return Ok((codes, others));
                }
                _ => return Err(self.unexpected()),
            }
        }
    }
}

/// PL/pgSQL's condition names (appendix A of the PostgreSQL manual) for
/// the errors pgtenant reports.
fn condition_code(name: &str) -> Option<&'static str> {
    Some(match name {
        "duplicate_object" => "42710",
        "duplicate_table" => "42P07",
        "duplicate_column" => "42701",
        "duplicate_function" => "42723",
        "duplicate_schema" => "42P06",
        "duplicate_database" => "42P04",
        "undefined_object" => "42704",
        "undefined_table" => "42P01",
        "undefined_column" => "42703",
        "undefined_function" => "42883",
        "invalid_schema_name" => "3F000",
        "unique_violation" => "23505",
        "foreign_key_violation" => "23503",
        "not_null_violation" => "23502",
        "check_violation" => "23514",
        "exclusion_violation" => "23P01",
        "integrity_constraint_violation" => "23000",
        "invalid_text_representation" => "22P02",
        "division_by_zero" => "22012",
        "numeric_value_out_of_range" => "22003",
        "string_data_right_truncation" => "22001",
        "invalid_datetime_format" => "22007",
        "datetime_field_overflow" => "22008",
        "feature_not_supported" => "0A000",
        "insufficient_privilege" => "42501",
        "syntax_error" => "42601",
        "wrong_object_type" => "42809",
        "dependent_objects_still_exist" => "2BP01",
        "raise_exception" => "P0001",
        "no_data_found" => "P0002",
        "too_many_rows" => "P0003",
        "serialization_failure" => "40001",
        "deadlock_detected" => "40P01",
        "lock_not_available" => "55P03",
        "object_in_use" => "55006",
        _ => return None,
    })
}
