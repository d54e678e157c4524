//! One authenticated connection's state: who it is, its SQLite connection,
//! its transaction, its settings, and the statement execution path.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, Mutex};

use futures::stream;
use pgwire::api::portal::Format;
use pgwire::api::results::{FieldFormat, FieldInfo, QueryResponse, Tag};
use pgwire::api::Type;
use pgwire::messages::data::DataRow;
use rusqlite::types::Value;
use rusqlite::InterruptHandle;
use tokio::sync::{mpsc, Notify, OwnedSemaphorePermit};

use super::settings::Settings;
use super::Server;
use crate::backend::engine::Engine;
use crate::backend::libsql::schema_watch::is_missing_object;
use crate::backend::libsql::RemoteConn;
use crate::backend::sqlite::exec::{ColumnInfo, Conn, Finished, RowSink, Run, Types};
use crate::backend::sqlite::pgfuncs::sequences::SequenceLog;
use crate::sql::errors::SqlError;
use crate::sql::pgtype::PgType;
use crate::sql::translate::{ParamHint, ResultTypes, SchemaEdit, StmtKind, Translation};
use crate::tenant::registry::TenantDb;

/// The database connection a session starts with.
// Built once per session and unpacked at once: boxing the local connection
// would only add an allocation per login.
#[allow(clippy::large_enum_variant)]
pub enum SessionConn {
    Local(Conn),
    Remote(Box<RemoteConn>),
}

impl SessionConn {
    /// The local connection that takes the session's SQL functions
    /// (settings, identity, activity): a remote session's schema mirror.
    pub fn local(&self) -> &Conn {
        match self {
            SessionConn::Local(c) => c,
            SessionConn::Remote(r) => r.mirror().catalog(),
        }
    }
}

/// Who the session belongs to.
#[derive(Debug, Clone)]
pub enum Identity {
    Admin {
        user: String,
    },
    Tenant {
        tenant: String,
        env: String,
        user: String,
        role: String,
    },
}

impl Identity {
    pub fn user(&self) -> &str {
        match self {
            Identity::Admin { user } | Identity::Tenant { user, .. } => user,
        }
    }

    pub fn tenant(&self) -> Option<&str> {
        match self {
            Identity::Admin { .. } => None,
            Identity::Tenant { tenant, .. } => Some(tenant),
        }
    }
}

/// The session's transaction, as PostgreSQL reports it in ReadyForQuery.
#[derive(Debug, Default)]
enum Tx {
    #[default]
    Idle,
    /// In a transaction block. `implicit` for a multi-statement simple query.
    Active {
        permit: Option<OwnedSemaphorePermit>,
        implicit: bool,
    },
    /// An error happened in the block: everything but ROLLBACK is refused.
    Failed {
        permit: Option<OwnedSemaphorePermit>,
    },
}

/// Why the running statement was interrupted.
const CANCEL_NONE: u8 = 0;
const CANCEL_USER: u8 = 1;
const CANCEL_TIMEOUT: u8 = 2;

/// What a statement produced, for the protocol layer to send.
pub enum Outcome {
    Rows(QueryResponse),
    Command(Tag),
    TxStart(Tag),
    TxEnd(Tag),
}

/// Transaction status letters for ReadyForQuery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxStatus {
    Idle,
    InBlock,
    Failed,
}

pub struct Session {
    pub server: Arc<Server>,
    pub identity: Identity,
    pub pid: i32,
    db: Option<Arc<TenantDb>>,
    /// The SQLite connection, when not lent to a blocking task.
    conn: Mutex<Option<Conn>>,
    /// A remote libSQL tenant's connection (then `conn` stays empty): its
    /// schema mirror stands in for the SQLite connection in schema lookups.
    remote: Option<tokio::sync::Mutex<RemoteConn>>,
    /// Interrupts the session's connection; `None` while it is released.
    interrupt: Mutex<Option<Arc<InterruptHandle>>>,
    /// An idle tenant session gave its connection back to the tenant's
    /// pool (see `idle_release`); the next statement takes one again.
    pub(super) released: std::sync::atomic::AtomicBool,
    /// What currval/lastval would answer, kept while the connection is
    /// released (see `idle_release`).
    pub(super) parked_sequences: Mutex<Option<SequenceLog>>,
    /// A statement ran since the last idle sweep.
    pub(super) touched: std::sync::atomic::AtomicBool,
    /// The database name the client asked for (pg_stat_activity, current_database()).
    pub database: std::sync::OnceLock<String>,
    /// The connection's two ends (`inet_client_addr()` and friends).
    pub ends: std::sync::OnceLock<super::inet::Ends>,
    tx: Mutex<Tx>,
    /// Shared with the connection's current_setting()/set_config().
    pub settings: Arc<Mutex<Settings>>,
    /// The session's advisory locks (tenant sessions).
    pub advisory: Option<Arc<super::advisory::SessionLocks>>,
    cancel_reason: AtomicU8,
    cancel_wait: Notify,
    /// PREPARE / EXECUTE / DEALLOCATE statements.
    pub prepared_sql: super::prepared_sql::PreparedSql,
    /// DECLARE / FETCH / CLOSE cursors.
    pub cursors: super::cursors::Cursors,
    /// Column types lifted literals were read as (see `lifted`).
    pub literal_types: super::lifted::LiteralTypes,
    /// A tenant session's connection slot and live quota counters.
    pub quota: std::sync::OnceLock<crate::tenant::limits::ConnSlot>,
    /// LISTEN / NOTIFY (tenant sessions).
    pub channels: Option<Arc<super::notify::SessionChannels>>,
    /// Notices raised by the running statement, sent before its response.
    pub notices: Arc<super::notices::Notices>,
}

enum Event {
    /// A result too big for one message starts streaming.
    Schema(Arc<Vec<FieldInfo>>),
    Rows(Vec<DataRow>),
    /// The end: for a small result, its schema and rows too (one wake-up).
    End {
        schema: Option<Arc<Vec<FieldInfo>>>,
        rows: Vec<DataRow>,
        result: Result<Finished, SqlError>,
    },
}

/// Sends rows from the blocking task to the protocol task. The schema and
/// the last batch are held back so a small result is sent as a single `End`.
struct ChannelSink {
    tx: mpsc::Sender<Event>,
    format: Format,
    schema: Option<Arc<Vec<FieldInfo>>>,
    held: Vec<DataRow>,
}

impl RowSink for ChannelSink {
    fn schema(&mut self, columns: &[ColumnInfo], types: &[PgType]) -> bool {
        self.schema = Some(Arc::new(field_infos(columns, types, &self.format)));
        true
    }

    fn rows(&mut self, batch: Vec<DataRow>) -> bool {
        if let Some(schema) = self.schema.take() {
            if self.tx.blocking_send(Event::Schema(schema)).is_err() {
                return false;
            }
        }
        self.tx.blocking_send(Event::Rows(batch)).is_ok()
    }

    fn last_rows(&mut self, batch: Vec<DataRow>) {
        self.held = batch;
    }
}

/// Stops a statement timer when the statement ends or its result is dropped.
struct TimerGuard(Option<tokio::task::JoinHandle<()>>);

impl Drop for TimerGuard {
    fn drop(&mut self) {
        if let Some(t) = self.0.take() {
            t.abort();
        }
    }
}

/// Collects a result in memory (inline runs, bounded by their budget).
struct MemSink<'a> {
    format: &'a Format,
    schema: Option<Arc<Vec<FieldInfo>>>,
    rows: Vec<DataRow>,
}

impl<'a> MemSink<'a> {
    fn new(format: &'a Format) -> MemSink<'a> {
        MemSink {
            format,
            schema: None,
            rows: Vec::new(),
        }
    }
}

/// A translation's run on the async worker (inline), borrowing its parts.
fn inline_run<'a>(
    t: &'a Translation,
    params: &'a [Value],
    format: &'a Format,
    fixed_types: Option<&'a [PgType]>,
) -> Run<'a> {
    Run {
        sql: &t.sql,
        params,
        types: match fixed_types {
            Some(ft) => Types::Fixed(ft, t.retype.as_ref()),
            None => Types::Infer(&t.columns, t.retype.as_ref()),
        },
        scales: &t.scales,
        format,
    }
}

impl RowSink for MemSink<'_> {
    fn schema(&mut self, columns: &[ColumnInfo], types: &[PgType]) -> bool {
        self.schema = Some(Arc::new(field_infos(columns, types, self.format)));
        true
    }

    fn rows(&mut self, mut batch: Vec<DataRow>) -> bool {
        self.rows.append(&mut batch);
        true
    }

    fn last_rows(&mut self, mut batch: Vec<DataRow>) {
        self.rows.append(&mut batch);
    }
}

/// The pgwire type for one of ours.
pub fn wire_type(t: PgType) -> Type {
    Type::from_oid(t.oid()).unwrap_or(Type::TEXT)
}

