//! Deployment targets: `acme` (its prod environment), `acme.staging`, an
//! array (`ARRAY['a','b.staging']` or `'{a,b}'`), `'*'` (every active
//! tenant's prod environment) or `'*.staging'` (every tenant's staging).

use std::path::PathBuf;

use rusqlite::{params, Connection, OptionalExtension};

use crate::sql::errors::SqlError;
use crate::tenant::catalog::Catalog;
use crate::tenant::resolve::DEFAULT_ENV;

/// One tenant environment to deploy to.
#[derive(Debug, Clone)]
pub struct Target {
    pub tenant: String,
    pub env: String,
    pub path: PathBuf,
}

pub enum Selector {
    /// Named environments; `single` when the call named exactly one, so its
    /// failure is the call's error rather than a result row.
    Named {
        list: Vec<(String, String)>,
        single: bool,
    },
    Fleet {
        env: String,
    },
}

fn split(name: &str) -> (String, String) {
    let name = name.trim().trim_matches('"');
    match name.split_once('.') {
        Some((t, e)) => (t.to_owned(), e.to_owned()),
        None => (name.to_owned(), DEFAULT_ENV.to_owned()),
    }
}

pub fn parse(target: &str) -> Result<Selector, SqlError> {
    let t = target.trim();
    if t == "*" || t.starts_with("*.") {
        return Ok(Selector::Fleet { env: split(t).1 });
    }
    if let Some(inner) = t.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
        let list: Vec<(String, String)> = inner
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(split)
            .collect();
        if list.is_empty() {
            return Err(SqlError::new("22023", "the target array is empty"));
        }
        return Ok(Selector::Named {
            list,
            single: false,
        });
    }
    if t.is_empty() {
        return Err(SqlError::new("22023", "the deployment target is empty"));
    }
    Ok(Selector::Named {
        list: vec![split(t)],
        single: true,
    })
}

/// Looks one tenant environment up; an error if it does not exist or is not active.
pub fn lookup(
    conn: &Connection,
    catalog: &Catalog,
    tenant: &str,
    env: &str,
) -> Result<Target, SqlError> {
    let row: Option<(String, String)> = conn
        .query_row(
            "SELECT e.database_url, t.status FROM environment e JOIN tenant t ON t.name = e.tenant
             WHERE e.tenant = ?1 AND e.name = ?2",
            params![tenant, env],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(|e| SqlError::internal("catalog", e))?;
    match row {
        None if env == DEFAULT_ENV => Err(SqlError::new(
            "42704",
            format!("tenant \"{tenant}\" does not exist"),
        )),
        None => Err(SqlError::new(
            "42704",
            format!("environment \"{tenant}.{env}\" does not exist"),
        )),
        Some((_, status)) if status != "active" => Err(SqlError::new(
            "55000",
            format!("tenant \"{tenant}\" is {status}"),
        )),
        Some((url, _)) if crate::backend::libsql::config::is_remote_url(&url) => Err(SqlError::new(
            "0A000",
            format!("environment \"{tenant}.{env}\" is on a libSQL server: deployments apply to local databases only"),
        )),
        Some((url, _)) => Ok(Target {
            tenant: tenant.to_owned(),
            env: env.to_owned(),
            path: catalog.resolve_url(&url),
        }),
    }
}

/// Every active tenant's environment `env`, by tenant name.
pub fn fleet(conn: &Connection, catalog: &Catalog, env: &str) -> Result<Vec<Target>, SqlError> {
    let mut stmt = conn
        .prepare(
            "SELECT e.tenant, e.database_url FROM environment e JOIN tenant t ON t.name = e.tenant
             WHERE e.name = ?1 AND t.status = 'active' AND t.backend = 'sqlite' ORDER BY e.tenant",
        )
        .map_err(|e| SqlError::internal("catalog", e))?;
    let rows = stmt
        .query_map([env], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
        })
        .map_err(|e| SqlError::internal("catalog", e))?;
    rows.map(|r| {
        let (tenant, url) = r.map_err(|e| SqlError::internal("catalog", e))?;
        Ok(Target {
            tenant,
            env: env.to_owned(),
            path: catalog.resolve_url(&url),
        })
    })
    .collect()
}
