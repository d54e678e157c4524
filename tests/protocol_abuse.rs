//! Hostile and broken clients over raw TCP: every malformed start, length
//! or message is refused cleanly (the FATAL ErrorResponse PostgreSQL sends,
//! then the close), stalled clients are closed by authentication_timeout,
//! and the server keeps serving everyone else throughout.

mod common;

use std::time::{Duration, Instant};

use common::*;
use rand::{Rng, SeedableRng};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// What the server sent before closing: its messages as (type, body).
async fn replies_until_close(stream: &mut TcpStream, within: Duration) -> Vec<(u8, Vec<u8>)> {
    let mut bytes = Vec::new();
    let read_all = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => bytes.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read_all)
        .await
        .expect("the server closes the connection");
    let mut out = Vec::new();
    let mut rest = &bytes[..];
    while rest.len() >= 5 {
        let len = u32::from_be_bytes([rest[1], rest[2], rest[3], rest[4]]) as usize;
        assert!(len >= 4 && rest.len() > len, "well-formed reply: {bytes:?}");
        out.push((rest[0], rest[5..len + 1].to_vec()));
        rest = &rest[len + 1..];
    }
    assert!(rest.is_empty(), "whole messages only: {bytes:?}");
    out
}

/// Severity, SQLSTATE and message of an ErrorResponse body.
fn error_fields(body: &[u8]) -> (String, String, String) {
    let (mut sev, mut code, mut msg) = (String::new(), String::new(), String::new());
    for field in body.split(|&b| b == 0).filter(|f| !f.is_empty()) {
        let text = String::from_utf8_lossy(&field[1..]).into_owned();
        match field[0] {
            b'S' => sev = text,
            b'C' => code = text,
            b'M' => msg = text,
            _ => {}
        }
    }
    (sev, code, msg)
}

/// Sends `bytes` on a fresh connection; returns the FATAL error the server
/// answered with before closing.
async fn refused(server: &TestServer, bytes: &[u8]) -> (String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    s.write_all(bytes).await.unwrap();
    fatal_of(&mut s).await
}

async fn fatal_of(s: &mut TcpStream) -> (String, String) {
    let replies = replies_until_close(s, Duration::from_secs(10)).await;
    let (kind, body) = replies.last().expect("an ErrorResponse before the close");
    assert_eq!(*kind, b'E', "replies: {replies:?}");
    let (sev, code, msg) = error_fields(body);
    assert_eq!(sev, "FATAL");
    (code, msg)
}

fn startup(major: u16, minor: u16, params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = Vec::new();
    body.extend_from_slice(&major.to_be_bytes());
    body.extend_from_slice(&minor.to_be_bytes());
    for (k, v) in params {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut out = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    out.extend(body);
    out
}

fn typed(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    out.extend_from_slice(body);
    out
}

fn header(kind: u8, len: u32) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&len.to_be_bytes());
    out
}

async fn abuse_server() -> TestServer {
    TestServer::start_with(|c| {
        c.authentication_timeout_secs = 1;
    })
    .await
}

/// A raw connection logged in as alice@acme, past ReadyForQuery.
async fn logged_in(server: &TestServer) -> TcpStream {
    let mut s = TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    s.write_all(&startup(
        3,
        0,
        &[("user", "alice@acme"), ("database", "app")],
    ))
    .await
    .unwrap();
    scram_login(&mut s, "s3cret").await;
    // Read up to ReadyForQuery ('Z', 5 + 1 bytes).
    let mut got = Vec::new();
    let mut chunk = [0u8; 1024];
    while !got.windows(6).any(|w| w == b"Z\0\0\0\x05I") {
        let n = s.read(&mut chunk).await.unwrap();
        assert!(n > 0, "login completes: {got:?}");
        got.extend_from_slice(&chunk[..n]);
    }
    s
}

/// One backend message: (type, body).
async fn read_message(s: &mut TcpStream) -> (u8, Vec<u8>) {
    let mut head = [0u8; 5];
    s.read_exact(&mut head).await.unwrap();
    let len = u32::from_be_bytes([head[1], head[2], head[3], head[4]]) as usize;
    let mut body = vec![0u8; len - 4];
    s.read_exact(&mut body).await.unwrap();
    (head[0], body)
}

/// Reads an Authentication message and returns its code and data.
async fn read_auth(s: &mut TcpStream) -> (u32, Vec<u8>) {
    let (kind, body) = read_message(s).await;
    assert_eq!(kind, b'R', "an authentication request: {body:?}");
    let code = u32::from_be_bytes([body[0], body[1], body[2], body[3]]);
    (code, body[4..].to_vec())
}

