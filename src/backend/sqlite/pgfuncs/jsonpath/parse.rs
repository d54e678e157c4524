//! The SQL/JSON path language's grammar (PostgreSQL's jsonpath type): a
//! path text becomes a [`JsonPath`] tree, or a 42601 syntax error. The
//! operator precedence is PostgreSQL's: `||` < `&&` < `!` < comparisons <
//! `+ -` < `* / %` < unary minus < accessors.

use super::ast::{Cmp, Expr, JsonPath, Method, Step};
use super::lex::{lex, near, SyntaxError, Tok};
use serde_json::Value as Json;

/// Parses a path text.
pub fn parse(text: &str) -> Result<JsonPath, SyntaxError> {
    let toks = lex(text)?;
    if toks.len() > MAX_TOKENS {
        return Err(SyntaxError(format!(
            "more than {MAX_TOKENS} tokens of jsonpath input"
        )));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
    };
    let strict = match p.peek() {
        Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("strict") => {
            p.pos += 1;
            true
        }
        Some(Tok::Ident(w)) if w.eq_ignore_ascii_case("lax") => {
            p.pos += 1;
            false
        }
        _ => false,
    };
    let expr = p.or()?;
    if p.pos < p.toks.len() {
        return Err(near(p.peek()));
    }
    check_context(&expr, false, false)?;
    Ok(JsonPath { strict, expr })
}

/// `@` only inside filters, `last` only inside subscripts.
fn check_context(e: &Expr, in_filter: bool, in_subscript: bool) -> Result<(), SyntaxError> {
    let go = |x: &Expr| check_context(x, in_filter, in_subscript);
    match e {
        Expr::Current if !in_filter => Err(SyntaxError(
            "@ is not allowed in root expressions".to_owned(),
        )),
        Expr::Last if !in_subscript => Err(SyntaxError(
            "LAST is allowed only in array subscripts".to_owned(),
        )),
        Expr::Chain(base, steps) => {
            go(base)?;
            for s in steps {
                match s {
                    Step::Filter(f) => check_context(f, true, in_subscript)?,
                    Step::Index(subs) => {
                        for (a, b) in subs {
                            check_context(a, in_filter, true)?;
                            if let Some(b) = b {
                                check_context(b, in_filter, true)?;
                            }
                        }
                    }
                    _ => {}
                }
            }
            Ok(())
        }
        Expr::Arith(_, a, b)
        | Expr::Compare(_, a, b)
        | Expr::And(a, b)
        | Expr::Or(a, b)
        | Expr::StartsWith(a, b) => go(a).and_then(|()| go(b)),
        Expr::Sign(_, a)
        | Expr::Not(a)
        | Expr::Exists(a)
        | Expr::IsUnknown(a)
        | Expr::LikeRegex(a, _) => go(a),
        _ => Ok(()),
    }
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    /// Parentheses, filters, subscripts and prefix operators entered.
    depth: usize,
}

