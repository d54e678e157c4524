//! Deployment history in the catalog database: the `deployment` table and
//! the `pgtenant.deployments` view, the daily quota, and the snapshot each
//! rollback restores.

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};

use crate::sql::errors::SqlError;
use crate::tenant::catalog::now_text;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS deployment (
    id              INTEGER PRIMARY KEY,
    tenant          TEXT NOT NULL REFERENCES tenant(name) ON DELETE CASCADE,
    environment     TEXT NOT NULL,
    kind            TEXT NOT NULL,
    checksum        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    status          TEXT NOT NULL,
    steps           INTEGER NOT NULL,
    up_sql          TEXT NOT NULL,
    down_sql        TEXT NOT NULL,
    previous_schema TEXT NOT NULL,
    hints           TEXT NOT NULL DEFAULT '',
    error           TEXT
);
CREATE INDEX IF NOT EXISTS deployment_by_tenant ON deployment (tenant, environment, created_at);
CREATE VIEW IF NOT EXISTS deployments AS
    SELECT id, tenant, environment, kind, checksum, created_at, status, steps,
           up_sql, down_sql, error
    FROM deployment;
";

fn db_err(e: rusqlite::Error) -> SqlError {
    SqlError::internal("deployment history", e)
}

/// Creates the history tables and views (and the apps catalog) if missing,
/// on the local or the remote catalog.
pub fn init(catalog: &crate::tenant::catalog::Catalog) -> Result<(), SqlError> {
    catalog
        .store()
        .apply_schema(&[SCHEMA, super::apps::CATALOG_SCHEMA])
}

fn open(catalog: &Path) -> Result<Connection, SqlError> {
    let conn = Connection::open(catalog).map_err(db_err)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(db_err)?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(db_err)?;
    Ok(conn)
}

/// A deployment to record.
pub struct Record<'a> {
    pub tenant: &'a str,
    pub environment: &'a str,
    pub kind: &'a str,
    pub checksum: &'a str,
    pub status: &'a str,
    pub steps: usize,
    pub up_sql: &'a str,
    pub down_sql: &'a str,
    pub previous_schema: &'a str,
    pub hints: &'a str,
    pub error: Option<&'a str>,
}

/// A recorded deployment, for rollback.
pub struct Deployment {
    pub id: i64,
    pub tenant: String,
    pub environment: String,
    pub kind: String,
    pub status: String,
    pub previous_schema: String,
    pub hints: String,
}

/// The catalog connection of one management call, shared by its tasks.
pub struct History {
    conn: Mutex<Connection>,
}

impl History {
    pub fn open(catalog: &Path) -> Result<History, SqlError> {
        Ok(History {
            conn: Mutex::new(open(catalog)?),
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn record(&self, r: &Record) -> Result<i64, SqlError> {
        let conn = self.lock();
        conn.execute(
            "INSERT INTO deployment (tenant, environment, kind, checksum, created_at, status,
                 steps, up_sql, down_sql, previous_schema, hints, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            params![
                r.tenant,
                r.environment,
                r.kind,
                r.checksum,
                now_text(),
                r.status,
                r.steps as i64,
                r.up_sql,
                r.down_sql,
                r.previous_schema,
                r.hints,
                r.error
            ],
        )
        .map_err(db_err)?;
        Ok(conn.last_insert_rowid())
    }

    /// Applied deployments (not rollbacks) in the last 24 hours.
    pub fn count_last_day(&self, tenant: &str, environment: &str) -> Result<u64, SqlError> {
        let since = (chrono::Utc::now() - chrono::Duration::days(1))
            .format("%Y-%m-%d %H:%M:%S%.6f+00")
            .to_string();
        self.lock()
            .query_row(
                "SELECT count(*) FROM deployment
                 WHERE tenant = ?1 AND environment = ?2 AND created_at >= ?3
                   AND kind <> 'rollback' AND status IN ('applied', 'rolled_back')",
                params![tenant, environment, since],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n as u64)
            .map_err(db_err)
    }

    pub fn get(&self, id: i64) -> Result<Option<Deployment>, SqlError> {
        self.lock()
            .query_row(
                "SELECT id, tenant, environment, kind, status, previous_schema, hints
                 FROM deployment WHERE id = ?1",
                [id],
                |r| {
                    Ok(Deployment {
                        id: r.get(0)?,
                        tenant: r.get(1)?,
                        environment: r.get(2)?,
                        kind: r.get(3)?,
                        status: r.get(4)?,
                        previous_schema: r.get(5)?,
                        hints: r.get(6)?,
                    })
                },
            )
            .optional()
            .map_err(db_err)
    }

    /// Marks `d` and every later applied deployment of the environment
    /// before `until` (the rollback's own record) rolled back.
    pub fn mark_rolled_back(&self, d: &Deployment, until: Option<i64>) -> Result<(), SqlError> {
        self.lock()
            .execute(
                "UPDATE deployment SET status = 'rolled_back'
                 WHERE tenant = ?1 AND environment = ?2 AND id >= ?3 AND id < ?4
                   AND status = 'applied'",
                params![d.tenant, d.environment, d.id, until.unwrap_or(i64::MAX)],
            )
            .map(|_| ())
            .map_err(db_err)
    }
}
