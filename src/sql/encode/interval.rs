//! `interval` as PostgreSQL holds it (months, days, microseconds): parsing
//! PG's input syntaxes (postgres, SQL standard, ISO 8601) and printing in
//! the session's IntervalStyle. Stored values are always `postgres` style.

use bytes::{BufMut, BytesMut};

use super::datetime::{put_2, write_fraction, write_time, USECS_PER_DAY, USECS_PER_SEC};
use crate::sql::interval_style::{self, IntervalStyle};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Interval {
    pub months: i32,
    pub days: i32,
    pub usecs: i64,
}

impl Interval {
    pub fn from_secs_f64(secs: f64) -> Option<Interval> {
        let us = (secs * 1e6).round();
        (us.is_finite() && us.abs() < 9.2e18).then_some(Interval {
            usecs: us as i64,
            ..Default::default()
        })
    }

    pub fn from_secs(secs: i64) -> Option<Interval> {
        Some(Interval {
            usecs: secs.checked_mul(USECS_PER_SEC)?,
            ..Default::default()
        })
    }

    /// Parses PG's postgres-style syntax: `[@] {number unit | [+-]HH:MM[:SS]}...
    /// [ago]`, e.g. `1 year 2 mons -3 days +04:05:06.5`, `90 minutes`, `5`.
    /// Also ISO 8601 (`P1Y2M3DT4H5M6S`, `P0001-02-03T04:05:06`) and the
    /// SQL standard's `1-2` (years-months) and `3 4:05:06` (days time).
    pub fn parse(s: &str) -> Option<Interval> {
        if let Some(iso) = s.trim().strip_prefix('P') {
            return parse_iso8601(iso);
        }
        // Under the sql_standard style a leading minus with no other sign
        // negates every field (`-1 2:00:00` is -1 days -02:00:00).
        if interval_style::current() == IntervalStyle::SqlStandard {
            let mut fields = s.split_whitespace();
            if let Some(rest) = fields.next().and_then(|f| f.strip_prefix('-')) {
                if fields.clone().count() > 0 && !fields.any(|f| f.contains(['-', '+'])) {
                    let tail = s.trim_start().strip_prefix('-').unwrap_or(rest);
                    return interval_style::scoped(IntervalStyle::Postgres, || {
                        Interval::parse(tail)
                    })
                    .and_then(Interval::negated);
                }
            }
        }
        let mut acc = Acc::default();
        let mut tokens = s.split_whitespace().peekable();
        if tokens.peek() == Some(&"@") {
            tokens.next();
        }
        let mut any = false;
        let mut ago = false;
        while let Some(tok) = tokens.next() {
            if ago {
                return None;
            }
            // PostgreSQL's lexer joins a sign to the number after it across
            // spaces: `'1 month - 1 day'` is one month minus one day.
            let joined;
            let tok = if tok == "-" || tok == "+" {
                joined = format!("{tok}{}", tokens.next()?);
                joined.as_str()
            } else {
                tok
            };
            if tok.eq_ignore_ascii_case("ago") {
                ago = true;
                continue;
            }
            any = true;
            if let Some((years, months)) = year_month(tok) {
                acc.months += years * 12.0 + months;
                continue;
            }
            if tok.contains(':') {
                acc.usecs = acc.usecs.checked_add(parse_clock(tok)?)?;
                continue;
            }
            // A number, with its unit attached (`3days`) or as the next token.
            let split = tok
                .find(|c: char| c.is_ascii_alphabetic())
                .unwrap_or(tok.len());
            let (num, unit) = tok.split_at(split);
            let v: f64 = num.parse().ok().filter(|v: &f64| v.is_finite())?;
            let unit = if !unit.is_empty() {
                unit
            } else {
                match tokens.peek() {
                    Some(u)
                        if u.starts_with(|c: char| c.is_ascii_alphabetic())
                            && !u.eq_ignore_ascii_case("ago") =>
                    {
                        tokens.next().unwrap_or_default()
                    }
                    // The SQL standard's `days hh:mm:ss`.
                    Some(u) if u.contains(':') => "day",
                    _ => "s",
                }
            };
            acc.add(v, &unit.to_ascii_lowercase())?;
        }
        if !any {
            return None;
        }
        let iv = acc.finish()?;
        if ago {
            iv.negated()
        } else {
            Some(iv)
        }
    }

