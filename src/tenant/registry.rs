//! The open tenant databases: a moka cache keyed by tenant and environment,
//! with idle expiry. An entry holds the tenant's writer queue and a small
//! pool of idle SQLite connections reused by new sessions.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;

use crate::backend::libsql::{RemoteConfig, RemoteConn};
use crate::backend::sqlite::exec::Conn;
use crate::backend::sqlite::group_commit::GroupCommit;
use crate::backend::sqlite::guard::Role;
use crate::backend::sqlite::mmap_policy::MmapPolicy;
use crate::backend::sqlite::open::{self, OpenOptions};
use crate::sql::errors::{from_sqlite, SqlError};

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TenantKey {
    pub tenant: String,
    pub env: String,
}

/// One open tenant environment.
pub struct TenantDb {
    pub key: TenantKey,
    path: PathBuf,
    /// A database on a libSQL server instead of the file at `path`.
    remote: Option<RemoteTarget>,
    /// One writer at a time, queued fairly (tokio's semaphore is FIFO), so
    /// concurrent writers wait in the proxy instead of spinning on SQLITE_BUSY.
    pub writer: Arc<Semaphore>,
    /// The WAL fsync its sessions' commits share (local files with
    /// `synchronous = full` and `group_commit`).
    group_commit: Option<Arc<GroupCommit>>,
    /// Whether its connections read through mmap now (by commit rate).
    mmap: MmapPolicy,
    idle: Mutex<Vec<Conn>>,
    idle_cap: usize,
    /// The fewest pooled connections since the last trim: that many sat
    /// unused the whole period (see [`TenantDb::trim_pool`]).
    idle_low: std::sync::atomic::AtomicUsize,
    opts: OpenOptions,
    /// Set when the tenant is dropped or suspended: sessions end, connections are not pooled.
    closed: AtomicBool,
    /// Sessions, statements and errors while open (metrics, `pgtenant.stats`).
    pub stats: crate::metrics::TenantStats,
    /// Bumped when a deployment changed the schema: remote sessions reload
    /// their schema mirror before their next statement (a local session's
    /// SQLite sees the change by itself).
    schema_generation: Arc<std::sync::atomic::AtomicU64>,
    /// Its sessions' advisory locks (pg_advisory_lock), in this process.
    pub advisory: Arc<crate::server::advisory::AdvisoryLocks>,
    /// Its sessions' LISTEN channels (NOTIFY), in this process.
    pub channels: Arc<crate::server::notify::Channels>,
    /// Its users' table privileges (GRANT, REVOKE), shared by its sessions
    /// so a change applies to all of them at once.
    pub acl: Arc<crate::backend::sqlite::privileges::TableAcl>,
}

/// Where a tenant environment's database is, for the registry.
#[derive(Clone)]
pub enum Target {
    File(PathBuf),
    Remote(RemoteConfig),
}

/// A remote database and the client its sessions share (one HTTP pool).
struct RemoteTarget {
    cfg: RemoteConfig,
    client: tokio::sync::OnceCell<Arc<libsql::Database>>,
}

fn dropped() -> SqlError {
    SqlError::new("57P01", "terminating connection: the tenant was dropped").fatal()
}

impl TenantDb {
    /// Whether this handle opens the database `target` names.
    fn is_at(&self, target: &Target) -> bool {
        match (target, &self.remote) {
            (Target::File(p), None) => *p == self.path,
            (Target::Remote(c), Some(r)) => {
                c.url == r.cfg.url
                    && c.namespace == r.cfg.namespace
                    && c.auth_token == r.cfg.auth_token
            }
            _ => false,
        }
    }

    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// The table privileges of `user`'s sessions on this database.
    pub fn grants(&self, user: &str) -> crate::backend::sqlite::privileges::Grants {
        crate::backend::sqlite::privileges::Grants {
            acl: self.acl.clone(),
            user: user.to_owned(),
        }
    }

    /// A deployment changed the schema outside this instance's sessions.
    pub fn schema_changed(&self) {
        self.schema_generation.fetch_add(1, Ordering::Relaxed);
    }

    /// The client this remote database's sessions share (one HTTP pool);
    /// None for a local file.
    pub async fn remote_client(&self) -> Result<Option<Arc<libsql::Database>>, SqlError> {
        match &self.remote {
            None => Ok(None),
            Some(target) => target
                .client
                .get_or_try_init(|| RemoteConn::database(&target.cfg))
                .await
                .map(|c| Some(c.clone())),
        }
    }