/// RowDescription fields for result columns.
pub fn field_infos(columns: &[ColumnInfo], types: &[PgType], format: &Format) -> Vec<FieldInfo> {
    columns
        .iter()
        .zip(types)
        .enumerate()
        .map(|(i, (c, t))| {
            let ff = if format.is_binary(i) {
                FieldFormat::Binary
            } else {
                FieldFormat::Text
            };
            FieldInfo::new(c.name.clone(), None, None, wire_type(*t), ff).with_type_size(t.typlen())
        })
        .collect()
}

/// A statement that finished with its whole result in hand: rows (with their
/// schema) or a command tag.
fn complete_outcome(
    tag: &'static str,
    schema: Option<Arc<Vec<FieldInfo>>>,
    rows: Vec<DataRow>,
    result: Result<Finished, SqlError>,
) -> Result<Outcome, SqlError> {
    match (schema, result?) {
        (Some(schema), _) => {
            let mut resp = QueryResponse::new(schema, stream::iter(rows.into_iter().map(Ok)));
            resp.set_command_tag(rows_tag(tag));
            Ok(Outcome::Rows(resp))
        }
        (None, Finished::Changed(n) | Finished::Rows(n)) => {
            Ok(Outcome::Command(command_tag(tag, n)))
        }
    }
}