/// Bounds on a path: the parser and the evaluator recurse once per level of
/// nesting and per operator of a chain (`1 + 1 + ...`), on the connection
/// thread's stack.
const MAX_DEPTH: usize = 100;
const MAX_TOKENS: usize = 2_000;

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn eat_sym(&mut self, sym: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(s)) if *s == sym) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_word(&mut self, word: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Ident(w)) if w.eq_ignore_ascii_case(word)) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_sym(&mut self, sym: &str) -> Result<(), SyntaxError> {
        if self.eat_sym(sym) {
            Ok(())
        } else {
            Err(near(self.peek()))
        }
    }

    /// One level deeper, within [`MAX_DEPTH`].
    fn nested<T>(
        &mut self,
        f: impl FnOnce(&mut Self) -> Result<T, SyntaxError>,
    ) -> Result<T, SyntaxError> {
        if self.depth >= MAX_DEPTH {
            return Err(SyntaxError(format!(
                "nesting deeper than {MAX_DEPTH} levels of jsonpath input"
            )));
        }
        self.depth += 1;
        let r = f(self);
        self.depth -= 1;
        r
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        self.nested(Self::or_chain)
    }

    fn or_chain(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.and()?;
        while self.eat_sym("||") {
            let right = self.and()?;
            left = Expr::Or(
                Box::new(predicate(left, self)?),
                Box::new(predicate(right, self)?),
            );
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.not()?;
        while self.eat_sym("&&") {
            let right = self.not()?;
            left = Expr::And(
                Box::new(predicate(left, self)?),
                Box::new(predicate(right, self)?),
            );
        }
        Ok(left)
    }

    fn not(&mut self) -> Result<Expr, SyntaxError> {
        if self.eat_sym("!") {
            let inner = self.nested(Self::not)?;
            return Ok(Expr::Not(Box::new(predicate(inner, self)?)));
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let left = self.additive()?;
        let cmp = match self.peek() {
            Some(Tok::Sym("==")) => Some(Cmp::Eq),
            Some(Tok::Sym("!=" | "<>")) => Some(Cmp::Ne),
            Some(Tok::Sym("<")) => Some(Cmp::Lt),
            Some(Tok::Sym("<=")) => Some(Cmp::Le),
            Some(Tok::Sym(">")) => Some(Cmp::Gt),
            Some(Tok::Sym(">=")) => Some(Cmp::Ge),
            _ => None,
        };
        if let Some(cmp) = cmp {
            self.pos += 1;
            let right = self.additive()?;
            return Ok(Expr::Compare(cmp, Box::new(left), Box::new(right)));
        }
        if self.eat_word("like_regex") {
            let Some(Tok::Str(pattern)) = self.peek().cloned() else {
                return Err(near(self.peek()));
            };
            self.pos += 1;
            let mut flags = String::new();
            if self.eat_word("flag") {
                let Some(Tok::Str(f)) = self.peek().cloned() else {
                    return Err(near(self.peek()));
                };
                self.pos += 1;
                flags = f;
            }
            return Ok(Expr::LikeRegex(Box::new(left), regex(&pattern, &flags)?));
        }
        if self.eat_word("starts") {
            if !self.eat_word("with") {
                return Err(near(self.peek()));
            }
            let prefix = match self.peek().cloned() {
                Some(Tok::Str(s)) => Expr::Literal(Json::String(s)),
                Some(Tok::Var(v)) => Expr::Var(v),
                other => return Err(near(other.as_ref())),
            };
            self.pos += 1;
            return Ok(Expr::StartsWith(Box::new(left), Box::new(prefix)));
        }
        Ok(left)
    }

    fn additive(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.multiplicative()?;
        loop {
            let op = if self.eat_sym("+") {
                '+'
            } else if self.eat_sym("-") {
                '-'
            } else {
                return Ok(left);
            };
            let right = self.multiplicative()?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.unary()?;
        loop {
            let op = if self.eat_sym("*") {
                '*'
            } else if self.eat_sym("/") {
                '/'
            } else if self.eat_sym("%") {
                '%'
            } else {
                return Ok(left);
            };
            let right = self.unary()?;
            left = Expr::Arith(op, Box::new(left), Box::new(right));
        }
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        if self.eat_sym("-") {
            return Ok(Expr::Sign(true, Box::new(self.nested(Self::unary)?)));
        }
        if self.eat_sym("+") {
            return Ok(Expr::Sign(false, Box::new(self.nested(Self::unary)?)));
        }
        self.accessors()
    }

    fn accessors(&mut self) -> Result<Expr, SyntaxError> {
        let base = self.primary()?;
        let mut steps = Vec::new();
        loop {
            if self.eat_sym(".") {
                steps.push(self.dot_step()?);
            } else if self.eat_sym("[") {
                steps.push(self.subscripts()?);
            } else if self.eat_sym("?") {
                self.expect_sym("(")?;
                let filter = self.or()?;
                self.expect_sym(")")?;
                steps.push(Step::Filter(predicate(filter, self)?));
            } else {
                break;
            }
        }
        // `(predicate) is unknown`
        if let Expr::Exists(_) | Expr::Compare(..) | Expr::And(..) | Expr::Or(..) | Expr::Not(_) =
            &base
        {
            if steps.is_empty() && self.eat_word("is") {
                if !self.eat_word("unknown") {
                    return Err(near(self.peek()));
                }
                return Ok(Expr::IsUnknown(Box::new(base)));
            }
        }
        Ok(if steps.is_empty() {
            base
        } else {
            Expr::Chain(Box::new(base), steps)
        })
    }

    fn dot_step(&mut self) -> Result<Step, SyntaxError> {
        let tok = self.peek().cloned();
        self.pos += 1;
        Ok(match tok {
            Some(Tok::Sym("*")) => Step::AnyKey,
            Some(Tok::Sym("**")) => {
                if self.eat_sym("{") {
                    let first = self.level()?;
                    let last = if self.eat_word("to") {
                        self.level()?
                    } else {
                        first
                    };
                    self.expect_sym("}")?;
                    Step::AnyLevel(first, last)
                } else {
                    Step::AnyLevel(0, u32::MAX)
                }
            }
            Some(Tok::Str(key)) => Step::Key(key),
            Some(Tok::Ident(name)) => {
                if self.eat_sym("(") {
                    self.expect_sym(")")?;
                    let method = match name.as_str() {
                        "type" => Method::Type,
                        "size" => Method::Size,
                        "double" => Method::Double,
                        "abs" => Method::Abs,
                        "floor" => Method::Floor,
                        "ceiling" => Method::Ceiling,
                        "keyvalue" => Method::KeyValue,
                        _ => return Err(near(Some(&Tok::Ident(name)))),
                    };
                    Step::Method(method)
                } else {
                    Step::Key(name)
                }
            }
            other => return Err(near(other.as_ref())),
        })
    }

    fn level(&mut self) -> Result<u32, SyntaxError> {
        if self.eat_word("last") {
            return Ok(u32::MAX);
        }
        match self.peek().cloned() {
            Some(Tok::Num(n)) => {
                self.pos += 1;
                n.parse().map_err(|_| near(Some(&Tok::Num(n))))
            }
            other => Err(near(other.as_ref())),
        }
    }

    fn subscripts(&mut self) -> Result<Step, SyntaxError> {
        if matches!(self.peek(), Some(Tok::Sym("*"))) {
            self.pos += 1;
            self.expect_sym("]")?;
            return Ok(Step::AnyIndex);
        }
        let mut subs = Vec::new();
        loop {
            let from = self.or()?;
            let to = if self.eat_word("to") {
                Some(self.or()?)
            } else {
                None
            };
            subs.push((from, to));
            if self.eat_sym("]") {
                return Ok(Step::Index(subs));
            }
            self.expect_sym(",")?;
        }
    }

    fn primary(&mut self) -> Result<Expr, SyntaxError> {
        let tok = self.peek().cloned();
        self.pos += 1;
        Ok(match tok {
            Some(Tok::Dollar) => Expr::Root,
            Some(Tok::At) => Expr::Current,
            Some(Tok::Var(v)) => Expr::Var(v),
            Some(Tok::Str(s)) => Expr::Literal(Json::String(s)),
            Some(Tok::Num(n)) => Expr::Literal(number(&n).ok_or_else(|| near(Some(&Tok::Num(n))))?),
            Some(Tok::Sym("(")) => {
                let inner = self.or()?;
                self.expect_sym(")")?;
                inner
            }
            Some(Tok::Ident(w)) => match w.as_str() {
                "true" => Expr::Literal(Json::Bool(true)),
                "false" => Expr::Literal(Json::Bool(false)),
                "null" => Expr::Literal(Json::Null),
                "last" => Expr::Last,
                "exists" => {
                    self.expect_sym("(")?;
                    let inner = self.or()?;
                    self.expect_sym(")")?;
                    Expr::Exists(Box::new(inner))
                }
                _ => return Err(near(Some(&Tok::Ident(w)))),
            },
            other => {
                self.pos -= 1;
                return Err(near(other.as_ref()));
            }
        })
    }
}

/// A filter or boolean operator's operand must be a predicate.
fn predicate(e: Expr, p: &Parser) -> Result<Expr, SyntaxError> {
    if e.is_predicate() {
        Ok(e)
    } else {
        Err(near(p.toks.get(p.pos.saturating_sub(1))))
    }
}

/// A numeric literal: integers stay integers.
pub fn number(n: &str) -> Option<Json> {
    if let Ok(i) = n.parse::<i64>() {
        return Some(Json::from(i));
    }
    n.parse::<f64>()
        .ok()
        .and_then(serde_json::Number::from_f64)
        .map(Json::Number)
}

/// `like_regex` patterns are POSIX regular expressions, read here by the
/// `regex` crate; the flags are XQuery's: i (case-insensitive), s (`.`
/// matches a newline too), m (`^`/`$` match at lines), x (spaces ignored),
/// q (the pattern is literal text).
fn regex(pattern: &str, flags: &str) -> Result<regex::Regex, SyntaxError> {
    if let Some(f) = flags.chars().find(|f| !"ismxq".contains(*f)) {
        return Err(SyntaxError(format!(
            "unrecognized flag character \"{f}\" in LIKE_REGEX predicate of jsonpath input"
        )));
    }
    let pattern = if flags.contains('q') {
        regex::escape(pattern)
    } else {
        pattern.to_owned()
    };
    regex::RegexBuilder::new(&pattern)
        .case_insensitive(flags.contains('i'))
        .multi_line(flags.contains('m'))
        .ignore_whitespace(flags.contains('x'))
        .dot_matches_new_line(flags.contains('s'))
        .build()
        .map_err(|e| SyntaxError(format!("invalid regular expression: {e}")))
}
