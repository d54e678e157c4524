//! One session's connection to a remote libSQL database.
//!
//! The libsql client keeps one Hrana stream per connection: a statement in
//! autocommit mode closes it in the same request, while a `BEGIN` keeps it
//! (and its baton) open until `COMMIT`/`ROLLBACK`, so a transaction spans
//! requests on the server's side. Every remote call has a deadline: a
//! remote that is down gives 08006 at once, one that does not answer gives
//! 57014 when the deadline passes. After either, the connection is replaced
//! by a fresh one on the next statement; a transaction it held is lost, so
//! the session then sees a failed transaction until it rolls back. A request
//! given up on (deadline, cancel) still completes on its own task, which then
//! closes its stream, so the server rolls that transaction back at once (see
//! [`RemoteConn::request`]).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use bytes::BytesMut;
use pgwire::messages::data::DataRow;
use tokio::time::{timeout_at, Instant};

use super::errors::{from_libsql, is_stream_expired};
use super::mirror::{
    changes_schema, SchemaEntry, SchemaMirror, COMMENTS, COMMENTS_SQL, SCHEMA_SQL,
};
use super::schema_watch::{is_missing_object, SchemaWatch, VERSION_SQL};
use super::values::{as_value_ref, from_remote, to_remote};
use crate::backend::engine::Engine;
use crate::backend::sqlite::exec::{ColumnInfo, Conn, Described, Finished, RowSink, Run, Types};
use crate::backend::sqlite::guard::Role;
use crate::sql::encode::{encode_field, encode_numeric_scaled, type_of_value};
use crate::sql::errors::SqlError;
use crate::sql::pgtype::PgType;
use crate::sql::translate::{ResultTypes, Retyped};

/// Rows per DataRow batch handed to the sink (as the local engine does).
const BATCH_ROWS: usize = 256;

/// How long a request nobody waits for any more may take before it is
/// dropped too (the connection then closes, and the server expires the
/// stream): a server that never answers does not keep a task forever.
const ABANDONED_LIMIT: Duration = Duration::from_secs(60);

/// Where a remote database is and how long to wait for it.
#[derive(Debug, Clone)]
pub struct RemoteConfig {
    /// `http://`, `https://` or `libsql://` base URL of the server.
    pub url: String,
    pub auth_token: String,
    /// The database on a multi-tenant sqld (sent as `x-namespace`); `None`
    /// when the URL already names it (Turso: one hostname per database).
    pub namespace: Option<String>,
    /// Deadline of one statement, rows included.
    pub timeout: Duration,
}

pub struct RemoteConn {
    cfg: RemoteConfig,
    /// This statement's deadline: the config's, or a smaller
    /// `statement_timeout` of the session.
    timeout: Duration,
    db: Arc<libsql::Database>,
    conn: Option<libsql::Connection>,
    mirror: SchemaMirror,
    /// A transaction was open when the connection was lost.
    tx_lost: bool,
    /// Bumped when a deployment changes the schema (the registry's), and
    /// the value the mirror was loaded after.
    schema_generation: Option<Arc<AtomicU64>>,
    seen_generation: u64,
    /// The server's schema version the mirror holds, checked now and then
    /// for changes made elsewhere (another instance's deployment).
    watch: SchemaWatch,
    /// The last failure was an idle stream expired by the server.
    expired: bool,
    changes: u64,
    last_insert_rowid: i64,
    /// The session's time zone, for the rows this connection encodes.
    pub zone: crate::sql::zone::SessionZone,
    /// The session's IntervalStyle, likewise.
    pub interval_style: crate::sql::interval_style::IntervalStyle,
}

/// Why a remote call did not give a result.
enum Failure {
    Timeout,
    Remote(libsql::Error),
}

impl RemoteConn {
    /// The client for one remote database: sessions of one environment
    /// should share it (one HTTP connection pool), see [`Self::open_on`].
    pub async fn database(cfg: &RemoteConfig) -> Result<Arc<libsql::Database>, SqlError> {
        let mut b = libsql::Builder::new_remote(cfg.url.clone(), cfg.auth_token.clone());
        if let Some(ns) = &cfg.namespace {
            b = b.namespace(ns.clone());
        }
        Ok(Arc::new(b.build().await.map_err(|e| from_libsql(&e))?))
    }

