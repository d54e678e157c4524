//! PostgreSQL's general date/time input, for text the ISO fast path in
//! [`super::datetime`] does not take: `1/8/1999` (DateStyle MDY),
//! `2021/1/1`, `January 8, 1999`, `08-Jan-1999`, `19990108`, `J2451187`,
//! `1999.008`, `Sat Jan 01 2000 10:00 PM EST`, `2000-01-01 10:00
//! America/New_York`, `allballs`, `now`, `today`, `tomorrow`, `yesterday`.
//!
//! As PostgreSQL reads it (the manual's "Date/Time Input Interpretation"):
//! the text is split into fields (a date with `-`, `/` or `.` between its
//! parts, a time with `:`, a number, a word, a `+hh:mm` offset), then each
//! field fills the year, month, day, time or zone it can be. Two-digit
//! years are 1970-2069. A well-formed field out of its range (month 13) is
//! [`Fault::Range`], PostgreSQL's 22008; anything else is a syntax error.

use chrono::NaiveDate;

use super::datetime::{USECS_PER_DAY, USECS_PER_SEC};
use crate::sql::zone::SessionZone;

/// Why text is no date/time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fault {
    /// 22007: invalid input syntax.
    Syntax,
    /// 22008: date/time field value out of range.
    Range,
}

/// What the text gave: a date, a time of day (microseconds since
/// midnight), a zone (seconds east of UTC, resolved at the date and time
/// for a named zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub date: Option<NaiveDate>,
    pub time: Option<i64>,
    pub offset_secs: Option<i64>,
}

#[derive(Debug)]
enum Field<'a> {
    /// Parts of a date and the delimiter between them (`1999-Jan-08`).
    Date(Vec<&'a str>, u8),
    /// `HH:MM[:SS[.frac]]`.
    Time(&'a str),
    /// Digits, with a fraction when written (`1999.008`).
    Number(&'a str),
    /// A word as written (month, day, AM/PM, era, zone, special value).
    Word(&'a str),
    /// `+hh`, `-hhmm`, `+hh:mm[:ss]`: seconds east of UTC.
    Offset(i64),
    /// `J2451187`: a Julian day.
    Julian(i64),
}

fn split(s: &str) -> Result<Vec<Field<'_>>, Fault> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let take = |i: &mut usize, keep: &dyn Fn(u8) -> bool| {
        let start = *i;
        while *i < b.len() && keep(b[*i]) {
            *i += 1;
        }
        &s[start..*i]
    };
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() || c == b',' {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            take(&mut i, &|c| c.is_ascii_digit());
            match b.get(i) {
                Some(b':') => {
                    take(&mut i, &|c| c.is_ascii_digit() || c == b':' || c == b'.');
                    out.push(Field::Time(&s[start..i]));
                }
                Some(&d @ (b'-' | b'/' | b'.')) => {
                    // Up to a `T` before the time (`1999/01/08T10:00`).
                    while i < b.len()
                        && (b[i].is_ascii_alphanumeric() || b[i] == d)
                        && !(b[i].eq_ignore_ascii_case(&b't')
                            && b.get(i + 1).is_some_and(u8::is_ascii_digit))
                    {
                        i += 1;
                    }
                    let text = &s[start..i];
                    let parts: Vec<&str> = text.split(d as char).collect();
                    // One '.' between digits is a number's fraction.
                    if d == b'.' && parts.len() == 2 && parts[1].bytes().all(|c| c.is_ascii_digit())
                    {
                        out.push(Field::Number(text));
                    } else {
                        out.push(Field::Date(parts, d));
                    }
                }
                _ => out.push(Field::Number(&s[start..i])),
            }
        } else if c.is_ascii_alphabetic() {
            let start = i;
            take(&mut i, &|c| c.is_ascii_alphabetic());
            let word = &s[start..i];
            match b.get(i) {
                // America/New_York, Etc/GMT+5: a zone name.
                Some(b'/') => {
                    take(&mut i, &|c| {
                        c.is_ascii_alphanumeric() || matches!(c, b'/' | b'_' | b'+' | b'-')
                    });
                    out.push(Field::Word(&s[start..i]));
                }
                // Jan-08-1999: a date led by its month.
                Some(&d @ (b'-' | b'.')) if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                    take(&mut i, &|c| c.is_ascii_alphanumeric() || c == d);
                    out.push(Field::Date(s[start..i].split(d as char).collect(), d));
                }
                Some(c) if c.is_ascii_digit() && word.eq_ignore_ascii_case("j") => {
                    let n = take(&mut i, &|c| c.is_ascii_digit());
                    out.push(Field::Julian(n.parse().map_err(|_| Fault::Range)?));
                }
                _ => out.push(Field::Word(word)),
            }
        } else if c == b'+' || c == b'-' {
            i += 1;
            let sign = if c == b'-' { -1 } else { 1 };
            let text = take(&mut i, &|c| c.is_ascii_digit() || c == b':');
            out.push(Field::Offset(sign * offset(text)?));
        } else {
            return Err(Fault::Syntax);
        }
    }
    Ok(out)
}

