//! `tsquery`: a tree of lexemes under `!`, `&`, `|` and the phrase operator
//! `<N>`. Built as PostgreSQL builds it (parse_tsquery): an operator-
//! precedence parse of the query syntax (`to_tsquery`, `::tsquery`), of a
//! web-search string (`websearch_to_tsquery`) or of plain text
//! (`plainto_tsquery`, `phraseto_tsquery`); each operand's text is run
//! through the configuration, stop words leave placeholders that widen the
//! phrase distance around them, and are then removed. Printed in
//! PostgreSQL's text form, with its parentheses.

use super::config::{self, Config, MAX_POS};
use super::vector::write_lexeme;

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Node {
    Val {
        lexeme: String,
        /// Bit 3 is weight A ... bit 0 is D; 0 means any.
        weights: u8,
        prefix: bool,
    },
    /// A stop word's place, removed once the query is built.
    Stop,
    Not(Box<Node>),
    And(Box<Node>, Box<Node>),
    Or(Box<Node>, Box<Node>),
    Phrase(Box<Node>, Box<Node>, u16),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Not,
    And,
    Or,
    Phrase,
}

fn priority(op: Op) -> u8 {
    match op {
        Op::Not => 4,
        Op::Phrase => 3,
        Op::And => 2,
        Op::Or => 1,
    }
}

/// A parsed query; `None` is the empty query (all stop words).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TsQuery(pub(super) Option<Node>);

/// How operand text becomes lexemes.
#[derive(Clone, Copy)]
pub(super) enum Operands {
    /// `'x'::tsquery`: the text is the lexeme, as written.
    Literal,
    /// Through a configuration; one operand's several lexemes are joined by
    /// the phrase operator (`to_tsquery`) or AND (`plainto_tsquery`).
    Morph(Config, Op2),
}

/// The operator joining one operand's lexemes.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Op2 {
    And,
    Phrase,
}

/// The query syntax of a string.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum Syntax {
    /// `fat & (rat | !cat) <-> dog:*`
    Standard,
    /// `"fat rat" or cat -dog`
    WebSearch,
    /// The whole text is one operand.
    Plain,
}

impl TsQuery {
    pub(super) fn parse(
        text: &str,
        syntax: Syntax,
        operands: Operands,
    ) -> rusqlite::Result<TsQuery> {
        let mut b = Builder {
            stack: Vec::new(),
            operands,
            lenient: syntax != Syntax::Standard,
            text,
        };
        match syntax {
            Syntax::Plain => b.value(text, 0, false)?,
            Syntax::Standard | Syntax::WebSearch => {
                let mut lexer = Lexer {
                    text,
                    rest: text,
                    waiting_operand: true,
                    count: 0,
                    web: syntax == Syntax::WebSearch,
                    in_quotes: false,
                };
                b.expression(&mut lexer, 0)?;
            }
        }
        let root = match b.stack.len() {
            0 => None,
            1 => b.stack.pop(),
            _ if b.lenient => {
                // Leftover operands (unbalanced web-search input): AND them.
                let mut it = b.stack.drain(..);
                let first = it.next();
                first.map(|f| it.fold(f, |l, r| Node::And(Box::new(l), Box::new(r))))
            }
            _ => return Err(syntax_error(text)),
        };
        Ok(TsQuery(root.and_then(|r| without_stops(r).0)))
    }

    /// The text form PostgreSQL prints (`''` for the empty query).
    pub(super) fn write(&self) -> String {
        let mut out = String::new();
        if let Some(root) = &self.0 {
            write_node(&mut out, root, 0, false);
        }
        out
    }

    /// `numnode(q)`.
    pub(super) fn node_count(&self) -> i64 {
        fn count(n: &Node) -> i64 {
            match n {
                Node::Val { .. } | Node::Stop => 1,
                Node::Not(c) => 1 + count(c),
                Node::And(l, r) | Node::Or(l, r) | Node::Phrase(l, r, _) => 1 + count(l) + count(r),
            }
        }
        self.0.as_ref().map_or(0, count)
    }
}

