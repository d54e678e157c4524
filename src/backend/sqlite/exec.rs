//! Running one statement on a tenant connection, on a blocking-pool thread,
//! encoding result rows straight into DataRow messages in batches.

mod column_hint;
mod create_like;
mod create_table_as;
mod failing_row;
mod fk_violation;
mod join_star;
mod key_values;
mod populate;
mod rerun;
mod select_edit;
mod serial_gaps;
mod serial_sequence;
mod short_insert;
pub(super) mod stored_rows;
mod truncate;
mod unique_build;

use fallible_streaming_iterator::FallibleStreamingIterator;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use bytes::BytesMut;
use pgwire::api::portal::Format;
use pgwire::messages::data::DataRow;
use rusqlite::types::Value;
use rusqlite::{Connection, InterruptHandle, StatementStatus};

use super::key_types::{self, KeyTypes};
use super::pgfuncs::clock::Clock;
use super::pgfuncs::column_input::DeclCache;
use super::pgfuncs::sequences::SequenceLog;
use super::pgfuncs::triggers::TriggerState;
use crate::sql::encode::{
    encode_field, encode_numeric_array_scaled, encode_numeric_scaled, type_of_value,
};
use crate::sql::errors::{from_sqlite, from_sqlite_on, ErrorObject, SqlError};
use crate::sql::pgtype::PgType;
use crate::sql::translate::{pick_scale, ResultTypes, Retype, Retyped, TableColumns};

/// Numeric arrays print their elements with a result column's scale too.
const NUMERIC_ARRAY: PgType = PgType::Array(crate::sql::pgtype::ArrayElem::Numeric);

/// Rows per batch handed to the async side; bounded so huge results stream.
const BATCH_ROWS: usize = 256;
const BATCH_BYTES: usize = 64 * 1024;

/// VM instructions between progress-handler calls; the budget of a
/// statement tried on the async worker (see [`Conn::run_inline`]).
const INLINE_BUDGET_OPS: i32 = 4000;

/// SQLite's default `wal_autocheckpoint`.
const AUTOCHECKPOINT_PAGES: i32 = 1000;

/// VM steps of a transaction block's statements up to which its COMMIT
/// runs on the async worker: a few hundred rows written, so the commit
/// writes a few dozen WAL pages (see [`Conn::light_block`]).
const LIGHT_BLOCK_STEPS: u64 = 40_000;

/// One SQLite connection owned by one session.
pub struct Conn {
    db: Connection,
    /// currval/lastval's memory, bound to the session using the connection.
    sequences: Option<Arc<SequenceLog>>,
    /// Column declarations `pg_column_input` read, checked against the
    /// schema version before each statement that calls it.
    decls: Arc<DeclCache>,
    /// The real types of serial keys in results (see `key_types`).
    /// Boxed, as `write_costs`: rarely touched, the connection moved often.
    key_types: Box<KeyTypes>,
    interrupt: Arc<InterruptHandle>,
    /// Set while a statement runs on an async worker thread: the progress
    /// handler then stops it after [`INLINE_BUDGET_OPS`] instructions.
    inline: Arc<AtomicBool>,
    over_budget: Arc<AtomicBool>,
    /// The catalog views were created inside the open transaction: a
    /// rollback takes them away again, and statements cached meanwhile
    /// would then fail instead of creating them anew.
    catalog_in_tx: AtomicBool,
    /// Set by SQLite's WAL hook when a transaction of this connection
    /// committed: the session then waits for group commit's fsync
    /// (see [`super::group_commit`]).
    committed: Arc<AtomicBool>,
    /// Per write statement text: whether it always stayed within the
    /// inline budget here (see [`Self::run_write`]).
    /// Boxed: the map is rarely touched, the connection moved often.
    write_costs: Box<Mutex<HashMap<Box<str>, bool>>>,
    /// VM steps of the last statement [`Self::run`] ran to its end
    /// (`u64::MAX` when it did not): its own work only, not the schema
    /// reload or re-prepare a step may also do.
    last_steps: AtomicU64,
    /// [`clock_nanos`] at which a write running inline is stopped (0: none).
    deadline: Arc<AtomicU64>,
    /// Session connections: the WAL hook only notes that a checkpoint is
    /// due, for [`Self::checkpoint_if_due`] to run on the blocking pool; a
    /// commit on the async worker must not write a thousand pages.
    defer_checkpoint: Arc<AtomicBool>,
    checkpoint_due: Arc<AtomicBool>,
    /// VM steps of the statements of the open transaction; `u64::MAX` once
    /// it did work of unknown size (see [`Self::light_block`]).
    block_steps: AtomicU64,
    /// The schema version the cached statements were last checked against
    /// by [`Self::describe`] (see [`Self::fresh_statements`]).
    schema_seen: AtomicI64,
    /// now()'s transaction and statement readings (`pg_now`).
    clock: Arc<Clock>,
    /// What PL/pgSQL triggers tell: a write-back under way, the rows a
    /// write stored (`pgfuncs::triggers`).
    triggers: Arc<TriggerState>,
    /// Some tenant-defined function was registered here (see `routines`):
    /// retyping a statement asks for the return types of those it calls.
    routines: AtomicBool,
    /// Temporary tables emptied or dropped when a transaction ends.
    on_commit: Arc<super::on_commit::OnCommit>,
    /// The `mmap_size` this connection reads with (-1: as opened); see
    /// [`super::mmap_policy`].
    mmap_size: i64,
}

/// Nanoseconds since the first call: a deadline the progress handler can
/// read from an atomic.
pub(super) fn clock_nanos() -> u64 {
    static START: std::sync::LazyLock<std::time::Instant> =
        std::sync::LazyLock::new(std::time::Instant::now);
    START.elapsed().as_nanos() as u64 + 1
}

/// Write statements whose cost a connection remembers.
const WRITE_COSTS_KEPT: usize = 512;

/// A result column as SQLite describes it.
#[derive(Debug, Clone)]
pub struct ColumnInfo {
    pub name: String,
    /// From the declared type, when the column comes straight from a table.
    pub decl: Option<PgType>,
}

/// What preparing a statement tells us without running it.
#[derive(Debug, Clone)]
pub struct Described {
    pub columns: Vec<ColumnInfo>,
    pub param_count: usize,
}

/// How result column types are chosen.
#[derive(Clone, Copy)]
pub enum Types<'a> {
    /// Already sent to the client in a RowDescription (extended protocol);
    /// the statement is worked out again only for numeric scales.
    Fixed(&'a [PgType], Option<&'a Retype>),
    /// Decide now: declared type, else the translator's hint, else the
    /// type worked out with the schema (`max(n)`, see [`Retype`]), else the
    /// storage class of the first row's value.
    Infer(&'a [Option<PgType>], Option<&'a Retype>),
}

