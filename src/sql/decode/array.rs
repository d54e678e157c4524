//! Array parameters (PG literal `{1,"a b",NULL}` or binary array format)
//! to the JSON text arrays are stored as, and [`stored_json`], the one
//! reader of stored array values.

use std::borrow::Cow;

use rusqlite::types::Value;

use super::{binary, text, DecodeError};
use crate::sql::encode::json::write_string;
use crate::sql::encode::numeric::Numeric;
use crate::sql::pgtype::{ArrayElem, PgType};

const MAX_DIMS: usize = 6;

fn malformed(s: &str) -> DecodeError {
    DecodeError {
        code: "22P02",
        message: format!("malformed array literal: \"{s}\""),
    }
}

/// Appends one decoded element as JSON. json/jsonb elements are embedded
/// as JSON values; non-finite floats and numeric NaN become strings.
fn push_json(out: &mut String, v: Value, elem: ArrayElem) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Integer(i) if elem == ArrayElem::Bool => {
            out.push_str(if i != 0 { "true" } else { "false" })
        }
        Value::Integer(i) => out.push_str(itoa::Buffer::new().format(i)),
        // Plain digits: JSON allows exponents, but stored numerics stay exact text.
        Value::Real(f) if f.is_finite() && elem == ArrayElem::Numeric => {
            out.push_str(&Numeric::from_f64(f).to_text())
        }
        Value::Real(f) if f.is_finite() => out.push_str(ryu::Buffer::new().format_finite(f)),
        Value::Real(f) => write_string(
            out,
            if f.is_nan() {
                "NaN"
            } else if f > 0.0 {
                "Infinity"
            } else {
                "-Infinity"
            },
        ),
        Value::Text(t) => match elem {
            ArrayElem::Json | ArrayElem::Jsonb => out.push_str(&t),
            ArrayElem::Numeric if t != "NaN" => out.push_str(&t),
            _ => write_string(out, &t),
        },
        Value::Blob(b) => write_string(out, &String::from_utf8_lossy(&b)),
    }
}

/// A stored array value as JSON text. Arrays are stored as JSON, but a PG
/// array literal written straight into a column (`INSERT ... VALUES
/// ('{a,b}')`: the translator cannot see that the column is an array) stays
/// as written, so both are read here. `elem` decodes a literal's elements;
/// without it (SQL functions do not know the column's type) unquoted
/// numbers become JSON numbers and other elements strings.
pub(crate) fn stored_json(s: &str, elem: Option<ArrayElem>) -> Option<Cow<'_, str>> {
    let t = s.trim_start();
    // `[1:2]={a,b}` is a literal with bounds; other `[` text is JSON.
    let literal = t.starts_with('{')
        || t.starts_with('[') && t.contains("]=") && crate::sql::encode::json::parse(t).is_none();
    if !literal {
        return Some(Cow::Borrowed(s));
    }
    let json = match elem {
        Some(elem) => from_literal(s, elem).ok()?,
        None => untyped_literal(s)?,
    };
    Some(Cow::Owned(json))
}

fn untyped_literal(s: &str) -> Option<String> {
    let root = parse_literal(s).ok()?;
    let mut out = String::with_capacity(s.len() + 2);
    let untyped = |out: &mut String, t: String| -> Result<(), std::convert::Infallible> {
        match (t.parse::<i64>(), t.parse::<f64>()) {
            (Ok(i), _) => out.push_str(itoa::Buffer::new().format(i)),
            (_, Ok(f)) if f.is_finite() && !t.starts_with(['+', '.']) => {
                out.push_str(ryu::Buffer::new().format_finite(f))
            }
            _ => write_string(out, &t),
        }
        Ok(())
    };
    let Ok(()) = write_node(&mut out, root, &untyped);
    Some(out)
}

enum Node {
    Array(Vec<Node>),
    /// `None` is an unquoted NULL.
    Elem(Option<String>),
}

