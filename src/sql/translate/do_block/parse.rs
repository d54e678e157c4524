//! Reads a DO block's PL/pgSQL source into steps (see the module above):
//! statements end at a top-level `;`, control words are read here and the
//! SQL between them is compiled by `vars::Scope`.

use sqlparser::ast::DataType;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::super::error::{other, unsupported};
use super::super::TranslateError;
use super::text::{condition_code, find_word, token_text, top_level_split, unquote};
use super::vars::{fold, Scope};
use super::{
    Declare, Diagnostic, DoBlock, DoCode, DoHandler, DoStep, Into, LoopKind, Target, VarRef,
};

/// The DO body compiled.
pub(super) fn code(source: &str) -> Result<DoCode, TranslateError> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, source)
        .tokenize_with_location()
        .map_err(|e| other("42601", e.message))?;
    let mut cur = Cursor {
        tokens,
        at: 0,
        scope: Scope::new(),
        loops: 0,
        returns: None,
    };
    cur.program()
}

/// A PL/pgSQL function's body compiled: its arguments are variables (slots
/// 1..=n, named or `$1`..), and `RETURN expr` gives the value, cast to
/// `returns` (`None`: RETURNS void).
pub(in crate::sql::translate) fn function_code(
    source: &str,
    args: &[(String, DataType)],
    returns: Option<DataType>,
) -> Result<DoCode, TranslateError> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, source)
        .tokenize_with_location()
        .map_err(|e| other("42601", e.message))?;
    let mut scope = Scope::new();
    for (i, (name, ty)) in args.iter().enumerate() {
        let name = if name.is_empty() {
            format!("${}", i + 1)
        } else {
            name.clone()
        };
        scope.declare(&name, Some(ty.clone()), false, false);
    }
    let mut cur = Cursor {
        tokens,
        at: 0,
        scope,
        loops: 0,
        returns: Some(returns),
    };
    cur.program()
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
    Ok(super::super::plpgsql::compile::message(format, args).to_string())
}

struct Cursor {
    tokens: Vec<TokenWithSpan>,
    at: usize,
    scope: Scope,
    /// Loops open around the statement being read (EXIT needs one).
    loops: usize,
    /// In a function: its return type (`Some(None)`: void).
    returns: Option<Option<DataType>>,
}

impl Cursor {
    /// `[<<label>>] [DECLARE ...] BEGIN ... END` and nothing after.
    fn program(&mut self) -> Result<DoCode, TranslateError> {
        let label = self.label()?;
        let block = self.block(label)?;
        if self.peek().is_some() {
            return Err(self.unexpected());
        }
        Ok(DoCode {
            vars: std::mem::replace(&mut self.scope, Scope::new()).vars,
            block,
        })
    }

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