    /// Opens a session's connection with its own client.
    pub async fn open(cfg: RemoteConfig) -> Result<RemoteConn, SqlError> {
        let db = Self::database(&cfg).await?;
        Self::open_on(db, cfg, Role::Owner).await
    }

    /// Opens a session's connection on a shared client and loads the schema
    /// mirror, which also proves the remote reachable (08006 or 57014 if not).
    pub async fn open_on(
        db: Arc<libsql::Database>,
        cfg: RemoteConfig,
        role: Role,
    ) -> Result<RemoteConn, SqlError> {
        let mut c = RemoteConn {
            timeout: cfg.timeout,
            cfg,
            db,
            conn: None,
            mirror: SchemaMirror::new(role)?,
            tx_lost: false,
            schema_generation: None,
            seen_generation: 0,
            watch: SchemaWatch::default(),
            expired: false,
            changes: 0,
            last_insert_rowid: 0,
            zone: Default::default(),
            interval_style: Default::default(),
        };
        let deadline = c.deadline();
        c.refresh_mirror(deadline).await?;
        Ok(c)
    }

    fn deadline(&self) -> Instant {
        Instant::now() + self.timeout
    }

    /// The next statements' deadline: `limit` if below the configured one.
    pub fn set_statement_timeout(&mut self, limit: Option<Duration>) {
        self.timeout = limit.map_or(self.cfg.timeout, |l| l.min(self.cfg.timeout));
    }

    /// Follows `generation` (see `TenantDb::schema_changed`); `seen` is its
    /// value from before the mirror was loaded.
    pub fn watch_schema(&mut self, generation: Arc<AtomicU64>, seen: u64) {
        self.schema_generation = Some(generation);
        self.seen_generation = seen;
    }

    /// Whether the mirror must be reloaded: this session's DDL, or a
    /// deployment since it was loaded.
    fn mirror_stale(&mut self) -> bool {
        if let Some(g) = &self.schema_generation {
            let now = g.load(Ordering::Relaxed);
            if now != self.seen_generation {
                self.seen_generation = now;
                self.mirror.mark_stale();
            }
        }
        self.mirror.is_stale()
    }

    /// The schema mirror, reloaded first if it is stale.
    pub async fn fresh_mirror(&mut self) -> Result<&mut SchemaMirror, SqlError> {
        let deadline = self.deadline();
        self.ensure_fresh(deadline).await?;
        Ok(&mut self.mirror)
    }

    /// Reloads the mirror if it is stale: this session's DDL, a deployment
    /// through this instance, or (asked at most every
    /// [`super::schema_watch::CHECK_INTERVAL`]) a schema version on the
    /// server other than the mirror's: a change made elsewhere.
    async fn ensure_fresh(&mut self, deadline: Instant) -> Result<(), SqlError> {
        if !self.mirror_stale() && self.watch.due() {
            self.check_version(deadline).await?;
        }
        if self.mirror.is_stale() {
            self.refresh_mirror(deadline).await?;
        }
        Ok(())
    }

    /// Asks the server for its schema version; marks the mirror stale if it
    /// is not the mirror's.
    async fn check_version(&mut self, deadline: Instant) -> Result<(), SqlError> {
        let rows = self.read_rows(VERSION_SQL, deadline).await?;
        let version = rows.first().and_then(|r| match r.first() {
            Some(libsql::Value::Integer(v)) => Some(*v),
            _ => None,
        });
        if version.is_some_and(|v| self.watch.changed(v)) {
            self.mirror.mark_stale();
        }
        Ok(())
    }

