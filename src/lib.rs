//! pgtenant: a PostgreSQL wire-protocol server that gives every tenant its
//! own SQLite database. See README.md for the architecture.

pub mod admin;
pub mod backend;
pub mod config;
pub mod deploy;
pub mod metrics;
pub mod server;
pub mod sql;
pub mod tenant;
