//! Failed logins: 28P01 for a wrong password, and the same answer for an
//! unknown tenant or user so nothing reveals which tenants exist.

use crate::common;

use common::{db_error, sqlstate, TestServer, ADMIN_DB, ADMIN_USER};
use tokio_postgres::error::SqlState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_password_is_28p01() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let err = server.try_connect_tenant("acme", "alice", "wrong").await;
    let db = db_error(err);
    assert_eq!(db.code(), &SqlState::INVALID_PASSWORD);
    assert_eq!(db.severity(), "FATAL");
    assert!(
        db.message()
            .eq_ignore_ascii_case("password authentication failed for user \"alice@acme\""),
        "{}",
        db.message()
    );
    // The right password still works afterwards.
    server.connect_tenant("acme", "alice", "s3cret").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_admin_password_is_28p01() {
    let server = TestServer::start().await;
    let config = server.config(ADMIN_USER, Some(ADMIN_DB), "not-the-admin-password");
    let err = server.connect_with(&config).await.map(|_| ());
    assert_eq!(sqlstate(err), SqlState::INVALID_PASSWORD);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_tenant_and_unknown_user_look_the_same() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let wrong_password = db_error(server.try_connect_tenant("acme", "alice", "guess").await);
    let unknown_user = db_error(server.try_connect_tenant("acme", "mallory", "guess").await);
    let unknown_tenant = db_error(server.try_connect_tenant("nosuch", "alice", "guess").await);
    let invalid_tenant = db_error(
        server
            .try_connect_tenant("No Such!", "alice", "guess")
            .await,
    );
    for (what, e) in [
        ("wrong password", &wrong_password),
        ("unknown user", &unknown_user),
        ("unknown tenant", &unknown_tenant),
        ("invalid tenant name", &invalid_tenant),
    ] {
        assert_eq!(e.code(), &SqlState::INVALID_PASSWORD, "{what}");
        assert_eq!(e.severity(), "FATAL", "{what}");
        assert_eq!(e.detail(), None, "{what}: no detail may leak");
        assert_eq!(e.hint(), None, "{what}: no hint may leak");
    }
    // Identical apart from the user name.
    let normalise =
        |e: &tokio_postgres::error::DbError, user: &str| e.message().replace(user, "USER");
    let reference = normalise(&wrong_password, "alice@acme");
    assert_eq!(normalise(&unknown_user, "mallory@acme"), reference);
    assert_eq!(normalise(&unknown_tenant, "alice@nosuch"), reference);
    assert_eq!(normalise(&invalid_tenant, "alice@No Such!"), reference);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failure_message_matches_postgres_wording() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let err = db_error(server.try_connect_tenant("acme", "alice", "guess").await);
    assert_eq!(
        err.message(),
        "password authentication failed for user \"alice@acme\""
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psql_reports_the_failure_and_exits_2() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let out = server
        .psql("alice@acme", "acme", "wrong", &["-c", "SELECT 1"], None)
        .await;
    assert_eq!(
        out.status.code(),
        Some(2),
        "psql exits 2 when it cannot connect"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .to_ascii_lowercase()
            .contains("fatal:  password authentication failed for user \"alice@acme\""),
        "stderr: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_user_cannot_log_in() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let admin = server.admin().await;
    admin
        .simple_query("SELECT * FROM pgtenant.drop_user('acme', 'alice')")
        .await
        .expect("drop_user");
    let err = server.try_connect_tenant("acme", "alice", "s3cret").await;
    assert_eq!(sqlstate(err), SqlState::INVALID_PASSWORD);
}
