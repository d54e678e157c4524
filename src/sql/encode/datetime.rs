//! Dates, times and timestamps: parsing the stored/ISO text forms and
//! printing PostgreSQL's ISO output. Timestamps are handled as PG does
//! internally, as i64 microseconds since 2000-01-01 00:00:00 (UTC).

use bytes::{BufMut, BytesMut};
use chrono::{Datelike, NaiveDate};

pub(crate) const USECS_PER_SEC: i64 = 1_000_000;
pub(crate) const USECS_PER_DAY: i64 = 86_400 * USECS_PER_SEC;
/// Seconds from the Unix epoch to PostgreSQL's epoch, 2000-01-01.
const PG_EPOCH_UNIX_SECS: i64 = 946_684_800;
/// `NaiveDate::num_days_from_ce` of 2000-01-01.
const PG_EPOCH_CE_DAYS: i32 = 730_120;

/// A date or timestamp, including PostgreSQL's infinities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stamp<T> {
    NegInf,
    At(T),
    PosInf,
}

/// Days since 2000-01-01 of a date.
pub(crate) fn days_of(d: NaiveDate) -> i32 {
    d.num_days_from_ce() - PG_EPOCH_CE_DAYS
}

pub(crate) fn date_of_days(days: i32) -> Option<NaiveDate> {
    NaiveDate::from_num_days_from_ce_opt(days.checked_add(PG_EPOCH_CE_DAYS)?)
}

/// Microseconds since 2000-01-01 of Unix seconds (how some rows store time).
/// A timestamp (microseconds since 2000-01-01) as a calendar date-time.
pub(crate) fn naive_of_usecs(us: i64) -> Option<chrono::NaiveDateTime> {
    NaiveDate::from_ymd_opt(2000, 1, 1)?
        .and_hms_opt(0, 0, 0)?
        .checked_add_signed(chrono::Duration::microseconds(us))
}

/// [`naive_of_usecs`] the other way: microseconds since 2000-01-01.
pub(crate) fn usecs_of_naive(t: chrono::NaiveDateTime) -> Option<i64> {
    (t - naive_of_usecs(0)?).num_microseconds()
}

pub(crate) fn usecs_of_unix(secs: i64) -> Option<i64> {
    secs.checked_sub(PG_EPOCH_UNIX_SECS)?
        .checked_mul(USECS_PER_SEC)
}

/// Same as [`usecs_of_unix`] for fractional seconds.
pub(crate) fn usecs_of_unix_f64(secs: f64) -> Option<i64> {
    let us = ((secs - PG_EPOCH_UNIX_SECS as f64) * 1e6).round();
    (us.is_finite() && us.abs() < 9.2e18).then_some(us as i64)
}

fn special(s: &str) -> Option<Stamp<()>> {
    if s.eq_ignore_ascii_case("infinity") || s.eq_ignore_ascii_case("+infinity") {
        Some(Stamp::PosInf)
    } else if s.eq_ignore_ascii_case("-infinity") {
        Some(Stamp::NegInf)
    } else {
        None
    }
}

/// Parses a date (`YYYY-MM-DD[ BC]`); a full timestamp is accepted and its
/// time part ignored, as PG's `date_in` does.
pub(crate) fn parse_date(s: &str) -> Option<Stamp<NaiveDate>> {
    let s = s.trim();
    match special(s) {
        Some(Stamp::PosInf) => return Some(Stamp::PosInf),
        Some(Stamp::NegInf) => return Some(Stamp::NegInf),
        _ => {}
    }
    if s.eq_ignore_ascii_case("epoch") {
        return date_of_days(-10_957).map(Stamp::At);
    }
    let p = parse_parts(s)?;
    Some(Stamp::At(p.date))
}

/// Parses a time of day `HH:MM[:SS[.frac]]` into microseconds since midnight
/// (24:00:00 allowed, as in PG). A trailing zone is ignored, as for `time`.
pub(crate) fn parse_time(s: &str) -> Option<i64> {
    let iso = || {
        let mut c = Cursor::new(s.trim());
        let t = c.time()?;
        c.skip_ws();
        c.zone()?;
        c.skip_ws();
        c.at_end().then_some(t)
    };
    iso().or_else(|| super::datetime_input::decode(s).ok()?.time)
}

