//! Group commit end to end: concurrent writers of one tenant, over real
//! sockets, lose nothing, and every acknowledged commit waited for a WAL
//! fsync (shared between commits that arrived together). With
//! `group_commit = false` SQLite fsyncs inside COMMIT and group commit's
//! counters do not move. One test in this binary: the counters are the
//! process's.

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const CLIENTS: usize = 8;
const ROUNDS: usize = 25;

async fn scrape(server: &TestServer) -> String {
    wait_until("the metrics endpoint", Duration::from_secs(5), || {
        server.server.metrics_addr.get().is_some()
    })
    .await;
    let addr = *server.server.metrics_addr.get().unwrap();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    raw.split_once("\r\n\r\n").unwrap().1.to_owned()
}

fn sample(text: &str, series: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("{series} missing from\n{text}"))
}

/// Runs the workload on a fresh tenant: CLIENTS sessions, each ROUNDS
/// transactions (an UPDATE of one shared row and an INSERT) plus an
/// autocommit INSERT every fifth round. Returns the commits acknowledged.
async fn workload(server: &TestServer, tenant: &str) -> u64 {
    let setup = server.fresh_tenant(tenant).await;
    setup
        .batch_execute(
            "CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL);
             INSERT INTO acct VALUES (1, 0);
             CREATE TABLE hist (id serial PRIMARY KEY, client int, n int);",
        )
        .await
        .unwrap();
    let mut tasks = Vec::new();
    for c in 0..CLIENTS {
        let client = server.connect_tenant(tenant, "alice", "s3cret").await;
        tasks.push(tokio::spawn(async move {
            let mut commits = 0u64;
            for n in 0..ROUNDS {
                client
                    .batch_execute(&format!(
                        "BEGIN;
                         UPDATE acct SET bal = bal + 1 WHERE id = 1;
                         INSERT INTO hist (client, n) VALUES ({c}, {n});
                         COMMIT;"
                    ))
                    .await
                    .unwrap();
                commits += 1;
                if n % 5 == 0 {
                    client
                        .execute(
                            "INSERT INTO hist (client, n) VALUES ($1, $2)",
                            &[&(c as i32), &(-(n as i32))],
                        )
                        .await
                        .unwrap();
                    commits += 1;
                }
            }
            commits
        }));
    }
    let mut commits = 0;
    for t in tasks {
        commits += t.await.unwrap();
    }
    let row = setup
        .query_one("SELECT bal, (SELECT count(*) FROM hist) FROM acct", &[])
        .await
        .unwrap();
    let (bal, rows): (i32, i64) = (row.get(0), row.get(1));
    assert_eq!(bal as usize, CLIENTS * ROUNDS, "an update was lost");
    assert_eq!(rows as u64, commits, "an insert was lost");
    commits
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_commits_share_fsyncs_and_lose_nothing() {
    let server = TestServer::start_with(|c| {
        c.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    let before = scrape(&server).await;
    let commits = workload(&server, "grouped").await;
    let after = scrape(&server).await;
    let moved = |s: &str| sample(&after, s) - sample(&before, s);
    let durable = moved("pgtenant_durable_commits_total");
    let fsyncs = moved("pgtenant_wal_fsyncs_total");
    // Every acknowledged commit (and the setup's) waited for an fsync.
    assert!(durable >= commits, "{durable} durable of {commits} commits");
    assert!(
        fsyncs >= 1 && fsyncs <= durable,
        "{fsyncs} fsyncs for {durable}"
    );
    // Commits written without SQLite's own fsync leave a whole file.
    let file = server.tenant_db_file("grouped");
    let db = rusqlite::Connection::open(&file).unwrap();
    let check: String = db
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");

    // Without group commit: same results, SQLite's own fsync in COMMIT.
    let plain = TestServer::start_with(|c| c.group_commit = false).await;
    let before = scrape(&server).await;
    workload(&plain, "plain").await;
    let after = scrape(&server).await;
    assert_eq!(
        sample(&after, "pgtenant_durable_commits_total"),
        sample(&before, "pgtenant_durable_commits_total")
    );
}
