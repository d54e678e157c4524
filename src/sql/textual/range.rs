//! Range types (`int4range`, `int8range`, `numrange`, `daterange`,
//! `tsrange`, `tstzrange`), stored as PostgreSQL's canonical text: `[1,10)`,
//! `empty`, `(,5)`, `["2024-01-01 10:00:00+00",)`. Discrete ranges
//! (integers, dates) are kept in `[)` form as `range_in` canonicalizes
//! them; bounds print as their element type's output.

use std::cmp::Ordering;

use bytes::{BufMut, BytesMut};
use rusqlite::types::{Value, ValueRef};

use crate::sql::decode::decode_param;
use crate::sql::encode::numeric::Numeric;
use crate::sql::encode::output_text;
use crate::sql::pgtype::PgType;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RangeKind {
    Int4,
    Int8,
    Num,
    Date,
    Ts,
    Tstz,
}

impl RangeKind {
    pub const ALL: [RangeKind; 6] = [
        RangeKind::Int4,
        RangeKind::Int8,
        RangeKind::Num,
        RangeKind::Date,
        RangeKind::Ts,
        RangeKind::Tstz,
    ];

    pub fn name(self) -> &'static str {
        match self {
            RangeKind::Int4 => "int4range",
            RangeKind::Int8 => "int8range",
            RangeKind::Num => "numrange",
            RangeKind::Date => "daterange",
            RangeKind::Ts => "tsrange",
            RangeKind::Tstz => "tstzrange",
        }
    }

    pub fn from_name(name: &str) -> Option<RangeKind> {
        RangeKind::ALL.into_iter().find(|k| k.name() == name)
    }

    pub fn oid(self) -> u32 {
        match self {
            RangeKind::Int4 => 3904,
            RangeKind::Num => 3906,
            RangeKind::Ts => 3908,
            RangeKind::Tstz => 3910,
            RangeKind::Date => 3912,
            RangeKind::Int8 => 3926,
        }
    }

    pub fn element(self) -> PgType {
        match self {
            RangeKind::Int4 => PgType::Int4,
            RangeKind::Int8 => PgType::Int8,
            RangeKind::Num => PgType::Numeric,
            RangeKind::Date => PgType::Date,
            RangeKind::Ts => PgType::Timestamp,
            RangeKind::Tstz => PgType::Timestamptz,
        }
    }

    fn discrete(self) -> bool {
        matches!(self, RangeKind::Int4 | RangeKind::Int8 | RangeKind::Date)
    }
}

/// One bound: its element's output text, or `None` for unbounded.
#[derive(Debug, Clone, PartialEq)]
pub struct Bound {
    pub value: Option<String>,
    pub inclusive: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Range {
    pub kind: RangeKind,
    /// `None`: the empty range.
    pub bounds: Option<(Bound, Bound)>,
}

pub(super) const BOUNDS_REVERSED: &str =
    "range lower bound must be less than or equal to range upper bound";

fn malformed(s: &str) -> String {
    format!("malformed range literal: \"{s}\"")
}

impl Range {
    /// `range_in`: `s` read, bounds checked and canonicalized.
    pub fn parse(s: &str, kind: RangeKind) -> Result<Range, String> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("empty") {
            return Ok(Range { kind, bounds: None });
        }
        let bad = || malformed(s);
        let lower_inc = match t.chars().next() {
            Some('[') => true,
            Some('(') => false,
            _ => return Err(bad()),
        };
        let upper_inc = match t.chars().last() {
            Some(']') => true,
            Some(')') => false,
            _ => return Err(bad()),
        };
        let inner = &t[1..t.len() - 1];
        let (lo, hi) = split_bounds(inner).ok_or_else(bad)?;
        let lower = lo.map(|v| element_text(&v, kind)).transpose()?;
        let upper = hi.map(|v| element_text(&v, kind)).transpose()?;
        Range::make(kind, lower, upper, lower_inc, upper_inc)
    }