/// Parses a timestamp. With `apply_offset` a zone offset is converted to
/// UTC (timestamptz); otherwise it is ignored (timestamp), as in PG.
/// A timestamptz as a client or a cast gives it: without a zone in the
/// text, it is wall-clock time in the session's zone.
pub(crate) fn parse_timestamptz_input(s: &str) -> Option<Stamp<i64>> {
    let zone = crate::sql::zone::current();
    if zone.is_utc() {
        return parse_timestamp(s, true);
    }
    let s = s.trim();
    if special(s).is_some() || s.eq_ignore_ascii_case("epoch") {
        return parse_timestamp(s, true);
    }
    let p = parse_parts(s)?;
    let local = (days_of(p.date) as i64) * USECS_PER_DAY + p.time;
    if p.zoned {
        return Some(Stamp::At(local - p.offset_secs * USECS_PER_SEC));
    }
    let offset = zone.offset_at_local(&naive_of_usecs(local)?);
    Some(Stamp::At(local - i64::from(offset) * USECS_PER_SEC))
}

pub(crate) fn parse_timestamp(s: &str, apply_offset: bool) -> Option<Stamp<i64>> {
    let s = s.trim();
    match special(s) {
        Some(Stamp::PosInf) => return Some(Stamp::PosInf),
        Some(Stamp::NegInf) => return Some(Stamp::NegInf),
        _ => {}
    }
    if s.eq_ignore_ascii_case("epoch") {
        return usecs_of_unix(0).map(Stamp::At);
    }
    let p = parse_parts(s)?;
    let mut us = (days_of(p.date) as i64) * USECS_PER_DAY + p.time;
    if apply_offset {
        us -= p.offset_secs * USECS_PER_SEC;
    }
    Some(Stamp::At(us))
}

/// Whether a timestamp's text carries a zone (`+02`, `Z`): a timestamptz
/// as stored, rather than a timestamp. `None` when it does not parse.
pub(crate) fn has_zone(s: &str) -> Option<bool> {
    let s = s.trim();
    if special(s).is_some() || s.eq_ignore_ascii_case("epoch") {
        return Some(false);
    }
    parse_parts(s).map(|p| p.zoned)
}

struct Parts {
    date: NaiveDate,
    time: i64,
    offset_secs: i64,
    zoned: bool,
}

/// A date and time in ISO form, else in any of PostgreSQL's input forms
/// (`1/8/1999`, `January 8, 1999 10:00 PM EST`: see `datetime_input`).
fn parse_parts(s: &str) -> Option<Parts> {
    iso_parts(s).or_else(|| {
        let d = super::datetime_input::decode(s).ok()?;
        Some(Parts {
            date: d.date?,
            time: d.time.unwrap_or(0),
            offset_secs: d.offset_secs.unwrap_or(0),
            zoned: d.offset_secs.is_some(),
        })
    })
}