/// The query's operands in PostgreSQL's item order (an operator, then its
/// right operand, then its left), which decides ties between equal
/// operands in ts_headline and ts_rank_cd.
pub(super) fn operands(node: &Node) -> Vec<&Node> {
    fn walk<'q>(node: &'q Node, out: &mut Vec<&'q Node>) {
        match node {
            Node::Val { .. } => out.push(node),
            Node::Stop => {}
            Node::Not(c) => walk(c, out),
            Node::And(l, r) | Node::Or(l, r) | Node::Phrase(l, r, _) => {
                walk(r, out);
                walk(l, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(node, &mut out);
    out
}

fn syntax_error(text: &str) -> rusqlite::Error {
    super::super::error("42601", format!("syntax error in tsquery: \"{text}\""))
}

enum Token<'a> {
    Val(&'a str, u8, bool),
    Op(Op, u16),
    Open,
    Close,
    End,
}

struct Lexer<'a> {
    text: &'a str,
    rest: &'a str,
    waiting_operand: bool,
    count: usize,
    web: bool,
    in_quotes: bool,
}

fn is_operator_char(c: char) -> bool {
    matches!(c, '!' | '&' | '|' | '(' | ')' | '<')
}

impl<'a> Lexer<'a> {
    fn next(&mut self) -> rusqlite::Result<Token<'a>> {
        if self.web {
            return Ok(self.next_web());
        }
        self.rest = self.rest.trim_start();
        let Some(c) = self.rest.chars().next() else {
            return if self.waiting_operand && self.count > 0 {
                Err(super::super::error(
                    "42601",
                    format!("no operand in tsquery: \"{}\"", self.text),
                ))
            } else {
                Ok(Token::End)
            };
        };
        if self.waiting_operand {
            match c {
                '!' => {
                    self.rest = &self.rest[1..];
                    Ok(Token::Op(Op::Not, 0))
                }
                '(' => {
                    self.rest = &self.rest[1..];
                    Ok(Token::Open)
                }
                ':' | ')' | '&' | '|' | '<' => Err(syntax_error(self.text)),
                _ => {
                    let word =
                        self.word(|c| c.is_whitespace() || c == ':' || is_operator_char(c))?;
                    let (weights, prefix) = self.modifiers();
                    self.waiting_operand = false;
                    self.count += 1;
                    Ok(Token::Val(word, weights, prefix))
                }
            }
        } else {
            self.rest = &self.rest[c.len_utf8()..];
            self.waiting_operand = true;
            match c {
                '&' => Ok(Token::Op(Op::And, 0)),
                '|' => Ok(Token::Op(Op::Or, 0)),
                '<' => self.phrase_operator(),
                ')' => {
                    self.waiting_operand = false;
                    Ok(Token::Close)
                }
                _ => Err(syntax_error(self.text)),
            }
        }
    }

    /// An operand: quoted (`'a b'`, `''` is a quote) or up to `stop`.
    fn word(&mut self, stop: impl Fn(char) -> bool) -> rusqlite::Result<&'a str> {
        if let Some(inner) = self.rest.strip_prefix('\'') {
            // Quoted operands keep their text; quotes and backslashes
            // escape, which the caller's text never needs here.
            let mut end = 0;
            let bytes = inner.as_bytes();
            while end < bytes.len() {
                match bytes[end] {
                    b'\'' if bytes.get(end + 1) == Some(&b'\'') => end += 2,
                    b'\'' => break,
                    b'\\' => end += 2,
                    _ => end += 1,
                }
            }
            if end >= bytes.len() {
                return Err(syntax_error(self.text));
            }
            self.rest = &inner[end + 1..];
            return Ok(&inner[..end]);
        }
        let end = self.rest.find(&stop).unwrap_or(self.rest.len());
        let word = &self.rest[..end];
        self.rest = &self.rest[end..];
        Ok(word)
    }

    /// `:*`, `:AB`, `:*A` after an operand.
    fn modifiers(&mut self) -> (u8, bool) {
        let Some(after) = self.rest.strip_prefix(':') else {
            return (0, false);
        };
        let (mut weights, mut prefix) = (0u8, false);
        let end = after
            .find(|c: char| !"*ABCDabcd".contains(c))
            .unwrap_or(after.len());
        for c in after[..end].chars() {
            match c {
                '*' => prefix = true,
                w => weights |= 1 << super::vector::weight_code(w).unwrap_or(0),
            }
        }
        self.rest = &after[end..];
        (weights, prefix)
    }

    /// `<->` or `<N>`, after its `<`.
    fn phrase_operator(&mut self) -> rusqlite::Result<Token<'a>> {
        if let Some(rest) = self.rest.strip_prefix("->") {
            self.rest = rest;
            return Ok(Token::Op(Op::Phrase, 1));
        }
        let end = self
            .rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(self.rest.len());
        let distance: u32 = self.rest[..end]
            .parse()
            .map_err(|_| syntax_error(self.text))?;
        let rest = self.rest[end..]
            .strip_prefix('>')
            .ok_or_else(|| syntax_error(self.text))?;
        if distance > u32::from(MAX_POS) + 1 {
            return Err(super::super::error(
                "22023",
                "distance in phrase operator must be an integer value between zero and 16384 inclusive",
            ));
        }
        self.rest = rest;
        Ok(Token::Op(Op::Phrase, distance as u16))
    }

    /// websearch_to_tsquery's syntax, which accepts any input: quoted
    /// phrases, `-` for NOT, `or` for OR, AND between the rest.
    fn next_web(&mut self) -> Token<'a> {
        loop {
            let Some(c) = self.rest.chars().next() else {
                return Token::End;
            };
            if self.waiting_operand {
                if c == '-' {
                    self.rest = &self.rest[1..];
                    if !self.in_quotes {
                        return Token::Op(Op::Not, 0);
                    }
                    continue;
                }
                if c == '"' {
                    let inner = &self.rest[1..];
                    let end = inner.find('"').unwrap_or(inner.len());
                    self.rest = inner.get(end + 1..).unwrap_or("");
                    self.waiting_operand = false;
                    self.count += 1;
                    return Token::Val(&inner[..end], 0, false);
                }
                if c.is_whitespace() || is_operator_char(c) {
                    self.rest = &self.rest[c.len_utf8()..];
                    continue;
                }
                let end = self
                    .rest
                    .find(|c: char| c.is_whitespace() || c == '"' || is_operator_char(c))
                    .unwrap_or(self.rest.len());
                let word = &self.rest[..end];
                self.rest = &self.rest[end..];
                self.waiting_operand = false;
                self.count += 1;
                return Token::Val(word, 0, false);
            }
            if c == '"' {
                self.waiting_operand = true;
                return Token::Op(Op::And, 0);
            }
            if self.or_operator() {
                self.waiting_operand = true;
                return Token::Op(Op::Or, 0);
            }
            if !c.is_whitespace() {
                self.waiting_operand = true;
                return Token::Op(Op::And, 0);
            }
            self.rest = &self.rest[c.len_utf8()..];
        }
    }

    /// `or` as a word with an operand somewhere after it.
    fn or_operator(&mut self) -> bool {
        let Some(head) = self.rest.get(..2) else {
            return false;
        };
        if !head.eq_ignore_ascii_case("or") {
            return false;
        }
        let after = &self.rest[2..];
        let Some(next) = after.chars().next() else {
            return false;
        };
        if next == '-' || next == '_' || next.is_alphanumeric() {
            return false;
        }
        if after[next.len_utf8()..].trim_start().is_empty() {
            return false;
        }
        self.rest = after;
        true
    }
}