    /// A range from its bounds' element texts (`range constructor`).
    pub fn make(
        kind: RangeKind,
        lower: Option<String>,
        upper: Option<String>,
        lower_inc: bool,
        upper_inc: bool,
    ) -> Result<Range, String> {
        let mut lower = Bound {
            inclusive: lower_inc && lower.is_some(),
            value: lower,
        };
        let mut upper = Bound {
            inclusive: upper_inc && upper.is_some(),
            value: upper,
        };
        if let (Some(l), Some(u)) = (&lower.value, &upper.value) {
            if compare(l, u, kind) == Ordering::Greater {
                return Err(BOUNDS_REVERSED.into());
            }
        }
        if kind.discrete() {
            if let Some(l) = lower.value.as_deref().filter(|_| !lower.inclusive) {
                lower.value = Some(step(l, kind));
                lower.inclusive = true;
            }
            if let Some(u) = upper.value.as_deref().filter(|_| upper.inclusive) {
                upper.value = Some(step(u, kind));
                upper.inclusive = false;
            }
        }
        let empty = match (&lower.value, &upper.value) {
            (Some(l), Some(u)) => match compare(l, u, kind) {
                Ordering::Greater => true,
                Ordering::Equal => !(lower.inclusive && upper.inclusive),
                Ordering::Less => false,
            },
            _ => false,
        };
        Ok(Range {
            kind,
            bounds: (!empty).then_some((lower, upper)),
        })
    }

    pub fn lower(&self) -> Option<&Bound> {
        self.bounds.as_ref().map(|(l, _)| l)
    }

    pub fn upper(&self) -> Option<&Bound> {
        self.bounds.as_ref().map(|(_, u)| u)
    }

    /// `@>` of an element (its output text).
    pub fn contains_value(&self, v: &str) -> bool {
        let Some((l, u)) = &self.bounds else {
            return false;
        };
        let above = l
            .value
            .as_deref()
            .is_none_or(|lv| match compare(lv, v, self.kind) {
                Ordering::Less => true,
                Ordering::Equal => l.inclusive,
                Ordering::Greater => false,
            });
        let below = u
            .value
            .as_deref()
            .is_none_or(|uv| match compare(v, uv, self.kind) {
                Ordering::Less => true,
                Ordering::Equal => u.inclusive,
                Ordering::Greater => false,
            });
        above && below
    }

    /// `@>` of a range: every point of `other` is in `self`.
    pub fn contains_range(&self, other: &Range) -> bool {
        let Some((ol, ou)) = &other.bounds else {
            return true;
        };
        let Some((l, u)) = &self.bounds else {
            return false;
        };
        cmp_lower(l, ol, self.kind) != Ordering::Greater
            && cmp_upper(u, ou, self.kind) != Ordering::Less
    }

    /// `&&`: some point in both.
    pub fn overlaps(&self, other: &Range) -> bool {
        let (Some((l1, u1)), Some((l2, u2))) = (&self.bounds, &other.bounds) else {
            return false;
        };
        // Each starts before the other ends.
        starts_before_end(l1, u2, self.kind) && starts_before_end(l2, u1, self.kind)
    }

    /// `range_send`: flags, then each finite bound as a length-prefixed
    /// binary element.
    pub fn write_binary(&self, out: &mut BytesMut) -> Option<()> {
        let Some((l, u)) = &self.bounds else {
            out.put_u8(0x01);
            return Some(());
        };
        let flags = (l.inclusive as u8) << 1
            | (u.inclusive as u8) << 2
            | (l.value.is_none() as u8) << 3
            | (u.value.is_none() as u8) << 4;
        out.put_u8(flags);
        for value in [&l.value, &u.value].into_iter().flatten() {
            // A numeric bound keeps its written scale (1.50), which the
            // stored double would lose.
            if self.kind == RangeKind::Num {
                let start = out.len();
                out.put_i32(0);
                Numeric::parse(value)?.write_binary(out);
                let len = (out.len() - start - 4) as i32;
                out[start..start + 4].copy_from_slice(&len.to_be_bytes());
                continue;
            }
            let stored = stored_value(value, self.kind)?;
            crate::sql::encode::encode_field(
                out,
                ValueRef::from(&stored),
                self.kind.element(),
                true,
            )
            .ok()?;
        }
        Some(())
    }
}

/// `range_recv`: the flags byte, then each finite bound's binary element.
pub fn read_binary(raw: &[u8], kind: RangeKind) -> Option<String> {
    let (&flags, mut rest) = raw.split_first()?;
    if flags & 0x01 != 0 {
        return Some("empty".into());
    }
    let mut bound = |infinite: bool| -> Option<Option<String>> {
        if infinite {
            return Some(None);
        }
        let len = usize::try_from(i32::from_be_bytes(rest.get(..4)?.try_into().ok()?)).ok()?;
        let bytes = rest.get(4..4 + len)?;
        rest = &rest[4 + len..];
        let stored = decode_param(Some(bytes), kind.element(), true).ok()?;
        Some(Some(
            output_text(ValueRef::from(&stored), kind.element(), None).ok()?,
        ))
    };
    let lower = bound(flags & 0x08 != 0)?;
    let upper = bound(flags & 0x10 != 0)?;
    let range = Range::make(kind, lower, upper, flags & 0x02 != 0, flags & 0x04 != 0).ok()?;
    Some(range.to_string())
}

