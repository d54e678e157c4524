//! `[libsql]` in the config: the libSQL server (or fleet) that tenants
//! created with `backend => 'libsql'` live on, and how to reach it.

use std::time::Duration;

use serde::Deserialize;

use super::remote::RemoteConfig;
use crate::sql::errors::SqlError;

/// Who creates and deletes the remote databases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    /// sqld's namespace admin API (`admin_url`); one token for all databases.
    #[default]
    Sqld,
    /// The Turso platform API: one database per environment in
    /// `turso_organization`/`turso_group`, each with its own minted token.
    Turso,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LibsqlConfig {
    pub provider: Provider,
    /// Hrana endpoint of a database. With `{namespace}` in it (Turso: one
    /// hostname per database) the URL names the database; without, it is a
    /// multi-tenant sqld and the namespace is sent as `x-namespace`. With
    /// provider `turso`, `{hostname}` in it is replaced by the hostname the
    /// platform gives the database (otherwise `libsql://{hostname}`).
    pub url: String,
    /// sqld's admin listener (`--admin-listen-addr`), which creates and
    /// deletes namespaces.
    pub admin_url: Option<String>,
    /// The namespace of a tenant environment; `{tenant}` and `{env}` are
    /// replaced.
    pub namespace_pattern: String,
    /// Environment variable holding the databases' auth token (JWT). The
    /// token is sealed into the catalog at provisioning.
    pub auth_token_env: String,
    /// Environment variable holding the admin API's bearer token.
    pub admin_token_env: String,
    /// Deadline of one remote statement or admin call (milliseconds). A
    /// session's smaller `statement_timeout` wins.
    pub timeout_ms: u64,
    /// The Turso platform API (provider `turso`).
    pub turso_api_url: String,
    /// The organization (or personal account) slug that owns the databases.
    pub turso_organization: Option<String>,
    /// The group new databases are created in; it must exist.
    pub turso_group: String,
    /// Environment variable holding the platform API token.
    pub turso_api_token_env: String,
}

impl Default for LibsqlConfig {
    fn default() -> Self {
        LibsqlConfig {
            url: "http://127.0.0.1:8080".into(),
            admin_url: None,
            namespace_pattern: "{tenant}--{env}".into(),
            auth_token_env: "PGTENANT_LIBSQL_AUTH_TOKEN".into(),
            admin_token_env: "PGTENANT_LIBSQL_ADMIN_TOKEN".into(),
            timeout_ms: 5_000,
            provider: Provider::Sqld,
            turso_api_url: "https://api.turso.tech".into(),
            turso_organization: None,
            turso_group: "default".into(),
            turso_api_token_env: "PGTENANT_TURSO_API_TOKEN".into(),
        }
    }
}

impl LibsqlConfig {
    pub fn timeout(&self) -> Duration {
        Duration::from_millis(self.timeout_ms.max(1))
    }

    pub fn namespace(&self, tenant: &str, env: &str) -> String {
        self.namespace_pattern
            .replace("{tenant}", tenant)
            .replace("{env}", env)
    }

    /// The catalog's `database_url` of a namespace: the server URL, with the
    /// namespace as its fragment when the URL does not name the database.
    pub fn database_url(&self, namespace: &str) -> String {
        if self.url.contains("{namespace}") {
            self.url.replace("{namespace}", namespace)
        } else {
            format!("{}#{namespace}", self.url.trim_end_matches('/'))
        }
    }

    pub fn auth_token(&self) -> Option<String> {
        std::env::var(&self.auth_token_env)
            .ok()
            .filter(|t| !t.is_empty())
    }

    pub fn admin_token(&self) -> Option<String> {
        std::env::var(&self.admin_token_env)
            .ok()
            .filter(|t| !t.is_empty())
    }

    pub fn admin(&self) -> Result<super::AdminClient, SqlError> {
        let url = self.admin_url.as_deref().ok_or_else(|| {
            SqlError::new(
                "0A000",
                "the libSQL admin API is not configured: set [libsql] admin_url",
            )
        })?;
        Ok(super::AdminClient::new(
            url,
            self.admin_token(),
            self.timeout(),
        ))
    }
}

