//! CancelRequest from another task interrupts a running query with 57014
//! and leaves the connection usable.
//!
//! The runaway query streams rows, so the first row received proves the
//! server is executing it before the cancel is sent (a CancelRequest that
//! arrives before the query starts is ignored, as in PostgreSQL).

use crate::common;

use std::time::Duration;

use common::{TestServer, STREAMING_RUNAWAY};
use futures::{pin_mut, StreamExt};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Client, NoTls, SimpleQueryMessage};

/// Bounds a step so a broken cancel fails the test instead of hanging it.
const BOUND: Duration = Duration::from_secs(30);

async fn backstop(client: &Client) {
    // If cancel is broken the blocking thread still ends (with a different message).
    client
        .batch_execute("SET statement_timeout = '45s'")
        .await
        .expect("set backstop timeout");
}

fn assert_canceled_by_user(err: &tokio_postgres::Error) {
    assert_eq!(err.code(), Some(&SqlState::QUERY_CANCELED), "{err:?}");
    let db = err.as_db_error().expect("database error");
    assert_eq!(db.message(), "canceling statement due to user request");
}

/// Waits for the first data row of a simple query: the query is running.
async fn first_row(mut stream: std::pin::Pin<&mut tokio_postgres::SimpleQueryStream>) {
    loop {
        match stream
            .next()
            .await
            .expect("messages")
            .expect("no error yet")
        {
            SimpleQueryMessage::Row(r) => {
                assert_eq!(r.get(0), Some("1"));
                return;
            }
            _ => continue,
        }
    }
}

async fn still_usable(client: &Client) {
    let v: i64 = client
        .query_one(
            "SELECT count(*) FROM (SELECT 1 UNION ALL SELECT 2) AS s",
            &[],
        )
        .await
        .expect("connection usable after cancel")
        .get(0);
    assert_eq!(v, 2);
    let rows = client
        .simple_query("SELECT 'ok'")
        .await
        .expect("simple query after cancel");
    assert_eq!(
        common::simple_rows(&rows),
        vec![vec![Some("ok".to_owned())]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_extended_protocol_query() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    backstop(&client).await;
    let stream = client
        .query_raw(STREAMING_RUNAWAY, std::iter::empty::<&dyn ToSql>())
        .await
        .expect("query starts");
    pin_mut!(stream);
    let first = stream
        .next()
        .await
        .expect("a first row")
        .expect("first row ok");
    assert_eq!(first.get::<_, i32>(0), 1);

    let token = client.cancel_token();
    let canceller = tokio::spawn(async move { token.cancel_query(NoTls).await });

    let err = tokio::time::timeout(BOUND, async {
        loop {
            match stream.next().await {
                Some(Ok(_)) => {}
                Some(Err(e)) => break e,
                None => panic!("the runaway query ended without an error"),
            }
        }
    })
    .await
    .expect("the query ends soon after the cancel");
    canceller.await.expect("join").expect("cancel request sent");
    assert_canceled_by_user(&err);
    still_usable(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_simple_protocol_query() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    backstop(&client).await;
    let stream = client
        .simple_query_raw(STREAMING_RUNAWAY)
        .await
        .expect("query starts");
    pin_mut!(stream);
    first_row(stream.as_mut()).await;
    let token = client.cancel_token();
    let canceller = tokio::spawn(async move { token.cancel_query(NoTls).await });
    let err = tokio::time::timeout(BOUND, async {
        loop {
            match stream.next().await {
                Some(Ok(_)) => {}
                Some(Err(e)) => break e,
                None => panic!("the runaway query ended without an error"),
            }
        }
    })
    .await
    .expect("the query ends soon after the cancel");
    canceller.await.expect("join").expect("cancel request sent");
    assert_canceled_by_user(&err);
    still_usable(&client).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_of_another_session_is_not_affected() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    let other = server.connect_tenant("acme", "alice", "s3cret").await;
    backstop(&client).await;
    let stream = client
        .simple_query_raw(STREAMING_RUNAWAY)
        .await
        .expect("query starts");
    pin_mut!(stream);
    first_row(stream.as_mut()).await;
    // The other session is idle: canceling it must not touch the runaway query,
    // and the other session keeps working.
    other
        .cancel_token()
        .cancel_query(NoTls)
        .await
        .expect("cancel request sent");
    let v: i32 = other
        .query_one("SELECT 5::int4", &[])
        .await
        .expect("other session works")
        .get(0);
    assert_eq!(v, 5);
    // The runaway is still running: many more rows arrive.
    for _ in 0..1000 {
        stream
            .next()
            .await
            .expect("more rows")
            .expect("still running");
    }
    client
        .cancel_token()
        .cancel_query(NoTls)
        .await
        .expect("cancel request sent");
    let err = tokio::time::timeout(BOUND, async {
        loop {
            match stream.next().await {
                Some(Ok(_)) => {}
                Some(Err(e)) => break e,
                None => panic!("ended without an error"),
            }
        }
    })
    .await
    .expect("ends after the cancel");
    assert_canceled_by_user(&err);
}
