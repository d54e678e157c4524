//! Tenant environments whose database is on a libSQL server: how one is
//! made at provisioning (a namespace through sqld's admin API, or a database
//! through the Turso platform API; its auth token sealed into the catalog)
//! and how a login finds it again.

use std::path::PathBuf;
use std::sync::Arc;

use crate::backend::libsql::config::{is_remote_url, remote_config, LibsqlConfig, Provider};
use crate::backend::libsql::{AdminClient, RemoteConfig, TursoClient};
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
    /// A remote database at `url`, made by `create`; what `create` returns
    /// replaces `url` and `sealed_token`.
    Remote {
        url: String,
        sealed_token: Option<String>,
        create: &'a (dyn Fn() -> Result<Option<Made>, SqlError> + Sync),
    },
}

/// What only the creation of a remote database settles: the Turso platform
/// picks the hostname and mints the token after the database exists.
pub struct Made {
    pub url: String,
    pub sealed_token: String,
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
/// blocking provisioning runs: the database's name, its URL and sealed token
/// (for Turso, a placeholder URL until the platform answers).
pub struct RemotePlan {
    pub namespace: String,
    pub url: String,
    pub sealed_token: Option<String>,
    maker: Maker,
    rt: tokio::runtime::Handle,
}

enum Maker {
    Sqld(AdminClient),
    Turso {
        api: TursoClient,
        cfg: Box<LibsqlConfig>,
        secrets: Arc<SecretBox>,
        owner: String,
    },
}

fn need_master_key(what: &str) -> SqlError {
    SqlError::new(
        "55000",
        format!("{what} but there is no master key to store it encrypted"),
    )
    .with_detail("Set PGTENANT_MASTER_KEY (or master_key in the config).")
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
        let namespace = cfg.namespace(tenant, env);
        let rt = tokio::runtime::Handle::current();
        if cfg.provider == Provider::Turso {
            crate::backend::libsql::turso_api::check_name(&namespace)?;
            let api = cfg.turso()?;
            // Every Turso database gets its own token, which must be sealed.
            let secrets = secrets
                .ok_or_else(|| need_master_key("Turso databases get an auth token"))?
                .clone();
            let url = format!(
                "{}/v1/organizations/{}/databases/{namespace}",
                cfg.turso_api_url.trim_end_matches('/'),
                cfg.turso_organization.as_deref().unwrap_or_default()
            );
            return Ok(RemotePlan {
                namespace,
                url,
                sealed_token: None,
                maker: Maker::Turso {
                    api,
                    cfg: Box::new(cfg.clone()),
                    secrets,
                    owner: token_owner(tenant, env),
                },
                rt,
            });
        }
        let admin = cfg.admin()?;
        let sealed_token = match cfg.auth_token() {
            None => None,
            Some(token) => {
                let secrets =
                    secrets.ok_or_else(|| need_master_key("a libSQL auth token is set"))?;
                Some(secrets.seal(&token_owner(tenant, env), &token))
            }
        };
        Ok(RemotePlan {
            url: cfg.database_url(&namespace),
            namespace,
            sealed_token,
            maker: Maker::Sqld(admin),
            rt,
        })
    }

    /// Creates the database; called on the blocking pool.
    pub fn create(&self) -> Result<Option<Made>, SqlError> {
        let ns = &self.namespace;
        match &self.maker {
            Maker::Sqld(admin) => self.rt.block_on(admin.create_namespace(ns)).map(|()| None),
            Maker::Turso {
                api,
                cfg,
                secrets,
                owner,
            } => self.rt.block_on(async {
                let db = api.create_database(ns).await?;
                match api.create_token(ns).await {
                    Ok(jwt) => Ok(Some(Made {
                        url: cfg.turso_database_url(&db.hostname),
                        sealed_token: secrets.seal(owner, &jwt),
                    })),
                    Err(e) => {
                        // Provisioning forgets a failed environment: leave no database behind.
                        if let Err(d) = api.delete_database(ns).await {
                            tracing::warn!(database = %ns, error = %d.message, "could not delete the Turso database after a failed token request");
                        }
                        Err(e)
                    }
                }
            }),
        }
    }