struct Builder<'t> {
    stack: Vec<Node>,
    operands: Operands,
    lenient: bool,
    text: &'t str,
}

impl Builder<'_> {
    /// One parenthesised level (PostgreSQL's makepol).
    fn expression(&mut self, lexer: &mut Lexer, depth: usize) -> rusqlite::Result<()> {
        if depth > 1000 {
            return Err(super::super::error("54001", "tsquery is too deeply nested"));
        }
        let mut ops: Vec<(Op, u16)> = Vec::new();
        loop {
            match lexer.next()? {
                Token::Val(text, weights, prefix) => self.value(text, weights, prefix)?,
                Token::Op(op, distance) => {
                    self.unwind(&mut ops, op)?;
                    ops.push((op, distance));
                }
                Token::Open => self.expression(lexer, depth + 1)?,
                Token::Close => {
                    if depth == 0 && !self.lenient {
                        return Err(syntax_error(self.text));
                    }
                    return self.unwind(&mut ops, Op::Or);
                }
                Token::End => {
                    if depth > 0 && !self.lenient {
                        return Err(syntax_error(self.text));
                    }
                    return self.unwind(&mut ops, Op::Or);
                }
            }
        }
    }

    /// Applies the stacked operators that bind at least as tightly as `op`
    /// (NOT is right-associative).
    fn unwind(&mut self, ops: &mut Vec<(Op, u16)>, op: Op) -> rusqlite::Result<()> {
        while let Some(&(top, distance)) = ops.last() {
            let stop = if op == Op::Not {
                priority(op) >= priority(top)
            } else {
                priority(op) > priority(top)
            };
            if stop {
                break;
            }
            ops.pop();
            self.apply(top, distance)?;
        }
        Ok(())
    }

    fn operand(&mut self) -> rusqlite::Result<Box<Node>> {
        match self.stack.pop() {
            Some(n) => Ok(Box::new(n)),
            None if self.lenient => Ok(Box::new(Node::Stop)),
            None => Err(syntax_error(self.text)),
        }
    }

    fn apply(&mut self, op: Op, distance: u16) -> rusqlite::Result<()> {
        let node = if op == Op::Not {
            Node::Not(self.operand()?)
        } else {
            let right = self.operand()?;
            let left = self.operand()?;
            match op {
                Op::And => Node::And(left, right),
                Op::Or => Node::Or(left, right),
                _ => Node::Phrase(left, right, distance),
            }
        };
        self.stack.push(node);
        Ok(())
    }

    /// One operand's text (PostgreSQL's pushval_morph for configurations).
    fn value(&mut self, text: &str, weights: u8, prefix: bool) -> rusqlite::Result<()> {
        let (config, join) = match self.operands {
            Operands::Literal => {
                let lexeme = unescape(text);
                if lexeme.is_empty() {
                    return Err(syntax_error(self.text));
                }
                self.stack.push(Node::Val {
                    lexeme,
                    weights,
                    prefix,
                });
                return Ok(());
            }
            Operands::Morph(config, join) => (config, join),
        };
        let words = config::parse(config, text);
        if words.is_empty() {
            self.stack.push(Node::Stop);
            return Ok(());
        }
        let op = if join == Op2::Phrase {
            Op::Phrase
        } else {
            Op::And
        };
        let (mut pos, mut count) = (0u16, 0usize);
        for w in words {
            if pos > 0 {
                while pos + 1 < w.pos {
                    self.stack.push(Node::Stop);
                    if count > 0 {
                        self.apply(op, 1)?;
                    }
                    count += 1;
                    pos += 1;
                }
            }
            pos = w.pos;
            self.stack.push(Node::Val {
                lexeme: w.lexeme,
                weights,
                prefix,
            });
            if count > 0 {
                self.apply(op, 1)?;
            }
            count += 1;
        }
        Ok(())
    }
}

