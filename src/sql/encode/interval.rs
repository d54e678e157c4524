//! `interval` as PostgreSQL holds it (months, days, microseconds): parsing
//! PG's input/output syntax and printing the default `postgres` style.

use bytes::{BufMut, BytesMut};

use super::datetime::{write_time, USECS_PER_DAY, USECS_PER_SEC};

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
    pub fn parse(s: &str) -> Option<Interval> {
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
            if tok.eq_ignore_ascii_case("ago") {
                ago = true;
                continue;
            }
            any = true;
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
                    _ => "s",
                }
            };
            acc.add(v, &unit.to_ascii_lowercase())?;
        }
        if !any {
            return None;
        }
        let mut iv = acc.finish()?;
        if ago {
            iv = Interval {
                months: iv.months.checked_neg()?,
                days: iv.days.checked_neg()?,
                usecs: iv.usecs.checked_neg()?,
            };
        }
        Some(iv)
    }

    /// `interval_out` with `IntervalStyle = postgres`.
    pub fn write_text(self, out: &mut BytesMut) {
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
            out.put_slice(itoa::Buffer::new().format(value).as_bytes());
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

    pub fn to_text(self) -> String {
        let mut b = BytesMut::new();
        self.write_text(&mut b);
        String::from_utf8_lossy(&b).into_owned()
    }
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
        ] {
            assert_eq!(Interval::parse(input).unwrap().to_text(), want, "{input}");
        }
        for bad in ["", "abc", "1 fortnight", "1:99", "ago 1 day"] {
            assert!(Interval::parse(bad).is_none(), "{bad}");
        }
    }
}
