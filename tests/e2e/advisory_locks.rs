//! pg_advisory_lock and friends through tokio-postgres (extended protocol)
//! and simple queries: a held key blocks another session of the same
//! tenant until released or the holder disconnects, never a session of
//! another tenant; transaction-level locks end with the transaction; a
//! blocked wait ends with statement_timeout (57014) and the session goes on.
//! pg_sleep waits without stalling other sessions.

use crate::common;

use std::time::{Duration, Instant};

use common::TestServer;
use tokio_postgres::error::SqlState;

async fn try_lock(c: &tokio_postgres::Client, key: i64) -> bool {
    c.query_one("SELECT pg_try_advisory_lock($1)", &[&key])
        .await
        .expect("try lock")
        .get(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn advisory_locks_exclude_sessions_of_one_tenant() {
    let server = TestServer::start().await;
    let a = server.fresh_tenant("acme").await;
    let b = server.connect_tenant("acme", "alice", "s3cret").await;
    server.create_tenant_user("beta", "bob", "pw").await;
    let other = server.connect_tenant("beta", "bob", "pw").await;

    // Session-level, re-entrant: two takes need two unlocks.
    a.batch_execute("SELECT pg_advisory_lock(42)")
        .await
        .unwrap();
    assert!(try_lock(&a, 42).await);
    assert!(!try_lock(&b, 42).await, "another session is refused");
    assert!(
        try_lock(&other, 42).await,
        "another tenant has its own keys"
    );
    let unlocked: bool = a
        .query_one("SELECT pg_advisory_unlock(42)", &[])
        .await
        .unwrap()
        .get(0);
    assert!(unlocked);
    assert!(!try_lock(&b, 42).await, "still held once");
    a.batch_execute("SELECT pg_advisory_unlock(42)")
        .await
        .unwrap();
    let again: bool = a
        .query_one("SELECT pg_advisory_unlock(42)", &[])
        .await
        .unwrap()
        .get(0);
    assert!(!again, "unlocking a key not held is false");
    assert!(try_lock(&b, 42).await);

    // A blocking lock waits for the holder's unlock.
    let started = Instant::now();
    let waiter = {
        let a2 = server.connect_tenant("acme", "alice", "s3cret").await;
        tokio::spawn(async move {
            a2.batch_execute("SELECT pg_advisory_lock(42)")
                .await
                .unwrap();
            let ts: Vec<tokio_postgres::Row> = a2.query("SELECT 1", &[]).await.unwrap();
            (ts.len(), a2)
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !waiter.is_finished(),
        "the waiter blocks while b holds the key"
    );
    // Other sessions go on meanwhile.
    let one: i32 = a.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);
    b.batch_execute("SELECT pg_advisory_unlock(42)")
        .await
        .unwrap();
    let (n, a2) = tokio::time::timeout(Duration::from_secs(10), waiter)
        .await
        .expect("the waiter gets the lock")
        .unwrap();
    assert_eq!(n, 1);
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert!(!try_lock(&a, 42).await);
    // The holder disconnecting releases its locks.
    drop(a2);
    let mut freed = false;
    for _ in 0..100 {
        if try_lock(&a, 42).await {
            freed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(freed, "a closed session's locks are released");

    // Two-key form and shared locks.
    let row = b
        .query_one(
            "SELECT pg_try_advisory_lock_shared(7), pg_advisory_unlock_shared(7), pg_try_advisory_lock(1, 2)",
            &[],
        )
        .await
        .unwrap();
    assert!(row.get::<_, bool>(0) && row.get::<_, bool>(1) && row.get::<_, bool>(2));
    b.batch_execute("SELECT pg_advisory_lock_shared(9)")
        .await
        .unwrap();
    a.batch_execute("SELECT pg_advisory_lock_shared(9)")
        .await
        .unwrap();
    let excl: bool = other
        .query_one("SELECT pg_try_advisory_lock(9)", &[])
        .await
        .unwrap()
        .get(0);
    assert!(excl, "other tenant unaffected");
    assert!(
        !try_lock(&a, 9).await,
        "exclusive refused while b shares it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transaction_locks_and_timeouts() {
    let server = TestServer::start().await;
    let a = server.fresh_tenant("acme").await;
    let b = server.connect_tenant("acme", "alice", "s3cret").await;

    a.batch_execute("BEGIN; SELECT pg_advisory_xact_lock(5)")
        .await
        .unwrap();
    assert!(!try_lock(&b, 5).await, "held until the transaction ends");
    a.batch_execute("COMMIT").await.unwrap();
    assert!(try_lock(&b, 5).await, "released at COMMIT");

    // A blocked wait ends at statement_timeout; the session stays usable.
    a.batch_execute("SET statement_timeout = 300")
        .await
        .unwrap();
    let err = a
        .batch_execute("SELECT pg_advisory_lock(5)")
        .await
        .expect_err("times out");
    assert_eq!(err.code(), Some(&SqlState::QUERY_CANCELED), "{err:?}");
    let one: i32 = a.query_one("SELECT 1", &[]).await.unwrap().get(0);
    assert_eq!(one, 1);
    assert!(!try_lock(&a, 5).await, "the timed-out wait took nothing");

    // pg_sleep waits, bounded by statement_timeout too.
    a.batch_execute("SET statement_timeout = 0").await.unwrap();
    let started = Instant::now();
    a.batch_execute("SELECT pg_sleep(0.2)").await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
    a.batch_execute("SET statement_timeout = 100")
        .await
        .unwrap();
    let err = a
        .query("SELECT pg_sleep(5)", &[])
        .await
        .expect_err("times out");
    assert_eq!(err.code(), Some(&SqlState::QUERY_CANCELED), "{err:?}");
}