/// A quoted operand's text without its escapes.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            '\'' => out.extend(chars.next()),
            c => out.push(c),
        }
    }
    out
}

/// The tree without its stop-word placeholders, and the phrase distance
/// each removed side leaves to its left and right (clean_stopword_intree).
fn without_stops(node: Node) -> (Option<Node>, u16, u16) {
    enum Bin {
        And,
        Or,
        Phrase(u16),
    }
    let (left, right, kind) = match node {
        Node::Val { .. } => return (Some(node), 0, 0),
        Node::Stop => return (None, 0, 0),
        Node::Not(child) => {
            let (child, l, r) = without_stops(*child);
            return (child.map(|c| Node::Not(Box::new(c))), l, r);
        }
        Node::And(l, r) => (l, r, Bin::And),
        Node::Or(l, r) => (l, r, Bin::Or),
        Node::Phrase(l, r, d) => (l, r, Bin::Phrase(d)),
    };
    let (left, lladd, lradd) = without_stops(*left);
    let (right, rladd, rradd) = without_stops(*right);
    let (phrase, nd) = match kind {
        Bin::Phrase(d) => (true, d),
        _ => (false, 0),
    };
    match (left, right) {
        (None, None) => {
            let add = if phrase {
                lladd + nd + rladd
            } else {
                lladd.max(rladd)
            };
            (None, add, add)
        }
        (None, Some(r)) => {
            let ladd = if phrase { lladd + nd + rladd } else { rladd };
            (Some(r), ladd, rradd)
        }
        (Some(l), None) => {
            let radd = if phrase { lradd + nd + rradd } else { lradd };
            (Some(l), lladd, radd)
        }
        (Some(l), Some(r)) => {
            let (l, r) = (Box::new(l), Box::new(r));
            match kind {
                Bin::And => (Some(Node::And(l, r)), 0, 0),
                Bin::Or => (Some(Node::Or(l, r)), 0, 0),
                Bin::Phrase(d) => (Some(Node::Phrase(l, r, d + lradd + rladd)), lladd, rradd),
            }
        }
    }
}

