//! The simple query protocol. pgwire's default collects every statement's
//! response before sending any; this handler runs and sends statement by
//! statement, so rows stream and a later statement sees the earlier one's
//! effects, with PostgreSQL's implicit transaction for multi-statement
//! queries and its failed-transaction rules.

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{Sink, SinkExt};
use pgwire::api::portal::Format;
use pgwire::api::query::{
    send_execution_response, send_query_response, send_ready_for_query, SimpleQueryHandler,
};
use pgwire::api::results::Response;
use pgwire::api::store::PortalStore;
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireConnectionState};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::response::{EmptyQueryResponse, TransactionStatus};
use pgwire::messages::simplequery::Query;
use pgwire::messages::PgWireBackendMessage;

use super::conn::ConnHandler;
use super::session::{Outcome, Session, TxStatus};
use crate::sql::errors::SqlError;
use crate::sql::translate::StmtKind;

pub fn wire_status(s: TxStatus) -> TransactionStatus {
    match s {
        TxStatus::Idle => TransactionStatus::Idle,
        TxStatus::InBlock => TransactionStatus::Transaction,
        TxStatus::Failed => TransactionStatus::Error,
    }
}

/// Sends an error without ending the connection, unless it is FATAL.
async fn send_error<C>(client: &mut C, e: SqlError) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    send_error_in(client, e, "").await
}

/// [`send_error`] for an error of a statement of `sql`, with the position
/// in it the error points at (see `sql::error_position`; none for an empty
/// `sql`).
async fn send_error_in<C>(client: &mut C, e: SqlError, sql: &str) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    if e.fatal {
        return Err(e.into());
    }
    crate::metrics::global().error(e.code);
    client
        .feed(PgWireBackendMessage::ErrorResponse(
            e.into_info_at(sql).into(),
        ))
        .await?;
    Ok(())
}

async fn send_error_info<C>(client: &mut C, info: ErrorInfo) -> PgWireResult<()>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    crate::metrics::global().error(&info.code);
    client
        .feed(PgWireBackendMessage::ErrorResponse(info.into()))
        .await?;
    Ok(())
}

/// Sends one statement's outcome. A failure while streaming rows is
/// returned as the error to report (rows already sent stay sent, as in PostgreSQL).
pub async fn send_outcome<C>(
    client: &mut C,
    outcome: Outcome,
) -> PgWireResult<Option<Box<ErrorInfo>>>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    match outcome {
        Outcome::Rows(resp) => match send_query_response(client, resp, true).await {
            Ok(()) => Ok(None),
            Err(PgWireError::UserError(info)) => Ok(Some(info)),
            Err(e) => Err(e),
        },
        Outcome::Command(tag) | Outcome::TxStart(tag) | Outcome::TxEnd(tag) => {
            send_execution_response(client, tag).await?;
            Ok(None)
        }
    }
}

#[async_trait]
impl SimpleQueryHandler for ConnHandler {
    async fn on_query<C>(&self, client: &mut C, query: Query) -> PgWireResult<()>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if !matches!(client.state(), PgWireConnectionState::ReadyForQuery) {
            return Err(PgWireError::NotReadyForQuery);
        }
        let session = self.session()?.clone();
        self.ctl.begin_work();
        client.set_state(PgWireConnectionState::QueryInProgress);
        let sql = query.query;
        if sql.chars().all(|c| c == ';' || c.is_whitespace()) {
            client
                .feed(PgWireBackendMessage::EmptyQueryResponse(
                    EmptyQueryResponse::new(),
                ))
                .await?;
        } else if session.is_admin() {
            match crate::admin::run_simple(&session, &sql).await {
                Ok(outcomes) => {
                    for o in outcomes {
                        if let Some(info) = send_outcome(client, o).await? {
                            send_error_info(client, *info).await?;
                            break;
                        }
                    }
                }
                Err(e) => send_error(client, e).await?,
            }
        } else if run_statements(self, client, &session, &sql).await? {
            // COPY FROM STDIN: CopyDone/CopyFail end the query (pgwire then
            // sends ReadyForQuery).
            return Ok(());
        }
        client.set_state(PgWireConnectionState::ReadyForQuery);
        let status = wire_status(session.tx_status());
        client.set_transaction_status(status);
        for m in session.reports_due() {
            client.feed(m).await?;
        }
        for n in session.notifications_due() {
            client.feed(super::notify::message(n)).await?;
        }
        send_ready_for_query(client, status).await?;
        self.ctl.end_work();
        Ok(())
    }

    async fn do_query<C>(&self, _client: &mut C, _query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::PortalStore: PortalStore,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        unreachable!("on_query is overridden")
    }
}

