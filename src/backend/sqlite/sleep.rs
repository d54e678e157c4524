//! `pg_sleep(seconds)`: waits off the async worker (a call during an
//! inline run puts the run over its budget, so it runs again on the
//! blocking pool), in short steps that notice cancel and statement_timeout.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::Connection;

use crate::sql::errors::SqlError;

fn fail(code: &'static str, message: &str) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(Box::new(SqlError::new(code, message)))
}

/// Whether the running statement was interrupted (cancel, timeout).
pub(crate) fn interrupted(ctx: &Context<'_>) -> bool {
    // SAFETY: the handle is only read, during the call, on the connection
    // that is running it.
    unsafe {
        ctx.get_connection()
            .map(|c| rusqlite::ffi::sqlite3_is_interrupted(c.handle()) != 0)
            .unwrap_or(false)
    }
}

/// SQLite's own SQLITE_INTERRUPT, which the session reports as a cancel or
/// a statement timeout, whichever it was.
pub(crate) fn interrupt_error() -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_INTERRUPT),
        None,
    )
}

pub(super) fn register(
    db: &Connection,
    inline: Arc<AtomicBool>,
    over_budget: Arc<AtomicBool>,
) -> rusqlite::Result<()> {
    db.create_scalar_function(
        "pg_sleep",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY,
        move |ctx| {
            let seconds = ctx.get::<Option<f64>>(0)?.unwrap_or(0.0);
            if seconds.is_nan() || seconds <= 0.0 {
                return Ok(String::new());
            }
            if inline.load(Ordering::Relaxed) {
                over_budget.store(true, Ordering::Relaxed);
                return Err(fail("57014", "pg_sleep moved off the worker"));
            }
            let end = Instant::now() + Duration::from_secs_f64(seconds.min(1e9));
            loop {
                if interrupted(ctx) {
                    return Err(interrupt_error());
                }
                let left = end.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Ok(String::new());
                }
                std::thread::sleep(left.min(Duration::from_millis(20)));
            }
        },
    )
}
