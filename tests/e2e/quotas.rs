//! Quotas end to end, each exceeded through a real client: storage (53100),
//! tables and rows per table (54000), connections per tenant and globally
//! (53300), statements per minute (53400); set_quota overrides; the usage view.

use crate::common;

use common::{db_error, simple_rows, sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

async fn quota(admin: &Client, tenant: &str, name: &str, value: u64) {
    admin
        .simple_query(&format!(
            "SELECT pgtenant.set_quota('{tenant}', '{name}', {value})"
        ))
        .await
        .unwrap_or_else(|e| panic!("set_quota {name}: {e:?}"));
}

#[tokio::test]
async fn storage_quota_is_53100_and_reads_go_on() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    quota(&admin, "acme", "max_storage_bytes", 256 * 1024).await;
    let c = server.connect_tenant("acme", "alice", "s3cret").await;
    c.batch_execute("CREATE TABLE b (x text)").await.unwrap();
    let mut err = None;
    for _ in 0..100 {
        if let Err(e) = c
            .batch_execute("INSERT INTO b SELECT repeat('x', 8000) FROM generate_series(1, 4)")
            .await
        {
            err = Some(e);
            break;
        }
    }
    let e = db_error::<()>(Err(err.expect("the quota stops the writes")));
    assert_eq!(e.code(), &SqlState::DISK_FULL, "{e:?}");
    assert!(e.message().contains("max_storage_bytes"), "{}", e.message());
    // Reads still work, the data is whole, and the tenant cannot lift it.
    let n: i64 = c
        .query_one("SELECT count(*) FROM b", &[])
        .await
        .unwrap()
        .get(0);
    assert!(n > 0);
    assert_eq!(
        sqlstate(c.simple_query("PRAGMA max_page_count = 100000").await),
        SqlState::INSUFFICIENT_PRIVILEGE
    );
    let size = std::fs::metadata(server.tenant_db_file("acme"))
        .unwrap()
        .len();
    assert!(size <= 256 * 1024, "{size}");
    // Deleting makes room again.
    c.batch_execute("DELETE FROM b").await.unwrap();
    c.batch_execute("INSERT INTO b VALUES ('fits')")
        .await
        .unwrap();
}

#[tokio::test]
async fn table_quota_is_54000() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    quota(&admin, "acme", "max_tables", 2).await;
    let c = server.connect_tenant("acme", "alice", "s3cret").await;
    c.batch_execute("CREATE TABLE a (x int); CREATE TABLE b (x int)")
        .await
        .unwrap();
    let e = db_error(c.simple_query("CREATE TABLE c (x int)").await);
    assert_eq!(e.code(), &SqlState::PROGRAM_LIMIT_EXCEEDED);
    assert!(e.message().contains("max_tables"), "{}", e.message());
    assert_eq!(
        sqlstate(c.simple_query("CREATE TABLE c AS SELECT 1 AS x").await),
        SqlState::PROGRAM_LIMIT_EXCEEDED
    );
    // A DO block's statements count as if sent alone; a handler that
    // catches others does not get around the limit either.
    assert_eq!(
        sqlstate(
            c.simple_query("DO 'BEGIN CREATE TABLE c (x int); END'")
                .await
        ),
        SqlState::PROGRAM_LIMIT_EXCEEDED
    );
    c.batch_execute("DO 'BEGIN CREATE TABLE c (x int); EXCEPTION WHEN others THEN NULL; END'")
        .await
        .unwrap();
    let n = c
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'c'",
            &[],
        )
        .await
        .unwrap()
        .get::<_, i64>(0);
    assert_eq!(n, 0);
    c.batch_execute("DROP TABLE b; CREATE TABLE c (x int)")
        .await
        .unwrap();
    // A quota change applies to the live session at once.
    quota(&admin, "acme", "max_tables", 0).await;
    c.batch_execute("CREATE TABLE d (x int)").await.unwrap();
}

