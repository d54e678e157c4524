//! Arrays, stored as JSON text (`[1,null,3]`, nested for more dimensions),
//! sent as PG array literals (`{1,NULL,3}`) or PG's binary array format.

use std::borrow::Cow;

use bytes::{BufMut, BytesMut};
use rusqlite::types::ValueRef;

use super::json::{self, Json};
use super::numeric::Numeric;
use super::{binary, text, EncodeError};
use crate::sql::decode::array::stored_json;
use crate::sql::pgtype::ArrayElem;

/// PG's MAXDIM.
const MAX_DIMS: usize = 6;

/// One element, in the storage class it would have as a scalar column.
enum Elem<'a> {
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
}

impl Elem<'_> {
    fn as_value(&self) -> ValueRef<'_> {
        match self {
            Elem::Int(i) => ValueRef::Integer(*i),
            Elem::Real(f) => ValueRef::Real(*f),
            Elem::Text(t) => ValueRef::Text(t.as_bytes()),
        }
    }
}

/// JSON containers are element values for json/jsonb arrays, dimensions
/// for every other element type.
fn nests(elem: ArrayElem) -> bool {
    !matches!(elem, ArrayElem::Json | ArrayElem::Jsonb)
}

/// Maps a non-null JSON element to the value a scalar column would hold;
/// a numeric element takes `scale` (a result column's display scale, see
/// `super::encode_numeric_scaled`) where one is known.
fn elem_of<'a>(j: &Json<'a>, elem: ArrayElem, scale: Option<u16>) -> Elem<'a> {
    match j {
        Json::Bool(b) if elem == ArrayElem::Bool => Elem::Int(*b as i64),
        Json::Bool(b) => Elem::Text(Cow::Borrowed(if *b { "true" } else { "false" })),
        Json::Number(n) => match elem {
            ArrayElem::Numeric => Elem::Text(match Numeric::parse(n) {
                Some(num) => Cow::Owned(scaled(num, scale).to_text()),
                None => Cow::Borrowed(*n),
            }),
            ArrayElem::Text
            | ArrayElem::Name
            | ArrayElem::Varchar
            | ArrayElem::Json
            | ArrayElem::Jsonb => Elem::Text(Cow::Borrowed(*n)),
            _ => match (n.parse::<i64>(), n.parse::<f64>()) {
                (Ok(i), _) => Elem::Int(i),
                (_, Ok(f)) => Elem::Real(f),
                _ => Elem::Text(Cow::Borrowed(*n)),
            },
        },
        Json::String(s) => Elem::Text(s.clone()),
        Json::Null => Elem::Text(Cow::Borrowed("null")),
        Json::Array(_) | Json::Object(_) => {
            let mut s = String::new();
            json::write_compact(&mut s, j);
            Elem::Text(Cow::Owned(s))
        }
    }
}

fn scaled(num: Numeric, scale: Option<u16>) -> Numeric {
    match scale {
        None => num,
        Some(s) if s & super::SCALE_AT_LEAST != 0 => num.with_min_scale(usize::from(
            s & !(super::SCALE_AT_LEAST | super::SCALE_ZERO_PLAIN),
        )),
        Some(s) => num.with_scale(usize::from(s & !super::SCALE_ZERO_PLAIN)),
    }
}

/// Writes the stored JSON array `s` as a PG array literal. Returns false,
/// writing nothing, if `s` is not a JSON array.
pub(super) fn write_text(out: &mut BytesMut, s: &str, elem: ArrayElem, scale: Option<u16>) -> bool {
    let Some(s) = stored_json(s, Some(elem)) else {
        return false;
    };
    match json::parse(&s) {
        Some(j @ Json::Array(_)) => {
            let mut scratch = BytesMut::new();
            write_literal(out, &j, elem, scale, &mut scratch);
            true
        }
        _ => false,
    }
}

/// The stored JSON array `s` as PostgreSQL's array text (`{1,2}`), what
/// a cast to text gives; `None` when `s` is not a JSON array.
pub(crate) fn array_text(s: &str, elem: ArrayElem) -> Option<String> {
    let mut out = BytesMut::new();
    write_text(&mut out, s, elem, None).then(|| String::from_utf8_lossy(&out).into_owned())
}

fn write_literal(
    out: &mut BytesMut,
    j: &Json<'_>,
    elem: ArrayElem,
    scale: Option<u16>,
    scratch: &mut BytesMut,
) {
    if let Json::Array(items) = j {
        out.put_u8(b'{');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.put_u8(b',');
            }
            match item {
                Json::Null => out.put_slice(b"NULL"),
                Json::Array(_) if nests(elem) => write_literal(out, item, elem, scale, scratch),
                _ => {
                    scratch.clear();
                    text::write(
                        scratch,
                        elem_of(item, elem, scale).as_value(),
                        elem.scalar(),
                    );
                    put_quoted(out, scratch);
                }
            }
        }
        out.put_u8(b'}');
    }
}