/// One statement execution.
pub struct Run<'a> {
    pub sql: &'a str,
    pub params: &'a [Value],
    pub types: Types<'a>,
    /// The translation's numeric display scales (see `Translation::scales`).
    pub scales: &'a [Option<u16>],
    pub format: &'a Format,
}

/// Where result rows go. Returning `false` stops the statement (the client
/// went away).
pub trait RowSink {
    fn schema(&mut self, columns: &[ColumnInfo], types: &[PgType]) -> bool;
    /// A full batch, more may follow.
    fn rows(&mut self, batch: Vec<DataRow>) -> bool;
    /// The last (possibly empty) batch: small results travel in one message.
    fn last_rows(&mut self, batch: Vec<DataRow>);
}

/// How a statement ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finished {
    /// Rows were produced (sent to the sink): how many.
    Rows(u64),
    /// No result set: rows changed (for INSERT/UPDATE/DELETE tags).
    Changed(u64),
}

impl Conn {
    pub fn new(mut db: Connection) -> Conn {
        let interrupt = Arc::new(db.get_interrupt_handle());
        let inline = Arc::new(AtomicBool::new(false));
        let over_budget = Arc::new(AtomicBool::new(false));
        let deadline = Arc::new(AtomicU64::new(0));
        let (i, o, d) = (inline.clone(), over_budget.clone(), deadline.clone());
        // Called every INLINE_BUDGET_OPS instructions: the statement is past
        // the budget; inline reads stop, and writes run inline at their
        // statement_timeout (no timer task can be relied on to run while
        // this worker thread is busy).
        let _ = db.progress_handler(
            INLINE_BUDGET_OPS,
            Some(move || {
                o.store(true, Ordering::Relaxed);
                let at = d.load(Ordering::Relaxed);
                i.load(Ordering::Relaxed) || (at != 0 && clock_nanos() >= at)
            }),
        );
        let committed = Arc::new(AtomicBool::new(false));
        let defer_checkpoint = Arc::new(AtomicBool::new(false));
        let checkpoint_due = Arc::new(AtomicBool::new(false));
        let (c, defer, due) = (
            committed.clone(),
            defer_checkpoint.clone(),
            checkpoint_due.clone(),
        );
        // The hook replaces SQLite's automatic checkpoint, so it checkpoints
        // as that did: passively, once the WAL passes 1000 pages.
        let _ = db.wal_hook(Some(move |wal: &mut rusqlite::hooks::Wal, pages| {
            c.store(true, Ordering::Relaxed);
            if pages >= AUTOCHECKPOINT_PAGES {
                if defer.load(Ordering::Relaxed) {
                    due.store(true, Ordering::Relaxed);
                } else {
                    let _ = wal.checkpoint();
                }
            }
            Ok(())
        }));
        let _ = super::sleep::register(&db, inline.clone(), over_budget.clone());
        let decls = Arc::new(DeclCache::default());
        // Replaces the uncached registration of `open`.
        let _ = super::pgfuncs::column_input::register_cached(&db, decls.clone());
        let clock = Arc::new(Clock::default());
        let _ = super::pgfuncs::clock::register(&db, Some(clock.clone()));
        let triggers = Arc::new(TriggerState::default());
        let _ = super::pgfuncs::triggers::register(&db, Some(triggers.clone()));
        let on_commit = Arc::new(super::on_commit::OnCommit::default());
        let _ = super::on_commit::register(&db, on_commit.clone());
        Conn {
            db,
            sequences: None,
            decls,
            key_types: Box::default(),
            interrupt,
            inline,
            over_budget,
            catalog_in_tx: AtomicBool::new(false),
            committed,
            write_costs: Box::default(),
            deadline,
            last_steps: AtomicU64::new(u64::MAX),
            defer_checkpoint,
            checkpoint_due,
            block_steps: AtomicU64::new(0),
            schema_seen: AtomicI64::new(-1),
            clock,
            triggers,
            routines: AtomicBool::new(false),
            on_commit,
            mmap_size: -1,
        }
    }

    /// A session's connection: its commits may run on the async worker, so
    /// checkpoints wait for [`Self::checkpoint_if_due`].
    pub fn for_session(mut self) -> Conn {
        self.defer_checkpoint.store(true, Ordering::Relaxed);
        let log = Arc::new(SequenceLog::default());
        match super::pgfuncs::sequences::register_log(&self.db, log.clone()) {
            Ok(()) => self.sequences = Some(log),
            Err(e) => tracing::warn!(error = %e, "session sequence functions unavailable"),
        }
        self
    }

    /// What the session's sequence functions and inserts recorded (see
    /// [`SequenceLog`]); a session connection's only.
    pub fn sequence_log(&self) -> Option<Arc<SequenceLog>> {
        self.sequences.clone()
    }

    /// Whether the WAL outgrew the checkpoint threshold at a commit.
    pub fn checkpoint_due(&self) -> bool {
        self.checkpoint_due.load(Ordering::Relaxed)
    }

    /// Runs a passive checkpoint if a commit made one due. Blocks (writes
    /// and syncs the database file): call on the blocking pool.
    pub fn checkpoint_if_due(&self) {
        if self.checkpoint_due.swap(false, Ordering::Relaxed) {
            self.checkpoint_passive();
        }
    }

    /// Copies the write-ahead log into the database file as far as no
    /// reader needs it (VACUUM). Blocks: call on the blocking pool.
    pub fn checkpoint_passive(&self) {
        self.checkpoint_due.store(false, Ordering::Relaxed);
        let _ = self
            .db
            .wal_checkpoint_v2(Some("main"), rusqlite::wal::CheckpointMode::PASSIVE);
    }

    /// The open transaction is about to do writes of unknown size (DDL,
    /// COPY, a data-modifying WITH): its COMMIT is not [`Self::light_block`].
    pub fn mark_heavy(&self) {
        if !self.db.is_autocommit() {
            self.block_steps.store(u64::MAX, Ordering::Relaxed);
        }
    }

    /// Whether the open transaction's statements all ran to their end
    /// within [`LIGHT_BLOCK_STEPS`]: its COMMIT then writes few pages and
    /// may run on the async worker.
    pub fn light_block(&self) -> bool {
        self.block_steps.load(Ordering::Relaxed) < LIGHT_BLOCK_STEPS
    }

    /// Whether the write `sql` always finished within the inline budget on
    /// this connection: it then runs on the async worker (see
    /// [`Self::run_write`]).
    pub fn short_write(&self, sql: &str) -> bool {
        let costs = self.write_costs.lock().unwrap_or_else(|p| p.into_inner());
        costs.get(sql).copied().unwrap_or(false)
    }

