//! `ts_rank`: PostgreSQL's relevance of a document to a query (tsrank.c),
//! with its single- and double-precision steps kept so the float4 result is
//! the one PostgreSQL prints.

use super::query::{operands, Node, TsQuery};
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
    if method & 1 != 0 {
        res = (f64::from(res) / ((length(v) as f64 + 1.0).ln() / 2f64.ln())) as f32;
    }
    if method & 2 != 0 {
        let len = length(v);
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

/// The document's length for normalization: its positions, an entry
/// without positions counting one (cnt_length).
fn length(v: &TsVector) -> i64 {
    v.entries
        .iter()
        .map(|e| e.positions.len().max(1) as i64)
        .sum()
}

/// The query's operands, sorted by text and distinct (SortAndUniqItems).
/// Read left to right: `operands` lists them right to left, and of two
/// equal texts the first read is kept.
fn items(root: &Node) -> Vec<(&str, bool)> {
    let mut out: Vec<(&str, bool)> = operands(root)
        .into_iter()
        .rev()
        .filter_map(|n| match n {
            Node::Val { lexeme, prefix, .. } => Some((lexeme.as_str(), *prefix)),
            _ => None,
        })
        .collect();
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

/// `ts_rank_cd`: cover density (calc_rank_cd). The document's occurrences
/// of query words, in position order, are scanned for covers (shortest
/// stretches satisfying the query); each adds its density, less for the
/// non-query words inside it.
pub(super) fn rank_cd(w: &[f32; 4], v: &TsVector, q: &TsQuery, method: i64) -> f32 {
    let Some(root) = &q.0 else { return 0.0 };
    if v.entries.is_empty() {
        return 0.0;
    }
    let inverse: [f64; 4] = w.map(|x| 1.0 / f64::from(x));
    let doc = occurrences(v, root);
    if doc.is_empty() {
        return 0.0;
    }
    let (mut wdoc, mut sum_dist, mut prev_ext, mut extents) = (0.0f64, 0.0f64, 0.0f64, 0i64);
    let mut from = 0usize;
    while let Some(c) = cover(&doc, root, &mut from) {
        let inv_sum: f64 = doc[c.begin..=c.end]
            .iter()
            .map(|o| inverse[usize::from(weight(o.pos))])
            .sum();
        let span = (c.end - c.begin) as i64;
        let cpos = (span + 1) as f64 / inv_sum;
        let mut noise = (c.q - c.p) - span;
        if noise < 0 {
            noise = span / 2;
        }
        wdoc += cpos / (1 + noise) as f64;
        let cur_ext = (c.q + c.p) as f64 / 2.0;
        if extents > 0 && cur_ext > prev_ext {
            sum_dist += 1.0 / (cur_ext - prev_ext);
        }
        prev_ext = cur_ext;
        extents += 1;
    }
    let size = v.entries.len() as f64;
    if method & 1 != 0 {
        wdoc /= (length(v) as f64 + 1.0).ln();
    }
    if method & 2 != 0 {
        let len = length(v);
        if len > 0 {
            wdoc /= len as f64;
        }
    }
    if method & 4 != 0 && extents > 0 && sum_dist > 0.0 {
        wdoc /= extents as f64 / sum_dist;
    }
    if method & 8 != 0 {
        wdoc /= size;
    }
    if method & 16 != 0 {
        wdoc /= (size + 1.0).ln() / 2f64.ln();
    }
    if method & 32 != 0 {
        wdoc /= wdoc + 1.0;
    }
    wdoc as f32
}

/// One position of the document where query operands occur.
struct Occurrence {
    pos: Pos,
    entry: usize,
    /// The operands (by address) found there.
    operands: Vec<usize>,
}

/// get_docrep: every (position, entry) where an operand occurs, in
/// position order, with the operands found there.
fn occurrences(v: &TsVector, root: &Node) -> Vec<Occurrence> {
    let mut all: Vec<Occurrence> = Vec::new();
    for node in operands(root) {
        let Node::Val {
            lexeme,
            weights,
            prefix,
        } = node
        else {
            continue;
        };
        for index in v.find_range(lexeme, *prefix) {
            for &p in &v.entries[index].positions {
                if *weights == 0 || weights & (1 << weight(p)) != 0 {
                    all.push(Occurrence {
                        pos: p,
                        entry: index,
                        operands: vec![node as *const Node as usize],
                    });
                }
            }
        }
    }
    all.sort_by_key(|o| (position(o.pos), weight(o.pos), o.entry));
    let mut merged: Vec<Occurrence> = Vec::with_capacity(all.len());
    for o in all {
        match merged.last_mut() {
            Some(last) if last.pos == o.pos && last.entry == o.entry => {
                last.operands.extend(o.operands)
            }
            _ => merged.push(o),
        }
    }
    merged
}

struct Cover {
    begin: usize,
    end: usize,
    p: i64,
    q: i64,
}

/// The operands seen while scanning for a cover, with their positions.
struct Seen(Vec<(usize, Vec<u16>)>);

impl Seen {
    fn add(&mut self, o: &Occurrence) {
        for &id in &o.operands {
            match self.0.iter_mut().find(|(i, _)| *i == id) {
                Some((_, positions)) => positions.push(position(o.pos)),
                None => self.0.push((id, vec![position(o.pos)])),
            }
        }
    }
}

impl super::matching::Document for Seen {
    fn contains(&self, operand: &Node) -> bool {
        let id = operand as *const Node as usize;
        self.0.iter().any(|(i, _)| *i == id)
    }

    fn positions(&self, operand: &Node) -> Vec<u16> {
        let id = operand as *const Node as usize;
        let mut p = self
            .0
            .iter()
            .find(|(i, _)| *i == id)
            .map(|(_, p)| p.clone())
            .unwrap_or_default();
        p.sort_unstable();
        p.dedup();
        p
    }
}

/// The next cover from occurrence `from` (PostgreSQL's Cover): the first
/// end where the occurrences so far satisfy the query, then the latest
/// start from which the stretch still does.
fn cover(doc: &[Occurrence], root: &Node, from: &mut usize) -> Option<Cover> {
    use super::matching::eval;
    loop {
        if *from >= doc.len() {
            return None;
        }
        let mut seen = Seen(Vec::new());
        let mut end = None;
        for (i, o) in doc.iter().enumerate().skip(*from) {
            seen.add(o);
            if eval(&seen, root) {
                end = Some(i);
                break;
            }
        }
        let end = end?;
        let q = i64::from(position(doc[end].pos));
        let mut seen = Seen(Vec::new());
        let mut begin = None;
        for i in (*from..=end).rev() {
            seen.add(&doc[i]);
            if eval(&seen, root) {
                begin = Some(i);
                break;
            }
        }
        if let Some(begin) = begin {
            let p = i64::from(position(doc[begin].pos));
            if p <= q {
                *from = begin + 1;
                return Some(Cover { begin, end, p, q });
            }
        }
        *from += 1;
    }
}
