//! The PL/pgSQL that trigger functions are written in, as far as pgtenant
//! runs it: a block of assignments to `NEW.column`, `IF ... THEN ... ELSIF
//! ... ELSE ... END IF`, `RETURN NEW | OLD | NULL`, `RAISE`, `NULL;` and
//! plain SQL statements (INSERT, UPDATE, DELETE, `PERFORM`). Anything else
//! (DECLARE, loops, variables) is refused by name with 0A000.

use sqlparser::ast::{Expr, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::super::error::{other, unsupported};
use super::super::TranslateError;

#[derive(Debug, Clone)]
pub enum Stmt {
    /// `NEW.column := expr` (or `=`).
    Assign(String, Box<Expr>),
    /// `IF c THEN .. [ELSIF c THEN ..] [ELSE ..] END IF`.
    If(Vec<(Expr, Vec<Stmt>)>, Vec<Stmt>),
    Return(Returned),
    /// `RAISE [EXCEPTION] 'format' [, args] [USING ERRCODE = '...']`: the
    /// SQLSTATE, the format and its arguments.
    Raise(String, String, Vec<Expr>),
    /// `RAISE NOTICE | WARNING | ...`: the level, SQLSTATE, format and
    /// arguments of a notice for the client.
    Notice(String, String, String, Vec<Expr>),
    Sql(Box<Statement>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Returned {
    New,
    Old,
    Null,
}

/// The statements of a function body.
pub fn body(source: &str) -> Result<Vec<Stmt>, TranslateError> {
    let tokens: Vec<TokenWithSpan> = Tokenizer::new(&PostgreSqlDialect {}, source)
        .tokenize_with_location()
        .map_err(|e| other("42601", e.message))?
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
        .collect();
    let mut p = Cursor { tokens, at: 0 };
    if p.word("declare") {
        return Err(unsupported("PL/pgSQL DECLARE sections"));
    }
    p.expect_word("begin")?;
    let stmts = p.statements(&["end"])?;
    p.expect_word("end")?;
    p.eat(&Token::SemiColon);
    if p.at < p.tokens.len() {
        return Err(p.unexpected());
    }
    Ok(stmts)
}

struct Cursor {
    tokens: Vec<TokenWithSpan>,
    at: usize,
}

impl Cursor {
    fn peek_word(&self, offset: usize) -> Option<String> {
        match self.tokens.get(self.at + offset).map(|t| &t.token) {
            Some(Token::Word(w)) if w.quote_style.is_none() => Some(w.value.to_ascii_lowercase()),
            _ => None,
        }
    }

    fn word(&mut self, w: &str) -> bool {
        if self.peek_word(0).as_deref() == Some(w) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<(), TranslateError> {
        if self.word(w) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn eat(&mut self, t: &Token) -> bool {
        if self.tokens.get(self.at).map(|x| &x.token) == Some(t) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    fn unexpected(&self) -> TranslateError {
        match self.tokens.get(self.at) {
            Some(t) => other(
                "42601",
                format!(
                    "syntax error at or near \"{}\" in PL/pgSQL function body",
                    t.token
                ),
            ),
            None => other("42601", "syntax error at end of PL/pgSQL function body"),
        }
    }

    /// Statements up to (not including) one of the `ends` words.
    fn statements(&mut self, ends: &[&str]) -> Result<Vec<Stmt>, TranslateError> {
        let mut out = Vec::new();
        while let Some(w) = self
            .peek_word(0)
            .or_else(|| (self.at < self.tokens.len()).then(String::new))
        {
            if ends.contains(&w.as_str()) {
                return Ok(out);
            }
            if let Some(s) = self.statement()? {
                out.push(s);
            }
        }
        Err(self.unexpected())
    }

    fn statement(&mut self) -> Result<Option<Stmt>, TranslateError> {
        let word = self.peek_word(0).unwrap_or_default();
        match word.as_str() {
            "new" if self.tokens.get(self.at + 1).map(|t| &t.token) == Some(&Token::Period) => {
                self.at += 2;
                let Some(Token::Word(column)) = self.tokens.get(self.at).map(|t| t.token.clone())
                else {
                    return Err(self.unexpected());
                };
                self.at += 1;
                if !(self.eat(&Token::Assignment) || self.eat(&Token::Eq)) {
                    return Err(self.unexpected());
                }
                let column = match column.quote_style {
                    Some(_) => column.value,
                    None => column.value.to_ascii_lowercase(),
                };
                let value = self.expr_until(|t| t == &Token::SemiColon)?;
                self.expect(&Token::SemiColon)?;
                Ok(Some(Stmt::Assign(column, Box::new(value))))
            }
            "if" => {
                self.at += 1;
                let mut branches = Vec::new();
                let mut otherwise = Vec::new();
                loop {
                    let cond = self.expr_until(|t| is_word(t, "then"))?;
                    self.expect_word("then")?;
                    let stmts = self.statements(&["elsif", "elseif", "else", "end"])?;
                    branches.push((cond, stmts));
                    if self.word("elsif") || self.word("elseif") {
                        continue;
                    }
                    if self.word("else") {
                        otherwise = self.statements(&["end"])?;
                    }
                    break;
                }
                self.expect_word("end")?;
                self.expect_word("if")?;
                self.expect(&Token::SemiColon)?;
                Ok(Some(Stmt::If(branches, otherwise)))
            }
            "return" => {
                self.at += 1;
                let r = if self.returns_new_or_old() {
                    // `COALESCE(NEW, OLD)` (audit functions for every event):
                    // NEW where there is one, else OLD; the row goes on.
                    Returned::New
                } else if self.word("new") {
                    Returned::New
                } else if self.word("old") {
                    Returned::Old
                } else if self.word("null") {
                    Returned::Null
                } else {
                    return Err(unsupported(
                        "RETURN of an expression other than NEW, OLD or NULL",
                    ));
                };
                self.expect(&Token::SemiColon)?;
                Ok(Some(Stmt::Return(r)))
            }
            "raise" => self.raise(),
            "null" if self.tokens.get(self.at + 1).map(|t| &t.token) == Some(&Token::SemiColon) => {
                self.at += 2;
                Ok(None)
            }
            "perform" => {
                self.at += 1;
                let mut tokens = vec![TokenWithSpan::wrap(Token::make_keyword("SELECT"))];
                tokens.extend(self.tokens_until_semicolon()?);
                Ok(Some(Stmt::Sql(Box::new(sql_statement(tokens)?))))
            }
            "insert" | "update" | "delete" | "select" | "with" => {
                let tokens = self.tokens_until_semicolon()?;
                let statement = sql_statement(tokens)?;
                if matches!(&statement, Statement::Query(q) if query_has_into(q)) {
                    return Err(unsupported("SELECT INTO in PL/pgSQL"));
                }
                Ok(Some(Stmt::Sql(Box::new(statement))))
            }
            "" => Err(self.unexpected()),
            other_word => Err(unsupported(format!(
                "PL/pgSQL statement {}",
                other_word.to_ascii_uppercase()
            ))),
        }
    }

    fn returns_new_or_old(&mut self) -> bool {
        let words = [self.peek_word(0), self.peek_word(2), self.peek_word(4)];
        let punct = |i: usize, t: Token| self.tokens.get(self.at + i).map(|x| &x.token) == Some(&t);
        let matched = words[0].as_deref() == Some("coalesce")
            && punct(1, Token::LParen)
            && words[1].as_deref() == Some("new")
            && punct(3, Token::Comma)
            && words[2].as_deref() == Some("old")
            && punct(5, Token::RParen);
        if matched {
            self.at += 6;
        }
        matched
    }

    fn raise(&mut self) -> Result<Option<Stmt>, TranslateError> {
        self.at += 1;
        let level = self.peek_word(0).unwrap_or_default();
        let notice = matches!(
            level.as_str(),
            "debug" | "log" | "info" | "notice" | "warning"
        );
        if notice || level == "exception" {
            self.at += 1;
        }
        let format = match self.tokens.get(self.at).map(|t| t.token.clone()) {
            Some(Token::SingleQuotedString(s)) => {
                self.at += 1;
                s
            }
            _ => return Err(unsupported("RAISE without a message format")),
        };
        let mut args = Vec::new();
        while self.eat(&Token::Comma) {
            args.push(self.expr_until(|t| {
                t == &Token::Comma || t == &Token::SemiColon || is_word(t, "using")
            })?);
        }
        let mut code = if notice {
            super::compile::raise_default_code(&level)
        } else {
            super::compile::raise_default_code("exception")
        }
        .to_owned();
        if self.word("using") {
            loop {
                let option = self.peek_word(0).unwrap_or_default();
                self.at += 1;
                if !self.eat(&Token::Eq) && !self.eat(&Token::Assignment) {
                    return Err(self.unexpected());
                }
                let value = match self.tokens.get(self.at).map(|t| t.token.clone()) {
                    Some(Token::SingleQuotedString(s)) => s,
                    Some(Token::Word(w)) => w.value,
                    _ => return Err(self.unexpected()),
                };
                self.at += 1;
                match option.as_str() {
                    "errcode" => code = errcode(&value)?,
                    "detail" | "hint" | "message" => {}
                    _ => return Err(unsupported(format!("RAISE USING {option}"))),
                }
                if !self.eat(&Token::Comma) {
                    break;
                }
            }
        }
        self.expect(&Token::SemiColon)?;
        if notice {
            return Ok(Some(Stmt::Notice(level, code, format, args)));
        }
        Ok(Some(Stmt::Raise(code, format, args)))
    }

    fn expect(&mut self, t: &Token) -> Result<(), TranslateError> {
        if self.eat(t) {
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    /// The tokens up to the first `end` at bracket depth 0, as one expression.
    fn expr_until(&mut self, end: impl Fn(&Token) -> bool) -> Result<Expr, TranslateError> {
        let start = self.at;
        let mut depth = 0i32;
        while let Some(t) = self.tokens.get(self.at) {
            if depth == 0 && end(&t.token) {
                break;
            }
            match t.token {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket => depth -= 1,
                _ => {}
            }
            self.at += 1;
        }
        let tokens = self.tokens[start..self.at].to_vec();
        if tokens.is_empty() {
            return Err(self.unexpected());
        }
        Parser::new(&PostgreSqlDialect {})
            .with_tokens_with_locations(tokens)
            .parse_expr()
            .map_err(|e| other("42601", e.to_string()))
    }

    /// The tokens up to the next `;`, which is eaten.
    fn tokens_until_semicolon(&mut self) -> Result<Vec<TokenWithSpan>, TranslateError> {
        let start = self.at;
        while let Some(t) = self.tokens.get(self.at) {
            self.at += 1;
            if t.token == Token::SemiColon {
                return Ok(self.tokens[start..self.at - 1].to_vec());
            }
        }
        Err(self.unexpected())
    }
}

fn is_word(t: &Token, w: &str) -> bool {
    matches!(t, Token::Word(x) if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
}

fn sql_statement(tokens: Vec<TokenWithSpan>) -> Result<Statement, TranslateError> {
    Parser::new(&PostgreSqlDialect {})
        .with_tokens_with_locations(tokens)
        .parse_statement()
        .map_err(|e| other("42601", e.to_string()))
}

fn query_has_into(q: &sqlparser::ast::Query) -> bool {
    matches!(q.body.as_ref(), sqlparser::ast::SetExpr::Select(s) if s.into.is_some())
}

/// `ERRCODE = '23505'` or a condition name.
fn errcode(value: &str) -> Result<String, TranslateError> {
    if value.len() == 5 && value.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Ok(value.to_ascii_uppercase());
    }
    let code = match value.to_ascii_lowercase().as_str() {
        "raise_exception" => "P0001",
        "unique_violation" => "23505",
        "foreign_key_violation" => "23503",
        "check_violation" => "23514",
        "not_null_violation" => "23502",
        "invalid_parameter_value" => "22023",
        "data_exception" => "22000",
        "insufficient_privilege" => "42501",
        "restrict_violation" => "23001",
        _ => {
            return Err(other(
                "42704",
                format!("unrecognized exception condition \"{value}\""),
            ))
        }
    };
    Ok(code.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_supported_statements() {
        let stmts = body(
            "BEGIN NEW.a := 1; IF NEW.b > 0 THEN NEW.c = 'x'; ELSIF NEW.b < 0 THEN NULL; \
             ELSE RAISE EXCEPTION 'bad %', NEW.b USING ERRCODE = 'check_violation'; END IF; \
             INSERT INTO log VALUES (NEW.a); PERFORM 1; RAISE NOTICE 'done'; RETURN COALESCE(NEW, OLD); END;",
        )
        .unwrap();
        assert_eq!(stmts.len(), 6);
        assert!(matches!(&stmts[1], Stmt::If(branches, otherwise)
            if branches.len() == 2 && otherwise.len() == 1));
        assert!(matches!(&stmts[4], Stmt::Notice(level, code, format, _)
            if level == "notice" && code == "00000" && format == "done"));
        assert!(matches!(&stmts[5], Stmt::Return(Returned::New)));
    }

    #[test]
    fn refuses_what_it_cannot_run_by_name() {
        let e = body("DECLARE n int; BEGIN RETURN NEW; END").unwrap_err();
        assert_eq!(e.code, "0A000");
        let e = body("BEGIN FOR r IN SELECT 1 LOOP END LOOP; RETURN NEW; END").unwrap_err();
        assert_eq!((e.code, e.message.contains("FOR")), ("0A000", true));
        assert_eq!(body("BEGIN RETURN NEW END").unwrap_err().code, "42601");
    }
}