    /// Runs a write (INSERT, UPDATE, DELETE) and notes whether it stayed
    /// within the inline budget. A write is never stopped part way: SQLite
    /// rolls back the whole transaction when an INSERT, UPDATE or DELETE in
    /// it is interrupted. So a write runs inline only once seen short, and
    /// one that runs long even once is not run inline again.
    ///
    /// `timeout`: the session's statement_timeout, for a write run inline
    /// (on the blocking pool a timer interrupts instead). When it stops the
    /// write, the error is 57014 with the timeout's message.
    pub fn run_write(
        &self,
        run: &Run<'_>,
        sink: &mut dyn RowSink,
        timeout: Option<std::time::Duration>,
    ) -> Result<Finished, SqlError> {
        self.over_budget.store(false, Ordering::Relaxed);
        if let Some(t) = timeout {
            let at = clock_nanos().saturating_add(t.as_nanos() as u64);
            self.deadline.store(at, Ordering::Relaxed);
        }
        let mut r = self.run(run, sink);
        if timeout.is_some() {
            let at = self.deadline.swap(0, Ordering::Relaxed);
            if matches!(&r, Err(e) if e.code == "57014") && clock_nanos() >= at {
                r = Err(SqlError::statement_timeout());
            }
        }
        let short = self.last_steps.load(Ordering::Relaxed) < INLINE_BUDGET_OPS as u64;
        let mut costs = self.write_costs.lock().unwrap_or_else(|p| p.into_inner());
        match costs.get_mut(run.sql) {
            Some(seen) => *seen &= short,
            None => {
                if costs.len() >= WRITE_COSTS_KEPT {
                    costs.clear();
                }
                costs.insert(run.sql.into(), short);
            }
        }
        r
    }

    /// Whether a transaction committed since the last call.
    pub fn take_committed(&self) -> bool {
        self.committed.swap(false, Ordering::Relaxed)
    }

    /// Runs a statement on the calling (async worker) thread if it finishes
    /// within a small instruction budget: a point query then costs no thread
    /// hand-off. Returns `None` when the budget ran out; nothing was sent and
    /// the statement (read-only: callers guarantee it) must be run again on
    /// the blocking pool.
    pub fn run_inline(
        &self,
        run: &Run<'_>,
        sink: &mut dyn RowSink,
    ) -> Option<Result<Finished, SqlError>> {
        self.over_budget.store(false, Ordering::Relaxed);
        self.inline.store(true, Ordering::Relaxed);
        let r = self.run(run, sink);
        self.inline.store(false, Ordering::Relaxed);
        if self.over_budget.load(Ordering::Relaxed) {
            None
        } else {
            Some(r)
        }
    }

    /// (running inline, over its budget): a function that must wait sets
    /// the second while the first is set, and the run moves off the worker.
    pub fn budget_flags(&self) -> (Arc<AtomicBool>, Arc<AtomicBool>) {
        (self.inline.clone(), self.over_budget.clone())
    }

    /// What a tenant function's body checks to stop as the progress
    /// handler would (see `routines::Budget`).
    fn budget(&self) -> super::routines::Budget {
        super::routines::Budget {
            inline: self.inline.clone(),
            over_budget: self.over_budget.clone(),
            deadline: self.deadline.clone(),
        }
    }

    pub fn interrupt_handle(&self) -> Arc<InterruptHandle> {
        self.interrupt.clone()
    }

    /// The SQLite connection, for bulk work (COPY) preparing its own statements.
    pub fn sqlite(&self) -> &Connection {
        &self.db
    }

    /// The SQLite connection for session setup (authorizer, hooks).
    pub fn sqlite_mut(&mut self) -> &mut Connection {
        &mut self.db
    }

    /// Reloads SQLite's in-memory schema if another connection (a
    /// deployment) changed it. SQLite notices such a change only when a
    /// statement runs, so without this a pooled connection's first Describe
    /// would report the old column types.
    pub fn refresh_schema(&self) {
        if let Ok(mut stmt) = self
            .db
            .prepare_cached("SELECT 1 FROM main.sqlite_schema LIMIT 1")
        {
            let _ = stmt.exists([]);
        }
    }

    /// A statement begins: outside a transaction block, a transaction
    /// too (its work counted afresh; now() read again). Callers running
    /// statements on [`Self::sqlite`] themselves call this first.
    pub fn statement_begins(&self) {
        let in_block = !self.db.is_autocommit();
        if !in_block {
            self.block_steps.store(0, Ordering::Relaxed);
        }
        self.clock.statement_begins(in_block);
        self.triggers.applying.store(0, Ordering::Relaxed);
        // A write that failed may have left it noting rows.
        self.triggers.stop_noting();
    }

    /// Starts noting the rows the next write stores (see `stored_rows`).
    pub(super) fn note_stored_rows(&self) {
        self.triggers.note_rows();
    }

    /// The rows the write `sql` (with `params` parameters) stored since
    /// [`Self::note_stored_rows`], to read again for its RETURNING list,
    /// when triggers changed them after it computed the list.
    pub(super) fn stored_rows(&self, sql: &str, params: usize) -> Option<stored_rows::Reread> {
        stored_rows::plan(sql, params, self.triggers.stop_noting())
    }

    pub fn is_autocommit(&self) -> bool {
        self.db.is_autocommit()
    }

    /// A connection just opened with `mmap_size = size`.
    pub fn opened_with_mmap(mut self, size: i64) -> Conn {
        self.mmap_size = size;
        self
    }

    /// Reads through a memory map of `size` bytes (0: none) from the next
    /// transaction on, as [`super::mmap_policy`] advises; changed only
    /// between transactions.
    pub fn fit_mmap(&mut self, size: i64) {
        if self.mmap_size == size || !self.db.is_autocommit() {
            return;
        }
        // The authorizer refuses pragmas to tenant SQL; this is the server's.
        let set =
            super::guard::unguarded(&mut self.db, |db| db.pragma_update(None, "mmap_size", size));
        if set.is_ok() {
            self.mmap_size = size;
        }
    }

    /// Runs statements with no parameters and no result (transaction control,
    /// multi-statement DDL).
    pub fn batch(&self, sql: &str) -> Result<(), SqlError> {
        self.statement_begins();
        // Ids the rolled-back part took stay used (see `serial_gaps`).
        let reached = if starts_with_word(sql, "ROLLBACK") && !is_block_word(sql) {
            serial_gaps::counters(&self.db)
        } else {
            Vec::new()
        };
        let r = match self.batch_text(sql) {
            // A check reading the catalog views (COMMENT ON's) before the
            // connection has them: they come before any write of the batch
            // (see `translate::comments`), so it runs again once installed.
            Err(e) if super::catalog_missing(&e) => {
                if !self.db.is_autocommit() {
                    self.catalog_in_tx.store(true, Ordering::Relaxed);
                }
                super::catalog::install(&self.db).and_then(|()| self.db.execute_batch(sql))
            }
            r => r,
        }
        .map_err(|e| from_sqlite_on(&self.db, &e));
        if r.is_ok() {
            serial_gaps::raise(&self.db, &reached);
        }
        if self.catalog_in_tx.load(Ordering::Relaxed) {
            let word = sql.trim_start().get(..8).unwrap_or("");
            if word.eq_ignore_ascii_case("ROLLBACK") {
                self.db.flush_prepared_statement_cache();
            }
            if self.db.is_autocommit() {
                self.catalog_in_tx.store(false, Ordering::Relaxed);
            }
        }
        r
    }

