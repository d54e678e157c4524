//! Predicates, three-valued as in SQL: comparisons, `&&`, `||`, `!`,
//! `exists`, `like_regex`, `starts with` and `is unknown`. An operand's
//! error makes its predicate unknown, and comparisons are existential over
//! their operands' items.

use super::arith::plain;
use super::ast::{Cmp, Expr};
use super::eval::{Cx, R};
use serde_json::Value as Json;

/// A predicate's three-valued result.
#[derive(Clone, Copy, PartialEq, Debug)]
pub(super) enum Tri {
    True,
    False,
    Unknown,
}

impl From<bool> for Tri {
    fn from(b: bool) -> Tri {
        if b {
            Tri::True
        } else {
            Tri::False
        }
    }
}

impl Cx<'_> {
    pub(super) fn pred(&self, e: &Expr, cur: &Json, last: Option<i64>) -> R<Tri> {
        // An operand's error makes the predicate unknown (a missing
        // variable excepted).
        let seq = |x: &Expr, unwrap: bool| -> R<Option<Vec<Json>>> {
            let r = if unwrap {
                self.eval_unwrapped(x, cur, last)
            } else {
                self.eval(x, cur, last)
            };
            match r {
                Ok(v) => Ok(Some(v)),
                Err(e) if e.always => Err(e),
                Err(_) => Ok(None),
            }
        };
        Ok(match e {
            Expr::And(a, b) => match self.pred(a, cur, last)? {
                Tri::False => Tri::False,
                l => match self.pred(b, cur, last)? {
                    Tri::True => l,
                    r => r,
                },
            },
            Expr::Or(a, b) => match self.pred(a, cur, last)? {
                Tri::True => Tri::True,
                l => match self.pred(b, cur, last)? {
                    Tri::False => l,
                    r => r,
                },
            },
            Expr::Not(a) => match self.pred(a, cur, last)? {
                Tri::True => Tri::False,
                Tri::False => Tri::True,
                Tri::Unknown => Tri::Unknown,
            },
            Expr::IsUnknown(a) => Tri::from(self.pred(a, cur, last)? == Tri::Unknown),
            Expr::Exists(a) => match seq(a, false)? {
                Some(v) => Tri::from(!v.is_empty()),
                None => Tri::Unknown,
            },
            Expr::Compare(op, a, b) => {
                let (Some(l), Some(r)) = (seq(a, true)?, seq(b, true)?) else {
                    return Ok(Tri::Unknown);
                };
                self.any(
                    l.iter()
                        .flat_map(|x| r.iter().map(move |y| compare(*op, x, y))),
                )
            }
            Expr::LikeRegex(a, re) => {
                let Some(l) = seq(a, true)? else {
                    return Ok(Tri::Unknown);
                };
                self.any(l.iter().map(|x| match plain(x).as_ref() {
                    Json::String(s) => Tri::from(re.is_match(s)),
                    _ => Tri::Unknown,
                }))
            }
            Expr::StartsWith(a, b) => {
                let (Some(l), Some(r)) = (seq(a, true)?, seq(b, false)?) else {
                    return Ok(Tri::Unknown);
                };
                self.any(l.iter().flat_map(|x| {
                    r.iter()
                        .map(move |y| match (plain(x).as_ref(), plain(y).as_ref()) {
                            (Json::String(s), Json::String(p)) => {
                                Tri::from(s.starts_with(p.as_str()))
                            }
                            _ => Tri::Unknown,
                        })
                }))
            }
            // A non-predicate where one is needed (the parser refuses these).
            _ => Tri::Unknown,
        })
    }

    /// Existential: true when some pair is; lax mode stops at the first
    /// true, strict mode at the first unknown.
    fn any(&self, results: impl Iterator<Item = Tri>) -> Tri {
        let (mut found, mut unknown) = (false, false);
        for r in results {
            match r {
                Tri::True if !self.strict => return Tri::True,
                Tri::True => found = true,
                Tri::Unknown if self.strict => return Tri::Unknown,
                Tri::Unknown => unknown = true,
                Tri::False => {}
            }
        }
        if found {
            Tri::True
        } else if unknown {
            Tri::Unknown
        } else {
            Tri::False
        }
    }
}

/// Compares two items: unlike types are unknown, except that null equals
/// only null; arrays and objects are not comparable.
fn compare(op: Cmp, a: &Json, b: &Json) -> Tri {
    use std::cmp::Ordering;
    let ord = match (plain(a).as_ref(), plain(b).as_ref()) {
        (Json::Null, Json::Null) => Ordering::Equal,
        (Json::Null, _) | (_, Json::Null) => return Tri::from(op == Cmp::Ne),
        (Json::Bool(x), Json::Bool(y)) => x.cmp(y),
        (Json::Number(x), Json::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(i), Some(j)) => i.cmp(&j),
            _ => {
                let (f, g) = (x.as_f64().unwrap_or(0.0), y.as_f64().unwrap_or(0.0));
                f.partial_cmp(&g).unwrap_or(Ordering::Equal)
            }
        },
        // Code point order (UTF-8 bytes), not the collation's.
        (Json::String(x), Json::String(y)) => x.as_bytes().cmp(y.as_bytes()),
        _ => return Tri::Unknown,
    };
    Tri::from(match op {
        Cmp::Eq => ord == Ordering::Equal,
        Cmp::Ne => ord != Ordering::Equal,
        Cmp::Lt => ord == Ordering::Less,
        Cmp::Le => ord != Ordering::Greater,
        Cmp::Gt => ord == Ordering::Greater,
        Cmp::Ge => ord != Ordering::Less,
    })
}