/// `date [ T|space time ] [zone] [BC|AD]`: the form PostgreSQL prints and
/// drivers send, read without allocating.
fn iso_parts(s: &str) -> Option<Parts> {
    let mut c = Cursor::new(s);
    let (y, m, d) = c.ymd()?;
    let mut time = 0;
    let mut offset_secs = 0;
    let mut zoned = false;
    if c.eat(b'T') || c.eat(b't') || c.peek() == Some(b' ') {
        c.skip_ws();
        if c.peek().is_some_and(|b| b.is_ascii_digit()) {
            time = c.time()?;
            c.skip_ws();
        }
        // A zone may follow the date directly: pgjdbc sends setDate() as `2024-01-01 +00`.
        let before = c.i;
        offset_secs = c.zone()?;
        zoned = c.i != before;
    }
    c.skip_ws();
    let bc = c.era()?;
    c.skip_ws();
    if !c.at_end() {
        return None;
    }
    let year = if bc { 1 - y } else { y };
    let date = NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, m, d)?;
    Some(Parts {
        date,
        time,
        offset_secs,
        zoned,
    })
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn new(s: &'a str) -> Self {
        Cursor {
            b: s.as_bytes(),
            i: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn at_end(&self) -> bool {
        self.i == self.b.len()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while self.peek() == Some(b' ') {
            self.i += 1;
        }
    }

    /// Between `min` and `max` ASCII digits as a number.
    fn num(&mut self, min: usize, max: usize) -> Option<i64> {
        let start = self.i;
        let mut v: i64 = 0;
        while self.i - start < max {
            match self.peek() {
                Some(c @ b'0'..=b'9') => {
                    v = v * 10 + (c - b'0') as i64;
                    self.i += 1;
                }
                _ => break,
            }
        }
        (self.i - start >= min).then_some(v)
    }

    fn ymd(&mut self) -> Option<(i64, u32, u32)> {
        let y = self.num(1, 9)?;
        if !self.eat(b'-') {
            return None;
        }
        let m = self.num(1, 2)?;
        if !self.eat(b'-') {
            return None;
        }
        let d = self.num(1, 2)?;
        Some((y, m as u32, d as u32))
    }

    /// `H[H]:MM[:SS[.frac]]` as microseconds since midnight; the fraction
    /// is rounded to microseconds like PG does.
    fn time(&mut self) -> Option<i64> {
        let h = self.num(1, 2)?;
        if !self.eat(b':') {
            return None;
        }
        let m = self.num(2, 2)?;
        let mut sec = 0;
        let mut us = 0;
        if self.eat(b':') {
            sec = self.num(2, 2)?;
            if self.eat(b'.') {
                us = self.fraction_usecs()?;
            }
        }
        if m > 59 || sec > 60 {
            return None;
        }
        let total = ((h * 60 + m) * 60 + sec) * USECS_PER_SEC + us;
        (total <= USECS_PER_DAY).then_some(total)
    }

    fn fraction_usecs(&mut self) -> Option<i64> {
        let start = self.i;
        let mut us = 0;
        let mut n = 0;
        let mut round_up = false;
        while let Some(c @ b'0'..=b'9') = self.peek() {
            if n < 6 {
                us = us * 10 + (c - b'0') as i64;
            } else if n == 6 {
                round_up = c >= b'5';
            }
            n += 1;
            self.i += 1;
        }
        if self.i == start {
            return None;
        }
        for _ in n..6 {
            us *= 10;
        }
        Some(us + round_up as i64)
    }

    /// An optional zone: `Z`, `UTC`, `GMT`, `+HH`, `+HHMM`, `+HH:MM[:SS]`.
    /// Returns its offset east of UTC in seconds.
    fn zone(&mut self) -> Option<i64> {
        let rest = &self.b[self.i..];
        for name in [&b"UTC"[..], b"GMT", b"Z"] {
            if rest.len() >= name.len() && rest[..name.len()].eq_ignore_ascii_case(name) {
                self.i += name.len();
                return Some(0);
            }
        }
        let sign = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Some(0),
        };
        self.i += 1;
        let h = self.num(2, 2)?;
        let mut m = 0;
        let mut s = 0;
        if self.eat(b':') {
            m = self.num(2, 2)?;
            if self.eat(b':') {
                s = self.num(2, 2)?;
            }
        } else if let Some(mm) = self.num(2, 2) {
            m = mm;
        }
        if h > 15 || m > 59 || s > 59 {
            return None;
        }
        Some(sign * (h * 3600 + m * 60 + s))
    }

    /// Optional `BC`/`AD`; true for BC.
    fn era(&mut self) -> Option<bool> {
        let rest = &self.b[self.i..];
        if rest.len() >= 2 {
            let tag = &rest[..2];
            if tag.eq_ignore_ascii_case(b"BC") || tag.eq_ignore_ascii_case(b"AD") {
                self.i += 2;
                return Some(tag.eq_ignore_ascii_case(b"BC"));
            }
        }
        Some(false)
    }
}

/// `v` (below 100) as two digits.
pub(crate) fn put_2(out: &mut BytesMut, v: u32) {
    out.put_u8(b'0' + (v / 10 % 10) as u8);
    out.put_u8(b'0' + (v % 10) as u8);
}

/// `YYYY-MM-DD` without the era; returns whether the date is BC.
fn put_ymd(out: &mut BytesMut, d: NaiveDate) -> bool {
    let year = d.year();
    let bc = year <= 0;
    let y = if bc { 1 - year } else { year } as u32;
    let mut ib = itoa::Buffer::new();
    let ys = ib.format(y);
    for _ in ys.len()..4 {
        out.put_u8(b'0');
    }
    out.put_slice(ys.as_bytes());
    out.put_u8(b'-');
    put_2(out, d.month());
    out.put_u8(b'-');
    put_2(out, d.day());
    bc
}

/// `date_out` in ISO style: `2024-01-02`, `0001-01-01 BC`.
pub(crate) fn write_date(out: &mut BytesMut, d: Stamp<NaiveDate>) {
    match d {
        Stamp::NegInf => out.put_slice(b"-infinity"),
        Stamp::PosInf => out.put_slice(b"infinity"),
        Stamp::At(d) => {
            if put_ymd(out, d) {
                out.put_slice(b" BC");
            }
        }
    }
}

/// `HH:MM:SS[.ffffff]` with trailing fraction zeros dropped; hours are not
/// wrapped, so it also serves interval output.
pub(crate) fn write_time(out: &mut BytesMut, usecs: i64) {
    let secs = usecs / USECS_PER_SEC;
    let frac = (usecs % USECS_PER_SEC) as u32;
    let h = (secs / 3600) as u64;
    if h < 10 {
        out.put_u8(b'0');
    }
    out.put_slice(itoa::Buffer::new().format(h).as_bytes());
    out.put_u8(b':');
    put_2(out, (secs / 60 % 60) as u32);
    out.put_u8(b':');
    put_2(out, (secs % 60) as u32);
    write_fraction(out, frac);
}

