//! Which statements run on the async worker and which go to a blocking
//! thread, seen through `pgtenant_statements_offloaded_total`, with the
//! answers checked. Its own test binary: the counter is process-wide.

mod common;

use std::sync::atomic::Ordering::Relaxed;

use common::*;
use futures::SinkExt;

/// The counter is process-wide: the tests of this binary run one at a time.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

fn offloaded() -> u64 {
    pgtenant::metrics::global()
        .statements_offloaded_total
        .load(Relaxed)
}

#[tokio::test]
async fn short_statements_stay_on_the_worker() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start().await;
    let c = server.fresh_tenant("inliner").await;
    c.batch_execute(
        "CREATE TABLE acc (id int PRIMARY KEY, bal int NOT NULL);
         INSERT INTO acc SELECT g, 0 FROM generate_series(1, 100) g;
         CREATE TABLE hist (id int, delta int, at timestamptz);
         CREATE TABLE due (id int PRIMARY KEY, d date);
         INSERT INTO due VALUES (1, '2024-01-30');",
    )
    .await
    .unwrap();

    // Simple-protocol transactions with their values written in, as
    // client-side interpolating drivers send them: the constants (signed
    // ones too) are lifted, so each statement is prepared once, seen short
    // once, and from then on runs without a thread hand-off. COMMIT of such
    // a block runs there too (the fsync is waited for asynchronously); only
    // the first run of each statement goes to the blocking pool.
    let other = server.connect_tenant("inliner", "alice", "s3cret").await;
    let before = offloaded();
    let mut expected = vec![0i64; 101];
    let blocks = 200;
    for i in 0..blocks {
        if i == 50 {
            // Another session changes the schema: this one reloads it and
            // re-prepares, work that is not the statements' own.
            other
                .batch_execute("CREATE TABLE other (x int)")
                .await
                .unwrap();
        }
        let id = 1 + (i * 7) % 100;
        let delta = if i % 2 == 0 {
            -(i as i64) - 1
        } else {
            3 * i as i64
        };
        expected[id] += 2 * delta;
        c.simple_query("BEGIN").await.unwrap();
        c.simple_query(&format!(
            "UPDATE acc SET bal = bal + {delta} WHERE id = {id}"
        ))
        .await
        .unwrap();
        c.simple_query(&format!("SELECT bal FROM acc WHERE id = {id}"))
            .await
            .unwrap();
        c.simple_query(&format!(
            "UPDATE acc SET bal = bal - -{} WHERE id = {id}",
            delta.abs()
        ))
        .await
        .unwrap();
        // the second UPDATE adds |delta|: undo the sign difference
        expected[id] += delta.abs() - delta;
        c.simple_query(&format!(
            "INSERT INTO hist VALUES ({id}, {delta}, CURRENT_TIMESTAMP)"
        ))
        .await
        .unwrap();
        c.simple_query("COMMIT").await.unwrap();
    }
    let moved = offloaded() - before;
    // First runs (each statement text at most once), the other session's
    // CREATE TABLE, and the fsyncs group commit runs (not counted here).
    assert!(
        moved <= 5,
        "{moved} statements offloaded for {blocks} short transactions"
    );
    for row in c.query("SELECT id, bal FROM acc", &[]).await.unwrap() {
        let (id, bal): (i32, i32) = (row.get(0), row.get(1));
        assert_eq!(bal as i64, expected[id as usize], "balance of {id}");
    }
    let n: i64 = c
        .query_one("SELECT count(*) FROM hist WHERE delta < 0", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, blocks as i64 / 2);

    // A write that outgrows the budget runs on the blocking pool from then on.
    c.batch_execute("INSERT INTO acc SELECT g, 0 FROM generate_series(101, 5000) g")
        .await
        .unwrap();
    let before = offloaded();
    for _ in 0..3 {
        c.simple_query("UPDATE acc SET bal = bal + 1 WHERE id > 0")
            .await
            .unwrap();
    }
    assert!(offloaded() - before >= 3, "long writes stayed inline");

    // A block holding a long write commits on the blocking pool (its COMMIT
    // writes many pages); the short block after it commits inline again.
    c.simple_query("BEGIN").await.unwrap();
    c.simple_query("UPDATE acc SET bal = bal + 1 WHERE id > 0")
        .await
        .unwrap();
    let before = offloaded();
    c.simple_query("COMMIT").await.unwrap();
    assert_eq!(
        offloaded() - before,
        1,
        "a heavy block's COMMIT stayed inline"
    );
    c.simple_query("BEGIN").await.unwrap();
    c.simple_query("UPDATE acc SET bal = bal + 1 WHERE id = 1")
        .await
        .unwrap();
    let before = offloaded();
    c.simple_query("COMMIT").await.unwrap();
    assert_eq!(
        offloaded() - before,
        0,
        "a light block's COMMIT was offloaded"
    );

    // Statements prepared inside a block (Parse and Describe look at the
    // schema on the blocking pool) still leave a light COMMIT.
    c.simple_query("BEGIN").await.unwrap();
    let bump = c
        .prepare("UPDATE acc SET bal = bal + $1 WHERE id = $2")
        .await
        .unwrap();
    c.execute(&bump, &[&1i32, &2i32]).await.unwrap();
    c.execute(&bump, &[&1i32, &2i32]).await.unwrap();
    let before = offloaded();
    c.simple_query("COMMIT").await.unwrap();
    assert_eq!(
        offloaded() - before,
        0,
        "COMMIT after a prepare was offloaded"
    );

    // COPY in a block writes rows in bulk: that block commits on the pool.
    c.simple_query("BEGIN").await.unwrap();
    let rows: String = (0..2000).map(|i| format!("{i}\t{i}\t\\N\n")).collect();
    let sink = c.copy_in("COPY hist FROM STDIN").await.unwrap();
    futures::pin_mut!(sink);
    sink.send(bytes::Bytes::from(rows)).await.unwrap();
    assert_eq!(sink.finish().await.unwrap(), 2000);
    let before = offloaded();
    c.simple_query("COMMIT").await.unwrap();
    assert_eq!(offloaded() - before, 1, "COMMIT after COPY stayed inline");
    let n: i64 = c
        .query_one("SELECT count(*) FROM hist WHERE at IS NULL", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2000);
    let total: i64 = c
        .query_one("SELECT sum(bal) FROM acc WHERE id > 100", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(total, 4 * 4900);

    // A lifted integer keeps its type: date + integer is still days.
    for _ in 0..2 {
        c.simple_query("UPDATE due SET d = DATE '2024-01-30' + 7 WHERE id = 1")
            .await
            .unwrap();
        let d = c
            .simple_query("SELECT d FROM due WHERE id = 1")
            .await
            .unwrap();
        let row = d
            .iter()
            .find_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(r) => Some(r.get(0).map(str::to_owned)),
                _ => None,
            })
            .flatten();
        assert_eq!(row.as_deref(), Some("2024-02-06"));
    }
}

