//! `pgtenant_debug_panic()`: a SQL function that panics, registered only
//! when the config's test-only `debug_panic_function` is on (off by
//! default). It lets a test reach a real panic inside the server through an
//! ordinary client, to prove the fault ends one statement and nothing else.

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

/// The message of the panic, so tests and logs can recognise it.
pub const PANIC_MESSAGE: &str = "pgtenant_debug_panic() was called";

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "pgtenant_debug_panic",
        0,
        FunctionFlags::SQLITE_UTF8,
        |_| -> rusqlite::Result<i64> { panic!("{PANIC_MESSAGE}") },
    )
}
