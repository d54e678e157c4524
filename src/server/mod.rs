//! The PostgreSQL front end: listener, per-connection handlers, sessions.

pub mod activity;
pub mod advisory;
pub mod auth;
pub mod check;
pub mod conn;
pub mod copy;
pub mod cursors;
pub mod do_run;
mod do_vars;
mod drop_cascade;
pub mod extended;
pub mod fault;
pub mod frame_guard;
pub mod frames;
mod grants;
pub mod idle_release;
mod inet;
pub mod lifted;
pub mod messages;
pub mod notices;
pub mod notify;
pub mod params;
pub mod prepared_sql;
mod schemas;
pub mod session;
pub mod sessions;
pub mod settings;
pub mod settings_sql;
pub mod shards;
pub mod simple;
pub mod startup;
pub mod tls;
pub mod wire;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::backend::sqlite::open::OpenOptions;
use crate::config::Config;
use crate::sql::errors::SqlError;
use crate::sql::translate::{self, Translation};
use crate::tenant::catalog::Catalog;
use crate::tenant::registry::Registry;
use crate::tenant::scram::Verifier;

/// Stops a background task when the server stops.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Translations cached per statement text (the hot path parses nothing twice).
type TranslationCache = moka::sync::Cache<Arc<str>, Arc<Vec<Translation>>>;

/// State shared by every connection.
pub struct Server {
    pub config: Config,
    pub catalog: Arc<Catalog>,
    pub registry: Registry,
    pub sessions: sessions::SessionTable,
    /// None when no admin password is configured: the admin role cannot log in.
    pub admin_verifier: Option<Verifier>,
    translations: TranslationCache,
    pub pids: Arc<dyn pgwire::api::PidSecretKeyGenerator>,
    /// Canonical hostname patterns of tenant environments.
    pub hostnames: crate::tenant::hostname::Patterns,
    /// None when TLS is not configured (SSLRequest is answered 'N').
    pub tls: Option<pgwire::tokio::TlsAcceptor>,
    /// Where the metrics endpoint listens, once bound.
    pub metrics_addr: std::sync::OnceLock<std::net::SocketAddr>,
    /// Connection counts, statement rates and quotas of live tenants.
    pub limits: Arc<crate::tenant::limits::Limits>,
    /// Secrets at rest; None without a master key.
    pub secrets: Option<Arc<crate::tenant::secrets::SecretBox>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("listen", &self.config.listen)
            .finish()
    }
}

impl Server {
    /// Opens the catalog under the data folder and prepares shared state.
    pub fn new(config: Config) -> Result<Arc<Server>, SqlError> {
        let config_error = |e: String| SqlError::new("F0000", e);
        check::check(&config).map_err(config_error)?;
        let hostnames = crate::tenant::hostname::Patterns::from_config(
            config.hostname_pattern.as_deref(),
            config.prod_hostname_pattern.as_deref(),
        )
        .map_err(config_error)?;
        let tls = tls::acceptor(&config).map_err(config_error)?;
        crate::backend::sqlite::open::configure_process();
        let catalog = Arc::new(match config.remote_catalog() {
            Some(cfg) => {
                let url = cfg.url.clone();
                Catalog::open_remote(&config.data_dir, cfg).map_err(|e| {
                    SqlError::new(e.code, format!("remote catalog {url}: {}", e.message))
                })?
            }
            None => Catalog::open(&config.data_dir)?,
        });
        catalog.sync_hostname_patterns(&hostnames)?;
        if catalog.is_remote() {
            // Another instance may be creating or dropping a tenant right
            // now: a `provisioning` or `destroying` row is not a leftover.
            tracing::info!("remote catalog: startup reconciliation is left to a single local-catalog deployment");
        } else {
            // Before accepting: every tenant whole, cleanly failed, or absent.
            crate::tenant::reconcile::run(&catalog, &config.data_dir)?;
        }
        crate::deploy::history::init(&catalog)?;
        catalog.started();
        let opts = OpenOptions {
            synchronous: config.synchronous,
            group_commit: config.group_commit,
            busy_timeout: Duration::from_millis(config.busy_timeout_ms),
            mmap_size: (config.mmap_size_mb as i64) << 20,
            debug_panic_function: config.debug_panic_function,
        };
        let registry = Registry::new(
            config.registry_capacity,
            Duration::from_secs(config.registry_idle_secs),
            config.pooled_connections_per_tenant,
            opts,
        );
        let admin_verifier = config.admin_password.as_deref().map(Verifier::new);
        if admin_verifier.is_none() {
            tracing::warn!("no admin password configured (admin_password or PGTENANT_ADMIN_PASSWORD): the admin role cannot log in");
        }
        let secrets =
            match crate::tenant::secrets::SecretBox::from_env_or(config.master_key.as_deref()) {
                Ok(b) => Some(Arc::new(b)),
                Err(crate::tenant::secrets::SecretError::NoKey) => None,
                Err(e) => return Err(SqlError::new("F0000", e.to_string())),
            };
        let limits = crate::tenant::limits::Limits::new(config.max_connections);
        Ok(Arc::new(Server {
            limits,
            secrets,
            config,
            catalog,
            registry,
            sessions: sessions::SessionTable::default(),
            admin_verifier,
            translations: moka::sync::Cache::builder().max_capacity(10_000).build(),
            pids: Arc::new(pgwire::api::RandomPidSecretKeyGenerator::default()),
            hostnames,
            tls,
            metrics_addr: std::sync::OnceLock::new(),
        }))
    }

