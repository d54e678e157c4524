//! The session's IntervalStyle: how interval values print to the client
//! (Rails sets `iso_8601` on every connection). Intervals are stored in the
//! `postgres` style whatever the setting; only output follows it.
//!
//! Like the TimeZone (`zone`), the style of the statement running on this
//! thread is a thread-local set around its synchronous work ([`scoped`]):
//! the encoder runs deep below the session.

use std::cell::Cell;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IntervalStyle {
    /// `1 year 2 mons 3 days 04:05:06`
    #[default]
    Postgres,
    /// `@ 1 year 2 mons 3 days 4 hours 5 mins 6 secs`
    PostgresVerbose,
    /// `+1-2 +3 +4:05:06`
    SqlStandard,
    /// `P1Y2M3DT4H5M6S`
    Iso8601,
}

impl IntervalStyle {
    /// A value as `SET intervalstyle` takes it, in any case, quoted or not.
    pub fn parse(value: &str) -> Option<IntervalStyle> {
        let v = value.trim().trim_matches('\'').trim();
        [
            IntervalStyle::Postgres,
            IntervalStyle::PostgresVerbose,
            IntervalStyle::SqlStandard,
            IntervalStyle::Iso8601,
        ]
        .into_iter()
        .find(|s| s.name().eq_ignore_ascii_case(v))
    }

    /// The name SHOW prints.
    pub fn name(self) -> &'static str {
        match self {
            IntervalStyle::Postgres => "postgres",
            IntervalStyle::PostgresVerbose => "postgres_verbose",
            IntervalStyle::SqlStandard => "sql_standard",
            IntervalStyle::Iso8601 => "iso_8601",
        }
    }
}

thread_local! {
    static CURRENT: Cell<IntervalStyle> = const { Cell::new(IntervalStyle::Postgres) };
}

/// The style of the statement running on this thread (`postgres` outside one).
pub fn current() -> IntervalStyle {
    CURRENT.with(Cell::get)
}

/// Runs `work` with `style` as this thread's style; the previous one comes
/// back afterwards, also when `work` panics.
pub fn scoped<T>(style: IntervalStyle, work: impl FnOnce() -> T) -> T {
    struct Restore(IntervalStyle);
    impl Drop for Restore {
        fn drop(&mut self) {
            CURRENT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(CURRENT.with(|c| c.replace(style)));
    work()
}
