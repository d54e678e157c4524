//! Idle tenant sessions give their SQLite connection back to the tenant's
//! pool and take one again at their next statement: nothing a client can
//! see changes (identity, settings, role, statement_timeout), and sessions
//! with a transaction or TEMP objects keep theirs.

use crate::common;

use std::time::Duration;

use common::*;

async fn server() -> TestServer {
    TestServer::start_with(|c| c.idle_session_release_secs = 1).await
}

fn one(rows: &[tokio_postgres::SimpleQueryMessage]) -> String {
    simple_rows(rows)[0][0].clone().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_released_session_is_the_same_session() {
    let server = server().await;
    let c = server.fresh_tenant("acme").await;
    c.batch_execute(
        "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'one');
         CREATE TABLE s (id serial PRIMARY KEY); INSERT INTO s DEFAULT VALUES;
         SET application_name = 'idle-app'; SET statement_timeout = 200",
    )
    .await
    .unwrap();
    let before = c
        .simple_query("SELECT pg_backend_pid(), current_user, current_database()")
        .await
        .unwrap();
    let sessions = server.server.clone();
    wait_until(
        "the idle session is released",
        Duration::from_secs(10),
        || sessions.sessions.released_count() == 1,
    )
    .await;

    // Same identity, same settings, same data.
    let after = c
        .simple_query("SELECT pg_backend_pid(), current_user, current_database()")
        .await
        .unwrap();
    assert_eq!(simple_rows(&before), simple_rows(&after));
    assert_eq!(server.server.sessions.released_count(), 0);
    let app = c
        .simple_query("SELECT current_setting('application_name')")
        .await
        .unwrap();
    assert_eq!(one(&app), "idle-app");
    let v = c
        .simple_query("SELECT v FROM t WHERE id = 1")
        .await
        .unwrap();
    assert_eq!(one(&v), "one");
    // currval remembers the session's insert across the new connection.
    let id = c.simple_query("SELECT currval('s_id_seq')").await.unwrap();
    assert_eq!(one(&id), "1");

    // The statement timeout interrupts the new connection's statement.
    wait_until("released again", Duration::from_secs(10), || {
        sessions.sessions.released_count() == 1
    })
    .await;
    let slow =
        "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";
    assert_eq!(sqlstate(c.simple_query(slow).await).code(), "57014");
    c.simple_query("SELECT 1").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_role_is_enforced_after_release() {
    let server = server().await;
    let owner = server.fresh_tenant("acme").await;
    owner
        .batch_execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1)")
        .await
        .unwrap();
    let admin = server.admin().await;
    admin
        .simple_query("SELECT * FROM pgtenant.create_user('acme', 'ro', 'pw', role => 'readonly')")
        .await
        .unwrap();
    let ro = server.connect_tenant("acme", "ro", "pw").await;
    ro.simple_query("SELECT 1").await.unwrap();
    let sessions = server.server.clone();
    wait_until("both sessions released", Duration::from_secs(10), || {
        sessions.sessions.released_count() == 2
    })
    .await;
    // The reader may take the connection the owner used: still read-only.
    assert_eq!(
        sqlstate(ro.simple_query("INSERT INTO t VALUES (2)").await).code(),
        "25006"
    );
    let n = ro.simple_query("SELECT count(*) FROM t").await.unwrap();
    assert_eq!(one(&n), "1");
    owner
        .simple_query("INSERT INTO t VALUES (3)")
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_and_temp_tables_keep_their_connection() {
    let server = server().await;
    let tx = server.fresh_tenant("acme").await;
    let temp = server.connect_tenant("acme", "alice", "s3cret").await;
    temp.batch_execute("CREATE TEMP TABLE scratch (x int); INSERT INTO scratch VALUES (7)")
        .await
        .unwrap();
    // (The open write transaction holds the tenant's writer queue.)
    tx.batch_execute("CREATE TABLE t (id int); BEGIN; INSERT INTO t VALUES (1)")
        .await
        .unwrap();
    let plain = server.connect_tenant("acme", "alice", "s3cret").await;
    plain.simple_query("SELECT 1").await.unwrap();
    let sessions = server.server.clone();
    wait_until(
        "the plain session is released",
        Duration::from_secs(10),
        || sessions.sessions.released_count() >= 1,
    )
    .await;
    // Two more sweeps: the other two stay bound.
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(server.server.sessions.released_count(), 1);
    // Its connection went to the pool; the pool keeps one warm, no more.
    let pooled: usize = server
        .server
        .registry
        .open_databases()
        .iter()
        .map(|db| db.pooled())
        .sum();
    assert!(pooled <= 1, "{pooled} pooled connections");
    let x = temp.simple_query("SELECT x FROM scratch").await.unwrap();
    assert_eq!(one(&x), "7");
    tx.batch_execute("COMMIT").await.unwrap();
    let n = plain.simple_query("SELECT count(*) FROM t").await.unwrap();
    assert_eq!(one(&n), "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temp_tables_end_with_their_session() {
    let server = server().await;
    let first = server.fresh_tenant("acme").await;
    first
        .batch_execute("CREATE TEMP TABLE scratch (x int); INSERT INTO scratch VALUES (7)")
        .await
        .unwrap();
    drop(first);
    tokio::time::sleep(Duration::from_millis(300)).await;
    // The next sessions (which may take the pooled connection) start
    // without it, as in PostgreSQL.
    for _ in 0..3 {
        let next = server.connect_tenant("acme", "alice", "s3cret").await;
        let err = next
            .simple_query("SELECT x FROM scratch")
            .await
            .unwrap_err();
        assert_eq!(
            err.as_db_error().map(|e| e.code().code()),
            Some("42P01"),
            "{err}"
        );
        next.batch_execute("CREATE TEMP TABLE scratch (y text)")
            .await
            .unwrap();
        drop(next);
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discard_all_resets_the_session_as_poolers_expect() {
    let server = server().await;
    let c = server.fresh_tenant("acme").await;
    c.batch_execute(
        "CREATE TEMP TABLE scratch (x int); CREATE TEMP VIEW v AS SELECT 1 AS one; \
         SET application_name = 'before'; PREPARE p AS SELECT 1",
    )
    .await
    .unwrap();
    let locked = c
        .simple_query("SELECT pg_try_advisory_lock(42)")
        .await
        .unwrap();
    assert_eq!(one(&locked), "t");
    let err = c.batch_execute("BEGIN; DISCARD ALL").await.unwrap_err();
    assert_eq!(
        err.as_db_error().map(|e| e.code().code()),
        Some("25001"),
        "{err}"
    );
    c.batch_execute("ROLLBACK; DISCARD ALL").await.unwrap();
    for gone in ["SELECT x FROM scratch", "SELECT one FROM v"] {
        let err = c.simple_query(gone).await.unwrap_err();
        assert_eq!(err.as_db_error().map(|e| e.code().code()), Some("42P01"));
    }
    let name = c.simple_query("SHOW application_name").await.unwrap();
    assert_ne!(one(&name), "before");
    assert!(c.simple_query("EXECUTE p").await.is_err());
    // Another session can take the advisory lock now.
    let other = server.connect_tenant("acme", "alice", "s3cret").await;
    let took = other
        .simple_query("SELECT pg_try_advisory_lock(42)")
        .await
        .unwrap();
    assert_eq!(one(&took), "t");
    // DISCARD TEMP drops only TEMP objects.
    c.batch_execute(
        "CREATE TEMP TABLE again (y int); DISCARD TEMP; CREATE TEMP TABLE again (z int)",
    )
    .await
    .unwrap();
}
