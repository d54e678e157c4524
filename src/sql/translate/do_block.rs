//! `DO [LANGUAGE plpgsql] 'BEGIN ... [EXCEPTION WHEN ... THEN ...] END'`:
//! an anonymous block of SQL statements, `IF ... THEN ... ELSIF ... ELSE
//! ... END IF`, `RAISE` and nested `BEGIN ... END` blocks, with exception
//! handlers. ORMs and migration scripts create objects this way where
//! PostgreSQL has no IF NOT EXISTS (Sequelize: `DO 'BEGIN CREATE TYPE ...;
//! EXCEPTION WHEN duplicate_object THEN null; END'`; hand-written
//! migrations: `IF NOT EXISTS (SELECT 1 FROM pg_type ...) THEN CREATE TYPE
//! ...; END IF;`). Each statement and condition is translated as if sent
//! alone; the session runs them in order (`StmtKind::DoBlock`): a block
//! with handlers in a savepoint, where an error a handler names rolls the
//! block's statements back and runs the handler's. PL/pgSQL's variables
//! (DECLARE), loops, RETURN and dynamic EXECUTE are refused by name with
//! 0A000; RAISE below EXCEPTION level sends a notice.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::error::{other, unsupported};
use super::split::is_keyword;
use super::{StmtKind, TranslateError, Translation};

/// A translated DO block (or a nested BEGIN ... END).
#[derive(Debug, Clone, PartialEq)]
pub struct DoBlock {
    pub body: Vec<DoStep>,
    pub handlers: Vec<DoHandler>,
}

/// One statement of a block.
#[derive(Debug, Clone, PartialEq)]
pub enum DoStep {
    Sql(Translation),
    /// `IF c THEN .. [ELSIF c THEN ..] [ELSE ..] END IF`: each condition
    /// as `SELECT (c)`, the first true one's statements run.
    If {
        arms: Vec<(Translation, Vec<DoStep>)>,
        otherwise: Vec<DoStep>,
    },
    /// `RAISE [level]`: `SELECT message, detail, hint`, the SQLSTATE, and
    /// the level (`exception` fails the block; the others send a notice).
    Raise {
        fields: Translation,
        code: String,
        level: String,
    },
    Block(Box<DoBlock>),
}

/// `WHEN condition [OR condition ...] THEN statements`.
#[derive(Debug, Clone, PartialEq)]
pub struct DoHandler {
    /// SQLSTATEs; `OTHERS` is every code but query_canceled (57014) and
    /// assert_failure (P0004), as in PL/pgSQL.
    pub codes: Vec<String>,
    pub others: bool,
    pub body: Vec<DoStep>,
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
    let block = cur.block_rest()?;
    if cur.peek().is_some() {
        return Err(cur.unexpected());
    }
    Ok(block)
}

/// `SELECT (expr)` translated, for a condition or a RAISE argument.
fn select(exprs: &[String]) -> Result<Translation, TranslateError> {
    let list: Vec<String> = exprs.iter().map(|e| format!("({e})")).collect();
    let mut t = super::translate(&format!("SELECT {}", list.join(", ")))?;
    match (t.len(), t.pop()) {
        (1, Some(t)) => Ok(t),
        _ => Err(other("42601", "syntax error in PL/pgSQL expression")),
    }
}