/// The tag word(s) before the row count of a statement that returned rows:
/// PostgreSQL's INSERT tag carries an OID (always 0).
fn rows_tag(tag: &'static str) -> &'static str {
    if tag == "INSERT" {
        "INSERT 0"
    } else {
        tag
    }
}

/// The command tag PostgreSQL sends for a statement that changed `n` rows.
fn command_tag(tag: &str, n: u64) -> Tag {
    match tag {
        "INSERT" => Tag::new("INSERT").with_oid(0).with_rows(n as usize),
        "UPDATE" | "DELETE" | "MERGE" | "SELECT" | "COPY" | "FETCH" | "MOVE" => {
            Tag::new(tag).with_rows(n as usize)
        }
        other => Tag::new(other),
    }
}

impl Session {
    /// The session's TimeZone, resolved.
    pub fn zone(&self) -> crate::sql::zone::SessionZone {
        self.settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .zone()
    }

    /// Runs `work` in the session's TimeZone and IntervalStyle (the
    /// thread-locals the encoder and SQL functions read).
    pub(super) fn in_formats<T>(&self, work: impl FnOnce() -> T) -> T {
        let (zone, style) = {
            let s = self.settings.lock().unwrap_or_else(|p| p.into_inner());
            (s.zone(), s.interval_style())
        };
        crate::sql::zone::scoped(zone, || crate::sql::interval_style::scoped(style, work))
    }

    /// Runs blocking work for the session: in its time zone, behind a
    /// panic boundary.
    pub(super) fn guarded<T>(
        &self,
        work: impl FnOnce() -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        self.in_formats(|| super::fault::guarded(&self.identity, work))
    }

    pub fn new(
        server: Arc<Server>,
        identity: Identity,
        pid: i32,
        db: Option<Arc<TenantDb>>,
        conn: SessionConn,
        settings: Settings,
        inbox: Arc<super::notify::Inbox>,
    ) -> Session {
        if let Some(db) = &db {
            db.stats.session_started();
        }
        let settings = Arc::new(Mutex::new(settings));
        if let Err(e) = super::settings_sql::register(conn.local(), settings.clone()) {
            tracing::warn!(error = %e, "current_setting()/set_config() unavailable");
        }
        let advisory = db
            .as_ref()
            .map(|db| Arc::new(super::advisory::SessionLocks::new(pid, db.advisory.clone())));
        if let Some(a) = &advisory {
            if let Err(e) = super::advisory::register(conn.local(), a.clone()) {
                tracing::warn!(error = %e, "advisory lock functions unavailable");
            }
        }
        let channels = db.as_ref().map(|db| {
            Arc::new(super::notify::SessionChannels::new(
                db.channels.clone(),
                pid,
                inbox,
            ))
        });
        if let (Some(c), SessionConn::Local(conn)) = (&channels, &conn) {
            if let Err(e) = super::notify::register(conn, c.clone()) {
                tracing::warn!(error = %e, "pg_notify unavailable");
            }
        }
        let notices = Arc::new(super::notices::Notices::default());
        if let SessionConn::Local(conn) = &conn {
            if let Err(e) = super::notices::register(conn, notices.clone(), settings.clone()) {
                tracing::warn!(error = %e, "trigger notices unavailable");
            }
        }
        let (conn, remote, interrupt) = match conn {
            SessionConn::Local(c) => {
                let interrupt = c.interrupt_handle();
                (Some(c), None, Some(interrupt))
            }
            SessionConn::Remote(r) => (None, Some(tokio::sync::Mutex::new(*r)), None),
        };
        Session {
            server,
            identity,
            pid,
            db,
            conn: Mutex::new(conn),
            remote,
            interrupt: Mutex::new(interrupt),
            released: Default::default(),
            parked_sequences: Default::default(),
            touched: Default::default(),
            database: Default::default(),
            ends: Default::default(),
            tx: Mutex::new(Tx::Idle),
            settings,
            advisory,
            cancel_reason: AtomicU8::new(CANCEL_NONE),
            cancel_wait: Notify::new(),
            prepared_sql: Default::default(),
            cursors: Default::default(),
            literal_types: Default::default(),
            notices,
            quota: std::sync::OnceLock::new(),
            channels,
        }
    }

    /// The guard role of the session's statements (the admin only reads).
    fn guard_role(&self) -> crate::backend::sqlite::guard::Role {
        match &self.identity {
            Identity::Tenant { role, .. } => crate::backend::sqlite::guard::Role::parse(role),
            Identity::Admin { .. } => crate::backend::sqlite::guard::Role::ReadOnly,
        }
    }

    pub fn is_admin(&self) -> bool {
        matches!(self.identity, Identity::Admin { .. })
    }

    pub fn tenant_db(&self) -> Option<&Arc<TenantDb>> {
        self.db.as_ref()
    }

    pub fn tx_status(&self) -> TxStatus {
        match &*self.tx.lock().unwrap_or_else(|p| p.into_inner()) {
            Tx::Idle => TxStatus::Idle,
            Tx::Active { .. } => TxStatus::InBlock,
            Tx::Failed { .. } => TxStatus::Failed,
        }
    }

    /// Called for every error a statement reports: inside a block, the block fails.
    pub fn note_error(&self) {
        let mut tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        *tx = match std::mem::take(&mut *tx) {
            Tx::Active { permit, .. } => Tx::Failed { permit },
            other => {
                // A failed statement outside a block sends nothing.
                if let Some(c) = &self.channels {
                    c.discard();
                }
                other
            }
        };
    }

    /// The domains (`CREATE DOMAIN`) among the type names `names`; none
    /// on a remote tenant.
    async fn domains(
        self: &Arc<Self>,
        names: &[String],
    ) -> Result<Vec<crate::sql::translate::Domain>, SqlError> {
        if self.tenant_db().is_none_or(|db| db.is_remote()) {
            return Ok(Vec::new());
        }
        let names = names.to_vec();
        self.with_local_conn(move |c| {
            crate::backend::sqlite::domains::read(c.sqlite(), &names)
                .map_err(|e| crate::sql::errors::from_sqlite(&e))
        })
        .await
    }

    /// Whether the tenant database has a table or view `name` (a remote
    /// tenant's answer: yes, and its server says otherwise).
    async fn table_exists(self: &Arc<Self>, name: &str) -> Result<bool, SqlError> {
        if self.tenant_db().is_none_or(|db| db.is_remote()) {
            return Ok(true);
        }
        let name = name.to_owned();
        self.with_local_conn(move |c| {
            c.sqlite()
                .query_row(
                    "SELECT EXISTS (SELECT 1 FROM main.sqlite_schema WHERE type IN ('table', 'view') \
                     AND name = ?1 COLLATE NOCASE UNION ALL SELECT 1 FROM temp.sqlite_schema \
                     WHERE type IN ('table', 'view') AND name = ?1 COLLATE NOCASE)",
                    [&name],
                    |r| r.get::<_, bool>(0),
                )
                .map_err(|e| crate::sql::errors::from_sqlite(&e))
        })
        .await
    }

    /// Queues a notice (RAISE NOTICE / WARNING / INFO ...), as
    /// client_min_messages lets through.
    pub fn raise_notice(&self, level: &str, info: pgwire::error::ErrorInfo) {
        self.notices.raise_for(level, &self.settings, info);
    }

    /// ParameterStatus messages owed to the client: settings it is told of
    /// that changed (see `Settings::changed_reports`).
    pub fn reports_due(&self) -> Vec<pgwire::messages::PgWireBackendMessage> {
        let changed = self
            .settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .changed_reports();
        changed
            .into_iter()
            .map(|(name, value)| {
                pgwire::messages::PgWireBackendMessage::ParameterStatus(
                    pgwire::messages::startup::ParameterStatus::new(name, value),
                )
            })
            .collect()
    }

    /// Before ReadyForQuery: between transactions, the last one's
    /// notifications go out and those owed to this session are returned
    /// (see `notify`). Inside a block they wait for its end.
    pub fn notifications_due(&self) -> Vec<super::notify::Notification> {
        match &self.channels {
            Some(c) if c.has_work() && self.tx_status() == TxStatus::Idle => c.settle(),
            _ => Vec::new(),
        }
    }

    /// A CancelRequest for this session arrived.
    pub fn cancel(&self) {
        self.cancel_reason.store(CANCEL_USER, Ordering::Release);
        self.interrupt_running();
        self.cancel_wait.notify_waiters();
    }

    /// The connection closed: interrupt any running statement.
    pub fn abandon(&self) {
        self.interrupt_running();
        self.cancel_wait.notify_waiters();
    }

    /// Interrupts the statement running on this session's connection (none
    /// while the connection is released: the pool's are other sessions').
    fn interrupt_running(&self) {
        if let Some(i) = &*self.interrupt.lock().unwrap_or_else(|p| p.into_inner()) {
            i.interrupt();
        }
    }

    /// The session's connection, taken back from the tenant's pool when an
    /// idle sweep released it. Taking it under the slot's lock is what keeps
    /// a sweep from releasing a connection a statement is about to use.
    async fn take_conn(self: &Arc<Self>) -> Result<Conn, SqlError> {
        self.touched.store(true, Ordering::Relaxed);
        {
            let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(conn) = slot.take() {
                return Ok(self.fitted(conn));
            }
            if !self.released.load(Ordering::Acquire) {
                return Err(SqlError::new(
                    "55006",
                    "the session's database connection is busy",
                ));
            }
        }
        let this = self.clone();
        tokio::task::spawn_blocking(move || super::idle_release::reacquire(&this))
            .await
            .map_err(|e| SqlError::internal("reopening the session's connection", e))?
            .map(|conn| self.fitted(conn))
    }

    /// `conn` set to read as the tenant's write rate advises (mmap or not).
    fn fitted(&self, mut conn: Conn) -> Conn {
        if let Some(db) = &self.db {
            db.fit_mmap(&mut conn);
        }
        conn
    }

    fn put_conn(&self, conn: Conn) {
        *self.conn.lock().unwrap_or_else(|p| p.into_inner()) = Some(conn);
    }

    /// The connection slot and interrupt handle, for `idle_release`.
    pub(super) fn conn_slot(&self) -> &Mutex<Option<Conn>> {
        &self.conn
    }

    pub(super) fn set_interrupt(&self, handle: Option<Arc<InterruptHandle>>) {
        *self.interrupt.lock().unwrap_or_else(|p| p.into_inner()) = handle;
    }

    /// Runs `f` on the session's connection on the blocking pool.
    pub async fn with_conn<T, F>(self: &Arc<Self>, f: F) -> Result<T, SqlError>
    where
        T: Send + 'static,
        F: FnOnce(&Conn) -> Result<T, SqlError> + Send + 'static,
    {
        if let Some(remote) = &self.remote {
            // Schema lookups of a remote session: the mirror, in memory.
            let mut r = self.lock_remote(remote).await;
            let mirror = r.fresh_mirror().await?;
            return self.guarded(|| f(mirror.catalog()));
        }
        self.with_local_conn(move |c| f(c)).await
    }

    /// [`Self::with_conn`] for schema lookups that may run twice. A remote
    /// session's mirror can be behind a change made through another
    /// instance: when `f` finds a table or column missing, the server's
    /// schema version is checked at once and, if it moved, `f` runs again
    /// on the reloaded mirror.
    pub async fn with_schema<T, F>(self: &Arc<Self>, f: F) -> Result<T, SqlError>
    where
        T: Send + 'static,
        F: Fn(&Conn) -> Result<T, SqlError> + Send + 'static,
    {
        let Some(remote) = &self.remote else {
            return self.with_conn(f).await;
        };
        let mut r = self.lock_remote(remote).await;
        let mirror = r.fresh_mirror().await?;
        match self.guarded(|| f(mirror.catalog())) {
            Err(e) if is_missing_object(&e) && r.schema_moved().await => {
                self.guarded(|| f(r.mirror().catalog()))
            }
            other => other,
        }
    }

    /// Runs `f` on the session's own SQLite connection on the blocking pool,
    /// mutably (server-side schema edits change its authorizer).
    pub(super) async fn with_local_conn<T, F>(self: &Arc<Self>, f: F) -> Result<T, SqlError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T, SqlError> + Send + 'static,
    {
        self.with_local_conn_releasing(None, f).await
    }

    /// [`Self::with_local_conn`] holding the writer slot `permit` for `f`
    /// only: a commit's fsync is waited for after the next writer got it.
    pub(super) async fn with_local_conn_releasing<T, F>(
        self: &Arc<Self>,
        permit: Option<OwnedSemaphorePermit>,
        f: F,
    ) -> Result<T, SqlError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Conn) -> Result<T, SqlError> + Send + 'static,
    {
        let mut conn = self.take_conn().await?;
        let this = self.clone();
        crate::metrics::global().offloaded();
        tokio::task::spawn_blocking(move || {
            let r = this.guarded(|| f(&mut conn));
            let durable = this.release_and_make_durable(&conn, permit);
            this.put_conn(conn);
            r.and_then(|v| durable.map(|()| v))
        })
        .await
        .map_err(|e| SqlError::internal("blocking task", e))?
    }

    /// After a statement or COMMIT ran on the async worker: gives the
    /// connection back, then a checkpoint it made due runs on the blocking
    /// pool, and a commit is waited for until it is on disk.
    /// `permit`, the writer slot, is given back before the fsync wait.
    async fn settle(
        self: &Arc<Self>,
        conn: Conn,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Result<(), SqlError> {
        if conn.checkpoint_due() {
            self.put_conn(conn);
            // Checkpointed while this session still holds the writer slot:
            // the next writer then finds the WAL fully copied back and
            // starts it over. Behind a writer already under way, the WAL
            // could never restart and would grow without bound (each
            // commit then paying for a checkpoint of all of it).
            return self.with_local_conn_releasing(permit, |_| Ok(())).await;
        }
        drop(permit);
        let committed = match &self.db {
            Some(db) => db.take_committed(&conn),
            None => conn.take_committed(),
        };
        self.put_conn(conn);
        match &self.db {
            Some(db) if committed => db.wait_durable_async().await,
            _ => Ok(()),
        }
    }

    /// Whether a commit of this session's database may run on the async
    /// worker: it writes the WAL without an fsync.
    fn commits_inline(&self) -> bool {
        self.db
            .as_ref()
            .is_some_and(|db| db.commits_without_fsync())
    }

    /// After work on the blocking pool: a due checkpoint runs while the
    /// writer slot `permit` is still held (see [`Self::settle`]), then the
    /// slot goes to the next writer, then a commit is waited for until it
    /// is on disk. Blocks.
    fn release_and_make_durable(
        &self,
        conn: &Conn,
        permit: Option<OwnedSemaphorePermit>,
    ) -> Result<(), SqlError> {
        conn.checkpoint_if_due();
        drop(permit);
        match &self.db {
            Some(db) => db.make_durable(conn),
            None => Ok(()),
        }
    }

    /// Statements with no parameters and no result (transaction control) on
    /// the session's database.
    pub(super) async fn batch(self: &Arc<Self>, sql: String) -> Result<(), SqlError> {
        if let Some(remote) = &self.remote {
            return self.lock_remote(remote).await.batch(&sql).await;
        }
        self.with_conn(move |c| {
            // DDL or several statements: writes of unknown size.
            c.mark_heavy();
            c.batch(&sql)
        })
        .await
    }

    /// Transaction control that touches no data (BEGIN, SAVEPOINT, RELEASE
    /// inside a block): microseconds of work, so it runs on the async
    /// worker rather than paying two thread hand-offs.
    pub(super) async fn control(self: &Arc<Self>, sql: &str) -> Result<(), SqlError> {
        if let Some(remote) = &self.remote {
            return self.lock_remote(remote).await.batch(sql).await;
        }
        let conn = self.take_conn().await?;
        let r = self.guarded(|| conn.batch(sql));
        self.put_conn(conn);
        r
    }

    /// The remote connection, its deadline set from `statement_timeout`.
    async fn lock_remote<'a>(
        &self,
        remote: &'a tokio::sync::Mutex<RemoteConn>,
    ) -> tokio::sync::MutexGuard<'a, RemoteConn> {
        let (timeout, zone, style) = {
            let s = self.settings.lock().unwrap_or_else(|p| p.into_inner());
            (s.statement_timeout, s.zone(), s.interval_style())
        };
        let mut r = remote.lock().await;
        r.set_statement_timeout(timeout);
        r.zone = zone;
        r.interval_style = style;
        r
    }

    /// A remote session's connection, locked for a multi-step operation
    /// (COPY); `None` for a local session.
    pub(crate) async fn remote_guard(&self) -> Option<tokio::sync::MutexGuard<'_, RemoteConn>> {
        match &self.remote {
            Some(remote) => Some(self.lock_remote(remote).await),
            None => None,
        }
    }

    /// Whether this session's database is on a libSQL server.
    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// Waits for the tenant's writer slot, unless a cancel arrives first.
    async fn acquire_writer(&self) -> Result<Option<OwnedSemaphorePermit>, SqlError> {
        let Some(db) = &self.db else {
            return Ok(None);
        };
        let acquire = db.writer.clone().acquire_owned();
        tokio::select! {
            p = acquire => p.map(Some).map_err(|_| SqlError::new("57P01", "the tenant is shutting down").fatal()),
            _ = self.cancel_wait.notified() => Err(self.interrupted_error()),
        }
    }

    /// A cancel or timeout that arrived between statements (a DO block's
    /// loop checks on each pass).
    pub(super) fn check_interrupted(&self) -> Result<(), SqlError> {
        match self.cancel_reason.load(Ordering::Acquire) {
            CANCEL_NONE => Ok(()),
            _ => Err(self.interrupted_error()),
        }
    }

    fn interrupted_error(&self) -> SqlError {
        if self.cancel_reason.load(Ordering::Acquire) == CANCEL_TIMEOUT {
            SqlError::statement_timeout()
        } else {
            SqlError::canceled_by_user()
        }
    }

    /// Executes one translated statement.
    pub async fn execute(
        self: &Arc<Self>,
        t: &Translation,
        params: Vec<Value>,
        format: &Format,
        fixed_types: Option<Arc<[PgType]>>,
    ) -> Result<Outcome, SqlError> {
        let started = std::time::Instant::now();
        // This session's schema change: the column types its lifted
        // literals were read as are read again (see `lifted`).
        if !matches!(
            t.kind,
            StmtKind::Query {
                tag: "SELECT" | "INSERT" | "UPDATE" | "DELETE",
                ..
            }
        ) {
            self.literal_types.clear();
        }
        let r = match self.quota.get().and_then(|s| s.runtime()) {
            None => self.execute_inner(t, params, format, fixed_types).await,
            Some(rt) => {
                self.execute_under_quota(rt, t, params, format, fixed_types)
                    .await
            }
        };
        crate::metrics::global().statement(started.elapsed());
        if let Some(db) = &self.db {
            db.stats.statement(r.is_ok());
        }
        if r.is_err() {
            self.note_error();
        } else if let Some(c) = self.channels.as_ref().filter(|c| c.has_pending()) {
            // An autocommit statement's notifications go when it commits
            // (a later failure in the same pipeline must not drop them).
            if self.tx_status() == TxStatus::Idle {
                c.commit();
            }
        }
        r
    }

    /// A tenant statement: counted against the statement rate, CREATE TABLE
    /// against the table quota, and a full disk reworded when it is the quota.
    pub(super) async fn execute_under_quota(
        self: &Arc<Self>,
        rt: &Arc<crate::tenant::limits::TenantRuntime>,
        t: &Translation,
        params: Vec<Value>,
        format: &Format,
        fixed_types: Option<Arc<[PgType]>>,
    ) -> Result<Outcome, SqlError> {
        use crate::tenant::enforce;
        let quotas = rt.quotas();
        rt.count_statement(quotas.statements_per_minute)?;
        let creates_table = match &t.kind {
            StmtKind::Query {
                tag: "CREATE TABLE",
                ..
            } => true,
            StmtKind::CreateTableAs(spec) => !spec.temporary,
            _ => false,
        };
        if creates_table && quotas.max_tables > 0 && self.tx_status() != TxStatus::Failed {
            let (limit, tenant) = (quotas.max_tables, rt.tenant.clone());
            self.with_conn(move |c| enforce::check_tables(c.sqlite(), limit, &tenant))
                .await?;
        }
        self.execute_inner(t, params, format, fixed_types)
            .await
            .map_err(|e| enforce::storage_error(e, &quotas, &rt.tenant))
    }

    pub(super) async fn execute_inner(
        self: &Arc<Self>,
        t: &Translation,
        params: Vec<Value>,
        format: &Format,
        fixed_types: Option<Arc<[PgType]>>,
    ) -> Result<Outcome, SqlError> {
        let failed = self.tx_status() == TxStatus::Failed;
        match &t.kind {
            StmtKind::Rollback => return self.end_block(false).await,
            StmtKind::Commit => return self.end_block(true).await,
            StmtKind::RollbackTo(name) => return self.rollback_to(name).await,
            _ if failed => return Err(SqlError::in_failed_transaction()),
            kind => self.refuse_in_read_only(kind)?,
        }
        match &t.kind {
            StmtKind::Query { tag, .. } => {
                let r = self
                    .run_query(t, tag, params, format, fixed_types)
                    .await
                    .map_err(|e| dropped_missing(tag, e));
                // Enum label order changed: the collations read it anew.
                if r.is_ok()
                    && self.remote.is_none()
                    && matches!(*tag, "CREATE TYPE" | "ALTER TYPE" | "DROP TYPE")
                {
                    self.with_local_conn(|c| {
                        crate::backend::sqlite::enum_order::load(c.sqlite())
                            .map_err(|e| crate::sql::errors::from_sqlite(&e))
                    })
                    .await?;
                }
                if r.is_ok() && super::grants::moves_privileges(tag) {
                    self.reload_privileges().await?;
                }
                r
            }
            StmtKind::Begin { tag, read_only } => self.begin(false, tag, *read_only).await,
            StmtKind::SetConstraints { deferred } => self.set_constraints(*deferred).await,
            StmtKind::AddConstraint {
                table,
                constraint,
                check,
            } => {
                let role = self.guard_role();
                let (table, constraint, check) = (table.clone(), constraint.clone(), check.clone());
                self.local_schema_change(
                    "ALTER TABLE ADD CONSTRAINT",
                    "ALTER TABLE",
                    Vec::new(),
                    move |c| {
                        crate::backend::sqlite::add_constraint::add_constraint(
                            c.sqlite_mut(),
                            role,
                            &table,
                            &constraint,
                            check.as_deref(),
                        )
                    },
                )
                .await
            }
            StmtKind::Truncate {
                tables,
                restart,
                cascade,
            } => {
                if self.remote.is_some() {
                    // A remote server's DELETEs, in the order named.
                    return self
                        .run_query(t, "TRUNCATE TABLE", params, format, fixed_types)
                        .await;
                }
                let permit = self.writer_for_statement().await?;
                let (tables, restart, cascade) = (tables.clone(), *restart, *cascade);
                let cascaded = self
                    .with_local_conn_releasing(permit, move |c| {
                        c.truncate(&tables, restart, cascade)
                    })
                    .await?;
                for table in cascaded {
                    self.raise_notice(
                        "notice",
                        pgwire::error::ErrorInfo::new(
                            String::new(),
                            "00000".into(),
                            format!("truncate cascades to table \"{table}\""),
                        ),
                    );
                }
                Ok(Outcome::Command(Tag::new("TRUNCATE TABLE")))
            }
            StmtKind::CreateTableAs(spec) => {
                if self.remote.is_some() {
                    // A remote server's own CREATE TABLE AS (typed by
                    // affinity, as SQLite does).
                    if spec.like.is_some() {
                        return Err(SqlError::new(
                            "0A000",
                            "CREATE TABLE (LIKE ...) is not supported on remote libSQL tenants",
                        ));
                    }
                    if spec
                        .after
                        .iter()
                        .any(|s| s.starts_with("SELECT pg_on_commit("))
                    {
                        return Err(SqlError::new(
                            "0A000",
                            "ON COMMIT DELETE ROWS / DROP is not supported on remote libSQL tenants",
                        ));
                    }
                    if !spec.after.is_empty() {
                        return Err(SqlError::new(
                            "0A000",
                            "materialized views are not supported on remote libSQL tenants",
                        ));
                    }
                    let plain = Translation {
                        sql: format!(
                            "CREATE {}TABLE {}{} AS {}",
                            if spec.temporary { "TEMP " } else { "" },
                            if spec.if_not_exists {
                                "IF NOT EXISTS "
                            } else {
                                ""
                            },
                            crate::sql::quote_ident(&spec.table),
                            spec.query.sql
                        ),
                        ..Translation::command(StmtKind::Query {
                            tag: "CREATE TABLE",
                            returns_rows: false,
                        })
                    };
                    return self
                        .run_query(&plain, "CREATE TABLE", params, format, fixed_types)
                        .await;
                }
                let permit = self.writer_for_statement().await?;
                let spec = spec.clone();
                self.with_local_conn_releasing(permit, move |c| {
                    c.mark_heavy();
                    c.create_table_as(&spec).map(|n| match n {
                        Some(_) if spec.like.is_some() => {
                            Outcome::Command(Tag::new("CREATE TABLE"))
                        }
                        Some(n) => Outcome::Command(Tag::new("SELECT").with_rows(n as usize)),
                        None => Outcome::Command(Tag::new(spec.skipped_tag)),
                    })
                })
                .await
            }
            StmtKind::EditSchema(edit) => {
                let tag = match edit {
                    SchemaEdit::RenameIndex { .. } => "ALTER INDEX",
                    _ => "ALTER TABLE",
                };
                let role = self.guard_role();
                let edit = edit.clone();
                self.local_schema_change(
                    "renaming or dropping constraints and indexes",
                    tag,
                    Vec::new(),
                    move |c| {
                        crate::backend::sqlite::schema_edit::apply(c.sqlite_mut(), role, &edit)
                    },
                )
                .await
            }
            StmtKind::DoBlock(code) => Box::pin(self.run_do_block(code)).await,
            StmtKind::Grant(grant) => self.grant(grant).await,
            StmtKind::AlterOwner(owner) => self.alter_owner(owner).await,
            StmtKind::DropSchema {
                names,
                if_exists,
                cascade,
            } => self.drop_schemas(names, *if_exists, *cascade, format).await,
            StmtKind::WithUserTypes {
                statement,
                types,
                then,
            } => {
                let domains = self.domains(types).await?;
                if domains.is_empty() {
                    Box::pin(self.execute_inner(then, params, format, fixed_types)).await
                } else {
                    let t = crate::sql::translate::with_domains(statement, &domains)?;
                    Box::pin(self.execute_inner(&t, params, format, fixed_types)).await
                }
            }
            StmtKind::DropTablesCascade { tables, then } => {
                let t = self.with_cascaded_views(tables, then).await?;
                Box::pin(self.execute_inner(&t, params, format, fixed_types)).await
            }
            StmtKind::IfTableExists { table, then } => {
                if self.table_exists(table).await? {
                    Box::pin(self.execute_inner(then, params, format, fixed_types)).await
                } else {
                    self.raise_notice(
                        "NOTICE",
                        pgwire::error::ErrorInfo::new(
                            "NOTICE".into(),
                            "00000".into(),
                            format!("relation \"{table}\" does not exist, skipping"),
                        ),
                    );
                    Ok(Outcome::Command(Tag::new("ALTER TABLE")))
                }
            }
            StmtKind::RefreshMatview { name } => {
                if self.remote.is_some() {
                    return Err(SqlError::new(
                        "0A000",
                        "REFRESH MATERIALIZED VIEW is not supported on remote libSQL tenants",
                    ));
                }
                let name = name.clone();
                self.local_schema_change(
                    "REFRESH MATERIALIZED VIEW",
                    "REFRESH MATERIALIZED VIEW",
                    Vec::new(),
                    move |c| crate::backend::sqlite::refresh::refresh(c.sqlite_mut(), &name),
                )
                .await
            }
            StmtKind::AlterColumns { table, changes } => {
                let after = match self.remote {
                    Some(_) => crate::backend::libsql::schema_change::conversions(table, changes),
                    None => Vec::new(),
                };
                let role = self.guard_role();
                let (table, changes) = (table.clone(), changes.clone());
                self.local_schema_change(
                    "ALTER TABLE ALTER COLUMN",
                    "ALTER TABLE",
                    after,
                    move |c| {
                        crate::backend::sqlite::alter_column::alter_columns(
                            c.sqlite_mut(),
                            role,
                            &table,
                            &changes,
                        )
                    },
                )
                .await
            }
            StmtKind::Savepoint(name) | StmtKind::Release(name) => {
                if self.tx_status() == TxStatus::Idle {
                    let what = if matches!(t.kind, StmtKind::Savepoint(_)) {
                        "SAVEPOINT"
                    } else {
                        "RELEASE SAVEPOINT"
                    };
                    return Err(SqlError::new(
                        "25P01",
                        format!("{what} can only be used in transaction blocks"),
                    ));
                }
                let (sql, tag) = if matches!(t.kind, StmtKind::Savepoint(_)) {
                    (
                        format!("SAVEPOINT \"{}\"", name.replace('"', "\"\"")),
                        "SAVEPOINT",
                    )
                } else {
                    (
                        format!("RELEASE \"{}\"", name.replace('"', "\"\"")),
                        "RELEASE",
                    )
                };
                self.control(&sql).await?;
                Ok(Outcome::Command(Tag::new(tag)))
            }
            StmtKind::Set { name, value, local } => {
                let in_block = self.tx_status() != TxStatus::Idle;
                let mut s = self.settings.lock().unwrap_or_else(|p| p.into_inner());
                // Outside a block SET LOCAL has no effect (PostgreSQL warns).
                if *local && !in_block {
                    drop(s);
                    self.raise_notice(
                        "warning",
                        pgwire::error::ErrorInfo::new(
                            String::new(),
                            "25P01".into(),
                            "SET LOCAL can only be used in transaction blocks".into(),
                        ),
                    );
                    return Ok(Outcome::Command(Tag::new("SET")));
                }
                if in_block {
                    s.changing_in_block(Some(name), *local);
                }
                s.set(name, value)?;
                Ok(Outcome::Command(Tag::new("SET")))
            }
            StmtKind::Reset { name } => {
                let in_block = self.tx_status() != TxStatus::Idle;
                let mut s = self.settings.lock().unwrap_or_else(|p| p.into_inner());
                if in_block {
                    s.changing_in_block(name.as_deref(), false);
                }
                s.reset(name.as_deref());
                Ok(Outcome::Command(Tag::new("RESET")))
            }
            StmtKind::SetTransaction { read_only, session } => {
                Ok(self.set_transaction(*read_only, *session))
            }
            StmtKind::Show { name } => self.show(name, format),
            StmtKind::Noop { tag: "VACUUM" } => self.vacuum().await,
            // (A lock ends with its transaction: one outside a block would
            // end at once, and PostgreSQL refuses it.)
            StmtKind::Noop { tag: "LOCK TABLE" } if self.tx_status() == TxStatus::Idle => Err(
                SqlError::new("25P01", "LOCK TABLE can only be used in transaction blocks"),
            ),
            StmtKind::Noop {
                tag: tag @ ("DISCARD ALL" | "DISCARD TEMP" | "DISCARD SEQUENCES"),
            } => self.discard(tag).await,
            StmtKind::Noop { tag } => Ok(Outcome::Command(Tag::new(tag))),
            StmtKind::Listen { channel, on } => {
                if let Some(c) = &self.channels {
                    c.listen(channel.as_deref(), *on);
                }
                Ok(Outcome::Command(Tag::new(if *on {
                    "LISTEN"
                } else {
                    "UNLISTEN"
                })))
            }
            StmtKind::Notify { channel, payload } => {
                if let Some(c) = &self.channels {
                    c.notify(channel, payload)?;
                }
                Ok(Outcome::Command(Tag::new("NOTIFY")))
            }
            StmtKind::Prepare {
                name,
                statement,
                types,
            } => {
                self.prepared_sql.prepare(name, statement, types)?;
                Ok(Outcome::Command(Tag::new("PREPARE")))
            }
            StmtKind::Execute { name, args } => {
                let bound = self.prepared_sql.bind(name, args)?;
                Box::pin(self.execute_inner(&bound, params, format, fixed_types)).await
            }
            StmtKind::Declare {
                name,
                query,
                binary,
                hold,
            } => {
                if !hold && self.tx_status() == TxStatus::Idle {
                    return Err(SqlError::new(
                        "25P01",
                        "DECLARE CURSOR can only be used in transaction blocks",
                    ));
                }
                if let Some(mut r) = self.remote_guard().await {
                    let cursor = if r.fresh_mirror().await?.runs_here(&query.sql)? {
                        super::cursors::materialize(
                            r.mirror().catalog(),
                            &query.sql,
                            &params,
                            &query.columns,
                            query.retype.as_ref(),
                            *binary,
                            *hold,
                        )?
                    } else {
                        let (columns, rows) = r.fetch_all(&query.sql, &params).await?;
                        // The mirror holds the tables' definitions.
                        let choose =
                            ResultTypes::new(columns.len(), &query.columns, query.retype.as_ref());
                        let retyped = match choose.wants_schema(|i| columns[i].decl) {
                            Some(rt) => r.mirror().catalog().retyped(rt).types,
                            None => Vec::new(),
                        };
                        super::cursors::Cursor::new(
                            columns,
                            &choose,
                            &retyped,
                            rows.into(),
                            *binary,
                            *hold,
                        )
                    };
                    self.cursors.declare(name, cursor)?;
                    return Ok(Outcome::Command(Tag::new("DECLARE CURSOR")));
                }
                let (sql, hints, binary, hold) =
                    (query.sql.clone(), query.columns.clone(), *binary, *hold);
                let retype = query.retype.clone();
                let cursor = self
                    .with_conn(move |c| {
                        super::cursors::materialize(
                            c,
                            &sql,
                            &params,
                            &hints,
                            retype.as_ref(),
                            binary,
                            hold,
                        )
                    })
                    .await?;
                self.cursors.declare(name, cursor)?;
                Ok(Outcome::Command(Tag::new("DECLARE CURSOR")))
            }
            StmtKind::Fetch {
                name,
                count,
                only_move,
            } => {
                let (mut resp, n) = self.cursors.fetch(name, *count, format, *only_move)?;
                if *only_move {
                    return Ok(Outcome::Command(Tag::new("MOVE").with_rows(n)));
                }
                resp.set_command_tag("FETCH");
                Ok(Outcome::Rows(resp))
            }
            StmtKind::CloseCursor { name } => {
                self.cursors.close(name.as_deref())?;
                Ok(Outcome::Command(Tag::new(if name.is_some() {
                    "CLOSE CURSOR"
                } else {
                    "CLOSE CURSOR ALL"
                })))
            }
            StmtKind::Deallocate { name } => {
                self.prepared_sql.deallocate(name.as_deref())?;
                Ok(Outcome::Command(Tag::new(if name.is_some() {
                    "DEALLOCATE"
                } else {
                    "DEALLOCATE ALL"
                })))
            }
            // The protocol layer runs COPY (see `server::copy`).
            StmtKind::CopyIn { .. } | StmtKind::CopyOut { .. } => Err(SqlError::new(
                "0A000",
                "COPY is not supported in this context",
            )),
            StmtKind::Rollback | StmtKind::Commit | StmtKind::RollbackTo(_) => unreachable!(),
        }
    }

    fn show(&self, name: &str, format: &Format) -> Result<Outcome, SqlError> {
        let s = self.settings.lock().unwrap_or_else(|p| p.into_inner());
        let (columns, rows): (Vec<String>, Vec<Vec<String>>) = if name == "all" {
            (
                vec!["name".into(), "setting".into(), "description".into()],
                s.all().into_iter().map(|(a, b, c)| vec![a, b, c]).collect(),
            )
        } else {
            let (col, value) = s.show(name)?;
            (vec![col], vec![vec![value]])
        };
        Ok(Outcome::Rows(text_rows(&columns, rows, format)))
    }

    /// A schema change pgtenant makes itself (one SQLite's ALTER has no form
    /// for): on a local database under the writer permit, as a heavy
    /// statement off the async workers; on a remote one as a table rebuild
    /// planned from the schema mirror (`backend::libsql::schema_change`).
    /// `remote_after` runs on a remote database after its rebuild.
    async fn local_schema_change<F>(
        self: &Arc<Self>,
        what: &str,
        tag: &'static str,
        remote_after: Vec<String>,
        f: F,
    ) -> Result<Outcome, SqlError>
    where
        F: FnOnce(&mut Conn) -> Result<(), SqlError> + Send + 'static,
    {
        if let Some(mut r) = self.remote_guard().await {
            tracing::debug!(what, "schema change rebuilt on the remote database");
            return r
                .change_schema(f, remote_after)
                .await
                .map(|()| Outcome::Command(Tag::new(tag)));
        }
        let permit = self.writer_for_statement().await?;
        self.with_local_conn_releasing(permit, move |c| {
            c.mark_heavy();
            f(c)
        })
        .await
        .map(|()| Outcome::Command(Tag::new(tag)))
    }

    /// DISCARD ALL (what connection poolers send between clients),
    /// DISCARD TEMP and DISCARD SEQUENCES: the session's TEMP tables and
    /// views go, or what currval and lastval remember; ALL does both and
    /// resets settings, prepared statements, cursors and advisory locks.
    async fn discard(self: &Arc<Self>, tag: &'static str) -> Result<Outcome, SqlError> {
        let all = tag == "DISCARD ALL";
        let sequences = all || tag == "DISCARD SEQUENCES";
        let temp = all || tag == "DISCARD TEMP";
        if all && self.tx_status() != TxStatus::Idle {
            return Err(SqlError::new(
                "25001",
                "DISCARD ALL cannot run inside a transaction block",
            ));
        }
        if all {
            self.prepared_sql.deallocate(None)?;
            self.cursors.close(None)?;
            self.settings
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .reset(None);
            if let Some(a) = &self.advisory {
                // Outside a block: the session-level locks are all there is.
                a.end_session();
            }
            if let Some(c) = &self.channels {
                c.listen(None, false);
            }
        }
        if sequences {
            *self
                .parked_sequences
                .lock()
                .unwrap_or_else(|p| p.into_inner()) = None;
        }
        if self.remote.is_none() {
            self.with_local_conn(move |c| {
                if let Some(log) = c.sequence_log().filter(|_| sequences) {
                    log.reset();
                }
                if !temp {
                    return Ok(());
                }
                crate::backend::sqlite::drop_temp_objects(c.sqlite())
                    .map_err(|e| crate::sql::errors::from_sqlite(&e))
            })
            .await?;
        }
        Ok(Outcome::Command(Tag::new(tag)))
    }

    /// BEGIN: SQLite's deferred transaction; the writer slot is taken at the first write.
    /// `read_only`: BEGIN READ ONLY (true) or READ WRITE (false); without
    /// either the block takes `default_transaction_read_only`.
    pub async fn begin(
        self: &Arc<Self>,
        implicit: bool,
        tag: &'static str,
        read_only: Option<bool>,
    ) -> Result<Outcome, SqlError> {
        if self.tx_status() != TxStatus::Idle {
            // PostgreSQL: WARNING, and the block goes on.
            return Ok(Outcome::TxStart(Tag::new(tag)));
        }
        self.control("BEGIN").await?;
        *self.tx.lock().unwrap_or_else(|p| p.into_inner()) = Tx::Active {
            permit: None,
            implicit,
        };
        let mut s = self.settings.lock().unwrap_or_else(|p| p.into_inner());
        let read_only = read_only.unwrap_or_else(|| {
            super::settings::is_on(s.get_lower("default_transaction_read_only"))
        });
        if read_only {
            s.changing_in_block(Some("transaction_read_only"), true);
            s.set("transaction_read_only", "on")?;
        }
        Ok(Outcome::TxStart(Tag::new(tag)))
    }

    /// SET TRANSACTION [READ ONLY | READ WRITE], or with `session` SET
    /// SESSION CHARACTERISTICS AS TRANSACTION ...: the block's access mode,
    /// or the session's default.
    fn set_transaction(&self, read_only: Option<bool>, session: bool) -> Outcome {
        let in_block = self.tx_status() != TxStatus::Idle;
        if !in_block && !session {
            // PostgreSQL warns, and the command changes nothing.
            self.raise_notice(
                "warning",
                pgwire::error::ErrorInfo::new(
                    String::new(),
                    "25P01".into(),
                    "SET TRANSACTION can only be used in transaction blocks".into(),
                ),
            );
            return Outcome::Command(Tag::new("SET"));
        }
        if let Some(read_only) = read_only {
            let (name, local) = if session {
                ("default_transaction_read_only", false)
            } else {
                ("transaction_read_only", true)
            };
            let mut s = self.settings.lock().unwrap_or_else(|p| p.into_inner());
            if in_block {
                s.changing_in_block(Some(name), local);
            }
            // (Both names take on / off: the set cannot fail.)
            let _ = s.set(name, if read_only { "on" } else { "off" });
        }
        Outcome::Command(Tag::new("SET"))
    }

    /// A writing statement in a read-only transaction (or, outside a
    /// block, under `default_transaction_read_only`): PostgreSQL's 25006.
    fn refuse_in_read_only(&self, kind: &StmtKind) -> Result<(), SqlError> {
        let Some(what) = kind.write_tag() else {
            return Ok(());
        };
        let name = if self.tx_status() == TxStatus::Idle {
            "default_transaction_read_only"
        } else {
            "transaction_read_only"
        };
        let s = self.settings.lock().unwrap_or_else(|p| p.into_inner());
        if super::settings::is_on(s.get_lower(name)) {
            return Err(SqlError::new(
                "25006",
                format!("cannot execute {what} in a read-only transaction"),
            ));
        }
        Ok(())
    }

    /// VACUUM: PostgreSQL's refusal inside a block; otherwise the tenant's
    /// write-ahead log is copied into its database file (a passive
    /// checkpoint, which waits for no one). Reads then come from the
    /// memory-mapped file instead of one `pread` per page from the log.
    async fn vacuum(self: &Arc<Self>) -> Result<Outcome, SqlError> {
        if self.tx_status() != TxStatus::Idle {
            return Err(SqlError::new(
                "25001",
                "VACUUM cannot run inside a transaction block",
            ));
        }
        if self.remote.is_none() {
            self.with_local_conn(|c| {
                c.checkpoint_passive();
                Ok(())
            })
            .await?;
        }
        Ok(Outcome::Command(Tag::new("VACUUM")))
    }

    /// COMMIT or ROLLBACK. COMMIT of a failed block rolls back, as in PostgreSQL.
    pub async fn end_block(self: &Arc<Self>, commit: bool) -> Result<Outcome, SqlError> {
        let state = std::mem::take(&mut *self.tx.lock().unwrap_or_else(|p| p.into_inner()));
        let (mut permit, commit) = match state {
            Tx::Idle => {
                let tag = if commit { "COMMIT" } else { "ROLLBACK" };
                return Ok(Outcome::TxEnd(Tag::new(tag)));
            }
            Tx::Active { permit, .. } => (permit, commit),
            Tx::Failed { permit } => (permit, false),
        };
        let result = if let Some(remote) = &self.remote {
            let mut r = self.lock_remote(remote).await;
            if commit {
                match r.batch("COMMIT").await {
                    Err(e) => {
                        let _ = r.batch("ROLLBACK").await;
                        Err(e)
                    }
                    ok => ok,
                }
            } else if r.is_autocommit() {
                Ok(())
            } else {
                r.batch("ROLLBACK").await
            }
        } else {
            // The writer slot goes to the next writer before the commit's
            // fsync is waited for (group commit).
            let permit = permit.take();
            let conn = self.take_conn().await?;
            if self.commits_inline() && conn.light_block() {
                // A block of short statements: its COMMIT writes a few WAL
                // pages, microseconds on the async worker.
                let r = self.guarded(|| conn.end_block(commit));
                let durable = self.settle(conn, permit).await;
                r.and(durable)
            } else {
                self.put_conn(conn);
                self.with_local_conn_releasing(permit, move |c| c.end_block(commit))
                    .await
            }
        };
        drop(permit);
        if !(commit && result.is_ok()) {
            if let Some(c) = &self.channels {
                c.discard();
            }
        }
        self.cursors.end_transaction(commit && result.is_ok());
        self.settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .end_transaction(commit && result.is_ok());
        if let Some(a) = &self.advisory {
            a.end_transaction();
        }
        result?;
        Ok(Outcome::TxEnd(Tag::new(if commit {
            "COMMIT"
        } else {
            "ROLLBACK"
        })))
    }

    async fn rollback_to(self: &Arc<Self>, name: &str) -> Result<Outcome, SqlError> {
        if self.tx_status() == TxStatus::Idle {
            return Err(SqlError::new(
                "25P01",
                "ROLLBACK TO SAVEPOINT can only be used in transaction blocks",
            ));
        }
        let sql = format!("ROLLBACK TO \"{}\"", name.replace('"', "\"\""));
        self.batch(sql).await?;
        // Rolling back to a savepoint un-fails the block.
        let mut tx = self.tx.lock().unwrap_or_else(|p| p.into_inner());
        *tx = match std::mem::take(&mut *tx) {
            Tx::Failed { permit } => Tx::Active {
                permit,
                implicit: false,
            },
            other => other,
        };
        Ok(Outcome::Command(Tag::new("ROLLBACK")))
    }

    /// SET CONSTRAINTS (see `Conn::set_constraints`). Outside a block it
    /// changes nothing: PostgreSQL's WARNING 25P01. A remote tenant's
    /// server checks foreign keys per statement anyway.
    async fn set_constraints(self: &Arc<Self>, deferred: bool) -> Result<Outcome, SqlError> {
        if self.tx_status() == TxStatus::Idle {
            self.raise_notice(
                "warning",
                pgwire::error::ErrorInfo::new(
                    String::new(),
                    "25P01".into(),
                    "SET CONSTRAINTS can only be used in transaction blocks".into(),
                ),
            );
        } else if self.remote.is_none() {
            self.with_local_conn(move |c| c.set_constraints(deferred))
                .await?;
        }
        Ok(Outcome::Command(Tag::new("SET CONSTRAINTS")))
    }

    /// Whether the implicit block of a multi-statement query is open.
    pub fn in_implicit_block(&self) -> bool {
        matches!(
            &*self.tx.lock().unwrap_or_else(|p| p.into_inner()),
            Tx::Active { implicit: true, .. }
        )
    }

    /// Takes the writer slot for a statement that writes. In a block the slot
    /// is kept until the block ends; otherwise it is returned for the
    /// statement to hold.
    pub(crate) async fn writer_for_statement(
        &self,
    ) -> Result<Option<OwnedSemaphorePermit>, SqlError> {
        let needs_block_permit = matches!(
            &*self.tx.lock().unwrap_or_else(|p| p.into_inner()),
            Tx::Active { permit: None, .. }
        );
        let in_block = self.tx_status() != TxStatus::Idle;
        if in_block {
            if needs_block_permit {
                let p = self.acquire_writer().await?;
                if let Tx::Active { permit, .. } =
                    &mut *self.tx.lock().unwrap_or_else(|p| p.into_inner())
                {
                    *permit = p;
                }
            }
            Ok(None)
        } else {
            self.acquire_writer().await
        }
    }

    async fn run_query(
        self: &Arc<Self>,
        t: &Translation,
        tag: &'static str,
        params: Vec<Value>,
        format: &Format,
        fixed_types: Option<Arc<[PgType]>>,
    ) -> Result<Outcome, SqlError> {
        self.cancel_reason.store(CANCEL_NONE, Ordering::Release);
        let reads_only = tag == "SELECT" && t.reads_only();
        let permit = if reads_only {
            None
        } else {
            self.writer_for_statement().await?
        };
        let timeout = self
            .settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .statement_timeout;
        if let Some(remote) = &self.remote {
            if matches!(tag, "CREATE TYPE" | "ALTER TYPE" | "DROP TYPE")
                // The labels' table (a DROP COLUMN's `DROP TRIGGER IF
                // EXISTS "pgcat__enum_..."` of label triggers is harmless).
                || t.sql.contains("main.pgcat__enum")
            {
                return Err(SqlError::new(
                    "0A000",
                    "enum types are not supported on remote libSQL tenants",
                ));
            }
            if t.sql.contains("pgcat__matview") {
                return Err(SqlError::new(
                    "0A000",
                    "materialized views are not supported on remote libSQL tenants",
                ));
            }
            // A trigger would call pgtenant's functions (to_tsvector,
            // pg_raise, ...), which the server lacks: every later write of
            // the table would fail there.
            if matches!(
                tag,
                "CREATE TRIGGER" | "DROP TRIGGER" | "CREATE FUNCTION" | "DROP FUNCTION"
            ) {
                return Err(SqlError::new(
                    "0A000",
                    "functions and triggers are not supported on remote libSQL tenants",
                ));
            }
            if tag == "MERGE" {
                return Err(SqlError::new(
                    "0A000",
                    "MERGE is not supported on remote libSQL tenants",
                ));
            }
            if t.sql.contains("main.pgcat__schema") {
                return Err(SqlError::new(
                    "0A000",
                    "schemas other than public are not supported on remote libSQL tenants",
                ));
            }
            if matches!(tag, "CREATE DOMAIN" | "DROP DOMAIN") {
                return Err(SqlError::new(
                    "0A000",
                    "domains are not supported on remote libSQL tenants",
                ));
            }
            if !t.steps.is_empty() {
                return Err(SqlError::new(
                    "0A000",
                    "a data-modifying statement in WITH is not supported on remote libSQL tenants",
                ));
            }
            let r = self
                .run_remote(remote, t, tag, params, format, fixed_types)
                .await;
            drop(permit);
            return r;
        }
        // Reads first try the async worker under an instruction budget: most
        // are point queries finishing in microseconds, and a thread hand-off
        // would cost more than the query.
        if permit.is_none() && reads_only {
            let conn = self.take_conn().await?;
            let mut sink = MemSink::new(format);
            let run = inline_run(t, &params, format, fixed_types.as_deref());
            let done = self.in_formats(|| conn.run_inline(&run, &mut sink));
            // A read that committed something (a function with effects)
            // waits for the fsync.
            self.settle(conn, None).await?;
            if let Some(result) = done {
                return complete_outcome(tag, sink.schema, sink.rows, result);
            }
        }
        // A write seen to stay within the inline budget runs here too:
        // holding the tenant's writer slot, it is the next writer's wait.
        let write = matches!(tag, "INSERT" | "UPDATE" | "DELETE");
        let conn = self.take_conn().await?;
        if write
            && t.steps.is_empty()
            && conn.short_write(&t.sql)
            && (!conn.is_autocommit() || self.commits_inline())
        {
            let mut sink = MemSink::new(format);
            let run = inline_run(t, &params, format, fixed_types.as_deref());
            let result = self.guarded(|| conn.run_write(&run, &mut sink, timeout));
            self.settle(conn, permit).await?;
            return complete_outcome(tag, sink.schema, sink.rows, result);
        }
        let (tx, mut rx) = mpsc::channel::<Event>(4);
        let this = self.clone();
        let sql: Arc<str> = Arc::from(t.sql.as_str());
        let hints = t.columns.clone();
        let retype = t.retype.clone();
        let scales = t.scales.clone();
        let steps = t.steps.clone();
        let format_owned = format.clone();
        // The timer holds no strong reference: an abandoned session must not
        // live until its timeout fires.
        let timer = TimerGuard(timeout.map(|d| {
            let this = Arc::downgrade(self);
            tokio::spawn(async move {
                tokio::time::sleep(d).await;
                if let Some(this) = this.upgrade() {
                    this.cancel_reason.store(CANCEL_TIMEOUT, Ordering::Release);
                    this.interrupt_running();
                    this.cancel_wait.notify_waiters();
                }
            })
        }));
        let span = tracing::Span::current();
        crate::metrics::global().offloaded();
        tokio::task::spawn_blocking(move || {
            let _span = span.enter();
            let mut sink = ChannelSink {
                tx,
                format: format_owned.clone(),
                schema: None,
                held: Vec::new(),
            };
            let run = Run {
                sql: &sql,
                params: &params,
                types: match &fixed_types {
                    Some(t) => Types::Fixed(t, retype.as_ref()),
                    None => Types::Infer(&hints, retype.as_ref()),
                },
                scales: &scales,
                format: &format_owned,
            };
            let result = this.guarded(|| {
                if !steps.is_empty() {
                    conn.mark_heavy();
                    conn.run_with_steps(&steps, &run, &mut sink)
                } else if write {
                    conn.run_write(&run, &mut sink, None)
                } else {
                    conn.run(&run, &mut sink)
                }
            });
            let durable = this.release_and_make_durable(&conn, permit);
            this.put_conn(conn);
            let result = result.and_then(|f| durable.map(|()| f));
            let result = match result {
                Err(e) if e.code == "57014" => Err(this.interrupted_error()),
                other => other,
            };
            let _ = sink.tx.blocking_send(Event::End {
                schema: sink.schema.take(),
                rows: std::mem::take(&mut sink.held),
                result,
            });
        });

        let first = rx.recv().await;

        match first {
            // A small result, or none: everything arrived at once.
            Some(Event::End {
                schema,
                rows,
                result,
            }) => {
                drop(timer);
                complete_outcome(tag, schema, rows, result)
            }
            // A big result: stream batches as they come.
            Some(Event::Schema(fields)) => {
                let session = self.clone();
                let stream = stream::unfold(
                    (rx, Vec::<DataRow>::new().into_iter(), timer, session, false),
                    |(mut rx, mut pending, timer, session, done)| async move {
                        loop {
                            if let Some(row) = pending.next() {
                                return Some((Ok(row), (rx, pending, timer, session, done)));
                            }
                            if done {
                                return None;
                            }
                            match rx.recv().await {
                                Some(Event::Rows(batch)) => pending = batch.into_iter(),
                                Some(Event::End { rows, result, .. }) => {
                                    drop(timer);
                                    let timer = TimerGuard(None);
                                    pending = rows.into_iter();
                                    if let Err(e) = result {
                                        session.note_error();
                                        // Rows sent before the error stay sent, as in PostgreSQL.
                                        return Some((
                                            Err(e.into()),
                                            (rx, pending, timer, session, true),
                                        ));
                                    }
                                    let row = pending.next()?;
                                    return Some((Ok(row), (rx, pending, timer, session, true)));
                                }
                                Some(Event::Schema(_)) => {}
                                None => return None,
                            }
                        }
                    },
                );
                let mut resp = QueryResponse::new(fields, stream);
                resp.set_command_tag(rows_tag(tag));
                Ok(Outcome::Rows(resp))
            }
            _ => {
                drop(timer);
                Err(SqlError::internal(
                    "statement",
                    "execution ended without a result",
                ))
            }
        }
    }

    /// A statement of a remote session: on the schema mirror when it reads
    /// none of the tenant's tables (catalog views, settings), otherwise on
    /// the server. The remote client reads a whole result per request, so
    /// the rows are collected before they are sent. A cancel drops the
    /// request in flight; the deadline is the remote connection's.
    async fn run_remote(
        self: &Arc<Self>,
        remote: &tokio::sync::Mutex<RemoteConn>,
        t: &Translation,
        tag: &'static str,
        params: Vec<Value>,
        format: &Format,
        fixed_types: Option<Arc<[PgType]>>,
    ) -> Result<Outcome, SqlError> {
        let mut r = self.lock_remote(remote).await;
        let mut sink = MemSink {
            format,
            schema: None,
            rows: Vec::new(),
        };
        let run = Run {
            sql: &t.sql,
            params: &params,
            types: match &fixed_types {
                Some(ft) => Types::Fixed(ft, t.retype.as_ref()),
                None => Types::Infer(&t.columns, t.retype.as_ref()),
            },
            scales: &t.scales,
            format,
        };
        let mirror = r.fresh_mirror().await?;
        if mirror.runs_here(&t.sql)? {
            let conn = mirror.catalog();
            let result = self.guarded(|| conn.run(&run, &mut sink));
            return complete_outcome(tag, sink.schema, sink.rows, result);
        }
        let done = {
            let work = r.run(&run, &mut sink);
            tokio::select! {
                res = work => Some(res),
                _ = self.cancel_wait.notified() => None,
            }
        };
        let result = match done {
            Some(res) => res,
            None => {
                r.abandon();
                Err(self.interrupted_error())
            }
        };
        complete_outcome(tag, sink.schema, sink.rows, result)
    }

    /// Binds: resolves parameter hints that name columns against the live schema.
    pub async fn column_types(
        self: &Arc<Self>,
        lookups: Vec<(usize, ParamHint)>,
    ) -> Result<Vec<(usize, Option<PgType>)>, SqlError> {
        if lookups.is_empty() {
            return Ok(Vec::new());
        }
        self.read_schema(move |c: &Conn| {
            Ok(lookups
                .iter()
                .map(|(i, hint)| {
                    let ty = match hint {
                        ParamHint::Column { table, column } => c.column_type(table, column),
                        ParamHint::Position { table, index } => c.column_type_at(table, *index),
                        ParamHint::Routine { name, nargs, index } => {
                            c.routine_argument_type(name, *nargs, *index)
                        }
                        ParamHint::Type(t) => Some(*t),
                        ParamHint::Unknown => None,
                    };
                    (*i, ty)
                })
                .collect())
        })
        .await
    }

    /// Runs a schema lookup. Inside a block that has not written yet,
    /// reading the schema on the session's connection would pin a read
    /// snapshot, and the block's first write could then fail with a
    /// serialization error: it runs on another connection then. A block
    /// that wrote holds the database and reads on its own connection, which
    /// sees the tables it made (and its temporary tables).
    pub async fn read_schema<T, F>(self: &Arc<Self>, lookup: F) -> Result<T, SqlError>
    where
        T: Send + 'static,
        F: Fn(&Conn) -> Result<T, SqlError> + Send + 'static,
    {
        let unwritten_block = self.remote.is_none()
            && match &*self.tx.lock().unwrap_or_else(|p| p.into_inner()) {
                Tx::Idle => false,
                Tx::Active { permit, .. } | Tx::Failed { permit } => permit.is_none(),
            };
        if let (true, Some(db)) = (unwritten_block, self.db.clone()) {
            return tokio::task::spawn_blocking(move || {
                let conn = db.checkout()?;
                let r = lookup(&conn);
                db.checkin(conn);
                r
            })
            .await
            .map_err(|e| SqlError::internal("schema lookup", e))?;
        }
        self.with_schema(lookup).await
    }
}

