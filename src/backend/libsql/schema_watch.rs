//! Noticing schema changes made outside this session: a deployment through
//! another pgtenant instance, or any other client of the libSQL server.
//!
//! SQLite bumps the database's `schema_version` on every schema change, and
//! every connection reads the same value, so comparing it with the value the
//! mirror was loaded at tells whether the mirror is stale. Reading it costs a
//! round trip, so a session reads it at most once per [`CHECK_INTERVAL`]
//! (before a statement, never in the background); an error saying a table or
//! column is missing checks at once, since the mirror may be what is behind.

use std::time::{Duration, Instant};

use crate::sql::errors::SqlError;

/// How long a session trusts its mirror without asking the server: a change
/// made elsewhere shows in catalog queries within this time. One cheap read
/// per interval per active session.
pub const CHECK_INTERVAL: Duration = Duration::from_millis(1000);

/// The remote schema version, read in the same statement as the schema
/// itself (`pragma_schema_version` is SQLite's table-valued form of
/// `PRAGMA schema_version`).
pub const VERSION_SQL: &str = "SELECT schema_version FROM pragma_schema_version";

/// What the session knows of the remote schema version.
#[derive(Debug)]
pub struct SchemaWatch {
    /// The version the mirror holds; `None` before the first load.
    loaded: Option<i64>,
    /// When the server last told us its version.
    checked_at: Instant,
}

impl Default for SchemaWatch {
    fn default() -> Self {
        SchemaWatch {
            loaded: None,
            checked_at: Instant::now(),
        }
    }
}

impl SchemaWatch {
    /// The mirror was loaded at `version`.
    pub fn loaded(&mut self, version: Option<i64>) {
        self.loaded = version;
        self.checked_at = Instant::now();
    }

    /// Whether the version should be read again before the next statement.
    pub fn due(&self) -> bool {
        self.checked_at.elapsed() >= CHECK_INTERVAL
    }

    /// The server reports `version`: true when the mirror is behind.
    pub fn changed(&mut self, version: i64) -> bool {
        self.checked_at = Instant::now();
        self.loaded != Some(version)
    }
}

/// Errors a stale mirror can cause: a relation or column the statement names
/// that the mirror (or the plan made from it) does not match.
pub fn is_missing_object(e: &SqlError) -> bool {
    matches!(e.code, "42P01" | "42703")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_version_is_a_change_and_checks_are_spaced() {
        let mut w = SchemaWatch::default();
        w.loaded(Some(3));
        assert!(!w.due());
        assert!(!w.changed(3));
        assert!(w.changed(4));
        w.checked_at -= CHECK_INTERVAL;
        assert!(w.due());
        assert!(is_missing_object(&SqlError::new("42P01", "x")));
        assert!(!is_missing_object(&SqlError::new("42601", "x")));
    }
}