impl std::fmt::Display for Range {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let Some((l, u)) = &self.bounds else {
            return f.write_str("empty");
        };
        f.write_str(if l.inclusive { "[" } else { "(" })?;
        if let Some(v) = &l.value {
            write_bound(f, v)?;
        }
        f.write_str(",")?;
        if let Some(v) = &u.value {
            write_bound(f, v)?;
        }
        f.write_str(if u.inclusive { "]" } else { ")" })
    }
}

/// `range_out`'s quoting of a bound that holds a separator or a space.
fn write_bound(f: &mut std::fmt::Formatter<'_>, v: &str) -> std::fmt::Result {
    let needs = v.is_empty()
        || v.chars()
            .any(|c| matches!(c, '"' | '\\' | '(' | ')' | '[' | ']' | ',') || c.is_whitespace());
    if !needs {
        return f.write_str(v);
    }
    f.write_str("\"")?;
    for c in v.chars() {
        if c == '"' || c == '\\' {
            f.write_str("\\")?;
        }
        write!(f, "{c}")?;
    }
    f.write_str("\"")
}

/// The two bound texts of a range literal's inside (`None`: unbounded),
/// with `range_in`'s quoting and backslash escapes.
fn split_bounds(inner: &str) -> Option<(Option<String>, Option<String>)> {
    let mut parts: Vec<Option<String>> = Vec::with_capacity(2);
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    let mut chars = inner.chars().peekable();
    let mut in_quotes = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(chars.next()?);
                any = true;
            }
            '"' if in_quotes && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => {
                in_quotes = !in_quotes;
                quoted = true;
                any = true;
            }
            ',' if !in_quotes => {
                parts.push(bound_text(&cur, quoted, any));
                cur.clear();
                quoted = false;
                any = false;
            }
            c => {
                if !(c.is_whitespace() && !in_quotes && !any) {
                    cur.push(c);
                    any = true;
                }
            }
        }
    }
    if in_quotes {
        return None;
    }
    parts.push(bound_text(&cur, quoted, any));
    match <[Option<String>; 2]>::try_from(parts) {
        Ok([lo, hi]) => Some((lo, hi)),
        Err(_) => None,
    }
}

fn bound_text(s: &str, quoted: bool, any: bool) -> Option<String> {
    if !any {
        return None;
    }
    Some(if quoted {
        s.to_owned()
    } else {
        s.trim_end().to_owned()
    })
}

/// An element read as input for the range's element type, printed as its
/// output (`1.50` keeps its scale; a tstz prints in UTC with `+00`).
fn element_text(s: &str, kind: RangeKind) -> Result<String, String> {
    let ty = kind.element();
    if kind == RangeKind::Num {
        return Numeric::parse(s)
            .map(|n| n.to_text())
            .ok_or_else(|| format!("invalid input syntax for type numeric: \"{s}\""));
    }
    let stored = decode_param(Some(s.as_bytes()), ty, false).map_err(|e| e.message)?;
    output_text(ValueRef::from(&stored), ty, None).map_err(|e| e.message)
}

/// A stored element value (a column's, a constructor argument) as its
/// output text.
pub fn value_text(v: ValueRef<'_>, kind: RangeKind) -> Result<String, String> {
    match v {
        ValueRef::Text(t) => element_text(&String::from_utf8_lossy(t), kind),
        ValueRef::Integer(i) => element_text(&i.to_string(), kind),
        ValueRef::Real(f) => element_text(&f.to_string(), kind),
        _ => Err(format!(
            "invalid input syntax for type {}",
            kind.element().name()
        )),
    }
}

/// An element's output text in SQLite's stored form (`lower(r)`).
pub fn stored_value(text: &str, kind: RangeKind) -> Option<Value> {
    decode_param(Some(text.as_bytes()), kind.element(), false).ok()
}

