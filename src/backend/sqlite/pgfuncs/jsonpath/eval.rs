//! Runs a parsed jsonpath over a JSON document, as PostgreSQL 15 does:
//! every expression yields a sequence of items; lax mode (the default)
//! unwraps arrays under member accessors and filters, wraps non-arrays under
//! subscripts and ignores structural errors (a missing key is no item).
//! Predicates are in `predicate`, numbers in `arith`.

use super::arith::{arith, float, is_number, negate_number, plain};
use super::ast::{Expr, JsonPath, Method, Step};
use super::predicate::Tri;
use serde_json::{Map, Value as Json};
use std::cell::Cell;

/// An error PostgreSQL raises while evaluating (SQLSTATE and message).
#[derive(Debug)]
pub struct EvalError {
    pub code: &'static str,
    pub message: String,
    /// Raised even when the caller asked for silence (a missing variable).
    pub always: bool,
}

pub(super) fn err(code: &'static str, message: impl Into<String>) -> EvalError {
    EvalError {
        code,
        message: message.into(),
        always: false,
    }
}

pub(super) type R<T> = Result<T, EvalError>;

/// The items `path` selects from `root`, with `$name` read from `vars`,
/// and the error that stopped it: the items found before it stay, as
/// PostgreSQL's silent mode returns them.
pub fn query(
    path: &JsonPath,
    root: &Json,
    vars: &Map<String, Json>,
) -> (Vec<Json>, Option<EvalError>) {
    let cx = Cx {
        root,
        vars,
        strict: path.strict,
        below_any_level: Cell::new(false),
    };
    let mut out = Vec::new();
    let result = match &path.expr {
        Expr::Chain(base, steps) => cx.eval(base, root, None).and_then(|bases| {
            bases
                .iter()
                .try_for_each(|b| cx.chain(steps, b, root, None, &mut out))
        }),
        e => cx.eval(e, root, None).map(|items| out = items),
    };
    (out, result.err())
}

pub(super) struct Cx<'a> {
    root: &'a Json,
    vars: &'a Map<String, Json>,
    pub(super) strict: bool,
    /// After `.**` even strict mode ignores structural errors (the levels
    /// it reaches need not have what the rest of the path asks for).
    below_any_level: Cell<bool>,
}

/// An object's members in jsonb's order: shorter keys first, then bytewise.
pub fn members(m: &Map<String, Json>) -> Vec<(&String, &Json)> {
    let mut v: Vec<_> = m.iter().collect();
    v.sort_by(|a, b| (a.0.len(), a.0.as_bytes()).cmp(&(b.0.len(), b.0.as_bytes())));
    v
}

