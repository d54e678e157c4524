//! `to_char(timestamp|date, format)` and `to_char(number, format)` with
//! PostgreSQL's common template patterns.
//!
//! Date/time: YYYY YYY YY Y, MM, DD, DDD, D, HH HH12 HH24, MI, SS, MS, US,
//! AM PM A.M. P.M. (and lower case), Month MONTH month, Mon MON mon,
//! Day DAY day, Dy DY dy, Q, IW, WW, J, TZ tz (UTC), the FM prefix, "quoted
//! text" and backslash escapes; anything else is copied. Times are UTC, as
//! the server's TimeZone. Numbers: see `to_char_number`.

use chrono::{Datelike, NaiveDateTime, Timelike};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::{error, pure, to_char_number};
use crate::sql::encode::datetime::{naive_of_usecs, parse_timestamp, Stamp};
use crate::sql::encode::interval::Interval;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("to_char", 2, pure(), |ctx| {
        let Some(fmt) = ctx.get::<Option<String>>(1)? else {
            return Ok(None);
        };
        Ok(match ctx.get_raw(0) {
            ValueRef::Null => None,
            ValueRef::Integer(i) => Some(to_char_number::to_char(&i.to_string(), &fmt)?),
            ValueRef::Real(f) => Some(to_char_number::to_char(&decimal(f), &fmt)?),
            ValueRef::Text(t) => {
                let s = String::from_utf8_lossy(t);
                if let Some(ts) = timestamp(&s) {
                    Some(datetime(ts, &fmt))
                } else if let Some(iv) =
                    Interval::parse(&s).filter(|_| s.trim().parse::<f64>().is_err())
                {
                    Some(clock(&Clock::of_interval(iv), &fmt))
                } else if let Ok(f) = s.trim().parse::<f64>() {
                    // A numeric's exact text, unless written with an exponent.
                    let plain = s
                        .trim()
                        .bytes()
                        .all(|b| b.is_ascii_digit() || b"+-.".contains(&b));
                    let text = if plain {
                        s.trim().to_owned()
                    } else {
                        decimal(f)
                    };
                    Some(to_char_number::to_char(&text, &fmt)?)
                } else {
                    return Err(error(
                        "22007",
                        format!("invalid input syntax for type timestamp: \"{s}\""),
                    ));
                }
            }
            ValueRef::Blob(_) => {
                return Err(error("42883", "function to_char(bytea) does not exist"))
            }
        })
    })?;
    // to_char(local wall-clock time, fmt, type): the translation says
    // whether the value was a timestamptz (its `TZ` is the session zone's
    // abbreviation there) or not (`TZ` prints nothing), as PostgreSQL's.
    conn.create_scalar_function("to_char", 3, pure(), |ctx| {
        let (Some(s), Some(fmt)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        let Some(ts) = timestamp(&s) else {
            return Err(error(
                "22007",
                format!("invalid input syntax for type timestamp: \"{s}\""),
            ));
        };
        let zoned = ctx.get::<Option<String>>(2)?.as_deref() == Some("timestamptz");
        let mut c = Clock::of(ts);
        c.zone = Some(if zoned {
            crate::sql::zone::current().abbreviation_at_local(&ts)
        } else {
            String::new()
        });
        Ok(Some(clock(&c, &fmt)))
    })?;
    Ok(())
}

/// A double as the decimal it stands for (`2.675`, not its binary value).
fn decimal(f: f64) -> String {
    crate::sql::encode::numeric::Numeric::from_f64_decimal(f).to_text()
}

