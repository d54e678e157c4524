//! Environments and hostnames through the admin functions, without TLS:
//! each environment is its own database, reachable as `user@tenant.env`.

use crate::common;

use std::time::Duration;

use common::*;
use tokio_postgres::error::SqlState;

async fn started() -> TestServer {
    TestServer::start_with(|c| {
        c.hostname_pattern = Some("{tenant}-{env}.db.example.com".into());
        c.prod_hostname_pattern = Some("{tenant}.db.example.com".into());
    })
    .await
}

async fn rows(client: &tokio_postgres::Client, sql: &str) -> Vec<Vec<Option<String>>> {
    simple_rows(
        &client
            .simple_query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}")),
    )
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

#[tokio::test]
async fn environments_are_separate_databases() {
    let server = started().await;
    let prod = server.fresh_tenant("acme").await;
    let admin = server.admin().await;
    let created = rows(
        &admin,
        "SELECT tenant, environment, hostname, database_url FROM pgtenant.create_environment('acme', 'staging')",
    )
    .await;
    assert_eq!(
        created,
        vec![vec![
            s("acme"),
            s("staging"),
            s("acme-staging.db.example.com"),
            s("sqlite:tenants/acme/staging.db")
        ]]
    );
    assert!(server.tenant_dir("acme").join("staging.db").exists());

    let staging = server
        .connect_tenant("acme.staging", "alice", "s3cret")
        .await;
    staging
        .batch_execute("CREATE TABLE t (x int); INSERT INTO t VALUES (42)")
        .await
        .unwrap();
    assert_eq!(rows(&staging, "SELECT x FROM t").await, vec![vec![s("42")]]);
    // not in prod
    assert_eq!(
        sqlstate(prod.simple_query("SELECT x FROM t").await),
        SqlState::UNDEFINED_TABLE
    );
    // the same environment through options and the database name
    let mut c = server.config("alice", Some("x"), "s3cret");
    c.options("-c pgtenant.tenant=acme -c pgtenant.env=staging");
    let (via_options, _) = server.connect_with(&c).await.unwrap();
    assert_eq!(
        rows(&via_options, "SELECT x FROM t").await,
        vec![vec![s("42")]]
    );
    let c = server.config("alice", Some("acme.staging"), "s3cret");
    let (via_db, _) = server.connect_with(&c).await.unwrap();
    assert_eq!(rows(&via_db, "SELECT x FROM t").await, vec![vec![s("42")]]);

    // the view: canonical hostnames, prod from its own pattern
    let view = rows(
        &admin,
        "SELECT environment, hostname, database_url FROM pgtenant.environments WHERE tenant = 'acme' ORDER BY environment",
    )
    .await;
    assert_eq!(
        view,
        vec![
            vec![
                s("prod"),
                s("acme.db.example.com"),
                s("sqlite:tenants/acme/prod.db")
            ],
            vec![
                s("staging"),
                s("acme-staging.db.example.com"),
                s("sqlite:tenants/acme/staging.db")
            ],
        ]
    );
}

#[tokio::test]
async fn environment_errors() {
    let server = started().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let admin = server.admin().await;
    admin
        .simple_query("SELECT * FROM pgtenant.create_environment('acme', 'dev')")
        .await
        .unwrap();
    let cases = [
        (
            "SELECT * FROM pgtenant.create_environment('acme', 'dev')",
            SqlState::DUPLICATE_OBJECT,
        ),
        (
            "SELECT * FROM pgtenant.create_environment('acme', 'prod')",
            SqlState::DUPLICATE_OBJECT,
        ),
        (
            "SELECT * FROM pgtenant.create_environment('acme', '../x')",
            SqlState::INVALID_PARAMETER_VALUE,
        ),
        (
            "SELECT * FROM pgtenant.create_environment('acme', 'Dev')",
            SqlState::INVALID_PARAMETER_VALUE,
        ),
        (
            "SELECT * FROM pgtenant.create_environment('nope', 'dev')",
            SqlState::UNDEFINED_OBJECT,
        ),
        (
            "SELECT * FROM pgtenant.create_environment('acme', NULL)",
            SqlState::NULL_VALUE_NOT_ALLOWED,
        ),
        (
            "SELECT * FROM pgtenant.drop_environment('acme', 'prod')",
            SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
        ),
        (
            "SELECT * FROM pgtenant.drop_environment('acme', 'qa')",
            SqlState::UNDEFINED_OBJECT,
        ),
        (
            "SELECT * FROM pgtenant.set_hostname('acme', 'qa', 'x.example.com')",
            SqlState::UNDEFINED_OBJECT,
        ),
        (
            "SELECT * FROM pgtenant.set_hostname('acme', 'dev', 'not a host')",
            SqlState::INVALID_PARAMETER_VALUE,
        ),
    ];
    for (sql, code) in cases {
        let e = db_error(admin.simple_query(sql).await);
        assert_eq!(e.code(), &code, "{sql}: {}", e.message());
    }
    // the admin session survives every error
    assert_serves(&server).await;
    // failed creations left no rows (prod and dev only) and no files
    let mut files: Vec<String> = std::fs::read_dir(server.tenant_dir("acme"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".db"))
        .collect();
    files.sort();
    assert_eq!(files, ["dev.db", "prod.db"]);
    assert_eq!(
        rows(
            &admin,
            "SELECT count(*) FROM pgtenant.environments WHERE tenant = 'acme'"
        )
        .await,
        vec![vec![s("2")]]
    );
}

