//! The TOML configuration. Every field has a default, so pgtenant runs with no
//! file at all; `config/pgtenant.toml` documents each one.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// How clients prove who they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthMethod {
    /// SCRAM-SHA-256 (the default, as in PostgreSQL).
    #[serde(rename = "scram-sha-256")]
    ScramSha256,
    /// Cleartext password: only for clients that cannot do SCRAM.
    Password,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// Folder holding the catalog and every tenant's database files.
    pub data_dir: PathBuf,
    /// Name of the admin role (connects to database `pgtenant`).
    pub admin_user: String,
    /// Admin password; `PGTENANT_ADMIN_PASSWORD` overrides it.
    pub admin_password: Option<String>,
    pub auth_method: AuthMethod,
    /// Log filter (tracing `EnvFilter` syntax), e.g. `info` or `pgtenant=debug`.
    pub log_level: String,
    /// Reported to clients as `server_version`.
    pub server_version: String,
    /// SQLite durability: `full` (default: an acknowledged COMMIT survives
    /// power loss) or `normal` (survives a process crash only).
    pub synchronous: Synchronous,
    /// With `synchronous = full`: commits of one tenant that arrive together
    /// share one fsync of its WAL, and the next writer starts while it runs
    /// (see `backend::sqlite::group_commit`). `false` fsyncs inside every
    /// COMMIT, holding the tenant's writer slot meanwhile.
    pub group_commit: bool,
    /// How long an SQLite connection waits on a lock held by another process.
    pub busy_timeout_ms: u64,
    /// Megabytes of each tenant database read through mmap (0 = off).
    pub mmap_size_mb: u64,
    /// Open tenant databases kept in the registry.
    pub registry_capacity: u64,
    /// An open tenant database unused this long is closed.
    pub registry_idle_secs: u64,
    /// Idle SQLite connections kept per tenant for reuse by new sessions.
    pub pooled_connections_per_tenant: usize,
    /// A tenant session idle (no statement, no transaction, no TEMP objects)
    /// this long gives its SQLite connection back to the pool and takes one
    /// again at its next statement (0 = sessions keep theirs).
    pub idle_session_release_secs: u64,
    /// Threads of the runtime that accepts connections and runs background
    /// tasks (metrics, idle release); 0 = one. Connections run on
    /// `connection_threads`.
    pub worker_threads: usize,
    /// Threads that own client connections, each a single-threaded runtime
    /// running the protocol and short statements (0 = two per core; see
    /// [`crate::server::shards`]).
    pub connection_threads: usize,
    /// Default `statement_timeout` in milliseconds (0 = none).
    pub statement_timeout_ms: u64,
    /// Seconds a client may take to finish startup and authentication.
    pub authentication_timeout_secs: u64,
    /// Seconds to wait for running statements at shutdown.
    pub shutdown_grace_secs: u64,
    /// Test only, off by default: registers the SQL function
    /// `pgtenant_debug_panic()`, which panics inside the server, so tests
    /// can prove a fault stays inside one session. Never enable in production.
    pub debug_panic_function: bool,
    /// Canonical hostname of non-prod environments, e.g. `{tenant}-{env}.db.example.com`.
    pub hostname_pattern: Option<String>,
    /// Canonical hostname of `prod`, e.g. `{tenant}.db.example.com`.
    pub prod_hostname_pattern: Option<String>,
    /// Server certificate chain (PEM); TLS is on when this and `tls_key` are set.
    pub tls_cert: Option<PathBuf>,
    /// Private key of the certificate (PEM).
    pub tls_key: Option<PathBuf>,
    /// CA certificates (PEM) that client certificates must chain to.
    pub tls_client_ca: Option<PathBuf>,
    /// Client certificates: `none`, `optional` (verified if sent) or `required`.
    pub client_cert: ClientCert,
    /// Refuse connections that did not negotiate TLS.
    pub require_tls: bool,
    /// Prometheus endpoint (`GET /metrics`), e.g. `127.0.0.1:9187`; off when unset.
    pub metrics_listen: Option<SocketAddr>,
    /// Tenants reported with their own metric labels (those with the most
    /// statements among tenants with open connections).
    pub metrics_tenant_limit: usize,
    /// Log lines as `text` or `json`.
    pub log_format: LogFormat,
    /// Tenant sessions open at once across every tenant (0 = no limit);
    /// past it, logins get 53300. The admin role is not counted.
    pub max_connections: usize,
    /// Key for secrets at rest (32 bytes, hex or base64);
    /// `PGTENANT_MASTER_KEY` overrides it.
    pub master_key: Option<String>,
    /// Default quotas per plan: `[plans.free]`, `[plans.pro]`, `[plans.enterprise]`.
    pub plans: crate::tenant::quota::Plans,
    /// `[deploy]`: deployment quota and fleet rollout concurrency.
    pub deploy: crate::deploy::DeployConfig,
    /// `[libsql]`: where tenants created with `backend => 'libsql'` live.
    pub libsql: Option<crate::backend::libsql::LibsqlConfig>,
    /// The catalog on a remote libSQL database (`http://`, `https://` or
    /// `libsql://`; `#namespace` at the end names a namespace of a
    /// multi-tenant sqld), shared by every instance started with it. Unset:
    /// `catalog.db` under `data_dir`. With it, new tenants are libSQL
    /// tenants (`[libsql]` is required) and the deadline of a catalog
    /// statement is `[libsql] timeout_ms`.
    pub catalog_url: Option<String>,
    /// Environment variable holding the catalog database's auth token.
    pub catalog_auth_token_env: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ClientCert {
    None,
    Optional,
    Required,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Synchronous {
    Full,
    Normal,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:6543".parse().expect("valid default address"),
            data_dir: PathBuf::from("./data"),
            admin_user: "pgtenant".into(),
            admin_password: None,
            auth_method: AuthMethod::ScramSha256,
            log_level: "info".into(),
            server_version: "15.8".into(),
            synchronous: Synchronous::Full,
            group_commit: true,
            busy_timeout_ms: 5_000,
            mmap_size_mb: 256,
            registry_capacity: 10_000,
            registry_idle_secs: 600,
            pooled_connections_per_tenant: 8,
            idle_session_release_secs: 10,
            worker_threads: 0,
            connection_threads: 0,
            statement_timeout_ms: 0,
            authentication_timeout_secs: 60,
            shutdown_grace_secs: 30,
            debug_panic_function: false,
            hostname_pattern: None,
            prod_hostname_pattern: None,
            tls_cert: None,
            tls_key: None,
            tls_client_ca: None,
            client_cert: ClientCert::None,
            require_tls: false,
            metrics_listen: None,
            metrics_tenant_limit: 50,
            log_format: LogFormat::Text,
            max_connections: 1000,
            master_key: None,
            plans: crate::tenant::quota::Plans::default(),
            deploy: Default::default(),
            libsql: None,
            catalog_url: None,
            catalog_auth_token_env: "PGTENANT_CATALOG_AUTH_TOKEN".into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        source: toml::de::Error,
    },
}