    /// Every field negated (`ago`); None when one would overflow.
    fn negated(self) -> Option<Interval> {
        Some(Interval {
            months: self.months.checked_neg()?,
            days: self.days.checked_neg()?,
            usecs: self.usecs.checked_neg()?,
        })
    }

    /// `interval_out` in the session's IntervalStyle (the client's view).
    pub fn write_text(self, out: &mut BytesMut) {
        match interval_style::current() {
            IntervalStyle::Postgres => self.write_postgres(out),
            IntervalStyle::Iso8601 => self.write_iso8601(out),
            IntervalStyle::SqlStandard => self.write_sql_standard(out),
            IntervalStyle::PostgresVerbose => self.write_verbose(out),
        }
    }

    /// `interval_out` with `IntervalStyle = postgres`: the stored form.
    fn write_postgres(self, out: &mut BytesMut) {
        let mut is_zero = true;
        let mut is_before = false;
        let parts = [
            (self.months / 12, "year"),
            (self.months % 12, "mon"),
            (self.days, "day"),
        ];
        for (value, unit) in parts {
            if value == 0 {
                continue;
            }
            if !is_zero {
                out.put_u8(b' ');
            }
            if is_before && value > 0 {
                out.put_u8(b'+');
            }
            put_int(out, value as i64);
            out.put_u8(b' ');
            out.put_slice(unit.as_bytes());
            if value != 1 {
                out.put_u8(b's');
            }
            is_before = value < 0;
            is_zero = false;
        }
        if is_zero || self.usecs != 0 {
            if !is_zero {
                out.put_u8(b' ');
            }
            if self.usecs < 0 {
                out.put_u8(b'-');
            } else if is_before {
                out.put_u8(b'+');
            }
            // unsigned_abs keeps i64::MIN from overflowing.
            write_time(out, self.usecs.unsigned_abs().min(i64::MAX as u64) as i64);
        }
    }

    /// The stored (`postgres` style) text, whatever the session's style.
    pub fn to_text(self) -> String {
        let mut b = BytesMut::new();
        self.write_postgres(&mut b);
        String::from_utf8_lossy(&b).into_owned()
    }

    /// PostgreSQL's fields: years, months, days, hours, minutes, seconds
    /// and microseconds, each carrying its part's sign.
    fn fields(self) -> Fields {
        let t = self.usecs;
        Fields {
            year: (self.months / 12) as i64,
            mon: (self.months % 12) as i64,
            day: self.days as i64,
            hour: t / (3600 * USECS_PER_SEC),
            min: (t / (60 * USECS_PER_SEC)) % 60,
            sec: (t / USECS_PER_SEC) % 60,
            fsec: t % USECS_PER_SEC,
        }
    }

    /// `IntervalStyle = iso_8601`: `P1Y2M3DT4H5M6.5S`, `PT0S` for zero.
    fn write_iso8601(self, out: &mut BytesMut) {
        let f = self.fields();
        if self == Interval::default() {
            out.put_slice(b"PT0S");
            return;
        }
        out.put_u8(b'P');
        let part = |out: &mut BytesMut, v: i64, unit: u8| {
            if v != 0 {
                put_int(out, v);
                out.put_u8(unit);
            }
        };
        part(out, f.year, b'Y');
        part(out, f.mon, b'M');
        part(out, f.day, b'D');
        if f.hour != 0 || f.min != 0 || f.sec != 0 || f.fsec != 0 {
            out.put_u8(b'T');
        }
        part(out, f.hour, b'H');
        part(out, f.min, b'M');
        if f.sec != 0 || f.fsec != 0 {
            if f.sec < 0 || f.fsec < 0 {
                out.put_u8(b'-');
            }
            put_seconds(out, f.sec, f.fsec, false);
            out.put_u8(b'S');
        }
    }

