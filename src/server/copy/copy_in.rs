//! COPY FROM STDIN: one blocking task holds the session's connection (and
//! the tenant's writer slot) for the whole load, inside its own transaction
//! (or a savepoint of the enclosing block), and is fed the CopyData chunks
//! through a bounded channel. Any error rolls every row of the COPY back.
//! A remote tenant's COPY runs the same loader on an async task and sends
//! its batches to the libSQL server.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use pgwire::error::ErrorInfo;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use pgwire::api::portal::Format;
use pgwire::messages::data::DataRow;

use super::loader::{resolve, Loader, Pending};
use crate::backend::engine::Engine;
use crate::backend::libsql::RemoteConn;
use crate::backend::sqlite::exec::{ColumnInfo, RowSink, Run, Types};
use crate::server::session::{Session, TxStatus};
use crate::sql::errors::SqlError;
use crate::sql::pgtype::PgType;
use crate::sql::translate::CopyOptions;

/// What the protocol side sends to the loading task.
#[derive(Debug)]
pub enum Msg {
    Data(Bytes),
    Done,
    Fail(String),
}

/// A COPY FROM STDIN in progress.
pub struct CopyIn {
    tx: mpsc::Sender<Msg>,
    task: LoadTask,
    pub session: Arc<Session>,
}

/// Where a connection keeps its COPY in progress between CopyData messages.
#[derive(Default)]
pub struct CopySlot(Mutex<Option<CopyIn>>);

impl CopySlot {
    pub fn put(&self, c: CopyIn) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Some(c);
    }

    pub fn take(&self) -> Option<CopyIn> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    pub fn sender(&self) -> Option<mpsc::Sender<Msg>> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .map(|c| c.tx.clone())
    }
}

const SAVEPOINT: &str = "pgtenant_copy";

/// Checks the target and starts the loading task; returns it with the number
/// of columns for CopyInResponse. Errors come before COPY mode is entered.
pub async fn start(
    session: &Arc<Session>,
    table: &str,
    columns: &[String],
    options: &CopyOptions,
) -> Result<(CopyIn, usize), SqlError> {
    if session.tx_status() == TxStatus::Failed {
        return Err(SqlError::in_failed_transaction());
    }
    let in_block = session.tx_status() != TxStatus::Idle;
    let permit = session.writer_for_statement().await?;
    let (tx, mut rx) = mpsc::channel::<Msg>(16);
    let (ready_tx, ready_rx) = oneshot::channel::<Result<usize, SqlError>>();
    let (table, columns, options) = (table.to_owned(), columns.to_vec(), options.clone());
    let s = session.clone();
    if session.is_remote() {
        let task = tokio::spawn(async move {
            let r = load_remote(&s, &table, &columns, options, in_block, ready_tx, &mut rx).await;
            drop(permit);
            Ok(r)
        });
        return started(session, tx, task, ready_rx).await;
    }
    let task = tokio::spawn(async move {
        s.with_conn(move |conn| {
            // Rows in bulk: the block's COMMIT writes many pages.
            conn.mark_heavy();
            conn.statement_begins();
            let db = conn.sqlite();
            let target = match resolve(db, &table, &columns, &options) {
                Ok(t) => t,
                Err(e) => {
                    let _ = ready_tx.send(Err(e));
                    return Ok(Ok(0));
                }
            };
            let begin = if in_block {
                format!("SAVEPOINT {SAVEPOINT}")
            } else {
                "BEGIN IMMEDIATE".to_owned()
            };
            if let Err(e) = conn.batch(&begin) {
                let _ = ready_tx.send(Err(e));
                return Ok(Ok(0));
            }
            let _ = ready_tx.send(Ok(target.columns.len()));
            let mut loader = Loader::new(db, target, options);
            let result = loop {
                match rx.blocking_recv() {
                    Some(Msg::Data(chunk)) => {
                        if let Err(e) = loader.feed(&chunk) {
                            break Err(e);
                        }
                    }
                    Some(Msg::Done) => break loader.finish(),
                    Some(Msg::Fail(message)) => {
                        break Err(Box::new(
                            SqlError::new("57014", format!("COPY from stdin failed: {message}"))
                                .into_info(),
                        ))
                    }
                    None => {
                        break Err(Box::new(
                            SqlError::new("08006", "connection lost during COPY").into_info(),
                        ))
                    }
                }
            };
            drop(loader);
            let end = match (&result, in_block) {
                (Ok(_), true) => format!("RELEASE {SAVEPOINT}"),
                (Ok(_), false) => "COMMIT".to_owned(),
                (Err(_), true) => format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"),
                (Err(_), false) => "ROLLBACK".to_owned(),
            };
            let ended = conn.batch(&end);
            if ended.is_err() && !in_block && !conn.is_autocommit() {
                let _ = conn.batch("ROLLBACK");
            }
            drop(permit);
            Ok(match (result, ended) {
                (Ok(n), Ok(())) => Ok(n),
                (Ok(_), Err(e)) => Err(Box::new(e.into_info())),
                (Err(e), _) => Err(e),
            })
        })
        .await
    });
    started(session, tx, task, ready_rx).await
}

