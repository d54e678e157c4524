//! Database engines behind tenant environments: the embedded SQLite engine
//! (`sqlite`, the default) and a remote libSQL server (`libsql`, Hrana over
//! HTTP). [`Engine`] is what a session needs from either.

pub mod engine;
pub mod libsql;
pub mod sqlite;

pub use engine::Engine;