    /// A schema change pgtenant makes itself (see [`super::schema_change`]):
    /// `edit` runs on a copy of the mirror and the difference is rebuilt on
    /// the server, in the session's transaction (a savepoint) or in one of
    /// its own; all or nothing either way.
    /// `after` runs once the tables are rebuilt (row conversions).
    pub async fn change_schema(
        &mut self,
        edit: impl FnOnce(&mut Conn) -> Result<(), SqlError>,
        after: Vec<String>,
    ) -> Result<(), SqlError> {
        let deadline = self.deadline();
        self.ensure_fresh(deadline).await?;
        let mut steps = super::schema_change::rebuild_statements(&self.mirror, edit)?;
        if steps.is_empty() && after.is_empty() {
            return Ok(());
        }
        steps.extend(after);
        let autocommit = self.is_autocommit();
        let (open, close, undo) = if autocommit {
            ("BEGIN IMMEDIATE", "COMMIT", "ROLLBACK")
        } else {
            (
                "SAVEPOINT pgtenant_schema_change",
                "RELEASE pgtenant_schema_change",
                "ROLLBACK TO pgtenant_schema_change; RELEASE pgtenant_schema_change",
            )
        };
        let mut all = vec![open, "PRAGMA defer_foreign_keys = ON"];
        all.extend(steps.iter().map(String::as_str));
        all.push(close);
        self.mirror.mark_stale();
        let mut r = Ok(());
        for sql in all {
            r = self.execute_one(sql, deadline).await;
            if r.is_err() {
                break;
            }
        }
        if r.is_err() && !self.tx_lost && self.conn.is_some() {
            for sql in undo.split("; ") {
                let _ = self.execute_one(sql, deadline).await;
            }
        }
        r
    }

    /// One statement on the session's stream, sent alone (the client sends
    /// a lone statement as written rather than re-printing it).
    async fn execute_one(&mut self, sql: &str, deadline: Instant) -> Result<(), SqlError> {
        let sql = super::portable::portable(sql).into_owned();
        let conn = self.connection()?;
        Self::request(deadline, &conn, move |c| async move {
            c.execute(&sql, ()).await
        })
        .await
        .map(|_| ())
        .map_err(|f| self.fail(f))
    }

    /// After an error naming a missing table or column: checks the server's
    /// schema version at once and reloads the mirror if it moved (a change
    /// made elsewhere), so the statement can be planned again. False when
    /// nothing changed or the server did not answer (the error stands).
    pub async fn schema_moved(&mut self) -> bool {
        let deadline = self.deadline();
        if self.mirror_stale() || self.check_version(deadline).await.is_err() {
            return false;
        }
        self.mirror.is_stale() && self.refresh_mirror(deadline).await.is_ok()
    }

    /// A statement was abandoned mid-flight (cancel): its stream may hold a
    /// half-read response, so the connection is replaced (the request's own
    /// task closes the stream when the answer comes); a transaction it held
    /// is lost.
    pub fn abandon(&mut self) {
        if let Some(c) = self.conn.take() {
            self.tx_lost |= !c.is_autocommit();
        }
        self.mirror.mark_stale();
    }

    fn connection(&mut self) -> Result<libsql::Connection, SqlError> {
        if let Some(c) = &self.conn {
            return Ok(c.clone());
        }
        let c = self.db.connect().map_err(|e| from_libsql(&e))?;
        self.conn = Some(c.clone());
        Ok(c)
    }

    /// Turns a failure into the client's error; a lost connection is dropped
    /// (the client closes its stream) and replaced on the next statement.
    fn fail(&mut self, f: Failure) -> SqlError {
        self.expired = matches!(&f, Failure::Remote(e) if is_stream_expired(e));
        let lost = match &f {
            Failure::Timeout => true,
            Failure::Remote(e) => from_libsql(e).code == "08006",
        };
        if lost {
            if let Some(c) = self.conn.take() {
                self.tx_lost |= !c.is_autocommit();
            }
            self.mirror.mark_stale();
        }
        match f {
            Failure::Timeout => SqlError::statement_timeout().with_detail(format!(
                "the remote database did not answer within {} ms",
                self.timeout.as_millis()
            )),
            Failure::Remote(e) => from_libsql(&e),
        }
    }

    /// Sends one request on the session's stream and waits for the answer
    /// until `deadline`. The request runs on a task of its own holding a
    /// clone of the connection, so a request the session stops waiting for
    /// (deadline, cancel) still completes: the answer carries the stream's
    /// next baton, and the task's clone, the last once the session dropped
    /// the connection, closes the stream with it. The server then rolls back
    /// the transaction the stream held and frees its write lock at once; a
    /// close sent with the baton from before the request would be refused
    /// (reused), and the lock kept until the idle stream expires.
    async fn request<T, Fut>(
        deadline: Instant,
        conn: &libsql::Connection,
        send: impl FnOnce(libsql::Connection) -> Fut,
    ) -> Result<T, Failure>
    where
        T: Send + 'static,
        Fut: std::future::Future<Output = libsql::Result<T>> + Send + 'static,
    {
        let task = tokio::spawn(tokio::time::timeout(ABANDONED_LIMIT, send(conn.clone())));
        match timeout_at(deadline, task).await {
            Err(_) | Ok(Ok(Err(_))) => Err(Failure::Timeout),
            Ok(Ok(Ok(r))) => r.map_err(Failure::Remote),
            Ok(Err(e)) => Err(Failure::Remote(libsql::Error::ConnectionFailed(format!(
                "the request did not complete: {e}"
            )))),
        }
    }

