//! Tenant lifecycle through the admin functions: create_tenant with its
//! recorded steps, a failed provisioning, suspend/resume (sessions closed,
//! logins refused only after the password), drop through destroying,
//! invalid transitions, plans, and tenant users calling management functions.

use crate::common;

use std::time::Duration;

use common::{create_user, db_error, simple_rows, sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

async fn one(admin: &Client, sql: &str) -> Vec<Option<String>> {
    let rows = admin
        .simple_query(sql)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e:?}"));
    simple_rows(&rows).into_iter().next().expect("one row")
}

async fn status(admin: &Client, tenant: &str) -> (String, Option<String>) {
    let r = one(
        admin,
        &format!("SELECT status, failure_reason FROM pgtenant.tenants WHERE tenant = '{tenant}'"),
    )
    .await;
    (r[0].clone().unwrap(), r[1].clone())
}

#[tokio::test]
async fn create_tenant_with_plan_region_records_its_steps() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let row = one(
        &admin,
        "SELECT tenant, environment, status, database_url, created_at FROM pgtenant.create_tenant('acme', plan => 'pro', region => 'eu-west', backend => 'sqlite')",
    )
    .await;
    assert_eq!(row[0].as_deref(), Some("acme"));
    assert_eq!(row[1].as_deref(), Some("prod"));
    assert_eq!(row[2].as_deref(), Some("active"));
    assert_eq!(row[3].as_deref(), Some("sqlite:tenants/acme/prod.db"));
    assert!(row[4].is_some());
    let t = one(
        &admin,
        "SELECT plan, region, backend, status FROM pgtenant.tenants WHERE tenant = 'acme'",
    )
    .await;
    assert_eq!(
        t,
        ["pro", "eu-west", "sqlite", "active"].map(|s| Some(s.to_owned()))
    );
    let steps = admin
        .simple_query(
            "SELECT step, status FROM pgtenant.provisioning_steps WHERE tenant = 'acme' ORDER BY seq",
        )
        .await
        .unwrap();
    let steps: Vec<String> = simple_rows(&steps)
        .into_iter()
        .map(|r| format!("{}={}", r[0].as_deref().unwrap(), r[1].as_deref().unwrap()))
        .collect();
    assert_eq!(
        steps,
        [
            "register=done",
            "create_folder=done",
            "create_database=done",
            "activate=done"
        ]
    );
    // Unknown plan and backend are refused before anything is made.
    let e = db_error(
        admin
            .simple_query("SELECT * FROM pgtenant.create_tenant('beta', plan => 'gold')")
            .await,
    );
    assert_eq!(e.code(), &SqlState::INVALID_PARAMETER_VALUE);
    assert!(e.message().contains("gold"), "{}", e.message());
    assert_eq!(
        sqlstate(
            admin
                .simple_query("SELECT * FROM pgtenant.create_tenant('beta', backend => 'libsql')")
                .await
        ),
        SqlState::FEATURE_NOT_SUPPORTED
    );
    assert!(!server.tenant_dir("beta").exists());
}

#[tokio::test]
async fn a_failed_step_leaves_the_tenant_failed_and_nothing_half_made() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    // A file already sits where the tenant's folder goes.
    std::fs::write(server.tenant_dir("acme"), b"in the way").unwrap();
    let e = db_error(
        admin
            .simple_query("SELECT * FROM pgtenant.create_tenant('acme')")
            .await,
    );
    assert!(
        e.message().contains("provisioning tenant \"acme\" failed"),
        "{}",
        e.message()
    );
    assert!(!e.message().contains(server.data_dir.to_str().unwrap()));
    let (st, reason) = status(&admin, "acme").await;
    assert_eq!(st, "failed");
    assert!(reason.unwrap().starts_with("create_folder:"));
    let r = one(
        &admin,
        "SELECT count(*) FROM pgtenant.provisioning_steps WHERE tenant = 'acme' AND status = 'failed'",
    )
    .await;
    assert_eq!(r[0].as_deref(), Some("1"));
    // No environment, no login.
    let r = one(
        &admin,
        "SELECT environments FROM pgtenant.tenants WHERE tenant = 'acme'",
    )
    .await;
    assert_eq!(r[0], None);
    // Creating again says it exists and how to retry; failed → suspended is invalid.
    let e = db_error(
        admin
            .simple_query("SELECT * FROM pgtenant.create_tenant('acme')")
            .await,
    );
    assert_eq!(e.code(), &SqlState::DUPLICATE_OBJECT);
    assert!(e.detail().unwrap_or("").contains("drop_tenant"));
    assert_eq!(
        sqlstate(
            admin
                .simple_query("SELECT pgtenant.suspend_tenant('acme')")
                .await
        ),
        SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE
    );
    // Drop, clear the obstacle, and provisioning succeeds.
    std::fs::remove_file(server.tenant_dir("acme")).unwrap();
    admin
        .simple_query("SELECT pgtenant.drop_tenant('acme')")
        .await
        .unwrap();
    let row = one(&admin, "SELECT status FROM pgtenant.create_tenant('acme')").await;
    assert_eq!(row[0].as_deref(), Some("active"));
}