    /// SET CONSTRAINTS: foreign key checks of the open block deferred to
    /// COMMIT, or (IMMEDIATE) no longer deferred and the rows written so
    /// far checked now, 23503 if one refers to a missing row.
    pub fn set_constraints(&self, deferred: bool) -> Result<(), SqlError> {
        super::guard::defer_foreign_keys(&self.db, deferred).map_err(|e| from_sqlite(&e))?;
        if deferred {
            return Ok(());
        }
        match self.pending_violation()? {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    /// PostgreSQL's error for the first row the open block wrote that
    /// refers to a missing one (a deferred foreign key): the constraint,
    /// by its default name, and the key the row holds.
    fn pending_violation(&self) -> Result<Option<SqlError>, SqlError> {
        let violation: Option<(String, i64, String, i64)> = self
            .db
            .query_row(
                "SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .map(Some)
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(None),
                e => Err(from_sqlite(&e)),
            })?;
        let Some((table, rowid, parent, fkid)) = violation else {
            return Ok(None);
        };
        // PostgreSQL's message: the constraint (by its default name) and
        // the key the row holds.
        let columns: Vec<String> = self
            .db
            .prepare("SELECT \"from\" FROM pragma_foreign_key_list(?1) WHERE id = ?2 ORDER BY seq")
            .and_then(|mut s| {
                s.query_map(rusqlite::params![table, fkid], |r| r.get(0))?
                    .collect()
            })
            .unwrap_or_default();
        let list = columns
            .iter()
            .map(|c| format!("CAST({} AS TEXT)", crate::sql::quote_ident(c)))
            .collect::<Vec<_>>()
            .join(" || ', ' || ");
        let key: Option<String> = self
            .db
            .query_row(
                &format!(
                    "SELECT {list} FROM {} WHERE rowid = ?1",
                    crate::sql::quote_ident(&table)
                ),
                [rowid],
                |r| r.get(0),
            )
            .ok();
        let constraint = format!("{table}_{}_fkey", columns.join("_"));
        let mut e = SqlError::new(
            "23503",
            format!("insert or update on table \"{table}\" violates foreign key constraint \"{constraint}\""),
        );
        if let Some(key) = key {
            e = e.with_detail(format!(
                "Key ({})=({key}) is not present in table \"{parent}\".",
                columns.join(", ")
            ));
        }
        Ok(Some(e.on(&table, None, Some(&constraint))))
    }

    /// Runs `sql`'s statements. A block's own words (`BEGIN`, `COMMIT`,
    /// `SAVEPOINT x`, ...) come back at every transaction: they are kept
    /// prepared rather than parsed again each time.
    fn batch_text(&self, sql: &str) -> rusqlite::Result<()> {
        if is_block_word(sql) {
            return self.db.prepare_cached(sql)?.raw_execute().map(drop);
        }
        self.db.execute_batch(sql)
    }

    /// The SQLite statements of one PostgreSQL statement, all or none as
    /// that statement is (outside a block each would commit by itself: a
    /// DROP TABLE ... CASCADE that SQLite refuses would lose the comments
    /// deleted before it).
    fn batch_all_or_none(&self, sql: &str) -> Result<(), SqlError> {
        self.batch("SAVEPOINT pgtenant_statement")?;
        let mut r = self.batch(sql);
        if matches!(&r, Err(e) if e.code == "23503")
            && self.batch("ROLLBACK TO pgtenant_statement").is_ok()
            && fk_violation::holds_at_end(&self.db, sql)
        {
            r = Ok(());
        }
        let end = if r.is_ok() {
            "RELEASE pgtenant_statement"
        } else {
            "ROLLBACK TO pgtenant_statement; RELEASE pgtenant_statement"
        };
        let ended = self.batch(end);
        r.and(ended)
    }

    /// Ends a transaction block: COMMIT, or ROLLBACK (also when COMMIT
    /// fails: a deferred constraint ends the block too).
    pub fn end_block(&self, commit: bool) -> Result<(), SqlError> {
        if self.on_commit.is_empty() {
            return self.finish_block(commit);
        }
        // Temporary tables made ON COMMIT DELETE ROWS / DROP.
        if commit && !self.is_autocommit() {
            for delete in self.on_commit.before_commit(&self.db) {
                if let Err(e) = self.batch(&delete) {
                    let _ = self.batch("ROLLBACK");
                    return Err(e);
                }
            }
        }
        let result = self.finish_block(commit);
        for drop in self.on_commit.after_end() {
            let _ = self.batch(&drop);
        }
        result
    }

    fn finish_block(&self, commit: bool) -> Result<(), SqlError> {
        if commit {
            self.batch("COMMIT").map_err(|e| {
                // A COMMIT a deferred foreign key failed leaves the block
                // open: the row to name is still there to find.
                let e = match e.code {
                    "23503" => self.pending_violation().ok().flatten().unwrap_or(e),
                    _ => e,
                };
                let _ = self.rollback(serial_gaps::counters(&self.db));
                e
            })
        } else if self.is_autocommit() {
            Ok(())
        } else {
            self.rollback(serial_gaps::counters(&self.db))
        }
    }

    /// ROLLBACK, keeping the serial keys' counters where `reached` (read
    /// before it) saw them: the ids the block took stay used, as
    /// PostgreSQL's sequences do.
    fn rollback(&self, reached: Vec<(String, i64)>) -> Result<(), SqlError> {
        let r = self.batch("ROLLBACK");
        if r.is_ok() {
            serial_gaps::raise(&self.db, &reached);
        }
        r
    }

    /// Prepares (and caches) a statement; the first statement of a
    /// connection that reads the catalog creates the catalog views.
    pub(super) fn prepare(&self, sql: &str) -> rusqlite::Result<rusqlite::CachedStatement<'_>> {
        match self.spread_rows(sql) {
            Some(spread) => self.prepare_text(&spread),
            None => self.prepare_text(sql),
        }
    }

    /// `sql` with its `json[b]_populate_record[set]` rows spread into the
    /// named table's columns, as this connection's schema has them (see
    /// [`populate`]), and its `SELECT *` over USING joins into the columns
    /// in PostgreSQL's order ([`join_star`]); `None` when there is nothing
    /// to spread.
    pub fn spread_rows(&self, sql: &str) -> Option<String> {
        // (Both markers end so: one scan for the statements with neither.)
        if !sql.contains("_star(") {
            return None;
        }
        let columns_of =
            |t: &str| Some(self.table_columns(t)?.into_iter().map(|c| c.name).collect());
        let rows = if sql.contains(populate::MARKER) {
            populate::expand(sql, columns_of)
        } else {
            None
        };
        if !rows.as_deref().unwrap_or(sql).contains(join_star::MARKER) {
            return rows;
        }
        join_star::expand(rows.as_deref().unwrap_or(sql), columns_of).or(rows)
    }