    /// `IntervalStyle = sql_standard`: `1-2`, `3 4:05:06`, and every sign
    /// spelled out (`+1-2 +3 +4:05:06`) when the parts mix kinds or signs.
    fn write_sql_standard(self, out: &mut BytesMut) {
        let mut f = self.fields();
        let all = [f.year, f.mon, f.day, f.hour, f.min, f.sec, f.fsec];
        let has_negative = all.iter().any(|&v| v < 0);
        let has_positive = all.iter().any(|&v| v > 0);
        let has_year_month = f.year != 0 || f.mon != 0;
        let has_day_time = all[2..].iter().any(|&v| v != 0);
        let standard = !(has_negative && has_positive || has_year_month && has_day_time);
        if has_negative && standard {
            out.put_u8(b'-');
            f = Fields {
                year: -f.year,
                mon: -f.mon,
                day: -f.day,
                hour: -f.hour,
                min: -f.min,
                sec: -f.sec,
                fsec: -f.fsec,
            };
        }
        let clock = |out: &mut BytesMut, f: &Fields| {
            put_int(out, f.hour.abs());
            out.put_u8(b':');
            put_2(out, f.min.unsigned_abs() as u32);
            out.put_u8(b':');
            put_seconds(out, f.sec, f.fsec, true);
        };
        if !has_negative && !has_positive {
            out.put_u8(b'0');
        } else if !standard {
            let sign = |neg: bool| if neg { b'-' } else { b'+' };
            out.put_u8(sign(f.year < 0 || f.mon < 0));
            put_int(out, f.year.abs());
            out.put_u8(b'-');
            put_int(out, f.mon.abs());
            out.put_u8(b' ');
            out.put_u8(sign(f.day < 0));
            put_int(out, f.day.abs());
            out.put_u8(b' ');
            out.put_u8(sign(f.hour < 0 || f.min < 0 || f.sec < 0 || f.fsec < 0));
            clock(out, &f);
        } else if has_year_month {
            put_int(out, f.year);
            out.put_u8(b'-');
            put_int(out, f.mon);
        } else {
            if f.day != 0 {
                put_int(out, f.day);
                out.put_u8(b' ');
            }
            clock(out, &f);
        }
    }

    /// `IntervalStyle = postgres_verbose`: `@ 1 day -2 hours ago`.
    fn write_verbose(self, out: &mut BytesMut) {
        let f = self.fields();
        out.put_u8(b'@');
        let mut is_zero = true;
        let mut is_before = false;
        for (value, unit) in [
            (f.year, "year"),
            (f.mon, "mon"),
            (f.day, "day"),
            (f.hour, "hour"),
            (f.min, "min"),
        ] {
            if value == 0 {
                continue;
            }
            // The first part's sign becomes "ago"; later parts print
            // relative to it.
            let value = if is_zero {
                is_before = value < 0;
                value.abs()
            } else if is_before {
                -value
            } else {
                value
            };
            out.put_u8(b' ');
            put_int(out, value);
            out.put_u8(b' ');
            out.put_slice(unit.as_bytes());
            if value != 1 {
                out.put_u8(b's');
            }
            is_zero = false;
        }
        if f.sec != 0 || f.fsec != 0 {
            out.put_u8(b' ');
            if f.sec < 0 || (f.sec == 0 && f.fsec < 0) {
                if is_zero {
                    is_before = true;
                } else if !is_before {
                    out.put_u8(b'-');
                }
            } else if is_before {
                out.put_u8(b'-');
            }
            put_seconds(out, f.sec, f.fsec, false);
            out.put_slice(if f.sec.abs() != 1 || f.fsec != 0 {
                b" secs"
            } else {
                b" sec"
            });
            is_zero = false;
        }
        if is_zero {
            out.put_slice(b" 0");
        }
        if is_before {
            out.put_slice(b" ago");
        }
    }
}

struct Fields {
    year: i64,
    mon: i64,
    day: i64,
    hour: i64,
    min: i64,
    sec: i64,
    fsec: i64,
}

