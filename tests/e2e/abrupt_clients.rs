//! Bad input on the socket: garbage instead of a startup packet, an absurd
//! length prefix, truncated packets, clients vanishing mid-query. After
//! each, the server still serves a normal client.

use crate::common;

use std::time::Duration;

use common::{assert_serves, simple_rows, wait_for, wait_until, TestServer, RUNAWAY};
use futures::StreamExt;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_postgres::SimpleQueryMessage;

const BOUND: Duration = Duration::from_secs(10);

/// Writes `bytes`, then reads until the server closes the connection.
/// Returns what the server sent before closing.
async fn send_and_wait_for_close(server: &TestServer, bytes: &[u8]) -> Vec<u8> {
    let mut sock = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect");
    sock.write_all(bytes).await.expect("write");
    let mut reply = Vec::new();
    let read = tokio::time::timeout(BOUND, async {
        let mut buf = [0u8; 4096];
        loop {
            match sock.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => reply.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(
        read.is_ok(),
        "the server kept the connection open after {} bytes of bad input (sent back {:?})",
        bytes.len(),
        reply
    );
    reply
}

/// Whatever the server sent back is at most an ErrorResponse ('E').
fn assert_error_or_nothing(reply: &[u8]) {
    if let Some(first) = reply.first() {
        assert_eq!(*first, b'E', "unexpected reply {reply:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn text_garbage_instead_of_a_startup_packet() {
    let server = TestServer::start().await;
    let reply = send_and_wait_for_close(&server, b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").await;
    assert_error_or_nothing(&reply);
    assert_serves(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_protocol_version() {
    let server = TestServer::start().await;
    // Length 16, protocol version 0x12345678, then junk.
    let mut packet = vec![0, 0, 0, 16, 0x12, 0x34, 0x56, 0x78];
    packet.extend_from_slice(b"junkjunk");
    let reply = send_and_wait_for_close(&server, &packet).await;
    assert_error_or_nothing(&reply);
    assert_serves(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_gigabyte_length_prefix() {
    let server = TestServer::start().await;
    let mut packet = vec![0x40, 0, 0, 0];
    packet.extend_from_slice(&[0, 3, 0, 0, b'u', b's', b'e', b'r', 0]);
    let reply = send_and_wait_for_close(&server, &packet).await;
    assert_error_or_nothing(&reply);
    assert_serves(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn length_prefix_shorter_than_the_header() {
    let server = TestServer::start().await;
    let reply = send_and_wait_for_close(&server, &[0, 0, 0, 2, 0, 3, 0, 0]).await;
    assert_error_or_nothing(&reply);
    assert_serves(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn truncated_startup_packet_then_disconnect() {
    let server = TestServer::start().await;
    {
        let mut sock = TcpStream::connect(("127.0.0.1", server.port))
            .await
            .expect("connect");
        // Announces 64 bytes, sends 12, then goes away.
        sock.write_all(&[0, 0, 0, 64, 0, 3, 0, 0, b'u', b's', b'e', b'r'])
            .await
            .expect("write");
    }
    assert_serves(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ssl_request_is_declined_then_garbage() {
    let server = TestServer::start().await;
    let mut sock = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .expect("connect");
    // SSLRequest: length 8, code 80877103.
    sock.write_all(&[0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f])
        .await
        .expect("write");
    let mut answer = [0u8; 1];
    tokio::time::timeout(BOUND, sock.read_exact(&mut answer))
        .await
        .expect("answer in time")
        .expect("one byte");
    assert_eq!(&answer, b"N", "no TLS on this listener");
    // Then an unknown protocol version: the server must hang up.
    sock.write_all(&[0, 0, 0, 8, 0x7f, 0x7f, 0x7f, 0x7f])
        .await
        .expect("write");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(BOUND, sock.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "connection still open; got {rest:?}");
    assert_error_or_nothing(&rest);
    assert_serves(&server).await;
}

/// Streams endless rows to a client, which then vanishes; the server must
/// notice, stop the statement and end the session. `timeout` sets a
/// statement_timeout first (long, so it does not end the statement itself).
async fn vanish_while_rows_stream(timeout: Option<&str>) {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let config = server.config("alice@acme", None, "s3cret");
    let (client, task) = server.connect_with(&config).await.expect("connect");
    if let Some(t) = timeout {
        client
            .batch_execute(&format!("SET statement_timeout = '{t}'"))
            .await
            .expect("set");
    }
    let cancel = client.cancel_token();
    let mut stream = Box::pin(
        client
            .simple_query_raw(common::STREAMING_RUNAWAY)
            .await
            .expect("query starts"),
    );
    loop {
        if let SimpleQueryMessage::Row(_) = stream.next().await.expect("msg").expect("ok") {
            break;
        }
    }
    assert_eq!(server.server.sessions.count_tenant("acme"), 1);
    // Vanish: drop the socket with the query running.
    task.abort();
    let _ = task.await;
    drop(stream);
    drop(client);
    let ended = wait_for(BOUND, || server.server.sessions.count_tenant("acme") == 0).await;
    if !ended {
        // Do not leave a runaway statement behind: the test runtime waits for it.
        let _ = cancel.cancel_query(tokio_postgres::NoTls).await;
        panic!("the abandoned session did not end within {BOUND:?}");
    }
    let again = server.connect_tenant("acme", "alice", "s3cret").await;
    let rows = again.simple_query("SELECT 1").await.expect("SELECT 1");
    assert_eq!(simple_rows(&rows), vec![vec![Some("1".to_owned())]]);
    assert_serves(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_vanishes_while_rows_stream() {
    vanish_while_rows_stream(None).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_vanishes_while_rows_stream_with_a_statement_timeout() {
    vanish_while_rows_stream(Some("60s")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn client_vanishes_during_a_silent_runaway_query() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let config = server.config("alice@acme", None, "s3cret");
    let (client, task) = server.connect_with(&config).await.expect("connect");
    // count(*) over an endless recursion sends nothing until it ends, so (as
    // in PostgreSQL) the server only learns the client left when it ends:
    // statement_timeout bounds it.
    client
        .batch_execute("SET statement_timeout = '1s'")
        .await
        .expect("set");
    let running = tokio::spawn(async move {
        let r = client.simple_query(RUNAWAY).await;
        (client, r)
    });
    // A second session of the same tenant works while the runaway runs.
    let other = server.connect_tenant("acme", "alice", "s3cret").await;
    other
        .batch_execute("CREATE TABLE t (a int); INSERT INTO t VALUES (1)")
        .await
        .expect("writes while the runaway runs");
    running.abort();
    let _ = running.await;
    task.abort();
    let _ = task.await;
    wait_until("the abandoned session to end", BOUND, || {
        server.server.sessions.count_tenant("acme") == 1
    })
    .await;
    let rows = other.simple_query("SELECT a FROM t").await.expect("select");
    assert_eq!(simple_rows(&rows), vec![vec![Some("1".to_owned())]]);
    assert_serves(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_bad_connections_in_parallel() {
    let server = TestServer::start().await;
    let mut tasks = Vec::new();
    for i in 0..20u8 {
        let port = server.port;
        tasks.push(tokio::spawn(async move {
            let mut sock = TcpStream::connect(("127.0.0.1", port)).await?;
            sock.write_all(&[i, 0xff, i, 0xff, 1, 2, 3]).await?;
            Ok::<_, std::io::Error>(())
        }));
    }
    for t in tasks {
        t.await.expect("join").expect("connect and write");
    }
    assert_serves(&server).await;
}
