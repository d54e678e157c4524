//! Management functions of the tenant lifecycle, plans, quotas and usage.

use std::path::Path;
use std::sync::Arc;

use rusqlite::{Connection, OpenFlags};

use super::functions::t;
use crate::server::Server;
use crate::sql::errors::SqlError;
use crate::tenant::catalog::Exec;
use crate::tenant::lifecycle::Status;
use crate::tenant::provision::{self, NewTenant};
use crate::tenant::quota;
use crate::tenant::remote_db::{delete_remote, set_remote_blocked, NewDb, RemotePlan};

type Rows = Vec<Vec<String>>;

async fn blocking<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, SqlError> + Send + 'static,
) -> Result<T, SqlError> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| SqlError::internal("management function", e))?
}

pub async fn create_tenant(server: &Arc<Server>, a: Vec<Option<String>>) -> Result<Rows, SqlError> {
    let name = a[0].clone().unwrap_or_default();
    let req = NewTenant {
        plan: a[1].clone().unwrap_or_else(|| "free".into()),
        region: a[2].clone(),
        backend: a[3]
            .clone()
            .unwrap_or_else(|| default_backend(server).into()),
    };
    // Every instance sharing a remote catalog must reach the tenant's
    // database: a file under one instance's data folder would not do.
    if server.catalog.is_remote() && req.backend == "sqlite" {
        return Err(SqlError::new(
            "0A000",
            "backend \"sqlite\" is not available with a remote catalog (catalog_url)",
        )
        .with_detail("Every instance sharing the catalog must reach the tenant's database: use backend => 'libsql'."));
    }
    server.config.plans.require(&req.plan)?;
    if req.backend != "sqlite" && req.backend != "libsql" {
        return Err(SqlError::new(
            "22023",
            format!(
                "unknown backend \"{}\": use \"sqlite\" (a local file) or \"libsql\" (a libSQL server)",
                req.backend
            ),
        ));
    }
    if let Some(region) = &req.region {
        if region.is_empty() || region.len() > 63 || region.chars().any(char::is_control) {
            return Err(SqlError::new(
                "22023",
                format!("invalid region \"{region}\""),
            ));
        }
    }
    let catalog = server.catalog.clone();
    let started = std::time::Instant::now();
    let n = name.clone();
    let s = server.clone();
    let r = blocking(move || {
        let plan = match req.backend.as_str() {
            "libsql" => Some(RemotePlan::new(
                s.config.libsql.as_ref(),
                s.secrets.as_ref(),
                &n,
                crate::tenant::resolve::DEFAULT_ENV,
            )?),
            _ => None,
        };
        let create = || plan.as_ref().map_or(Ok(None), RemotePlan::create);
        let new_db = match &plan {
            Some(p) => p.new_db(&create),
            None => NewDb::File,
        };
        provision::create(&catalog, &n, &req, &new_db)
    })
    .await?;
    tracing::info!(tenant = %name, elapsed_us = started.elapsed().as_micros() as u64, "tenant created");
    Ok(vec![vec![
        r.tenant,
        r.environment,
        r.status,
        r.database_url,
        r.created_at,
    ]])
}

/// `libsql` with a remote catalog (the instances sharing it share no data
/// folder), else `sqlite`.
fn default_backend(server: &Server) -> &'static str {
    if server.catalog.is_remote() {
        "libsql"
    } else {
        "sqlite"
    }
}

/// Closes the tenant's open databases and sessions (suspend, drop).
async fn close_everything(server: &Arc<Server>, tenant: &str) -> usize {
    server.registry.close_tenant(tenant).await;
    server.sessions.kill_tenant(tenant)
}

pub async fn drop_tenant(server: &Arc<Server>, name: String) -> Result<Rows, SqlError> {
    let catalog = server.catalog.clone();
    let n = name.clone();
    blocking(move || catalog.begin_drop_tenant(&n)).await?;
    let closed = close_everything(server, &name).await;
    // Remote databases go first: if the server refuses, the tenant stays
    // `destroying` and dropping it again retries.
    let catalog = server.catalog.clone();
    let n = name.clone();
    let urls = blocking(move || catalog.environment_urls(&n)).await?;
    delete_remote(server.config.libsql.as_ref(), &name, &urls).await?;
    let catalog = server.catalog.clone();
    let n = name.clone();
    blocking(move || {
        catalog.finish_drop_tenant(&n)?;
        crate::tenant::backup::forget_tenant(&catalog, &n)
    })
    .await?;
    server.limits.forget(&name);
    tracing::info!(tenant = %name, sessions_closed = closed, "tenant dropped");
    Ok(vec![vec![t(true)]])
}

pub async fn suspend_tenant(server: &Arc<Server>, name: String) -> Result<Rows, SqlError> {
    let catalog = server.catalog.clone();
    let n = name.clone();
    let from = blocking(move || provision::move_to(&catalog, &n, Status::Suspended)).await?;
    let closed = close_everything(server, &name).await;
    // Turso databases refuse reads and writes too; if the platform refuses,
    // the tenant goes back to what it was, so suspending can be retried.
    if let Err(e) = block_remote(server, &name, true).await {
        if from == Status::Active {
            let catalog = server.catalog.clone();
            let n = name.clone();
            blocking(move || provision::resume(&catalog, &n)).await?;
        }
        return Err(e);
    }
    tracing::info!(tenant = %name, sessions_closed = closed, "tenant suspended");
    Ok(vec![vec![t(true)]])
}

