//! Remote failures as SQLSTATEs.
//!
//! SQLite errors raised by the libSQL server come back as a Hrana error
//! (`code` such as `SQLITE_CONSTRAINT`, or an extended name such as
//! `SQLITE_CONSTRAINT_UNIQUE`, and sqld's message `SQLite error: ...`); they
//! are mapped by the same table as local SQLite errors. The libsql client
//! keeps its Hrana error type private and hands it over boxed, so the code
//! and message are recovered from its text. Transport failures are 08006.

use rusqlite::ffi;

use crate::sql::errors::{from_sqlite_code, SqlError};

/// The remote database could not be reached or dropped the connection.
pub fn connection_failure(detail: impl std::fmt::Display) -> SqlError {
    SqlError::new(
        "08006",
        "connection to the remote database failed; the next statement reconnects",
    )
    .with_detail(detail.to_string())
}

/// Whether the server dropped the connection's stream after inactivity
/// (sqld answers its baton with `STREAM_EXPIRED`): nothing ran, and in
/// autocommit mode nothing was lost either.
pub fn is_stream_expired(e: &libsql::Error) -> bool {
    matches!(e, libsql::Error::Hrana(inner) if inner.to_string().contains("STREAM_EXPIRED"))
}

/// Maps an error of the libsql client.
pub fn from_libsql(e: &libsql::Error) -> SqlError {
    match e {
        libsql::Error::Sqlite3SyntaxError(_, _, found) => {
            SqlError::new("42601", format!("syntax error at or near \"{found}\""))
        }
        libsql::Error::Sqlite3ParserError(inner) => {
            SqlError::new("42601", format!("syntax error: {inner}"))
        }
        libsql::Error::Sqlite3UnsupportedStatement => SqlError::new(
            "0A000",
            "this statement is not supported on a remote libSQL database",
        ),
        libsql::Error::ConnectionFailed(m) => connection_failure(m),
        libsql::Error::Hrana(inner) => from_hrana_text(&inner.to_string()),
        libsql::Error::SqliteFailure(code, msg) => from_sqlite_code(*code, msg),
        libsql::Error::RemoteSqliteFailure(_, ext, msg) => from_sqlite_code(*ext, msg),
        other => SqlError::internal("libsql remote", other),
    }
}

/// Maps the text of the client's Hrana error (see the module comment).
pub fn from_hrana_text(text: &str) -> SqlError {
    if let Some(rest) = text.strip_prefix("http error:") {
        return connection_failure(rest.trim().trim_matches('`'));
    }
    if let Some(rest) = text.strip_prefix("api error:") {
        // A failed statement of a batch (several statements for one
        // PostgreSQL statement) comes back as an "api error" holding the
        // server's SQLite message.
        if let Some(msg) = sqlite_message(rest) {
            return from_sqlite_code(refine(ffi::SQLITE_ERROR, &msg), &msg);
        }
        return from_http_status(rest.trim().trim_matches('`'));
    }
    let code = error_code(text);
    let message = sqlite_message(text);
    match (code, message) {
        (Some(code), msg) => from_hrana_code(code, msg.as_deref().unwrap_or(text)),
        (None, Some(msg)) => from_sqlite_code(refine(ffi::SQLITE_ERROR, &msg), &msg),
        (None, None) => connection_failure(text),
    }
}

/// `status=404 Not Found, body=...` from a non-200 pipeline response.
fn from_http_status(rest: &str) -> SqlError {
    let status: u16 = rest
        .strip_prefix("status=")
        .and_then(|s| s.get(..3))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    match status {
        401 | 403 => SqlError::new(
            "28000",
            "the remote database rejected the credentials of this environment",
        ),
        404 => SqlError::new("3D000", "the remote database does not exist"),
        _ => connection_failure(rest),
    }
}

/// The Hrana error code: `code: "X"` (debug form) or `(error code: X)`.
fn error_code(text: &str) -> Option<&str> {
    let start = if let Some(i) = text.find("code: \"") {
        i + 7
    } else {
        text.find("(error code: ")? + 13
    };
    let rest = &text[start..];
    let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))?;
    Some(&rest[..end]).filter(|c| !c.is_empty())
}

/// The SQLite message inside sqld's wording, unescaped.
fn sqlite_message(text: &str) -> Option<String> {
    for prefix in ["SQLite error: ", "SQL input error: "] {
        if let Some(i) = text.find(prefix) {
            let rest = &text[i + prefix.len()..];
            // Debug form ends at `", code:`; display form at a backquote.
            let end = rest
                .find("\", code:")
                .or_else(|| rest.find('`'))
                .unwrap_or(rest.len());
            let mut msg = rest[..end].replace("\\\"", "\"");
            if let Some(j) = msg.rfind(" (at offset ") {
                msg.truncate(j);
            }
            return Some(msg);
        }
    }
    None
}

/// A primary code made precise by SQLite's message, as sqld reports
/// primary codes only.
fn refine(primary: i32, msg: &str) -> i32 {
    if primary != ffi::SQLITE_CONSTRAINT {
        return primary;
    }
    const KINDS: &[(&str, i32)] = &[
        ("UNIQUE constraint failed", ffi::SQLITE_CONSTRAINT_UNIQUE),
        ("NOT NULL constraint failed", ffi::SQLITE_CONSTRAINT_NOTNULL),
        (
            "FOREIGN KEY constraint failed",
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY,
        ),
        ("CHECK constraint failed", ffi::SQLITE_CONSTRAINT_CHECK),
    ];
    KINDS
        .iter()
        .find(|(p, _)| msg.starts_with(p))
        .map(|(_, c)| *c)
        .unwrap_or(primary)
}

