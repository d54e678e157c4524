//! Errors PostgreSQL raises and SQLite would not (21000, 22003, 42803)
//! reach the client with their SQLSTATE over both protocols, fail a
//! transaction block as any error does, and leave the session usable.

use crate::common;

use common::{sqlstate, TestServer};
use tokio_postgres::error::SqlState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlstates_over_both_protocols_and_the_session_goes_on() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("acme").await;
    c.batch_execute(
        "CREATE TABLE sales (id int PRIMARY KEY, region text, qty int);
         INSERT INTO sales VALUES (1, 'north', 3), (2, 'north', 4), (3, 'south', 5)",
    )
    .await
    .unwrap();
    let cases = [
        (
            "SELECT (SELECT qty FROM sales WHERE region = 'north')",
            SqlState::CARDINALITY_VIOLATION,
        ),
        (
            "SELECT 1e300::float8 * 1e300::float8",
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
        ),
        (
            "SELECT region, qty FROM sales GROUP BY region",
            SqlState::GROUPING_ERROR,
        ),
    ];
    for (sql, state) in &cases {
        assert_eq!(sqlstate(c.simple_query(sql).await), *state, "simple: {sql}");
        assert_eq!(
            sqlstate(c.query(*sql, &[]).await),
            *state,
            "extended: {sql}"
        );
    }
    // The allowed forms, with a parameter: one row; grouped by the key.
    let row = c
        .query_one(
            "SELECT (SELECT qty FROM sales WHERE region = $1)",
            &[&"south"],
        )
        .await
        .expect("one row");
    assert_eq!(row.get::<_, Option<i32>>(0), Some(5));
    let rows = c
        .query(
            "SELECT id, region, qty FROM sales GROUP BY id ORDER BY id",
            &[],
        )
        .await
        .expect("grouped by the primary key");
    assert_eq!(rows.len(), 3);

    // In a block: the error fails it, ROLLBACK ends it, the session goes on.
    c.batch_execute("BEGIN").await.unwrap();
    c.execute("DELETE FROM sales WHERE id = 3", &[])
        .await
        .unwrap();
    let r = c.query(cases[0].0, &[]).await;
    assert_eq!(sqlstate(r), SqlState::CARDINALITY_VIOLATION);
    assert_eq!(
        sqlstate(c.query("SELECT 1", &[]).await),
        SqlState::IN_FAILED_SQL_TRANSACTION
    );
    c.batch_execute("ROLLBACK").await.unwrap();
    let n: i64 = c
        .query_one("SELECT count(*) FROM sales", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}