    async fn timed<T>(
        deadline: Instant,
        f: impl std::future::Future<Output = libsql::Result<T>>,
    ) -> Result<T, Failure> {
        match timeout_at(deadline, f).await {
            Err(_) => Err(Failure::Timeout),
            Ok(Err(e)) => Err(Failure::Remote(e)),
            Ok(Ok(v)) => Ok(v),
        }
    }

    /// Reloads the mirror from the remote schema (on the session's stream,
    /// so uncommitted DDL of its own transaction is seen).
    async fn refresh_mirror(&mut self, deadline: Instant) -> Result<(), SqlError> {
        let rows = self.read_rows(SCHEMA_SQL, deadline).await?;
        let mut version = None;
        let mut entries = Vec::with_capacity(rows.len());
        for mut row in rows {
            let mut text = |i: usize| match std::mem::replace(&mut row[i], libsql::Value::Null) {
                libsql::Value::Text(s) => Some(s),
                _ => None,
            };
            let (kind, name, sql) = (text(0), text(1), text(2));
            if let Some(libsql::Value::Integer(v)) = row.get(3) {
                version = Some(*v);
            }
            // The empty schema's one row has no entry.
            if let Some(kind) = kind {
                entries.push(SchemaEntry {
                    kind,
                    name: name.unwrap_or_default(),
                    sql: sql.unwrap_or_default(),
                });
            }
        }
        self.mirror.load(&entries)?;
        // COMMENT ON texts: one more read, only where a comment was made.
        let mut comments = Vec::new();
        if entries
            .iter()
            .any(|e| e.name.eq_ignore_ascii_case(COMMENTS))
        {
            for row in self.read_rows(COMMENTS_SQL, deadline).await? {
                let text = |v: &libsql::Value| match v {
                    libsql::Value::Text(s) => s.clone(),
                    _ => String::new(),
                };
                if let [kind, obj, sub, description] = row.as_slice() {
                    comments.push([text(kind), text(obj), text(sub), text(description)]);
                }
            }
        }
        self.mirror.load_comments(&comments)?;
        self.watch.loaded(version);
        Ok(())
    }

    /// Runs one of pgtenant's own reads (schema, version) on the session's
    /// stream and returns its rows. Outside a transaction, a stream the
    /// server expired while idle is replaced and the read runs once more.
    async fn read_rows(
        &mut self,
        sql: &'static str,
        deadline: Instant,
    ) -> Result<Vec<Vec<libsql::Value>>, SqlError> {
        let autocommit = self.is_autocommit();
        let mut r = self.try_read_rows(sql, deadline).await?;
        if autocommit && matches!(&r, Err(Failure::Remote(e)) if is_stream_expired(e)) {
            self.conn = None;
            r = self.try_read_rows(sql, deadline).await?;
        }
        r.map_err(|f| self.fail(f))
    }

    async fn try_read_rows(
        &mut self,
        sql: &'static str,
        deadline: Instant,
    ) -> Result<Result<Vec<Vec<libsql::Value>>, Failure>, SqlError> {
        let conn = self.connection()?;
        Ok(async {
            let mut rows =
                Self::request(
                    deadline,
                    &conn,
                    move |c| async move { c.query(sql, ()).await },
                )
                .await?;
            let n = rows.column_count().max(0);
            let mut out = Vec::new();
            while let Some(row) = Self::timed(deadline, rows.next()).await? {
                out.push(
                    (0..n)
                        .map(|i| row.get_value(i).unwrap_or(libsql::Value::Null))
                        .collect(),
                );
            }
            Ok(out)
        }
        .await)
    }

    /// The mirror, for catalog queries of this tenant.
    pub fn mirror(&self) -> &SchemaMirror {
        &self.mirror
    }

