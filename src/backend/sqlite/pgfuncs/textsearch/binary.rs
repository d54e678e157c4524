//! The binary wire formats of tsvector and tsquery (PostgreSQL's
//! tsvectorsend and tsquerysend), for clients that read results in binary.

use super::query::{Node, Operands, Syntax, TsQuery};
use super::vector::TsVector;
use bytes::{BufMut, BytesMut};

/// Writes a stored tsvector's binary form: the lexeme count, then each
/// lexeme NUL-terminated with its position count and positions.
pub(super) fn tsvector(text: &str, out: &mut BytesMut) -> rusqlite::Result<()> {
    let v = TsVector::parse(text)?;
    out.put_i32(v.entries.len() as i32);
    for e in &v.entries {
        out.put_slice(e.lexeme.as_bytes());
        out.put_u8(0);
        out.put_u16(e.positions.len() as u16);
        for &p in &e.positions {
            out.put_u16(p);
        }
    }
    Ok(())
}

/// Writes a stored tsquery's binary form: the item count, then the items
/// in PostgreSQL's prefix order (an operator, its right operand, its left).
pub(super) fn tsquery(text: &str, out: &mut BytesMut) -> rusqlite::Result<()> {
    let q = TsQuery::parse(text, Syntax::Standard, Operands::Literal)?;
    out.put_i32(q.node_count() as i32);
    if let Some(root) = &q.0 {
        item(root, out);
    }
    Ok(())
}

fn item(node: &Node, out: &mut BytesMut) {
    let operator = |out: &mut BytesMut, code: u8| {
        out.put_u8(2);
        out.put_u8(code);
    };
    match node {
        Node::Val {
            lexeme,
            weights,
            prefix,
        } => {
            out.put_u8(1);
            out.put_u8(*weights);
            out.put_u8(u8::from(*prefix));
            out.put_slice(lexeme.as_bytes());
            out.put_u8(0);
        }
        Node::Stop => {}
        Node::Not(c) => {
            operator(out, 1);
            item(c, out);
        }
        Node::And(l, r) | Node::Or(l, r) => {
            operator(out, if matches!(node, Node::And(..)) { 2 } else { 3 });
            item(r, out);
            item(l, out);
        }
        Node::Phrase(l, r, d) => {
            operator(out, 4);
            out.put_u16(*d);
            item(r, out);
            item(l, out);
        }
    }
}