    /// A session's connection to the remote database (its schema mirror
    /// loaded, which proves the server reachable), guarded for `role`.
    pub async fn open_remote(&self, role: Role) -> Result<RemoteConn, SqlError> {
        if self.is_closed() {
            return Err(dropped());
        }
        let target = self.remote.as_ref().ok_or_else(|| {
            SqlError::internal("opening a remote session", "the database is a local file")
        })?;
        let client = target
            .client
            .get_or_try_init(|| RemoteConn::database(&target.cfg))
            .await?;
        // Read first: a deployment committing while the mirror loads is
        // then seen by the next statement.
        let seen = self.schema_generation.load(Ordering::Relaxed);
        let mut conn = RemoteConn::open_on(client.clone(), target.cfg.clone(), role).await?;
        conn.watch_schema(self.schema_generation.clone(), seen);
        Ok(conn)
    }

    /// After work on one of this database's session connections: if it
    /// committed, returns once the commit is on disk. Blocks (an fsync);
    /// call it after giving back the writer slot.
    pub fn make_durable(&self, conn: &Conn) -> Result<(), SqlError> {
        match &self.group_commit {
            Some(gc) if self.take_committed(conn) => gc.wait_durable(),
            _ => Ok(()),
        }
    }

    /// Whether `conn` committed since the last call; the commit counts
    /// toward the tenant's write rate.
    pub fn take_committed(&self, conn: &Conn) -> bool {
        let committed = conn.take_committed();
        if committed {
            self.mmap.note_commit();
        }
        committed
    }

    /// Sets `conn` to read as the tenant's write rate advises (see
    /// [`MmapPolicy`]); before a statement.
    pub fn fit_mmap(&self, conn: &mut Conn) {
        conn.fit_mmap(self.mmap.size_now());
    }

    /// Returns once every commit so far is on disk. The async side waits;
    /// only a waiter that starts an fsync hands it to the blocking pool.
    pub async fn wait_durable_async(&self) -> Result<(), SqlError> {
        match &self.group_commit {
            Some(gc) => gc.wait_durable_async().await,
            None => Ok(()),
        }
    }

    /// Whether a COMMIT on this database returns without an fsync (group
    /// commit or `synchronous = normal`), so it may run on an async worker.
    pub fn commits_without_fsync(&self) -> bool {
        !self.opts.commit_syncs()
    }

    /// A connection for a new session: pooled if one is idle, else opened. Blocks.
    pub fn checkout(&self) -> Result<Conn, SqlError> {
        if self.is_closed() {
            return Err(dropped());
        }
        if self.remote.is_some() {
            return Err(SqlError::new(
                "0A000",
                "this operation needs a local database file; the tenant's database is on a libSQL server",
            ));
        }
        let pooled = {
            let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
            let c = idle.pop();
            self.idle_low.fetch_min(idle.len(), Ordering::Relaxed);
            c
        };
        if let Some(c) = pooled {
            c.refresh_schema();
            return Ok(c);
        }
        open::open(&self.path, self.opts)
            .map(|db| {
                Conn::new(db)
                    .for_session()
                    .opened_with_mmap(self.opts.mmap_size)
            })
            .map_err(|e| from_sqlite(&e))
    }

    /// Returns a session's connection for reuse; it must be outside any transaction.
    pub fn checkin(&self, conn: Conn) {
        if self.is_closed() || !conn.is_autocommit() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.idle_cap {
            idle.push(conn);
        }
    }