    fn prepare_text(&self, sql: &str) -> rusqlite::Result<rusqlite::CachedStatement<'_>> {
        match self.db.prepare_cached(sql) {
            Err(e) if super::catalog_missing(&e) => {
                // Not under the inline budget: creating the views is a one-off.
                let inline = self.inline.swap(false, Ordering::Relaxed);
                let installed = super::catalog::install(&self.db);
                self.inline.store(inline, Ordering::Relaxed);
                if !self.db.is_autocommit() {
                    self.catalog_in_tx.store(true, Ordering::Relaxed);
                }
                installed?;
                self.db.prepare_cached(sql)
            }
            Err(e) if super::routines::register_missing(&self.db, &e, self.budget()) => {
                self.routines.store(true, Ordering::Relaxed);
                // (A statement may call several of the tenant's functions.)
                let mut again = self.db.prepare_cached(sql);
                for _ in 0..8 {
                    match again {
                        Err(e)
                            if super::routines::register_missing(&self.db, &e, self.budget()) =>
                        {
                            again = self.db.prepare_cached(sql);
                        }
                        other => return other,
                    }
                }
                again
            }
            Err(e) => match self
                .short_insert(sql, &e)
                .or_else(|| self.serial_sequence(sql, &e))
            {
                Some(named) => self.db.prepare_cached(&named),
                None => Err(e),
            },
            ok => ok,
        }
    }

    /// `sql` written again when SQLite refused it for naming a serial key's
    /// sequence as a relation (see [`serial_sequence`]).
    fn serial_sequence(&self, sql: &str, e: &rusqlite::Error) -> Option<String> {
        let rusqlite::Error::SqliteFailure(_, Some(msg)) = e else {
            return None;
        };
        let name = serial_sequence::missing_relation(msg)?;
        if !super::pgfuncs::sequences::is_serial_sequence(&self.db, name) {
            return None;
        }
        serial_sequence::read_as_relation(sql, name)
    }

    /// `sql` written again when SQLite refused it as an INSERT with fewer
    /// values than columns (see [`short_insert`]).
    fn short_insert(&self, sql: &str, e: &rusqlite::Error) -> Option<String> {
        let rusqlite::Error::SqliteFailure(_, Some(msg)) = e else {
            return None;
        };
        let (_, values) = short_insert::short_by(msg)?;
        short_insert::name_columns(sql, values, |table| {
            let columns = self.table_columns(table)?;
            Some(columns.into_iter().map(|c| c.name).collect())
        })
    }

    /// Tells the introspection functions who the session is.
    pub fn set_session(&self, user: &str, database: &str, pid: i32) -> Result<(), SqlError> {
        super::catalog::set_session(&self.db, user, database, pid).map_err(|e| from_sqlite(&e))
    }

    /// Prepares (and caches) a statement to learn its columns and parameters.
    pub fn describe(&self, sql: &str) -> Result<Described, SqlError> {
        self.fresh_statements();
        let stmt = match self.prepare(sql) {
            Ok(s) => s,
            // Several SQLite statements for one PostgreSQL one: no rows, no parameters.
            Err(rusqlite::Error::MultipleStatement) => {
                return Ok(Described {
                    columns: Vec::new(),
                    param_count: 0,
                })
            }
            Err(_) if several_statements(sql) => {
                return Ok(Described {
                    columns: Vec::new(),
                    param_count: 0,
                })
            }
            Err(e) => {
                let e = from_sqlite(&e);
                return Err(match e.code {
                    "42P10" => order_position(sql, e),
                    "42703" if e.hint.is_none() => with_column_hint(&self.db, sql, e),
                    _ => e,
                });
            }
        };
        let (columns, _) = self.column_infos(&stmt);
        Ok(Described {
            columns,
            param_count: stmt.parameter_count(),
        })
    }

    /// Drops the cached statements when another session changed the schema
    /// since they were compiled. SQLite compiles a stale statement again at
    /// its first step, but what it tells before (result columns and their
    /// declared types, which Describe answers with) is the old schema's: a
    /// column added meanwhile would be missing from the RowDescription.
    pub(super) fn fresh_statements(&self) {
        // Reading the version inside a transaction that has not read yet
        // would take its snapshot early (and fail its first write with
        // 40001 when another session commits meanwhile): checked then at
        // the statement's first step instead (see `run_statement`).
        if !self.db.is_autocommit()
            && self.db.transaction_state(Some(rusqlite::MAIN_DB)).ok()
                == Some(rusqlite::TransactionState::None)
        {
            return;
        }
        let version = self
            .db
            .prepare_cached("PRAGMA schema_version")
            .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)))
            .unwrap_or(-1);
        if self.schema_seen.swap(version, Ordering::Relaxed) != version {
            self.db.flush_prepared_statement_cache();
            // Statements compile against the connection's copy of the
            // schema, which SQLite reloads only when a statement reading a
            // table finds it outdated at its first step: one such step.
            let table: Option<String> = self
                .db
                .query_row(
                    "SELECT name FROM main.sqlite_schema WHERE type = 'table' LIMIT 1",
                    [],
                    |r| r.get(0),
                )
                .ok();
            if let Some(t) = table {
                let probe = format!("SELECT 1 FROM main.{} LIMIT 0", crate::sql::quote_ident(&t));
                let _ = self.db.query_row(&probe, [], |_| Ok(()));
            }
        }
    }

    /// The result columns' names and declared types, with the declared
    /// scale of numeric(p, s) columns, which print with it.
    fn column_infos(&self, stmt: &rusqlite::Statement<'_>) -> (Vec<ColumnInfo>, Vec<Option<u16>>) {
        let mut keys = Vec::new();
        let (mut columns, scales): (Vec<ColumnInfo>, Vec<Option<u16>>) = stmt
            .columns()
            .enumerate()
            .map(|(i, c)| {
                let decl = c.decl_type();
                if key_types::is_rowid_decl(decl) {
                    keys.push(i);
                }
                let ty = decl.map(PgType::from_decl);
                let scale = match ty {
                    Some(PgType::Numeric | NUMERIC_ARRAY) => decl.and_then(PgType::numeric_scale),
                    _ => None,
                };
                let name = c.name().to_owned();
                (ColumnInfo { name, decl: ty }, scale)
            })
            .unzip();
        if !keys.is_empty() {
            let types = self.key_types.resolve(&self.db, stmt, &keys);
            for (i, t) in keys.into_iter().zip(types) {
                columns[i].decl = Some(t);
            }
        }
        (columns, scales)
    }

    /// The declared type of a tenant function's argument (`None`: no such
    /// function), for parameter type inference.
    pub fn routine_argument_type(&self, name: &str, nargs: usize, index: usize) -> Option<PgType> {
        super::routines::argument_type(&self.db, name, nargs, index)
    }

    /// The declared type of `table.column`, for parameter type inference.
    pub fn column_type(&self, table: &str, column: &str) -> Option<PgType> {
        declared_type(&self.db, table, column)
    }

    /// A table's (or view's) declared columns, `None` when there is no such table.
    pub fn table_columns(&self, table: &str) -> Option<TableColumns> {
        let routines = self.routines.load(Ordering::Relaxed);
        super::relation_types::relation_columns(&self.db, routines, table, 0)
    }

    /// Result column types worked out again with the tables' columns.
    pub fn retyped(&self, retype: &Retype) -> Retyped {
        let schema = retype
            .tables()
            .into_iter()
            .filter_map(|t| Some((t.clone(), self.table_columns(&t)?)))
            .collect();
        let routines = self.routines.load(Ordering::Relaxed);
        retype.types(
            schema,
            super::relation_types::function_types(&self.db, routines, retype),
        )
    }

    /// The display scale of each numeric result column (empty when there
    /// is none): declared, else fixed by the expression, else by the
    /// schema (`sum(price)`), looked up only when needed.
    pub(crate) fn numeric_scales(
        &self,
        run: &Run<'_>,
        types: &[PgType],
        decl: &[Option<u16>],
        mut retyped: Retyped,
    ) -> Vec<Option<u16>> {
        let scaled = |t: &PgType| *t == PgType::Numeric || *t == NUMERIC_ARRAY;
        if !types.iter().any(scaled) {
            return Vec::new();
        }
        let own = |i: usize| decl.get(i).copied().flatten();
        let unknown = |i: usize| {
            scaled(&types[i]) && own(i).is_none() && run.scales.get(i).copied().flatten().is_none()
        };
        if let Types::Fixed(_, Some(r)) | Types::Infer(_, Some(r)) = run.types {
            if retyped.scales.is_empty() && (0..types.len()).any(unknown) {
                retyped = self.retyped(r);
            }
        }
        (0..types.len())
            .map(|i| {
                scaled(&types[i])
                    .then(|| pick_scale(i, own(i), run.scales, &retyped))
                    .flatten()
            })
            .collect()
    }

    /// The declared type of the table's `index`-th column (0-based).
    pub fn column_type_at(&self, table: &str, index: usize) -> Option<PgType> {
        let mut stmt = self
            .db
            .prepare_cached(
                "SELECT pg_decl(type, dflt_value) FROM pragma_table_xinfo(?1) WHERE cid = ?2",
            )
            .ok()?;
        let decl: String = stmt
            .query_row(rusqlite::params![table, index as i64], |r| r.get(0))
            .ok()?;
        Some(PgType::from_decl(&decl))
    }

    /// Runs one statement, streaming rows to `sink`.
    pub fn run(&self, run: &Run<'_>, sink: &mut dyn RowSink) -> Result<Finished, SqlError> {
        self.statement_begins();
        let r = self.run_statement(run, sink).map_err(|e| {
            let failed_constraint = e.code.starts_with("23");
            let e = self.explained(run, e);
            if failed_constraint && starts_with_word(run.sql, "INSERT") {
                serial_gaps::failed_insert(&self.db, run.sql, run.params);
            }
            e
        });
        let steps = self.last_steps.load(Ordering::Relaxed);
        let block = self.block_steps.load(Ordering::Relaxed);
        self.block_steps
            .store(block.saturating_add(steps), Ordering::Relaxed);
        r
    }

    /// An integrity error explained as PostgreSQL's ([`explain_violation`]).
    fn explained(&self, run: &Run<'_>, e: SqlError) -> SqlError {
        if e.code == "42701" && starts_with_word(run.sql, "ALTER") {
            return existing_column(run.sql).unwrap_or(e);
        }
        if e.code == "42P10" {
            return order_position(run.sql, e);
        }
        if e.code == "42703" && e.hint.is_none() {
            return with_column_hint(&self.db, run.sql, e);
        }
        if !matches!(e.code, "23502" | "23503" | "23505" | "23514") {
            return e;
        }
        // The second run prepares the statement as the first did: rows
        // spread, an INSERT with fewer values than columns named.
        let mut sql = self
            .spread_rows(run.sql)
            .unwrap_or_else(|| run.sql.to_owned());
        if let Err(err) = self.db.prepare_cached(&sql) {
            if let Some(named) = self.short_insert(&sql, &err) {
                sql = named;
            }
        }
        explain_violation(&self.db, &sql, run.params, e)
    }

    fn run_statement(&self, run: &Run<'_>, sink: &mut dyn RowSink) -> Result<Finished, SqlError> {
        // Every `pg_column_*` function reading declarations (input,
        // type, literal, text, json, concat) shares the cache: a column
        // whose type changed must not be read as its old type.
        // (One scan for the common prefix first: most statements call none.)
        if run.sql.contains("pg_")
            && (run.sql.contains("pg_column_")
                || run.sql.contains("pg_identity_check(")
                || run.sql.contains("pg_populate_"))
        {
            self.decls.validate(&self.db);
        }
        self.last_steps.store(u64::MAX, Ordering::Relaxed);
        let mut stmt = match self.prepare(run.sql) {
            Ok(s) => s,
            // One PostgreSQL statement may become several SQLite ones
            // (`DROP TABLE a, b`, `TRUNCATE a, b`): those take no parameters
            // and return no rows.
            Err(rusqlite::Error::MultipleStatement) if run.params.is_empty() => {
                self.batch_all_or_none(run.sql)?;
                return Ok(Finished::Changed(0));
            }
            // rusqlite prepares the rest to tell; a later statement may use
            // what an earlier one creates (CREATE SEQUENCE's table and row).
            Err(_) if run.params.is_empty() && several_statements(run.sql) => {
                self.batch_all_or_none(run.sql)?;
                return Ok(Finished::Changed(0));
            }
            Err(e) => return Err(from_sqlite(&e)),
        };
        let expected = stmt.parameter_count();
        if expected != run.params.len() {
            return Err(SqlError::new(
                "08P01",
                format!(
                    "bind message supplies {} parameters, but prepared statement requires {expected}",
                    run.params.len()
                ),
            ));
        }
        for (i, v) in run.params.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, v)
                .map_err(|e| from_sqlite(&e))?;
        }
        let mut ncols = stmt.column_count();
        if ncols == 0 {
            // SQLite calls the progress handler when this statement's step
            // count crosses a multiple of the budget, counted over all its
            // runs: reset, a cached statement gets the whole budget each run.
            stmt.reset_status(StatementStatus::VmStep);
            let changed = stmt
                .raw_execute()
                .map_err(|e| from_sqlite_on(&self.db, &e))?;
            self.note_steps(&stmt);
            return Ok(Finished::Changed(changed as u64));
        }
        // With fixed types the client already has the RowDescription: the
        // names are not needed, only a check that the shape did not change.
        // One pass over the result columns: names and declared types (to
        // infer), and the declared scale of numeric(p, s) columns, which
        // print with it. A fixed-type run needs only the scales, and only
        // when a numeric column is among the results.
        let (mut columns, mut decl_scales): (Vec<ColumnInfo>, Vec<Option<u16>>) = match run.types {
            Types::Fixed(t, _) if t.len() != ncols => {
                return Err(SqlError::new(
                    "0A000",
                    "cached plan must not change result type",
                ))
            }
            Types::Fixed(t, _) if !t.contains(&PgType::Numeric) => (Vec::new(), Vec::new()),
            Types::Fixed(..) => (
                Vec::new(),
                stmt.columns()
                    .map(|c| c.decl_type().and_then(PgType::numeric_scale))
                    .collect(),
            ),
            Types::Infer(..) => self.column_infos(&stmt),
        };
        stmt.reset_status(StatementStatus::VmStep); // see above
        let compiled = stmt.get_status(StatementStatus::RePrepare);
        // A write with RETURNING notes the rows it stores in tables whose
        // triggers change NEW (see `stored_rows`); its first step runs it.
        let writes = !stmt.readonly();
        if writes {
            self.note_stored_rows();
        }
        let mut rows = stmt.raw_query();
        rows.advance().map_err(|e| from_sqlite_on(&self.db, &e))?;
        let reread = if writes {
            self.stored_rows(run.sql, run.params.len())
        } else {
            None
        };
        // Another session changed the schema since this statement was
        // cached: SQLite compiled it again at its first step, and the
        // columns read above are the old schema's. A described (prepared)
        // statement whose columns changed fails as PostgreSQL's does; a
        // query that describes itself takes the new columns.
        if let Some(s) = rows.as_ref() {
            if s.get_status(StatementStatus::RePrepare) != compiled {
                match run.types {
                    Types::Fixed(..) if s.column_count() != ncols => {
                        return Err(SqlError::new(
                            "0A000",
                            "cached plan must not change result type",
                        ))
                    }
                    Types::Fixed(..) => {}
                    Types::Infer(..) => {
                        ncols = s.column_count();
                        (columns, decl_scales) = self.column_infos(s);
                    }
                }
            }
        }
        let first = rows.get();
        let mut retyped = Retyped::default();
        let types: Vec<PgType> = match run.types {
            Types::Fixed(t, _) => t.to_vec(),
            Types::Infer(hints, retype) => {
                let choose = ResultTypes::new(ncols, hints, retype);
                if let Some(r) = choose.wants_schema(|i| columns[i].decl) {
                    retyped = self.retyped(r);
                }
                (0..ncols)
                    .map(|i| {
                        choose
                            .pick(i, columns[i].decl, &retyped.types)
                            .or_else(|| first.and_then(|r| r.get_ref(i).ok()).map(type_of_value))
                            .unwrap_or(PgType::Text)
                    })
                    .collect()
            }
        };
        let scales = self.numeric_scales(run, &types, &decl_scales, retyped);
        let binary: Vec<bool> = (0..ncols).map(|i| run.format.is_binary(i)).collect();
        if !sink.schema(&columns, &types) {
            return Ok(Finished::Rows(0));
        }

        let mut buf = BytesMut::with_capacity(8 * 1024);
        let mut batch = Vec::with_capacity(16);
        let mut batch_bytes = 0;
        let mut count = 0u64;
        let encode = |row: &rusqlite::Row<'_>, buf: &mut BytesMut| -> Result<DataRow, SqlError> {
            for (i, ty) in types.iter().enumerate() {
                let v = row.get_ref(i).map_err(|e| from_sqlite(&e))?;
                match scales.get(i) {
                    Some(Some(scale)) if *ty == PgType::Numeric => {
                        encode_numeric_scaled(buf, v, *scale, binary[i])
                    }
                    Some(Some(scale)) if *ty == NUMERIC_ARRAY => {
                        encode_numeric_array_scaled(buf, v, *scale, binary[i])
                    }
                    _ => encode_field(buf, v, *ty, binary[i]),
                }
                .map_err(|e| SqlError::new(e.code, e.message))?;
            }
            Ok(DataRow::new(buf.split(), ncols as i16))
        };
        let had_first = first.is_some();
        if let Some(row) = first {
            let r = encode(row, &mut buf)?;
            batch_bytes += r.data.len();
            batch.push(r);
            count += 1;
        }
        if had_first {
            while let Some(row) = rows.next().map_err(|e| from_sqlite_on(&self.db, &e))? {
                let r = encode(row, &mut buf)?;
                batch_bytes += r.data.len();
                batch.push(r);
                count += 1;
                // Rows to be read again are held back until they are.
                let full = batch.len() >= BATCH_ROWS || batch_bytes >= BATCH_BYTES;
                if full && reread.is_none() {
                    if !sink.rows(std::mem::take(&mut batch)) {
                        return Ok(Finished::Rows(count));
                    }
                    batch_bytes = 0;
                    if buf.capacity() < 1024 {
                        buf = BytesMut::with_capacity(BATCH_BYTES.max(8 * 1024));
                    }
                }
            }
        }
        if let Some(r) = reread.filter(|r| r.rowids.len() as u64 == count) {
            if let Some(stored) = stored_rows::each(&self.db, &r, run.params, ncols, |row| {
                encode(row, &mut buf).ok()
            }) {
                batch = stored;
            }
        }
        sink.last_rows(batch);
        drop(rows);
        self.note_steps(&stmt);
        Ok(Finished::Rows(count))
    }

    fn note_steps(&self, stmt: &rusqlite::Statement<'_>) {
        let steps = stmt.get_status(StatementStatus::VmStep).max(0) as u64;
        self.last_steps.store(steps, Ordering::Relaxed);
    }
}