fn timestamp(s: &str) -> Option<NaiveDateTime> {
    let Stamp::At(us) = parse_timestamp(s, true)? else {
        return None;
    };
    naive_of_usecs(us)
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// Case as the pattern was written: `Month` → capitalised, `MONTH` → upper, `month` → lower.
fn cased(word: &str, pattern: &str) -> String {
    let mut chars = pattern.chars();
    let first_upper = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    let second_upper = chars.next().is_some_and(|c| c.is_ascii_uppercase());
    match (first_upper, second_upper) {
        (true, true) => word.to_ascii_uppercase(),
        (true, false) => word.to_owned(),
        _ => word.to_ascii_lowercase(),
    }
}

/// The fields a template prints: a timestamp's, or an interval's (hours
/// past 23 and no calendar: week and weekday patterns print zero).
struct Clock {
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    micros: i64,
    at: Option<NaiveDateTime>,
    /// What `TZ` prints: the session zone's abbreviation for a timestamptz,
    /// nothing for a timestamp; `None` when the caller did not say which
    /// (`UTC`).
    zone: Option<String>,
}

impl Clock {
    fn of(t: NaiveDateTime) -> Clock {
        Clock {
            year: t.year().into(),
            month: t.month().into(),
            day: t.day().into(),
            hour: t.hour().into(),
            minute: t.minute().into(),
            second: t.second().into(),
            micros: (t.nanosecond() / 1_000).into(),
            at: Some(t),
            zone: None,
        }
    }

    /// PostgreSQL splits an interval into years, months, days and a time.
    fn of_interval(iv: Interval) -> Clock {
        let usecs = iv.usecs;
        Clock {
            year: (iv.months / 12).into(),
            month: (iv.months % 12).into(),
            day: iv.days.into(),
            hour: usecs / 3_600_000_000,
            minute: usecs / 60_000_000 % 60,
            second: usecs / 1_000_000 % 60,
            micros: usecs % 1_000_000,
            at: None,
            zone: None,
        }
    }

    fn calendar(&self, f: impl Fn(&NaiveDateTime) -> i64) -> i64 {
        self.at.as_ref().map_or(0, f)
    }
}

fn datetime(t: NaiveDateTime, fmt: &str) -> String {
    clock(&Clock::of(t), fmt)
}

fn clock(t: &Clock, fmt: &str) -> String {
    let mut out = String::with_capacity(fmt.len() + 8);
    let b = fmt.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let rest = &fmt[i..];
        let fm = rest.len() >= 2 && rest[..2].eq_ignore_ascii_case("FM");
        let (pat_start, rest) = if fm {
            (i + 2, &fmt[i + 2..])
        } else {
            (i, rest)
        };
        let num = |out: &mut String, v: i64, width: usize| {
            if fm {
                out.push_str(&v.to_string());
            } else {
                out.push_str(&format!("{v:0width$}"));
            }
        };
        let word = |out: &mut String, w: &str, pat: &str, pad: usize| {
            let w = cased(w, pat);
            if fm || pad == 0 {
                out.push_str(&w);
            } else {
                out.push_str(&format!("{w:<pad$}"));
            }
        };
        // Longest patterns first.
        let pats: &[&str] = &[
            "IYYY", "IDDD", "HH24", "HH12", "YYYY", "MONTH", "Month", "month", "A.M.", "P.M.",
            "a.m.", "p.m.", "YYY", "MON", "Mon", "mon", "DAY", "Day", "day", "DDD", "MS", "US",
            "HH", "MI", "SS", "IYY", "YY", "MM", "DD", "DY", "Dy", "dy", "AM", "PM", "am", "pm",
            "IW", "WW", "TZ", "tz", "IY", "ID", "Y", "D", "Q", "J",
        ];
        let at = out.len();
        let Some(p) = pats.iter().find(|p| rest.starts_with(**p)) else {
            if fm {
                i += 2;
                continue;
            }
            let c = rest.chars().next().expect("not at the end");
            if c == '"' {
                // Quoted literal text.
                let end = rest[1..].find('"').map_or(rest.len(), |e| e + 2);
                out.push_str(rest[1..end].trim_end_matches('"'));
                i += end;
            } else if c == '\\' && rest.len() > 1 {
                let next = rest[1..].chars().next().expect("checked");
                out.push(next);
                i += 1 + next.len_utf8();
            } else {
                out.push(c);
                i += c.len_utf8();
            }
            continue;
        };
        let hour12 = match t.hour % 12 {
            0 => 12,
            h => h,
        };
        let pm = t.hour >= 12;
        let month_name = usize::try_from(t.month - 1)
            .ok()
            .and_then(|m| MONTHS.get(m))
            .copied()
            .unwrap_or("");
        let weekday = t.calendar(|d| d.weekday().num_days_from_sunday().into());
        match *p {
            "YYYY" => num(&mut out, t.year, 4),
            "YYY" => num(&mut out, t.year % 1000, 3),
            "YY" => num(&mut out, t.year % 100, 2),
            "Y" => num(&mut out, t.year % 10, 1),
            "MM" => num(&mut out, t.month, 2),
            "DD" => num(&mut out, t.day, 2),
            "DDD" => num(&mut out, t.calendar(|d| d.ordinal().into()), 3),
            "D" => num(&mut out, weekday + 1, 1),
            "HH24" => num(&mut out, t.hour, 2),
            "HH12" | "HH" => num(&mut out, hour12, 2),
            "MI" => num(&mut out, t.minute, 2),
            "SS" => num(&mut out, t.second, 2),
            "MS" => num(&mut out, t.micros / 1_000, 3),
            "US" => num(&mut out, t.micros, 6),
            "Q" => num(&mut out, (t.month - 1).max(0) / 3 + 1, 1),
            "IW" => num(&mut out, t.calendar(|d| d.iso_week().week().into()), 2),
            // ISO 8601 week-numbering year, day of week (Monday 1) and day
            // of that year.
            "IYYY" => num(&mut out, t.calendar(|d| d.iso_week().year().into()), 4),
            "IYY" => num(
                &mut out,
                t.calendar(|d| (d.iso_week().year() % 1000).into()),
                3,
            ),
            "IY" => num(
                &mut out,
                t.calendar(|d| (d.iso_week().year() % 100).into()),
                2,
            ),
            "ID" => num(
                &mut out,
                t.calendar(|d| d.weekday().number_from_monday().into()),
                1,
            ),
            "IDDD" => num(
                &mut out,
                t.calendar(|d| {
                    (i64::from(d.iso_week().week()) - 1) * 7
                        + i64::from(d.weekday().number_from_monday())
                }),
                3,
            ),
            "WW" => num(
                &mut out,
                t.calendar(|d| ((d.ordinal() - 1) / 7 + 1).into()),
                2,
            ),
            "J" => num(
                &mut out,
                t.calendar(|d| i64::from(d.date().num_days_from_ce()) + 1_721_425),
                1,
            ),
            "AM" | "PM" => out.push_str(if pm { "PM" } else { "AM" }),
            "am" | "pm" => out.push_str(if pm { "pm" } else { "am" }),
            "A.M." | "P.M." => out.push_str(if pm { "P.M." } else { "A.M." }),
            "a.m." | "p.m." => out.push_str(if pm { "p.m." } else { "a.m." }),
            "MONTH" | "Month" | "month" => word(&mut out, month_name, p, 9),
            "MON" | "Mon" | "mon" => word(&mut out, month_name.get(..3).unwrap_or(""), p, 0),
            "DAY" | "Day" | "day" if t.at.is_some() => word(&mut out, DAYS[weekday as usize], p, 9),
            "DY" | "Dy" | "dy" if t.at.is_some() => {
                word(&mut out, &DAYS[weekday as usize][..3], p, 0)
            }
            "TZ" => out.push_str(t.zone.as_deref().unwrap_or("UTC")),
            "tz" => out.push_str(&t.zone.as_deref().unwrap_or("UTC").to_lowercase()),
            _ => {}
        }
        i = pat_start + p.len();
        // `DDth`, `MMTH`: the ordinal suffix of the number just written.
        let suffix = fmt.get(i..i + 2).filter(|s| *s == "TH" || *s == "th");
        if let Some(th) = suffix {
            let written = &out[at..];
            let digits =
                written.len() - written.trim_end_matches(|c: char| c.is_ascii_digit()).len();
            if digits > 0 {
                let ordinal =
                    super::to_char_number::ordinal_suffix(&written[written.len() - digits..]);
                out.push_str(&if th == "TH" {
                    ordinal.to_ascii_uppercase()
                } else {
                    ordinal.to_owned()
                });
                i += 2;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str, f: &str) -> String {
        datetime(timestamp(s).unwrap(), f)
    }

    #[test]
    fn dates_as_postgres_prints_them() {
        let t = "2024-05-07 13:04:05";
        assert_eq!(dt(t, "YYYY-MM-DD"), "2024-05-07");
        assert_eq!(dt(t, "YYYY-MM-DD HH24:MI:SS"), "2024-05-07 13:04:05");
        assert_eq!(dt(t, "DD/MM/YYYY"), "07/05/2024");
        assert_eq!(dt(t, "HH12:MI AM"), "01:04 PM");
        assert_eq!(dt(t, "Mon DD, YYYY"), "May 07, 2024");
        assert_eq!(dt(t, "Month"), "May      ");
        assert_eq!(dt(t, "FMMonth"), "May");
        assert_eq!(dt(t, "Day"), "Tuesday  ");
        assert_eq!(dt(t, "YYYYMMDD"), "20240507");
        // Ordinal suffixes after a number (TH upper case, th lower).
        assert_eq!(dt("2024-03-01", "DDth"), "01st");
        assert_eq!(dt("2024-03-22", "DDTH of MMth"), "22ND of 03rd");
        assert_eq!(dt("2024-03-13", "FMDDth"), "13th");
        assert_eq!(dt("2024-03-23", "FMDDth Month"), "23rd March    ");
        assert_eq!(dt(t, "\"Q\"Q YYYY"), "Q2 2024");
        assert_eq!(dt(t, "FMDD.FMMM"), "7.5");
    }

    #[test]
    fn intervals_as_postgres_prints_them() {
        let iv = |s: &str, f: &str| clock(&Clock::of_interval(Interval::parse(s).unwrap()), f);
        assert_eq!(iv("15:02:12", "HH24:MI:SS"), "15:02:12");
        assert_eq!(
            iv("3 days 4 hours", "DD \"days\" HH24 \"hours\""),
            "03 days 04 hours"
        );
        assert_eq!(iv("1 year 2 months", "YYYY-MM"), "0001-02");
        assert_eq!(iv("50 hours", "HH24"), "50");
    }
}