type LoadTask = JoinHandle<Result<Result<u64, Box<ErrorInfo>>, SqlError>>;

/// Waits for the loading task to accept the COPY (or refuse it).
async fn started(
    session: &Arc<Session>,
    tx: mpsc::Sender<Msg>,
    task: LoadTask,
    ready_rx: oneshot::Receiver<Result<usize, SqlError>>,
) -> Result<(CopyIn, usize), SqlError> {
    match ready_rx.await {
        Ok(Ok(ncols)) => Ok((
            CopyIn {
                tx,
                task,
                session: session.clone(),
            },
            ncols,
        )),
        Ok(Err(e)) => {
            let _ = task.await;
            Err(e)
        }
        Err(_) => match task.await {
            Ok(Err(e)) => Err(e),
            _ => Err(SqlError::internal("COPY", "the loading task ended early")),
        },
    }
}

impl CopyIn {
    /// Ends the COPY with `msg` (Done or Fail) and waits for the rows to be
    /// committed or rolled back; returns the row count or the error to report.
    pub async fn finish(self, msg: Msg) -> Result<u64, Box<ErrorInfo>> {
        let _ = self.tx.send(msg).await;
        drop(self.tx);
        match self.task.await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => Err(Box::new(e.into_info())),
            Err(e) => Err(Box::new(SqlError::internal("COPY", e).into_info())),
        }
    }
}

/// Discards a result (the INSERTs of a remote COPY return none).
struct NoRows;

impl RowSink for NoRows {
    fn schema(&mut self, _: &[ColumnInfo], _: &[PgType]) -> bool {
        true
    }
    fn rows(&mut self, _: Vec<DataRow>) -> bool {
        true
    }
    fn last_rows(&mut self, _: Vec<DataRow>) {}
}

/// Sends the INSERT batches the loader made so far to the remote server.
async fn send(r: &mut RemoteConn, pending: &mut Pending) -> Result<(), SqlError> {
    for (sql, values) in pending.0.drain(..) {
        let run = Run {
            sql: &sql,
            params: &values,
            types: Types::Infer(&[], None),
            scales: &[],
            format: &Format::UnifiedText,
        };
        r.run(&run, &mut NoRows).await?;
    }
    Ok(())
}

/// COPY FROM STDIN into a remote tenant: the same parsing and typed
/// batches as a local load, each batch sent as it fills, inside one
/// transaction (or savepoint) on the remote server. The schema mirror names
/// the columns and types.
async fn load_remote(
    session: &Arc<Session>,
    table: &str,
    columns: &[String],
    options: CopyOptions,
    in_block: bool,
    ready: oneshot::Sender<Result<usize, SqlError>>,
    rx: &mut mpsc::Receiver<Msg>,
) -> Result<u64, Box<ErrorInfo>> {
    let Some(mut r) = session.remote_guard().await else {
        let _ = ready.send(Err(SqlError::internal("COPY", "not a remote session")));
        return Ok(0);
    };
    let target = match r.fresh_mirror().await {
        Ok(m) => resolve(m.catalog().sqlite(), table, columns, &options),
        Err(e) => Err(e),
    };
    let target = match target {
        Ok(t) => t,
        Err(e) => {
            let _ = ready.send(Err(e));
            return Ok(0);
        }
    };
    let begin = if in_block {
        format!("SAVEPOINT {SAVEPOINT}")
    } else {
        "BEGIN".to_owned()
    };
    if let Err(e) = r.batch(&begin).await {
        let _ = ready.send(Err(e));
        return Ok(0);
    }
    let _ = ready.send(Ok(target.columns.len()));
    let info = |e: SqlError| Box::new(e.into_info());
    let mut loader = Loader::new(Pending::default(), target, options);
    let zone = session.zone();
    let result = loop {
        match rx.recv().await {
            Some(Msg::Data(chunk)) => {
                if let Err(e) = crate::sql::zone::scoped(zone, || loader.feed(&chunk)) {
                    break Err(e);
                }
                if let Err(e) = send(&mut r, loader.out()).await {
                    break Err(info(e));
                }
            }
            Some(Msg::Done) => {
                break match loader.finish() {
                    Ok(n) => send(&mut r, loader.out()).await.map(|_| n).map_err(info),
                    Err(e) => Err(e),
                }
            }
            Some(Msg::Fail(message)) => {
                break Err(info(SqlError::new(
                    "57014",
                    format!("COPY from stdin failed: {message}"),
                )))
            }
            None => break Err(info(SqlError::new("08006", "connection lost during COPY"))),
        }
    };
    let end = match (&result, in_block) {
        (Ok(_), true) => format!("RELEASE {SAVEPOINT}"),
        (Ok(_), false) => "COMMIT".to_owned(),
        (Err(_), true) => format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"),
        (Err(_), false) => "ROLLBACK".to_owned(),
    };
    let ended = r.batch(&end).await;
    if ended.is_err() && !in_block && !r.is_autocommit() {
        let _ = r.batch("ROLLBACK").await;
    }
    match (result, ended) {
        (Ok(n), Ok(())) => Ok(n),
        (Ok(_), Err(e)) => Err(info(e)),
        (Err(e), _) => Err(e),
    }
}