/// `hh`, `h`, `hhmm`, `hh:mm`, `hh:mm:ss` as seconds.
fn offset(text: &str) -> Result<i64, Fault> {
    let mut parts = text.split(':');
    let head = parts.next().unwrap_or_default();
    if head.is_empty() || !head.bytes().all(|c| c.is_ascii_digit()) {
        return Err(Fault::Syntax);
    }
    let (h, mut m) = match head.len() {
        1 | 2 => (num(head)?, 0),
        3 | 4 => (num(&head[..head.len() - 2])?, num(&head[head.len() - 2..])?),
        _ => return Err(Fault::Syntax),
    };
    let mut s = 0;
    if let Some(mm) = parts.next() {
        m = num(mm)?;
        if let Some(ss) = parts.next() {
            s = num(ss)?;
        }
    }
    if parts.next().is_some() {
        return Err(Fault::Syntax);
    }
    if h > 15 || m > 59 || s > 59 {
        return Err(Fault::Range);
    }
    Ok(h * 3600 + m * 60 + s)
}

fn num(s: &str) -> Result<i64, Fault> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return Err(Fault::Syntax);
    }
    s.parse().map_err(|_| Fault::Syntax)
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
/// The months' names, January first (also `to_date`'s `Month`).
pub(crate) const FULL_MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn month(word: &str) -> Option<u32> {
    let w = word.to_ascii_lowercase();
    let at = MONTHS
        .iter()
        .position(|m| *m == w)
        .or_else(|| FULL_MONTHS.iter().position(|m| *m == w))
        .or_else(|| (w == "sept").then_some(8))?;
    Some(at as u32 + 1)
}

fn weekday(word: &str) -> bool {
    const DAYS: [&str; 7] = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
    const FULL: [&str; 7] = [
        "sunday",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
    ];
    let w = word.to_ascii_lowercase();
    DAYS.contains(&w.as_str())
        || FULL.contains(&w.as_str())
        || matches!(w.as_str(), "tues" | "wednes" | "thur" | "thurs")
}

/// Zone abbreviations of PostgreSQL's default set that applications
/// commonly write, in seconds east of UTC.
fn abbreviation(word: &str) -> Option<i64> {
    let h = |x: f64| Some((x * 3600.0) as i64);
    match word.to_ascii_lowercase().as_str() {
        "z" | "zulu" | "utc" | "ut" | "gmt" | "wet" => h(0.0),
        "est" | "cdt" => h(-5.0),
        "edt" | "ast" => h(-4.0),
        "cst" | "mdt" => h(-6.0),
        "mst" | "pdt" => h(-7.0),
        "pst" | "akdt" => h(-8.0),
        "akst" => h(-9.0),
        "hst" => h(-10.0),
        "adt" => h(-3.0),
        "nst" => h(-3.5),
        "bst" | "cet" | "west" | "met" => h(1.0),
        "cest" | "eet" | "mest" | "sast" | "ist" => h(2.0),
        "eest" | "msk" => h(3.0),
        "awst" | "sgt" | "hkt" => h(8.0),
        "jst" | "kst" => h(9.0),
        "acst" => h(9.5),
        "aest" => h(10.0),
        "acdt" => h(10.5),
        "aedt" => h(11.0),
        "nzst" => h(12.0),
        "nzdt" => h(13.0),
        _ => None,
    }
}