    pub fn new_db<'a>(
        &self,
        create: &'a (dyn Fn() -> Result<Option<Made>, SqlError> + Sync),
    ) -> NewDb<'a> {
        NewDb::Remote {
            url: self.url.clone(),
            sealed_token: self.sealed_token.clone(),
            create,
        }
    }
}

/// Deletes the remote databases of dropped environments (`(environment,
/// stored URL)`); one that is already gone is fine.
pub async fn delete_remote(
    cfg: Option<&LibsqlConfig>,
    tenant: &str,
    envs: &[(String, String)],
) -> Result<(), SqlError> {
    let remote: Vec<&(String, String)> = envs.iter().filter(|(_, u)| is_remote_url(u)).collect();
    if remote.is_empty() {
        return Ok(());
    }
    let cfg = cfg.ok_or_else(|| {
        SqlError::new(
            "0A000",
            "backend \"libsql\" is not configured on this server: cannot delete the remote database",
        )
    })?;
    for (env, url) in remote {
        let r = match url.split_once('#') {
            Some((_, ns)) => cfg.admin()?.delete_namespace(ns).await,
            None if cfg.provider == Provider::Turso => {
                delete_turso(cfg, &cfg.namespace(tenant, env), url).await
            }
            None => {
                tracing::warn!(%url, "remote database named by its URL: delete it on the platform");
                Ok(())
            }
        };
        match r {
            Err(e) if e.code != "3D000" => return Err(e),
            _ => {}
        }
    }
    Ok(())
}

/// Blocks or unblocks the tenant's remote databases (suspend, resume): a
/// Turso database through the platform API, a sqld namespace through its
/// admin API. A database named only by its URL has no API to ask: there
/// suspension is the catalog's alone.
pub async fn set_remote_blocked(
    cfg: Option<&LibsqlConfig>,
    tenant: &str,
    envs: &[(String, String)],
    blocked: bool,
) -> Result<(), SqlError> {
    let Some(cfg) = cfg else {
        return Ok(());
    };
    for (env, url) in envs {
        if !is_remote_url(url) {
            continue;
        }
        let (name, r) = match url.split_once('#') {
            Some((_, ns)) => (ns.to_owned(), cfg.admin()?.set_blocked(ns, blocked).await),
            None if cfg.provider == Provider::Turso => {
                let name = cfg.namespace(tenant, env);
                let r = cfg.turso()?.set_blocked(&name, blocked).await;
                (name, r)
            }
            None => continue,
        };
        match r {
            // A database deleted on the server has nothing to block.
            Err(e) if e.code == "3D000" => {
                tracing::warn!(database = %name, "remote database is gone; not blocked")
            }
            r => r?,
        }
    }
    Ok(())
}

/// Deletes a Turso database by its name, after checking that it is the one
/// at the stored URL (the name comes from namespace_pattern, which may have
/// changed since).
async fn delete_turso(cfg: &LibsqlConfig, name: &str, url: &str) -> Result<(), SqlError> {
    let api = cfg.turso()?;
    let Some(db) = api.get_database(name).await? else {
        return Ok(());
    };
    if cfg.turso_database_url(&db.hostname) != url {
        return Err(SqlError::new(
            "55000",
            format!("the Turso database \"{name}\" is not the environment's database {url}"),
        )
        .with_detail(
            "Was [libsql] namespace_pattern changed? Delete the database on the platform.",
        ));
    }
    api.delete_database(name).await
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

/// Where the registry opens an environment's database: its file, or the
/// remote database with its token unsealed.
pub fn registry_target(
    cfg: Option<&LibsqlConfig>,
    secrets: Option<&Arc<SecretBox>>,
    tenant: &str,
    env: &str,
    location: &Location,
) -> Result<crate::tenant::registry::Target, SqlError> {
    use crate::tenant::registry::Target;
    Ok(match location {
        Location::File(path) => Target::File(path.clone()),
        Location::Remote { url, sealed_token } => Target::Remote(connect_config(
            cfg,
            secrets,
            tenant,
            env,
            url,
            sealed_token.as_deref(),
        )?),
    })
}