/// A stored `numeric(p, s)[]` value with each element rounded to `scale`
/// places, as PostgreSQL stores it (`None`: not a JSON array).
pub(crate) fn rounded_elements(stored: &str, scale: u16) -> Option<String> {
    let root @ Json::Array(_) = json::parse(stored)? else {
        return None;
    };
    let mut out = String::with_capacity(stored.len() + 8);
    write_rounded(&mut out, &root, usize::from(scale));
    Some(out)
}

fn write_rounded(out: &mut String, j: &Json<'_>, scale: usize) {
    match j {
        Json::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_rounded(out, item, scale);
            }
            out.push(']');
        }
        Json::Number(n) => match Numeric::parse(n) {
            Some(Numeric::Finite(d)) if d.frac.len() > scale => {
                out.push_str(&Numeric::Finite(d).with_scale(scale).to_text())
            }
            _ => out.push_str(n),
        },
        other => json::write_compact(out, other),
    }
}

/// `array_out`'s quoting: elements that are empty, `NULL`, or contain
/// braces, quotes, backslashes, commas or whitespace are double-quoted.
fn put_quoted(out: &mut BytesMut, e: &[u8]) {
    let needs = e.is_empty()
        || e.eq_ignore_ascii_case(b"NULL")
        || e.iter().any(|c| {
            matches!(
                c,
                b'{' | b'}' | b',' | b'"' | b'\\' | b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c
            )
        });
    if !needs {
        out.put_slice(e);
        return;
    }
    out.put_u8(b'"');
    for &c in e {
        if c == b'"' || c == b'\\' {
            out.put_u8(b'\\');
        }
        out.put_u8(c);
    }
    out.put_u8(b'"');
}

fn malformed(v: ValueRef<'_>) -> EncodeError {
    let shown = match v {
        ValueRef::Text(t) | ValueRef::Blob(t) => String::from_utf8_lossy(t).into_owned(),
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Null => String::new(),
    };
    EncodeError {
        code: "22P02",
        message: format!("malformed array literal: \"{shown}\""),
    }
}

/// `array_send`: ndim, has-null flag, element OID, (size, lower bound 1)
/// per dimension, then each element as a length-prefixed binary value.
pub(super) fn write_binary(
    out: &mut BytesMut,
    v: ValueRef<'_>,
    elem: ArrayElem,
    scale: Option<u16>,
) -> Result<(), EncodeError> {
    let stored = match v {
        ValueRef::Text(t) => std::str::from_utf8(t)
            .ok()
            .and_then(|s| stored_json(s, Some(elem))),
        _ => None,
    };
    let parsed = stored.as_deref().and_then(json::parse);
    let Some(root @ Json::Array(_)) = parsed else {
        return Err(malformed(v));
    };
    let mut dims = Vec::new();
    let mut cur = &root;
    while let Json::Array(items) = cur {
        dims.push(items.len());
        match items.first() {
            Some(first @ Json::Array(_)) if nests(elem) => cur = first,
            _ => break,
        }
    }
    if dims.len() > MAX_DIMS {
        return Err(malformed(v));
    }
    let mut leaves = Vec::new();
    if !flatten(&root, &dims, elem, &mut leaves) {
        return Err(malformed(v));
    }
    let empty = dims.first() == Some(&0);
    out.put_i32(if empty { 0 } else { dims.len() as i32 });
    out.put_i32(leaves.iter().any(|l| matches!(l, Json::Null)) as i32);
    out.put_u32(elem.scalar().oid());
    if !empty {
        for d in &dims {
            out.put_i32(*d as i32);
            out.put_i32(1);
        }
    }
    for leaf in leaves {
        if let Json::Null = leaf {
            out.put_i32(-1);
            continue;
        }
        let start = out.len();
        out.put_i32(0);
        binary::write(out, elem_of(leaf, elem, scale).as_value(), elem.scalar())?;
        let len = (out.len() - start - 4) as i32;
        out[start..start + 4].copy_from_slice(&len.to_be_bytes());
    }
    Ok(())
}

/// Collects leaves in row-major order; false if the array is not
/// rectangular with the shape `dims`.
fn flatten<'j, 'a>(
    j: &'j Json<'a>,
    dims: &[usize],
    elem: ArrayElem,
    leaves: &mut Vec<&'j Json<'a>>,
) -> bool {
    let Some((&n, rest)) = dims.split_first() else {
        let is_dim = matches!(j, Json::Array(_)) && nests(elem);
        if !is_dim {
            leaves.push(j);
        }
        return !is_dim;
    };
    match j {
        Json::Array(items) if items.len() == n => {
            items.iter().all(|item| flatten(item, rest, elem, leaves))
        }
        _ => false,
    }
}
