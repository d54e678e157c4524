//! Tenant environments whose database is on a libSQL server: how one is
//! made at provisioning (a namespace through the admin API, its auth token
//! sealed into the catalog) and how a login finds it again.

use std::path::PathBuf;
use std::sync::Arc;

use crate::backend::libsql::config::{is_remote_url, remote_config, LibsqlConfig};
use crate::backend::libsql::RemoteConfig;
use crate::sql::errors::SqlError;
use crate::tenant::secrets::SecretBox;

/// Where an environment's database is.
#[derive(Debug, Clone)]
pub enum Location {
    File(PathBuf),
    /// A remote database: its URL as the catalog stores it and the sealed
    /// auth token, if one was stored.
    Remote {
        url: String,
        sealed_token: Option<String>,
    },
}

/// How provisioning makes a new environment's database.
pub enum NewDb<'a> {
    /// A file under the data folder.
    File,
    /// A remote database at `url`, made by `create`.
    Remote {
        url: String,
        sealed_token: Option<String>,
        create: &'a (dyn Fn() -> Result<(), SqlError> + Sync),
    },
}

/// The `database_url` shown to the admin: files as `sqlite:<path>`.
pub fn display_url(stored: &str) -> String {
    if is_remote_url(stored) {
        stored.to_owned()
    } else {
        format!("sqlite:{stored}")
    }
}

/// The secret's owner: a sealed token opens only for its environment.
pub fn token_owner(tenant: &str, env: &str) -> String {
    format!("{tenant}/{env}/libsql-auth-token")
}

/// What the admin layer prepares for a remote environment before the
/// blocking provisioning runs: the namespace, its URL and sealed token.
pub struct RemotePlan {
    pub namespace: String,
    pub url: String,
    pub sealed_token: Option<String>,
    admin: crate::backend::libsql::AdminClient,
    rt: tokio::runtime::Handle,
}

impl RemotePlan {
    pub fn new(
        cfg: Option<&LibsqlConfig>,
        secrets: Option<&Arc<SecretBox>>,
        tenant: &str,
        env: &str,
    ) -> Result<RemotePlan, SqlError> {
        let cfg = cfg.ok_or_else(|| {
            SqlError::new(
                "0A000",
                "backend \"libsql\" is not configured on this server",
            )
            .with_detail("Add a [libsql] section with the server's url and admin_url.")
        })?;
        let admin = cfg.admin()?;
        let namespace = cfg.namespace(tenant, env);
        let sealed_token = match cfg.auth_token() {
            None => None,
            Some(token) => {
                let secrets = secrets.ok_or_else(|| {
                    SqlError::new(
                        "55000",
                        "a libSQL auth token is set but there is no master key to store it encrypted",
                    )
                    .with_detail("Set PGTENANT_MASTER_KEY (or master_key in the config).")
                })?;
                Some(secrets.seal(&token_owner(tenant, env), &token))
            }
        };
        Ok(RemotePlan {
            url: cfg.database_url(&namespace),
            namespace,
            sealed_token,
            admin,
            rt: tokio::runtime::Handle::current(),
        })
    }

    /// Creates the namespace; called on the blocking pool.
    pub fn create(&self) -> Result<(), SqlError> {
        self.rt
            .block_on(self.admin.create_namespace(&self.namespace))
    }

    pub fn new_db<'a>(&self, create: &'a (dyn Fn() -> Result<(), SqlError> + Sync)) -> NewDb<'a> {
        NewDb::Remote {
            url: self.url.clone(),
            sealed_token: self.sealed_token.clone(),
            create,
        }
    }
}

/// Deletes the remote databases of dropped environments (their stored
/// URLs); one that is already gone is fine.
pub async fn delete_remote(cfg: Option<&LibsqlConfig>, urls: &[String]) -> Result<(), SqlError> {
    let remote: Vec<&String> = urls.iter().filter(|u| is_remote_url(u)).collect();
    if remote.is_empty() {
        return Ok(());
    }
    let cfg = cfg.ok_or_else(|| {
        SqlError::new(
            "0A000",
            "backend \"libsql\" is not configured on this server: cannot delete the remote database",
        )
    })?;
    let admin = cfg.admin()?;
    for url in remote {
        let Some(ns) = url.split_once('#').map(|(_, ns)| ns) else {
            tracing::warn!(%url, "remote database named by its URL: delete it on the platform");
            continue;
        };
        match admin.delete_namespace(ns).await {
            Err(e) if e.code != "3D000" => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// The connection settings of a remote environment, its token unsealed.
pub fn connect_config(
    cfg: Option<&LibsqlConfig>,
    secrets: Option<&Arc<SecretBox>>,
    tenant: &str,
    env: &str,
    url: &str,
    sealed_token: Option<&str>,
) -> Result<RemoteConfig, SqlError> {
    let token = match sealed_token {
        None => String::new(),
        Some(sealed) => {
            let secrets = secrets.ok_or_else(|| {
                SqlError::new(
                    "28000",
                    "the remote database's auth token is sealed and this server has no master key",
                )
            })?;
            secrets.open(&token_owner(tenant, env), sealed)?
        }
    };
    let timeout = cfg
        .map(LibsqlConfig::timeout)
        .unwrap_or_else(|| LibsqlConfig::default().timeout());
    Ok(remote_config(url, token, timeout))
}
