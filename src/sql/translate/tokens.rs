//! Reading a statement from its tokens, for the statements sqlparser does
//! not parse as PostgreSQL writes them (COPY, ALTER SEQUENCE).

use super::error::syntax;
use super::TranslateError;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// A position in a statement's significant tokens (whitespace dropped).
pub(super) struct Cursor {
    pub(super) tokens: Vec<TokenWithSpan>,
    pub(super) pos: usize,
}

impl Cursor {
    pub(super) fn new(tokens: Vec<TokenWithSpan>) -> Cursor {
        Cursor {
            tokens: significant(tokens),
            pos: 0,
        }
    }

    pub(super) fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos).map(|t| &t.token)
    }

    pub(super) fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).map(|t| t.token.clone());
        self.pos += 1;
        t
    }

    /// The next token, if it is the keyword `kw` (any case, unquoted).
    pub(super) fn eat_word(&mut self, kw: &str) -> bool {
        if matches!(self.peek(), Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case(kw))
        {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn unexpected(&self) -> TranslateError {
        match self.peek() {
            None => syntax("syntax error at end of input"),
            Some(t) => syntax(format!("syntax error at or near \"{t}\"")),
        }
    }

    /// Tokens up to the `)` matching an already consumed `(`.
    pub(super) fn until_close(&mut self) -> Result<Vec<TokenWithSpan>, TranslateError> {
        let start = self.pos;
        let mut depth = 1;
        while let Some(t) = self.next() {
            match t {
                Token::LParen => depth += 1,
                Token::RParen => {
                    depth -= 1;
                    if depth == 0 {
                        return Ok(self.tokens[start..self.pos - 1].to_vec());
                    }
                }
                _ => {}
            }
        }
        Err(syntax("syntax error at end of input"))
    }

    pub(super) fn identifier(&mut self) -> Result<String, TranslateError> {
        match self.next() {
            Some(Token::Word(w)) if w.quote_style.is_some() => Ok(w.value),
            Some(Token::Word(w)) => Ok(w.value.to_lowercase()),
            _ => {
                self.pos -= 1;
                Err(self.unexpected())
            }
        }
    }

    /// `(a, b, c)` after the `(`.
    pub(super) fn column_list(&mut self) -> Result<Vec<String>, TranslateError> {
        let mut cols = vec![self.identifier()?];
        while self.eat(&Token::Comma) {
            cols.push(self.identifier()?);
        }
        if !self.eat(&Token::RParen) {
            return Err(self.unexpected());
        }
        Ok(cols)
    }

    /// A relation's name, without the schema `public`; `what` names the
    /// kind in the refusal of any other schema.
    pub(super) fn public_name(&mut self, what: &str) -> Result<String, TranslateError> {
        let mut parts = vec![self.identifier()?];
        while self.eat(&Token::Period) {
            parts.push(self.identifier()?);
        }
        match parts.as_slice() {
            [n] => Ok(n.clone()),
            [s, n] if s == "public" => Ok(n.clone()),
            _ => Err(super::error::unsupported(format!(
                "{what} outside schema public"
            ))),
        }
    }

    pub(super) fn string(&mut self) -> Result<String, TranslateError> {
        match self.next() {
            Some(Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s)) => Ok(s),
            _ => {
                self.pos -= 1;
                Err(self.unexpected())
            }
        }
    }
}

pub(super) fn significant(tokens: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    tokens
        .into_iter()
        .filter(|t| !matches!(t.token, Token::Whitespace(_) | Token::EOF))
        .collect()
}