fn op_priority(node: &Node) -> u8 {
    match node {
        Node::Not(_) => 4,
        Node::Phrase(..) => 3,
        Node::And(..) => 2,
        Node::Or(..) => 1,
        Node::Val { .. } | Node::Stop => 5,
    }
}

/// PostgreSQL's infix printer: parentheses where a child binds more
/// loosely than its parent, and around a phrase on a phrase's right.
fn write_node(out: &mut String, node: &Node, parent: u8, right_of_phrase: bool) {
    match node {
        Node::Val {
            lexeme,
            weights,
            prefix,
        } => {
            write_lexeme(out, lexeme);
            if *weights != 0 || *prefix {
                out.push(':');
                if *prefix {
                    out.push('*');
                }
                for (bit, letter) in [(3, 'A'), (2, 'B'), (1, 'C'), (0, 'D')] {
                    if weights & (1 << bit) != 0 {
                        out.push(letter);
                    }
                }
            }
        }
        Node::Stop => {}
        Node::Not(child) => {
            let p = op_priority(node);
            if p < parent {
                out.push_str("( ");
            }
            out.push('!');
            write_node(out, child, p, false);
            if p < parent {
                out.push_str(" )");
            }
        }
        Node::And(l, r) | Node::Or(l, r) | Node::Phrase(l, r, _) => {
            let p = op_priority(node);
            let phrase = matches!(node, Node::Phrase(..));
            let parens = p < parent || (phrase && right_of_phrase);
            if parens {
                out.push_str("( ");
            }
            write_node(out, l, p, false);
            match node {
                Node::And(..) => out.push_str(" & "),
                Node::Or(..) => out.push_str(" | "),
                Node::Phrase(_, _, 1) => out.push_str(" <-> "),
                Node::Phrase(_, _, d) => {
                    out.push_str(" <");
                    out.push_str(itoa::Buffer::new().format(*d));
                    out.push_str("> ");
                }
                _ => {}
            }
            write_node(out, r, p, phrase);
            if parens {
                out.push_str(" )");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english(text: &str, syntax: Syntax, join: Op2) -> String {
        TsQuery::parse(text, syntax, Operands::Morph(Config::English, join))
            .unwrap()
            .write()
    }

    #[test]
    fn builds_as_postgres_does() {
        let std = |t| english(t, Syntax::Standard, Op2::Phrase);
        assert_eq!(
            std("fat & (rat | !cat) <-> dogs:*"),
            "'fat' & ( 'rat' | !'cat' ) <-> 'dog':*"
        );
        assert_eq!(std("fat <-> the <-> rat"), "'fat' <2> 'rat'");
        assert_eq!(std("well-known"), "'well-known' <-> 'well' <-> 'known'");
        assert_eq!(std("!(a & b) | c:*AB & d:A"), "!'b' | 'c':*AB & 'd':A");
        assert_eq!(std("the"), "");
        assert!(TsQuery::parse("fat rat", Syntax::Standard, Operands::Literal).is_err());
        assert_eq!(
            english("The fat rats of the city", Syntax::Plain, Op2::Phrase),
            "'fat' <-> 'rat' <3> 'citi'"
        );
        assert_eq!(
            english("well-known the cats", Syntax::Plain, Op2::And),
            "'well-known' & 'well' & 'known' & 'cat'"
        );
        assert_eq!(
            english("\"fat rat\" or cat -dog", Syntax::WebSearch, Op2::Phrase),
            "'fat' <-> 'rat' | 'cat' & !'dog'"
        );
        assert_eq!(
            english(
                "-the cat or or dog \"the\" \"a cat\" (x) a:*",
                Syntax::WebSearch,
                Op2::Phrase
            ),
            "'cat' | 'dog' & 'cat' & 'x'"
        );
        let simple = |t| {
            TsQuery::parse(
                t,
                Syntax::Standard,
                Operands::Morph(Config::Simple, Op2::Phrase),
            )
            .unwrap()
            .write()
        };
        assert_eq!(
            simple("a <2> (b | c) <-> d"),
            "'a' <2> ( 'b' | 'c' ) <-> 'd'"
        );
        assert_eq!(
            simple("(a <-> b) <-> (c <-> d)"),
            "'a' <-> 'b' <-> ( 'c' <-> 'd' )"
        );
    }
}
