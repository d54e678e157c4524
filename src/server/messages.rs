//! Parse, Bind, Execute and Close for the extended protocol.
//!
//! pgwire's defaults flush the socket after ParseComplete, BindComplete and
//! CommandComplete, so one prepared-statement round trip costs three TCP
//! sends; PostgreSQL sends everything at Sync (or Flush). These versions only
//! queue messages; `on_sync`/`on_flush` flush. Execute also streams a result
//! straight to the socket instead of collecting it first.

use std::fmt::Debug;
use std::sync::Arc;

use futures::{Sink, SinkExt, StreamExt};
use pgwire::api::portal::{Portal, PortalExecutionState};
use pgwire::api::query::ExtendedQueryHandler;
use pgwire::api::results::{QueryResponse, Response, Tag};
use pgwire::api::stmt::StoredStatement;
use pgwire::api::store::{Entry, PortalStore};
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireConnectionState, DEFAULT_NAME};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::extendedquery::{
    Bind, BindComplete, Close, CloseComplete, Execute, Parse, ParseComplete, PortalSuspended,
    TARGET_TYPE_BYTE_PORTAL, TARGET_TYPE_BYTE_STATEMENT,
};
use pgwire::messages::response::EmptyQueryResponse;
use pgwire::messages::PgWireBackendMessage;

use super::conn::ConnHandler;
use super::extended::Statement;
use super::session::TxStatus;
use super::simple::wire_status;
use crate::sql::errors::SqlError;
use crate::sql::translate::StmtKind;

pub async fn parse<C>(handler: &ConnHandler, client: &mut C, message: Parse) -> PgWireResult<()>
where
    C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
    C::PortalStore: PortalStore<Statement = Statement>,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let name = message
        .name
        .clone()
        .unwrap_or_else(|| DEFAULT_NAME.to_owned());
    match StoredStatement::parse(client, &message, handler.query_parser()).await? {
        Some(stmt) => client.portal_store().put_statement(Arc::new(stmt)),
        None => client.portal_store().put_empty_statement(&name),
    }
    client
        .feed(PgWireBackendMessage::ParseComplete(ParseComplete::new()))
        .await?;
    Ok(())
}

pub async fn bind<C>(client: &mut C, message: Bind) -> PgWireResult<()>
where
    C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
    C::PortalStore: PortalStore<Statement = Statement>,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let statement_name = message.statement_name.as_deref().unwrap_or(DEFAULT_NAME);
    let portal_name = message.portal_name.as_deref().unwrap_or(DEFAULT_NAME);
    match client.portal_store().get_statement(statement_name) {
        Some(Entry::Value(statement)) => {
            let expected = statement.statement.param_types.len();
            if message.parameters.len() != expected {
                return Err(PgWireError::UserError(Box::new(ErrorInfo::new(
                    "ERROR".to_owned(),
                    "08P01".to_owned(),
                    format!(
                        "bind message supplies {} parameters, but prepared statement \"{}\" requires {expected}",
                        message.parameters.len(),
                        message.statement_name.as_deref().unwrap_or("")
                    ),
                ))));
            }
            let portal = Portal::try_new(&message, statement)?;
            client.portal_store().put_portal(Arc::new(portal));
        }
        Some(Entry::Empty) => client.portal_store().put_empty_portal(portal_name),
        None => return Err(PgWireError::StatementNotFound(statement_name.to_owned())),
    }
    client
        .feed(PgWireBackendMessage::BindComplete(BindComplete::new()))
        .await?;
    Ok(())
}

pub async fn close<C>(client: &mut C, message: Close) -> PgWireResult<()>
where
    C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
    C::PortalStore: PortalStore<Statement = Statement>,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let name = message.name.as_deref().unwrap_or(DEFAULT_NAME);
    match message.target_type {
        TARGET_TYPE_BYTE_STATEMENT => client.portal_store().rm_statement(name),
        TARGET_TYPE_BYTE_PORTAL => client.portal_store().rm_portal(name),
        _ => {}
    }
    client
        .feed(PgWireBackendMessage::CloseComplete(CloseComplete::new()))
        .await?;
    Ok(())
}

/// Sends up to `max_rows` rows (0 = all) of a result; returns whether rows remain.
async fn send_rows<C>(
    client: &mut C,
    resp: &mut QueryResponse,
    max_rows: usize,
) -> PgWireResult<(bool, usize)>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let mut sent = 0;
    while max_rows == 0 || sent < max_rows {
        match resp.data_rows().next().await {
            Some(row) => {
                client.feed(PgWireBackendMessage::DataRow(row?)).await?;
                sent += 1;
            }
            None => return Ok((false, sent)),
        }
    }
    // Exactly max_rows sent: PostgreSQL reports the portal suspended even
    // when no row is left, and completes on the next Execute.
    Ok((true, sent))
}