/// Parses `array_in` syntax into JSON text, decoding each element as `elem`.
pub(crate) fn from_literal(s: &str, elem: ArrayElem) -> Result<String, DecodeError> {
    let root = parse_literal(s)?;
    if !rectangular(&root) {
        return Err(DecodeError {
            code: "22P02",
            message: format!("malformed array literal: \"{s}\""),
        });
    }
    let mut out = String::with_capacity(s.len() + 2);
    let typed = |out: &mut String, t: String| -> Result<(), DecodeError> {
        push_json(out, text::decode(&t, elem.scalar())?, elem);
        Ok(())
    };
    write_node(&mut out, root, &typed)?;
    Ok(out)
}

/// Whether every sub-array of a level has the same length and depth
/// (PostgreSQL: "Multidimensional arrays must have sub-arrays with
/// matching dimensions").
fn rectangular(n: &Node) -> bool {
    fn shape(n: &Node, out: &mut Vec<usize>, depth: usize) -> bool {
        let Node::Array(items) = n else {
            return out.len() == depth;
        };
        match out.get(depth) {
            Some(&len) if len != items.len() => return false,
            Some(_) => {}
            None if depth == out.len() => out.push(items.len()),
            None => return false,
        }
        let nested = items.first().is_some_and(|i| matches!(i, Node::Array(_)));
        items
            .iter()
            .all(|i| matches!(i, Node::Array(_)) == nested && shape(i, out, depth + 1))
    }
    shape(n, &mut Vec::new(), 0)
}

fn parse_literal(s: &str) -> Result<Node, DecodeError> {
    let mut p = Literal {
        b: s.as_bytes(),
        i: 0,
        depth: 0,
    };
    p.ws();
    // Optional dimension decoration `[1:3]=`: bounds are not kept.
    if p.peek() == Some(b'[') {
        let eq = s.find('=').ok_or_else(|| malformed(s))?;
        p.i = eq + 1;
        p.ws();
    }
    if p.peek() != Some(b'{') {
        return Err(malformed(s));
    }
    p.i += 1;
    let root = p.array().ok_or_else(|| malformed(s))?;
    p.ws();
    if p.i != p.b.len() {
        return Err(malformed(s));
    }
    Ok(root)
}

/// Writes `n` as JSON arrays, each non-NULL element through `elem`.
fn write_node<E>(
    out: &mut String,
    n: Node,
    elem: &impl Fn(&mut String, String) -> Result<(), E>,
) -> Result<(), E> {
    match n {
        Node::Array(items) => {
            out.push('[');
            for (i, item) in items.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_node(out, item, elem)?;
            }
            out.push(']');
        }
        Node::Elem(None) => out.push_str("null"),
        Node::Elem(Some(t)) => elem(out, t)?,
    }
    Ok(())
}

struct Literal<'a> {
    b: &'a [u8],
    i: usize,
    depth: usize,
}

impl Literal<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            self.i += 1;
        }
    }

    /// The items of an array whose `{` was consumed, through its `}`.
    fn array(&mut self) -> Option<Node> {
        self.depth += 1;
        if self.depth > MAX_DIMS {
            return None;
        }
        let mut items = Vec::new();
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Some(Node::Array(items));
        }
        loop {
            self.ws();
            let item = match self.peek()? {
                b'{' => {
                    self.i += 1;
                    self.array()?
                }
                b'"' => {
                    self.i += 1;
                    Node::Elem(Some(self.quoted()?))
                }
                _ => self.unquoted()?,
            };
            items.push(item);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    self.depth -= 1;
                    return Some(Node::Array(items));
                }
                _ => return None,
            }
        }
    }

    fn quoted(&mut self) -> Option<String> {
        let mut out = Vec::new();
        loop {
            match self.peek()? {
                b'"' => {
                    self.i += 1;
                    return String::from_utf8(out).ok();
                }
                b'\\' => {
                    out.push(*self.b.get(self.i + 1)?);
                    self.i += 2;
                }
                c => {
                    out.push(c);
                    self.i += 1;
                }
            }
        }
    }

    fn unquoted(&mut self) -> Option<Node> {
        let mut out = Vec::new();
        let mut escaped = false;
        // Trailing whitespace is dropped unless it was backslash-escaped.
        let mut keep = 0;
        loop {
            match self.peek()? {
                b',' | b'}' => break,
                b'{' | b'"' => return None,
                b'\\' => {
                    out.push(*self.b.get(self.i + 1)?);
                    self.i += 2;
                    escaped = true;
                    keep = out.len();
                }
                c => {
                    out.push(c);
                    self.i += 1;
                    if !c.is_ascii_whitespace() {
                        keep = out.len();
                    }
                }
            }
        }
        out.truncate(keep);
        if out.is_empty() {
            return None;
        }
        if !escaped && out.eq_ignore_ascii_case(b"NULL") {
            return Some(Node::Elem(None));
        }
        String::from_utf8(out).ok().map(|s| Node::Elem(Some(s)))
    }
}

