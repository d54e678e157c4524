//! The session's TimeZone: timestamptz values are stored as UTC, and the
//! zone decides how they print, how zone-less input is read, and what
//! calendar day or hour a timestamptz falls on (casts, date_trunc, extract).
//!
//! The zone of the statement running on this thread is a thread-local set
//! around each piece of synchronous work ([`scoped`]): the encoder and the
//! SQLite functions run deep below the session and cannot be handed it, and
//! a session's statement runs on one thread at a time.

use std::cell::Cell;

use chrono::{NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;

/// A TimeZone setting's value, resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SessionZone {
    #[default]
    Utc,
    /// A fixed offset, seconds east of UTC (`SET TIME ZONE -7`).
    Fixed(i32),
    Named(Tz),
}

thread_local! {
    static CURRENT: Cell<SessionZone> = const { Cell::new(SessionZone::Utc) };
}

/// The zone of the statement running on this thread (UTC outside one).
pub fn current() -> SessionZone {
    CURRENT.with(Cell::get)
}

/// Runs `work` with `zone` as this thread's zone; the previous one comes
/// back afterwards, also when `work` panics.
pub fn scoped<T>(zone: SessionZone, work: impl FnOnce() -> T) -> T {
    struct Restore(SessionZone);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(zone)));
    work()
}

/// Names PostgreSQL reads as UTC (`localtime`: the server's zone, UTC here).
const UTC_NAMES: &[&str] = &[
    "utc",
    "gmt",
    "z",
    "zulu",
    "etc/utc",
    "universal",
    "uct",
    "localtime",
];

impl SessionZone {
    /// A zone name as `SET TIME ZONE` and `AT TIME ZONE` take it: an IANA
    /// name in any case, UTC/GMT/Z, or a number of hours east of UTC.
    pub fn parse(name: &str) -> Option<SessionZone> {
        let n = name.trim().trim_matches('\'').trim();
        if n.is_empty() {
            return None;
        }
        if UTC_NAMES.iter().any(|u| n.eq_ignore_ascii_case(u)) {
            return Some(SessionZone::Utc);
        }
        if let Some(secs) = posix_offset(n) {
            return Some(SessionZone::Fixed(secs));
        }
        if let Ok(hours) = n.parse::<f64>() {
            // A bare number: hours east of UTC, as `SET TIME ZONE -7`.
            let secs = (hours * 3600.0).round();
            return (secs.abs() <= 15.0 * 3600.0).then_some(SessionZone::Fixed(secs as i32));
        }
        if let Ok(tz) = n.parse::<Tz>() {
            return Some(SessionZone::Named(tz));
        }
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|tz| tz.name().eq_ignore_ascii_case(n))
            .map(|tz| SessionZone::Named(*tz))
    }

    /// How SHOW TimeZone prints the zone: the canonical IANA spelling, and
    /// PostgreSQL's POSIX form for a fixed offset (`<-07>+07`).
    pub fn display(self, given: &str) -> String {
        match self {
            SessionZone::Utc => {
                let g = given.trim().trim_matches('\'');
                if g.eq_ignore_ascii_case("utc") {
                    "UTC".into()
                } else {
                    g.to_owned()
                }
            }
            SessionZone::Named(tz) => tz.name().to_owned(),
            SessionZone::Fixed(_) if posix_offset(given.trim().trim_matches('\'')).is_some() => {
                given.trim().trim_matches('\'').to_owned()
            }
            SessionZone::Fixed(secs) => {
                let mut label = String::new();
                push_offset(&mut label, secs);
                // (PostgreSQL's POSIX form of a zero offset is `-00`.)
                let mut posix = String::new();
                if secs == 0 {
                    posix.push_str("-00");
                } else {
                    push_offset(&mut posix, -secs);
                }
                format!("<{label}>{posix}")
            }
        }
    }

    pub fn is_utc(self) -> bool {
        self == SessionZone::Utc
    }

    /// Seconds east of UTC in effect at a UTC instant.
    pub fn offset_at_utc(self, utc: &NaiveDateTime) -> i32 {
        match self {
            SessionZone::Utc => 0,
            SessionZone::Fixed(secs) => secs,
            SessionZone::Named(tz) => tz.offset_from_utc_datetime(utc).fix().local_minus_utc(),
        }
    }

    /// [`Self::offset_at_utc`] of a timestamp in microseconds since
    /// 2000-01-01 UTC (`None` past the calendar's range).
    pub fn offset_at_usecs(self, us: i64) -> Option<i32> {
        if self.is_utc() {
            return Some(0);
        }
        crate::sql::encode::datetime::naive_of_usecs(us).map(|utc| self.offset_at_utc(&utc))
    }

    /// The zone's abbreviation at a wall-clock time, as to_char's `TZ`
    /// prints it (`EST`, `CEST`; `UTC`; a fixed offset's `-07`). A
    /// repeated clock reads as after the change, as [`Self::offset_at_local`].
    pub fn abbreviation_at_local(self, local: &NaiveDateTime) -> String {
        use chrono::LocalResult;
        use chrono_tz::OffsetName;
        let offset = |secs: i32| {
            let mut out = String::new();
            push_offset(&mut out, secs);
            out
        };
        match self {
            SessionZone::Utc => "UTC".to_owned(),
            SessionZone::Fixed(secs) => offset(secs),
            SessionZone::Named(tz) => {
                let o = match tz.offset_from_local_datetime(local) {
                    LocalResult::Single(o) | LocalResult::Ambiguous(_, o) => o,
                    LocalResult::None => tz.offset_from_utc_datetime(local),
                };
                o.abbreviation()
                    .map_or_else(|| offset(o.fix().local_minus_utc()), str::to_owned)
            }
        }
    }

    /// Seconds east of UTC for a wall-clock time. As PostgreSQL: when the
    /// clock repeats, the offset after the change (01:30 on the autumn night
    /// is standard time); when it skips, the offset before it (02:30 in the
    /// spring gap is 03:30 summer time).
    pub fn offset_at_local(self, local: &NaiveDateTime) -> i32 {
        use chrono::LocalResult;
        match self {
            SessionZone::Utc => 0,
            SessionZone::Fixed(secs) => secs,
            SessionZone::Named(tz) => match tz.offset_from_local_datetime(local) {
                LocalResult::Single(o) => o.fix().local_minus_utc(),
                LocalResult::Ambiguous(_, after) => after.fix().local_minus_utc(),
                LocalResult::None => self.offset_at_utc(&(*local - chrono::Duration::hours(3))),
            },
        }
    }
}

