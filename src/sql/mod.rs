//! PostgreSQL on SQLite: translation, types, encodings and errors.

pub mod catalog;
pub mod check_def;
pub mod decode;
pub mod default_spelling;
pub mod encode;
pub mod error_position;
pub mod errors;
pub mod interval_style;
pub(crate) mod locator;
pub mod normalize;
pub mod pg_hash;
pub mod pg_ident;
pub mod pgtype;
pub mod serial_key;
pub mod stack;
pub mod string_literals;
pub mod table_constraints;
pub mod textual;
pub mod translate;
pub mod view_source;
pub mod zone;

/// `"name"`, with embedded quotes doubled: the SQLite SQL pgtenant
/// generates always quotes identifiers.
pub fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `'text'`, with embedded quotes doubled.
pub fn quote_literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}