fn put_int(out: &mut BytesMut, v: i64) {
    out.put_slice(itoa::Buffer::new().format(v).as_bytes());
}

/// PostgreSQL's `AppendSeconds`: the seconds' magnitude (two digits when
/// `pad`), then the fraction without trailing zeros.
fn put_seconds(out: &mut BytesMut, sec: i64, fsec: i64, pad: bool) {
    if pad {
        put_2(out, sec.unsigned_abs() as u32);
    } else {
        put_int(out, sec.abs());
    }
    write_fraction(out, fsec.unsigned_abs() as u32);
}

/// The SQL standard's year-month field, `[+-]Y-M`: (years, months), both
/// carrying the sign.
fn year_month(tok: &str) -> Option<(f64, f64)> {
    let (neg, body) = match tok.as_bytes().first()? {
        b'-' => (true, &tok[1..]),
        b'+' => (false, &tok[1..]),
        _ => (false, tok),
    };
    let (y, m) = body.split_once('-')?;
    let (y, m) = (digits(y)? as f64, digits(m)? as f64);
    if m > 11.0 {
        return None;
    }
    Some(if neg { (-y, -m) } else { (y, m) })
}

/// ISO 8601's duration after its `P`: designators (`1Y2M3W4DT5H6M7.5S`,
/// any number signed or fractional) or the alternative format
/// (`0001-02-03T04:05:06`).
fn parse_iso8601(body: &str) -> Option<Interval> {
    let mut acc = Acc::default();
    let mut rest = body;
    let mut date_part = true;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        if date_part && rest.starts_with('T') {
            date_part = false;
            rest = &rest[1..];
            if rest.is_empty() {
                return None;
            }
            continue;
        }
        let len = rest
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && matches!(c, '-' | '+'))))
            .map_or(rest.len(), |(i, _)| i);
        let (num, after) = rest.split_at(len);
        let v: f64 = num.parse().ok().filter(|v: &f64| v.is_finite())?;
        let unit = after.chars().next();
        let unit = match (date_part, unit) {
            (true, Some('Y')) => "year",
            (true, Some('M')) => "month",
            (true, Some('W')) => "week",
            (true, Some('D')) => "day",
            (false, Some('H')) => "hour",
            (false, Some('M')) => "minute",
            (false, Some('S')) => "second",
            (true, Some('-')) => {
                // Alternative format: years-months-days, then maybe T time.
                let (date, time) = match rest.split_once('T') {
                    Some((d, t)) => (d, Some(t)),
                    None => (rest, None),
                };
                let mut parts = date.split('-');
                acc.add(digits(parts.next()?)? as f64, "year")?;
                acc.add(digits(parts.next()?)? as f64, "month")?;
                if let Some(d) = parts.next() {
                    acc.add(digits(d)? as f64, "day")?;
                }
                if parts.next().is_some() {
                    return None;
                }
                if let Some(t) = time {
                    acc.usecs = acc.usecs.checked_add(parse_clock(t)?)?;
                }
                return acc.finish();
            }
            (false, Some(':')) => {
                acc.usecs = acc.usecs.checked_add(parse_clock(rest)?)?;
                return acc.finish();
            }
            _ => return None,
        };
        acc.add(v, unit)?;
        rest = &after[1..];
    }
    acc.finish()
}

/// `[+-]H+:MM[:SS[.frac]]` as signed microseconds.
fn parse_clock(tok: &str) -> Option<i64> {
    let (neg, body) = match tok.as_bytes()[0] {
        b'-' => (true, &tok[1..]),
        b'+' => (false, &tok[1..]),
        _ => (false, tok),
    };
    let mut fields = body.split(':');
    let h: i64 = digits(fields.next()?)?;
    let m: i64 = digits(fields.next()?)?;
    let secs: f64 = match fields.next() {
        Some(s) if !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit() || c == b'.') => {
            s.parse().ok()?
        }
        Some(_) => return None,
        None => 0.0,
    };
    if fields.next().is_some() || m > 59 || secs >= 60.0 {
        return None;
    }
    let us = h
        .checked_mul(3600 * USECS_PER_SEC)?
        .checked_add(m * 60 * USECS_PER_SEC + (secs * 1e6).round() as i64)?;
    Some(if neg { -us } else { us })
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Running totals; fractions cascade down like PG's `DecodeInterval`.
#[derive(Default)]
struct Acc {
    months: f64,
    days: f64,
    usecs: i64,
}

