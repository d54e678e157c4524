//! `statement_timeout` ends a runaway query with 57014 and the connection
//! stays usable.

use crate::common;

use std::time::{Duration, Instant};

use common::{simple_rows, sqlstate, TestServer, RUNAWAY};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

const BOUND: Duration = Duration::from_secs(30);

/// Runs the runaway query expecting the timeout to end it; if it does not
/// end within BOUND, cancels it (so no thread is left spinning) and fails.
async fn runaway_fails(client: &Client, extended: bool) -> tokio_postgres::Error {
    let run = async {
        if extended {
            client.query(RUNAWAY, &[]).await.map(|_| ())
        } else {
            client.simple_query(RUNAWAY).await.map(|_| ())
        }
    };
    match tokio::time::timeout(BOUND, run).await {
        Ok(r) => r.expect_err("the runaway query must fail"),
        Err(_) => {
            let _ = client
                .cancel_token()
                .cancel_query(tokio_postgres::NoTls)
                .await;
            panic!("statement_timeout did not end the query within {BOUND:?}");
        }
    }
}

fn assert_timed_out(err: tokio_postgres::Error) {
    assert_eq!(err.code(), Some(&SqlState::QUERY_CANCELED), "{err:?}");
    assert_eq!(
        err.as_db_error().expect("database error").message(),
        "canceling statement due to statement timeout"
    );
}

async fn usable(client: &Client) {
    let rows = client.simple_query("SELECT 'alive'").await.expect("usable");
    assert_eq!(simple_rows(&rows), vec![vec![Some("alive".to_owned())]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_protocol_query_times_out() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("SET statement_timeout = '200ms'")
        .await
        .expect("set");
    let started = Instant::now();
    let err = runaway_fails(&client, false).await;
    assert!(
        started.elapsed() >= Duration::from_millis(200),
        "ended after {:?}, before the timeout",
        started.elapsed()
    );
    assert_timed_out(err);
    usable(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extended_protocol_query_times_out() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("SET statement_timeout = 200")
        .await
        .expect("set");
    let err = runaway_fails(&client, true).await;
    assert_timed_out(err);
    usable(&client).await;
    // A quick statement is not affected by the timeout.
    let n: i64 = client
        .query_one("SELECT count(*) FROM (SELECT 1) AS s", &[])
        .await
        .expect("quick query")
        .get(0);
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_inside_a_block_fails_the_block() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("CREATE TABLE t (id int); SET statement_timeout = '200ms'")
        .await
        .expect("setup");
    client
        .batch_execute("BEGIN; INSERT INTO t VALUES (1)")
        .await
        .expect("begin");
    let err = runaway_fails(&client, false).await;
    assert_timed_out(err);
    let err = client.simple_query("SELECT 1").await;
    assert_eq!(sqlstate(err), SqlState::IN_FAILED_SQL_TRANSACTION);
    client.batch_execute("ROLLBACK").await.expect("rollback");
    let rows = client
        .simple_query("SELECT count(*) FROM t")
        .await
        .expect("count");
    assert_eq!(simple_rows(&rows), vec![vec![Some("0".to_owned())]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_can_be_turned_off_again() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("SET statement_timeout = '200ms'")
        .await
        .expect("set");
    client
        .batch_execute("SET statement_timeout = 0")
        .await
        .expect("reset");
    let rows = client
        .simple_query("SHOW statement_timeout")
        .await
        .expect("show");
    assert_eq!(simple_rows(&rows), vec![vec![Some("0".to_owned())]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn show_statement_timeout_uses_postgres_units() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    for (set, shown) in [
        ("'200ms'", "200ms"),
        ("1500", "1500ms"),
        ("'2s'", "2s"),
        ("'1min'", "1min"),
    ] {
        client
            .batch_execute(&format!("SET statement_timeout = {set}"))
            .await
            .expect("set");
        let rows = client
            .simple_query("SHOW statement_timeout")
            .await
            .expect("show");
        assert_eq!(
            simple_rows(&rows),
            vec![vec![Some(shown.to_owned())]],
            "SET {set}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_from_startup_options() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let mut config = server.config("alice@acme", None, "s3cret");
    config.options("-c statement_timeout=200");
    let (client, _task) = server.connect_with(&config).await.expect("connect");
    let err = runaway_fails(&client, false).await;
    assert_timed_out(err);
    usable(&client).await;
}

/// A write that stayed short runs on the async worker next time (no
/// thread hand-off); when the same statement then runs away it still ends
/// at statement_timeout, in and out of a block, and is not run inline again.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn write_seen_short_still_times_out() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("CREATE TABLE t (x bigint); SET statement_timeout = '300ms'")
        .await
        .expect("setup");
    let insert = "INSERT INTO t SELECT g FROM generate_series(1, $1::bigint) AS g";
    for _ in 0..3 {
        client
            .execute(insert, &[&2i64])
            .await
            .expect("short insert");
    }
    let started = Instant::now();
    let run = client.execute(insert, &[&4_000_000_000i64]);
    let err = match tokio::time::timeout(BOUND, run).await {
        Ok(r) => r.expect_err("the runaway insert must fail"),
        Err(_) => {
            let _ = client
                .cancel_token()
                .cancel_query(tokio_postgres::NoTls)
                .await;
            panic!("statement_timeout did not end the insert within {BOUND:?}");
        }
    };
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_timed_out(err);
    usable(&client).await;
    // Inside a block: the block fails, as in PostgreSQL, and rolls back.
    client.batch_execute("BEGIN").await.expect("begin");
    client.execute(insert, &[&1i64]).await.expect("in block");
    let err = tokio::time::timeout(BOUND, client.execute(insert, &[&4_000_000_000i64]))
        .await
        .expect("ends within the bound")
        .expect_err("times out");
    assert_timed_out(err);
    let err = client
        .execute(insert, &[&1i64])
        .await
        .expect_err("block failed");
    assert_eq!(err.code(), Some(&SqlState::IN_FAILED_SQL_TRANSACTION));
    client.batch_execute("ROLLBACK").await.expect("rollback");
    let n: i64 = client
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 6, "only the short inserts outside the block stay");
}
