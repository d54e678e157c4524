//! One client connection: the handler object pgwire drives, created per
//! connection so it can hold the session directly.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use async_trait::async_trait;
use pgwire::api::auth::AuthDriver;
use pgwire::api::cancel::CancelHandler;
use pgwire::api::PgWireServerHandlers;
use pgwire::error::PgWireError;
use pgwire::messages::cancel::CancelRequest;
use tokio::net::TcpStream;

use super::auth::LoginSource;
use super::params::Params;
use super::session::Session;
use super::sessions::ConnCtl;
use super::Server;
use crate::sql::errors::SqlError;

pub struct ConnHandler {
    pub server: Arc<Server>,
    pub ctl: Arc<ConnCtl>,
    pub session: Arc<OnceLock<Arc<Session>>>,
    pub parser: Arc<super::extended::Parser>,
    pub driver: AuthDriver<Params>,
    /// The login being authenticated (between Startup and AuthenticationOk).
    pub pending: Mutex<Option<Arc<LoginSource>>>,
    pub peer: SocketAddr,
    /// The server's end of the connection (`inet_server_addr()`).
    pub local: Option<SocketAddr>,
    /// A COPY FROM STDIN in progress.
    pub copy: super::copy::CopySlot,
}

impl ConnHandler {
    fn new(server: Arc<Server>, peer: SocketAddr, local: Option<SocketAddr>) -> ConnHandler {
        let session = Arc::new(OnceLock::new());
        ConnHandler {
            // One pid generator for the whole server: pids identify sessions
            // for CancelRequest and must be unique.
            driver: AuthDriver::new(Params {
                server_version: server.config.server_version.clone(),
                admin_user: server.config.admin_user.clone(),
            })
            .with_pid_secret_key_generator(server.pids.clone()),
            parser: Arc::new(super::extended::Parser {
                session: session.clone(),
            }),
            server,
            ctl: Arc::new(ConnCtl::default()),
            session,
            pending: Mutex::new(None),
            peer,
            local,
            copy: Default::default(),
        }
    }

    /// The session, once authenticated; every query path goes through here.
    pub fn session(&self) -> Result<&Arc<Session>, SqlError> {
        if self.ctl.is_killed() {
            return Err(SqlError::new(
                "57P01",
                "terminating connection due to administrator command",
            )
            .fatal());
        }
        self.session.get().ok_or_else(|| {
            SqlError::new("08P01", "no session: authentication has not completed").fatal()
        })
    }
}

/// The handlers pgwire asks for, all served by the one per-connection object.
pub struct Handlers(pub Arc<ConnHandler>);

impl PgWireServerHandlers for Handlers {
    fn simple_query_handler(&self) -> Arc<impl pgwire::api::query::SimpleQueryHandler> {
        self.0.clone()
    }

    fn extended_query_handler(&self) -> Arc<impl pgwire::api::query::ExtendedQueryHandler> {
        self.0.clone()
    }

    fn startup_handler(&self) -> Arc<impl pgwire::api::auth::StartupHandler> {
        self.0.clone()
    }

    fn cancel_handler(&self) -> Arc<impl CancelHandler> {
        self.0.clone()
    }

    fn copy_handler(&self) -> Arc<impl pgwire::api::copy::CopyHandler> {
        self.0.clone()
    }

    fn error_handler(&self) -> Arc<impl pgwire::api::ErrorHandler> {
        Arc::new(CountErrors)
    }
}

/// Counts the errors pgwire sends for us (the simple-query path sends its
/// own and counts them there).
struct CountErrors;

impl pgwire::api::ErrorHandler for CountErrors {
    fn on_error<C: pgwire::api::ClientInfo>(&self, _client: &C, error: &mut PgWireError) {
        let code = match error {
            PgWireError::UserError(info) => info.code.as_str(),
            other => other.code(),
        };
        crate::metrics::global().error(code);
    }
}

#[async_trait]
impl CancelHandler for ConnHandler {
    async fn on_cancel_request(&self, req: CancelRequest) {
        self.server
            .sessions
            .cancel(req.pid, &req.secret_key.to_bytes());
    }
}

/// Serves one TCP connection until the client leaves or the server ends it.
pub async fn serve_connection(server: Arc<Server>, socket: TcpStream, peer: SocketAddr) {
    let auth_timeout = Duration::from_secs(server.config.authentication_timeout_secs.max(1));
    let _counted = crate::metrics::global().connection();
    let tls = server.tls.clone();
    let local = socket.local_addr().ok();
    let handler = Arc::new(ConnHandler::new(server, peer, local));
    let ctl = handler.ctl.clone();
    let auth_deadline = {
        let ctl = ctl.clone();
        async move {
            tokio::time::sleep(auth_timeout).await;
            if ctl.authenticated.load(Ordering::Acquire) {
                std::future::pending::<()>().await;
            }
            tracing::info!(%peer, "authentication timeout: closing connection");
        }
    };
    let sasl = handler.server.config.auth_method == crate::config::AuthMethod::ScramSha256;
    let who: Arc<dyn super::wire::ConnLabel> = handler.clone();
    tokio::select! {
        // Every log line of this connection (and of its blocking work, which
        // enters the span) names the peer, and the tenant once known.
        r = tracing::Instrument::instrument(
            super::wire::serve_tls(socket, tls, Handlers(handler.clone()), sasl, who),
            tracing::info_span!("conn", %peer, tenant = tracing::field::Empty, user = tracing::field::Empty),
        ) => {
            if let Err(e) = r {
                tracing::debug!(%peer, error = %e, "connection ended with an I/O error");
            }
        }
        // An idle connection gets its FATAL 57P01 from the message loop; a
        // busy one is cut off here, shortly after.
        _ = async { ctl.killed().await; tokio::time::sleep(std::time::Duration::from_millis(200)).await } => {
            tracing::info!(%peer, "connection closed by the server");
        }
        _ = auth_deadline => {}
    }
}

impl super::wire::ConnLabel for ConnHandler {
    fn control(&self) -> Option<Arc<ConnCtl>> {
        Some(self.ctl.clone())
    }

    fn idle_notifications(&self) -> Vec<super::notify::Notification> {
        match self.session.get() {
            Some(s) if !self.ctl.is_busy() => s.notifications_due(),
            _ => Vec::new(),
        }
    }

    fn label(&self) -> String {
        match self.session.get() {
            Some(s) => format!(
                "peer={} user={} tenant={}",
                self.peer,
                s.identity.user(),
                s.identity.tenant().unwrap_or("(admin)")
            ),
            None => format!("peer={} (not authenticated)", self.peer),
        }
    }
}

impl Drop for ConnHandler {
    /// The client is gone: stop whatever its session is still running (a
    /// runaway query must not keep a blocking thread busy for nobody).
    fn drop(&mut self) {
        if let Some(session) = self.session.get() {
            session.abandon();
        }
    }
}