impl Config {
    /// Threads of the accepting runtime: `worker_threads`, or one.
    pub fn async_workers(&self) -> usize {
        self.worker_threads.max(1)
    }

    /// Connection threads: `connection_threads`, or two per core. A thread
    /// that has just sent a reply is often preempted by the client it woke;
    /// a second thread per core serves another connection meanwhile (on 2
    /// cores, 4 threads served pgbench 5-15% more than 2, select-only and
    /// tpcb-like alike; 8 no more than 4).
    pub fn connection_threads(&self) -> usize {
        if self.connection_threads > 0 {
            return self.connection_threads;
        }
        2 * std::thread::available_parallelism().map_or(2, |n| n.get())
    }

    /// Loads a file, or the defaults when `path` is `None`.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let mut config = match path {
            None => Config::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                toml::from_str(&text).map_err(|source| ConfigError::Parse {
                    path: path.to_owned(),
                    source,
                })?
            }
        };
        if let Ok(pw) = std::env::var("PGTENANT_ADMIN_PASSWORD") {
            if !pw.is_empty() {
                config.admin_password = Some(pw);
            }
        }
        Ok(config)
    }

    /// Where the remote catalog is and how long to wait for it; None for
    /// the local catalog file.
    pub fn remote_catalog(&self) -> Option<crate::backend::libsql::RemoteConfig> {
        let url = self.catalog_url.as_deref()?;
        let token = std::env::var(&self.catalog_auth_token_env).unwrap_or_default();
        let timeout = self.libsql.as_ref().map_or(
            Duration::from_secs(5),
            crate::backend::libsql::LibsqlConfig::timeout,
        );
        Some(crate::backend::libsql::config::remote_config(
            url, token, timeout,
        ))
    }

    pub fn statement_timeout(&self) -> Option<Duration> {
        (self.statement_timeout_ms > 0).then(|| Duration::from_millis(self.statement_timeout_ms))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses() {
        let text = include_str!("../config/pgtenant.toml");
        let config: Config = toml::from_str(text).expect("config/pgtenant.toml parses");
        assert_eq!(config.listen.port(), 6543);
        assert_eq!(config.auth_method, AuthMethod::ScramSha256);
        // The example file spells out the built-in plans.
        assert_eq!(config.plans, crate::tenant::quota::Plans::default());
    }

    #[test]
    fn example_catalog_url_parses_uncommented() {
        let text = include_str!("../config/pgtenant.toml");
        let lines: String = text
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.starts_with("catalog_"))
            .map(|l| format!("{l}\n"))
            .collect();
        let config: Config = toml::from_str(&lines).expect("catalog_url parses");
        let remote = config.remote_catalog().expect("a remote catalog");
        assert_eq!(remote.url, "http://127.0.0.1:8080");
        assert_eq!(remote.namespace.as_deref(), Some("pgtenant-catalog"));
        assert_eq!(remote.timeout, Duration::from_secs(5));
        assert!(Config::default().remote_catalog().is_none());
    }

    #[test]
    fn example_libsql_section_parses_uncommented() {
        let text = include_str!("../config/pgtenant.toml");
        let (_, section) = text.split_once("# [libsql]").expect("a [libsql] example");
        let uncommented: String = std::iter::once("[libsql]")
            .chain(section.lines().filter_map(|l| l.strip_prefix("# ")))
            .filter(|l| l.contains('=') || l.starts_with('['))
            .map(|l| format!("{l}\n"))
            .collect();
        let config: Config = toml::from_str(&uncommented).expect("[libsql] parses");
        let l = config.libsql.expect("libsql section");
        assert_eq!(l.admin_url.as_deref(), Some("http://127.0.0.1:9090"));
        assert_eq!(l.timeout_ms, 5000);
    }
}
