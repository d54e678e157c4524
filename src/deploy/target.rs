//! Deployment targets: `acme` (its prod environment), `acme.staging`, an
//! array (`ARRAY['a','b.staging']` or `'{a,b}'`), `'*'` (every active
//! tenant's prod environment) or `'*.staging'` (every tenant's staging).

use std::sync::Arc;

use rusqlite::params;

use crate::server::Server;
use crate::sql::errors::SqlError;
use crate::tenant::catalog::Exec;
use crate::tenant::registry;
use crate::tenant::remote_db::registry_target;
use crate::tenant::resolve::DEFAULT_ENV;

/// One tenant environment to deploy to.
#[derive(Clone)]
pub struct Target {
    pub tenant: String,
    pub env: String,
    /// Its database: a local file or a remote libSQL database.
    pub db: registry::Target,
}

/// A target, or why it cannot be deployed to (tenant, environment, error).
pub type Resolved = Result<Target, (String, String, SqlError)>;

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

/// The environment's database, from its stored URL and sealed token.
fn database(
    server: &Server,
    tenant: &str,
    env: &str,
    url: String,
    token: Option<String>,
) -> Result<registry::Target, SqlError> {
    let location = server.catalog.location(url, token);
    registry_target(
        server.config.libsql.as_ref(),
        server.secrets.as_ref(),
        tenant,
        env,
        &location,
    )
}

const ENVIRONMENTS: &str = "SELECT e.tenant, e.database_url, t.status, r.auth_token
     FROM environment e JOIN tenant t ON t.name = e.tenant
     LEFT JOIN remote_credential r ON r.tenant = e.tenant AND r.environment = e.name";

impl Target {
    /// For a remote target, the HTTP client its sessions and deployments
    /// share (the registry's; made there if there is none yet, so later
    /// calls reuse it), rather than a client and connections of its own per
    /// call; None for a local file. Blocks: call it from the blocking pool.
    pub fn shared_client(
        &self,
        server: &Server,
    ) -> Result<Option<Arc<libsql::Database>>, SqlError> {
        if !matches!(self.db, registry::Target::Remote(_)) {
            return Ok(None);
        }
        let rt = tokio::runtime::Handle::try_current()
            .map_err(|e| SqlError::internal("reading a remote schema", e))?;
        let key = registry::TenantKey {
            tenant: self.tenant.clone(),
            env: self.env.clone(),
        };
        rt.block_on(async {
            let db = server.registry.get(key, self.db.clone()).await;
            db.remote_client().await
        })
    }
}

/// Looks one tenant environment up; an error if it does not exist or is
/// not active. Blocks on the catalog.
pub fn lookup(server: &Server, tenant: &str, env: &str) -> Result<Target, SqlError> {
    let row = server.catalog.conn()?.query_opt(
        &format!("{ENVIRONMENTS} WHERE e.tenant = ?1 AND e.name = ?2"),
        params![tenant, env],
    )?;
    let Some(row) = row else {
        return Err(match env == DEFAULT_ENV {
            true => SqlError::new("42704", format!("tenant \"{tenant}\" does not exist")),
            false => SqlError::new(
                "42704",
                format!("environment \"{tenant}.{env}\" does not exist"),
            ),
        });
    };
    let status: String = row.get(2)?;
    if status != "active" {
        return Err(SqlError::new(
            "55000",
            format!("tenant \"{tenant}\" is {status}"),
        ));
    }
    Ok(Target {
        tenant: tenant.to_owned(),
        env: env.to_owned(),
        db: database(server, tenant, env, row.get(1)?, row.get(3)?)?,
    })
}

/// Every active tenant's environment `env`, local or remote, by tenant
/// name. One whose database cannot be reached from here (a sealed token
/// without a master key) is a failed target, not the fleet's error.
pub fn fleet(server: &Server, env: &str) -> Result<Vec<Resolved>, SqlError> {
    let rows = server.catalog.conn()?.query(
        &format!("{ENVIRONMENTS} WHERE e.name = ?1 AND t.status = 'active' ORDER BY e.tenant"),
        params![env],
    )?;
    rows.into_iter()
        .map(|r| {
            let tenant: String = r.get(0)?;
            Ok(match database(server, &tenant, env, r.get(1)?, r.get(3)?) {
                Ok(db) => Ok(Target {
                    tenant,
                    env: env.to_owned(),
                    db,
                }),
                Err(e) => Err((tenant, env.to_owned(), e)),
            })
        })
        .collect()
}