/// POSIX `UTC+3` / `GMT-5:30`: hours *west* of UTC (the opposite of ISO).
fn posix_offset(n: &str) -> Option<i32> {
    let head = n.get(..3)?;
    if !head.eq_ignore_ascii_case("utc") && !head.eq_ignore_ascii_case("gmt") {
        return None;
    }
    let rest = &n[3..];
    let sign = match rest.as_bytes().first()? {
        b'+' => -1,
        b'-' => 1,
        _ => return None,
    };
    let (h, m) = rest[1..].split_once(':').unwrap_or((&rest[1..], "0"));
    let (h, m): (i32, i32) = (h.parse().ok()?, m.parse().ok()?);
    (h <= 15 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

/// `+HH`, `+HH:MM` or `+HH:MM:SS` as PostgreSQL prints an offset.
pub fn push_offset(out: &mut String, secs: i32) {
    use std::fmt::Write;
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    let _ = write!(out, "{sign}{:02}", a / 3600);
    if !a.is_multiple_of(3600) {
        let _ = write!(out, ":{:02}", a % 3600 / 60);
        if !a.is_multiple_of(60) {
            let _ = write!(out, ":{:02}", a % 60);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_offsets_and_display() {
        assert_eq!(SessionZone::parse("utc"), Some(SessionZone::Utc));
        assert_eq!(
            SessionZone::parse("europe/berlin").map(|z| z.display("europe/berlin")),
            Some("Europe/Berlin".into())
        );
        assert_eq!(
            SessionZone::parse("-7").map(|z| z.display("-7")),
            Some("<-07>+07".into())
        );
        assert_eq!(SessionZone::parse("5.5"), Some(SessionZone::Fixed(19_800)));
        assert_eq!(SessionZone::parse("Mars/Olympus"), None);
        assert_eq!(
            SessionZone::parse("UTC+3"),
            Some(SessionZone::Fixed(-10_800))
        );
        let ny = SessionZone::parse("America/New_York").unwrap();
        let at = |s: &str| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        assert_eq!(ny.offset_at_local(&at("2024-11-03 01:30")), -5 * 3600);
        assert_eq!(ny.offset_at_local(&at("2024-03-10 02:30")), -5 * 3600);
        let mut s = String::new();
        push_offset(&mut s, -(3 * 3600 + 1800));
        assert_eq!(s, "-03:30");
    }

    #[test]
    fn scoped_zone_comes_back() {
        let berlin = SessionZone::parse("Europe/Berlin").unwrap();
        assert_eq!(scoped(berlin, current), berlin);
        assert_eq!(current(), SessionZone::Utc);
    }
}
