//! The simple query protocol through tokio-postgres: several statements in
//! one string, one result per statement, and the implicit transaction that
//! makes a multi-statement query atomic.

use crate::common;

use common::{simple_rows, sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::SimpleQueryMessage;

/// Splits simple-query messages into statements: (rows, affected count).
fn per_statement(messages: &[SimpleQueryMessage]) -> Vec<(Vec<Vec<Option<String>>>, u64)> {
    let mut out = Vec::new();
    let mut rows = Vec::new();
    for m in messages {
        match m {
            SimpleQueryMessage::Row(r) => {
                rows.push((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
            }
            SimpleQueryMessage::CommandComplete(n) => out.push((std::mem::take(&mut rows), *n)),
            _ => {}
        }
    }
    assert!(rows.is_empty(), "rows after the last CommandComplete");
    out
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_statements_give_one_result_each() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    let messages = client
        .simple_query(
            "CREATE TABLE t (id int PRIMARY KEY, name text);
             INSERT INTO t VALUES (1, 'one'), (2, 'two'), (3, NULL);
             SELECT id, name FROM t ORDER BY id;
             UPDATE t SET name = 'deux' WHERE id = 2;
             SELECT count(*) FROM t WHERE name IS NOT NULL;
             DELETE FROM t WHERE id > 1",
        )
        .await
        .expect("multi-statement query");
    let results = per_statement(&messages);
    assert_eq!(results.len(), 6, "one CommandComplete per statement");
    assert_eq!(results[0], (vec![], 0), "CREATE TABLE");
    assert_eq!(results[1], (vec![], 3), "INSERT of three rows");
    assert_eq!(
        results[2],
        (
            vec![
                vec![s("1"), s("one")],
                vec![s("2"), s("two")],
                vec![s("3"), None]
            ],
            3
        ),
        "SELECT sees the earlier INSERT"
    );
    assert_eq!(results[3], (vec![], 1), "UPDATE of one row");
    assert_eq!(results[4], (vec![vec![s("2")]], 1), "SELECT count(*)");
    assert_eq!(results[5], (vec![], 2), "DELETE of two rows");

    let rows = client
        .simple_query("SELECT id, name FROM t")
        .await
        .expect("select after");
    assert_eq!(simple_rows(&rows), vec![vec![s("1"), s("one")]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn column_names_come_with_the_rows() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    let messages = client
        .simple_query("SELECT 1 AS first, 'x' AS second")
        .await
        .expect("select");
    let row = messages
        .iter()
        .find_map(|m| match m {
            SimpleQueryMessage::Row(r) => Some(r),
            _ => None,
        })
        .expect("one row");
    let names: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
    assert_eq!(names, ["first", "second"]);
    assert_eq!(row.get("first"), Some("1"));
    assert_eq!(row.get("second"), Some("x"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_statement_query_is_atomic() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .simple_query("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .expect("create");
    let err = client
        .simple_query("INSERT INTO t VALUES (1); INSERT INTO t VALUES (1)")
        .await;
    assert_eq!(sqlstate(err), SqlState::UNIQUE_VIOLATION);
    let rows = client
        .simple_query("SELECT count(*) FROM t")
        .await
        .expect("count");
    assert_eq!(
        simple_rows(&rows),
        vec![vec![s("0")]],
        "the first INSERT of the failed query must be rolled back"
    );
    // The session is not left in a transaction: a new statement runs and persists.
    client
        .simple_query("INSERT INTO t VALUES (2)")
        .await
        .expect("insert after the failed query");
    let other = server.connect_tenant("acme", "alice", "s3cret").await;
    let rows = other
        .simple_query("SELECT id FROM t")
        .await
        .expect("select from another session");
    assert_eq!(simple_rows(&rows), vec![vec![s("2")]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn statements_after_the_failing_one_do_not_run() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .simple_query("CREATE TABLE t (id int PRIMARY KEY); CREATE TABLE log (msg text)")
        .await
        .expect("create");
    let err = client
        .simple_query(
            "INSERT INTO t VALUES (1); INSERT INTO t VALUES (1); INSERT INTO log VALUES ('after')",
        )
        .await;
    assert_eq!(sqlstate(err), SqlState::UNIQUE_VIOLATION);
    let rows = client
        .simple_query("SELECT (SELECT count(*) FROM t), (SELECT count(*) FROM log)")
        .await
        .expect("counts");
    assert_eq!(simple_rows(&rows), vec![vec![s("0"), s("0")]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_transaction_inside_one_query_string() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .simple_query("CREATE TABLE t (id int PRIMARY KEY)")
        .await
        .expect("create");
    client
        .simple_query("BEGIN; INSERT INTO t VALUES (1); INSERT INTO t VALUES (2); COMMIT")
        .await
        .expect("explicit block in one string");
    client
        .simple_query("BEGIN; INSERT INTO t VALUES (3); ROLLBACK")
        .await
        .expect("rolled back block in one string");
    let rows = client
        .simple_query("SELECT id FROM t ORDER BY id")
        .await
        .expect("select");
    assert_eq!(simple_rows(&rows), vec![vec![s("1")], vec![s("2")]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn empty_query_string_succeeds_without_rows() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    // tokio-postgres reports EmptyQueryResponse as CommandComplete(0).
    for sql in ["", " ; "] {
        let messages = client.simple_query(sql).await.expect("empty query");
        assert_eq!(per_statement(&messages), vec![(vec![], 0)], "{sql:?}");
    }
    let rows = client
        .simple_query("SELECT 'still fine'")
        .await
        .expect("select");
    assert_eq!(simple_rows(&rows), vec![vec![s("still fine")]]);
}
