//! `pgtenant.create_environment`, `drop_environment` and `set_hostname`.

use std::sync::Arc;

use crate::server::Server;
use crate::sql::errors::SqlError;
use crate::tenant::catalog::{remove_db_files, EnvRow};
use crate::tenant::registry::TenantKey;
use crate::tenant::remote_db::{delete_remote, Location, NewDb, RemotePlan};

type Rows = Vec<Vec<String>>;

pub const ENV_COLUMNS: &[&str] = &[
    "tenant",
    "environment",
    "hostname",
    "database_url",
    "created_at",
];

fn row(r: EnvRow) -> Rows {
    vec![vec![
        r.tenant,
        r.environment,
        r.hostname.unwrap_or_default(),
        r.database_url,
        r.created_at,
    ]]
}

async fn blocking<T: Send + 'static>(
    job: impl FnOnce() -> Result<T, SqlError> + Send + 'static,
) -> Result<T, SqlError> {
    tokio::task::spawn_blocking(job)
        .await
        .map_err(|e| SqlError::internal("management function", e))?
}

pub async fn create_environment(
    server: &Arc<Server>,
    tenant: String,
    env: String,
    hostname: Option<String>,
) -> Result<Rows, SqlError> {
    let s = server.clone();
    let r = blocking(move || {
        // A libSQL tenant's environments are remote databases too.
        let plan = match s.catalog.backend_of(&tenant)?.as_str() {
            "libsql" => Some(RemotePlan::new(
                s.config.libsql.as_ref(),
                s.secrets.as_ref(),
                &tenant,
                &env,
            )?),
            _ => None,
        };
        let create = || plan.as_ref().map_or(Ok(None), RemotePlan::create);
        let new_db = match &plan {
            Some(p) => p.new_db(&create),
            None => NewDb::File,
        };
        s.catalog
            .create_environment(&tenant, &env, hostname.as_deref(), &s.hostnames, &new_db)
    })
    .await?;
    tracing::info!(tenant = %r.tenant, env = %r.environment, "environment created");
    Ok(row(r))
}

/// Removes the catalog row (new logins fail), ends the environment's
/// sessions, closes its open handles, then deletes its files.
pub async fn drop_environment(
    server: &Arc<Server>,
    tenant: String,
    env: String,
) -> Result<Rows, SqlError> {
    let s = server.clone();
    let (t, e) = (tenant.clone(), env.clone());
    let location = blocking(move || s.catalog.drop_environment(&t, &e)).await?;
    let closed = server.sessions.kill_environment(&tenant, &env);
    let key = TenantKey {
        tenant: tenant.clone(),
        env: env.clone(),
    };
    server.registry.close_env(&key).await;
    match location {
        Location::File(path) => {
            blocking(move || {
                remove_db_files(&path);
                Ok(())
            })
            .await?
        }
        Location::Remote { url, .. } => {
            delete_remote(
                server.config.libsql.as_ref(),
                &tenant,
                &[(env.clone(), url)],
            )
            .await?;
        }
    }
    tracing::info!(%tenant, %env, sessions_closed = closed, "environment dropped");
    Ok(vec![vec!["t".to_owned()]])
}

/// Hostnames are looked up in the catalog at every TLS login, so a change
/// applies to the next connection; sessions already open stay.
pub async fn set_hostname(
    server: &Arc<Server>,
    tenant: String,
    env: String,
    hostname: Option<String>,
) -> Result<Rows, SqlError> {
    let s = server.clone();
    let r = blocking(move || {
        s.catalog
            .set_hostname(&tenant, &env, hostname.as_deref(), &s.hostnames)
    })
    .await?;
    tracing::info!(tenant = %r.tenant, env = %r.environment, hostname = ?r.hostname, "hostname set");
    Ok(row(r))
}
