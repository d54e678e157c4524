//! `tsvector @@ tsquery`: whether a document matches a query. Lexemes
//! match exactly or by prefix (`:*`), optionally only at positions of the
//! given weights; `<N>` needs its right side exactly N positions after its
//! left side's end, as PostgreSQL's phrase search does.

use super::query::{Node, TsQuery};
use super::vector::{position, weight, Pos, TsVector};

/// What a query is matched against: a tsvector, or a stretch of a
/// document being headlined.
pub(super) trait Document {
    /// Whether the operand (a `Node::Val`) occurs.
    fn contains(&self, operand: &Node) -> bool;
    /// The positions where it occurs, ascending and distinct.
    fn positions(&self, operand: &Node) -> Vec<u16>;
}

impl Document for TsVector {
    fn contains(&self, operand: &Node) -> bool {
        let Node::Val {
            lexeme,
            weights,
            prefix,
        } = operand
        else {
            return false;
        };
        self.find(lexeme, *prefix).iter().any(|e| {
            *weights == 0
                || e.positions.is_empty()
                || e.positions.iter().any(|&p| weights & (1 << weight(p)) != 0)
        })
    }

    fn positions(&self, operand: &Node) -> Vec<u16> {
        let Node::Val {
            lexeme,
            weights,
            prefix,
        } = operand
        else {
            return Vec::new();
        };
        let mut ends: Vec<u16> = self
            .find(lexeme, *prefix)
            .iter()
            .flat_map(|e| e.positions.iter())
            .filter(|&&p: &&Pos| *weights == 0 || weights & (1 << weight(p)) != 0)
            .map(|&p| position(p))
            .collect();
        ends.sort_unstable();
        ends.dedup();
        ends
    }
}

pub(super) fn matches(v: &TsVector, q: &TsQuery) -> bool {
    q.0.as_ref().is_some_and(|root| eval(v, root))
}

pub(super) fn eval(v: &dyn Document, node: &Node) -> bool {
    match node {
        Node::Val { .. } => v.contains(node),
        Node::Stop => false,
        Node::Not(c) => !eval(v, c),
        Node::And(l, r) => eval(v, l) && eval(v, r),
        Node::Or(l, r) => eval(v, l) || eval(v, r),
        Node::Phrase(..) => phrase(v, node).is_some_and(|m| m.negated || !m.ends.is_empty()),
    }
}

/// Where a phrase (sub)query matches: the positions its matches end at,
/// and its width (the distance from a match's start to its end). A
/// negated set is the positions where the operand does not match.
struct Matches {
    ends: Vec<u16>,
    width: u16,
    negated: bool,
}

fn phrase(v: &dyn Document, node: &Node) -> Option<Matches> {
    Some(match node {
        Node::Val { .. } => Matches {
            ends: v.positions(node),
            width: 0,
            negated: false,
        },
        Node::Stop => return None,
        Node::Not(c) => {
            let inner = phrase(v, c)?;
            Matches {
                negated: !inner.negated,
                ..inner
            }
        }
        Node::Phrase(l, r, d) => {
            let (left, right) = (phrase(v, l)?, phrase(v, r)?);
            let shift = d + right.width;
            let width = left.width + shift;
            let ends = match (left.negated, right.negated) {
                (false, false) => right
                    .ends
                    .iter()
                    .copied()
                    .filter(|&p| p >= shift && left.ends.binary_search(&(p - shift)).is_ok())
                    .collect(),
                (true, false) => right
                    .ends
                    .iter()
                    .copied()
                    .filter(|&p| p < shift || left.ends.binary_search(&(p - shift)).is_err())
                    .collect(),
                (false, true) => left
                    .ends
                    .iter()
                    .map(|&q| q + shift)
                    .filter(|p| right.ends.binary_search(p).is_err())
                    .collect(),
                (true, true) => Vec::new(),
            };
            Matches {
                ends,
                width,
                negated: false,
            }
        }
        Node::And(l, r) | Node::Or(l, r) => {
            let (left, right) = (phrase(v, l)?, phrase(v, r)?);
            let width = left.width.max(right.width);
            let shift = |m: &Matches| -> Vec<u16> {
                m.ends.iter().map(|&p| p + (width - m.width)).collect()
            };
            let (a, b) = (shift(&left), shift(&right));
            let and = matches!(node, Node::And(..));
            let ends = match (left.negated, right.negated, and) {
                (false, false, true) => a
                    .into_iter()
                    .filter(|p| b.binary_search(p).is_ok())
                    .collect(),
                (false, false, false) => {
                    let mut all = [a, b].concat();
                    all.sort_unstable();
                    all.dedup();
                    all
                }
                (false, true, true) => a
                    .into_iter()
                    .filter(|p| b.binary_search(p).is_err())
                    .collect(),
                (true, false, true) => b
                    .into_iter()
                    .filter(|p| a.binary_search(p).is_err())
                    .collect(),
                _ => Vec::new(),
            };
            Matches {
                ends,
                width,
                negated: false,
            }
        }
    })
}
