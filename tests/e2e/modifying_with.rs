//! Data-modifying WITH (`WITH moved AS (DELETE ... RETURNING *) ...`) over
//! both protocols, with parameters, in and out of transaction blocks: the
//! whole statement is atomic, errors undo every part, the session goes on.

use crate::common;

use common::{simple_rows, sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::Type;
use tokio_postgres::Client;

async fn setup(server: &TestServer) -> Client {
    let c = server.fresh_tenant("acme").await;
    c.batch_execute(
        "CREATE TABLE inbox (id int PRIMARY KEY, body text NOT NULL, urgent boolean);
         CREATE TABLE archive (id int PRIMARY KEY, body text NOT NULL);
         INSERT INTO inbox VALUES (1, 'a', false), (2, 'b', true), (3, 'c', true), (4, 'd', false)",
    )
    .await
    .expect("setup");
    c
}

async fn ids(c: &Client, table: &str) -> Vec<i32> {
    c.query(&format!("SELECT id FROM {table} ORDER BY id"), &[])
        .await
        .expect("ids")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn extended_protocol_with_parameters_in_every_part() {
    let server = TestServer::start().await;
    let c = setup(&server).await;
    // $1 only in the step, $2 only in the main statement.
    let stmt = c
        .prepare(
            "WITH moved AS (DELETE FROM inbox WHERE urgent = $1 RETURNING id, body) \
             INSERT INTO archive SELECT id, body FROM moved WHERE id <> $2 RETURNING id, body",
        )
        .await
        .expect("prepare");
    assert_eq!(stmt.params(), &[Type::BOOL, Type::INT4]);
    let cols: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(cols, [Type::INT4, Type::TEXT]);
    let rows = c.query(&stmt, &[&true, &3i32]).await.expect("run");
    let got: Vec<(i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got, [(2, "b".to_owned())]);
    assert_eq!(
        ids(&c, "inbox").await,
        [1, 4],
        "both urgent rows were deleted"
    );
    assert_eq!(ids(&c, "archive").await, [2]);

    // The same prepared statement again: its tables are made anew.
    let rows = c.query(&stmt, &[&false, &0i32]).await.expect("run again");
    assert_eq!(rows.len(), 2);
    assert!(ids(&c, "inbox").await.is_empty());

    // Only a step reads a parameter; the main statement has none.
    c.execute("INSERT INTO inbox VALUES (7, 'g', false)", &[])
        .await
        .unwrap();
    let row = c
        .query_one(
            "WITH d AS (DELETE FROM inbox WHERE id = $1 RETURNING body) SELECT body FROM d",
            &[&7i32],
        )
        .await
        .expect("step-only parameter");
    assert_eq!(row.get::<_, String>(0), "g");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_error_in_any_part_undoes_all_parts() {
    let server = TestServer::start().await;
    let c = setup(&server).await;
    // Out of a block: the main statement fails after the DELETE ran.
    let r = c
        .query(
            "WITH d AS (DELETE FROM inbox RETURNING id) SELECT id / 0 FROM d",
            &[],
        )
        .await;
    assert_eq!(sqlstate(r), SqlState::DIVISION_BY_ZERO);
    assert_eq!(ids(&c, "inbox").await, [1, 2, 3, 4]);
    // A later step fails (duplicate key) after an earlier one deleted.
    c.execute("INSERT INTO archive VALUES (2, 'already')", &[])
        .await
        .unwrap();
    let r = c
        .simple_query(
            "WITH d AS (DELETE FROM inbox WHERE urgent RETURNING id, body), \
             i AS (INSERT INTO archive SELECT id, body FROM d RETURNING id) SELECT count(*) FROM i",
        )
        .await;
    assert_eq!(sqlstate(r), SqlState::UNIQUE_VIOLATION);
    assert_eq!(ids(&c, "inbox").await, [1, 2, 3, 4]);
    assert_eq!(ids(&c, "archive").await, [2]);

    // In a block: the block fails as a whole and ROLLBACK leaves no trace.
    c.batch_execute("BEGIN").await.unwrap();
    c.execute("DELETE FROM inbox WHERE id = 4", &[])
        .await
        .unwrap();
    let r = c
        .query(
            "WITH d AS (UPDATE inbox SET body = 'x' RETURNING id) SELECT id / 0 FROM d",
            &[],
        )
        .await;
    assert_eq!(sqlstate(r), SqlState::DIVISION_BY_ZERO);
    assert_eq!(
        sqlstate(c.query("SELECT 1", &[]).await),
        SqlState::IN_FAILED_SQL_TRANSACTION
    );
    c.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(ids(&c, "inbox").await, [1, 2, 3, 4]);
    let bodies: Vec<String> = c
        .query("SELECT body FROM inbox ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(bodies, ["a", "b", "c", "d"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_blocks_and_savepoints() {
    let server = TestServer::start().await;
    let c = setup(&server).await;
    let other = server.connect_tenant("acme", "alice", "s3cret").await;
    c.batch_execute("BEGIN").await.unwrap();
    let rows = c
        .query(
            "WITH d AS (DELETE FROM inbox WHERE id = 1 RETURNING id, body) \
             INSERT INTO archive SELECT * FROM d RETURNING id",
            &[],
        )
        .await
        .expect("in block");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        ids(&other, "archive").await,
        Vec::<i32>::new(),
        "not committed yet"
    );
    c.batch_execute("SAVEPOINT s").await.unwrap();
    c.query(
        "WITH d AS (DELETE FROM inbox RETURNING id) SELECT count(*) FROM d",
        &[],
    )
    .await
    .expect("after savepoint");
    assert!(ids(&c, "inbox").await.is_empty());
    c.batch_execute("ROLLBACK TO SAVEPOINT s").await.unwrap();
    assert_eq!(ids(&c, "inbox").await, [2, 3, 4]);
    c.batch_execute("COMMIT").await.unwrap();
    assert_eq!(ids(&other, "archive").await, [1]);
    assert_eq!(ids(&other, "inbox").await, [2, 3, 4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simple_protocol_in_a_multi_statement_query() {
    let server = TestServer::start().await;
    let c = setup(&server).await;
    let messages = c
        .simple_query(
            "WITH d AS (DELETE FROM inbox WHERE urgent RETURNING id, body) \
             INSERT INTO archive SELECT id, body FROM d; \
             WITH u AS (UPDATE archive SET body = body || '!' RETURNING id, body) \
             SELECT id, body FROM u ORDER BY id",
        )
        .await
        .expect("multi-statement");
    assert_eq!(
        simple_rows(&messages),
        [
            vec![Some("2".to_owned()), Some("b!".to_owned())],
            vec![Some("3".to_owned()), Some("c!".to_owned())],
        ]
    );
    let tags: Vec<u64> = messages
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::CommandComplete(n) => Some(*n),
            _ => None,
        })
        .collect();
    assert_eq!(tags, [2, 2], "INSERT 0 2, then SELECT 2");
    // DECLARE CURSOR refuses it, as PostgreSQL does.
    c.batch_execute("BEGIN").await.unwrap();
    let r = c
        .batch_execute(
            "DECLARE k CURSOR FOR WITH d AS (DELETE FROM inbox RETURNING id) SELECT id FROM d",
        )
        .await;
    assert_eq!(sqlstate(r), SqlState::FEATURE_NOT_SUPPORTED);
    c.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(ids(&c, "inbox").await, [1, 4]);
}
