//! `to_date(text, format)`, `to_timestamp(text, format)` (and
//! `to_timestamp(epoch seconds)`) and
//! `to_number(text, format)`: text read back with the template patterns of
//! `to_char` (PostgreSQL's formatting.c calls this direction from_char).
//!
//! Dates: YYYY YYY YY Y, MM, DD, DDD, HH HH12 HH24, MI, SS, MS, US, AM/PM,
//! Mon/Month (any case), the FM and FX prefixes (ignored), "quoted text";
//! any other template character skips one input character, and spaces
//! before numbers are skipped, as PostgreSQL does outside FX mode.
//! Numbers: the digits, sign and decimal point (D or `.`), group separators
//! and other template characters dropped.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use rusqlite::Connection;

use super::{error, pure};
use crate::sql::decode::text::timestamp_value;
use crate::sql::encode::datetime::{self, Stamp};
use crate::sql::encode::datetime_input::FULL_MONTHS as MONTHS;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("to_date", 2, pure(), |ctx| {
        let (Some(s), Some(fmt)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        Ok(Some(parse(&s, &fmt)?.date().to_string()))
    })?;
    conn.create_scalar_function("pg_to_timestamp", 2, pure(), |ctx| {
        let (Some(s), Some(fmt)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        datetime::usecs_of_naive(parse(&s, &fmt)?)
            .and_then(|us| timestamp_value(Stamp::At(us)))
            .map(Some)
            .ok_or_else(|| error("22008", "timestamp out of range"))
    })?;
    // to_timestamp(epoch seconds): the stored text of that instant (UTC),
    // as a timestamptz column holds it, so it compares equal to one.
    conn.create_scalar_function("pg_to_timestamp", 1, pure(), |ctx| {
        let Some(secs) = super::float_ops::operand(ctx, 0)? else {
            return Ok(None);
        };
        if secs.is_nan() {
            return Err(error("22008", "timestamp cannot be NaN"));
        }
        let at = if secs == f64::INFINITY {
            Some(Stamp::PosInf)
        } else if secs == f64::NEG_INFINITY {
            Some(Stamp::NegInf)
        } else {
            datetime::usecs_of_unix_f64(secs).map(Stamp::At)
        };
        at.and_then(timestamp_value).map(Some).ok_or_else(|| {
            error(
                "22008",
                format!(
                    "timestamp out of range: \"{}\"",
                    ryu::Buffer::new().format(secs)
                ),
            )
        })
    })?;
    conn.create_scalar_function("to_number", 2, pure(), |ctx| {
        let (Some(s), Some(fmt)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        number(&s, &fmt).map(Some)
    })?;
    Ok(())
}

#[derive(Default)]
struct Fields {
    year: Option<i32>,
    month: Option<u32>,
    day: Option<u32>,
    day_of_year: Option<u32>,
    hour: u32,
    minute: u32,
    second: u32,
    micros: u32,
    pm: Option<bool>,
}

fn invalid(s: &str) -> rusqlite::Error {
    error(
        "22007",
        format!("invalid value \"{s}\" for the date/time format"),
    )
}

/// Reads `s` by the template `fmt`.
fn parse(s: &str, fmt: &str) -> rusqlite::Result<NaiveDateTime> {
    let input: Vec<char> = s.chars().collect();
    let mut pos = 0;
    let mut f = Fields::default();
    let mut rest = fmt;
    while !rest.is_empty() {
        for prefix in ["FM", "fm", "FX", "fx"] {
            if let Some(r) = rest.strip_prefix(prefix) {
                rest = r;
            }
        }
        let upper = rest.to_ascii_uppercase();
        let digits = |max: usize, pos: &mut usize| -> rusqlite::Result<u32> {
            while input.get(*pos) == Some(&' ') {
                *pos += 1;
            }
            let start = *pos;
            while *pos < input.len() && *pos - start < max && input[*pos].is_ascii_digit() {
                *pos += 1;
            }
            let text: String = input[start..*pos].iter().collect();
            text.parse::<u32>().map_err(|_| invalid(s))
        };
        let token = [
            "YYYY", "YYY", "YY", "Y", "MONTH", "MON", "MM", "DDD", "DD", "HH24", "HH12", "HH",
            "MI", "SS", "MS", "US", "AM", "PM", "A.M.", "P.M.",
        ]
        .into_iter()
        .find(|t| upper.starts_with(t));
        match token {
            Some(t @ ("YYYY" | "YYY" | "YY" | "Y")) => {
                let n = digits(t.len(), &mut pos)? as i32;
                f.year = Some(match t.len() {
                    // Two digits: the year nearest 2020, as PostgreSQL.
                    2 if n < 70 => 2000 + n,
                    2 => 1900 + n,
                    3 => 2000 + n,
                    1 => 2000 + n,
                    _ => n,
                });
                rest = &rest[t.len()..];
            }
            Some(t @ ("MONTH" | "MON")) => {
                let word: String = input[pos..]
                    .iter()
                    .take_while(|c| c.is_alphabetic())
                    .collect::<String>()
                    .to_lowercase();
                let m = MONTHS
                    .iter()
                    .position(|name| {
                        if t == "MON" {
                            word.len() >= 3 && name.starts_with(&word[..3])
                        } else {
                            *name == word
                        }
                    })
                    .ok_or_else(|| invalid(s))?;
                f.month = Some(m as u32 + 1);
                pos += if t == "MON" { 3 } else { word.chars().count() };
                rest = &rest[t.len()..];
            }
            Some(t) => {
                match t {
                    "MM" => f.month = Some(digits(2, &mut pos)?),
                    "DDD" => f.day_of_year = Some(digits(3, &mut pos)?),
                    "DD" => f.day = Some(digits(2, &mut pos)?),
                    "HH24" | "HH12" | "HH" => f.hour = digits(2, &mut pos)?,
                    "MI" => f.minute = digits(2, &mut pos)?,
                    "SS" => f.second = digits(2, &mut pos)?,
                    // Fractions: the digits read are the leading ones
                    // (`SS.MS` of `00.25` is 250 ms), as PostgreSQL's.
                    "MS" | "US" => {
                        let width = if t == "MS" { 3 } else { 6 };
                        let start = pos;
                        let n = digits(width, &mut pos)?;
                        let read = input[start..pos].iter().filter(|c| c.is_ascii_digit());
                        let shift = width - read.count();
                        f.micros = n * 10u32.pow(shift as u32) * if t == "MS" { 1000 } else { 1 };
                    }
                    _ => {
                        let word: String = input[pos..]
                            .iter()
                            .take(t.len())
                            .collect::<String>()
                            .to_ascii_uppercase();
                        f.pm = Some(word.starts_with('P'));
                        pos += t.len();
                    }
                }
                rest = &rest[t.len()..];
            }
            None => {
                let c = rest.chars().next().unwrap_or_default();
                if c == '"' {
                    // Quoted text: skip as many input characters.
                    let end = rest[1..].find('"').map_or(rest.len(), |i| i + 2);
                    pos += rest[1..end.saturating_sub(1).max(1)].chars().count();
                    rest = &rest[end.min(rest.len())..];
                    continue;
                }
                if pos < input.len() && !input[pos].is_ascii_digit() {
                    pos += 1;
                }
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    let year = f.year.unwrap_or(1);
    let date = match (f.day_of_year, f.month, f.day) {
        (Some(doy), None, None) => NaiveDate::from_yo_opt(year, doy),
        _ => NaiveDate::from_ymd_opt(year, f.month.unwrap_or(1), f.day.unwrap_or(1)),
    }
    .ok_or_else(|| {
        error(
            "22008",
            format!("date/time field value out of range: \"{s}\""),
        )
    })?;
    let hour = match f.pm {
        Some(true) if f.hour < 12 => f.hour + 12,
        Some(false) if f.hour == 12 => 0,
        _ => f.hour,
    };
    let time =
        NaiveTime::from_hms_micro_opt(hour, f.minute, f.second, f.micros).ok_or_else(|| {
            error(
                "22008",
                format!("date/time field value out of range: \"{s}\""),
            )
        })?;
    Ok(NaiveDateTime::new(date, time))
}

/// `to_number`: the digits, sign and decimal point of `s`. A minus before
/// or after the digits (S, MI) or angle brackets (PR) make it negative.
fn number(s: &str, fmt: &str) -> rusqlite::Result<String> {
    let point = fmt.contains(['D', 'd', '.']);
    let bracketed = fmt.to_ascii_uppercase().contains("PR");
    let negative = s.contains('-') || bracketed && s.trim_start().starts_with('<');
    let mut out = String::from(if negative { "-" } else { "" });
    let mut seen_point = false;
    for c in s.chars() {
        match c {
            '0'..='9' => out.push(c),
            '.' if point && !seen_point => {
                seen_point = true;
                out.push('.');
            }
            _ => {}
        }
    }
    if !out.bytes().any(|b| b.is_ascii_digit()) {
        return Err(error(
            "22P02",
            format!("invalid input syntax for type numeric: \"{s}\""),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{number, parse};

    #[test]
    fn dates_and_numbers_read_by_template() {
        let t = |s: &str, f: &str| parse(s, f).unwrap().to_string();
        assert_eq!(t("2024-05-17", "YYYY-MM-DD"), "2024-05-17 00:00:00");
        assert_eq!(t("17 May 2024", "DD Mon YYYY"), "2024-05-17 00:00:00");
        assert_eq!(
            t("05/17/24 3:04 PM", "MM/DD/YY HH12:MI AM"),
            "2024-05-17 15:04:00"
        );
        assert_eq!(t("20240517", "YYYYMMDD"), "2024-05-17 00:00:00");
        assert!(parse("2024-13-01", "YYYY-MM-DD").is_err());
        assert_eq!(number("12,454.8", "99G999D9").unwrap(), "12454.8");
        assert_eq!(number("-1,000", "S9,999").unwrap(), "-1000");
        assert_eq!(number("12,454.8-", "99G999D9S").unwrap(), "-12454.8");
        assert_eq!(number("<12>", "99PR").unwrap(), "-12");
        assert!(number("abc", "999").is_err());
    }
}