    /// A function the server lacks but the local engine has was put there by
    /// the translation (`x::int` → `pg_to_int4(x)`), not by the client: say
    /// so instead of "function does not exist".
    fn local_only_function(&self, e: SqlError) -> SqlError {
        let name = (e.code == "42883")
            .then(|| e.message.strip_prefix("function "))
            .flatten()
            .and_then(|m| m.strip_suffix(" does not exist"));
        match name {
            Some(n) if self.mirror.has_function(n) => SqlError::new(
                "0A000",
                format!(
                    "this statement needs pgtenant's SQL function {n}(), which remote libSQL databases do not provide"
                ),
            )
            .with_detail("It comes from the translation of a PostgreSQL cast, operator or function."),
            _ => e,
        }
    }

    /// Answers statements while a lost transaction waits for its ROLLBACK.
    fn lost_transaction(&mut self, sql: &str) -> Option<Result<Finished, SqlError>> {
        if !self.tx_lost {
            return None;
        }
        let word = sql.trim_start().get(..8).unwrap_or("");
        if word.eq_ignore_ascii_case("ROLLBACK") {
            self.tx_lost = false;
            return Some(Ok(Finished::Changed(0)));
        }
        Some(Err(SqlError::in_failed_transaction()))
    }

    async fn run_remote(
        &mut self,
        run: &Run<'_>,
        sink: &mut (dyn RowSink + Send),
        deadline: Instant,
    ) -> Result<Finished, SqlError> {
        self.ensure_fresh(deadline).await?;
        let described = self.mirror.describe(run.sql);
        let params: Vec<libsql::Value> = run.params.iter().map(to_remote).collect();
        let conn = self.connection()?;

        // Several SQLite statements for one PostgreSQL one: no parameters,
        // no rows (as in the local engine). The client would run only the
        // first of them as a single statement.
        if described.is_none() && run.params.is_empty() && self.mirror.is_multi_statement(run.sql) {
            let sql = run.sql.to_owned();
            Self::request(deadline, &conn, move |c| async move {
                c.execute_batch(&sql).await
            })
            .await
            .map_err(|f| self.fail(f))?;
            return Ok(Finished::Changed(0));
        }

        // No result columns: one round trip (execute); otherwise describe +
        // cursor through the client's query.
        if described.as_ref().is_some_and(|d| d.columns.is_empty()) {
            let sql = run.sql.to_owned();
            let n = Self::request(deadline, &conn, move |c| async move {
                c.execute(&sql, params).await
            })
            .await
            .map_err(|f| self.fail(f))?;
            self.changes = n;
            self.last_insert_rowid = conn.last_insert_rowid();
            return Ok(Finished::Changed(n));
        }

        let sql = run.sql.to_owned();
        let mut rows = Self::request(deadline, &conn, move |c| async move {
            c.query(&sql, params).await
        })
        .await
        .map_err(|f| self.fail(f))?;
        let ncols = rows.column_count().max(0) as usize;
        let first = Self::timed(deadline, rows.next())
            .await
            .map_err(|f| self.fail(f))?;
        if ncols == 0 {
            self.changes = conn.changes();
            self.last_insert_rowid = conn.last_insert_rowid();
            return Ok(Finished::Changed(self.changes));
        }
        let decls: Vec<Option<PgType>> = match &described {
            Some(d) if d.columns.len() == ncols => d.columns.iter().map(|c| c.decl).collect(),
            _ => vec![None; ncols],
        };
        let columns: Vec<ColumnInfo> = (0..ncols)
            .map(|i| ColumnInfo {
                name: rows.column_name(i as i32).unwrap_or("?column?").to_owned(),
                decl: decls[i],
            })
            .collect();
        let mut retyped = Retyped::default();
        let types: Vec<PgType> = match run.types {
            Types::Fixed(t, _) if t.len() != ncols => {
                return Err(SqlError::new(
                    "0A000",
                    "cached plan must not change result type",
                ))
            }
            Types::Fixed(t, _) => t.to_vec(),
            Types::Infer(hints, retype) => {
                let choose = ResultTypes::new(ncols, hints, retype);
                // The mirror holds the tables' definitions.
                if let Some(r) = choose.wants_schema(|i| decls[i]) {
                    retyped = self.mirror.catalog().retyped(r);
                }
                (0..ncols)
                    .map(|i| {
                        choose
                            .pick(i, decls[i], &retyped.types)
                            .or_else(|| {
                                first
                                    .as_ref()
                                    .and_then(|r| r.get_value(i as i32).ok())
                                    .filter(|v| !matches!(v, libsql::Value::Null))
                                    .map(|v| type_of_value(as_value_ref(&v)))
                            })
                            .unwrap_or(PgType::Text)
                    })
                    .collect()
            }
        };
        if !sink.schema(&columns, &types) {
            return Ok(Finished::Rows(0));
        }
        let binary: Vec<bool> = (0..ncols).map(|i| run.format.is_binary(i)).collect();
        let scales = if types.contains(&PgType::Numeric) {
            let decl = self.mirror.numeric_scales(run.sql);
            self.mirror
                .catalog()
                .numeric_scales(run, &types, &decl, retyped)
        } else {
            Vec::new()
        };
        let mut buf = BytesMut::with_capacity(8 * 1024);
        let mut batch: Vec<DataRow> = Vec::with_capacity(16);
        let mut count = 0u64;
        let mut next = first;
        while let Some(row) = next {
            crate::sql::zone::scoped(self.zone, || {
                crate::sql::interval_style::scoped(self.interval_style, || {
                    for (i, ty) in types.iter().enumerate() {
                        let v = row.get_value(i as i32).map_err(|e| from_libsql(&e))?;
                        match scales.get(i) {
                            Some(Some(scale)) if *ty == PgType::Numeric => {
                                encode_numeric_scaled(&mut buf, as_value_ref(&v), *scale, binary[i])
                            }
                            _ => encode_field(&mut buf, as_value_ref(&v), *ty, binary[i]),
                        }
                        .map_err(|e| SqlError::new(e.code, e.message))?;
                    }
                    Ok::<(), SqlError>(())
                })
            })?;
            batch.push(DataRow::new(buf.split(), ncols as i16));
            count += 1;
            if batch.len() >= BATCH_ROWS && !sink.rows(std::mem::take(&mut batch)) {
                return Ok(Finished::Rows(count));
            }
            next = Self::timed(deadline, rows.next())
                .await
                .map_err(|f| self.fail(f))?;
        }
        sink.last_rows(batch);
        self.changes = conn.changes();
        Ok(Finished::Rows(count))
    }
}

