//! A remote tenant database (libSQL server) during a deployment: one Hrana
//! stream of the libsql client, held from `BEGIN IMMEDIATE` to `COMMIT`, so
//! the live schema is read and the plan applied in one transaction as on a
//! local file.
//!
//! The deployment engine blocks (it runs on the blocking pool) while the
//! client is async: each call runs on the server's runtime with the
//! environment's deadline. A server that is down gives 08006, one that does
//! not answer gives 57014; either loses the stream and its transaction, so
//! nothing was applied (unless it was the COMMIT that got no answer: then
//! the error says the outcome is unknown).
//!
//! Statements are sent one at a time: the client re-prints every statement
//! it parses except a lone CREATE TABLE, which it sends as written; a table
//! then reads back exactly as the plan created it.

use std::cell::Cell;
use std::ffi::CString;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::types::Value;

use super::tenant_db::Db;
use crate::backend::libsql::errors::from_libsql;
use crate::backend::libsql::portable::portable;
use crate::backend::libsql::values::from_remote;
use crate::backend::libsql::{RemoteConfig, RemoteConn};
use crate::sql::errors::SqlError;

pub struct RemoteDb {
    rt: tokio::runtime::Handle,
    conn: libsql::Connection,
    timeout: Duration,
    /// The stream (and its transaction) is gone: a transport failure or timeout.
    lost: Cell<bool>,
}

impl RemoteDb {
    /// A stream on `client` (the sessions' shared one) or on a client of
    /// its own; nothing is sent before the first statement.
    pub fn open(
        cfg: &RemoteConfig,
        client: Option<Arc<libsql::Database>>,
    ) -> Result<RemoteDb, SqlError> {
        let rt = tokio::runtime::Handle::try_current()
            .map_err(|e| SqlError::internal("remote deployment", e))?;
        let db = match client {
            Some(c) => c,
            None => rt.block_on(RemoteConn::database(cfg))?,
        };
        let conn = db.connect().map_err(|e| from_libsql(&e))?;
        Ok(RemoteDb {
            rt,
            conn,
            timeout: cfg.timeout,
            lost: Cell::new(false),
        })
    }

    fn call<T>(&self, fut: impl Future<Output = libsql::Result<T>>) -> Result<T, SqlError> {
        let r = self
            .rt
            .block_on(async { tokio::time::timeout(self.timeout, fut).await });
        match r {
            Ok(Ok(v)) => Ok(v),
            Err(_) => {
                self.lost.set(true);
                Err(SqlError::new(
                    "57014",
                    format!(
                        "the tenant's remote database did not answer within {} ms",
                        self.timeout.as_millis()
                    ),
                )
                .with_detail("The deployment's transaction was abandoned: nothing was applied. Try again when the libSQL server answers."))
            }
            Ok(Err(e)) => {
                let err = from_libsql(&e);
                if err.code != "08006" {
                    return Err(err);
                }
                self.lost.set(true);
                let mut out = SqlError::new(
                    "08006",
                    "could not reach the tenant's remote database: nothing was applied",
                );
                out.detail = err.detail;
                Err(out)
            }
        }
    }

    /// Foreign keys off and `BEGIN IMMEDIATE` in one request: the pragma
    /// holds per stream, and the client keeps a stream open only once a
    /// transaction begins on it.
    pub fn begin(&self) -> Result<(), SqlError> {
        self.call(
            self.conn
                .execute_batch("PRAGMA foreign_keys = OFF; BEGIN IMMEDIATE"),
        )?;
        if self.conn.is_autocommit() {
            return Err(SqlError::internal(
                "remote deployment",
                "the transaction did not begin",
            ));
        }
        Ok(())
    }

    /// COMMIT or ROLLBACK; a lost stream has nothing left to roll back.
    pub fn end(&self, commit: bool) -> Result<(), SqlError> {
        if self.lost.get() {
            return match commit {
                true => Err(SqlError::new(
                    "08006",
                    "the connection to the tenant's remote database was lost before COMMIT",
                )),
                false => Ok(()),
            };
        }
        let sql = if commit { "COMMIT" } else { "ROLLBACK" };
        match self.call(self.conn.execute(sql, ())) {
            // The COMMIT may have reached the server before the answer was lost.
            Err(e) if commit && self.lost.get() => Err(SqlError::new(
                e.code,
                "the connection to the tenant's remote database was lost at COMMIT: the deployment may or may not be applied",
            )
            .with_detail("Run pgtenant.plan for the tenant to see whether its schema is the desired one.")),
            Err(e) if commit => Err(e),
            _ => Ok(()),
        }
    }
}

impl Db for RemoteDb {
    fn query(&self, sql: &str, params: &[&str]) -> Result<Vec<Vec<Value>>, SqlError> {
        let params: Vec<libsql::Value> = params
            .iter()
            .map(|p| libsql::Value::Text((*p).to_owned()))
            .collect();
        self.call(async {
            let mut rows = self.conn.query(sql, params).await?;
            let n = rows.column_count().max(0);
            let mut out = Vec::new();
            while let Some(r) = rows.next().await? {
                out.push(
                    (0..n)
                        .map(|i| r.get_value(i).map(|v| from_remote(&v)))
                        .collect::<libsql::Result<Vec<_>>>()?,
                );
            }
            Ok(out)
        })
    }

    fn execute_batch(&self, sql: &str) -> Result<(), SqlError> {
        for stmt in statements(sql) {
            // The translator's local-only wrappers (seed rows' column input).
            let stmt = portable(stmt);
            self.call(self.conn.execute(&stmt, ()))?;
        }
        Ok(())
    }
}

/// The statements of `sql`, each with its `;`, ended where SQLite's own
/// tokenizer ends them (not at a `;` inside a literal or a trigger body).
pub fn statements(sql: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, _) in sql.match_indices(';') {
        let piece = &sql[start..=i];
        if complete(piece) {
            let piece = piece.trim();
            if piece != ";" {
                out.push(piece);
            }
            start = i + 1;
        }
    }
    let rest = sql[start..].trim();
    if !rest.is_empty() {
        out.push(rest);
    }
    out
}

fn complete(sql: &str) -> bool {
    let Ok(c) = CString::new(sql) else {
        return false;
    };
    // SAFETY: `c` is NUL-terminated and outlives the call, which only reads it.
    unsafe { rusqlite::ffi::sqlite3_complete(c.as_ptr()) != 0 }
}

#[cfg(test)]
mod tests {
    use super::statements;

    #[test]
    fn statements_end_where_sqlite_ends_them() {
        assert_eq!(
            statements("CREATE TABLE t (a text DEFAULT ';');\nINSERT INTO t VALUES ('x;y');"),
            [
                "CREATE TABLE t (a text DEFAULT ';');",
                "INSERT INTO t VALUES ('x;y');"
            ]
        );
        let trigger = "CREATE TRIGGER g AFTER INSERT ON t BEGIN UPDATE t SET a = 1; SELECT 2; END;";
        assert_eq!(
            statements(&format!("{trigger}\nDROP TABLE u;")),
            [trigger, "DROP TABLE u;"]
        );
        assert_eq!(statements("SELECT 1"), ["SELECT 1"]);
        assert!(statements(" ; ").is_empty());
    }
}