impl Acc {
    fn add(&mut self, v: f64, unit: &str) -> Option<()> {
        // Time units accumulate in microseconds; an out-of-range total is
        // PostgreSQL's "interval out of range", never an overflow panic.
        let mut time = |scale: f64| -> Option<()> {
            let us = v * scale;
            if !us.is_finite() || us.abs() >= i64::MAX as f64 {
                return None;
            }
            self.usecs = self.usecs.checked_add(us.round() as i64)?;
            Some(())
        };
        match unit {
            "microsecond" | "microseconds" | "us" | "usec" | "usecs" | "useconds" => time(1.0)?,
            "millisecond" | "milliseconds" | "ms" | "msec" | "msecs" | "mseconds" => time(1e3)?,
            "second" | "seconds" | "sec" | "secs" | "s" => time(1e6)?,
            "minute" | "minutes" | "min" | "mins" | "m" => time(60e6)?,
            "hour" | "hours" | "hr" | "hrs" | "h" => time(3600e6)?,
            "day" | "days" | "d" => self.days += v,
            "week" | "weeks" | "w" => self.days += v * 7.0,
            "month" | "months" | "mon" | "mons" => self.months += v,
            "year" | "years" | "yr" | "yrs" | "y" => self.months += (v * 12.0).round(),
            "decade" | "decades" | "dec" | "decs" => self.months += (v * 120.0).round(),
            "century" | "centuries" | "c" => self.months += (v * 1200.0).round(),
            "millennium" | "millennia" | "mil" | "mils" => self.months += (v * 12000.0).round(),
            _ => return None,
        }
        Some(())
    }