    /// The `n`-th significant token from here (0 = `peek`).
    fn ahead(&self, n: usize) -> Option<&Token> {
        self.tokens[self.at.min(self.tokens.len())..]
            .iter()
            .map(|t| &t.token)
            .filter(|t| !matches!(t, Token::Whitespace(_)))
            .nth(n)
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

    /// The next token as a name (quoted or folded), consumed.
    fn name(&mut self) -> Result<String, TranslateError> {
        match self.peek() {
            Some(Token::Word(w)) => {
                let name = fold(&sqlparser::ast::Ident {
                    value: w.value.clone(),
                    quote_style: w.quote_style,
                    span: sqlparser::tokenizer::Span::empty(),
                });
                self.next();
                Ok(name)
            }
            _ => Err(self.unexpected()),
        }
    }

    fn expect_word(&mut self, w: &str) -> Result<(), TranslateError> {
        if self.word().as_deref() != Some(w) {
            return Err(self.unexpected());
        }
        self.next();
        Ok(())
    }

    fn expect_semicolon(&mut self) -> Result<(), TranslateError> {
        if self.peek() != Some(&Token::SemiColon) {
            return Err(self.unexpected());
        }
        self.next();
        Ok(())
    }

    fn unexpected(&mut self) -> TranslateError {
        match self.peek().cloned() {
            Some(t) => other("42601", format!("syntax error at or near \"{t}\"")),
            None => other("42601", "syntax error at end of input"),
        }
    }

    /// `<<label>>` before a block or loop.
    fn label(&mut self) -> Result<Option<String>, TranslateError> {
        if self.peek() != Some(&Token::ShiftLeft) {
            return Ok(None);
        }
        self.next();
        let name = self.name()?;
        if self.peek() != Some(&Token::ShiftRight) {
            return Err(self.unexpected());
        }
        self.next();
        Ok(Some(name))
    }

    /// `[DECLARE ...] BEGIN statements [EXCEPTION handlers] END [label] [;]`.
    fn block(&mut self, label: Option<String>) -> Result<DoBlock, TranslateError> {
        self.scope.push();
        let mut declares = Vec::new();
        if self.word().as_deref() == Some("declare") {
            self.next();
            while !matches!(self.word().as_deref(), Some("begin")) {
                if self.peek().is_none() {
                    return Err(self.unexpected());
                }
                declares.push(self.declaration()?);
            }
        }
        self.expect_word("begin")?;
        let body = self.statements()?;
        let mut handlers = Vec::new();
        if self.word().as_deref() == Some("exception") {
            self.next();
            while self.word().as_deref() == Some("when") {
                self.next();
                let (codes, others) = self.conditions()?;
                self.scope.push();
                let sqlstate = self.scope.declare("sqlstate", None, false, false);
                let sqlerrm = self.scope.declare("sqlerrm", None, false, false);
                let body = self.statements()?;
                self.scope.pop();
                handlers.push(DoHandler {
                    codes,
                    others,
                    body,
                    sqlstate,
                    sqlerrm,
                });
            }
            if handlers.is_empty() {
                return Err(self.unexpected());
            }
        }
        self.expect_word("end")?;
        if matches!(self.peek(), Some(Token::Word(_))) {
            let end_label = self.name()?;
            if label.as_deref() != Some(end_label.as_str()) {
                return Err(other(
                    "42601",
                    format!("end label \"{end_label}\" differs from block's label"),
                ));
            }
        }
        if self.peek() == Some(&Token::SemiColon) {
            self.next();
        }
        self.scope.pop();
        Ok(DoBlock {
            label,
            declares,
            body,
            handlers,
        })
    }

    /// `name [CONSTANT] type [COLLATE c] [NOT NULL] [{DEFAULT | := | =} expr];`
    fn declaration(&mut self) -> Result<Declare, TranslateError> {
        let name = self.name()?;
        let constant = self.word().as_deref() == Some("constant");
        if constant {
            self.next();
        }
        match self.word().as_deref() {
            Some("cursor") | Some("refcursor") | Some("scroll") | Some("no") => {
                return Err(unsupported("cursor variables in a DO block"))
            }
            Some("alias") => return Err(unsupported("ALIAS in a DO block")),
            _ => {}
        }
        self.skip_space();
        let start = self.at;
        let mut end = start;
        let mut depth = 0usize;
        while let Some(t) = self.tokens.get(end).map(|t| &t.token) {
            match t {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                Token::SemiColon | Token::Assignment | Token::Eq if depth == 0 => break,
                Token::Word(w)
                    if depth == 0
                        && w.quote_style.is_none()
                        && matches!(
                            w.value.to_ascii_lowercase().as_str(),
                            "default" | "not" | "collate"
                        ) =>
                {
                    break
                }
                Token::EOF => break,
                _ => {}
            }
            end += 1;
        }
        let type_text: String = self.tokens[start..end]
            .iter()
            .map(|t| token_text(&t.token))
            .collect();
        self.at = end;
        let type_text = type_text.trim();
        let lower = type_text.to_ascii_lowercase();
        let (data_type, record) = if lower == "record" || lower.ends_with("%rowtype") {
            (None, true)
        } else if lower.ends_with("%type") {
            (None, false)
        } else {
            let dt = Parser::new(&PostgreSqlDialect {})
                .try_with_sql(type_text)
                .and_then(|mut p| p.parse_data_type())
                .map_err(|_| other("42704", format!("type \"{type_text}\" does not exist")))?;
            (Some(dt), false)
        };
        if self.word().as_deref() == Some("collate") {
            self.next();
            self.next();
        }
        let mut not_null = false;
        if self.word().as_deref() == Some("not") {
            self.next();
            self.expect_word("null")?;
            not_null = true;
        }
        // The variable is declared (visible) only after its default: a
        // default cannot read it.
        let mut default = None;
        let defaulted = matches!(self.peek(), Some(Token::Assignment | Token::Eq))
            || self.word().as_deref() == Some("default");
        if defaulted {
            self.next();
            let expr = self.text_until(&[])?;
            let as_type = data_type.as_ref().filter(|_| !record);
            default = Some(self.scope.value_as(as_type, &expr)?);
        } else {
            self.expect_semicolon()?;
        }
        if not_null && default.is_none() {
            return Err(other(
                "22004",
                format!(
                    "variable \"{name}\" must have a default value, since it's declared NOT NULL"
                ),
            ));
        }
        let slot = self.scope.declare(&name, data_type, record, constant);
        Ok(Declare {
            slot,
            default,
            not_null,
        })
    }

    /// Statements up to a top-level EXCEPTION, WHEN, ELSIF, ELSE or END.
    fn statements(&mut self) -> Result<Vec<DoStep>, TranslateError> {
        let mut out = Vec::new();
        loop {
            let label = self.label()?;
            let word = self.word();
            match word.as_deref() {
                Some("exception" | "when" | "end" | "elsif" | "elseif" | "else")
                    if label.is_none() =>
                {
                    return Ok(out)
                }
                None if self.peek().is_none() => return Err(self.unexpected()),
                Some("declare" | "begin") => {
                    out.push(DoStep::Block(Box::new(self.block(label)?)));
                    continue;
                }
                Some("loop" | "while" | "for" | "foreach") => {
                    out.push(self.loop_statement(label)?);
                    continue;
                }
                _ if label.is_some() => return Err(self.unexpected()),
                Some("if") => {
                    self.next();
                    out.push(self.if_rest()?);
                    continue;
                }
                Some("raise") => {
                    self.next();
                    out.push(self.raise_rest()?);
                    continue;
                }
                Some(w @ ("exit" | "continue")) => {
                    let next = w == "continue";
                    self.next();
                    out.push(self.exit_rest(next)?);
                    continue;
                }
                Some("return") => {
                    self.next();
                    out.push(self.return_rest()?);
                    continue;
                }
                Some("execute") => {
                    self.next();
                    out.push(self.execute_rest()?);
                    continue;
                }
                Some("get") => {
                    self.next();
                    out.push(self.diagnostics_rest()?);
                    continue;
                }
                Some("assert") => {
                    self.next();
                    let text = self.text_until(&[])?;
                    let mut parts = top_level_split(&text, ',');
                    if parts.len() == 1 {
                        parts.push("NULL".to_owned());
                    }
                    out.push(DoStep::Assert(self.scope.select(&parts)?));
                    continue;
                }
                Some("case") => return Err(unsupported("PL/pgSQL CASE statements in a DO block")),
                Some("open" | "fetch" | "move" | "close") => {
                    return Err(unsupported("PL/pgSQL cursors in a DO block"))
                }
                Some("commit" | "rollback") => {
                    return Err(unsupported("transaction control in a DO block"))
                }
                Some("call") => return Err(unsupported("CALL in a DO block")),
                _ => {}
            }
            if let Some(step) = self.assignment()? {
                out.push(step);
                continue;
            }
            let (text, into) = self.sql_until_semicolon()?;
            if text.eq_ignore_ascii_case("null") {
                continue;
            }
            let text = match word.as_deref() {
                // PERFORM runs a query and drops its rows.
                Some("perform") => format!("SELECT {}", &text["perform".len()..]),
                _ => text,
            };
            let mut queries = self.scope.queries(&text)?;
            let last = queries.pop();
            out.extend(
                queries
                    .into_iter()
                    .map(|query| DoStep::Sql { query, into: None }),
            );
            if let Some(query) = last {
                out.push(DoStep::Sql { query, into });
            }
        }
    }

    /// `var := expr;` (or `=`, or `rec.field := expr`), when the statement
    /// is one.
    fn assignment(&mut self) -> Result<Option<DoStep>, TranslateError> {
        let Some(Token::Word(w)) = self.ahead(0) else {
            return Ok(None);
        };
        let first = fold(&sqlparser::ast::Ident {
            value: w.value.clone(),
            quote_style: w.quote_style,
            span: sqlparser::tokenizer::Span::empty(),
        });
        let Some(slot) = self.scope.lookup(&first) else {
            return Ok(None);
        };
        let (target, skip) = match (self.ahead(1), self.ahead(2), self.ahead(3)) {
            (Some(Token::Assignment | Token::Eq), _, _) => (VarRef::Var(slot), 1),
            (Some(Token::Period), Some(Token::Word(f)), Some(Token::Assignment | Token::Eq))
                if self.scope.is_record(slot) =>
            {
                (VarRef::Field(slot, f.value.to_ascii_lowercase()), 3)
            }
            _ => return Ok(None),
        };
        self.scope.assignable(slot)?;
        for _ in 0..=skip {
            self.next();
        }
        let expr = self.text_until(&[])?;
        let value = match &target {
            VarRef::Var(slot) => self.scope.value_for(*slot, &expr)?,
            VarRef::Field(..) => self.scope.select(&[expr])?,
        };
        Ok(Some(DoStep::Assign { target, value }))
    }

    /// The tokens from here to the next top-level `;` (consumed) or, first,
    /// one of the words `stops` (not consumed), skipping what parentheses
    /// and CASE ... END enclose: their range.
    fn span_until(&mut self, stops: &[&str]) -> Result<(usize, usize), TranslateError> {
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
        if self.tokens[start..end]
            .iter()
            .all(|t| matches!(t.token, Token::Whitespace(_)))
        {
            return Err(self.unexpected());
        }
        Ok((start, end))
    }

    fn text_of(&self, start: usize, end: usize) -> String {
        let text: String = self.tokens[start..end]
            .iter()
            .map(|t| token_text(&t.token))
            .collect();
        text.trim().to_owned()
    }

    /// The source text up to the next top-level `;` or stop word (see
    /// `span_until`).
    fn text_until(&mut self, stops: &[&str]) -> Result<String, TranslateError> {
        let (start, end) = self.span_until(stops)?;
        Ok(self.text_of(start, end))
    }

    /// An SQL statement up to its `;`, without its `INTO [STRICT] targets`
    /// (after SELECT's list, or after RETURNING's), and the targets.
    fn sql_until_semicolon(&mut self) -> Result<(String, Option<Into>), TranslateError> {
        let (start, end) = self.span_until(&[])?;
        let significant: Vec<usize> = (start..end)
            .filter(|&i| !matches!(self.tokens[i].token, Token::Whitespace(_)))
            .collect();
        let word_at = |i: usize| match &self.tokens[i].token {
            Token::Word(w) if w.quote_style.is_none() => Some(w.value.to_ascii_lowercase()),
            _ => None,
        };
        let first = significant.first().and_then(|&i| word_at(i));
        let dml = matches!(first.as_deref(), Some("insert" | "update" | "delete"));
        if !dml && !matches!(first.as_deref(), Some("select" | "with")) {
            return Ok((self.text_of(start, end), None));
        }
        let mut depth = 0usize;
        let mut returning = !dml;
        let mut into_at = None;
        for (k, &i) in significant.iter().enumerate() {
            match &self.tokens[i].token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ if depth > 0 => {}
                _ => match word_at(i).as_deref() {
                    Some("returning") => returning = true,
                    Some("into") if returning => {
                        let before = k.checked_sub(1).and_then(|p| word_at(significant[p]));
                        if !matches!(before.as_deref(), Some("insert" | "merge")) {
                            into_at = Some(k);
                            break;
                        }
                    }
                    _ => {}
                },
            }
        }
        let Some(k) = into_at else {
            return Ok((self.text_of(start, end), None));
        };
        // INTO [STRICT] name [, name ...]
        let mut j = k + 1;
        let strict = significant
            .get(j)
            .and_then(|&i| word_at(i))
            .is_some_and(|w| w == "strict");
        if strict {
            j += 1;
        }
        let mut names = Vec::new();
        while let Some(Token::Word(w)) = significant.get(j).map(|&i| &self.tokens[i].token) {
            names.push(fold(&sqlparser::ast::Ident {
                value: w.value.clone(),
                quote_style: w.quote_style,
                span: sqlparser::tokenizer::Span::empty(),
            }));
            j += 1;
            if significant.get(j).map(|&i| &self.tokens[i].token) != Some(&Token::Comma) {
                break;
            }
            j += 1;
        }
        let resume = significant.get(j).copied().unwrap_or(end);
        let text = format!(
            "{} {}",
            self.text_of(start, significant[k]),
            self.text_of(resume, end)
        );
        let target = self.target(&names)?;
        Ok((text.trim().to_owned(), Some(Into { target, strict })))
    }

