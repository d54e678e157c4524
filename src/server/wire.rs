//! The message loop of one connection: pgwire's SSL negotiation, then every
//! frame checked (`frame_guard`) and dispatched through pgwire's
//! `process_message`, with each step behind a panic boundary.
//!
//! pgwire's own `process_socket` ends a connection silently on a malformed
//! message and lets a panic unwind through the task. Here a refused frame
//! gets the FATAL ErrorResponse PostgreSQL would send (08P01, 0A000) and a
//! panic while serving a message is logged with the session's tenant and
//! answered with FATAL XX000: the one connection ends, the server and every
//! other session go on.

use std::io;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures::{FutureExt, SinkExt, StreamExt};
use pgwire::api::{ClientInfo, ErrorHandler, PgWireConnectionState, PgWireServerHandlers};
use pgwire::error::{ErrorInfo, PgWireError};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};
use pgwire::tokio::server::{negotiate_tls, process_error, process_message};
use tokio::net::TcpStream;
use tokio_util::codec::{Framed, FramedParts};

use super::fault::panic_text;
use super::frame_guard::{refusal, FrameGuard};
use super::frames::FrameChecker;

/// Who a connection belongs to, for the log line of a panic.
pub trait ConnLabel: Send + Sync {
    fn label(&self) -> String;

    /// Set when the server ends the connection (its tenant was dropped or
    /// suspended, or shutdown): between messages the client then gets
    /// PostgreSQL's FATAL 57P01 before the close, not a bare EOF.
    fn control(&self) -> Option<Arc<super::sessions::ConnCtl>> {
        None
    }

    /// Notifications to send now that the connection waits for the client
    /// (none inside a transaction block: they wait for its end).
    fn idle_notifications(&self) -> Vec<super::notify::Notification> {
        Vec::new()
    }
}

/// Serves one TCP connection until the client leaves, a FATAL error, or a
/// panic. `sasl`: SCRAM is the authentication method (it shapes the first
/// password message).
pub async fn serve<H: PgWireServerHandlers>(
    socket: TcpStream,
    handlers: H,
    sasl: bool,
    who: Arc<dyn ConnLabel>,
) -> io::Result<()> {
    serve_tls(socket, None, handlers, sasl, who).await
}

/// `serve`, answering SSLRequest with `S` and a TLS handshake when an
/// acceptor is configured (the SNI name then reaches tenant resolution).
pub async fn serve_tls<H: PgWireServerHandlers>(
    socket: TcpStream,
    tls: Option<pgwire::tokio::TlsAcceptor>,
    handlers: H,
    sasl: bool,
    who: Arc<dyn ConnLabel>,
) -> io::Result<()> {
    let Some(framed) = negotiate_tls(socket, tls).await? else {
        return Ok(());
    };
    let old = framed.into_parts();
    let guard = FrameGuard::new(old.io, FrameChecker::new(sasl), &old.read_buf);
    let mut parts = FramedParts::new(guard, old.codec);
    parts.write_buf = old.write_buf;
    let mut socket = Framed::from_parts(parts);

    let startup = handlers.startup_handler();
    let simple = handlers.simple_query_handler();
    let extended = handlers.extended_query_handler();
    let copy = handlers.copy_handler();
    let cancel = handlers.cancel_handler();
    let errors = handlers.error_handler();
    let ctl = who.control();
    // One future for the connection's life: made afresh per message, it
    // registered and unregistered a waiter on the kill Notify every time.
    let mut killed = std::pin::pin!(async {
        match &ctl {
            Some(c) => c.killed().await,
            None => std::future::pending().await,
        }
    });

    let inbox = ctl.as_ref().map(|c| c.inbox.clone());
    let notified = || async {
        match &inbox {
            Some(i) => i.ready().await,
            None => std::future::pending().await,
        }
    };

    loop {
        // Framed's `next` is cancel-safe: a partly read message stays buffered.
        let next = tokio::select! {
            biased;
            _ = &mut killed => {
                send_fatal(
                    &mut socket,
                    "57P01",
                    "terminating connection due to administrator command",
                )
                .await;
                break;
            }
            _ = notified(), if inbox.as_ref().is_some_and(|i| i.is_subscribed()) => {
                let due = who.idle_notifications();
                if !due.is_empty() {
                    for n in due {
                        socket.feed(super::notify::message(n)).await?;
                    }
                    socket.flush().await?;
                }
                continue;
            }
            next = AssertUnwindSafe(socket.next()).catch_unwind() => next,
        };
        let next = match next {
            Ok(next) => next,
            Err(panic) => {
                tracing::error!(
                    who = who.label(),
                    panic = panic_text(&panic),
                    "panic decoding a message"
                );
                send_fatal(
                    &mut socket,
                    "XX000",
                    "internal error while reading a message",
                )
                .await;
                break;
            }
        };
        let msg = match next {
            None => break,
            Some(Ok(msg)) => msg,
            Some(Err(PgWireError::IoError(e))) => {
                if let Some(refused) = refusal(&e) {
                    tracing::info!(who = who.label(), reason = %refused, "refused a malformed message");
                    send_fatal(&mut socket, refused.code, &refused.message).await;
                }
                break;
            }
            Some(Err(e)) => {
                tracing::info!(who = who.label(), error = %e, "refused a malformed message");
                send_fatal(&mut socket, "08P01", &e.to_string()).await;
                break;
            }
        };
        // Terminate: the client is leaving (some clients wait for the close).
        if matches!(msg, PgWireFrontendMessage::Terminate(_)) {
            break;
        }
        let is_extended = match socket.state() {
            PgWireConnectionState::CopyInProgress(extended) => extended,
            _ => msg.is_extended_query(),
        };
        let is_cancel = matches!(msg, PgWireFrontendMessage::CancelRequest(_));
        let served = AssertUnwindSafe(process_message(
            msg,
            &mut socket,
            startup.clone(),
            simple.clone(),
            extended.clone(),
            copy.clone(),
            cancel.clone(),
        ))
        .catch_unwind()
        .await;
        match served {
            Ok(Ok(())) => {}
            Ok(Err(mut e)) => {
                errors.on_error(&socket, &mut e);
                if e.is_fatal() {
                    // FATAL ends the session: the error and the close, with
                    // no ReadyForQuery after it (pgwire's process_error
                    // would send one).
                    let info: ErrorInfo = e.into();
                    let _ = socket
                        .send(PgWireBackendMessage::ErrorResponse(info.into()))
                        .await;
                    break;
                }
                process_error(&mut socket, e, is_extended).await?;
            }
            Err(panic) => {
                tracing::error!(
                    who = who.label(),
                    panic = panic_text(&panic),
                    "panic while serving a connection: closing it"
                );
                send_fatal(&mut socket, "XX000", "internal error: the server closed this session after a fault; other sessions are unaffected").await;
                break;
            }
        }
        if is_cancel {
            break;
        }
    }
    Ok(())
}

/// Sends a FATAL ErrorResponse, if the socket still takes it.
async fn send_fatal<T, C>(socket: &mut Framed<T, C>, code: &str, message: &str)
where
    Framed<T, C>: futures::Sink<PgWireBackendMessage> + Unpin,
{
    let info = ErrorInfo::new("FATAL".to_owned(), code.to_owned(), message.to_owned());
    let _ = socket
        .send(PgWireBackendMessage::ErrorResponse(info.into()))
        .await;
}
