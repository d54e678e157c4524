//! `[libsql]` in the config: the libSQL server (or fleet) that tenants
//! created with `backend => 'libsql'` live on, and how to reach it.

use std::time::Duration;

use serde::Deserialize;

use super::remote::RemoteConfig;
use crate::sql::errors::SqlError;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LibsqlConfig {
    /// Hrana endpoint of a database. With `{namespace}` in it (Turso: one
    /// hostname per database) the URL names the database; without, it is a
    /// multi-tenant sqld and the namespace is sent as `x-namespace`.
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
}
