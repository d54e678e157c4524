//! sqlx (its PostgreSQL driver, runtime-checked queries) against a fresh
//! tenant. sqlx is strict about types: every result column must carry the
//! OID its Rust type expects, and it prepares every query (Parse/Describe).
//! (The `sqlx` facade crate cannot sit beside rusqlite in one lock file, as
//! both name a `links = "sqlite3"` crate; `sqlx-postgres` and `sqlx-core`
//! are what it re-exports.)

use crate::common;

use common::TestServer;
use sqlx_core::connection::Connection;
use sqlx_core::executor::Executor;
use sqlx_core::query::query;
use sqlx_core::query_as::query_as;
use sqlx_core::query_scalar::query_scalar;
use sqlx_core::row::Row;
use sqlx_postgres::{PgConnectOptions, PgConnection, PgDatabaseError};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlx_round_trips_typed_values_transactions_and_errors() {
    let server = TestServer::start().await;
    server.create_tenant_user("sqlxt", "alice", "s3cret").await;
    let options = PgConnectOptions::new()
        .host("127.0.0.1")
        .port(server.port)
        .username("alice@sqlxt")
        .password("s3cret")
        .database("app");
    let mut conn = PgConnection::connect_with(&options)
        .await
        .expect("sqlx connects");

    conn.execute(
        "CREATE TABLE account (id serial PRIMARY KEY, email text NOT NULL UNIQUE,
            balance bigint NOT NULL DEFAULT 0, active boolean NOT NULL DEFAULT true,
            score double precision, joined timestamptz NOT NULL DEFAULT now(),
            token uuid, prefs jsonb)",
    )
    .await
    .unwrap();

    let token = uuid::Uuid::parse_str("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").unwrap();
    let prefs = serde_json::json!({"theme": "dark", "n": [1, 2]});
    let id: i32 = query_scalar(
        "INSERT INTO account (email, balance, score, token, prefs) VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind("ada@example.com")
    .bind(1_i64 << 40)
    .bind(2.5_f64)
    .bind(token)
    .bind(&prefs)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(id, 1);

    let row = query(
        "SELECT email, balance, active, score, joined, token, prefs FROM account WHERE id = $1",
    )
    .bind(id)
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(
        row.try_get::<String, _>("email").unwrap(),
        "ada@example.com"
    );
    assert_eq!(row.try_get::<i64, _>("balance").unwrap(), 1 << 40);
    assert!(row.try_get::<bool, _>("active").unwrap());
    assert_eq!(row.try_get::<Option<f64>, _>("score").unwrap(), Some(2.5));
    let joined: chrono::DateTime<chrono::Utc> = row.try_get("joined").unwrap();
    assert!((chrono::Utc::now() - joined).num_seconds().abs() < 60);
    assert_eq!(row.try_get::<uuid::Uuid, _>("token").unwrap(), token);
    assert_eq!(row.try_get::<serde_json::Value, _>("prefs").unwrap(), prefs);

    // Aggregates keep the column types sqlx checks: max(int4) is int4,
    // sum(int8) numeric, count bigint.
    let (top, n): (Option<i32>, i64) = query_as("SELECT max(id), count(*) FROM account")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!((top, n), (Some(1), 1));

    // A transaction that rolls back leaves nothing; one that commits stays.
    let mut tx = conn.begin().await.unwrap();
    query("INSERT INTO account (email) VALUES ($1)")
        .bind("temp@example.com")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.rollback().await.unwrap();
    let mut tx = conn.begin().await.unwrap();
    query("INSERT INTO account (email) VALUES ($1)")
        .bind("bob@example.com")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let emails: Vec<String> = query_scalar("SELECT email FROM account ORDER BY id")
        .fetch_all(&mut conn)
        .await
        .unwrap();
    assert_eq!(emails, vec!["ada@example.com", "bob@example.com"]);

    // A unique violation is a database error with its SQLSTATE; the
    // connection goes on.
    let err = query("INSERT INTO account (email) VALUES ($1)")
        .bind("ada@example.com")
        .execute(&mut conn)
        .await
        .unwrap_err();
    let db = err.as_database_error().expect("a database error");
    assert_eq!(db.code().as_deref(), Some("23505"));
    assert!(db.try_downcast_ref::<PgDatabaseError>().is_some());
    let n: i64 = query_scalar("SELECT count(*) FROM account")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 2);
    conn.close().await.unwrap();
}