/// `HH:MM[:SS[.frac]]` as microseconds; the fraction rounds to microseconds.
fn time_of(text: &str) -> Result<i64, Fault> {
    let mut parts = text.split(':');
    let h = num(parts.next().unwrap_or_default())?;
    let m = num(parts.next().ok_or(Fault::Syntax)?)?;
    let (s, us) = match parts.next() {
        None => (0, 0),
        Some(sec) => {
            let (whole, frac) = sec.split_once('.').unwrap_or((sec, ""));
            (num(whole)?, fraction(frac)?)
        }
    };
    if parts.next().is_some() {
        return Err(Fault::Syntax);
    }
    if m > 59 || s > 60 {
        return Err(Fault::Range);
    }
    let total = ((h * 60 + m) * 60 + s) * USECS_PER_SEC + us;
    if total > USECS_PER_DAY {
        return Err(Fault::Range);
    }
    Ok(total)
}

fn fraction(frac: &str) -> Result<i64, Fault> {
    if !frac.bytes().all(|c| c.is_ascii_digit()) {
        return Err(Fault::Syntax);
    }
    let digits = frac.as_bytes();
    let mut us = 0;
    for i in 0..6 {
        us = us * 10 + digits.get(i).map_or(0, |c| i64::from(c - b'0'));
    }
    Ok(us + i64::from(digits.get(6).is_some_and(|c| *c >= b'5')))
}

/// A year as written: two digits or fewer mean 1970-2069.
fn year_of(text: &str) -> Result<i64, Fault> {
    let y = num(text)?;
    Ok(if text.len() <= 2 {
        if y < 70 {
            2000 + y
        } else {
            1900 + y
        }
    } else {
        y
    })
}

#[derive(Default)]
struct State {
    year: Option<i64>,
    month: Option<u32>,
    day: Option<i64>,
    date: Option<NaiveDate>,
    time: Option<i64>,
    offset: Option<i64>,
    zone: Option<SessionZone>,
    pm: Option<bool>,
    bc: bool,
    /// Numbers not yet placed (`8` and `1999` of `Jan 8 1999`).
    loose: Vec<String>,
}

impl State {
    fn set<T>(slot: &mut Option<T>, v: T) -> Result<(), Fault> {
        match slot {
            Some(_) => Err(Fault::Syntax),
            None => {
                *slot = Some(v);
                Ok(())
            }
        }
    }

    fn ymd(&mut self, y: i64, m: i64, d: i64) -> Result<(), Fault> {
        Self::set(&mut self.year, y)?;
        Self::set(&mut self.month, u32::try_from(m).map_err(|_| Fault::Range)?)?;
        Self::set(&mut self.day, d)
    }

    fn whole_date(&self) -> bool {
        self.date.is_some()
            || (self.year.is_some() && self.month.is_some() && self.day.is_some())
            || (self.month.is_some() && self.loose.len() == 2)
    }

    fn has_date(&self) -> bool {
        self.year.is_some() || self.month.is_some() || self.date.is_some()
    }