#[tokio::test]
async fn suspend_closes_sessions_and_refuses_logins_after_authentication() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let alice = server.fresh_tenant("acme").await;
    alice
        .batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
        .await
        .unwrap();
    let r = one(&admin, "SELECT pgtenant.suspend_tenant('acme')").await;
    assert_eq!(r[0].as_deref(), Some("t"));
    assert_eq!(status(&admin, "acme").await.0, "suspended");
    // The open session is closed.
    common::wait_until("the session to close", Duration::from_secs(5), || {
        server.server.sessions.count_tenant("acme") == 0
    })
    .await;
    assert!(alice.simple_query("SELECT 1").await.is_err());
    // Right password: a clear refusal with 57P03.
    let e = db_error(server.try_connect_tenant("acme", "alice", "s3cret").await);
    assert_eq!(e.code(), &SqlState::CANNOT_CONNECT_NOW);
    assert!(e.message().contains("suspended"), "{}", e.message());
    // Wrong password: the same answer as for a tenant that does not exist.
    let wrong = db_error(server.try_connect_tenant("acme", "alice", "nope").await);
    let nosuch = db_error(server.try_connect_tenant("nosuch", "alice", "nope").await);
    assert_eq!(wrong.code(), &SqlState::INVALID_PASSWORD);
    assert_eq!(nosuch.code(), &SqlState::INVALID_PASSWORD);
    assert!(!wrong.message().contains("suspended"));
    // psql sees the same refusal.
    let out = server
        .psql("alice@acme", "acme", "s3cret", &["-c", "SELECT 1"], None)
        .await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("is suspended"), "{stderr}");
    // Suspending twice, resuming an active tenant: invalid transitions.
    assert_eq!(
        sqlstate(
            admin
                .simple_query("SELECT pgtenant.suspend_tenant('acme')")
                .await
        ),
        SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE
    );
    admin
        .simple_query("SELECT pgtenant.resume_tenant('acme')")
        .await
        .unwrap();
    let e = db_error(
        admin
            .simple_query("SELECT pgtenant.resume_tenant('acme')")
            .await,
    );
    assert_eq!(e.code(), &SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE);
    assert!(e.message().contains("is active"), "{}", e.message());
    // Back in business, data intact.
    let alice = server.connect_tenant("acme", "alice", "s3cret").await;
    let n: i64 = alice
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    assert_eq!(
        sqlstate(
            admin
                .simple_query("SELECT pgtenant.suspend_tenant('nosuch')")
                .await
        ),
        SqlState::UNDEFINED_OBJECT
    );
}

#[tokio::test]
async fn drop_moves_through_destroying_and_removes_every_file() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let alice = server.fresh_tenant("acme").await;
    alice
        .batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (1)")
        .await
        .unwrap();
    // A suspended tenant can be dropped too.
    admin
        .simple_query("SELECT pgtenant.suspend_tenant('acme')")
        .await
        .unwrap();
    admin
        .simple_query("SELECT pgtenant.drop_tenant('acme')")
        .await
        .unwrap();
    assert!(!server.tenant_dir("acme").exists());
    let rows = admin
        .simple_query("SELECT * FROM pgtenant.tenants WHERE tenant = 'acme'")
        .await
        .unwrap();
    assert!(simple_rows(&rows).is_empty());
    let rows = admin
        .simple_query("SELECT * FROM pgtenant.provisioning_steps WHERE tenant = 'acme'")
        .await
        .unwrap();
    assert!(simple_rows(&rows).is_empty());
    assert_eq!(
        sqlstate(
            admin
                .simple_query("SELECT pgtenant.drop_tenant('acme')")
                .await
        ),
        SqlState::UNDEFINED_OBJECT
    );
}

