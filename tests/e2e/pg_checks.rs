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

/// Arithmetic written into a column is checked against the column's type
/// as PostgreSQL does: past int2/int4/int8 is 22003, past varchar(n) is
/// 22001, and the row keeps its value.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn computed_values_respect_the_column_type() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE c (a int4, b int8, s smallint, v varchar(3), n numeric(5,2));
             INSERT INTO c VALUES (2147483647, 9223372036854775807, 32767, 'ab', 1.5)",
        )
        .await
        .expect("load");
    for (sql, code, message) in [
        ("UPDATE c SET a = a + 1", "22003", "integer out of range"),
        ("UPDATE c SET b = b + 1", "22003", "bigint out of range"),
        ("UPDATE c SET s = s * 2", "22003", "smallint out of range"),
        (
            "UPDATE c SET v = v || 'cd'",
            "22001",
            "value too long for type character varying(3)",
        ),
    ] {
        let err = client.batch_execute(sql).await.unwrap_err();
        let db = err.as_db_error().expect("server error");
        assert_eq!((db.code().code(), db.message()), (code, message), "{sql}");
    }
    client
        .batch_execute("UPDATE c SET a = a - 1, n = n * 2")
        .await
        .expect("in range");
    let row = client
        .query_one("SELECT a, b, s, v, n::float8 FROM c", &[])
        .await
        .expect("row");
    assert_eq!(row.get::<_, i32>(0), 2147483646);
    assert_eq!(row.get::<_, i64>(1), i64::MAX);
    assert_eq!(row.get::<_, i16>(2), 32767);
    assert_eq!(row.get::<_, String>(3), "ab");
    assert_eq!(row.get::<_, f64>(4), 3.0);
}
