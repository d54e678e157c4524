//! The tenant database a deployment reads and changes: its local file
//! (rusqlite) or its remote libSQL database ([`super::remote::RemoteDb`]).
//! Introspection, the plan's steps, seed rows and the checks before COMMIT
//! are written once against [`Db`]; only opening and the transaction's
//! ends differ.

use std::path::Path;
use std::sync::Arc;

use rusqlite::types::Value;
use rusqlite::Connection;

use super::diff::Rebuild;
use super::remote::RemoteDb;
use crate::sql::errors::{from_sqlite, SqlError};
use crate::tenant::registry;

/// Statements on a tenant database.
pub trait Db {
    /// Runs one query with text parameters (`?1`, ...); its rows.
    fn query(&self, sql: &str, params: &[&str]) -> Result<Vec<Vec<Value>>, SqlError>;
    /// Runs statements without results, in order.
    fn execute_batch(&self, sql: &str) -> Result<(), SqlError>;
}

impl Db for Connection {
    fn query(&self, sql: &str, params: &[&str]) -> Result<Vec<Vec<Value>>, SqlError> {
        let err = |e: rusqlite::Error| from_sqlite(&e);
        let mut stmt = self.prepare_cached(sql).map_err(err)?;
        let n = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(err)? {
            out.push(
                (0..n)
                    .map(|i| r.get::<_, Value>(i))
                    .collect::<Result<_, _>>()
                    .map_err(err)?,
            );
        }
        Ok(out)
    }

    fn execute_batch(&self, sql: &str) -> Result<(), SqlError> {
        Connection::execute_batch(self, sql).map_err(|e| from_sqlite(&e))
    }
}

/// A text column (NULL and non-text as None).
pub fn text(row: &[Value], i: usize) -> Option<String> {
    match row.get(i) {
        Some(Value::Text(s)) => Some(s.clone()),
        Some(Value::Integer(n)) => Some(n.to_string()),
        _ => None,
    }
}

/// An integer column (anything else as 0).
pub fn int(row: &[Value], i: usize) -> i64 {
    match row.get(i) {
        Some(Value::Integer(n)) => *n,
        _ => 0,
    }
}

/// Opens a local tenant database for a deployment: the server's own
/// connection, without the tenant guard (it runs pragmas a tenant may not),
/// with the SQL functions defaults and checks may call.
pub fn open_file(path: &Path) -> Result<Connection, SqlError> {
    let err = |e: rusqlite::Error| from_sqlite(&e);
    let conn = crate::backend::sqlite::open::open_file(path).map_err(err)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(err)?;
    crate::backend::sqlite::functions::register(&conn).map_err(err)?;
    crate::backend::sqlite::pgfuncs::register(&conn).map_err(err)?;
    Ok(conn)
}

/// A tenant database opened for one deployment. Blocks: call it from the
/// blocking pool (the remote one runs its calls on the server's runtime).
pub enum Opened {
    Local(Connection),
    Remote(RemoteDb),
}

impl Opened {
    /// Opens `target`; a remote one on `client` if given (see [`RemoteDb::open`]).
    pub fn open(
        target: &registry::Target,
        client: Option<Arc<libsql::Database>>,
    ) -> Result<Opened, SqlError> {
        Ok(match target {
            registry::Target::File(path) => Opened::Local(open_file(path)?),
            registry::Target::Remote(cfg) => Opened::Remote(RemoteDb::open(cfg, client)?),
        })
    }

    pub fn db(&self) -> &dyn Db {
        match self {
            Opened::Local(c) => c,
            Opened::Remote(r) => r,
        }
    }

    /// How the plan for this database rebuilds tables.
    pub fn rebuild(&self) -> Rebuild {
        match self {
            Opened::Local(_) => Rebuild::Rename,
            Opened::Remote(_) => Rebuild::Copy,
        }
    }

    /// Foreign keys off (step 1 of SQLite's procedure; not possible inside a
    /// transaction, so checked explicitly before COMMIT), then one write
    /// transaction.
    pub fn begin(&self) -> Result<(), SqlError> {
        match self {
            Opened::Local(c) => Db::execute_batch(c, "PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE"),
            Opened::Remote(r) => r.begin(),
        }
    }

    /// COMMIT, or ROLLBACK (a failed step, a refusal, a dry run).
    pub fn end(&self, commit: bool) -> Result<(), SqlError> {
        match (self, commit) {
            (Opened::Remote(r), _) => r.end(commit),
            (Opened::Local(c), true) => Db::execute_batch(c, "COMMIT"),
            // An error may have ended the transaction already; closing the
            // connection rolls back whatever is left.
            (Opened::Local(c), false) => {
                let _ = Db::execute_batch(c, "ROLLBACK");
                Ok(())
            }
        }
    }
}