impl Cx<'_> {
    /// A structural error: raised in strict mode, no item in lax mode.
    fn structural(&self, code: &'static str, message: &str) -> R<()> {
        if self.strict && !self.below_any_level.get() {
            Err(err(code, message))
        } else {
            Ok(())
        }
    }

    pub(super) fn eval(&self, e: &Expr, cur: &Json, last: Option<i64>) -> R<Vec<Json>> {
        Ok(match e {
            Expr::Root => vec![self.root.clone()],
            Expr::Current => vec![cur.clone()],
            Expr::Var(name) => match self.vars.get(name) {
                Some(v) => vec![v.clone()],
                None => {
                    return Err(EvalError {
                        code: "42704",
                        message: format!("could not find jsonpath variable \"{name}\""),
                        always: true,
                    })
                }
            },
            Expr::Last => match last {
                Some(n) => vec![Json::from(n)],
                None => return Err(err("42601", "LAST is allowed only in array subscripts")),
            },
            Expr::Literal(v) => vec![v.clone()],
            Expr::Chain(base, steps) => {
                let mut out = Vec::new();
                for b in self.eval(base, cur, last)? {
                    self.chain(steps, &b, cur, last, &mut out)?;
                }
                out
            }
            Expr::Arith(op, a, b) => {
                let name = op.to_string();
                let l = self.single_number(a, cur, last, "left", &name)?;
                let r = self.single_number(b, cur, last, "right", &name)?;
                vec![arith(*op, &l, &r)?]
            }
            Expr::Sign(negate, a) => {
                let mut out = Vec::new();
                for v in self.eval_unwrapped(a, cur, last)? {
                    if !is_number(&v) {
                        let op = if *negate { "-" } else { "+" };
                        return Err(err(
                            "2203B",
                            format!(
                                "operand of unary jsonpath operator {op} is not a numeric value"
                            ),
                        ));
                    }
                    out.push(if *negate { negate_number(&v) } else { v });
                }
                out
            }
            _ => vec![match self.pred(e, cur, last)? {
                Tri::True => Json::Bool(true),
                Tri::False => Json::Bool(false),
                Tri::Unknown => Json::Null,
            }],
        })
    }

    /// Runs `item` through `steps`, depth first as PostgreSQL does: each
    /// item a step yields goes through the rest before the next, so an
    /// error leaves what was found before it in `out`.
    fn chain(
        &self,
        steps: &[Step],
        item: &Json,
        cur: &Json,
        last: Option<i64>,
        out: &mut Vec<Json>,
    ) -> R<()> {
        let Some((step, rest)) = steps.split_first() else {
            out.push(item.clone());
            return Ok(());
        };
        let mut next = Vec::new();
        let stepped = self.step(step, item, cur, last, &mut next);
        let outer = self.below_any_level.get();
        if matches!(step, Step::AnyLevel(..)) {
            self.below_any_level.set(true);
        }
        let rest_result = next
            .iter()
            .try_for_each(|v| self.chain(rest, v, cur, last, out));
        self.below_any_level.set(outer);
        rest_result.and(stepped)
    }

    /// Lax mode reads an operand's arrays as their elements.
    pub(super) fn eval_unwrapped(&self, e: &Expr, cur: &Json, last: Option<i64>) -> R<Vec<Json>> {
        let items = self.eval(e, cur, last)?;
        if self.strict {
            return Ok(items);
        }
        Ok(items
            .into_iter()
            .flat_map(|v| match v {
                Json::Array(a) => a,
                other => vec![other],
            })
            .collect())
    }

    fn single_number(
        &self,
        e: &Expr,
        cur: &Json,
        last: Option<i64>,
        side: &str,
        op: &str,
    ) -> R<Json> {
        match self.eval_unwrapped(e, cur, last)?.as_slice() {
            [v] if is_number(v) => Ok(v.clone()),
            _ => Err(err(
                "22038",
                format!("{side} operand of jsonpath operator {op} is not a single numeric value"),
            )),
        }
    }

    fn step(
        &self,
        step: &Step,
        item: &Json,
        cur: &Json,
        last: Option<i64>,
        out: &mut Vec<Json>,
    ) -> R<()> {
        match (step, item) {
            (Step::Key(k), Json::Object(m)) => match m.get(k) {
                Some(v) => out.push(v.clone()),
                None => self.structural(
                    "2203A",
                    &format!("JSON object does not contain key \"{k}\""),
                )?,
            },
            (Step::AnyKey, Json::Object(m)) => {
                out.extend(members(m).into_iter().map(|(_, v)| v.clone()));
            }
            // Lax mode applies member accessors and filters to each element.
            (Step::Key(_) | Step::AnyKey | Step::Filter(_), Json::Array(a)) if !self.strict => {
                for v in a {
                    match (step, v) {
                        // Only one level is unwrapped: an inner array is
                        // no object, and a filter tests it whole.
                        (Step::Filter(p), Json::Array(_)) => {
                            if self.pred(p, v, last)? == Tri::True {
                                out.push(v.clone());
                            }
                        }
                        (_, Json::Array(_)) => {}
                        _ => self.step(step, v, cur, last, out)?,
                    }
                }
            }
            (Step::Key(_), _) => self.structural(
                "2203A",
                "jsonpath member accessor can only be applied to an object",
            )?,
            (Step::AnyKey, _) => self.structural(
                "2203C",
                "jsonpath wildcard member accessor can only be applied to an object",
            )?,
            (Step::AnyIndex, Json::Array(a)) => out.extend(a.iter().cloned()),
            (Step::AnyIndex, other) => {
                self.structural(
                    "22039",
                    "jsonpath wildcard array accessor can only be applied to an array",
                )?;
                if !self.strict {
                    out.push(other.clone());
                }
            }
            (Step::Index(subs), _) => self.subscript(subs, item, cur, out)?,
            (Step::AnyLevel(first, last_level), _) => {
                if *first == 0 {
                    out.push(item.clone());
                }
                any_level(item, 1, *first, *last_level, out);
            }
            (Step::Filter(p), _) => {
                if self.pred(p, item, last)? == Tri::True {
                    out.push(item.clone());
                }
            }
            (Step::Method(m), _) => self.method(*m, item, out)?,
        }
        Ok(())
    }

    fn subscript(
        &self,
        subs: &[(Expr, Option<Expr>)],
        item: &Json,
        cur: &Json,
        out: &mut Vec<Json>,
    ) -> R<()> {
        let wrapped;
        let a = match item {
            Json::Array(a) => a,
            other => {
                self.structural(
                    "22039",
                    "jsonpath array accessor can only be applied to an array",
                )?;
                if self.strict {
                    return Ok(());
                }
                wrapped = vec![other.clone()];
                &wrapped
            }
        };
        let size = a.len() as i64;
        for (from, to) in subs {
            let start = self.index(from, cur, size)?;
            let end = match to {
                Some(to) => self.index(to, cur, size)?,
                None => start,
            };
            if start < 0 || start > end || end >= size {
                self.structural("22033", "jsonpath array subscript is out of bounds")?;
            }
            for i in start.max(0)..=end.min(size - 1) {
                out.push(a[i as usize].clone());
            }
        }
        Ok(())
    }

    fn index(&self, e: &Expr, cur: &Json, size: i64) -> R<i64> {
        match self.eval(e, cur, Some(size - 1))?.as_slice() {
            [v] if is_number(v) => {
                let f = plain(v).as_f64().unwrap_or(0.0).trunc();
                if f.abs() > f64::from(i32::MAX) {
                    return Err(err(
                        "22033",
                        "jsonpath array subscript is out of integer range",
                    ));
                }
                Ok(f as i64)
            }
            _ => Err(err(
                "22033",
                "jsonpath array subscript is not a single numeric value",
            )),
        }
    }

    fn method(&self, m: Method, item: &Json, out: &mut Vec<Json>) -> R<()> {
        match (m, item) {
            (Method::Type, v) => out.push(Json::from(type_name(&plain(v)))),
            // A number's .double() is checked and kept, as PostgreSQL
            // does; .abs() keeps the digits.
            (Method::Double, v) if is_number(v) => out.push(v.clone()),
            (Method::Abs, v) if is_number(v) => {
                let negative = plain(v).as_f64().is_some_and(|f| f < 0.0);
                out.push(if negative {
                    negate_number(v)
                } else {
                    v.clone()
                });
            }
            (Method::Floor | Method::Ceiling, v) if is_number(v) => {
                let p = plain(v);
                out.push(match p.as_i64() {
                    Some(i) => Json::from(i),
                    None => {
                        let f = p.as_f64().unwrap_or(0.0);
                        float(if m == Method::Floor {
                            f.floor()
                        } else {
                            f.ceil()
                        })
                    }
                });
            }
            (Method::Size, Json::Array(a)) => out.push(Json::from(a.len())),
            (Method::Size, _) => {
                self.structural(
                    "22039",
                    "jsonpath item method .size() can only be applied to an array",
                )?;
                if !self.strict {
                    out.push(Json::from(1));
                }
            }
            // Lax mode applies the other methods to each element (once).
            (_, Json::Array(a)) if !self.strict => {
                for v in a {
                    if v.is_array() {
                        return Err(method_error(m));
                    }
                    self.method(m, v, out)?;
                }
            }
            (Method::KeyValue, Json::Object(o)) => {
                let id = super::layout::offset_of(self.root, item);
                for (k, v) in members(o) {
                    let mut pair = Map::new();
                    pair.insert("id".into(), Json::from(id));
                    pair.insert("key".into(), Json::from(k.as_str()));
                    pair.insert("value".into(), v.clone());
                    out.push(Json::Object(pair));
                }
            }
            (Method::Double, Json::String(s)) => {
                let f: f64 = s.trim().parse().map_err(|_| {
                    err(
                        "22036",
                        "string argument of jsonpath item method .double() is not a valid representation of a double precision number",
                    )
                })?;
                if !f.is_finite() {
                    return Err(err(
                        "22036",
                        "NaN or Infinity is not allowed for jsonpath item method .double()",
                    ));
                }
                out.push(float(f));
            }
            _ => return Err(method_error(m)),
        }
        Ok(())
    }
}

/// `.**{first to last}` below level 0: each value, then its own values.
fn any_level(item: &Json, level: u32, first: u32, last: u32, out: &mut Vec<Json>) {
    let children: Vec<&Json> = match item {
        Json::Object(m) => members(m).into_iter().map(|(_, v)| v).collect(),
        Json::Array(a) => a.iter().collect(),
        _ => return,
    };
    for v in children {
        let container = v.is_object() || v.is_array();
        // `{last}` alone selects the leaves.
        if level >= first || (first == u32::MAX && last == u32::MAX && !container) {
            out.push(v.clone());
        }
        if level < last && container {
            any_level(v, level + 1, first, last, out);
        }
    }
}

fn type_name(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn method_error(m: Method) -> EvalError {
    let what = match m {
        Method::Double => "a string or numeric value",
        Method::KeyValue => "an object",
        Method::Size => "an array",
        _ => "a numeric value",
    };
    let code = match m {
        Method::KeyValue => "2203C",
        Method::Size => "22039",
        _ => "22036",
    };
    err(
        code,
        format!(
            "jsonpath item method .{}() can only be applied to {what}",
            m.name()
        ),
    )
}