impl LibsqlConfig {
    /// The platform API client (provider `turso`).
    pub fn turso(&self) -> Result<super::TursoClient, SqlError> {
        let org = self.turso_organization.as_deref().ok_or_else(|| {
            SqlError::new(
                "0A000",
                "the Turso platform API is not configured: set [libsql] turso_organization",
            )
        })?;
        let token = std::env::var(&self.turso_api_token_env)
            .ok()
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                SqlError::new(
                    "28000",
                    format!(
                        "no Turso platform API token: set {}",
                        self.turso_api_token_env
                    ),
                )
            })?;
        Ok(super::TursoClient::new(
            &self.turso_api_url,
            org,
            &self.turso_group,
            token,
            self.timeout(),
        ))
    }

    /// The catalog's `database_url` of a Turso database from its hostname.
    pub fn turso_database_url(&self, hostname: &str) -> String {
        if self.url.contains("{hostname}") {
            self.url.replace("{hostname}", hostname)
        } else {
            format!("libsql://{hostname}")
        }
    }
}

/// Whether a catalog `database_url` names a remote libSQL database.
pub fn is_remote_url(url: &str) -> bool {
    url.starts_with("http://") || url.starts_with("https://") || url.starts_with("libsql://")
}

/// The connection settings of a remote `database_url` (see
/// [`LibsqlConfig::database_url`]).
pub fn remote_config(url: &str, auth_token: String, timeout: Duration) -> RemoteConfig {
    let (url, namespace) = match url.split_once('#') {
        Some((u, ns)) => (u.to_owned(), Some(ns.to_owned())),
        None => (url.to_owned(), None),
    };
    RemoteConfig {
        url,
        auth_token,
        namespace,
        timeout,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_name_the_namespace() {
        let c = LibsqlConfig::default();
        let ns = c.namespace("acme", "prod");
        assert_eq!(ns, "acme--prod");
        let url = c.database_url(&ns);
        assert_eq!(url, "http://127.0.0.1:8080#acme--prod");
        assert!(is_remote_url(&url));
        let r = remote_config(&url, String::new(), Duration::from_secs(1));
        assert_eq!(r.url, "http://127.0.0.1:8080");
        assert_eq!(r.namespace.as_deref(), Some("acme--prod"));
        let turso = LibsqlConfig {
            url: "libsql://{namespace}-org.turso.io".into(),
            ..c
        };
        let url = turso.database_url("acme--prod");
        assert_eq!(url, "libsql://acme--prod-org.turso.io");
        assert_eq!(
            remote_config(&url, String::new(), Duration::from_secs(1)).namespace,
            None
        );
        assert!(!is_remote_url("tenants/acme/prod.db"));
    }

    #[test]
    fn provider_defaults_to_sqld_and_turso_keys_parse() {
        let c: LibsqlConfig = toml::from_str("url = \"http://h:8080\"").unwrap();
        assert_eq!(c.provider, Provider::Sqld);
        assert_eq!(c.turso_api_url, "https://api.turso.tech");
        assert_eq!(c.turso_group, "default");
        assert_eq!(c.turso_api_token_env, "PGTENANT_TURSO_API_TOKEN");
        assert!(c.turso().is_err(), "no organization configured");

        let c: LibsqlConfig = toml::from_str(
            r#"
            provider = "turso"
            turso_organization = "acme-corp"
            turso_group = "tenants"
            turso_api_token_env = "MY_TURSO_TOKEN"
            "#,
        )
        .unwrap();
        assert_eq!(c.provider, Provider::Turso);
        assert_eq!(c.turso_organization.as_deref(), Some("acme-corp"));
        assert_eq!(c.turso_group, "tenants");
        assert_eq!(
            c.turso_database_url("db-acme.turso.io"),
            "libsql://db-acme.turso.io"
        );
        let local = LibsqlConfig {
            url: "http://{hostname}".into(),
            ..c
        };
        assert_eq!(
            local.turso_database_url("127.0.0.1:9"),
            "http://127.0.0.1:9"
        );

        assert!(toml::from_str::<LibsqlConfig>("provider = \"aws\"").is_err());
        assert!(toml::from_str::<LibsqlConfig>("turso_org = \"x\"").is_err());
    }
}
