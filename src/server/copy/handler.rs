//! COPY in the protocol: starting it from a simple Query or an Execute, and
//! pgwire's CopyHandler for the CopyData / CopyDone / CopyFail that follow.
//!
//! An error while rows arrive is reported at CopyDone (the client is still
//! sending; PostgreSQL's clients read the result after CopyDone anyway).

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use futures::{Sink, SinkExt};
use pgwire::api::copy::CopyHandler;
use pgwire::api::results::Tag;
use pgwire::api::{ClientInfo, PgWireConnectionState};
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::copy::{CopyData, CopyDone, CopyFail, CopyInResponse};
use pgwire::messages::PgWireBackendMessage;

use super::copy_in::{self, Msg};
use crate::server::conn::ConnHandler;
use crate::server::session::Session;
use crate::server::simple::wire_status;
use crate::sql::translate::{CopyFormat, StmtKind, Translation};

/// Runs a COPY statement. `Ok(None)`: done, or COPY IN mode entered (the
/// connection state says which); `Ok(Some(info))`: an error to report.
pub async fn run<C>(
    handler: &ConnHandler,
    client: &mut C,
    session: &Arc<Session>,
    t: &Translation,
    extended: bool,
) -> PgWireResult<Option<Box<ErrorInfo>>>
where
    C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    match &t.kind {
        StmtKind::CopyIn {
            table,
            columns,
            options,
        } => match copy_in::start(session, table, columns, options).await {
            Ok((copy, ncols)) => {
                let format = (options.format == CopyFormat::Binary) as i16;
                handler.copy.put(copy);
                client.set_state(PgWireConnectionState::CopyInProgress(extended));
                client
                    .send(PgWireBackendMessage::CopyInResponse(CopyInResponse::new(
                        format as i8,
                        ncols as i16,
                        vec![format; ncols],
                    )))
                    .await?;
                Ok(None)
            }
            Err(e) => {
                session.note_error();
                Ok(Some(Box::new(e.into_info())))
            }
        },
        _ => {
            let r = super::copy_out::send(client, session, t).await?;
            if r.is_some() {
                session.note_error();
            }
            Ok(r)
        }
    }
}

fn finished<C: ClientInfo>(client: &mut C, session: &Session) {
    client.set_transaction_status(wire_status(session.tx_status()));
}

#[async_trait]
impl CopyHandler for ConnHandler {
    async fn on_copy_data<C>(&self, _client: &mut C, copy_data: CopyData) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if let Some(tx) = self.copy.sender() {
            // A closed channel means the load already failed: the error is
            // reported at CopyDone, the data is dropped.
            let _ = tx.send(Msg::Data(copy_data.data)).await;
        }
        Ok(())
    }

    async fn on_copy_done<C>(&self, client: &mut C, _done: CopyDone) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let Some(copy) = self.copy.take() else {
            return Ok(());
        };
        let session = copy.session.clone();
        let result = copy.finish(Msg::Done).await;
        match result {
            Ok(n) => {
                finished(client, &session);
                client
                    .feed(PgWireBackendMessage::CommandComplete(
                        Tag::new("COPY").with_rows(n as usize).into(),
                    ))
                    .await?;
                Ok(())
            }
            Err(info) => {
                session.note_error();
                finished(client, &session);
                Err(PgWireError::UserError(info))
            }
        }
    }

    async fn on_copy_fail<C>(&self, client: &mut C, fail: CopyFail) -> PgWireError
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        let Some(copy) = self.copy.take() else {
            return PgWireError::UserError(Box::new(ErrorInfo::new(
                "ERROR".into(),
                "57014".into(),
                format!("COPY from stdin failed: {}", fail.message),
            )));
        };
        let session = copy.session.clone();
        let info = match copy.finish(Msg::Fail(fail.message)).await {
            Err(info) => info,
            Ok(_) => Box::new(ErrorInfo::new(
                "ERROR".into(),
                "57014".into(),
                "COPY from stdin failed".into(),
            )),
        };
        session.note_error();
        finished(client, &session);
        PgWireError::UserError(info)
    }
}
