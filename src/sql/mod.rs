//! PostgreSQL on SQLite: translation, types, encodings and errors.

pub mod catalog;
pub mod decode;
pub mod encode;
pub mod errors;
pub mod normalize;
pub mod pgtype;
pub mod translate;