/// A result set of text values built in memory (SHOW, admin functions).
pub fn text_rows(columns: &[String], rows: Vec<Vec<String>>, format: &Format) -> QueryResponse {
    let infos: Vec<ColumnInfo> = columns
        .iter()
        .map(|c| ColumnInfo {
            name: c.clone(),
            decl: None,
        })
        .collect();
    let types = vec![PgType::Text; columns.len()];
    let fields = Arc::new(field_infos(&infos, &types, format));
    let n = columns.len() as i16;
    let data: Vec<_> = rows
        .into_iter()
        .map(|r| {
            let mut buf = bytes::BytesMut::new();
            for v in r {
                let _ = crate::sql::encode::encode_field(
                    &mut buf,
                    rusqlite::types::ValueRef::Text(v.as_bytes()),
                    PgType::Text,
                    false,
                );
            }
            Ok(DataRow::new(buf, n))
        })
        .collect();
    QueryResponse::new(fields, stream::iter(data))
}

impl Drop for Session {
    fn drop(&mut self) {
        let conn = self.conn.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(db) = &self.db {
            db.stats.session_ended();
        }
        if let Some(a) = &self.advisory {
            a.end_session();
        }
        if let (Some(conn), Some(db)) = (conn, &self.db) {
            // An open block is rolled back when the connection closes; only
            // clean connections go back to the pool. One holding this
            // session's TEMP tables closes, so they end with the session.
            if !super::idle_release::has_temp_objects(&conn) {
                db.checkin(conn);
            }
        }
        self.server.sessions.remove(self.pid);
    }
}

/// DROP TABLE / VIEW / INDEX / SEQUENCE of a missing object: PostgreSQL
/// names its kind (`table "t" does not exist`), not a relation.
fn dropped_missing(tag: &str, e: SqlError) -> SqlError {
    let noun = match tag {
        "DROP TABLE" => "table",
        "DROP VIEW" => "view",
        "DROP INDEX" => "index",
        "DROP SEQUENCE" => "sequence",
        _ => return e,
    };
    match e.message.strip_prefix("relation ") {
        Some(rest) if e.code == "42P01" => SqlError {
            message: format!("{noun} {rest}"),
            ..e
        },
        _ => e,
    }
}
