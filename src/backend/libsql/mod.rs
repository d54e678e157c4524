//! The remote engine: a tenant database on a libSQL server (sqld, Turso),
//! reached with the `libsql` crate's remote client (Hrana over HTTP; no
//! embedded libSQL, see DESIGN.md decision 1).
//!
//! - [`remote`]: one session's connection: statements, transactions (one
//!   Hrana stream keeps its baton across calls), timeouts and reconnects.
//! - [`mirror`]: an in-memory SQLite copy of the remote schema, which
//!   answers describe and declared column types (Hrana's client API does not
//!   expose declared types) and is refreshed after DDL.
//! - [`schema_change`]: ALTER COLUMN and constraint edits as table rebuilds.
//! - [`schema_watch`]: noticing schema changes made by other instances.
//! - [`values`]: parameter and result values between rusqlite and libsql.
//! - [`errors`]: remote failures to SQLSTATEs.
//! - [`admin_api`]: provisioning through sqld's namespace admin API.
//! - [`turso_api`]: provisioning through the Turso platform API.
//! - [`config`]: the `[libsql]` config section and remote database URLs.

pub mod admin_api;
pub mod config;
pub mod errors;
pub mod mirror;
pub mod portable;
pub mod remote;
pub mod schema_change;
pub mod schema_watch;
pub mod turso_api;
pub mod values;

pub use admin_api::AdminClient;
pub use config::LibsqlConfig;
pub use remote::{RemoteConfig, RemoteConn};
pub use turso_api::TursoClient;