    fn date_field(&mut self, parts: &[&str], delim: u8) -> Result<(), Fault> {
        let named = parts
            .iter()
            .position(|p| p.bytes().all(|c| c.is_ascii_alphabetic()));
        if let Some(at) = named {
            Self::set(&mut self.month, month(parts[at]).ok_or(Fault::Syntax)?)?;
            let rest: Vec<&str> = parts
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != at)
                .map(|(_, p)| *p)
                .collect();
            let [a, b] = rest.as_slice() else {
                return Err(Fault::Syntax);
            };
            // The year is the part that cannot be a day.
            let (day, year) = if a.len() >= 3 || num(a)? > 31 {
                (b, a)
            } else {
                (a, b)
            };
            Self::set(&mut self.day, num(day)?)?;
            return Self::set(&mut self.year, year_of(year)?);
        }
        match parts {
            [y, doy] if delim == b'.' && doy.len() == 3 => {
                let date = NaiveDate::from_yo_opt(
                    i32::try_from(num(y)?).map_err(|_| Fault::Range)?,
                    num(doy)? as u32,
                )
                .ok_or(Fault::Range)?;
                Self::set(&mut self.date, date)
            }
            // YMD when the first part is a year, else MDY (DateStyle).
            [a, b, c] if a.len() >= 3 => self.ymd(year_of(a)?, num(b)?, num(c)?),
            [a, b, c] => self.ymd(year_of(c)?, num(a)?, num(b)?),
            _ => Err(Fault::Syntax),
        }
    }

    fn number(&mut self, text: &str) -> Result<(), Fault> {
        if let Some((whole, frac)) = text.split_once('.') {
            // yyyy.ddd: a year and a day of it.
            if whole.len() == 4 && frac.len() == 3 && !self.has_date() {
                return self.date_field(&[whole, frac], b'.');
            }
            return Err(Fault::Syntax);
        }
        match text.len() {
            8 if !self.has_date() => {
                self.ymd(num(&text[..4])?, num(&text[4..6])?, num(&text[6..])?)
            }
            6 if !self.has_date() && self.loose.is_empty() => {
                self.ymd(year_of(&text[..2])?, num(&text[2..4])?, num(&text[4..])?)
            }
            // hhmm[ss] after a whole date (`19990108 040506`, `Jan 8 1999 1030`).
            6 | 4 if self.time.is_none() && self.whole_date() => {
                let (h, m) = (num(&text[..2])?, num(&text[2..4])?);
                let s = if text.len() == 6 { num(&text[4..])? } else { 0 };
                if h > 24 || m > 59 || s > 60 {
                    return Err(Fault::Range);
                }
                Self::set(&mut self.time, ((h * 60 + m) * 60 + s) * USECS_PER_SEC)
            }
            _ => {
                self.loose.push(text.to_owned());
                Ok(())
            }
        }
    }

    fn word(&mut self, word: &str) -> Result<(), Fault> {
        let lower = word.to_ascii_lowercase();
        if let Some(m) = month(word) {
            return Self::set(&mut self.month, m);
        }
        match lower.as_str() {
            _ if weekday(word) => Ok(()),
            "t" | "on" => Ok(()),
            "am" | "a" => Self::set(&mut self.pm, false),
            "pm" | "p" => Self::set(&mut self.pm, true),
            "bc" => {
                self.bc = true;
                Ok(())
            }
            "ad" => Ok(()),
            "allballs" => {
                Self::set(&mut self.time, 0)?;
                Self::set(&mut self.offset, 0)
            }
            "epoch" => {
                Self::set(&mut self.date, NaiveDate::from_ymd_opt(1970, 1, 1).unwrap())?;
                Self::set(&mut self.time, 0)?;
                Self::set(&mut self.offset, 0)
            }
            "now" => {
                let (date, time) = local_now(0);
                Self::set(&mut self.date, date)?;
                Self::set(&mut self.time, time)
            }
            "today" | "tomorrow" | "yesterday" => {
                let days = match lower.as_str() {
                    "today" => 0,
                    "tomorrow" => 1,
                    _ => -1,
                };
                Self::set(&mut self.date, local_now(days).0)
            }
            _ => {
                if let Some(secs) = abbreviation(word) {
                    return Self::set(&mut self.offset, secs);
                }
                match SessionZone::parse(word) {
                    Some(zone) if word.contains('/') => Self::set(&mut self.zone, zone),
                    _ => Err(Fault::Syntax),
                }
            }
        }
    }

    /// Places loose numbers beside a month word: the one that cannot be a
    /// day (three digits or more, or over 31) is the year.
    fn place_loose(&mut self) -> Result<(), Fault> {
        let loose = std::mem::take(&mut self.loose);
        if loose.is_empty() {
            return Ok(());
        }
        if self.month.is_none() || self.year.is_some() || self.day.is_some() {
            return Err(Fault::Syntax);
        }
        let (mut day, mut year) = (None, None);
        for n in &loose {
            if n.len() >= 3 || num(n)? > 31 || day.is_some() {
                Self::set(&mut year, year_of(n)?)?;
            } else {
                day = Some(num(n)?);
            }
        }
        self.day = day;
        self.year = year;
        Ok(())
    }

    fn finish(mut self) -> Result<Decoded, Fault> {
        self.place_loose()?;
        let date = match (self.date, self.year, self.month, self.day) {
            (Some(d), None, None, None) => Some(d),
            (None, Some(y), Some(m), Some(d)) => {
                let y = if self.bc { 1 - y } else { y };
                Some(
                    NaiveDate::from_ymd_opt(
                        i32::try_from(y).map_err(|_| Fault::Range)?,
                        m,
                        u32::try_from(d).map_err(|_| Fault::Range)?,
                    )
                    .ok_or(Fault::Range)?,
                )
            }
            (None, None, None, None) => None,
            _ => return Err(Fault::Syntax),
        };
        let mut time = self.time;
        if let Some(pm) = self.pm {
            let t = time.ok_or(Fault::Syntax)?;
            let hour = t / (3600 * USECS_PER_SEC);
            if !(0..=12).contains(&hour) {
                return Err(Fault::Range);
            }
            let base = t % (12 * 3600 * USECS_PER_SEC);
            time = Some(if pm {
                base + 12 * 3600 * USECS_PER_SEC
            } else {
                base
            });
        }
        if date.is_none() && time.is_none() {
            return Err(Fault::Syntax);
        }
        let offset_secs = match self.zone {
            Some(zone) => {
                let at = date
                    .unwrap_or_else(|| local_now(0).0)
                    .and_hms_opt(0, 0, 0)
                    .and_then(|d| {
                        d.checked_add_signed(chrono::Duration::microseconds(time.unwrap_or(0)))
                    })
                    .ok_or(Fault::Range)?;
                if self.offset.is_some() {
                    return Err(Fault::Syntax);
                }
                Some(i64::from(zone.offset_at_local(&at)))
            }
            None => self.offset,
        };
        Ok(Decoded {
            date,
            time,
            offset_secs,
        })
    }
}