#[tokio::test]
async fn row_quota_is_54000_and_the_transaction_rolls_back() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    quota(&admin, "acme", "max_rows_per_table", 5).await;
    let c = server.connect_tenant("acme", "alice", "s3cret").await;
    c.batch_execute("CREATE TABLE t (x int); INSERT INTO t SELECT g FROM generate_series(1, 4) g")
        .await
        .unwrap();
    let e = db_error(c.simple_query("INSERT INTO t VALUES (5), (6)").await);
    assert_eq!(e.code(), &SqlState::PROGRAM_LIMIT_EXCEEDED, "{e:?}");
    assert!(
        e.message().contains("max_rows_per_table"),
        "{}",
        e.message()
    );
    // In a block: the COMMIT is refused and nothing of the block stays.
    c.batch_execute("BEGIN; INSERT INTO t VALUES (5); INSERT INTO t VALUES (6)")
        .await
        .unwrap();
    assert_eq!(
        sqlstate(c.simple_query("COMMIT").await),
        SqlState::PROGRAM_LIMIT_EXCEEDED
    );
    let n: i64 = c
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 4);
    // Deletes make room, counted across sessions.
    c.batch_execute("DELETE FROM t").await.unwrap();
    let c2 = server.connect_tenant("acme", "alice", "s3cret").await;
    c2.batch_execute("INSERT INTO t SELECT g FROM generate_series(1, 5) g")
        .await
        .unwrap();
    assert_eq!(
        sqlstate(c.simple_query("INSERT INTO t VALUES (6)").await),
        SqlState::PROGRAM_LIMIT_EXCEEDED
    );
}

#[tokio::test]
async fn connection_quotas_are_53300() {
    let server = TestServer::start_with(|c| c.max_connections = 3).await;
    let admin = server.admin().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    server.create_tenant_user("beta", "bob", "pw").await;
    quota(&admin, "acme", "max_connections", 2).await;
    let a1 = server.connect_tenant("acme", "alice", "s3cret").await;
    let _a2 = server.connect_tenant("acme", "alice", "s3cret").await;
    let e = db_error(server.try_connect_tenant("acme", "alice", "s3cret").await);
    assert_eq!(e.code(), &SqlState::TOO_MANY_CONNECTIONS);
    assert!(e.message().contains("acme"), "{}", e.message());
    // A wrong password still gets the password answer, not the quota.
    assert_eq!(
        sqlstate(server.try_connect_tenant("acme", "alice", "bad").await),
        SqlState::INVALID_PASSWORD
    );
    // The global limit: 3 tenant sessions in all.
    let _b1 = server.connect_tenant("beta", "bob", "pw").await;
    let e = db_error(server.try_connect_tenant("beta", "bob", "pw").await);
    assert_eq!(e.code(), &SqlState::TOO_MANY_CONNECTIONS);
    assert_eq!(e.message(), "sorry, too many clients already");
    // The admin can still get in, and sees the counts.
    let admin2 = server.admin().await;
    let rows = admin2
        .simple_query("SELECT tenant, connections FROM pgtenant.usage")
        .await
        .unwrap();
    assert_eq!(
        simple_rows(&rows),
        vec![
            vec![Some("acme".to_owned()), Some("2".to_owned())],
            vec![Some("beta".to_owned()), Some("1".to_owned())],
        ]
    );
    // A closed session gives its slot back.
    drop(a1);
    common::wait_until(
        "the slot to free",
        std::time::Duration::from_secs(5),
        || server.server.limits.global_connections() == 2,
    )
    .await;
    server.connect_tenant("acme", "alice", "s3cret").await;
}

