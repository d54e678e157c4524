//! VACUUM: refused inside a transaction block as PostgreSQL does (25001,
//! the block fails); outside one it copies the tenant's write-ahead log
//! into the database file, so later reads come from the file.

use crate::common;

use common::{sqlstate, TestServer};
use tokio_postgres::error::SqlState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vacuum_moves_the_log_into_the_database_file() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE t (id int PRIMARY KEY, body text);
             INSERT INTO t SELECT g, repeat('x', 500) FROM generate_series(1, 2000) g",
        )
        .await
        .expect("load");
    let file = server.tenant_db_file("acme");
    let before = std::fs::metadata(&file).expect("db file").len();
    client.batch_execute("VACUUM").await.expect("vacuum");
    let after = std::fs::metadata(&file).expect("db file").len();
    assert!(
        after > before + 500_000,
        "the rows reached the database file: {before} -> {after} bytes"
    );
    let n: i64 = client
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 2000);
    client
        .batch_execute("VACUUM ANALYZE t")
        .await
        .expect("with options");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn vacuum_in_a_block_is_25001_and_fails_the_block() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client.batch_execute("BEGIN").await.expect("begin");
    let err = client.batch_execute("VACUUM").await;
    let message = err
        .as_ref()
        .unwrap_err()
        .as_db_error()
        .unwrap()
        .message()
        .to_owned();
    assert_eq!(sqlstate(err), SqlState::ACTIVE_SQL_TRANSACTION);
    assert_eq!(message, "VACUUM cannot run inside a transaction block");
    assert_eq!(
        sqlstate(client.batch_execute("SELECT 1").await),
        SqlState::IN_FAILED_SQL_TRANSACTION
    );
    client.batch_execute("ROLLBACK").await.expect("rollback");
    client
        .batch_execute("VACUUM")
        .await
        .expect("after the block");
}
