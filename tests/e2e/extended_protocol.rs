//! The extended query protocol through tokio-postgres: `query`, `query_one`,
//! `execute`, prepared statements reused with different parameters, and
//! parameters of several types (sent in binary, as tokio-postgres does).

use crate::common;

use chrono::{NaiveDate, NaiveDateTime};
use common::{sqlstate, TestServer};
use tokio_postgres::Client;
use uuid::Uuid;

async fn items_table(client: &Client) {
    client
        .batch_execute(
            "CREATE TABLE items (
                id int PRIMARY KEY,
                big bigint,
                score float8,
                active boolean,
                name text,
                data bytea
            )",
        )
        .await
        .expect("create items");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_of_several_types_round_trip() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    items_table(&client).await;
    let insert =
        "INSERT INTO items (id, big, score, active, name, data) VALUES ($1, $2, $3, $4, $5, $6)";
    let n = client
        .execute(
            insert,
            &[
                &1i32,
                &9_007_199_254_740_993i64,
                &-2.5f64,
                &true,
                &"it's \"quoted\" ünïcode".to_owned(),
                &vec![0u8, 1, 2, 255, b'\\', 0],
            ],
        )
        .await
        .expect("insert with typed parameters");
    assert_eq!(n, 1);
    let row = client
        .query_one(
            "SELECT id, big, score, active, name, data FROM items WHERE id = $1",
            &[&1i32],
        )
        .await
        .expect("select it back");
    assert_eq!(row.get::<_, i32>(0), 1);
    assert_eq!(row.get::<_, i64>(1), 9_007_199_254_740_993);
    assert_eq!(row.get::<_, f64>(2), -2.5);
    assert!(row.get::<_, bool>(3));
    assert_eq!(row.get::<_, String>(4), "it's \"quoted\" ünïcode");
    assert_eq!(row.get::<_, Vec<u8>>(5), vec![0u8, 1, 2, 255, b'\\', 0]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn null_parameters_and_null_results() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    items_table(&client).await;
    let none_i64: Option<i64> = None;
    let none_text: Option<String> = None;
    let none_bytes: Option<Vec<u8>> = None;
    client
        .execute(
            "INSERT INTO items (id, big, name, data) VALUES ($1, $2, $3, $4)",
            &[&7i32, &none_i64, &none_text, &none_bytes],
        )
        .await
        .expect("insert NULLs");
    let row = client
        .query_one(
            "SELECT big, score, active, name, data FROM items WHERE id = $1",
            &[&7i32],
        )
        .await
        .expect("select");
    assert_eq!(row.get::<_, Option<i64>>(0), None);
    assert_eq!(row.get::<_, Option<f64>>(1), None);
    assert_eq!(row.get::<_, Option<bool>>(2), None);
    assert_eq!(row.get::<_, Option<String>>(3), None);
    assert_eq!(row.get::<_, Option<Vec<u8>>>(4), None);
    let count: i64 = client
        .query_one("SELECT count(*) FROM items WHERE name IS NULL", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn prepared_statement_is_reused_with_new_parameters() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    items_table(&client).await;
    let insert = client
        .prepare("INSERT INTO items (id, name, score) VALUES ($1, $2, $3)")
        .await
        .expect("prepare insert");
    for i in 1..=20i32 {
        let n = client
            .execute(&insert, &[&i, &format!("item {i}"), &(f64::from(i) / 4.0)])
            .await
            .expect("execute prepared insert");
        assert_eq!(n, 1);
    }
    let select = client
        .prepare("SELECT name, score FROM items WHERE id = $1")
        .await
        .expect("prepare select");
    for i in [20i32, 1, 13, 7] {
        let row = client.query_one(&select, &[&i]).await.expect("query_one");
        assert_eq!(row.get::<_, String>(0), format!("item {i}"));
        assert_eq!(row.get::<_, f64>(1), f64::from(i) / 4.0);
    }
    let range = client
        .prepare("SELECT id FROM items WHERE id BETWEEN $1 AND $2 ORDER BY id")
        .await
        .expect("prepare range");
    let ids: Vec<i32> = client
        .query(&range, &[&5i32, &8i32])
        .await
        .expect("range")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, [5, 6, 7, 8]);
    let ids: Vec<i32> = client
        .query(&range, &[&19i32, &30i32])
        .await
        .expect("range again")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, [19, 20]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn execute_reports_affected_rows() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    items_table(&client).await;
    for i in 1..=5i32 {
        client
            .execute(
                "INSERT INTO items (id, active) VALUES ($1, $2)",
                &[&i, &(i % 2 == 0)],
            )
            .await
            .expect("insert");
    }
    let updated = client
        .execute(
            "UPDATE items SET name = $1 WHERE active = $2",
            &[&"even", &true],
        )
        .await
        .expect("update");
    assert_eq!(updated, 2);
    let deleted = client
        .execute("DELETE FROM items WHERE id > $1", &[&2i32])
        .await
        .expect("delete");
    assert_eq!(deleted, 3);
    let none = client
        .execute("DELETE FROM items WHERE id > $1", &[&100i32])
        .await
        .expect("delete nothing");
    assert_eq!(none, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn query_one_and_query_opt_count_rows() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    items_table(&client).await;
    client
        .execute("INSERT INTO items (id) VALUES (1), (2)", &[])
        .await
        .expect("insert");
    let missing = client
        .query_opt("SELECT id FROM items WHERE id = $1", &[&3i32])
        .await
        .expect("query_opt");
    assert!(missing.is_none());
    // query_one on zero or two rows is a client-side error, not a database error.
    let err = client
        .query_one("SELECT id FROM items", &[])
        .await
        .expect_err("two rows");
    assert!(err.code().is_none(), "{err:?}");
    let rows = client
        .query("SELECT id FROM items WHERE id > $1", &[&5i32])
        .await;
    assert!(rows.expect("empty result").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returning_clause_gives_rows() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("CREATE TABLE todo (id serial PRIMARY KEY, title text NOT NULL, done boolean DEFAULT false)")
        .await
        .expect("create");
    let row = client
        .query_one(
            "INSERT INTO todo (title) VALUES ($1) RETURNING id, done",
            &[&"ship it"],
        )
        .await
        .expect("insert returning");
    assert_eq!(row.get::<_, i32>(0), 1);
    assert!(!row.get::<_, bool>(1));
    let row = client
        .query_one(
            "INSERT INTO todo (title, done) VALUES ($1, $2) RETURNING id, title, done",
            &[&"test it", &true],
        )
        .await
        .expect("second insert returning");
    assert_eq!(row.get::<_, i32>(0), 2);
    assert_eq!(row.get::<_, String>(1), "test it");
    assert!(row.get::<_, bool>(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn date_timestamp_and_uuid_parameters() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("CREATE TABLE events (id uuid PRIMARY KEY, day date, at timestamp)")
        .await
        .expect("create");
    let id = Uuid::parse_str("6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b").expect("uuid");
    let day = NaiveDate::from_ymd_opt(2024, 2, 29).expect("date");
    let at: NaiveDateTime = day.and_hms_micro_opt(23, 59, 58, 123_456).expect("time");
    client
        .execute(
            "INSERT INTO events (id, day, at) VALUES ($1, $2, $3)",
            &[&id, &day, &at],
        )
        .await
        .expect("insert uuid/date/timestamp");
    let row = client
        .query_one("SELECT id, day, at FROM events WHERE id = $1", &[&id])
        .await
        .expect("select by uuid");
    assert_eq!(row.get::<_, Uuid>(0), id);
    assert_eq!(row.get::<_, NaiveDate>(1), day);
    assert_eq!(row.get::<_, NaiveDateTime>(2), at);
    let later = client
        .query(
            "SELECT id FROM events WHERE day > $1",
            &[&NaiveDate::from_ymd_opt(2024, 3, 1).expect("date")],
        )
        .await
        .expect("compare dates");
    assert!(later.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_statements_cannot_be_prepared_together() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    let err = client.prepare("SELECT 1; SELECT 2").await;
    assert_eq!(sqlstate(err), tokio_postgres::error::SqlState::SYNTAX_ERROR);
    // The connection is still usable.
    let v: String = client
        .query_one("SELECT $1::text", &[&"ok"])
        .await
        .expect("select after the failed prepare")
        .get(0);
    assert_eq!(v, "ok");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_stream_before_the_query_ends() {
    use futures::{pin_mut, StreamExt};
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    // Bounds the runaway query: its rows must arrive long before this fires.
    client
        .batch_execute("SET statement_timeout = '3s'")
        .await
        .expect("set timeout");
    let stream = client
        .query_raw(
            common::STREAMING_RUNAWAY,
            std::iter::empty::<&dyn tokio_postgres::types::ToSql>(),
        )
        .await
        .expect("query starts");
    pin_mut!(stream);
    for expected in 1..=100i32 {
        let row = stream
            .next()
            .await
            .expect("a row")
            .expect("rows arrive while the query runs");
        assert_eq!(row.get::<_, i32>(0), expected);
    }
}
