//! Runs a parsed jsonpath over a JSON document, as PostgreSQL 15 does:
//! every expression yields a sequence of items; lax mode (the default)
//! unwraps arrays under member accessors and filters, wraps non-arrays under
//! subscripts and ignores structural errors (a missing key is no item);
//! predicates are three-valued (comparing unlike types is unknown) and
//! existential over their operands' sequences.

use super::parse::{Cmp, Expr, JsonPath, Method, Step};
use serde_json::{Map, Value as Json};

/// An error PostgreSQL raises while evaluating (SQLSTATE and message).
#[derive(Debug)]
pub struct EvalError {
    pub code: &'static str,
    pub message: String,
    /// Raised even when the caller asked for silence (a missing variable).
    pub always: bool,
}

fn err(code: &'static str, message: impl Into<String>) -> EvalError {
    EvalError {
        code,
        message: message.into(),
        always: false,
    }
}

type R<T> = Result<T, EvalError>;

/// A predicate's three-valued result.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Tri {
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

/// The items `path` selects from `root`, with `$name` read from `vars`.
pub fn query(path: &JsonPath, root: &Json, vars: &Map<String, Json>) -> R<Vec<Json>> {
    let cx = Cx {
        root,
        vars,
        strict: path.strict,
    };
    cx.eval(&path.expr, root, None)
}

struct Cx<'a> {
    root: &'a Json,
    vars: &'a Map<String, Json>,
    strict: bool,
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
        if self.strict {
            Err(err(code, message))
        } else {
            Ok(())
        }
    }

    fn eval(&self, e: &Expr, cur: &Json, last: Option<i64>) -> R<Vec<Json>> {
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
                let mut items = self.eval(base, cur, last)?;
                for step in steps {
                    let mut next = Vec::new();
                    for item in &items {
                        self.step(step, item, cur, last, &mut next)?;
                    }
                    items = next;
                }
                items
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
                    if !v.is_number() {
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

    /// Lax mode reads an operand's arrays as their elements.
    fn eval_unwrapped(&self, e: &Expr, cur: &Json, last: Option<i64>) -> R<Vec<Json>> {
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
            [v @ Json::Number(_)] => Ok(v.clone()),
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
                out.push(other.clone());
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
        let _ = cur;
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
            [Json::Number(n)] => {
                let f = n.as_f64().unwrap_or(0.0).trunc();
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
            (Method::Type, v) => out.push(Json::from(type_name(v))),
            (Method::Size, Json::Array(a)) => out.push(Json::from(a.len())),
            (Method::Size, _) => {
                self.structural(
                    "22039",
                    "jsonpath item method .size() can only be applied to an array",
                )?;
                out.push(Json::from(1));
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
                for (k, v) in members(o) {
                    let mut pair = Map::new();
                    pair.insert("id".into(), Json::from(0));
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
            (Method::Double, Json::Number(n)) => out.push(float(n.as_f64().unwrap_or(0.0))),
            (Method::Abs, Json::Number(n)) => out.push(match n.as_i64() {
                Some(i) if i != i64::MIN => Json::from(i.abs()),
                _ => float(n.as_f64().unwrap_or(0.0).abs()),
            }),
            (Method::Floor | Method::Ceiling, Json::Number(n)) => out.push(match n.as_i64() {
                Some(i) => Json::from(i),
                None => {
                    let f = n.as_f64().unwrap_or(0.0);
                    float(if m == Method::Floor {
                        f.floor()
                    } else {
                        f.ceil()
                    })
                }
            }),
            _ => return Err(method_error(m)),
        }
        Ok(())
    }

    fn pred(&self, e: &Expr, cur: &Json, last: Option<i64>) -> R<Tri> {
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
                self.any(l.iter().map(|x| match x {
                    Json::String(s) => Tri::from(re.is_match(s)),
                    _ => Tri::Unknown,
                }))
            }
            Expr::StartsWith(a, b) => {
                let (Some(l), Some(r)) = (seq(a, true)?, seq(b, false)?) else {
                    return Ok(Tri::Unknown);
                };
                self.any(l.iter().flat_map(|x| {
                    r.iter().map(move |y| match (x, y) {
                        (Json::String(s), Json::String(p)) => Tri::from(s.starts_with(p.as_str())),
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

/// Compares two items: unlike types are unknown, except that null equals
/// only null; arrays and objects are not comparable.
fn compare(op: Cmp, a: &Json, b: &Json) -> Tri {
    use std::cmp::Ordering;
    let ord = match (a, b) {
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

/// A float result; whole values print as integers, as PostgreSQL's numeric
/// conversion of a double does.
fn float(f: f64) -> Json {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Json::from(f as i64);
    }
    serde_json::Number::from_f64(f).map_or(Json::Null, Json::Number)
}

fn negate_number(v: &Json) -> Json {
    match v.as_i64() {
        Some(i) if i != i64::MIN => Json::from(-i),
        _ => serde_json::Number::from_f64(-v.as_f64().unwrap_or(0.0))
            .map_or(Json::Null, Json::Number),
    }
}

/// A decimal's digits and scale (`1.25` is 125 and 2), for exact `+ - *`
/// as PostgreSQL's numeric does them (0.1 + 0.2 is 0.3).
fn decimal(v: &Json) -> Option<(i128, u32)> {
    let text = v.to_string();
    if text.contains(['e', 'E']) || text.len() > 30 {
        return None;
    }
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    Some((digits, frac.len() as u32))
}

fn from_decimal(digits: i128, scale: u32) -> Option<Json> {
    let f: f64 = format!("{digits}e-{scale}").parse().ok()?;
    serde_json::Number::from_f64(f).map(Json::Number)
}

fn arith(op: char, a: &Json, b: &Json) -> R<Json> {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        let exact = match op {
            '+' => x.checked_add(y),
            '-' => x.checked_sub(y),
            '*' => x.checked_mul(y),
            '%' if y == 0 => return Err(err("22012", "division by zero")),
            '%' => x.checked_rem(y),
            _ => None,
        };
        if let Some(v) = exact {
            return Ok(Json::from(v));
        }
    }
    let (x, y) = (a.as_f64().unwrap_or(0.0), b.as_f64().unwrap_or(0.0));
    if matches!(op, '/' | '%') && y == 0.0 {
        return Err(err("22012", "division by zero"));
    }
    if let (Some((m, s)), Some((n, t))) = (decimal(a), decimal(b)) {
        let scale = s.max(t);
        let align = |d: i128, from: u32| d.checked_mul(10i128.checked_pow(scale - from)?);
        let exact = match op {
            '+' => align(m, s)
                .zip(align(n, t))
                .and_then(|(p, q)| p.checked_add(q)),
            '-' => align(m, s)
                .zip(align(n, t))
                .and_then(|(p, q)| p.checked_sub(q)),
            '*' => m.checked_mul(n),
            _ => None,
        };
        let result_scale = if op == '*' { s + t } else { scale };
        if let Some(v) = exact.and_then(|d| from_decimal(d, result_scale)) {
            return Ok(v);
        }
    }
    let f = match op {
        '+' => x + y,
        '-' => x - y,
        '*' => x * y,
        '/' => x / y,
        _ => x % y,
    };
    serde_json::Number::from_f64(f)
        .map(Json::Number)
        .ok_or_else(|| err("22003", "value out of range: overflow"))
}
