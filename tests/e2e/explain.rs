//! EXPLAIN: SQLite's plan of the statement, as `QUERY PLAN` text rows, in
//! both protocols, with parameters; ANALYZE and other formats refused; the
//! statement is never run.

use crate::common;

use common::{simple_rows, sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::SimpleQueryMessage;

/// The QUERY PLAN column of each row.
fn plan_lines(messages: &[SimpleQueryMessage]) -> Vec<String> {
    simple_rows(messages)
        .into_iter()
        .map(|row| row[0].clone().unwrap_or_default())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explain_shows_sqlite_plans_without_running_the_statement() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE items (id serial PRIMARY KEY, owner int, name text);
             CREATE INDEX items_owner ON items (owner);
             INSERT INTO items (owner, name) VALUES (1, 'a'), (2, 'b');",
        )
        .await
        .unwrap();

    // Simple protocol: the key lookup and the index are in the plan.
    let by_key = client
        .simple_query("EXPLAIN SELECT * FROM items WHERE id = 1")
        .await
        .unwrap();
    let lines = plan_lines(&by_key);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("SEARCH items USING INTEGER PRIMARY KEY"),
        "{lines:?}"
    );
    let joined = client
        .simple_query(
            "EXPLAIN (COSTS OFF) SELECT i.name FROM items i WHERE i.owner = 2 ORDER BY i.name",
        )
        .await
        .unwrap();
    let lines = plan_lines(&joined);
    assert!(
        lines.iter().any(|l| l.contains("USING INDEX items_owner")),
        "{lines:?}"
    );
    assert!(lines.iter().any(|l| l.contains("ORDER BY")), "{lines:?}");
    // The command tag has no row count, as PostgreSQL's.
    assert!(
        joined
            .iter()
            .any(|m| matches!(m, SimpleQueryMessage::CommandComplete(_))),
        "{joined:?}"
    );

    // Extended protocol, with a parameter: one text column named QUERY PLAN.
    let stmt = client
        .prepare("EXPLAIN SELECT name FROM items WHERE owner = $1")
        .await
        .unwrap();
    assert_eq!(stmt.columns()[0].name(), "QUERY PLAN");
    assert_eq!(
        stmt.columns()[0].type_(),
        &tokio_postgres::types::Type::TEXT
    );
    let rows = client.query(&stmt, &[&2i32]).await.unwrap();
    let plan: String = rows[0].get(0);
    assert!(plan.contains("items_owner"), "{plan}");

    // EXPLAIN of a DELETE plans it and deletes nothing.
    let deleted = client
        .simple_query("EXPLAIN DELETE FROM items WHERE owner > 0")
        .await
        .unwrap();
    assert!(!plan_lines(&deleted).is_empty());
    let count: i64 = client
        .query_one("SELECT count(*) FROM items", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(count, 2);

    // What SQLite's plan cannot give is refused by name; the connection lives on.
    for (sql, code) in [
        (
            "EXPLAIN ANALYZE SELECT * FROM items",
            SqlState::FEATURE_NOT_SUPPORTED,
        ),
        (
            "EXPLAIN (ANALYZE, BUFFERS) SELECT 1",
            SqlState::FEATURE_NOT_SUPPORTED,
        ),
        (
            "EXPLAIN (FORMAT JSON) SELECT 1",
            SqlState::FEATURE_NOT_SUPPORTED,
        ),
        ("EXPLAIN CREATE TABLE x (a int)", SqlState::SYNTAX_ERROR),
        ("EXPLAIN SELECT * FROM missing", SqlState::UNDEFINED_TABLE),
    ] {
        let err = client.simple_query(sql).await;
        assert_eq!(sqlstate(err), code, "{sql}");
    }
    let one: i32 = client
        .query_one("SELECT 1::int4", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(one, 1);
}