/// Whether translated SQL is several statements: the translator joins them
/// with `; ` (DDL only, never with parameters or rows).
/// A single statement that merely contains "; " in a literal fails the
/// same way when retried as a batch.
/// An integrity error (`e`, raised by `sql` with `params` on `db`) with
/// what PostgreSQL's says and SQLite's does not: a foreign key's
/// constraint and key, a unique key's values, the row failing a NOT NULL
/// or CHECK constraint. `sql` runs again for it, its writes rolled back
/// (see `rerun`); only the error path pays.
pub fn explain_violation(db: &Connection, sql: &str, params: &[Value], e: SqlError) -> SqlError {
    if e.code == "23505" {
        if let Some(built) = unique_build::explain(db, sql) {
            return built;
        }
    }
    let e = match (e.code, written_table(sql)) {
        ("23514", Some(table)) => crate::sql::errors::check_violation_in(db, e, &table),
        _ => e,
    };
    // A domain's check, on a column of the domain: PostgreSQL names the
    // domain, not the row.
    if let (
        "23514",
        Some(ErrorObject {
            constraint: Some(c),
            ..
        }),
    ) = (e.code, e.object.as_deref())
    {
        if let Some(domain) = c.strip_prefix(crate::sql::translate::DOMAIN_NOT_NULL_PREFIX) {
            return SqlError::new(
                "23502",
                format!("domain {domain} does not allow null values"),
            );
        }
        if let Some(domain) = super::domains::of_check(db, c) {
            let mut domain_error = SqlError::new(
                "23514",
                format!("value for domain {domain} violates check constraint \"{c}\""),
            );
            domain_error.object = Some(Box::new(ErrorObject {
                constraint: Some(c.clone()),
                ..ErrorObject::default()
            }));
            return domain_error;
        }
    }
    match (e.code, e.object.as_deref()) {
        ("23503", None) => fk_violation::explain(db, sql, params).unwrap_or(e),
        ("23502" | "23514", Some(o)) if o.table.is_some() => {
            let table = o.table.clone().unwrap_or_default();
            match failing_row::explain(db, sql, params, &table) {
                Some(detail) => e.with_detail(detail),
                None => e,
            }
        }
        // An expression index (named, with no table or key columns).
        ("23505", Some(o)) if o.table.is_none() => {
            let index = o.constraint.clone().unwrap_or_default();
            match key_values::explain_index(db, sql, params, &index) {
                Some((table, detail)) => e.on(&table, None, Some(&index)).with_detail(detail),
                None => e,
            }
        }
        ("23505", Some(o)) if !o.key.is_empty() => {
            let table = o.table.clone().unwrap_or_default();
            match key_values::explain(db, sql, params, &table, &o.key) {
                Some(values) => {
                    let detail = key_values::already_exists(&o.key.join(", "), &values);
                    e.with_detail(detail)
                }
                None => e,
            }
        }
        _ => e,
    }
}