/// SCRAM-SHA-256 by hand (the client side from postgres-protocol), so the
/// test owns the raw socket once logged in.
async fn scram_login(s: &mut TcpStream, password: &str) {
    use postgres_protocol::authentication::sasl::{ChannelBinding, ScramSha256};
    let (code, _) = read_auth(s).await;
    assert_eq!(code, 10, "asks for SASL");
    let mut scram = ScramSha256::new(password.as_bytes(), ChannelBinding::unsupported());
    let first = scram.message().to_vec();
    let mut body = b"SCRAM-SHA-256\0".to_vec();
    body.extend_from_slice(&(first.len() as u32).to_be_bytes());
    body.extend_from_slice(&first);
    s.write_all(&typed(b'p', &body)).await.unwrap();
    let (code, data) = read_auth(s).await;
    assert_eq!(code, 11, "SASL continue");
    scram.update(&data).unwrap();
    s.write_all(&typed(b'p', scram.message())).await.unwrap();
    let (code, data) = read_auth(s).await;
    assert_eq!(code, 12, "SASL final");
    scram.finish(&data).unwrap();
}

#[tokio::test]
async fn malformed_startups_are_refused_like_postgres() {
    let server = abuse_server().await;
    let (code, msg) = refused(&server, &startup(2, 0, &[("user", "alice@acme")])).await;
    assert_eq!(code, "0A000");
    assert!(
        msg.starts_with("unsupported frontend protocol 2.0"),
        "{msg}"
    );
    let (code, _) = refused(&server, &startup(4, 0, &[("user", "alice@acme")])).await;
    assert_eq!(code, "0A000");

    let (code, msg) = refused(&server, &startup(3, 0, &[("database", "app")])).await;
    assert_eq!(
        (code.as_str(), msg.as_str()),
        (
            "28000",
            "no PostgreSQL user name specified in startup packet"
        )
    );

    // Undersized and oversized length prefixes.
    for len in [0u32, 4, 7, 10_001, 0x7fff_ffff, 0xffff_ffff] {
        let mut bytes = len.to_be_bytes().to_vec();
        bytes.extend_from_slice(&[0, 3, 0, 0]);
        let (code, msg) = refused(&server, &bytes).await;
        assert_eq!(
            (code.as_str(), msg.as_str()),
            ("08P01", "invalid length of startup packet"),
            "length {len}"
        );
    }
    // Parameters that run past the packet.
    let mut bad = startup(3, 0, &[("user", "alice@acme")]);
    bad.pop();
    bad[3] -= 1;
    assert_eq!(refused(&server, &bad).await.0, "08P01");
    assert_serves(&server).await;
}

#[tokio::test]
async fn malformed_messages_during_authentication_are_refused() {
    let server = abuse_server().await;
    for frame in [
        header(b'p', 0),           // undersized
        header(b'p', 0x4000_0000), // oversized
        header(b'p', 0xffff_fff0), // negative
        typed(b'p', b"no terminator"),
        typed(b'Z', b""), // not a frontend message
    ] {
        let mut s = TcpStream::connect(("127.0.0.1", server.port))
            .await
            .unwrap();
        s.write_all(&startup(3, 0, &[("user", "alice@acme")]))
            .await
            .unwrap();
        s.write_all(&frame).await.unwrap();
        let (code, _) = fatal_of(&mut s).await;
        assert_eq!(code, "08P01", "frame {frame:?}");
    }
    assert_serves(&server).await;
}