#[tokio::test]
async fn dropping_an_environment_closes_its_sessions_and_removes_its_file() {
    let server = started().await;
    let prod = server.fresh_tenant("acme").await;
    let admin = server.admin().await;
    admin
        .simple_query("SELECT * FROM pgtenant.create_environment('acme', 'dev')")
        .await
        .unwrap();
    let dev = server.connect_tenant("acme.dev", "alice", "s3cret").await;
    dev.batch_execute("CREATE TABLE t (x int)").await.unwrap();
    let file = server.tenant_dir("acme").join("dev.db");
    assert!(file.exists());

    let r = rows(
        &admin,
        "SELECT * FROM pgtenant.drop_environment('acme', 'dev')",
    )
    .await;
    assert_eq!(r, vec![vec![s("t")]]);
    assert!(!file.exists());
    wait_until("the dev session to end", Duration::from_secs(5), || {
        dev.is_closed()
    })
    .await;
    // prod is untouched
    prod.batch_execute("SELECT 1").await.unwrap();
    // new logins to dev fail like any failed login
    let e = db_error(
        server
            .try_connect_tenant("acme.dev", "alice", "s3cret")
            .await,
    );
    assert_eq!(e.code(), &SqlState::INVALID_PASSWORD);
    // and the name can be used again, with an empty database
    admin
        .simple_query("SELECT * FROM pgtenant.create_environment('acme', 'dev')")
        .await
        .unwrap();
    let dev = server.connect_tenant("acme.dev", "alice", "s3cret").await;
    assert_eq!(
        sqlstate(dev.simple_query("SELECT * FROM t").await),
        SqlState::UNDEFINED_TABLE
    );
}

#[tokio::test]
async fn custom_hostnames_are_unique() {
    let server = started().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    server.create_tenant_user("beta", "bob", "b0bpw").await;
    let admin = server.admin().await;
    let r = rows(
        &admin,
        "SELECT tenant, environment, hostname FROM pgtenant.set_hostname('acme', 'prod', 'DB.Acme.com')",
    )
    .await;
    assert_eq!(r, vec![vec![s("acme"), s("prod"), s("db.acme.com")]]);
    // the same domain for another tenant
    let e = db_error(
        admin
            .simple_query("SELECT * FROM pgtenant.set_hostname('beta', 'prod', 'db.acme.com')")
            .await,
    );
    assert_eq!(e.code(), &SqlState::UNIQUE_VIOLATION);
    assert!(
        e.message().contains("db.acme.com") && e.message().contains("already bound"),
        "{}",
        e.message()
    );
    // another tenant's canonical hostname cannot be taken either
    let e = db_error(
        admin
            .simple_query(
                "SELECT * FROM pgtenant.set_hostname('beta', 'prod', 'acme.db.example.com')",
            )
            .await,
    );
    assert_eq!(e.code(), &SqlState::UNIQUE_VIOLATION);
    // nor through create_environment, which then creates nothing
    let e = db_error(
        admin
            .simple_query(
                "SELECT * FROM pgtenant.create_environment('beta', 'dev', hostname => 'db.acme.com')",
            )
            .await,
    );
    assert_eq!(e.code(), &SqlState::UNIQUE_VIOLATION);
    assert!(!server.tenant_dir("beta").join("dev.db").exists());
    let view = rows(
        &admin,
        "SELECT tenant, environment, hostname, canonical_hostname FROM pgtenant.environments ORDER BY tenant",
    )
    .await;
    assert_eq!(
        view,
        vec![
            vec![
                s("acme"),
                s("prod"),
                s("db.acme.com"),
                s("acme.db.example.com")
            ],
            vec![
                s("beta"),
                s("prod"),
                s("beta.db.example.com"),
                s("beta.db.example.com")
            ],
        ]
    );
    // unbinding frees the name; dropping a tenant frees its names too
    admin
        .simple_query("SELECT * FROM pgtenant.set_hostname('acme', 'prod', NULL)")
        .await
        .unwrap();
    admin
        .simple_query("SELECT * FROM pgtenant.set_hostname('beta', 'prod', 'db.acme.com')")
        .await
        .unwrap();
    admin
        .simple_query("SELECT * FROM pgtenant.drop_tenant('beta')")
        .await
        .unwrap();
    admin
        .simple_query("SELECT * FROM pgtenant.set_hostname('acme', 'prod', 'db.acme.com')")
        .await
        .unwrap();
}