    /// INTO's or a FOR loop's variables.
    fn target(&self, names: &[String]) -> Result<Target, TranslateError> {
        let mut slots = Vec::new();
        for name in names {
            let slot = self
                .scope
                .lookup(name)
                .ok_or_else(|| other("42601", format!("\"{name}\" is not a known variable")))?;
            slots.push(self.scope.assignable(slot)?);
        }
        match slots.as_slice() {
            [] => Err(other("42601", "syntax error: INTO needs a variable")),
            [one] if self.scope.is_record(*one) => Ok(Target::Record(*one)),
            many if many.iter().any(|&s| self.scope.is_record(s)) => Err(other(
                "42601",
                "record variable cannot be part of multiple-item INTO list",
            )),
            _ => Ok(Target::Vars(slots)),
        }
    }

    /// LOOP, WHILE, FOR and FOREACH, to their `END LOOP [label];`.
    fn loop_statement(&mut self, label: Option<String>) -> Result<DoStep, TranslateError> {
        let word = self.word().unwrap_or_default();
        self.next();
        let mut frame = false;
        let kind = match word.as_str() {
            "loop" => LoopKind::Forever,
            "while" => {
                let cond = self.text_until(&["loop"])?;
                self.expect_word("loop")?;
                LoopKind::While(self.scope.select(&[cond])?)
            }
            "foreach" => {
                let names = self.names_until_in()?;
                if self.word().as_deref() == Some("slice") {
                    return Err(unsupported("FOREACH ... SLICE in a DO block"));
                }
                self.expect_word("in")?;
                self.expect_word("array")?;
                let array = self.text_until(&["loop"])?;
                self.expect_word("loop")?;
                let target = self.target(&names)?;
                LoopKind::Rows {
                    target,
                    query: self.scope.query(&format!("SELECT unnest({array})"))?,
                }
            }
            _ => {
                let names = self.names_until_in()?;
                self.expect_word("in")?;
                let reverse = self.word().as_deref() == Some("reverse");
                if reverse {
                    self.next();
                }
                if self.word().as_deref() == Some("execute") {
                    self.next();
                    let text = self.text_until(&["loop"])?;
                    self.expect_word("loop")?;
                    let (sql, using) = match find_word(&text, "using") {
                        Some(i) => (&text[..i], Some(&text[i + "using".len()..])),
                        None => (text.as_str(), None),
                    };
                    LoopKind::Dynamic {
                        target: self.target(&names)?,
                        sql: self.scope.select(&[sql.trim().to_owned()])?,
                        using: using
                            .map(|u| self.scope.select(&top_level_split(u.trim(), ',')))
                            .transpose()?,
                    }
                } else {
                    let text = self.text_until(&["loop"])?;
                    self.expect_word("loop")?;
                    match range_bounds(&text) {
                        Some((lo, hi, step)) => {
                            let [name] = names.as_slice() else {
                                return Err(other(
                                    "42601",
                                    "integer FOR loop must have only one target variable",
                                ));
                            };
                            let bounds = self.scope.select(&[lo, hi, step])?;
                            self.scope.push();
                            frame = true;
                            let var = self.scope.declare(
                                name,
                                Some(sqlparser::ast::DataType::Integer(None)),
                                false,
                                false,
                            );
                            LoopKind::Range {
                                var,
                                bounds,
                                reverse,
                            }
                        }
                        None if reverse => return Err(self.unexpected()),
                        None => LoopKind::Rows {
                            target: self.target(&names)?,
                            query: self.scope.query(&text)?,
                        },
                    }
                }
            }
        };
        self.loops += 1;
        let body = self.statements();
        self.loops -= 1;
        if frame {
            self.scope.pop();
        }
        let body = body?;
        self.expect_word("end")?;
        self.expect_word("loop")?;
        if matches!(self.peek(), Some(Token::Word(_))) {
            let end_label = self.name()?;
            if label.as_deref() != Some(end_label.as_str()) {
                return Err(other(
                    "42601",
                    format!("end label \"{end_label}\" differs from block's label"),
                ));
            }
        }
        self.expect_semicolon()?;
        Ok(DoStep::Loop { label, kind, body })
    }