/// `.ffffff` of `frac` microseconds, trailing zeros dropped; nothing for 0.
pub(crate) fn write_fraction(out: &mut BytesMut, frac: u32) {
    if frac == 0 {
        return;
    }
    let mut digits = [b'0'; 6];
    let mut f = frac;
    for slot in digits.iter_mut().rev() {
        *slot = b'0' + (f % 10) as u8;
        f /= 10;
    }
    let len = 6 - digits.iter().rev().take_while(|&&c| c == b'0').count();
    out.put_u8(b'.');
    out.put_slice(&digits[..len]);
}

/// `timestamp_out`/`timestamptz_out` (UTC) in ISO style. Returns false,
/// writing nothing, if the instant is outside the supported calendar range.
pub(crate) fn write_timestamp(out: &mut BytesMut, ts: Stamp<i64>, with_zone: bool) -> bool {
    let us = match ts {
        Stamp::NegInf => {
            out.put_slice(b"-infinity");
            return true;
        }
        Stamp::PosInf => {
            out.put_slice(b"infinity");
            return true;
        }
        Stamp::At(us) => us,
    };
    // A timestamptz prints as wall-clock time in the session's zone.
    let offset = if with_zone {
        match crate::sql::zone::current().offset_at_usecs(us) {
            Some(offset) => offset,
            None => return false,
        }
    } else {
        0
    };
    let us = us + i64::from(offset) * USECS_PER_SEC;
    let days = us.div_euclid(USECS_PER_DAY);
    let Some(date) = i32::try_from(days).ok().and_then(date_of_days) else {
        return false;
    };
    let bc = put_ymd(out, date);
    out.put_u8(b' ');
    write_time(out, us.rem_euclid(USECS_PER_DAY));
    if with_zone && offset == 0 {
        out.put_slice(b"+00");
    } else if with_zone {
        let mut o = String::with_capacity(9);
        crate::sql::zone::push_offset(&mut o, offset);
        out.put_slice(o.as_bytes());
    }
    if bc {
        out.put_slice(b" BC");
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str, tz: bool) -> String {
        let mut b = BytesMut::new();
        assert!(write_timestamp(&mut b, parse_timestamp(s, tz).unwrap(), tz));
        String::from_utf8(b.to_vec()).unwrap()
    }

    #[test]
    fn timestamps_normalize_like_pg15() {
        // Outputs as printed by PostgreSQL 15 with TimeZone UTC.
        assert_eq!(
            ts("2024-01-02 03:04:05.123", true),
            "2024-01-02 03:04:05.123+00"
        );
        assert_eq!(ts("2024-01-02 03:04:05.000", false), "2024-01-02 03:04:05");
        assert_eq!(
            ts("2024-01-02T03:04:05+02:30", true),
            "2024-01-02 00:34:05+00"
        );
        assert_eq!(
            ts("0001-01-01 00:00:00 BC", true),
            "0001-01-01 00:00:00+00 BC"
        );
        assert_eq!(ts("infinity", false), "infinity");
        assert_eq!(ts("2024-01-02T03:04:05Z", false), "2024-01-02 03:04:05");
        assert_eq!(ts("2024-01-02 03:04:05+00", false), "2024-01-02 03:04:05");
        assert_eq!(ts("2024-01-02", false), "2024-01-02 00:00:00");
        assert_eq!(
            ts("1999-12-31 23:59:59.9999995", false),
            "2000-01-01 00:00:00"
        );
        assert_eq!(
            ts("2024-01-02 03:04:05-0800", true),
            "2024-01-02 11:04:05+00"
        );
        for bad in [
            "2024-13-01",
            "2024-01-02 25:00:00",
            "x",
            "2024-01-02 03:04:05 junk",
        ] {
            assert!(parse_timestamp(bad, true).is_none(), "{bad}");
        }
    }

    #[test]
    fn dates_and_times() {
        let mut b = BytesMut::new();
        write_date(&mut b, parse_date("0001-01-01 BC").unwrap());
        assert_eq!(&b[..], b"0001-01-01 BC");
        assert_eq!(days_of(NaiveDate::from_ymd_opt(1999, 12, 31).unwrap()), -1);
        assert_eq!(
            parse_date("epoch").unwrap(),
            parse_date("1970-01-01").unwrap()
        );
        assert_eq!(parse_time("24:00:00"), Some(USECS_PER_DAY));
        assert_eq!(parse_time("01:02"), Some(3_720_000_000));
        assert_eq!(parse_time("01:02:03.5+02"), Some(3_723_500_000));
        assert_eq!(parse_time("1:2"), Some(3_720_000_000));
        b.clear();
        write_time(&mut b, 3_723_500_000);
        assert_eq!(&b[..], b"01:02:03.5");
    }
}