/// Orders two element texts of a range's type.
fn compare(a: &str, b: &str, kind: RangeKind) -> Ordering {
    let inf = |s: &str| match s {
        "-infinity" => Some(Ordering::Less),
        "infinity" => Some(Ordering::Greater),
        _ => None,
    };
    match (inf(a), inf(b)) {
        (Some(x), Some(y)) => return x.cmp(&y),
        (Some(x), None) => return x,
        (None, Some(y)) => return y.reverse(),
        _ => {}
    }
    match kind {
        RangeKind::Int4 | RangeKind::Int8 => match (a.parse::<i64>(), b.parse::<i64>()) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            _ => a.cmp(b),
        },
        RangeKind::Num => match (a.parse::<f64>(), b.parse::<f64>()) {
            (Ok(x), Ok(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
            _ => a.cmp(b),
        },
        // ISO dates and timestamps (one zone) order as text, once a
        // shorter fraction is read as zeros.
        _ => a.cmp(b),
    }
}

/// The next value of a discrete type (`1` → `2`, a date → the next day).
fn step(v: &str, kind: RangeKind) -> String {
    match kind {
        RangeKind::Date => chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.succ_opt())
            .map_or_else(|| v.to_owned(), |d| d.format("%Y-%m-%d").to_string()),
        _ => v
            .parse::<i64>()
            .ok()
            .and_then(|n| n.checked_add(1))
            .map_or_else(|| v.to_owned(), |n| n.to_string()),
    }
}

/// Lower bounds: unbounded first; at one value inclusive first.
fn cmp_lower(a: &Bound, b: &Bound, kind: RangeKind) -> Ordering {
    match (&a.value, &b.value) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Less,
        (_, None) => Ordering::Greater,
        (Some(x), Some(y)) => compare(x, y, kind).then(b.inclusive.cmp(&a.inclusive)),
    }
}

/// Upper bounds: unbounded last; at one value inclusive last.
fn cmp_upper(a: &Bound, b: &Bound, kind: RangeKind) -> Ordering {
    match (&a.value, &b.value) {
        (None, None) => Ordering::Equal,
        (None, _) => Ordering::Greater,
        (_, None) => Ordering::Less,
        (Some(x), Some(y)) => compare(x, y, kind).then(a.inclusive.cmp(&b.inclusive)),
    }
}

/// Whether a range starting at `lower` begins before one ending at `upper`
/// ends (they share a point).
fn starts_before_end(lower: &Bound, upper: &Bound, kind: RangeKind) -> bool {
    match (&lower.value, &upper.value) {
        (None, _) | (_, None) => true,
        (Some(l), Some(u)) => match compare(l, u, kind) {
            Ordering::Less => true,
            Ordering::Equal => lower.inclusive && upper.inclusive,
            Ordering::Greater => false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(s: &str, kind: RangeKind) -> String {
        match Range::parse(s, kind) {
            Ok(r) => r.to_string(),
            Err(e) => e,
        }
    }

    #[test]
    fn ranges_read_and_print_as_postgres() {
        use RangeKind::*;
        assert_eq!(show("[1,10)", Int4), "[1,10)");
        assert_eq!(show("(1,10]", Int4), "[2,11)");
        assert_eq!(show(" [ 1 , 10 ] ", Int4), "[1,11)");
        assert_eq!(show("(,5)", Int4), "(,5)");
        assert_eq!(show("[,]", Int4), "(,)");
        assert_eq!(show("[3,3)", Int4), "empty");
        assert_eq!(show("(1,2)", Int4), "empty");
        assert_eq!(show("EMPTY", Int4), "empty");
        assert_eq!(show("[\"1\",\"10\")", Int4), "[1,10)");
        assert_eq!(
            show("[10,1)", Int4),
            "range lower bound must be less than or equal to range upper bound"
        );
        assert_eq!(show("[1.50,2.5]", Num), "[1.50,2.5]");
        assert_eq!(
            show("[2024-01-01,2024-01-05]", Date),
            "[2024-01-01,2024-01-06)"
        );
        assert_eq!(
            show("[2024-01-01 10:00, 2024-01-01 12:00)", Ts),
            "[\"2024-01-01 10:00:00\",\"2024-01-01 12:00:00\")"
        );
        assert!(show("1,2", Int4).starts_with("malformed range literal"));
    }

    #[test]
    fn containment_and_overlap() {
        use RangeKind::*;
        let r = |s: &str| Range::parse(s, Int4).unwrap();
        assert!(r("[1,10)").contains_value("5"));
        assert!(r("[1,10)").contains_value("1"));
        assert!(!r("[1,10)").contains_value("10"));
        assert!(r("(,10)").contains_value("-100"));
        assert!(!r("empty").contains_value("1"));
        assert!(r("[1,10)").contains_range(&r("[2,5)")));
        assert!(r("[1,10)").contains_range(&r("empty")));
        assert!(!r("[1,10)").contains_range(&r("[5,11)")));
        assert!(r("[1,10)").overlaps(&r("[5,20)")));
        assert!(!r("[1,5)").overlaps(&r("[5,8)")));
        let n = |s: &str| Range::parse(s, Num).unwrap();
        assert!(n("[1,5]").overlaps(&n("[5,8]")));
        assert!(!n("[1,5)").contains_value("5"));
    }
}