    /// Translates a query string, from the cache when it was seen before.
    pub fn translate(&self, sql: &str) -> Result<Arc<Vec<Translation>>, SqlError> {
        if let Some(t) = self.translations.get(sql) {
            return Ok(t);
        }
        let t = Arc::new(translate::translate(sql)?);
        self.translations.insert(Arc::from(sql), t.clone());
        Ok(t)
    }

    /// Accepts connections until `shutdown` resolves, then lets running
    /// statements finish (up to the configured grace) and returns.
    pub async fn serve(
        self: Arc<Self>,
        listener: TcpListener,
        shutdown: impl Future<Output = ()>,
    ) -> std::io::Result<()> {
        tokio::pin!(shutdown);
        let metrics = match self.config.metrics_listen {
            Some(addr) => {
                let l = TcpListener::bind(addr).await.map_err(|e| {
                    std::io::Error::new(e.kind(), format!("metrics_listen {addr}: {e}"))
                })?;
                let bound = l.local_addr()?;
                let _ = self.metrics_addr.set(bound);
                tracing::info!(%bound, "metrics at http://{bound}/metrics");
                Some(AbortOnDrop(tokio::spawn(crate::metrics::http::serve(
                    self.clone(),
                    l,
                ))))
            }
            None => None,
        };
        let _idle_release = (self.config.idle_session_release_secs > 0).then(|| {
            AbortOnDrop(tokio::spawn(idle_release::run(
                Arc::downgrade(&self),
                Duration::from_secs(self.config.idle_session_release_secs),
            )))
        });
        let shards = shards::Shards::start(self.config.connection_threads())?;
        let mut tasks = JoinSet::new();
        loop {
            tokio::select! {
                _ = &mut shutdown => break,
                accepted = listener.accept() => {
                    let (socket, peer) = match accepted {
                        Ok(a) => a,
                        Err(e) => {
                            // EMFILE and friends: back off instead of spinning.
                            tracing::warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = socket.set_nodelay(true);
                    let server = self.clone();
                    shards.spawn(&mut tasks, socket, move |socket| {
                        conn::serve_connection(server, socket, peer)
                    });
                }
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        drop(listener);
        drop(metrics);
        tracing::info!(
            connections = tasks.len(),
            "shutting down: no new connections"
        );
        self.sessions.shutdown_all();
        let grace = Duration::from_secs(self.config.shutdown_grace_secs);
        let drained =
            tokio::time::timeout(grace, async { while tasks.join_next().await.is_some() {} }).await;
        if drained.is_err() {
            tracing::warn!("shutdown grace expired; closing remaining connections");
            tasks.shutdown().await;
        }
        Ok(())
    }
}
