//! Database engines behind tenant environments.
//!
//! Today the embedded SQLite engine is the only one; the remote libSQL engine
//! (its own issue) will sit beside it behind the same session interface.

pub mod sqlite;