impl RemoteConn {
    /// Runs a query and returns its columns and every row as values (a
    /// cursor's DECLARE, which encodes rows later, per FETCH).
    pub async fn fetch_all(
        &mut self,
        sql: &str,
        params: &[rusqlite::types::Value],
    ) -> Result<(Vec<ColumnInfo>, Vec<Vec<rusqlite::types::Value>>), SqlError> {
        if self.tx_lost {
            return Err(SqlError::in_failed_transaction());
        }
        let deadline = self.deadline();
        self.ensure_fresh(deadline).await?;
        let decls = self.mirror.describe(sql);
        let conn = self.connection()?;
        let remote: Vec<libsql::Value> = params.iter().map(to_remote).collect();
        let owned = sql.to_owned();
        let mut rows = Self::request(deadline, &conn, move |c| async move {
            c.query(&owned, remote).await
        })
        .await
        .map_err(|f| self.fail(f))?;
        let ncols = rows.column_count().max(0) as usize;
        let columns: Vec<ColumnInfo> = (0..ncols)
            .map(|i| ColumnInfo {
                name: rows.column_name(i as i32).unwrap_or("?column?").to_owned(),
                decl: decls
                    .as_ref()
                    .filter(|d| d.columns.len() == ncols)
                    .and_then(|d| d.columns[i].decl),
            })
            .collect();
        let mut out = Vec::new();
        while let Some(row) = Self::timed(deadline, rows.next())
            .await
            .map_err(|f| self.fail(f))?
        {
            let values = (0..ncols)
                .map(|i| {
                    row.get_value(i as i32)
                        .map(|v| from_remote(&v))
                        .map_err(|e| from_libsql(&e))
                })
                .collect::<Result<Vec<_>, _>>()?;
            out.push(values);
        }
        Ok((columns, out))
    }
}