/// `ALTER TABLE t ADD COLUMN c` of a column `t` has: PostgreSQL's words
/// (SQLite's "duplicate column name" reads as CREATE TABLE's 42701).
fn existing_column(sql: &str) -> Option<SqlError> {
    crate::sql::stack::with_room_for_text(sql, || {
        use sqlparser::ast::{AlterTableOperation, Statement};
        let statements =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, sql)
                .ok()?;
        let Some(Statement::AlterTable(alter)) = statements.first() else {
            return None;
        };
        let column = alter.operations.iter().find_map(|o| match o {
            AlterTableOperation::AddColumn { column_def, .. } => {
                Some(column_def.name.value.clone())
            }
            _ => None,
        })?;
        let table = alter.name.0.last()?.as_ident()?.value.clone();
        let table = crate::sql::translate::schemas::relation_parts(&table).1;
        Some(SqlError::new(
            "42701",
            format!("column \"{column}\" of relation \"{table}\" already exists"),
        ))
    })
}

/// A missing column's error with PostgreSQL's "Perhaps you meant" hint.
fn with_column_hint(db: &Connection, sql: &str, e: SqlError) -> SqlError {
    let Some(rest) = e.message.strip_prefix("column ") else {
        return e;
    };
    let Some(column) = rest.strip_suffix(" does not exist") else {
        return e;
    };
    match column_hint::hint(db, sql, column.trim_matches('"')) {
        Some(h) => e.with_hint(h),
        None => e,
    }
}

