//! The SQL/JSON path language's grammar (PostgreSQL's jsonpath type): a
//! path text becomes a [`JsonPath`] tree, or a 42601 syntax error. The
//! operator precedence is PostgreSQL's: `||` < `&&` < `!` < comparisons <
//! `+ -` < `* / %` < unary minus < accessors.

use serde_json::Value as Json;

/// A parsed path: its mode and its expression.
#[derive(Debug, Clone)]
pub struct JsonPath {
    pub strict: bool,
    pub expr: Expr,
}

#[derive(Debug, Clone)]
pub enum Expr {
    /// `$`
    Root,
    /// `@`, the item a filter is testing.
    Current,
    /// `$name`, from the `vars` argument.
    Var(String),
    /// `last`, the last index of the array being subscripted.
    Last,
    Literal(Json),
    /// A primary followed by accessors and item methods.
    Chain(Box<Expr>, Vec<Step>),
    Arith(char, Box<Expr>, Box<Expr>),
    /// Unary `-` or `+`.
    Sign(bool, Box<Expr>),
    Compare(Cmp, Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Exists(Box<Expr>),
    IsUnknown(Box<Expr>),
    LikeRegex(Box<Expr>, regex::Regex),
    StartsWith(Box<Expr>, Box<Expr>),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Debug, Clone)]
pub enum Step {
    Key(String),
    AnyKey,
    AnyIndex,
    /// `[a, b to c]`: each subscript with its optional range end.
    Index(Vec<(Expr, Option<Expr>)>),
    /// `.**{first to last}`; `u32::MAX` stands for `last`.
    AnyLevel(u32, u32),
    Filter(Expr),
    Method(Method),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    Type,
    Size,
    Double,
    Abs,
    Floor,
    Ceiling,
    KeyValue,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Type => "type",
            Method::Size => "size",
            Method::Double => "double",
            Method::Abs => "abs",
            Method::Floor => "floor",
            Method::Ceiling => "ceiling",
            Method::KeyValue => "keyvalue",
        }
    }
}

impl Expr {
    /// Whether the expression is a predicate (a filter needs one).
    fn is_predicate(&self) -> bool {
        matches!(
            self,
            Expr::Compare(..)
                | Expr::And(..)
                | Expr::Or(..)
                | Expr::Not(..)
                | Expr::Exists(..)
                | Expr::IsUnknown(..)
                | Expr::LikeRegex(..)
                | Expr::StartsWith(..)
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Dollar,
    At,
    Var(String),
    Ident(String),
    Str(String),
    Num(String),
    /// Operators and punctuation.
    Sym(&'static str),
}

/// A syntax error: PostgreSQL's message shape, SQLSTATE 42601.
#[derive(Debug)]
pub struct SyntaxError(pub String);

fn near(tok: Option<&Tok>) -> SyntaxError {
    SyntaxError(match tok {
        None => "syntax error at end of jsonpath input".to_owned(),
        Some(t) => {
            let text = match t {
                Tok::Dollar => "$".to_owned(),
                Tok::At => "@".to_owned(),
                Tok::Var(v) => format!("${v}"),
                Tok::Ident(s) | Tok::Num(s) => s.clone(),
                Tok::Str(s) => format!("\"{s}\""),
                Tok::Sym(s) => (*s).to_owned(),
            };
            format!("syntax error at or near \"{text}\" of jsonpath input")
        }
    })
}

const SYMBOLS: [&str; 23] = [
    "**", "==", "!=", "<>", "<=", ">=", "&&", "||", "<", ">", "!", "=", ".", ",", "(", ")", "[",
    "]", "{", "}", "?", "+", "-",
];

fn lex(s: &str) -> Result<Vec<Tok>, SyntaxError> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'"' {
            let (text, end) = string(s, i + 1)?;
            out.push(Tok::Str(text));
            i = end;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                let mut j = i + 1;
                if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    while j < b.len() && b[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            // `1a`: PostgreSQL rejects trailing junk after a number.
            if i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
                return Err(SyntaxError(format!(
                    "trailing junk after numeric literal at or near \"{}\" of jsonpath input",
                    &s[start..=i]
                )));
            }
            out.push(Tok::Num(s[start..i].to_owned()));
            continue;
        }
        if c == b'$' {
            if b.get(i + 1) == Some(&b'"') {
                let (name, end) = string(s, i + 2)?;
                out.push(Tok::Var(name));
                i = end;
            } else {
                let end = ident_end(b, i + 1);
                if end > i + 1 {
                    out.push(Tok::Var(s[i + 1..end].to_owned()));
                } else {
                    out.push(Tok::Dollar);
                }
                i = end;
            }
            continue;
        }
        if c == b'@' {
            out.push(Tok::At);
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let end = ident_end(b, i);
            out.push(Tok::Ident(s[i..end].to_owned()));
            i = end;
            continue;
        }
        if c == b'*' {
            let two = b.get(i + 1) == Some(&b'*');
            out.push(Tok::Sym(if two { "**" } else { "*" }));
            i += if two { 2 } else { 1 };
            continue;
        }
        if c == b'/' || c == b'%' {
            out.push(Tok::Sym(if c == b'/' { "/" } else { "%" }));
            i += 1;
            continue;
        }
        match SYMBOLS.iter().find(|sym| s[i..].starts_with(*sym)) {
            Some(sym) => {
                out.push(Tok::Sym(sym));
                i += sym.len();
            }
            None => {
                let ch = s[i..].chars().next().unwrap_or(' ');
                return Err(SyntaxError(format!(
                    "syntax error at or near \"{ch}\" of jsonpath input"
                )));
            }
        }
    }
    Ok(out)
}

fn ident_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
        i += 1;
    }
    i
}

