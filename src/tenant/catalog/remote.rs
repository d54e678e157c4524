//! The catalog on a remote libSQL database (`catalog_url`), shared by every
//! instance configured with it.
//!
//! Catalog methods block (they run on the blocking pool, and at startup on
//! the main thread), while the libsql client is async. The client therefore
//! lives on a small runtime of its own: each statement is spawned there and
//! the calling thread waits for its answer. No async worker of the server
//! is ever blocked by it, and it works the same from any thread.
//!
//! Every statement has the configured deadline: a catalog that is down
//! gives 08006 at once, one that does not answer gives 57014 when the
//! deadline passes. A transaction is one Hrana stream held between
//! requests (`BEGIN IMMEDIATE` ... `COMMIT`).

use std::cell::Cell;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::types::{ToSqlOutput, Value, ValueRef};

use super::store::{Params, Row};
use crate::backend::libsql::errors::from_libsql;
use crate::backend::libsql::values::{from_remote, to_remote};
use crate::backend::libsql::RemoteConfig;
use crate::sql::errors::SqlError;

pub struct Remote {
    /// Taken at drop: a runtime may not be dropped inside another one.
    rt: Option<tokio::runtime::Runtime>,
    db: Arc<libsql::Database>,
    cfg: RemoteConfig,
    /// The deadline of one statement (ms): the configured one, or the
    /// longer startup one while the schema is being created.
    timeout_ms: AtomicU64,
}

/// How long creating the schema at startup may take: another instance
/// starting at the same moment may hold the catalog's write lock meanwhile.
const STARTUP_DEADLINE: Duration = Duration::from_secs(30);

enum Failure {
    Timeout,
    Remote(libsql::Error),
}

impl Remote {
    /// Connects to the catalog database and checks that it answers: a
    /// server started against an unreachable catalog fails at once.
    pub fn open(cfg: RemoteConfig) -> Result<Remote, SqlError> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("pgtenant-catalog")
            .enable_all()
            .build()
            .map_err(|e| SqlError::internal("starting the catalog client", e))?;
        let mut b = libsql::Builder::new_remote(cfg.url.clone(), cfg.auth_token.clone());
        if let Some(ns) = &cfg.namespace {
            b = b.namespace(ns.clone());
        }
        let db = run(&rt, &cfg, cfg.timeout, async move { b.build().await })?;
        let remote = Remote {
            rt: Some(rt),
            db: Arc::new(db),
            timeout_ms: AtomicU64::new(cfg.timeout.as_millis() as u64),
            cfg,
        };
        remote.conn()?.query("SELECT 1", &[])?;
        remote.set_startup(true);
        Ok(remote)
    }

    /// While starting, statements may wait up to [`STARTUP_DEADLINE`].
    pub fn set_startup(&self, starting: bool) {
        let t = match starting {
            true => STARTUP_DEADLINE.max(self.cfg.timeout),
            false => self.cfg.timeout,
        };
        self.timeout_ms
            .store(t.as_millis() as u64, Ordering::Relaxed);
    }

    fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.load(Ordering::Relaxed))
    }

    pub fn config(&self) -> &RemoteConfig {
        &self.cfg
    }

    /// A stream in a write transaction. The write lock is waited for
    /// (within the deadline) when another instance holds it and the server
    /// gives up waiting first: nothing ran yet, so trying again is safe.
    pub fn begin(&self) -> Result<RemoteConn<'_>, SqlError> {
        let deadline = std::time::Instant::now() + self.timeout();
        loop {
            let conn = self.conn()?;
            match conn.execute_batch("BEGIN IMMEDIATE") {
                Err(e) if e.code == "55P03" && std::time::Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(50));
                }
                Err(e) => return Err(e),
                Ok(()) => return Ok(conn),
            }
        }
    }

    pub fn conn(&self) -> Result<RemoteConn<'_>, SqlError> {
        let conn = self
            .db
            .connect()
            .map_err(|e| self.failure(Failure::Remote(e)))?;
        Ok(RemoteConn {
            remote: self,
            conn,
            lost: Cell::new(false),
        })
    }

    fn runtime(&self) -> &tokio::runtime::Runtime {
        self.rt
            .as_ref()
            .expect("the catalog runtime lives until drop")
    }

    fn failure(&self, f: Failure) -> SqlError {
        failure(&self.cfg, self.timeout(), f)
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

/// Runs `fut` on the catalog's runtime with the deadline; blocks until done.
fn run<T: Send + 'static>(
    rt: &tokio::runtime::Runtime,
    cfg: &RemoteConfig,
    timeout: Duration,
    fut: impl Future<Output = libsql::Result<T>> + Send + 'static,
) -> Result<T, SqlError> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    rt.spawn(async move {
        let r = match tokio::time::timeout(timeout, fut).await {
            Err(_) => Err(Failure::Timeout),
            Ok(r) => r.map_err(Failure::Remote),
        };
        let _ = tx.send(r);
    });
    match rx.recv() {
        Ok(r) => r.map_err(|f| failure(cfg, timeout, f)),
        Err(e) => Err(SqlError::internal("catalog client", e)),
    }
}