pub async fn resume_tenant(server: &Arc<Server>, name: String) -> Result<Rows, SqlError> {
    // Unblocked first: a failure leaves the tenant suspended, to retry.
    block_remote(server, &name, false).await?;
    let catalog = server.catalog.clone();
    let n = name.clone();
    blocking(move || provision::resume(&catalog, &n)).await?;
    tracing::info!(tenant = %name, "tenant resumed");
    Ok(vec![vec![t(true)]])
}

async fn block_remote(server: &Arc<Server>, tenant: &str, blocked: bool) -> Result<(), SqlError> {
    let catalog = server.catalog.clone();
    let n = tenant.to_owned();
    let envs = blocking(move || catalog.environment_urls(&n)).await?;
    set_remote_blocked(server.config.libsql.as_ref(), tenant, &envs, blocked).await
}

/// Reloads a tenant's effective quotas into the live counters.
async fn refresh(server: &Arc<Server>, tenant: String) -> Result<(), SqlError> {
    let s = server.clone();
    let q = blocking(move || {
        provision::quotas(&s.catalog, &s.config.plans, &tenant).map(|q| (tenant, q))
    })
    .await?;
    server.limits.update(&q.0, q.1);
    Ok(())
}

pub async fn set_plan(
    server: &Arc<Server>,
    tenant: String,
    plan: String,
) -> Result<Rows, SqlError> {
    server.config.plans.require(&plan)?;
    let catalog = server.catalog.clone();
    let tn = tenant.clone();
    blocking(move || provision::set_plan(&catalog, &tn, &plan)).await?;
    refresh(server, tenant).await?;
    Ok(vec![vec![t(true)]])
}

pub async fn set_quota(
    server: &Arc<Server>,
    tenant: String,
    name: String,
    value: Option<String>,
) -> Result<Rows, SqlError> {
    let name = quota::require_name(&name)?;
    let value = match value {
        None => None,
        Some(v) => Some(v.trim().parse::<u64>().map_err(|_| {
            SqlError::new(
                "22023",
                format!("invalid value \"{v}\" for quota {name}: a whole number of 0 (unlimited) or more"),
            )
        })?),
    };
    let catalog = server.catalog.clone();
    let tn = tenant.clone();
    blocking(move || provision::set_quota(&catalog, &tn, name, value)).await?;
    refresh(server, tenant).await?;
    Ok(vec![vec![t(true)]])
}

pub const USAGE_COLUMNS: &[&str] = &[
    "tenant",
    "status",
    "plan",
    "storage_bytes",
    "tables",
    "rows",
    "connections",
    "statements_this_minute",
];

/// Bytes in the tenant's folder (database, WAL and shared-memory files).
fn folder_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}

/// Tables and rows over every environment database of the tenant.
fn tables_and_rows(dir: &Path) -> (u64, u64) {
    let mut tables = 0;
    let mut rows = 0;
    let Ok(rd) = std::fs::read_dir(dir) else {
        return (0, 0);
    };
    for e in rd.filter_map(Result::ok) {
        let p = e.path();
        if p.extension().and_then(|x| x.to_str()) != Some("db") {
            continue;
        }
        let Ok(c) = Connection::open_with_flags(
            &p,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        ) else {
            continue;
        };
        let names: Vec<String> = c
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'pgcat\\_%' ESCAPE '\\'")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .unwrap_or_default();
        tables += names.len() as u64;
        for n in names {
            rows += c
                .query_row(
                    &format!("SELECT count(*) FROM \"{}\"", n.replace('"', "\"\"")),
                    [],
                    |r| r.get::<_, i64>(0),
                )
                .unwrap_or(0) as u64;
        }
    }
    (tables, rows)
}

pub async fn usage(server: &Arc<Server>, only: Option<String>) -> Result<Rows, SqlError> {
    let s = server.clone();
    blocking(move || {
        let all = provision::tenant_names(&s.catalog)?;
        let conn = s.catalog.conn()?;
        let mut wanted = Vec::new();
        for (name, status) in all {
            if only.as_deref().is_some_and(|o| o != name) {
                continue;
            }
            let plan: String = conn
                .query_opt(
                    "SELECT plan FROM tenant WHERE name = ?1",
                    rusqlite::params![name],
                )?
                .and_then(|r| r.get(0).ok())
                .unwrap_or_default();
            wanted.push((name, status, plan));
        }
        drop(conn);
        if let (Some(o), true) = (&only, wanted.is_empty()) {
            return Err(SqlError::new(
                "42704",
                format!("tenant \"{o}\" does not exist"),
            ));
        }
        Ok(wanted
            .into_iter()
            .map(|(name, status, plan)| {
                let dir = s.catalog.tenant_dir(&name);
                let (tables, rows) = tables_and_rows(&dir);
                let rt = s.limits.runtime(&name);
                let stmts = rt.as_ref().map_or(0, |r| r.statements_this_minute());
                vec![
                    name.clone(),
                    status,
                    plan,
                    folder_bytes(&dir).to_string(),
                    tables.to_string(),
                    rows.to_string(),
                    s.sessions.count_tenant(&name).to_string(),
                    stmts.to_string(),
                ]
            })
            .collect())
    })
    .await
}
