//! A small JSON reader that keeps numbers as their source text, so numeric
//! array elements and jsonb numbers stay exact (serde_json's `Value` would
//! round them through f64), plus jsonb's canonical printer.

use std::borrow::Cow;

use super::numeric::Numeric;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Json<'a> {
    Null,
    Bool(bool),
    /// The number's source text, already validated as a JSON number.
    Number(&'a str),
    String(Cow<'a, str>),
    Array(Vec<Json<'a>>),
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

/// Parses one JSON document (surrounding whitespace allowed).
pub(crate) fn parse(s: &str) -> Option<Json<'_>> {
    let mut p = Parser { s, i: 0, depth: 0 };
    let v = p.value()?;
    p.ws();
    (p.i == s.len()).then_some(v)
}

struct Parser<'a> {
    s: &'a str,
    i: usize,
    depth: u32,
}

/// Guards the recursion against hostile nesting.
const MAX_DEPTH: u32 = 512;

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.as_bytes().get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn lit(&mut self, word: &str) -> Option<()> {
        self.s[self.i..]
            .starts_with(word)
            .then(|| self.i += word.len())
    }

    fn value(&mut self) -> Option<Json<'a>> {
        self.ws();
        match self.peek()? {
            b'n' => self.lit("null").map(|_| Json::Null),
            b't' => self.lit("true").map(|_| Json::Bool(true)),
            b'f' => self.lit("false").map(|_| Json::Bool(false)),
            b'"' => self.string().map(Json::String),
            b'[' => self.nested(|p| {
                let mut items = Vec::new();
                p.seq(b']', |p| {
                    items.push(p.value()?);
                    Some(())
                })?;
                Some(Json::Array(items))
            }),
            b'{' => self.nested(|p| {
                let mut members = Vec::new();
                p.seq(b'}', |p| {
                    p.ws();
                    let k = p.string()?;
                    p.ws();
                    (p.peek()? == b':').then(|| p.i += 1)?;
                    members.push((k, p.value()?));
                    Some(())
                })?;
                Some(Json::Object(members))
            }),
            b'-' | b'0'..=b'9' => self.number().map(Json::Number),
            _ => None,
        }
    }

    fn nested(&mut self, f: impl FnOnce(&mut Self) -> Option<Json<'a>>) -> Option<Json<'a>> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        self.i += 1;
        let v = f(self);
        self.depth -= 1;
        v
    }

    /// Comma-separated items up to `close`, the opener already consumed.
    fn seq(&mut self, close: u8, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.ws();
        if self.peek()? == close {
            self.i += 1;
            return Some(());
        }
        loop {
            item(self)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                c if c == close => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    fn number(&mut self) -> Option<&'a str> {
        let start = self.i;
        let b = self.s.as_bytes();
        let digits = |i: &mut usize| {
            let s = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > s
        };
        let mut i = self.i;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        if b.get(i) == Some(&b'0') {
            i += 1;
        } else if !digits(&mut i) {
            return None;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                return None;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digits(&mut i) {
                return None;
            }
        }
        self.i = i;
        Some(&self.s[start..i])
    }

    fn string(&mut self) -> Option<Cow<'a, str>> {
        if self.peek()? != b'"' {
            return None;
        }
        self.i += 1;
        let start = self.i;
        let b = self.s.as_bytes();
        // Fast path: no escapes, borrow the source.
        while let Some(&c) = b.get(self.i) {
            match c {
                b'"' => {
                    self.i += 1;
                    return Some(Cow::Borrowed(&self.s[start..self.i - 1]));
                }
                b'\\' => break,
                0..=0x1f => return None,
                _ => self.i += 1,
            }
        }
        let mut out = String::from(&self.s[start..self.i]);
        loop {
            let c = *b.get(self.i)?;
            self.i += 1;
            match c {
                b'"' => return Some(Cow::Owned(out)),
                b'\\' => {
                    let e = *b.get(self.i)?;
                    self.i += 1;
                    out.push(match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => self.unicode_escape()?,
                        _ => return None,
                    });
                }
                0..=0x1f => return None,
                _ => {
                    // Copy the whole UTF-8 sequence starting here.
                    let start = self.i - 1;
                    let ch = self.s[start..].chars().next()?;
                    out.push(ch);
                    self.i = start + ch.len_utf8();
                }
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let h = self.s.get(self.i..self.i + 4)?;
        self.i += 4;
        u32::from_str_radix(h, 16).ok()
    }

    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if (0xD800..0xDC00).contains(&hi) {
            self.lit("\\u")?;
            let lo = self.hex4()?;
            if !(0xDC00..0xE000).contains(&lo) {
                return None;
            }
            return char::from_u32(0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00));
        }
        // PG rejects \u0000 in jsonb; a lone surrogate is invalid anyway.
        char::from_u32(hi).filter(|&c| c != '\0')
    }
}

