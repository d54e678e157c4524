//! Text forms of typed literals (`'...'::type`, `type '...'`) in the storage
//! conventions the value encoder expects.

use super::error::other;
use super::TranslateError;
use crate::sql::pgtype::{ArrayElem, PgType};

fn invalid(type_name: &str, text: &str) -> TranslateError {
    other(
        "22P02",
        format!("invalid input syntax for type {type_name}: \"{text}\""),
    )
}

/// PostgreSQL's boolean input forms (any unique prefix of true/false/yes/no,
/// on/off, 1/0), as stored: 1/0.
pub(super) fn boolean(text: &str) -> Result<bool, TranslateError> {
    let t = text.trim().to_ascii_lowercase();
    let prefix_of = |word: &str| !t.is_empty() && word.starts_with(t.as_str());
    if prefix_of("true") || prefix_of("yes") || t == "on" || t == "1" {
        Ok(true)
    } else if prefix_of("false") || prefix_of("no") || t == "off" || t == "of" || t == "0" {
        Ok(false)
    } else {
        Err(invalid("boolean", text))
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

/// A date literal as stored (`YYYY-MM-DD`): ISO text, else any of
/// PostgreSQL's input forms (`1/8/1999`, `January 8, 1999`).
pub(super) fn date(text: &str) -> Result<String, TranslateError> {
    iso_date(text).or_else(|e| {
        general(text, e, |s| {
            let d = crate::sql::encode::datetime::parse_date(s)?;
            let mut out = bytes::BytesMut::new();
            crate::sql::encode::datetime::write_date(&mut out, d);
            Some(out)
        })
    })
}

/// A time literal as stored (`HH:MM:SS[.f]`), as [`date`] reads it.
pub(super) fn time(text: &str) -> Result<String, TranslateError> {
    iso_time(text).or_else(|e| {
        general(text, e, |s| {
            let us = crate::sql::encode::datetime::parse_time(s)?;
            let mut out = bytes::BytesMut::new();
            crate::sql::encode::datetime::write_time(&mut out, us);
            Some(out)
        })
    })
}

/// A timestamp literal as stored, as [`date`] reads it: wall-clock text
/// for `timestamp`, UTC for `timestamptz` (`None` when it names no zone:
/// the session's zone applies when the statement runs).
pub(super) fn timestamp(text: &str, pg: PgType) -> Result<Option<String>, TranslateError> {
    iso_timestamp(text, pg).or_else(|e| {
        let tz = pg == PgType::Timestamptz;
        if tz && !has_offset(text) {
            let valid = |s: &str| {
                crate::sql::encode::datetime::parse_timestamp(s, false).map(|_| Default::default())
            };
            return general(text, e, valid).map(|_| None);
        }
        general(text, e, |s| {
            let ts = crate::sql::encode::datetime::parse_timestamp(s, tz)?;
            let mut out = bytes::BytesMut::new();
            crate::sql::encode::datetime::write_timestamp(&mut out, ts, false).then_some(out)
        })
        .map(Some)
    })
}

/// Text the ISO readers refused, read by the storage parsers (which take
/// PostgreSQL's every input form); `iso_error` stands when they refuse it
/// too, or 22008 when a field is out of range. Words whose value depends on
/// when the statement runs (`now`, `today`) are never folded here: the
/// translation is cached.
fn general(
    text: &str,
    iso_error: TranslateError,
    read: impl Fn(&str) -> Option<bytes::BytesMut>,
) -> Result<String, TranslateError> {
    use crate::sql::encode::datetime_input::{decode, Fault};
    let lower = text.to_ascii_lowercase();
    if ["now", "today", "tomorrow", "yesterday"]
        .iter()
        .any(|w| lower.contains(w))
    {
        return Err(iso_error);
    }
    match read(text) {
        Some(out) => Ok(String::from_utf8_lossy(&out).into_owned()),
        None if decode(text) == Err(Fault::Range) => Err(other(
            "22008",
            format!("date/time field value out of range: \"{text}\""),
        )),
        None => Err(iso_error),
    }
}

/// `YYYY-MM-DD`; a time of day after it is ignored, as PostgreSQL does.
fn iso_date(text: &str) -> Result<String, TranslateError> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("epoch") {
        return Ok("1970-01-01".into());
    }
    let t = t.split_once([' ', 'T']).map_or(t, |(day, _)| day);
    let mut parts = t.splitn(3, '-');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(y), Some(m), Some(d)) if digits(y, 4) && digits(m, 2) && digits(d, 2) => {
            if chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d").is_err() {
                return Err(other(
                    "22008",
                    format!("date/time field value out of range: \"{text}\""),
                ));
            }
            Ok(t.to_string())
        }
        _ => Err(other(
            "22007",
            format!("invalid input syntax for type date: \"{text}\""),
        )),
    }
}

