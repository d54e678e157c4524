//! Statement Describe: the parameter and result types tokio-postgres learns
//! at prepare time, inferred from the live schema.

use crate::common;

use common::TestServer;
use postgres_types::Type;
use tokio_postgres::Client;

async fn schema(client: &Client) {
    client
        .batch_execute(
            "CREATE TABLE t (id int PRIMARY KEY, a bigint, b text, c boolean, d float8, e bytea)",
        )
        .await
        .expect("create t");
}

fn params(stmt: &tokio_postgres::Statement) -> Vec<Type> {
    stmt.params().to_vec()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn where_parameter_takes_the_column_type() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    schema(&client).await;
    let stmt = client
        .prepare("SELECT * FROM t WHERE id = $1")
        .await
        .expect("prepare");
    assert_eq!(params(&stmt), vec![Type::INT4]);
    let stmt = client
        .prepare("SELECT id FROM t WHERE b = $1 AND c = $2 AND a > $3")
        .await
        .expect("prepare");
    assert_eq!(params(&stmt), vec![Type::TEXT, Type::BOOL, Type::INT8]);
    assert_eq!(stmt.columns().len(), 1);
    assert_eq!(stmt.columns()[0].name(), "id");
    assert_eq!(stmt.columns()[0].type_(), &Type::INT4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insert_values_parameters_take_the_target_column_types() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    schema(&client).await;
    let stmt = client
        .prepare("INSERT INTO t (a, b) VALUES ($1, $2)")
        .await
        .expect("prepare");
    assert_eq!(params(&stmt), vec![Type::INT8, Type::TEXT]);
    assert!(stmt.columns().is_empty(), "an INSERT returns no columns");
    let stmt = client
        .prepare("INSERT INTO t (e, d, c, id) VALUES ($1, $2, $3, $4)")
        .await
        .expect("prepare");
    assert_eq!(
        params(&stmt),
        vec![Type::BYTEA, Type::FLOAT8, Type::BOOL, Type::INT4]
    );
    let stmt = client
        .prepare("UPDATE t SET b = $1 WHERE id = $2")
        .await
        .expect("prepare update");
    assert_eq!(params(&stmt), vec![Type::TEXT, Type::INT4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn limit_and_offset_parameters_are_int8() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    schema(&client).await;
    let stmt = client
        .prepare("SELECT id FROM t ORDER BY id LIMIT $1")
        .await
        .expect("prepare");
    assert_eq!(params(&stmt), vec![Type::INT8]);
    let stmt = client
        .prepare("SELECT id FROM t ORDER BY id LIMIT $1 OFFSET $2")
        .await
        .expect("prepare");
    assert_eq!(params(&stmt), vec![Type::INT8, Type::INT8]);
    for i in 1..=5i32 {
        client
            .execute("INSERT INTO t (id) VALUES ($1)", &[&i])
            .await
            .expect("insert");
    }
    let ids: Vec<i32> = client
        .query(&stmt, &[&2i64, &1i64])
        .await
        .expect("limit/offset")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, [2, 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn explicit_casts_type_parameters() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    let stmt = client
        .prepare("SELECT $1::int4 AS i, $2::text AS s, $3::bool AS b")
        .await
        .expect("prepare");
    assert_eq!(params(&stmt), vec![Type::INT4, Type::TEXT, Type::BOOL]);
    let cols: Vec<(&str, &Type)> = stmt
        .columns()
        .iter()
        .map(|c| (c.name(), c.type_()))
        .collect();
    assert_eq!(
        cols,
        vec![("i", &Type::INT4), ("s", &Type::TEXT), ("b", &Type::BOOL)]
    );
    let row = client
        .query_one(&stmt, &[&7i32, &"seven", &false])
        .await
        .expect("run");
    assert_eq!(row.get::<_, i32>(0), 7);
    assert_eq!(row.get::<_, String>(1), "seven");
    assert!(!row.get::<_, bool>(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn describe_does_not_execute() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    schema(&client).await;
    let stmt = client
        .prepare("INSERT INTO t (id, b) VALUES ($1, $2)")
        .await
        .expect("prepare");
    let count: i64 = client
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 0, "preparing an INSERT must not run it");
    client.execute(&stmt, &[&1i32, &"x"]).await.expect("run");
    let count: i64 = client
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn insert_without_column_list_parameters_take_the_table_column_types() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    schema(&client).await;
    let stmt = client
        .prepare("INSERT INTO t VALUES ($1, $2, $3, $4, $5, $6)")
        .await
        .expect("prepare");
    assert_eq!(
        params(&stmt),
        vec![
            Type::INT4,
            Type::INT8,
            Type::TEXT,
            Type::BOOL,
            Type::FLOAT8,
            Type::BYTEA
        ]
    );
    client
        .execute(&stmt, &[&1i32, &2i64, &"three", &true, &5.0f64, &vec![6u8]])
        .await
        .expect("insert with typed parameters");
}

/// Expressions over table columns take the columns' declared types in
/// Describe (the simple protocol is checked with node-postgres, which
/// parses by OID, in tests/clients/node/pg_test.js).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expressions_over_table_columns_take_the_schema_types() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE m (id serial PRIMARY KEY, batch int, small smallint, big bigint,
                             price numeric(8,2), at timestamptz, name text);
             CREATE TABLE tag (m_id int, label text);
             INSERT INTO m (batch, small, big, price, at, name)
               VALUES (1, 2, 3, 4.50, now(), 'x'), (2, 3, 4, 1.25, now(), 'y');
             INSERT INTO tag VALUES (1, 'a')",
        )
        .await
        .unwrap();
    let cases: &[(&str, &[Type])] = &[
        ("SELECT max(batch) FROM m", &[Type::INT4]),
        (
            "SELECT max(\"batch\") AS max_batch FROM \"m\"",
            &[Type::INT4],
        ),
        (
            "SELECT min(small), sum(batch), sum(big), max(id) + 1, avg(batch) FROM m",
            &[
                Type::INT2,
                Type::INT8,
                Type::NUMERIC,
                Type::INT4,
                Type::NUMERIC,
            ],
        ),
        (
            "SELECT coalesce(max(big), 0), round(price, 1), price * 2 FROM m GROUP BY price",
            &[Type::INT8, Type::NUMERIC, Type::NUMERIC],
        ),
        (
            "SELECT max(k.at) FROM m k WHERE k.id > 0",
            &[Type::TIMESTAMPTZ],
        ),
        (
            "SELECT (SELECT max(big) FROM m WHERE m.id = t.m_id), t.* FROM tag t",
            &[Type::INT8, Type::INT4, Type::TEXT],
        ),
        (
            "WITH w AS (SELECT * FROM m) SELECT max(name), max(batch) FROM w",
            &[Type::TEXT, Type::INT4],
        ),
        (
            "SELECT upper(name), batch FROM m UNION ALL SELECT label, m_id FROM tag",
            &[Type::TEXT, Type::INT4],
        ),
    ];
    for (sql, want) in cases {
        let stmt = client.prepare(sql).await.expect(sql);
        let got: Vec<Type> = stmt.columns().iter().map(|c| c.type_().clone()).collect();
        assert_eq!(&got, want, "Describe of {sql}");
        // The rows decode as those types (tokio-postgres checks the OID).
        client.query(&stmt, &[]).await.expect(sql);
    }
}