fn from_hrana_code(code: &str, msg: &str) -> SqlError {
    const SQLITE: &[(&str, i32)] = &[
        ("SQLITE_CONSTRAINT_UNIQUE", ffi::SQLITE_CONSTRAINT_UNIQUE),
        (
            "SQLITE_CONSTRAINT_PRIMARYKEY",
            ffi::SQLITE_CONSTRAINT_PRIMARYKEY,
        ),
        ("SQLITE_CONSTRAINT_NOTNULL", ffi::SQLITE_CONSTRAINT_NOTNULL),
        (
            "SQLITE_CONSTRAINT_FOREIGNKEY",
            ffi::SQLITE_CONSTRAINT_FOREIGNKEY,
        ),
        ("SQLITE_CONSTRAINT_CHECK", ffi::SQLITE_CONSTRAINT_CHECK),
        ("SQLITE_BUSY_SNAPSHOT", ffi::SQLITE_BUSY_SNAPSHOT),
        ("SQLITE_ERROR", ffi::SQLITE_ERROR),
        ("SQLITE_INTERNAL", ffi::SQLITE_INTERNAL),
        ("SQLITE_PERM", ffi::SQLITE_PERM),
        ("SQLITE_ABORT", ffi::SQLITE_ABORT),
        ("SQLITE_BUSY", ffi::SQLITE_BUSY),
        ("SQLITE_LOCKED", ffi::SQLITE_LOCKED),
        ("SQLITE_NOMEM", ffi::SQLITE_NOMEM),
        ("SQLITE_READONLY", ffi::SQLITE_READONLY),
        ("SQLITE_INTERRUPT", ffi::SQLITE_INTERRUPT),
        ("SQLITE_IOERR", ffi::SQLITE_IOERR),
        ("SQLITE_CORRUPT", ffi::SQLITE_CORRUPT),
        ("SQLITE_FULL", ffi::SQLITE_FULL),
        ("SQLITE_CANTOPEN", ffi::SQLITE_CANTOPEN),
        ("SQLITE_TOOBIG", ffi::SQLITE_TOOBIG),
        ("SQLITE_CONSTRAINT", ffi::SQLITE_CONSTRAINT),
        ("SQLITE_MISMATCH", ffi::SQLITE_MISMATCH),
        ("SQLITE_AUTH", ffi::SQLITE_AUTH),
        ("SQLITE_RANGE", ffi::SQLITE_RANGE),
        ("SQLITE_NOTADB", ffi::SQLITE_NOTADB),
    ];
    if let Some((_, c)) = SQLITE.iter().find(|(n, _)| *n == code) {
        return from_sqlite_code(refine(*c, msg), msg);
    }
    match code {
        // sqld's own checks, before SQLite sees the statement.
        "SQL_INPUT_ERROR" | "SQLITE_UNKNOWN" => from_sqlite_code(ffi::SQLITE_ERROR, msg),
        "SQL_PARSE_ERROR" => SqlError::new("42601", msg.to_owned()),
        "SQL_NO_STATEMENT" => SqlError::new("42601", "empty statement"),
        "SQL_MANY_STATEMENTS" => SqlError::new(
            "42601",
            "cannot insert multiple commands into a prepared statement",
        ),
        "ARGS_INVALID" | "ARGS_BOTH_POSITIONAL_AND_NAMED" => SqlError::new("08P01", msg.to_owned()),
        "TRANSACTION_TIMEOUT" => SqlError::new(
            "25P03",
            "the remote database ended the transaction after its timeout",
        ),
        "TRANSACTION_BUSY" => SqlError::new(
            "55P03",
            "the remote database cannot start another transaction now",
        ),
        "BLOCKED" => SqlError::new("25006", msg.to_owned()),
        "RESPONSE_TOO_LARGE" => SqlError::new("54000", "result too large for the remote protocol"),
        "STREAM_EXPIRED" | "STREAM_CLOSED" => connection_failure(msg),
        _ => SqlError::new("XX000", msg.to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_sqld_error_texts() {
        let debug = r#"stream error: `Error { message: "SQLite error: UNIQUE constraint failed: t.a", code: "SQLITE_CONSTRAINT" }`"#;
        let e = from_hrana_text(debug);
        assert_eq!(e.code, "23505");
        assert!(e.message.contains("t_a_key"), "{}", e.message);
        let cursor = "cursor error: `error at step 0: (error code: SQLITE_CONSTRAINT) `SQLite error: NOT NULL constraint failed: t.b``";
        assert_eq!(from_hrana_text(cursor).code, "23502");
        let input = r#"stream error: `Error { message: "SQL input error: no such table: nope (at offset 14)", code: "SQL_INPUT_ERROR" }`"#;
        let e = from_hrana_text(input);
        assert_eq!(
            (e.code, e.message.as_str()),
            ("42P01", "relation \"nope\" does not exist")
        );
        let ext = r#"stream error: `Error { message: "UNIQUE constraint failed: t.a", code: "SQLITE_CONSTRAINT_UNIQUE" }`"#;
        assert_eq!(from_hrana_text(ext).code, "23505");
        assert_eq!(
            from_hrana_text("http error: `connection refused`").code,
            "08006"
        );
        let batch = "api error: `SQLite error: no such index: nope`";
        assert_eq!(from_hrana_text(batch).code, "42704");
        assert_eq!(
            from_hrana_text("api error: `status=401 Unauthorized, body=`").code,
            "28000"
        );
        assert_eq!(
            from_hrana_text("api error: `status=502 Bad Gateway, body=`").code,
            "08006"
        );
    }
}