/// A double-quoted string from `start` (after the quote): its text and the
/// index after the closing quote.
fn string(s: &str, start: usize) -> Result<(String, usize), SyntaxError> {
    let mut out = String::new();
    let mut chars = s[start..].char_indices();
    let unterminated = || SyntaxError("unterminated quoted string in jsonpath input".to_owned());
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => return Ok((out, start + k + 1)),
            '\\' => {
                let (_, e) = chars.next().ok_or_else(unterminated)?;
                match e {
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\u{b}'),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .ok()
                            .filter(|_| hex.len() == 4)
                            .ok_or_else(|| {
                                SyntaxError("invalid Unicode escape sequence".to_owned())
                            })?;
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    other => out.push(other),
                }
            }
            c => out.push(c),
        }
    }
    Err(unterminated())
}

/// Parses a path text.
pub fn parse(text: &str) -> Result<JsonPath, SyntaxError> {
    let toks = lex(text)?;
    let mut p = Parser { toks, pos: 0 };
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
}

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

    fn or(&mut self) -> Result<Expr, SyntaxError> {
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
            let inner = self.not()?;
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
            return Ok(Expr::Sign(true, Box::new(self.unary()?)));
        }
        if self.eat_sym("+") {
            return Ok(Expr::Sign(false, Box::new(self.unary()?)));
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
/// `regex` crate; PostgreSQL's flags are i (case-insensitive), m (newline
/// sensitive: `.` stops at newlines, `^`/`$` match at lines; the default, and
/// s, is not), x (spaces ignored), q (literal).
fn regex(pattern: &str, flags: &str) -> Result<regex::Regex, SyntaxError> {
    if let Some(f) = flags.chars().find(|f| !"ismxq".contains(*f)) {
        return Err(SyntaxError(format!(
            "invalid input syntax for type jsonpath: unrecognized flag character \"{f}\" in LIKE_REGEX predicate"
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
        .dot_matches_new_line(!flags.contains('m'))
        .build()
        .map_err(|e| SyntaxError(format!("invalid regular expression: {e}")))
}