    fn finish(self) -> Option<Interval> {
        // Fractional months become 30-day days; fractional days, time.
        let whole_months = self.months.trunc();
        let days = self.days + (self.months - whole_months) * 30.0;
        let whole_days = days.trunc();
        let extra_us = ((days - whole_days) * USECS_PER_DAY as f64).round() as i64;
        let months = whole_months as i64;
        let days = whole_days as i64;
        Some(Interval {
            months: i32::try_from(months).ok()?,
            days: i32::try_from(days).ok()?,
            usecs: self.usecs.checked_add(extra_us)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs and outputs as PostgreSQL 15 prints them.
    #[test]
    fn matches_pg15_output() {
        for (input, want) in [
            (
                "1 year 2 months 3 days 4 hours 5 minutes 6.789 seconds",
                "1 year 2 mons 3 days 04:05:06.789",
            ),
            ("-1 day 2 hours", "-1 days +02:00:00"),
            ("90000 seconds", "25:00:00"),
            ("0", "00:00:00"),
            ("-1 years -2 mons", "-1 years -2 mons"),
            ("1.5 days", "1 day 12:00:00"),
            ("1.5 months", "1 mon 15 days"),
            ("-00:00:01.5", "-00:00:01.5"),
            ("1 mon -1 sec", "1 mon -00:00:01"),
            (
                "1 year 2 mons 3 days 04:05:06.789",
                "1 year 2 mons 3 days 04:05:06.789",
            ),
            ("-1 days +02:00:00", "-1 days +02:00:00"),
            ("@ 2 days ago", "-2 days"),
            ("3days", "3 days"),
            ("1 month - 1 day", "1 mon -1 days"),
            ("- 2 hours", "-02:00:00"),
            ("1 day + 3 hours", "1 day 03:00:00"),
            ("1 day - 01:00:00", "1 day -01:00:00"),
        ] {
            assert_eq!(Interval::parse(input).unwrap().to_text(), want, "{input}");
        }
        for bad in ["", "abc", "1 fortnight", "1:99", "ago 1 day", "1 day -"] {
            assert!(Interval::parse(bad).is_none(), "{bad}");
        }
    }

    /// ISO 8601 and SQL standard input, as PostgreSQL 15 reads it.
    #[test]
    fn reads_iso8601_and_sql_standard() {
        for (input, want) in [
            ("P1Y2M3DT4H5M6.5S", "1 year 2 mons 3 days 04:05:06.5"),
            ("P0001-02-03T04:05:06", "1 year 2 mons 3 days 04:05:06"),
            ("PT-1H", "-01:00:00"),
            ("P1.5Y", "1 year 6 mons"),
            ("P2W", "14 days"),
            ("P1DT0.5S", "1 day 00:00:00.5"),
            ("PT36H", "36:00:00"),
            ("1-2", "1 year 2 mons"),
            ("-1-2", "-1 years -2 mons"),
            ("3 4:05:06", "3 days 04:05:06"),
            ("1-2 3 4:05:06", "1 year 2 mons 3 days 04:05:06"),
            ("+0-0 -1 +2:00:00", "-1 days +02:00:00"),
        ] {
            assert_eq!(Interval::parse(input).unwrap().to_text(), want, "{input}");
        }
        for bad in ["P", "p1d", "P1X", "PT", "P1H"] {
            assert!(Interval::parse(bad).is_none(), "{bad}");
        }
    }

    /// Every IntervalStyle prints as PostgreSQL 15 does.
    #[test]
    fn prints_each_style_as_pg15() {
        let rows = [
            // postgres, iso_8601, sql_standard, postgres_verbose
            (
                "1 year 2 mons 3 days 04:05:06.789",
                "P1Y2M3DT4H5M6.789S",
                "+1-2 +3 +4:05:06.789",
                "@ 1 year 2 mons 3 days 4 hours 5 mins 6.789 secs",
            ),
            (
                "-1 days +02:00:00",
                "P-1DT2H",
                "+0-0 -1 +2:00:00",
                "@ 1 day -2 hours ago",
            ),
            ("00:00:00", "PT0S", "0", "@ 0"),
            (
                "1 mon -00:00:01",
                "P1MT-1S",
                "+0-1 +0 -0:00:01",
                "@ 1 mon -1 sec",
            ),
            ("-00:00:01.5", "PT-1.5S", "-0:00:01.5", "@ 1.5 secs ago"),
            ("-1 years -2 mons", "P-1Y-2M", "-1-2", "@ 1 year 2 mons ago"),
            ("25:00:00", "PT25H", "25:00:00", "@ 25 hours"),
            ("3 days", "P3D", "3 0:00:00", "@ 3 days"),
            (
                "-3 days -04:05:06",
                "P-3DT-4H-5M-6S",
                "-3 4:05:06",
                "@ 3 days 4 hours 5 mins 6 secs ago",
            ),
            ("00:00:01", "PT1S", "0:00:01", "@ 1 sec"),
            (
                "-1 years +2 days",
                "P-1Y2D",
                "-1-0 +2 +0:00:00",
                "@ 1 year -2 days ago",
            ),
        ];
        for (stored, iso, sql, verbose) in rows {
            let iv = Interval::parse(stored).unwrap();
            assert_eq!(iv.to_text(), stored);
            for (style, want) in [
                (IntervalStyle::Iso8601, iso),
                (IntervalStyle::SqlStandard, sql),
                (IntervalStyle::PostgresVerbose, verbose),
                (IntervalStyle::Postgres, stored),
            ] {
                let mut b = BytesMut::new();
                interval_style::scoped(style, || iv.write_text(&mut b));
                assert_eq!(
                    std::str::from_utf8(&b).unwrap(),
                    want,
                    "{stored} as {style:?}"
                );
                // What a client sends back under that style is the same interval.
                let back = interval_style::scoped(style, || Interval::parse(want));
                assert_eq!(back, Some(iv), "{want}");
            }
        }
    }
}
