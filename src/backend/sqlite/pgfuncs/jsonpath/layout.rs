//! Where a container sits in PostgreSQL's binary jsonb form, which
//! `.keyvalue()` shows as each pair's `id` (the byte offset of the object
//! in the document). A container is a 4-byte header, 4 bytes per element
//! (two per member: keys, then values), then the keys' bytes and the
//! values' data; containers and numerics start 4-byte aligned.

use super::arith::{decimal_text, exact_text};
use super::eval::members;
use serde_json::Value as Json;

/// The offset of the first container equal to `target` in `root` (0 for a
/// value not in the document).
pub fn offset_of(root: &Json, target: &Json) -> i64 {
    let mut found = None;
    layout(root, 0, target, &mut found);
    found.unwrap_or(0) as i64
}

fn align(off: usize) -> usize {
    off.div_ceil(4) * 4
}

/// Lays `v` out from `off`; returns where it ends.
fn layout(v: &Json, off: usize, target: &Json, found: &mut Option<usize>) -> usize {
    match v {
        Json::Null | Json::Bool(_) => off,
        Json::Number(_) => align(off) + numeric_size(&decimal_text(v).unwrap_or_default()),
        Json::String(_) if exact_text(v).is_some() => {
            align(off) + numeric_size(&decimal_text(v).unwrap_or_default())
        }
        Json::String(s) => off + s.len(),
        Json::Array(a) => {
            let start = align(off);
            if found.is_none() && v == target {
                *found = Some(start);
            }
            let mut end = start + 4 + 4 * a.len();
            for e in a {
                end = layout(e, end, target, found);
            }
            end
        }
        Json::Object(m) => {
            let start = align(off);
            if found.is_none() && v == target {
                *found = Some(start);
            }
            let sorted = members(m);
            let mut end = start + 4 + 8 * sorted.len();
            end += sorted.iter().map(|(k, _)| k.len()).sum::<usize>();
            for (_, e) in sorted {
                end = layout(e, end, target, found);
            }
            end
        }
    }
}

/// The size of a numeric as `numeric_in` makes it: a 4-byte length, a
/// 2-byte header (4 bytes when the scale or weight is large) and 2 bytes
/// per base-10000 digit, zero digits at either end left out.
fn numeric_size(text: &str) -> usize {
    let text = text.trim_start_matches('-');
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    // Base-10000 digits: the integer part grouped from the point leftwards,
    // the fraction rightwards.
    let int_pad = (4 - int.len() % 4) % 4;
    let int_digits = format!("{}{int}", "0".repeat(int_pad));
    let frac_pad = (4 - frac.len() % 4) % 4;
    let frac_digits = format!("{frac}{}", "0".repeat(frac_pad));
    let groups: Vec<bool> = int_digits
        .as_bytes()
        .chunks(4)
        .chain(frac_digits.as_bytes().chunks(4))
        .map(|g| g.iter().any(|d| *d != b'0'))
        .collect();
    let int_groups = int_digits.len() / 4;
    let (Some(first), Some(last)) = (
        groups.iter().position(|nonzero| *nonzero),
        groups.iter().rposition(|nonzero| *nonzero),
    ) else {
        return 6;
    };
    let weight = int_groups as i64 - 1 - first as i64;
    let short = frac.len() <= 63 && (-64..=63).contains(&weight);
    (if short { 6 } else { 8 }) + 2 * (last - first + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_match_postgres() {
        let j = |s: &str| serde_json::from_str::<Json>(s).unwrap();
        let doc = j(
            r#"[{"a":1}, {"a":1.5}, {"a":0}, {"a": 12345.678}, {"a":100000000},
            {"a":-0.0001}, {"a":"xyz"}, {"a":true}, {}, {"b":2}]"#,
        );
        let ids: Vec<i64> = doc
            .as_array()
            .unwrap()
            .iter()
            .map(|o| offset_of(&doc, o))
            .collect();
        assert_eq!(ids, [44, 68, 96, 120, 148, 172, 196, 212, 228, 232]);
        let doc = j(r#"{"a":{"b":1},"c":[{"d":2}]}"#);
        assert_eq!(offset_of(&doc, &j(r#"{"b":1}"#)), 24);
        assert_eq!(offset_of(&doc, &j(r#"{"d":2}"#)), 56);
    }
}