/// The client's error for a catalog failure. Transport failures name the
/// catalog, not a tenant database; the URL goes to the log only.
fn failure(cfg: &RemoteConfig, timeout: Duration, f: Failure) -> SqlError {
    match f {
        Failure::Timeout => {
            tracing::warn!(url = %cfg.url, timeout_ms = timeout.as_millis() as u64, "catalog database did not answer");
            SqlError::new("57014", "the catalog database did not answer in time").with_detail(
                format!(
                    "No answer within {} ms; nothing was changed unless it committed.",
                    timeout.as_millis()
                ),
            )
        }
        Failure::Remote(e) if is_locked(&e) => {
            SqlError::new("55P03", "the catalog database is locked by another writer").with_detail(
                "Another instance sharing the catalog held its write lock too long; try again.",
            )
        }
        Failure::Remote(e) => {
            let err = from_libsql(&e);
            if err.code == "08006" {
                tracing::warn!(url = %cfg.url, error = %e, "catalog database unreachable");
                SqlError::new("08006", "could not reach the catalog database")
                    .with_detail("The remote libSQL database holding the catalog (catalog_url) refused or dropped the connection.")
            } else {
                err
            }
        }
    }
}

/// SQLITE_BUSY from the server: another stream holds the write lock.
fn is_locked(e: &libsql::Error) -> bool {
    let text = e.to_string();
    text.contains("database is locked") || text.contains("SQLITE_BUSY")
}

/// One Hrana stream on the catalog database.
pub struct RemoteConn<'a> {
    remote: &'a Remote,
    conn: libsql::Connection,
    /// A transport failure or timeout: the stream (and a transaction on it)
    /// is gone.
    lost: Cell<bool>,
}

fn values(params: Params<'_>) -> Result<Vec<libsql::Value>, SqlError> {
    params
        .iter()
        .map(|p| {
            let v = match p.to_sql() {
                Ok(ToSqlOutput::Borrowed(r)) => match r {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(i) => Value::Integer(i),
                    ValueRef::Real(f) => Value::Real(f),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                },
                Ok(ToSqlOutput::Owned(v)) => v,
                Ok(_) => return Err(SqlError::internal("catalog parameter", "unsupported")),
                Err(e) => return Err(SqlError::internal("catalog parameter", e)),
            };
            Ok(to_remote(&v))
        })
        .collect()
}

impl RemoteConn<'_> {
    fn run<T: Send + 'static>(
        &self,
        fut: impl Future<Output = libsql::Result<T>> + Send + 'static,
    ) -> Result<T, SqlError> {
        let r = run(
            self.remote.runtime(),
            &self.remote.cfg,
            self.remote.timeout(),
            fut,
        );
        if let Err(e) = &r {
            if e.code == "08006" || e.code == "57014" {
                self.lost.set(true);
            }
        }
        r
    }

    pub fn is_lost(&self) -> bool {
        self.lost.get()
    }

    pub fn execute(&self, sql: &str, params: Params<'_>) -> Result<usize, SqlError> {
        let params = values(params)?;
        let (c, sql) = (self.conn.clone(), sql.to_owned());
        self.run(async move { c.execute(&sql, params).await })
            .map(|n| n as usize)
    }

    pub fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, SqlError> {
        let params = values(params)?;
        let (c, sql) = (self.conn.clone(), sql.to_owned());
        self.run(async move {
            let mut rows = c.query(&sql, params).await?;
            let n = rows.column_count().max(0);
            let mut out = Vec::new();
            while let Some(r) = rows.next().await? {
                let values = (0..n)
                    .map(|i| r.get_value(i).map(|v| from_remote(&v)))
                    .collect::<libsql::Result<Vec<_>>>()?;
                out.push(Row(values));
            }
            Ok(out)
        })
    }

    pub fn execute_batch(&self, sql: &str) -> Result<(), SqlError> {
        let (c, sql) = (self.conn.clone(), sql.to_owned());
        self.run(async move { c.execute_batch(&sql).await.map(|_| ()) })
    }

    pub fn last_insert_rowid(&self) -> i64 {
        self.conn.last_insert_rowid()
    }
}