    /// Takes out the pooled connections no session used since the last
    /// trim, beyond `keep`, for the caller to close off the async workers.
    /// Called by the idle sweep, so a burst's connections do not stay open
    /// after it.
    pub fn trim_pool(&self, keep: usize) -> Vec<Conn> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        let unused = self.idle_low.load(Ordering::Relaxed).min(idle.len());
        let excess = unused.saturating_sub(keep);
        // The oldest (bottom of the stack) are the ones that sat unused.
        let out: Vec<Conn> = idle.drain(..excess).collect();
        self.idle_low.store(idle.len(), Ordering::Relaxed);
        out
    }

    /// Connections waiting in the pool.
    pub fn pooled(&self) -> usize {
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    /// Closes pooled connections and refuses new checkouts.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        self.idle.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

pub struct Registry {
    cache: moka::future::Cache<TenantKey, Arc<TenantDb>>,
    /// Handles still held by sessions after the cache let them go: a new
    /// session must share the same writer queue, never make a second one.
    live: Mutex<std::collections::HashMap<TenantKey, std::sync::Weak<TenantDb>>>,
    opts: OpenOptions,
    idle_cap: usize,
}

impl Registry {
    pub fn new(capacity: u64, idle: Duration, idle_cap: usize, opts: OpenOptions) -> Registry {
        Registry {
            cache: moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_idle(idle)
                .build(),
            live: Mutex::new(std::collections::HashMap::new()),
            opts,
            idle_cap,
        }
    }

    /// The open handle for a tenant environment; concurrent first uses share
    /// one entry. A handle whose database the catalog no longer names (the
    /// tenant was dropped and created again, perhaps by another instance
    /// sharing the catalog) is closed and replaced.
    pub async fn get(&self, key: TenantKey, target: Target) -> Arc<TenantDb> {
        let db = self.get_or_open(key.clone(), target.clone()).await;
        if db.is_at(&target) {
            return db;
        }
        tracing::info!(tenant = %key.tenant, env = %key.env, "tenant database moved: reopening");
        self.close_env(&key).await;
        self.get_or_open(key, target).await
    }

    async fn get_or_open(&self, key: TenantKey, target: Target) -> Arc<TenantDb> {
        let opts = self.opts;
        let idle_cap = self.idle_cap;
        let live = &self.live;
        self.cache
            .get_with(key.clone(), async move {
                let mut live = live.lock().unwrap_or_else(|p| p.into_inner());
                if let Some(db) = live.get(&key).and_then(std::sync::Weak::upgrade) {
                    return db;
                }
                live.retain(|_, w| w.strong_count() > 0);
                let (path, remote) = match target {
                    Target::File(path) => (path, None),
                    Target::Remote(cfg) => (
                        PathBuf::new(),
                        Some(RemoteTarget {
                            cfg,
                            client: tokio::sync::OnceCell::new(),
                        }),
                    ),
                };
                let db = Arc::new(TenantDb {
                    key: key.clone(),
                    group_commit: (remote.is_none() && opts.syncs_by_group_commit())
                        .then(|| Arc::new(GroupCommit::new(&path))),
                    mmap: MmapPolicy::new(opts.mmap_size),
                    path,
                    remote,
                    writer: Arc::new(Semaphore::new(1)),
                    idle: Mutex::new(Vec::new()),
                    idle_cap,
                    idle_low: Default::default(),
                    opts,
                    closed: AtomicBool::new(false),
                    stats: Default::default(),
                    schema_generation: Default::default(),
                    advisory: Default::default(),
                    channels: Default::default(),
                    acl: Default::default(),
                });
                live.insert(key, Arc::downgrade(&db));
                db
            })
            .await
    }

    /// Every tenant database handle still alive (cached or held by sessions).
    pub fn open_databases(&self) -> Vec<Arc<TenantDb>> {
        self.live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .values()
            .filter_map(std::sync::Weak::upgrade)
            .collect()
    }

    /// Closes and forgets one environment (it was dropped).
    pub async fn close_env(&self, key: &TenantKey) {
        if let Some(db) = self.cache.remove(key).await {
            db.close();
        }
        let live = self
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(key);
        if let Some(db) = live.and_then(|w| w.upgrade()) {
            db.close();
        }
    }

    /// Closes and forgets every environment of a tenant.
    pub async fn close_tenant(&self, tenant: &str) {
        let keys: Vec<TenantKey> = self
            .cache
            .iter()
            .filter(|(k, _)| k.tenant == tenant)
            .map(|(k, _)| (*k).clone())
            .collect();
        for k in keys {
            if let Some(db) = self.cache.remove(&k).await {
                db.close();
            }
        }
        let mut live = self.live.lock().unwrap_or_else(|p| p.into_inner());
        live.retain(|k, w| {
            if k.tenant == tenant {
                if let Some(db) = w.upgrade() {
                    db.close();
                }
                false
            } else {
                true
            }
        });
    }
}