/// SQLite's "2nd ORDER BY term out of range" counts terms; PostgreSQL's
/// error names the position written (`ORDER BY 5`).
fn order_position(sql: &str, e: SqlError) -> SqlError {
    crate::sql::stack::with_room_for_text(sql, || {
        use sqlparser::ast::{Expr, OrderByKind, Statement, Value};
        let Some((clause, rest)) = e.message.split_once(" position ") else {
            return e;
        };
        let Some(term) = rest.split(' ').next().and_then(|n| n.parse::<usize>().ok()) else {
            return e;
        };
        let Ok(statements) =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, sql)
        else {
            return e;
        };
        let Some(Statement::Query(query)) = statements.first() else {
            return e;
        };
        let written = match (clause, &query.order_by) {
            ("ORDER BY", Some(order)) => match &order.kind {
                OrderByKind::Expressions(terms) => terms.get(term.wrapping_sub(1)).map(|t| &t.expr),
                OrderByKind::All(_) => None,
            },
            _ => None,
        };
        match written {
            Some(Expr::Value(v)) if matches!(v.value, Value::Number(..)) => SqlError::new(
                e.code,
                format!("{clause} position {} is not in select list", v.value),
            ),
            _ => e,
        }
    })
}

/// The table an INSERT or UPDATE (SQLite's text) writes.
fn written_table(sql: &str) -> Option<String> {
    crate::sql::stack::with_room_for_text(sql, || {
        use sqlparser::ast::{Statement, TableFactor, TableObject};
        let mut statements =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, sql)
                .ok()?;
        let name = match statements.pop()? {
            Statement::Insert(insert) => match insert.table {
                TableObject::TableName(name) => name,
                _ => return None,
            },
            Statement::Update(update) => match update.table.relation {
                TableFactor::Table { name, .. } => name,
                _ => return None,
            },
            _ => return None,
        };
        Some(name.0.last()?.as_ident()?.value.clone())
    })
}

/// A transaction-control statement of fixed text (`BEGIN`, `COMMIT`,
/// `ROLLBACK`, the server's own savepoints), which returns no rows. A
/// client's savepoint names are left out: some differ at every use
/// (Django's), and would push hot statements out of the cache.
/// Whether `sql` begins with the keyword `word` (any case).
fn starts_with_word(sql: &str, word: &str) -> bool {
    let sql = sql.trim_start();
    sql.get(..word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
        && !sql[word.len()..].starts_with(|c: char| c.is_alphanumeric() || c == '_')
}

fn is_block_word(sql: &str) -> bool {
    if sql.contains(';') {
        return false;
    }
    let mut words = sql.split_ascii_whitespace();
    let first = words.next().unwrap_or("");
    match first.to_ascii_uppercase().as_str() {
        "BEGIN" | "COMMIT" | "END" => true,
        "ROLLBACK" => words.next().is_none(),
        "SAVEPOINT" | "RELEASE" => sql.contains("pgtenant_"),
        _ => false,
    }
}

fn several_statements(sql: &str) -> bool {
    sql.contains("; ")
}

/// The declared type of `table.column` on `db`.
pub fn declared_type(db: &Connection, table: &str, column: &str) -> Option<PgType> {
    let mut stmt = db
        .prepare_cached("SELECT pg_decl(type, dflt_value) FROM pragma_table_xinfo(?1) WHERE name = ?2 COLLATE NOCASE")
        .ok()?;
    let decl: String = stmt.query_row([table, column], |r| r.get(0)).ok()?;
    Some(PgType::from_decl(&decl))
}
