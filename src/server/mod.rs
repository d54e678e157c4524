//! The PostgreSQL front end: listener, per-connection handlers, sessions.

pub mod auth;
pub mod conn;
pub mod copy;
pub mod extended;
pub mod fault;
pub mod frame_guard;
pub mod frames;
pub mod messages;
pub mod params;
pub mod session;
pub mod sessions;
pub mod settings;
pub mod simple;
pub mod startup;
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
        crate::backend::sqlite::open::configure_process();
        let catalog = Arc::new(Catalog::open(&config.data_dir)?);
        let opts = OpenOptions {
            synchronous: config.synchronous,
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
        Ok(Arc::new(Server {
            config,
            catalog,
            registry,
            sessions: sessions::SessionTable::default(),
            admin_verifier,
            translations: moka::sync::Cache::builder().max_capacity(10_000).build(),
            pids: Arc::new(pgwire::api::RandomPidSecretKeyGenerator::default()),
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
                    tasks.spawn(async move { conn::serve_connection(server, socket, peer).await });
                }
                Some(_) = tasks.join_next(), if !tasks.is_empty() => {}
            }
        }
        drop(listener);
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