    /// After RETURN: `;`, or in a function returning a value `expr;`.
    fn return_rest(&mut self) -> Result<DoStep, TranslateError> {
        if matches!(self.word().as_deref(), Some("next" | "query")) {
            return Err(unsupported(
                "RETURN NEXT and RETURN QUERY (set-returning functions)",
            ));
        }
        let returns = self.returns.clone().flatten();
        if self.peek() == Some(&Token::SemiColon) {
            self.next();
            if returns.is_some() {
                return Err(other("42804", "missing expression at or near \";\""));
            }
            return Ok(DoStep::Return);
        }
        let Some(ty) = returns else {
            return Err(other(
                "42804",
                "RETURN cannot have a parameter in function returning void",
            ));
        };
        let expr = self.text_until(&[])?;
        Ok(DoStep::ReturnValue(self.scope.value_as(Some(&ty), &expr)?))
    }

    /// `a [, b ...]` before IN.
    fn names_until_in(&mut self) -> Result<Vec<String>, TranslateError> {
        let mut names = vec![self.name()?];
        while self.peek() == Some(&Token::Comma) {
            self.next();
            names.push(self.name()?);
        }
        Ok(names)
    }

    /// After EXIT or CONTINUE: `[label] [WHEN cond];`.
    fn exit_rest(&mut self, next: bool) -> Result<DoStep, TranslateError> {
        let label = match self.word().as_deref() {
            Some("when") => None,
            _ if matches!(self.peek(), Some(Token::Word(_))) => Some(self.name()?),
            _ => None,
        };
        if label.is_none() && self.loops == 0 {
            let what = if next { "CONTINUE" } else { "EXIT" };
            return Err(other(
                "42601",
                format!("{what} cannot be used outside a loop, unless it has a label"),
            ));
        }
        let when = if self.word().as_deref() == Some("when") {
            self.next();
            let cond = self.text_until(&[])?;
            Some(self.scope.select(&[cond])?)
        } else {
            self.expect_semicolon()?;
            None
        };
        Ok(DoStep::Exit { label, when, next })
    }

