//! Graceful shutdown: no new connections, running statements finish and
//! reply, idle sessions are closed, and the server returns.

use crate::common;

use std::time::Duration;

use common::*;

/// Runs for a noticeable time (hundreds of ms) and then answers.
const SLOW_COUNT: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) \
                          SELECT count(*) FROM c";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_statement_finishes_before_the_server_stops() {
    let mut server = TestServer::start_with(|c| c.shutdown_grace_secs = 30).await;
    let busy = server.fresh_tenant("acme").await;
    let idle = server.connect_tenant("acme", "alice", "s3cret").await;
    idle.simple_query("SELECT 1")
        .await
        .expect("idle session works");

    // Prepared first, so the only messages in flight at shutdown are the
    // Bind/Execute/Sync of the running statement.
    let slow = busy.prepare(SLOW_COUNT).await.expect("prepare");
    let sessions = server.server.clone();
    // A reply reaches the client just before its session stops counting
    // as busy: wait for the idle session to settle, so the count below is
    // the slow statement's.
    wait_until("no session is busy", Duration::from_secs(10), || {
        sessions.sessions.busy_count() == 0
    })
    .await;
    let running = tokio::spawn(async move { busy.query_one(&slow, &[]).await });
    wait_until(
        "the slow statement is running",
        Duration::from_secs(10),
        || sessions.sessions.busy_count() > 0,
    )
    .await;

    server.shutdown().await.expect("server stops cleanly");

    let row = running
        .await
        .expect("query task")
        .expect("the running statement completes during shutdown");
    assert_eq!(row.get::<_, i64>(0), 1_000_000);
    assert!(
        idle.simple_query("SELECT 1").await.is_err(),
        "idle sessions are closed at shutdown"
    );
    let refused = server.try_connect_tenant("acme", "alice", "s3cret").await;
    assert!(refused.is_err(), "no new connections after shutdown");
}