/// Runs a tenant's query string statement by statement. Returns true when
/// it ended by entering COPY FROM STDIN mode.
async fn run_statements<C>(
    handler: &ConnHandler,
    client: &mut C,
    session: &Arc<Session>,
    sql: &str,
) -> PgWireResult<bool>
where
    C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    // Constants lifted out as parameters share one cached translation; if
    // the lifted form does not translate to the same statements, use the text as is.
    let lifted = match crate::sql::normalize::normalize(sql) {
        Some(n) => match session.translate(&n.text).await {
            Ok(stmts) if stmts.len() == n.literals.len() => Some((stmts, n.literals)),
            _ => None,
        },
        None => None,
    };
    let (stmts, mut literals) = match lifted {
        Some((s, l)) => (s, l),
        None => match session.translate(sql).await {
            Ok(s) => (s, Vec::new()),
            Err(e) => {
                session.note_error();
                send_error_in(client, e, sql).await?;
                return Ok(false);
            }
        },
    };
    if stmts.len() > 1
        && stmts
            .iter()
            .any(|t| matches!(t.kind, StmtKind::CopyIn { .. }))
    {
        session.note_error();
        let e = SqlError::new(
            "0A000",
            "COPY FROM STDIN must be the only statement of its query string",
        );
        send_error(client, e).await?;
        return Ok(false);
    }
    // PostgreSQL runs a multi-statement query in one implicit transaction,
    // unless it manages transactions itself.
    let implicit = stmts.len() > 1
        && session.tx_status() == TxStatus::Idle
        && !stmts.iter().any(|t| {
            matches!(
                t.kind,
                StmtKind::Begin { .. }
                    | StmtKind::Commit
                    | StmtKind::Rollback
                    | StmtKind::Savepoint(_)
                    | StmtKind::Release(_)
                    | StmtKind::RollbackTo(_)
            )
        });
    if implicit {
        if let Err(e) = session.begin(true, "BEGIN", None).await {
            send_error(client, e).await?;
            return Ok(false);
        }
    }
    let text = Format::UnifiedText;
    let mut failed = false;
    for (i, t) in stmts.iter().enumerate() {
        let mut params = literals.get_mut(i).map(std::mem::take).unwrap_or_default();
        if !params.is_empty() {
            if let Err(e) = super::lifted::canonical(session, &t.params, &mut params).await {
                session.note_error();
                send_error_in(client, e, sql).await?;
                failed = true;
                break;
            }
        }
        if matches!(t.kind, StmtKind::CopyIn { .. } | StmtKind::CopyOut { .. }) {
            if session.tx_status() == TxStatus::Failed {
                session.note_error();
                send_error(client, SqlError::in_failed_transaction()).await?;
                failed = true;
                break;
            }
            match super::copy::handler::run(handler, client, session, t, false).await? {
                Some(info) => {
                    send_error_info(client, *info).await?;
                    failed = true;
                    break;
                }
                None if matches!(client.state(), PgWireConnectionState::CopyInProgress(_)) => {
                    return Ok(true);
                }
                None => continue,
            }
        }
        let result = session.execute(t, params, &text, None).await;
        for m in session.notices.take() {
            client.feed(m).await?;
        }
        match result {
            Ok(outcome) => {
                if let Some(info) = send_outcome(client, outcome).await? {
                    session.note_error();
                    send_error_info(client, *info).await?;
                    failed = true;
                }
            }
            Err(e) => {
                send_error_in(client, e, sql).await?;
                failed = true;
            }
        }
        if failed {
            break;
        }
    }
    if implicit {
        if let Err(e) = session.end_block(!failed).await {
            send_error(client, e).await?;
        }
    }
    Ok(false)
}
