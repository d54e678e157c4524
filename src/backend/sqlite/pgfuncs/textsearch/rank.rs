//! `ts_rank`: PostgreSQL's relevance of a document to a query (tsrank.c),
//! with its single- and double-precision steps kept so the float4 result is
//! the one PostgreSQL prints.

use super::query::{Node, TsQuery};
use super::vector::{position, weight, Pos, TsVector};

/// Weights of D, C, B and A positions when the caller gives none.
pub(super) const DEFAULT_WEIGHTS: [f32; 4] = [0.1, 0.2, 0.4, 1.0];

/// Positions further apart count as this (PostgreSQL's MAXENTRYPOS).
const MAX_ENTRY_POS: i32 = 16384;

pub(super) fn rank(w: &[f32; 4], v: &TsVector, q: &TsQuery, method: i64) -> f32 {
    let Some(root) = &q.0 else { return 0.0 };
    if v.entries.is_empty() {
        return 0.0;
    }
    let items = items(root);
    let mut res = match root {
        Node::And(..) | Node::Phrase(..) => rank_and(w, v, &items),
        _ => rank_or(w, v, &items),
    };
    if res < 0.0 {
        res = 1e-20;
    }
    let length = || -> i64 {
        v.entries
            .iter()
            .map(|e| e.positions.len().max(1) as i64)
            .sum()
    };
    if method & 1 != 0 {
        res = (f64::from(res) / ((length() as f64 + 1.0).ln() / 2f64.ln())) as f32;
    }
    if method & 2 != 0 {
        let len = length();
        if len > 0 {
            res /= len as f32;
        }
    }
    let size = v.entries.len();
    if method & 8 != 0 {
        res /= size as f32;
    }
    if method & 16 != 0 {
        res = (f64::from(res) / ((size as f64 + 1.0).ln() / 2f64.ln())) as f32;
    }
    if method & 32 != 0 {
        res /= res + 1.0;
    }
    res
}

/// The query's operands, sorted by text and distinct (SortAndUniqItems).
fn items(root: &Node) -> Vec<(&str, bool)> {
    fn walk<'a>(n: &'a Node, out: &mut Vec<(&'a str, bool)>) {
        match n {
            Node::Val { lexeme, prefix, .. } => out.push((lexeme, *prefix)),
            Node::Stop => {}
            Node::Not(c) => walk(c, out),
            Node::And(l, r) | Node::Or(l, r) | Node::Phrase(l, r, _) => {
                walk(l, out);
                walk(r, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(root, &mut out);
    out.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    out.dedup_by(|a, b| a.0 == b.0);
    out
}

fn weight_of(w: &[f32; 4], p: Pos) -> f32 {
    w[usize::from(weight(p))]
}

fn rank_or(w: &[f32; 4], v: &TsVector, items: &[(&str, bool)]) -> f32 {
    let mut res: f32 = 0.0;
    for &(lexeme, prefix) in items {
        for entry in v.find(lexeme, prefix) {
            let positions: &[Pos] = if entry.positions.is_empty() {
                &[0]
            } else {
                &entry.positions
            };
            let (mut resj, mut wjm, mut jm): (f32, f32, usize) = (0.0, -1.0, 0);
            for (j, &p) in positions.iter().enumerate() {
                let wp = weight_of(w, p);
                resj += wp / ((j + 1) * (j + 1)) as f32;
                if wp > wjm {
                    wjm = wp;
                    jm = j;
                }
            }
            let term = wjm + resj - wjm / ((jm + 1) * (jm + 1)) as f32;
            res = (f64::from(res) + f64::from(term) / 1.64493406685) as f32;
        }
    }
    if !items.is_empty() {
        res /= items.len() as f32;
    }
    res
}

fn word_distance(distance: i32) -> f32 {
    if distance > 100 {
        return 1e-30;
    }
    (1.0 / (1.005 + 0.05 * (f64::from(distance as f32) / 1.5 - 2.0).exp())) as f32
}

fn rank_and(w: &[f32; 4], v: &TsVector, items: &[(&str, bool)]) -> f32 {
    if items.len() < 2 {
        return rank_or(w, v, items);
    }
    // Stands in for an entry without positions.
    const NO_POSITIONS: [Pos; 1] = [(MAX_ENTRY_POS - 1) as Pos];
    let mut seen: Vec<Option<(&[Pos], bool)>> = vec![None; items.len()];
    let mut res: f32 = -1.0;
    for (i, &(lexeme, prefix)) in items.iter().enumerate() {
        for entry in v.find(lexeme, prefix) {
            let current: (&[Pos], bool) = if entry.positions.is_empty() {
                (&NO_POSITIONS, true)
            } else {
                (&entry.positions, false)
            };
            seen[i] = Some(current);
            for earlier in seen[..i].iter().flatten() {
                for &a in current.0 {
                    for &b in earlier.0 {
                        let mut dist = (i32::from(position(a)) - i32::from(position(b))).abs();
                        if dist == 0 && !(current.1 || earlier.1) {
                            continue;
                        }
                        if dist == 0 {
                            dist = MAX_ENTRY_POS;
                        }
                        let product = weight_of(w, a) * weight_of(w, b) * word_distance(dist);
                        let curw = f64::from(product).sqrt() as f32;
                        res = if res < 0.0 {
                            curw
                        } else {
                            (1.0 - (1.0 - f64::from(res)) * (1.0 - f64::from(curw))) as f32
                        };
                    }
                }
            }
        }
    }
    res
}