/// `HH:MM:SS[.ffffff]` (seconds default to `00`).
fn iso_time(text: &str) -> Result<String, TranslateError> {
    let t = text.trim();
    let err = || {
        other(
            "22007",
            format!("invalid input syntax for type time: \"{text}\""),
        )
    };
    let (hms, frac) = match t.split_once('.') {
        Some((hms, frac)) if !frac.is_empty() && frac.bytes().all(|b| b.is_ascii_digit()) => {
            (hms, Some(frac))
        }
        Some(_) => return Err(err()),
        None => (t, None),
    };
    let fields: Vec<&str> = hms.split(':').collect();
    let (h, m, s) = match fields.as_slice() {
        [h, m] => (*h, *m, "00"),
        [h, m, s] => (*h, *m, *s),
        _ => return Err(err()),
    };
    if !(digits(h, 2) && digits(m, 2) && digits(s, 2)) {
        return Err(err());
    }
    // Out of range fields (`24:00:01`, 22008) and fractions past
    // microseconds (rounded) are for the general reader.
    let field = |f: &str| f.parse::<u32>().unwrap_or(u32::MAX);
    if field(h) > 23 || field(m) > 59 || field(s) > 59 || frac.is_some_and(|f| f.len() > 6) {
        return Err(err());
    }
    Ok(match frac {
        Some(f) => format!("{h}:{m}:{s}.{}", &f[..f.len().min(6)]),
        None => format!("{h}:{m}:{s}"),
    })
}

/// A timestamp literal without time zone offset as `YYYY-MM-DD HH:MM:SS[.f]`.
/// Returns `None` when the text has an offset or a special value, which the
/// caller hands to SQLite's date functions instead.
/// `pg`: the literal's type (Timestamp or Timestamptz), for the message.
fn iso_timestamp(text: &str, pg: PgType) -> Result<Option<String>, TranslateError> {
    let t = text.trim();
    if t.eq_ignore_ascii_case("epoch") {
        return Ok(Some("1970-01-01 00:00:00".into()));
    }
    let (day, rest) = match t.find([' ', 'T']) {
        Some(i) => (&t[..i], t[i + 1..].trim()),
        None => (t, ""),
    };
    if iso_date(day).is_err() {
        return Err(other(
            "22007",
            format!(
                "invalid input syntax for type {}: \"{text}\"",
                crate::sql::encode::sql_name(pg)
            ),
        ));
    }
    if rest.is_empty() {
        return Ok(Some(format!("{day} 00:00:00")));
    }
    if rest.ends_with(['Z', 'z']) || rest.contains(['+', '-']) {
        return Ok(utc_from_offset(day, rest));
    }
    Ok(Some(format!("{day} {}", iso_time(rest)?)))
}

/// Whether timestamp text names its offset (`+02`, `-05:30`, `Z`, `UTC`)
/// after the date.
pub(super) fn has_offset(text: &str) -> bool {
    // Text the storage parser does not read (epoch, infinity) has none.
    crate::sql::encode::datetime::has_zone(text).unwrap_or_default()
}

