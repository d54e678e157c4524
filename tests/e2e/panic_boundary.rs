//! A panic while serving one session never takes the server down: the
//! client gets XX000, the fault is logged with the tenant, and every other
//! session (and new ones) go on.

use crate::common;

use std::fmt::Debug;
use std::sync::Arc;

use async_trait::async_trait;
use common::*;
use futures::Sink;
use pgtenant::server::wire::{self, ConnLabel};
use pgwire::api::auth::noop::NoopStartupHandler;
use pgwire::api::query::SimpleQueryHandler;
use pgwire::api::results::{Response, Tag};
use pgwire::api::{ClientInfo, ClientPortalStore, PgWireServerHandlers};
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::PgWireBackendMessage;
use tokio_postgres::error::SqlState;
use tokio_postgres::NoTls;

const PANIC: &str = "SELECT pgtenant_debug_panic()";

/// The real server, with the test-only panicking SQL function enabled: the
/// statement fails with XX000 and the session, its tenant's other sessions
/// and other tenants all keep working.
#[tokio::test]
async fn a_panicking_statement_fails_alone() {
    let server = TestServer::start_with(|c| c.debug_panic_function = true).await;
    let (acme, beta) = two_tenants(&server).await;

    let e = db_error(acme.simple_query(PANIC).await);
    assert_eq!(e.code(), &SqlState::INTERNAL_ERROR, "{e:?}");
    assert!(
        !e.message().contains("pgtenant_debug_panic"),
        "no internals leak: {}",
        e.message()
    );
    // Extended protocol too.
    assert_eq!(
        sqlstate(acme.query(PANIC, &[]).await),
        SqlState::INTERNAL_ERROR
    );

    // The session goes on, inside a transaction as PostgreSQL would.
    acme.batch_execute("BEGIN; INSERT INTO todo VALUES (2, 'kept')")
        .await
        .unwrap();
    assert_eq!(
        sqlstate(acme.simple_query(PANIC).await),
        SqlState::INTERNAL_ERROR
    );
    assert_eq!(
        sqlstate(acme.simple_query("SELECT 1").await),
        SqlState::IN_FAILED_SQL_TRANSACTION
    );
    acme.batch_execute("ROLLBACK").await.unwrap();
    let rows = acme
        .query("SELECT title FROM todo ORDER BY id", &[])
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);

    // A panic in the middle of a streamed result (the function runs on the
    // 5000th row, past the first batches already sent).
    let streamed =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 10000) \
                    SELECT x, CASE WHEN x = 5000 THEN pgtenant_debug_panic() END FROM c";
    assert_eq!(
        sqlstate(acme.simple_query(streamed).await),
        SqlState::INTERNAL_ERROR
    );
    assert_eq!(acme.query("SELECT 1", &[]).await.unwrap().len(), 1);

    // Everyone else is unaffected.
    let rows = beta.query("SELECT title FROM todo", &[]).await.unwrap();
    assert_eq!(rows[0].get::<_, String>(0), "beta secret");
    let again = server.connect_tenant("acme", "alice", "s3cret").await;
    assert_eq!(
        again.query("SELECT id FROM todo", &[]).await.unwrap().len(),
        1
    );
    assert_serves(&server).await;
}

/// Off by default: the function does not exist.
#[tokio::test]
async fn the_debug_function_is_off_by_default() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    assert_eq!(
        sqlstate(client.simple_query(PANIC).await),
        SqlState::UNDEFINED_FUNCTION
    );
}

/// The connection boundary itself (`wire::serve`, what every pgtenant
/// connection runs in): a handler that panics ends that one connection with
/// FATAL XX000, and the listener goes on serving other clients. A handler of
/// our own stands in for a bug, so no trigger exists in the server.
#[tokio::test]
async fn a_panic_in_the_connection_task_ends_only_that_connection() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let who: Arc<dyn ConnLabel> = Arc::new(Label);
            tokio::spawn(wire::serve(
                socket,
                Faulty(Arc::new(FaultyHandler)),
                false,
                who,
            ));
        }
    });
    let connect = || async move {
        let (client, conn) = tokio_postgres::Config::new()
            .host("127.0.0.1")
            .port(port)
            .user("anyone")
            .connect(NoTls)
            .await
            .expect("connects");
        (client, tokio::spawn(conn))
    };
    let (bystander, _) = connect().await;
    let (victim, victim_conn) = connect().await;
    bystander.simple_query("SELECT fine").await.expect("works");

    let e = db_error(victim.simple_query("SELECT panic").await);
    assert_eq!(e.code(), &SqlState::INTERNAL_ERROR);
    assert_eq!(e.severity(), "FATAL");
    // The server closed that connection...
    let _ = victim_conn.await;
    assert!(victim.is_closed());
    // ...and only that one.
    bystander
        .simple_query("SELECT fine")
        .await
        .expect("still works");
    let (newcomer, _) = connect().await;
    newcomer
        .simple_query("SELECT fine")
        .await
        .expect("new clients work");
}

struct Label;
impl ConnLabel for Label {
    fn label(&self) -> String {
        "test connection".into()
    }
}

struct FaultyHandler;

impl NoopStartupHandler for FaultyHandler {}

#[async_trait]
impl SimpleQueryHandler for FaultyHandler {
    async fn do_query<C>(&self, _client: &mut C, query: &str) -> PgWireResult<Vec<Response>>
    where
        C: ClientInfo + ClientPortalStore + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        if query.contains("panic") {
            panic!("a bug while serving {query}");
        }
        Ok(vec![Response::Execution(Tag::new("OK"))])
    }
}

struct Faulty(Arc<FaultyHandler>);

impl PgWireServerHandlers for Faulty {
    fn simple_query_handler(&self) -> Arc<impl SimpleQueryHandler> {
        self.0.clone()
    }

    fn startup_handler(&self) -> Arc<impl pgwire::api::auth::StartupHandler> {
        self.0.clone()
    }
}