#[async_trait]
impl Engine for RemoteConn {
    async fn run(
        &mut self,
        run: &Run<'_>,
        sink: &mut (dyn RowSink + Send),
    ) -> Result<Finished, SqlError> {
        if let Some(r) = self.lost_transaction(run.sql) {
            return r;
        }
        // COMMENT ON's checks read the catalog views, which the server
        // lacks; the mirror has the same schema (and comments).
        let checks = super::portable::schema_checks(run.sql);
        if !checks.is_empty() {
            let deadline = self.deadline();
            self.ensure_fresh(deadline).await?;
            for check in &checks {
                self.mirror.catalog().batch(check)?;
            }
        }
        // Populated rows take the table's columns from the mirror.
        let spread = self.mirror.catalog().spread_rows(run.sql);
        let sql = {
            let mirror = &self.mirror;
            let types = |scopes: &str, column: &str| mirror.column_type(scopes, column);
            super::portable::portable_with(spread.as_deref().unwrap_or(run.sql), &types)
        };
        let run = &Run {
            sql: &sql,
            params: run.params,
            types: run.types,
            scales: run.scales,
            format: run.format,
        };
        let deadline = self.deadline();
        let autocommit = self.is_autocommit();
        self.expired = false;
        let mut r = self.run_remote(run, sink, deadline).await;
        // The libsql client keeps a stream open after a query even in
        // autocommit mode; sqld expires it when idle. The statement did not
        // run and no transaction was lost: run it once more on a new stream.
        if r.is_err() && autocommit && self.expired {
            r = self.run_remote(run, sink, deadline).await;
        }
        // A table or column the server says is missing: if the schema
        // changed elsewhere since the mirror was loaded, the statement ran
        // on a plan made from the old one; plan it again once. (The error
        // comes at prepare, before any row reached the sink.)
        if matches!(&r, Err(e) if is_missing_object(e)) && self.schema_moved().await {
            r = self.run_remote(run, sink, deadline).await;
        }
        if changes_schema(run.sql) {
            self.mirror.mark_stale();
        }
        r.map_err(|e| self.local_only_function(e))
    }

    async fn batch(&mut self, sql: &str) -> Result<(), SqlError> {
        if let Some(r) = self.lost_transaction(sql) {
            return r.map(|_| ());
        }
        let sql = &*super::portable::portable(sql);
        let deadline = self.deadline();
        let autocommit = self.is_autocommit();
        let send = |c: libsql::Connection| {
            let sql = sql.to_owned();
            async move { c.execute_batch(&sql).await }
        };
        let mut r = Self::request(deadline, &self.connection()?, send).await;
        if matches!(&r, Err(Failure::Remote(e)) if autocommit && is_stream_expired(e)) {
            self.conn = None;
            r = Self::request(deadline, &self.connection()?, send).await;
        }
        if changes_schema(sql) {
            self.mirror.mark_stale();
        }
        r.map(|_| ()).map_err(|f| self.fail(f))
    }

    async fn describe(&mut self, sql: &str) -> Result<Described, SqlError> {
        let deadline = self.deadline();
        self.ensure_fresh(deadline).await?;
        let spread = self.mirror.catalog().spread_rows(sql);
        let sql = spread.as_deref().unwrap_or(sql);
        if let Some(d) = self.mirror.describe(sql) {
            return Ok(d);
        }
        // Not preparable here (a function only the server has, say): ask it.
        let deadline = self.deadline();
        let conn = self.connection()?;
        let owned = sql.to_owned();
        let stmt = Self::request(
            deadline,
            &conn,
            move |c| async move { c.prepare(&owned).await },
        )
        .await
        .map_err(|f| self.fail(f))?;
        Ok(Described {
            columns: stmt
                .columns()
                .iter()
                .map(|c| ColumnInfo {
                    name: c.name().to_owned(),
                    decl: c.decl_type().map(PgType::from_decl),
                })
                .collect(),
            param_count: stmt.parameter_count(),
        })
    }

    fn is_autocommit(&self) -> bool {
        !self.tx_lost && self.conn.as_ref().is_none_or(|c| c.is_autocommit())
    }

    fn changes(&self) -> u64 {
        self.changes
    }

    fn last_insert_rowid(&self) -> i64 {
        self.last_insert_rowid
    }
}

impl std::fmt::Debug for RemoteConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RemoteConn")
            .field("url", &self.cfg.url)
            .field("namespace", &self.cfg.namespace)
            .finish()
    }
}