fn complete_tag(resp: &QueryResponse, rows: usize) -> Tag {
    match resp.command_tag() {
        // PostgreSQL's EXPLAIN tag carries no row count.
        "EXPLAIN" => Tag::new("EXPLAIN"),
        tag => Tag::new(tag).with_rows(rows),
    }
}

pub async fn execute<C>(handler: &ConnHandler, client: &mut C, message: Execute) -> PgWireResult<()>
where
    C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
    C::PortalStore: PortalStore<Statement = Statement>,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    if !matches!(client.state(), PgWireConnectionState::ReadyForQuery) {
        return Err(PgWireError::NotReadyForQuery);
    }
    let portal_name = message.name.as_deref().unwrap_or(DEFAULT_NAME);
    let max_rows = message.max_rows.max(0) as usize;
    let portal = match client.portal_store().get_portal(portal_name) {
        Some(Entry::Value(p)) => p,
        Some(Entry::Empty) => {
            client
                .feed(PgWireBackendMessage::EmptyQueryResponse(
                    EmptyQueryResponse::new(),
                ))
                .await?;
            return Ok(());
        }
        None => return Err(PgWireError::PortalNotFound(portal_name.to_owned())),
    };
    client.set_state(PgWireConnectionState::QueryInProgress);
    let result = execute_portal(handler, client, &portal, max_rows).await;
    if !matches!(client.state(), PgWireConnectionState::CopyInProgress(_)) {
        client.set_state(PgWireConnectionState::ReadyForQuery);
    }
    if let Ok(session) = handler.session() {
        client.set_transaction_status(wire_status(session.tx_status()));
    }
    result
}

async fn execute_portal<C>(
    handler: &ConnHandler,
    client: &mut C,
    portal: &Arc<Portal<Statement>>,
    max_rows: usize,
) -> PgWireResult<()>
where
    C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
    C::PortalStore: PortalStore<Statement = Statement>,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let state = portal.state();
    let mut state = state.lock().await;
    match std::mem::take(&mut *state) {
        PortalExecutionState::Initial
            if matches!(
                portal.statement.statement.translation.kind,
                StmtKind::CopyIn { .. } | StmtKind::CopyOut { .. }
            ) && portal.statement.statement.admin.is_none() =>
        {
            *state = PortalExecutionState::Finished;
            let session = handler.session()?.clone();
            if session.tx_status() == TxStatus::Failed {
                return Err(SqlError::in_failed_transaction().into());
            }
            let t = &portal.statement.statement.translation;
            if let Some(info) =
                super::copy::handler::run(handler, client, &session, t, true).await?
            {
                return Err(PgWireError::UserError(info));
            }
        }
        PortalExecutionState::Initial => {
            let response = handler.do_query(client, portal, max_rows).await?;
            let tag = match response {
                Response::Query(mut resp) => {
                    let (more, sent) = send_rows(client, &mut resp, max_rows).await?;
                    if more {
                        *state = PortalExecutionState::Suspended(resp);
                        client
                            .feed(PgWireBackendMessage::PortalSuspended(PortalSuspended::new()))
                            .await?;
                        return Ok(());
                    }
                    *state = PortalExecutionState::Finished;
                    complete_tag(&resp, sent)
                }
                Response::EmptyQuery => {
                    client
                        .feed(PgWireBackendMessage::EmptyQueryResponse(
                            EmptyQueryResponse::new(),
                        ))
                        .await?;
                    return Ok(());
                }
                Response::Execution(tag)
                | Response::TransactionStart(tag)
                | Response::TransactionEnd(tag) => {
                    *state = PortalExecutionState::Finished;
                    tag
                }
                Response::Error(e) => return Err(PgWireError::UserError(e)),
                Response::CopyIn(_) | Response::CopyOut(_) | Response::CopyBoth(_) => {
                    return Err(PgWireError::UserError(Box::new(ErrorInfo::new(
                        "ERROR".to_owned(),
                        "0A000".to_owned(),
                        "COPY is not supported in the extended protocol".to_owned(),
                    ))))
                }
            };
            client
                .feed(PgWireBackendMessage::CommandComplete(tag.into()))
                .await?;
        }
        PortalExecutionState::Suspended(mut resp) => {
            let (more, sent) = send_rows(client, &mut resp, max_rows).await?;
            if more {
                *state = PortalExecutionState::Suspended(resp);
                client
                    .feed(PgWireBackendMessage::PortalSuspended(PortalSuspended::new()))
                    .await?;
            } else {
                let tag = complete_tag(&resp, sent);
                *state = PortalExecutionState::Finished;
                client
                    .feed(PgWireBackendMessage::CommandComplete(tag.into()))
                    .await?;
            }
        }
        PortalExecutionState::Finished => {
            *state = PortalExecutionState::Finished;
            let tag = Tag::new("SELECT").with_rows(0);
            client
                .feed(PgWireBackendMessage::CommandComplete(tag.into()))
                .await?;
        }
    }
    Ok(())
}
