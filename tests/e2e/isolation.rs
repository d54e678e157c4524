//! Tenant isolation: same-named tables stay separate, another tenant's file
//! cannot be attached or named, admin functions and the admin database are
//! refused to tenant users, passwords do not cross tenants.

use crate::common;

use common::{sqlstate, two_tenants, TestServer, ADMIN_DB};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

async fn titles(client: &Client) -> Vec<String> {
    client
        .query("SELECT title FROM todo ORDER BY id", &[])
        .await
        .expect("select titles")
        .iter()
        .map(|r| r.get(0))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn same_named_tables_are_separate() {
    let server = TestServer::start().await;
    let (acme, beta) = two_tenants(&server).await;
    acme.execute("INSERT INTO todo VALUES (2, 'acme only')", &[])
        .await
        .expect("insert");
    assert_eq!(titles(&acme).await, ["acme secret", "acme only"]);
    assert_eq!(titles(&beta).await, ["beta secret"]);
    beta.batch_execute("DROP TABLE todo").await.expect("drop");
    assert_eq!(titles(&acme).await, ["acme secret", "acme only"]);
    let err = beta.query("SELECT title FROM todo", &[]).await;
    assert_eq!(sqlstate(err), SqlState::UNDEFINED_TABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_of_another_tenants_file_is_refused() {
    let server = TestServer::start().await;
    let (acme, beta) = two_tenants(&server).await;
    let file = server.tenant_db_file("beta");
    assert!(file.exists(), "{} exists", file.display());
    let path = file.display().to_string().replace('\'', "''");
    for sql in [
        format!("ATTACH DATABASE '{path}' AS x"),
        format!("ATTACH '{path}' AS x"),
    ] {
        let simple = sqlstate(acme.simple_query(&sql).await);
        assert!(
            simple == SqlState::INSUFFICIENT_PRIVILEGE || simple == SqlState::SYNTAX_ERROR,
            "{sql}: {simple:?}"
        );
        let extended = sqlstate(acme.execute(&sql, &[]).await);
        assert!(
            extended == SqlState::INSUFFICIENT_PRIVILEGE || extended == SqlState::SYNTAX_ERROR,
            "{sql}: {extended:?}"
        );
        // Whatever the refusal, nothing was attached: x.todo is not readable.
        let err = acme.simple_query("SELECT title FROM x.todo").await;
        assert!(err.is_err(), "x.todo must not be readable");
    }
    assert_eq!(titles(&beta).await, ["beta secret"]);
    assert_eq!(titles(&acme).await, ["acme secret"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attach_is_refused_with_insufficient_privilege() {
    // The exact code observed: ATTACH parses and is refused as a privilege matter.
    let server = TestServer::start().await;
    let (acme, _beta) = two_tenants(&server).await;
    let path = server.tenant_db_file("beta").display().to_string();
    let err = acme
        .simple_query(&format!("ATTACH DATABASE '{path}' AS x"))
        .await;
    assert_eq!(sqlstate(err), SqlState::INSUFFICIENT_PRIVILEGE);
}

/// Another tenant's name as a schema is a schema of the tenant's own, which
/// it has not made: PostgreSQL's 3F000, or 42P01 for a query's relation.
fn assert_no_such_schema(state: SqlState) {
    assert!(
        state == SqlState::INVALID_SCHEMA_NAME || state == SqlState::UNDEFINED_TABLE,
        "{state:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn other_tenant_schema_is_refused() {
    let server = TestServer::start().await;
    let (acme, beta) = two_tenants(&server).await;
    let err = acme.simple_query("SELECT * FROM beta.todo").await;
    assert_no_such_schema(sqlstate(err));
    let err = acme.query("SELECT * FROM beta.todo", &[]).await;
    assert_no_such_schema(sqlstate(err));
    let err = acme
        .simple_query("INSERT INTO beta.todo VALUES (9, 'from acme')")
        .await;
    assert_no_such_schema(sqlstate(err));
    let err = acme.simple_query("DELETE FROM beta.todo").await;
    assert_no_such_schema(sqlstate(err));
    assert_eq!(titles(&beta).await, ["beta secret"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_user_cannot_call_admin_functions() {
    let server = TestServer::start().await;
    let (acme, _beta) = two_tenants(&server).await;
    for sql in [
        "SELECT * FROM pgtenant.create_tenant('x')",
        "SELECT pgtenant.create_tenant('x')",
        "SELECT * FROM pgtenant.drop_tenant('beta')",
        "SELECT * FROM pgtenant.set_password('beta', 'bob', 'stolen')",
        "SELECT * FROM pgtenant.tenants",
    ] {
        let err = acme.simple_query(sql).await;
        assert_eq!(
            sqlstate(err),
            SqlState::INSUFFICIENT_PRIVILEGE,
            "{sql} must be refused to a tenant user"
        );
    }
    // Nothing happened: no tenant x, beta intact, bob's password unchanged.
    assert!(!server.tenant_dir("x").exists());
    let admin = server.admin().await;
    let names: Vec<String> = admin
        .query("SELECT tenant FROM pgtenant.tenants ORDER BY tenant", &[])
        .await
        .expect("list tenants")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["acme", "beta"]);
    let bob = server.connect_tenant("beta", "bob", "b0bpw").await;
    assert_eq!(titles(&bob).await, ["beta secret"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_user_calling_create_tenant_gets_a_clear_refusal() {
    let server = TestServer::start().await;
    let (acme, _beta) = two_tenants(&server).await;
    let err = acme
        .simple_query("SELECT * FROM pgtenant.create_tenant('x')")
        .await;
    let code = sqlstate(err);
    assert!(
        code == SqlState::INSUFFICIENT_PRIVILEGE || code == SqlState::INVALID_SCHEMA_NAME,
        "{code:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_user_cannot_use_the_admin_database() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    for user in ["alice@acme", "alice"] {
        let config = server.config(user, Some(ADMIN_DB), "s3cret");
        let err = server.connect_with(&config).await.map(|_| ());
        assert_eq!(
            sqlstate(err),
            SqlState::INVALID_PASSWORD,
            "{user} on database pgtenant"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passwords_do_not_cross_tenants() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    server.create_tenant_user("beta", "bob", "b0bpw").await;
    common::create_user(&server.admin().await, "beta", "alice", "betapw").await;
    // bob's password against acme, alice@acme's password against alice@beta.
    let err = server.try_connect_tenant("acme", "bob", "b0bpw").await;
    assert_eq!(sqlstate(err), SqlState::INVALID_PASSWORD);
    let err = server.try_connect_tenant("beta", "alice", "s3cret").await;
    assert_eq!(sqlstate(err), SqlState::INVALID_PASSWORD);
    // Each password works where it belongs.
    server.connect_tenant("beta", "alice", "betapw").await;
    server.connect_tenant("acme", "alice", "s3cret").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_from_database_name_or_options() {
    let server = TestServer::start().await;
    let (_acme, _beta) = two_tenants(&server).await;
    // Database name `acme` with a plain user name.
    let config = server.config("alice", Some("acme"), "s3cret");
    let (client, _task) = server
        .connect_with(&config)
        .await
        .expect("connect by dbname");
    assert_eq!(titles(&client).await, ["acme secret"]);
    // options -c pgtenant.tenant=beta.
    let mut config = server.config("bob", Some("whatever"), "b0bpw");
    config.options("-c pgtenant.tenant=beta");
    let (client, _task) = server
        .connect_with(&config)
        .await
        .expect("connect by options");
    assert_eq!(titles(&client).await, ["beta secret"]);
    // user@tenant takes priority over the database name.
    let config = server.config("alice@acme", Some("beta"), "s3cret");
    let (client, _task) = server
        .connect_with(&config)
        .await
        .expect("user@tenant wins over a database name");
    assert_eq!(titles(&client).await, ["acme secret"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenant_cannot_change_its_tenant_setting() {
    let server = TestServer::start().await;
    let (acme, _beta) = two_tenants(&server).await;
    let err = acme.simple_query("SET pgtenant.tenant = 'beta'").await;
    assert_eq!(sqlstate(err), SqlState::INSUFFICIENT_PRIVILEGE);
    assert_eq!(titles(&acme).await, ["acme secret"]);
}