/// Parses `array_send` output into JSON text.
pub(super) fn from_binary(raw: &[u8], elem: ArrayElem) -> Result<String, DecodeError> {
    let mut r = Reader { raw, i: 0 };
    let ndim = r.i32()?;
    let _has_null = r.i32()?;
    let oid = r.i32()? as u32;
    if !(0..=MAX_DIMS as i32).contains(&ndim) {
        return Err(DecodeError::bad_binary());
    }
    // Decode by the element type the client sent when we know it.
    let elem_ty = match PgType::from_oid(oid) {
        Some(PgType::Array(_)) | None => elem.scalar(),
        Some(t) => t,
    };
    let mut dims = Vec::with_capacity(ndim as usize);
    let mut total: usize = 1;
    for _ in 0..ndim {
        let n = r.i32()?;
        let _lower_bound = r.i32()?;
        let n = usize::try_from(n).map_err(|_| DecodeError::bad_binary())?;
        total = total.checked_mul(n).ok_or_else(DecodeError::bad_binary)?;
        dims.push(n);
    }
    // Like array_recv: no elements (no dimensions, or any dimension of
    // length 0) is the empty array, whatever the other lengths claim.
    if ndim == 0 || total == 0 {
        total = 0;
        dims.clear();
    }
    // Every element takes at least its 4-byte length.
    if total > raw.len() / 4 {
        return Err(DecodeError::short());
    }
    let mut elems = Vec::with_capacity(total);
    for _ in 0..total {
        let len = r.i32()?;
        let mut s = String::new();
        if len < 0 {
            s.push_str("null");
        } else {
            let bytes = r.take(len as usize)?;
            push_json(&mut s, binary::decode(bytes, elem_ty)?, elem);
        }
        elems.push(s);
    }
    if r.i != raw.len() {
        return Err(DecodeError::bad_binary());
    }
    let mut out = String::new();
    let mut it = elems.into_iter();
    if dims.is_empty() {
        out.push_str("[]");
    } else {
        nest(&mut out, &dims, &mut it);
    }
    Ok(out)
}

fn nest(out: &mut String, dims: &[usize], it: &mut impl Iterator<Item = String>) {
    out.push('[');
    for i in 0..dims[0] {
        if i > 0 {
            out.push(',');
        }
        if dims.len() > 1 {
            nest(out, &dims[1..], it);
        } else if let Some(e) = it.next() {
            out.push_str(&e);
        }
    }
    out.push(']');
}

struct Reader<'a> {
    raw: &'a [u8],
    i: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let end = self.i.checked_add(n).filter(|&e| e <= self.raw.len());
        let end = end.ok_or_else(DecodeError::short)?;
        let s = &self.raw[self.i..end];
        self.i = end;
        Ok(s)
    }

    fn i32(&mut self) -> Result<i32, DecodeError> {
        let b = self.take(4)?;
        Ok(i32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }
}