/// Appends `s` as a JSON string literal, escaping like PG's `escape_json`.
pub(crate) fn write_string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                out.push_str(&format!("\\u{:04x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Prints as jsonb does: `", "` and `": "` separators, object keys sorted
/// by length then bytes with the last duplicate winning, numbers through
/// `numeric` (`1e2` -> `100`).
pub(crate) fn write_jsonb(out: &mut String, v: &Json<'_>) {
    match v {
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_jsonb(out, item);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (k, val)) in jsonb_members(members).into_iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_string(out, k);
                out.push_str(": ");
                write_jsonb(out, val);
            }
            out.push('}');
        }
        other => write_compact(out, other),
    }
}

type Member<'j, 'a> = (&'j Cow<'a, str>, &'j Json<'a>);

/// An object's members in jsonb order: sorted by key length then bytes, the
/// last of duplicate keys winning.
fn jsonb_members<'j, 'a>(members: &'j [(Cow<'a, str>, Json<'a>)]) -> Vec<Member<'j, 'a>> {
    // Stable sort keeps source order among equal keys.
    let mut sorted: Vec<Member<'j, 'a>> = members.iter().map(|(k, v)| (k, v)).collect();
    sorted.sort_by(|a, b| (a.0.len(), a.0.as_bytes()).cmp(&(b.0.len(), b.0.as_bytes())));
    let mut out: Vec<Member<'j, 'a>> = Vec::with_capacity(sorted.len());
    for m in sorted {
        match out.last_mut() {
            Some(last) if last.0 == m.0 => *last = m,
            _ => out.push(m),
        }
    }
    out
}

/// `jsonb_pretty`: one member or element per line, four spaces per level.
pub(crate) fn write_jsonb_pretty(out: &mut String, v: &Json<'_>, depth: usize) {
    let pad = |out: &mut String, depth: usize| out.extend(std::iter::repeat_n("    ", depth));
    let (open, close, items): (char, char, Vec<(Option<&str>, &Json<'_>)>) = match v {
        Json::Array(items) => ('[', ']', items.iter().map(|i| (None, i)).collect()),
        Json::Object(members) => (
            '{',
            '}',
            jsonb_members(members)
                .into_iter()
                .map(|(k, v)| (Some(k.as_ref()), v))
                .collect(),
        ),
        other => return write_compact(out, other),
    };
    out.push(open);
    out.push('\n');
    for (i, (key, item)) in items.iter().enumerate() {
        pad(out, depth + 1);
        if let Some(k) = key {
            write_string(out, k);
            out.push_str(": ");
        }
        write_jsonb_pretty(out, item, depth + 1);
        if i + 1 < items.len() {
            out.push(',');
        }
        out.push('\n');
    }
    pad(out, depth);
    out.push(close);
}

/// Compact JSON with numbers normalized like jsonb (used for scalars and
/// for json values nested inside a stored array).
pub(crate) fn write_compact(out: &mut String, v: &Json<'_>) {
    match v {
        Json::Null => out.push_str("null"),
        Json::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Json::Number(n) => match Numeric::parse(n) {
            Some(num) => out.push_str(&num.to_text()),
            None => out.push_str(n),
        },
        Json::String(s) => write_string(out, s),
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_compact(out, item);
            }
            out.push(']');
        }
        Json::Object(members) => {
            out.push('{');
            for (i, (k, val)) in members.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, k);
                out.push(':');
                write_compact(out, val);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jsonb(s: &str) -> String {
        let mut out = String::new();
        write_jsonb(&mut out, &parse(s).unwrap());
        out
    }

    #[test]
    fn jsonb_matches_pg15() {
        // PostgreSQL 15 printed this for the same input cast to jsonb.
        assert_eq!(
            jsonb(
                r#"{"b": [1, 2.50, 1e2, -0, 1E-2, -0.0], "a": "x\u00e9\n", "aa":null, "a": true}"#
            ),
            r#"{"a": true, "b": [1, 2.50, 100, 0, 0.01, 0.0], "aa": null}"#
        );
        assert_eq!(
            jsonb(r#" {"k":"\u00e9\t\"\ud83d\ude00"} "#),
            "{\"k\": \"é\\t\\\"😀\"}"
        );
        assert_eq!(jsonb("[]"), "[]");
        assert_eq!(jsonb("{}"), "{}");
        assert_eq!(jsonb("\"x\""), "\"x\"");
    }

    #[test]
    fn rejects_invalid() {
        for bad in [
            "",
            "[1,]",
            "{\"a\"}",
            "01",
            "1.",
            "tru",
            "[1] x",
            "\"\\u0000\"",
            "\"a\nb\"",
        ] {
            assert!(parse(bad).is_none(), "{bad:?}");
        }
        let deep = "[".repeat(1000) + &"]".repeat(1000);
        assert!(parse(&deep).is_none());
    }
}