/// Commits on the async worker leave the WAL checkpoint to the blocking
/// pool, run while the committing session still holds the writer slot: the
/// next writer then starts the WAL over, so concurrent writers do not grow
/// it without bound, and every row stays.
#[tokio::test]
async fn inline_commits_still_checkpoint_the_wal() {
    let _serial = ONE_AT_A_TIME.lock().await;
    let server = TestServer::start().await;
    let c = server.fresh_tenant("walcap").await;
    c.batch_execute("CREATE TABLE t (id int PRIMARY KEY, pad text); CREATE TABLE n (k int PRIMARY KEY, v int); INSERT INTO n VALUES (1, 0)")
        .await
        .unwrap();
    let (clients, commits) = (4, 800);
    let mut tasks = Vec::new();
    for w in 0..clients {
        let c = server.connect_tenant("walcap", "alice", "s3cret").await;
        tasks.push(tokio::spawn(async move {
            let insert = c
                .prepare("INSERT INTO t VALUES ($1, repeat('x', 3000))")
                .await
                .unwrap();
            let bump = c
                .prepare("UPDATE n SET v = v + 1 WHERE k = 1")
                .await
                .unwrap();
            for i in 0..commits {
                // Each commit appends at least one 4 KiB page to the WAL:
                // without the WAL starting over it would pass 12 MB.
                c.batch_execute("BEGIN").await.unwrap();
                c.execute(&bump, &[]).await.unwrap();
                c.execute(&insert, &[&(w * commits + i)]).await.unwrap();
                c.batch_execute("COMMIT").await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let wal = server.tenant_db_file("walcap").with_extension("db-wal");
    let size = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert!(
        size < 8 << 20,
        "WAL grew to {size} bytes: it never started over"
    );
    let row = c
        .query_one("SELECT count(*), (SELECT v FROM n) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), (clients * commits) as i64);
    assert_eq!(row.get::<_, i32>(1), clients * commits);
}