#[tokio::test]
async fn malformed_messages_in_a_session_end_only_that_session() {
    let server = abuse_server().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let bystander = server.connect_tenant("acme", "alice", "s3cret").await;
    bystander
        .batch_execute("CREATE TABLE t (a int)")
        .await
        .unwrap();

    let cases: Vec<(Vec<u8>, &str)> = vec![
        (header(b'Q', 0), "invalid message length"),
        (header(b'Q', 3), "invalid message length"),
        (header(b'S', 100_000), "invalid message length"),
        (header(b'Q', 0x7fff_ffff), "invalid message length"),
        (typed(b'Q', b"SELECT 1"), "invalid string in message"),
        (typed(b'Q', b"SELECT 1\0trailing"), "invalid message format"),
        (typed(b'C', b""), "insufficient data left in message"),
        (typed(b'D', b"X\0"), "invalid DESCRIBE message subtype"),
        (typed(b'E', b"\0"), "insufficient data left in message"),
        // Bind: a parameter claiming more bytes than the message holds.
        (
            typed(b'B', b"\0\0\0\0\0\x01\0\0\x10\0ab\0\0"),
            "insufficient data left in message",
        ),
        (
            typed(b'B', b"\0\0\0\0\0\x01\xff\xff\xff\xfe\0\0"),
            "invalid parameter length",
        ),
        (
            typed(b'P', b"\0SELECT 1\0\0\x05\0\0\0\x17"),
            "insufficient data left in message",
        ),
        (
            typed(b'd', b"")
                .split_at(1)
                .0
                .iter()
                .copied()
                .chain(0u32.to_be_bytes())
                .collect(),
            "invalid message length",
        ),
        (typed(b'F', b"\0\0\0\0"), "invalid frontend message type 70"),
        (vec![0xff; 64], "invalid frontend message type 255"),
    ];
    for (frame, want) in cases {
        let mut s = logged_in(&server).await;
        s.write_all(&frame).await.unwrap();
        let (code, msg) = fatal_of(&mut s).await;
        assert_eq!(
            (code.as_str(), msg.as_str()),
            ("08P01", want),
            "frame {frame:?}"
        );
        // The other session never noticed.
        bystander
            .execute("INSERT INTO t VALUES (1)", &[])
            .await
            .unwrap();
    }
    // Good messages before a bad one in the same packet are still served.
    let mut s = logged_in(&server).await;
    let mut burst = typed(b'Q', b"INSERT INTO t VALUES (2)\0");
    burst.extend(header(b'Q', 1));
    s.write_all(&burst).await.unwrap();
    let replies = replies_until_close(&mut s, Duration::from_secs(10)).await;
    let kinds: Vec<u8> = replies.iter().map(|r| r.0).collect();
    assert_eq!(kinds, b"CZE", "{replies:?}");
    let n: i64 = bystander
        .query_one("SELECT count(*) FROM t WHERE a = 2", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

#[tokio::test]
async fn random_bytes_never_hurt_the_server() {
    let server = abuse_server().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let bystander = server.connect_tenant("acme", "alice", "s3cret").await;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5eed);
    let port = server.port;
    let mut clients = tokio::task::JoinSet::new();
    for round in 0..100 {
        let len = rng.random_range(1..2048);
        let mut bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        if round % 2 == 1 {
            // Garbage after a valid startup packet reaches the message decoder.
            let mut s = startup(3, 0, &[("user", "alice@acme")]);
            s.append(&mut bytes);
            bytes = s;
        }
        clients.spawn(async move {
            let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
            let _ = s.write_all(&bytes).await;
            // Refused at once, or closed by authentication_timeout (1 s) when
            // the garbage reads as the start of a longer message.
            for (kind, body) in replies_until_close(&mut s, Duration::from_secs(10)).await {
                if kind == b'E' {
                    assert_eq!(error_fields(&body).0, "FATAL");
                }
            }
        });
    }
    while let Some(r) = clients.join_next().await {
        r.expect("client task");
    }
    assert_eq!(bystander.query("SELECT 1", &[]).await.unwrap().len(), 1);
    assert_serves(&server).await;
}

#[tokio::test]
async fn stalled_clients_are_closed_by_authentication_timeout() {
    let server = abuse_server().await;
    let started = Instant::now();
    let mut stalled = Vec::new();
    // Half a startup packet; a whole startup then half a password message;
    // nothing at all.
    let full = startup(3, 0, &[("user", "alice@acme")]);
    let mut half_password = full.clone();
    half_password.extend_from_slice(&typed(b'p', b"s3cret\0")[..4]);
    for bytes in [full[..5].to_vec(), half_password, Vec::new()] {
        let mut s = TcpStream::connect(("127.0.0.1", server.port))
            .await
            .unwrap();
        s.write_all(&bytes).await.unwrap();
        stalled.push(s);
    }
    for mut s in stalled {
        replies_until_close(&mut s, Duration::from_secs(10)).await;
    }
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(900),
        "closed only after the timeout: {waited:?}"
    );
    assert_serves(&server).await;
}

#[tokio::test]
async fn thousands_of_connections_opened_and_dropped() {
    let server = abuse_server().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let fds_before = open_fds();
    let bystander = server.connect_tenant("acme", "alice", "s3cret").await;
    let port = server.port;
    let churn = tokio::spawn(async move {
        let mut refused = 0;
        for batch in 0..10 {
            let mut tasks = tokio::task::JoinSet::new();
            for i in 0..200 {
                tasks.spawn(async move {
                    let mut s = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
                    match (batch + i) % 3 {
                        0 => {} // connect and vanish
                        1 => {
                            // half a startup packet, then vanish
                            let _ = s.write_all(&[0, 0, 0, 40, 0, 3]).await;
                        }
                        _ => {
                            // a packet the server refuses; read the refusal
                            let _ = s.write_all(&[0, 0, 0, 0, 0, 0, 0, 0]).await;
                            let mut b = Vec::new();
                            let _ = tokio::time::timeout(
                                Duration::from_secs(10),
                                s.read_to_end(&mut b),
                            )
                            .await;
                            return usize::from(b.first() == Some(&b'E'));
                        }
                    }
                    0
                });
            }
            while let Some(r) = tasks.join_next().await {
                refused += r.unwrap();
            }
        }
        refused
    });
    // A normal client keeps working during the churn...
    let mut served = 0;
    while !churn.is_finished() {
        bystander
            .execute("SELECT 1", &[])
            .await
            .expect("served during the churn");
        served += 1;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let refused = churn.await.unwrap();
    assert_eq!(
        refused,
        (0..10)
            .map(|b| (0..200).filter(|i| (b + i) % 3 == 2).count())
            .sum::<usize>()
    );
    assert!(served > 0);
    // ...and after it; every abandoned connection is closed (no leaked
    // sockets), the stalled ones by authentication_timeout.
    assert_serves(&server).await;
    if let Some(before) = fds_before {
        wait_until(
            "abandoned connections to close",
            Duration::from_secs(15),
            || open_fds().is_some_and(|n| n <= before + 20),
        )
        .await;
    }
}

/// Open file descriptors of this process (Linux), or None elsewhere.
fn open_fds() -> Option<usize> {
    std::fs::read_dir("/proc/self/fd").ok().map(|d| d.count())
}