/// Today's date (moved by `days`) and the time of day now, on the session
/// zone's clock, as PostgreSQL reads `now` and `today`.
fn local_now(days: i64) -> (NaiveDate, i64) {
    let utc = chrono::Utc::now().naive_utc();
    let zone = crate::sql::zone::current();
    let local = utc + chrono::Duration::seconds(zone.offset_at_utc(&utc).into());
    let date = local.date() + chrono::Duration::days(days);
    let time = (local - local.date().and_hms_opt(0, 0, 0).unwrap_or(local))
        .num_microseconds()
        .unwrap_or(0);
    (date, time)
}

/// Reads date/time text in any of PostgreSQL's input forms.
pub(crate) fn decode(s: &str) -> Result<Decoded, Fault> {
    let mut state = State::default();
    for field in split(s.trim())? {
        match field {
            Field::Date(parts, delim) => state.date_field(&parts, delim)?,
            Field::Time(t) => State::set(&mut state.time, time_of(t)?)?,
            Field::Number(n) => state.number(n)?,
            Field::Word(w) => state.word(w)?,
            // After a time, `-8` is its zone; the first offset wins.
            Field::Offset(secs) => State::set(&mut state.offset, secs)?,
            Field::Julian(day) => {
                // Julian day 2451545 is 2000-01-01.
                let date = i32::try_from(day - 2_451_545)
                    .ok()
                    .and_then(super::datetime::date_of_days)
                    .ok_or(Fault::Range)?;
                State::set(&mut state.date, date)?
            }
        }
    }
    state.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> String {
        decode(s).unwrap().date.unwrap().to_string()
    }

    fn stamp(s: &str) -> (String, i64, Option<i64>) {
        let d = decode(s).unwrap();
        (
            d.date.unwrap().to_string(),
            d.time.unwrap_or(0) / USECS_PER_SEC,
            d.offset_secs,
        )
    }

    #[test]
    fn dates_in_postgres_input_forms() {
        // Each as PostgreSQL 15 (DateStyle ISO, MDY) reads it.
        for (text, want) in [
            ("2021/1/1", "2021-01-01"),
            ("1/8/1999", "1999-01-08"),
            ("01-02-2003", "2003-01-02"),
            ("January 8, 1999", "1999-01-08"),
            ("Jan 8 1999", "1999-01-08"),
            ("8 Jan 1999", "1999-01-08"),
            ("1999-Jan-08", "1999-01-08"),
            ("08-Jan-1999", "1999-01-08"),
            ("Jan-08-1999", "1999-01-08"),
            ("08-Jan-99", "1999-01-08"),
            ("19990108", "1999-01-08"),
            ("990108", "1999-01-08"),
            ("1999.008", "1999-01-08"),
            ("J2451187", "1999-01-08"),
            ("Sat Jan 01 2000", "2000-01-01"),
            ("1/8/05", "2005-01-08"),
            ("1999/01/08T10:00", "1999-01-08"),
        ] {
            assert_eq!(date(text), want, "{text}");
        }
    }

    #[test]
    fn times_zones_and_meridiems() {
        assert_eq!(
            stamp("2024-01-02 3:04:05 PM"),
            ("2024-01-02".into(), 15 * 3600 + 245, None)
        );
        assert_eq!(stamp("2024-01-02 12:00 am"), ("2024-01-02".into(), 0, None));
        assert_eq!(
            stamp("2000-01-01 10:00:00 EST"),
            ("2000-01-01".into(), 36_000, Some(-5 * 3600))
        );
        assert_eq!(
            stamp("2000-01-01 10:00 America/New_York"),
            ("2000-01-01".into(), 36_000, Some(-5 * 3600))
        );
        assert_eq!(
            stamp("2000-07-01 10:00 America/New_York").2,
            Some(-4 * 3600)
        );
        assert_eq!(stamp("19990108 040506").1, 4 * 3600 + 5 * 60 + 6);
        assert_eq!(stamp("Jan 8 1999 1030").1, 10 * 3600 + 30 * 60);
        assert_eq!(stamp("1999/01/08T10:00").1, 10 * 3600);
        assert_eq!(stamp("Sat Jan 01 2000 10:00 PM +05:30").2, Some(19_800));
        let t = decode("04:05:06.789-8").unwrap();
        assert_eq!(
            (t.date, t.time, t.offset_secs),
            (None, Some(14_706_789_000), Some(-8 * 3600))
        );
        assert_eq!(decode("allballs").unwrap().time, Some(0));
    }

    #[test]
    fn faults_are_postgres_codes() {
        for bad in [
            "garbage",
            "2021/1",
            "Jan 1999",
            "10:00 PM PM",
            "1/2/3/4",
            "3pm",
        ] {
            assert_eq!(decode(bad), Err(Fault::Syntax), "{bad}");
        }
        for range in ["2021/13/1", "2/30/2021", "13:00 PM", "10:61"] {
            assert_eq!(decode(range), Err(Fault::Range), "{range}");
        }
    }
}