/// `HH:MM[:SS[.f]]` followed by `Z`, `+HH`, `+HH:MM` or `+HHMM` (PostgreSQL's
/// spellings; SQLite only knows `+HH:MM`), converted to UTC. `None` when the
/// text has another shape (left to SQLite's date functions).
fn utc_from_offset(day: &str, rest: &str) -> Option<String> {
    let (clock, sign, offset) = match rest.find(['+', '-', 'Z', 'z']) {
        Some(i) if rest[i..].eq_ignore_ascii_case("z") => (&rest[..i], 1, "00"),
        Some(i) => (
            &rest[..i],
            if rest.as_bytes()[i] == b'+' { 1 } else { -1 },
            &rest[i + 1..],
        ),
        None => return None,
    };
    let clock = iso_time(clock.trim()).ok()?;
    let digits: String = offset.chars().filter(|c| *c != ':').collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) || !matches!(digits.len(), 2 | 4) {
        return None;
    }
    let hours: i64 = digits[..2].parse().ok()?;
    let minutes: i64 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    let local = chrono::NaiveDateTime::parse_from_str(
        &format!("{day} {clock}"),
        if clock.contains('.') {
            "%Y-%m-%d %H:%M:%S%.f"
        } else {
            "%Y-%m-%d %H:%M:%S"
        },
    )
    .ok()?;
    let utc = local - chrono::Duration::minutes(sign * (hours * 60 + minutes));
    let frac = clock.split_once('.').map(|(_, f)| f);
    let base = utc.format("%Y-%m-%d %H:%M:%S").to_string();
    Some(match frac {
        Some(f) => format!("{base}.{f}"),
        None => base,
    })
}

/// Lower-case hyphenated form of a UUID written with or without hyphens/braces.
pub(super) fn uuid(text: &str) -> Result<String, TranslateError> {
    let t = text.trim();
    let inner = t
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .unwrap_or(t);
    let hex: String = inner.chars().filter(|c| *c != '-').collect();
    if hex.len() != 32 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(invalid("uuid", text));
    }
    let h = hex.to_ascii_lowercase();
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// Bytes of a `bytea` literal: hex format `\x0102` or the raw text.
pub(super) fn bytea_hex(text: &str) -> Result<String, TranslateError> {
    match text.strip_prefix("\\x") {
        Some(hex) if hex.len().is_multiple_of(2) && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(hex.to_ascii_uppercase())
        }
        Some(_) => Err(invalid("bytea", text)),
        None if text.contains('\\') => Err(other(
            "0A000",
            "bytea escape format with backslashes is not supported",
        )),
        None => Ok(text.bytes().map(|b| format!("{b:02X}")).collect()),
    }
}

/// A one-dimensional PostgreSQL array literal (`{a,"b c",NULL}`) as JSON text.
pub(super) fn array_json(text: &str, elem: ArrayElem) -> Result<String, TranslateError> {
    let t = text.trim();
    // A multi-dimensional literal (`{{1,2},{3,4}}`): nested JSON arrays.
    if t.strip_prefix('{')
        .is_some_and(|b| b.trim_start().starts_with('{'))
    {
        return crate::sql::decode::array::from_literal(t, elem)
            .map_err(|e| other(e.code, e.message));
    }
    let body = t
        .strip_prefix('{')
        .and_then(|s| s.strip_suffix('}'))
        .ok_or_else(|| other("22P02", format!("malformed array literal: \"{text}\"")))?;
    let mut items = Vec::new();
    for (raw, quoted) in array_items(body)
        .map_err(|()| other("22P02", format!("malformed array literal: \"{text}\"")))?
    {
        items.push(json_item(&raw, quoted, elem)?);
    }
    Ok(format!("[{}]", items.join(",")))
}