#[tokio::test]
async fn statement_rate_is_53400() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    quota(&admin, "acme", "statements_per_minute", 5).await;
    let c = server.connect_tenant("acme", "alice", "s3cret").await;
    let mut refused = None;
    for i in 0..20 {
        if let Err(e) = c.simple_query("SELECT 1").await {
            refused = Some((i, e));
            break;
        }
    }
    // The minute may roll over mid-loop; either way at most 10 ran.
    let (i, e) = refused.expect("the rate quota refuses");
    assert!(i <= 10, "{i}");
    let e = db_error::<()>(Err(e));
    assert_eq!(e.code(), &SqlState::CONFIGURATION_LIMIT_EXCEEDED);
    assert!(
        e.message().contains("statements_per_minute"),
        "{}",
        e.message()
    );
    // Lifting the quota takes effect at once.
    quota(&admin, "acme", "statements_per_minute", 0).await;
    c.simple_query("SELECT 1").await.unwrap();
}

#[tokio::test]
async fn set_quota_validates_and_usage_reports() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    for (sql, code) in [
        (
            "SELECT pgtenant.set_quota('acme', 'max_widgets', 1)",
            SqlState::INVALID_PARAMETER_VALUE,
        ),
        (
            "SELECT pgtenant.set_quota('acme', 'max_tables', -1)",
            SqlState::INVALID_PARAMETER_VALUE,
        ),
        (
            "SELECT pgtenant.set_quota('nosuch', 'max_tables', 1)",
            SqlState::UNDEFINED_OBJECT,
        ),
        (
            "SELECT * FROM pgtenant.usage WHERE tenant = 'acme'",
            SqlState::FEATURE_NOT_SUPPORTED,
        ),
    ] {
        assert_eq!(sqlstate(admin.simple_query(sql).await), code, "{sql}");
    }
    quota(&admin, "acme", "max_deployments_per_day", 3).await;
    let rows = admin
        .simple_query("SELECT name, value FROM pgtenant.quotas WHERE tenant = 'acme'")
        .await
        .unwrap();
    assert_eq!(
        simple_rows(&rows),
        vec![vec![
            Some("max_deployments_per_day".to_owned()),
            Some("3".to_owned())
        ]]
    );
    // The deployment engine reads it through the server.
    let s = server.server.clone();
    let q = tokio::task::spawn_blocking(move || s.quota("acme", "max_deployments_per_day"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(q, 3);
    // NULL returns it to the plan's value.
    admin
        .simple_query("SELECT pgtenant.set_quota('acme', 'max_deployments_per_day', NULL)")
        .await
        .unwrap();
    let s = server.server.clone();
    let q = tokio::task::spawn_blocking(move || s.quota("acme", "max_deployments_per_day"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(q, server.server.config.plans.free.max_deployments_per_day);

    let c = server.connect_tenant("acme", "alice", "s3cret").await;
    c.batch_execute(
        "CREATE TABLE a (x int); CREATE TABLE b (x int);
         INSERT INTO a VALUES (1), (2); INSERT INTO b VALUES (3)",
    )
    .await
    .unwrap();
    let rows = admin
        .simple_query("SELECT * FROM pgtenant.usage('acme')")
        .await
        .unwrap();
    let r = &simple_rows(&rows)[0];
    assert_eq!(r[0].as_deref(), Some("acme"));
    assert_eq!(r[1].as_deref(), Some("active"));
    assert_eq!(r[2].as_deref(), Some("free"));
    let bytes: u64 = r[3].as_deref().unwrap().parse().unwrap();
    assert!(bytes >= 4096, "{bytes}");
    assert_eq!(r[4].as_deref(), Some("2"));
    assert_eq!(r[5].as_deref(), Some("3"));
    assert_eq!(r[6].as_deref(), Some("1"));
    let stmts: u64 = r[7].as_deref().unwrap().parse().unwrap();
    assert!(stmts >= 4, "{stmts}");
    // psql shows the same view.
    let out = server
        .psql(
            common::ADMIN_USER,
            common::ADMIN_DB,
            common::ADMIN_PASSWORD,
            &[
                "-At",
                "-c",
                "SELECT tenant, tables, rows FROM pgtenant.usage",
            ],
            None,
        )
        .await;
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "acme|2|3");
}