    /// After EXECUTE: `expr [INTO [STRICT] targets] [USING a, ...];`.
    fn execute_rest(&mut self) -> Result<DoStep, TranslateError> {
        let text = self.text_until(&[])?;
        let into_at = find_word(&text, "into");
        let using_at = find_word(&text, "using");
        let sql_end = into_at
            .into_iter()
            .chain(using_at)
            .min()
            .unwrap_or(text.len());
        let section = |at: Option<usize>, len: usize, other_at: Option<usize>| {
            at.map(|i| {
                let end = other_at.filter(|&o| o > i).unwrap_or(text.len());
                text[i + len..end].trim().to_owned()
            })
        };
        let into = match section(into_at, "into".len(), using_at) {
            Some(list) => {
                let (strict, list) = match find_word(&list, "strict") {
                    Some(0) => (true, list["strict".len()..].trim().to_owned()),
                    _ => (false, list),
                };
                let names: Vec<String> = top_level_split(&list, ',')
                    .iter()
                    .map(
                        |n| match n.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
                            Some(quoted) => quoted.to_owned(),
                            None => n.to_ascii_lowercase(),
                        },
                    )
                    .collect();
                Some(Into {
                    target: self.target(&names)?,
                    strict,
                })
            }
            None => None,
        };
        let using = section(using_at, "using".len(), into_at)
            .map(|u| self.scope.select(&top_level_split(&u, ',')))
            .transpose()?;
        Ok(DoStep::Execute {
            sql: self.scope.select(&[text[..sql_end].trim().to_owned()])?,
            into,
            using,
        })
    }

    /// After GET: `[CURRENT | STACKED] DIAGNOSTICS v {= | :=} item [, ...];`.
    fn diagnostics_rest(&mut self) -> Result<DoStep, TranslateError> {
        let stacked = match self.word().as_deref() {
            Some("stacked") => {
                self.next();
                true
            }
            Some("current") => {
                self.next();
                false
            }
            _ => false,
        };
        self.expect_word("diagnostics")?;
        let mut items = Vec::new();
        loop {
            let name = self.name()?;
            let slot = self
                .scope
                .lookup(&name)
                .ok_or_else(|| other("42601", format!("\"{name}\" is not a known variable")))?;
            let slot = self.scope.assignable(slot)?;
            if !matches!(self.peek(), Some(Token::Assignment | Token::Eq)) {
                return Err(self.unexpected());
            }
            self.next();
            let item = self.word().unwrap_or_default();
            let what = match (stacked, item.as_str()) {
                (false, "row_count") => Diagnostic::RowCount,
                (true, "message_text") => Diagnostic::MessageText,
                (true, "returned_sqlstate") => Diagnostic::ReturnedSqlstate,
                (true, "pg_exception_detail") => Diagnostic::Detail,
                (true, "pg_exception_hint") => Diagnostic::Hint,
                _ => {
                    return Err(unsupported(format!(
                        "GET {}DIAGNOSTICS item {}",
                        if stacked { "STACKED " } else { "" },
                        item.to_ascii_uppercase()
                    )))
                }
            };
            self.next();
            items.push((slot, what));
            match self.peek() {
                Some(Token::Comma) => self.next(),
                Some(Token::SemiColon) => {
                    self.next();
                    return Ok(DoStep::Diagnostics(items));
                }
                _ => return Err(self.unexpected()),
            }
        }
    }

    /// After IF: `c THEN .. [ELSIF c THEN ..] [ELSE ..] END IF;`.
    fn if_rest(&mut self) -> Result<DoStep, TranslateError> {
        let mut arms = Vec::new();
        let mut otherwise = Vec::new();
        loop {
            let cond = self.text_until(&["then"])?;
            self.next();
            let body = self.statements()?;
            arms.push((self.scope.select(&[cond])?, body));
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
        self.expect_word("end")?;
        self.expect_word("if")?;
        self.expect_semicolon()?;
        Ok(DoStep::If { arms, otherwise })
    }

    /// After RAISE: `[level] 'format' [, expr ...] [USING option = expr,
    /// ...];`, `[level] condition_name | SQLSTATE 'code' [USING ...];`, or
    /// `RAISE;` (in a handler: the caught error again).
    fn raise_rest(&mut self) -> Result<DoStep, TranslateError> {
        if self.peek() == Some(&Token::SemiColon) {
            self.next();
            return Ok(DoStep::Reraise);
        }
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
        let default_code = super::super::plpgsql::compile::raise_default_code(&level);
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
        Ok(DoStep::Raise {
            fields: self.scope.select(&[message, detail, hint])?,
            code,
            level,
        })
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

/// `a .. b [BY s]` of an integer FOR loop: the three expressions (`s`
/// defaults to 1); `None` for a query.
fn range_bounds(text: &str) -> Option<(String, String, String)> {
    let (mut depth, mut quoted) = (0usize, false);
    let bytes = text.as_bytes();
    let mut at = None;
    for i in 0..bytes.len() {
        match bytes[i] {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => depth = depth.saturating_sub(1),
            b'.' if !quoted && depth == 0 && bytes.get(i + 1) == Some(&b'.') => {
                at = Some(i);
                break;
            }
            _ => {}
        }
    }
    let i = at?;
    let (lo, rest) = (text[..i].trim(), &text[i + 2..]);
    let (hi, step) = match find_word(rest, "by") {
        Some(b) => (rest[..b].trim(), rest[b + 2..].trim()),
        None => (rest.trim(), "1"),
    };
    Some((lo.to_owned(), hi.to_owned(), step.to_owned()))
}
