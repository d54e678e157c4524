//! Transaction blocks: COMMIT persists, ROLLBACK discards, a failed block
//! refuses everything but ROLLBACK (25P02), COMMIT of a failed block rolls back.

use crate::common;

use common::{simple_rows, sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

async fn setup(server: &TestServer) -> (Client, Client) {
    let a = server.fresh_tenant("acme").await;
    a.batch_execute("CREATE TABLE t (id int PRIMARY KEY, v text)")
        .await
        .expect("create");
    let b = server.connect_tenant("acme", "alice", "s3cret").await;
    (a, b)
}

async fn ids(client: &Client) -> Vec<i32> {
    client
        .query("SELECT id FROM t ORDER BY id", &[])
        .await
        .expect("select ids")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_persists_and_is_visible_to_other_sessions() {
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    a.batch_execute("BEGIN").await.expect("begin");
    a.execute("INSERT INTO t (id, v) VALUES ($1, $2)", &[&1i32, &"one"])
        .await
        .expect("insert");
    a.execute("INSERT INTO t (id, v) VALUES ($1, $2)", &[&2i32, &"two"])
        .await
        .expect("insert");
    assert_eq!(ids(&a).await, [1, 2], "the block sees its own writes");
    assert!(
        ids(&b).await.is_empty(),
        "another session must not see uncommitted rows"
    );
    a.batch_execute("COMMIT").await.expect("commit");
    assert_eq!(ids(&b).await, [1, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_discards() {
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    a.execute("INSERT INTO t VALUES (1, 'kept')", &[])
        .await
        .expect("autocommit insert");
    a.batch_execute(
        "BEGIN; INSERT INTO t VALUES (2, 'gone'); UPDATE t SET v = 'changed' WHERE id = 1",
    )
    .await
    .expect("block");
    a.batch_execute("ROLLBACK").await.expect("rollback");
    assert_eq!(ids(&a).await, [1]);
    let v: String = b
        .query_one("SELECT v FROM t WHERE id = 1", &[])
        .await
        .expect("select")
        .get(0);
    assert_eq!(v, "kept");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_api_commit_and_drop() {
    let server = TestServer::start().await;
    let (mut a, b) = setup(&server).await;
    let tx = a.transaction().await.expect("transaction");
    tx.execute("INSERT INTO t (id, v) VALUES ($1, 'a')", &[&1i32])
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    let tx = a.transaction().await.expect("transaction");
    tx.execute("INSERT INTO t (id, v) VALUES ($1, 'b')", &[&2i32])
        .await
        .expect("insert");
    drop(tx); // rolls back
    assert_eq!(ids(&a).await, [1]);
    assert_eq!(ids(&b).await, [1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_then_rollback_discards_the_block() {
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    a.batch_execute("BEGIN; INSERT INTO t VALUES (1, 'x')")
        .await
        .expect("begin + insert");
    let err = a.execute("INSERT INTO t VALUES (1, 'dup')", &[]).await;
    assert_eq!(sqlstate(err), SqlState::UNIQUE_VIOLATION);
    a.batch_execute("ROLLBACK").await.expect("rollback");
    assert!(ids(&a).await.is_empty());
    assert!(ids(&b).await.is_empty());
    // A new block can start: the old one really ended.
    a.batch_execute("BEGIN; INSERT INTO t VALUES (2, 'y'); COMMIT")
        .await
        .expect("next block");
    assert_eq!(ids(&b).await, [2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_block_refuses_statements_until_rollback() {
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    a.batch_execute("BEGIN").await.expect("begin");
    a.execute("INSERT INTO t VALUES (1, 'x')", &[])
        .await
        .expect("insert");
    let err = a.execute("INSERT INTO t VALUES (1, 'dup')", &[]).await;
    assert_eq!(sqlstate(err), SqlState::UNIQUE_VIOLATION);

    // Extended and simple protocol alike, reads as well as writes.
    let err = a.query("SELECT 1", &[]).await;
    assert_eq!(sqlstate(err), SqlState::IN_FAILED_SQL_TRANSACTION);
    let err = a.simple_query("SELECT 1").await;
    assert_eq!(sqlstate(err), SqlState::IN_FAILED_SQL_TRANSACTION);
    let err = a.execute("INSERT INTO t VALUES (2, 'y')", &[]).await;
    assert_eq!(sqlstate(err), SqlState::IN_FAILED_SQL_TRANSACTION);
    let err = a.prepare("SELECT id FROM t WHERE id = $1").await;
    assert_eq!(sqlstate(err), SqlState::IN_FAILED_SQL_TRANSACTION);

    a.batch_execute("ROLLBACK").await.expect("rollback");
    assert!(ids(&a).await.is_empty(), "the whole block is rolled back");
    assert!(ids(&b).await.is_empty());
    a.execute("INSERT INTO t VALUES (3, 'z')", &[])
        .await
        .expect("insert after rollback");
    assert_eq!(ids(&b).await, [3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_of_failed_block_rolls_back() {
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    a.batch_execute("BEGIN; INSERT INTO t VALUES (1, 'x')")
        .await
        .expect("begin + insert");
    let err = a.simple_query("SELECT * FROM no_such_table").await;
    assert_eq!(sqlstate(err), SqlState::UNDEFINED_TABLE);
    // PostgreSQL answers COMMIT of a failed block with the tag ROLLBACK and no error.
    a.batch_execute("COMMIT")
        .await
        .expect("commit of a failed block");
    assert!(
        ids(&b).await.is_empty(),
        "nothing of the failed block persists"
    );
    // The session is out of the block: autocommit works again.
    a.execute("INSERT INTO t VALUES (2, 'y')", &[])
        .await
        .expect("insert");
    assert_eq!(ids(&b).await, [2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commit_of_failed_block_reports_rollback_in_psql() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let out = server
        .psql(
            "alice@acme",
            "acme",
            "s3cret",
            &[],
            Some("CREATE TABLE t (id int);\nBEGIN;\nINSERT INTO t VALUES (1);\nSELECT * FROM missing;\nCOMMIT;\nSELECT count(*) AS n FROM t;\n"),
        )
        .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let tags: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_uppercase()))
        .filter(|l| {
            l.chars()
                .all(|c| c.is_ascii_uppercase() || c == ' ' || c.is_ascii_digit())
        })
        .collect();
    assert_eq!(
        tags,
        ["CREATE TABLE", "BEGIN", "INSERT 0 1", "ROLLBACK"],
        "command tags; stdout:\n{stdout}\nstderr:\n{stderr}"
    );
    assert!(
        stderr.contains("relation \"missing\" does not exist"),
        "stderr: {stderr}"
    );
    assert!(
        stdout.contains("(1 row)") && stdout.lines().any(|l| l.trim() == "0"),
        "count after the rolled back block is 0; stdout:\n{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn savepoint_rollback_recovers_a_failed_block() {
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    a.batch_execute("BEGIN; INSERT INTO t VALUES (1, 'keep'); SAVEPOINT s1")
        .await
        .expect("begin");
    let err = a.execute("INSERT INTO t VALUES (1, 'dup')", &[]).await;
    assert_eq!(sqlstate(err), SqlState::UNIQUE_VIOLATION);
    a.batch_execute("ROLLBACK TO SAVEPOINT s1")
        .await
        .expect("rollback to savepoint");
    a.execute("INSERT INTO t VALUES (2, 'also')", &[])
        .await
        .expect("insert after savepoint rollback");
    a.batch_execute("COMMIT").await.expect("commit");
    assert_eq!(ids(&b).await, [1, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_both_commit() {
    let server = TestServer::start().await;
    let (a, b) = setup(&server).await;
    a.batch_execute("BEGIN; INSERT INTO t VALUES (1, 'a')")
        .await
        .expect("a writes");
    // b's write waits for a's block to end; let it run concurrently.
    let b_write = tokio::spawn(async move {
        b.execute("INSERT INTO t VALUES (2, 'b')", &[]).await?;
        Ok::<_, tokio_postgres::Error>(b)
    });
    a.batch_execute("COMMIT").await.expect("a commits");
    let b = b_write.await.expect("join").expect("b's insert");
    assert_eq!(ids(&b).await, [1, 2]);
    let rows = a
        .simple_query("SELECT v FROM t ORDER BY id")
        .await
        .expect("select");
    assert_eq!(
        simple_rows(&rows),
        vec![vec![Some("a".to_owned())], vec![Some("b".to_owned())]]
    );
}

/// Sessions of one tenant spread over several connection threads (each its
/// own runtime) still queue their writes in one writer slot: read-modify-
/// write blocks (SELECT ... FOR UPDATE, then UPDATE) from every thread lose
/// no update, and another tenant's
/// sessions on the same threads are not held up by the queue.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_on_different_connection_threads_lose_no_update() {
    let server = TestServer::start_with(|c| c.connection_threads = 3).await;
    let first = server.fresh_tenant("acme").await;
    first
        .batch_execute(
            "CREATE TABLE counter (id int PRIMARY KEY, n int); INSERT INTO counter VALUES (1, 0)",
        )
        .await
        .expect("create");
    let other = server.fresh_tenant("globex").await;
    other
        .batch_execute("CREATE TABLE t (id int)")
        .await
        .expect("create in another tenant");
    const SESSIONS: usize = 6;
    const ROUNDS: i32 = 25;
    let mut tasks = Vec::new();
    for _ in 0..SESSIONS {
        let client = server.connect_tenant("acme", "alice", "s3cret").await;
        tasks.push(tokio::spawn(async move {
            for _ in 0..ROUNDS {
                client.batch_execute("BEGIN").await?;
                let n: i32 = client
                    .query_one("SELECT n FROM counter WHERE id = 1 FOR UPDATE", &[])
                    .await?
                    .get(0);
                client
                    .execute("UPDATE counter SET n = $1 WHERE id = 1", &[&(n + 1)])
                    .await?;
                client.batch_execute("COMMIT").await?;
            }
            Ok::<_, tokio_postgres::Error>(())
        }));
    }
    for i in 0..ROUNDS {
        other
            .execute("INSERT INTO t VALUES ($1)", &[&i])
            .await
            .expect("the other tenant writes meanwhile");
    }
    for t in tasks {
        t.await.expect("join").expect("a session's blocks");
    }
    let n: i32 = first
        .query_one("SELECT n FROM counter WHERE id = 1", &[])
        .await
        .expect("read")
        .get(0);
    assert_eq!(n, SESSIONS as i32 * ROUNDS, "every increment is kept");
    let count: i64 = other
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, ROUNDS as i64);
}

/// SET CONSTRAINTS (Django's constraint checks): DEFERRED lets a child row
/// come before its parent within the block, IMMEDIATE checks the rows
/// written so far (23503, the connection and block usable after
/// ROLLBACK), and outside a block it is accepted with PostgreSQL's warning.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_constraints_defers_and_checks_foreign_keys() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("acme").await;
    c.batch_execute(
        "CREATE TABLE parent (id int PRIMARY KEY); \
         CREATE TABLE child (id int PRIMARY KEY, \
         parent_id int REFERENCES parent (id) DEFERRABLE INITIALLY IMMEDIATE)",
    )
    .await
    .expect("tables");
    c.batch_execute("SET CONSTRAINTS ALL IMMEDIATE")
        .await
        .expect("outside a block: a warning, not an error");
    c.batch_execute(
        "BEGIN; SET CONSTRAINTS ALL DEFERRED; INSERT INTO child VALUES (1, 1); \
         INSERT INTO parent VALUES (1); SET CONSTRAINTS ALL IMMEDIATE; COMMIT",
    )
    .await
    .expect("a child before its parent, deferred");
    c.batch_execute("BEGIN; SET CONSTRAINTS ALL DEFERRED; INSERT INTO child VALUES (2, 2)")
        .await
        .expect("a dangling child, deferred");
    let err = c
        .batch_execute("SET CONSTRAINTS ALL IMMEDIATE")
        .await
        .expect_err("the dangling child is checked now");
    assert_eq!(err.code(), Some(&SqlState::FOREIGN_KEY_VIOLATION));
    let detail = err.as_db_error().and_then(|e| e.detail()).unwrap_or("");
    assert_eq!(
        detail,
        "Key (parent_id)=(2) is not present in table \"parent\"."
    );
    c.batch_execute("ROLLBACK").await.expect("rollback");
    let rows = c
        .simple_query("SELECT id FROM child ORDER BY id")
        .await
        .expect("select");
    assert_eq!(simple_rows(&rows), vec![vec![Some("1".to_owned())]]);
    assert_eq!(
        sqlstate(c.batch_execute("SET CONSTRAINTS ALL").await),
        SqlState::SYNTAX_ERROR
    );
}
