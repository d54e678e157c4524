//! Deployment history in the catalog database: the `deployment` table and
//! the `pgtenant.deployments` view, the daily quota, and the snapshot each
//! rollback restores.

use std::sync::Arc;

use rusqlite::params;

use crate::sql::errors::SqlError;
use crate::tenant::catalog::{now_text, Catalog, Exec};

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

/// Creates the history tables and views (and the apps catalog) if missing,
/// on the local or the remote catalog.
pub fn init(catalog: &Catalog) -> Result<(), SqlError> {
    catalog
        .store()
        .apply_schema(&[SCHEMA, super::apps::CATALOG_SCHEMA])
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

/// The deployment history of the catalog, local or remote. Each call takes
/// a catalog connection for its statement only: on the local catalog that
/// is the catalog's lock, which a deployment must not hold while it waits
/// for a tenant.
pub struct History {
    catalog: Arc<Catalog>,
}

impl History {
    pub fn new(catalog: Arc<Catalog>) -> History {
        History { catalog }
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    pub fn record(&self, r: &Record) -> Result<i64, SqlError> {
        self.catalog
            .conn()?
            .query_one(
                "INSERT INTO deployment (tenant, environment, kind, checksum, created_at, status,
                     steps, up_sql, down_sql, previous_schema, hints, error)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
                 RETURNING id",
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
            )?
            .get(0)
    }

    /// Applied deployments (not rollbacks) in the last 24 hours.
    pub fn count_last_day(&self, tenant: &str, environment: &str) -> Result<u64, SqlError> {
        let since = (chrono::Utc::now() - chrono::Duration::days(1))
            .format("%Y-%m-%d %H:%M:%S%.6f+00")
            .to_string();
        let n: i64 = self
            .catalog
            .conn()?
            .query_one(
                "SELECT count(*) FROM deployment
                 WHERE tenant = ?1 AND environment = ?2 AND created_at >= ?3
                   AND kind <> 'rollback' AND status IN ('applied', 'rolled_back')",
                params![tenant, environment, since],
            )?
            .get(0)?;
        Ok(n as u64)
    }

    pub fn get(&self, id: i64) -> Result<Option<Deployment>, SqlError> {
        let Some(r) = self.catalog.conn()?.query_opt(
            "SELECT id, tenant, environment, kind, status, previous_schema, hints
             FROM deployment WHERE id = ?1",
            params![id],
        )?
        else {
            return Ok(None);
        };
        Ok(Some(Deployment {
            id: r.get(0)?,
            tenant: r.get(1)?,
            environment: r.get(2)?,
            kind: r.get(3)?,
            status: r.get(4)?,
            previous_schema: r.get(5)?,
            hints: r.get(6)?,
        }))
    }

    /// Marks `d` and every later applied deployment of the environment
    /// before `until` (the rollback's own record) rolled back. App installs
    /// in between stay applied: a rollback leaves the apps' objects alone.
    pub fn mark_rolled_back(&self, d: &Deployment, until: Option<i64>) -> Result<(), SqlError> {
        self.catalog
            .conn()?
            .execute(
                "UPDATE deployment SET status = 'rolled_back'
                 WHERE tenant = ?1 AND environment = ?2 AND id >= ?3 AND id < ?4
                   AND status = 'applied' AND kind NOT LIKE 'app%'",
                params![d.tenant, d.environment, d.id, until.unwrap_or(i64::MAX)],
            )
            .map(|_| ())
    }
}
