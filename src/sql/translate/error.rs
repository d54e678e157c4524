//! Constructors for the SQLSTATEs the translator reports.

use super::TranslateError;
use std::fmt::Display;

/// 0A000 feature_not_supported: `"<what> is not supported"`.
pub(super) fn unsupported(what: impl Display) -> TranslateError {
    TranslateError {
        code: "0A000",
        message: format!("{what} is not supported"),
    }
}

/// 42601 syntax_error.
pub(super) fn syntax(message: impl Into<String>) -> TranslateError {
    TranslateError {
        code: "42601",
        message: message.into(),
    }
}

/// 42501 insufficient_privilege: statements and functions that could reach
/// SQLite files or engine settings.
pub(super) fn forbidden(what: impl Display) -> TranslateError {
    TranslateError {
        code: "42501",
        message: format!("{what} is not allowed"),
    }
}

/// 3F000 invalid_schema_name; the management schema is 42501 instead: it
/// exists, but only for the admin role.
pub(super) fn no_schema(schema: &str) -> TranslateError {
    if schema.eq_ignore_ascii_case("pgtenant") {
        return TranslateError {
            code: "42501",
            message: "permission denied for schema pgtenant".to_owned(),
        };
    }
    TranslateError {
        code: "3F000",
        message: format!("schema \"{schema}\" does not exist"),
    }
}

/// Any other SQLSTATE with a PostgreSQL-style message.
pub(super) fn other(code: &'static str, message: impl Into<String>) -> TranslateError {
    TranslateError {
        code,
        message: message.into(),
    }
}
