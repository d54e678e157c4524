//! Panic boundaries: a fault while serving one session ends that statement
//! (blocking work) or that connection (the connection task), is logged with
//! the session's tenant, and never reaches the rest of the server.

use std::any::Any;
use std::panic::AssertUnwindSafe;

use super::session::Identity;
use crate::sql::errors::SqlError;

/// Runs a session's blocking work; a panic becomes XX000 for the client and
/// an error log line naming `who`.
pub fn guarded<T>(
    who: &Identity,
    work: impl FnOnce() -> Result<T, SqlError>,
) -> Result<T, SqlError> {
    match std::panic::catch_unwind(AssertUnwindSafe(work)) {
        Ok(r) => r,
        Err(panic) => {
            tracing::error!(
                user = who.user(),
                tenant = who.tenant().unwrap_or("(admin)"),
                panic = panic_text(&panic),
                "panic while running a statement: it fails with XX000"
            );
            Err(SqlError::new(
                "XX000",
                "internal error: the statement failed on a server fault",
            ))
        }
    }
}

/// The message a panic carried.
pub fn panic_text(panic: &Box<dyn Any + Send>) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