#[tokio::test]
async fn set_plan_changes_the_plan_and_checks_it() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    common::create_tenant(&admin, "acme").await;
    admin
        .simple_query("SELECT pgtenant.set_plan('acme', 'enterprise')")
        .await
        .unwrap();
    let r = one(
        &admin,
        "SELECT plan FROM pgtenant.tenants WHERE tenant = 'acme'",
    )
    .await;
    assert_eq!(r[0].as_deref(), Some("enterprise"));
    assert_eq!(
        sqlstate(
            admin
                .simple_query("SELECT pgtenant.set_plan('acme', 'gold')")
                .await
        ),
        SqlState::INVALID_PARAMETER_VALUE
    );
    assert_eq!(
        sqlstate(
            admin
                .simple_query("SELECT pgtenant.set_plan('nosuch', 'pro')")
                .await
        ),
        SqlState::UNDEFINED_OBJECT
    );
}

#[tokio::test]
async fn tenant_users_cannot_call_management_functions() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let alice = server.fresh_tenant("acme").await;
    create_user(&admin, "acme", "bob", "pw").await;
    for sql in [
        "SELECT * FROM pgtenant.create_tenant('evil')",
        "SELECT pgtenant.suspend_tenant('acme')",
        "SELECT pgtenant.resume_tenant('acme')",
        "SELECT pgtenant.set_plan('acme', 'enterprise')",
        "SELECT pgtenant.set_quota('acme', 'max_tables', 0)",
        "SELECT * FROM pgtenant.usage",
        "SELECT pgtenant.drop_tenant('acme')",
    ] {
        assert_eq!(
            sqlstate(alice.simple_query(sql).await),
            SqlState::INSUFFICIENT_PRIVILEGE,
            "{sql}"
        );
        assert_eq!(
            sqlstate(alice.query(sql, &[]).await),
            SqlState::INSUFFICIENT_PRIVILEGE,
            "{sql} (extended)"
        );
    }
    assert_eq!(status(&admin, "acme").await.0, "active");
    let r = one(
        &admin,
        "SELECT plan FROM pgtenant.tenants WHERE tenant = 'acme'",
    )
    .await;
    assert_eq!(r[0].as_deref(), Some("free"));
}

/// A session ended by the server (its tenant suspended or dropped, or
/// shutdown) gets PostgreSQL's FATAL 57P01 before the close, so clients
/// report why instead of "server closed the connection unexpectedly".
#[tokio::test]
async fn ended_sessions_get_fatal_57p01() {
    let mut server = TestServer::start().await;
    let admin = server.admin().await;
    server.fresh_tenant("acme").await;
    server.fresh_tenant("beta").await;
    let mut tasks = Vec::new();
    for tenant in ["acme", "beta", "beta"] {
        let cfg = server.config(&format!("alice@{tenant}"), Some("app"), "s3cret");
        let (client, task) = server.connect_with(&cfg).await.unwrap();
        client.simple_query("SELECT 1").await.unwrap();
        tasks.push((client, task));
    }
    one(&admin, "SELECT pgtenant.suspend_tenant('acme')").await;
    one(&admin, "SELECT pgtenant.drop_tenant('beta')").await;
    for (_client, task) in tasks.drain(..) {
        let err = task
            .await
            .unwrap()
            .expect_err("the server ended the session");
        let db = err.as_db_error().expect("a FATAL ErrorResponse");
        assert_eq!(db.code().code(), "57P01", "{db:?}");
        assert_eq!(db.severity(), "FATAL");
    }
    // Shutdown too.
    one(&admin, "SELECT pgtenant.resume_tenant('acme')").await;
    let cfg = server.config("alice@acme", Some("app"), "s3cret");
    let (client, task) = server.connect_with(&cfg).await.unwrap();
    client.simple_query("SELECT 1").await.unwrap();
    drop(admin);
    server.shutdown().await.unwrap();
    let err = task.await.unwrap().expect_err("shutdown ended the session");
    assert_eq!(err.as_db_error().map(|d| d.code().code()), Some("57P01"));
}