/// Splits the inside of `{...}` into items, undoing double quotes and
/// backslash escapes. Nested arrays are rejected.
fn array_items(body: &str) -> Result<Vec<(String, bool)>, ()> {
    let mut items = Vec::new();
    if body.trim().is_empty() {
        return Ok(items);
    }
    let mut chars = body.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut item = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            loop {
                match chars.next().ok_or(())? {
                    '"' => break,
                    '\\' => item.push(chars.next().ok_or(())?),
                    c => item.push(c),
                }
            }
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                match c {
                    ',' => break,
                    '{' | '}' | '"' => return Err(()),
                    '\\' => {
                        chars.next();
                        item.push(chars.next().ok_or(())?);
                        continue;
                    }
                    _ => item.push(c),
                }
                chars.next();
            }
            item = item.trim().to_string();
        }
        items.push((item, quoted));
        match chars.next() {
            None => return Ok(items),
            Some(',') => {}
            Some(_) => return Err(()),
        }
    }
}

fn json_item(raw: &str, quoted: bool, elem: ArrayElem) -> Result<String, TranslateError> {
    if !quoted && raw.eq_ignore_ascii_case("null") {
        return Ok("null".into());
    }
    Ok(match elem {
        ArrayElem::Int2 | ArrayElem::Int4 | ArrayElem::Int8 | ArrayElem::Oid => {
            let n: i64 = raw
                .parse()
                .map_err(|_| invalid(elem.scalar().name(), raw))?;
            n.to_string()
        }
        ArrayElem::Float4 | ArrayElem::Float8 | ArrayElem::Numeric => {
            let n: f64 = raw
                .parse()
                .map_err(|_| invalid(elem.scalar().name(), raw))?;
            if !n.is_finite() {
                return Err(invalid(elem.scalar().name(), raw));
            }
            raw.to_string()
        }
        ArrayElem::Bool => if boolean(raw)? { "true" } else { "false" }.into(),
        ArrayElem::Uuid => json_string(&uuid(raw)?),
        ArrayElem::Json | ArrayElem::Jsonb => raw.to_string(),
        _ => json_string(raw),
    })
}

fn json_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// An interval literal as a value: PostgreSQL's canonical text (printed
/// in PostgreSQL's style by the encoder), or 22007 as `interval_in` says.
pub(super) fn interval_value(text: &str) -> Result<String, TranslateError> {
    crate::sql::encode::interval::Interval::parse(text)
        .map(|iv| iv.to_text())
        .ok_or_else(|| {
            other(
                "22007",
                format!("invalid input syntax for type interval: \"{text}\""),
            )
        })
}

/// An interval literal (`'1 day'`, `'2 hours 30 minutes'`, `'-1 week'`) as
/// SQLite date modifiers (`'+1 days'`, ...). `negate` flips every sign, for
/// subtraction.
pub fn interval_modifiers(text: &str, negate: bool) -> Result<Vec<String>, TranslateError> {
    let unsupported = || other("0A000", format!("interval \"{text}\" is not supported"));
    let words: Vec<&str> = text.split_whitespace().collect();
    if words.is_empty() || !words.len().is_multiple_of(2) {
        return Err(unsupported());
    }
    let mut out = Vec::new();
    for pair in words.chunks(2) {
        let amount: f64 = pair[0].parse().map_err(|_| unsupported())?;
        let unit = pair[1].to_ascii_lowercase();
        let unit = unit.trim_end_matches('s');
        let (amount, unit) = match unit {
            "year" | "yr" | "y" => (amount, "years"),
            "mon" | "month" => (amount, "months"),
            "week" | "w" => (amount * 7.0, "days"),
            "day" | "d" => (amount, "days"),
            "hour" | "hr" | "h" => (amount, "hours"),
            "minute" | "min" | "m" => (amount, "minutes"),
            "second" | "sec" => (amount, "seconds"),
            _ => return Err(unsupported()),
        };
        let amount = if negate { -amount } else { amount };
        out.push(format!("{amount:+} {unit}"));
        // Month arithmetic clamps to the month's last day, as PostgreSQL's
        // (Jan 31 + 1 month = Feb 29), where SQLite would overflow into March.
        if unit == "years" || unit == "months" {
            out.push("floor".to_owned());
        }
    }
    Ok(out)
}