/// RAISE's message as an SQL expression (`plpgsql`'s, the trigger
/// functions' RAISE).
fn message_sql(format: &str, args: &[String]) -> Result<String, TranslateError> {
    let args = args
        .iter()
        .map(|a| {
            Parser::new(&PostgreSqlDialect {})
                .try_with_sql(a)
                .and_then(|mut p| p.parse_expr())
                .map_err(|e| other("42601", e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(super::plpgsql::compile::message(format, args).to_string())
}

impl Cursor {
    /// After BEGIN: statements, handlers, END and its semicolon.
    fn block_rest(&mut self) -> Result<DoBlock, TranslateError> {
        let body = self.statements()?;
        let mut handlers = Vec::new();
        if self.word().as_deref() == Some("exception") {
            self.next();
            while self.word().as_deref() == Some("when") {
                self.next();
                let (codes, others) = self.conditions()?;
                let body = self.statements()?;
                handlers.push(DoHandler {
                    codes,
                    others,
                    body,
                });
            }
            if handlers.is_empty() {
                return Err(self.unexpected());
            }
        }
        if self.word().as_deref() != Some("end") {
            return Err(self.unexpected());
        }
        self.next();
        if self.peek() == Some(&Token::SemiColon) {
            self.next();
        }
        Ok(DoBlock { body, handlers })
    }
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

    /// Statements up to a top-level EXCEPTION, WHEN, ELSIF, ELSE or END,
    /// each translated as if sent alone.
    fn statements(&mut self) -> Result<Vec<DoStep>, TranslateError> {
        let mut out = Vec::new();
        loop {
            let word = self.word();
            match word.as_deref() {
                Some("exception" | "when" | "end" | "elsif" | "elseif" | "else") => return Ok(out),
                None if self.peek().is_none() => return Err(self.unexpected()),
                Some("if") => {
                    self.next();
                    out.push(self.if_rest()?);
                    continue;
                }
                Some("raise") => {
                    self.next();
                    if let Some(step) = self.raise_rest()? {
                        out.push(step);
                    }
                    continue;
                }
                Some("begin") => {
                    self.next();
                    out.push(DoStep::Block(Box::new(self.block_rest()?)));
                    continue;
                }
                Some(
                    w @ ("declare" | "case" | "loop" | "while" | "for" | "foreach" | "return"
                    | "execute" | "get" | "exit" | "continue" | "assert" | "call"),
                ) => {
                    return Err(unsupported(format!(
                        "PL/pgSQL {} in a DO block",
                        w.to_ascii_uppercase()
                    )))
                }
                _ => {}
            }
            let text = self.text_until(&[])?;
            if text.eq_ignore_ascii_case("null") {
                continue;
            }
            let text = match word.as_deref() {
                // PERFORM runs a query and drops its rows.
                Some("perform") => format!("SELECT {}", &text["perform".len()..]),
                _ => text,
            };
            out.extend(super::translate(&text)?.into_iter().map(DoStep::Sql));
        }
    }

    /// The source text up to the next top-level `;` (consumed) or, first,
    /// one of the words `stops` (not consumed), skipping what parentheses
    /// and CASE ... END enclose.
    fn text_until(&mut self, stops: &[&str]) -> Result<String, TranslateError> {
        self.skip_space();
        let start = self.at;
        let (mut depth, mut cases) = (0usize, 0usize);
        let mut end = start;
        while let Some(t) = self.tokens.get(end) {
            match &t.token {
                Token::EOF => break,
                Token::SemiColon if depth == 0 => break,
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::Word(w) if w.quote_style.is_none() && depth == 0 => {
                    let lower = w.value.to_ascii_lowercase();
                    if lower == "case" {
                        cases += 1;
                    } else if lower == "end" && cases > 0 {
                        cases -= 1;
                    } else if cases == 0 && stops.contains(&lower.as_str()) {
                        break;
                    }
                }
                _ => {}
            }
            end += 1;
        }
        let at_stop = !matches!(
            self.tokens.get(end).map(|t| &t.token),
            Some(Token::SemiColon) | Some(Token::EOF) | None
        );
        if !at_stop
            && (!stops.is_empty()
                || self.tokens.get(end).map(|t| &t.token) != Some(&Token::SemiColon))
        {
            self.at = end;
            return Err(self.unexpected());
        }
        self.at = if at_stop { end } else { end + 1 };
        let text: String = self.tokens[start..end]
            .iter()
            .map(|t| t.token.to_string())
            .collect();
        let text = text.trim();
        if text.is_empty() {
            return Err(self.unexpected());
        }
        Ok(text.to_owned())
    }

    /// After IF: `c THEN .. [ELSIF c THEN ..] [ELSE ..] END IF;`.
    fn if_rest(&mut self) -> Result<DoStep, TranslateError> {
        let mut arms = Vec::new();
        let mut otherwise = Vec::new();
        loop {
            let cond = self.text_until(&["then"])?;
            self.next();
            let body = self.statements()?;
            arms.push((select(&[cond])?, body));
            match self.word().as_deref() {
                Some("elsif" | "elseif") => self.next(),
                Some("else") => {
                    self.next();
                    otherwise = self.statements()?;
                    break;
                }
                _ => break,
            }
        }
        if self.word().as_deref() != Some("end") {
            return Err(self.unexpected());
        }
        self.next();
        if self.word().as_deref() != Some("if") {
            return Err(self.unexpected());
        }
        self.next();
        if self.peek() != Some(&Token::SemiColon) {
            return Err(self.unexpected());
        }
        self.next();
        Ok(DoStep::If { arms, otherwise })
    }

    /// After RAISE: `[level] 'format' [, expr ...] [USING option = expr,
    /// ...];` or `[level] condition_name | SQLSTATE 'code' [USING ...];`.
    fn raise_rest(&mut self) -> Result<Option<DoStep>, TranslateError> {
        let level = match self.word().as_deref() {
            Some(l @ ("debug" | "log" | "info" | "notice" | "warning" | "exception")) => {
                let l = l.to_owned();
                self.next();
                l
            }
            _ => "exception".to_owned(),
        };
        let text = self
            .text_until(&[])
            .map_err(|_| unsupported("RAISE without arguments"))?;
        // `args USING opt = v, ...`: the options follow the arguments.
        let (args, options) = match find_word(&text, "using") {
            Some(i) => (&text[..i], top_level_split(&text[i + "using".len()..], ',')),
            None => (text.as_str(), Vec::new()),
        };
        let parts = match args.trim() {
            "" => Vec::new(),
            a => top_level_split(a, ','),
        };
        let head = parts.first().cloned().unwrap_or_default();
        let default_code = super::plpgsql::compile::raise_default_code(&level);
        let (mut code, mut message) = (default_code.to_owned(), None::<String>);
        if head.is_empty() {
            // RAISE USING MESSAGE = ...: no format.
        } else if head.starts_with('\'') || head.to_ascii_uppercase().starts_with("E'") {
            let format = unquote(&head).ok_or_else(|| other("42601", "syntax error in RAISE"))?;
            message = Some(message_sql(&format, &parts[1..])?);
        } else if let Some(rest) = head
            .strip_prefix("SQLSTATE")
            .or_else(|| head.strip_prefix("sqlstate"))
        {
            code = unquote(rest.trim()).ok_or_else(|| other("42601", "syntax error in RAISE"))?;
            message = Some(format!("'{code}'"));
        } else {
            let name = head.to_ascii_lowercase();
            code = condition_code(&name)
                .ok_or_else(|| {
                    other(
                        "42704",
                        format!("unrecognized exception condition \"{name}\""),
                    )
                })?
                .to_owned();
            message = Some(format!("'{name}'"));
        }
        let (mut detail, mut hint) = ("NULL".to_owned(), "NULL".to_owned());
        for opt in options {
            let Some((name, value)) = opt.split_once('=') else {
                return Err(other("42601", "syntax error in RAISE ... USING"));
            };
            let value = value.trim().to_owned();
            match name.trim().to_ascii_lowercase().as_str() {
                "message" => message = Some(value),
                "detail" => detail = value,
                "hint" => hint = value,
                "errcode" => {
                    code = match unquote(&value) {
                        Some(c) if c.len() == 5 => c.to_ascii_uppercase(),
                        Some(name) => condition_code(&name.to_ascii_lowercase())
                            .ok_or_else(|| {
                                other(
                                    "42704",
                                    format!("unrecognized exception condition \"{name}\""),
                                )
                            })?
                            .to_owned(),
                        None => return Err(other("42601", "syntax error in RAISE ... USING")),
                    }
                }
                "column" | "constraint" | "datatype" | "table" | "schema" => {}
                other_name => {
                    return Err(other(
                        "42601",
                        format!("unrecognized RAISE statement option \"{other_name}\""),
                    ))
                }
            }
        }
        let message = message.unwrap_or_else(|| format!("'{code}'"));
        Ok(Some(DoStep::Raise {
            fields: select(&[message, detail, hint])?,
            code,
            level,
        }))
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

/// `text` cut at top-level `sep` (outside parentheses and quotes).
fn top_level_split(text: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut quoted) = (0usize, false);
    let mut cur = String::new();
    for ch in text.chars() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            c if c == sep && !quoted && depth == 0 => {
                out.push(std::mem::take(&mut cur).trim().to_owned());
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur.trim().to_owned());
    out
}

/// Where the word `w` starts in `text` outside quotes (case-insensitive).
fn find_word(text: &str, w: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut quoted = false;
    let bytes = lower.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\'' {
            quoted = !quoted;
        }
        if quoted || !lower[i..].starts_with(w) {
            continue;
        }
        let before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let after = bytes
            .get(i + w.len())
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        if before && after {
            return Some(i);
        }
    }
    None
}

/// The value of a quoted string literal (`'..'` or `E'..'`), as the
/// tokenizer printed it.
fn unquote(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t.strip_prefix(['E', 'e']).unwrap_or(t);
    let inner = t.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
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
