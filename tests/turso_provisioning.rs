//! Remote tenants provisioned through the Turso platform API (`[libsql]
//! provider = "turso"`), end to end: the platform double
//! (tests/common/turso.rs) creates databases on the Hrana double and mints
//! per-database tokens; sessions connect with tokio-postgres.

mod common;
#[path = "common/hrana.rs"]
mod hrana;
#[path = "common/turso.rs"]
mod turso;

use std::time::Duration;

use common::{create_user, db_error, simple_rows, TestServer};
use hrana::HranaServer;
use pgtenant::backend::libsql::config::Provider;
use pgtenant::backend::libsql::LibsqlConfig;
use turso::TursoDouble;

/// The platform API token; the server reads it from this variable.
const API_TOKEN_ENV: &str = "PGTENANT_TEST_TURSO_API_TOKEN";
const API_TOKEN: &str = "platform-api-token";
const MASTER_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

struct Fixture {
    server: TestServer,
    hrana: HranaServer,
    turso: TursoDouble,
    _dir: tempfile::TempDir,
}

async fn start(timeout_ms: u64) -> Fixture {
    std::env::set_var(API_TOKEN_ENV, API_TOKEN);
    let dir = tempfile::tempdir().unwrap();
    // The shared token is never handed out: sessions must use the minted ones.
    let hrana = HranaServer::start(dir.path(), Some("not-the-minted-token")).await;
    let turso = TursoDouble::start(
        "acme-corp",
        API_TOKEN,
        hrana.control(),
        &hrana.addr.to_string(),
    )
    .await;
    let api = turso.url();
    let server = TestServer::start_with(move |c| {
        c.master_key = Some(MASTER_KEY.into());
        c.libsql = Some(LibsqlConfig {
            provider: Provider::Turso,
            // The double serves plain HTTP; Turso itself gets libsql://.
            url: "http://{hostname}".into(),
            turso_api_url: api,
            turso_organization: Some("acme-corp".into()),
            turso_api_token_env: API_TOKEN_ENV.into(),
            timeout_ms,
            ..Default::default()
        });
    })
    .await;
    Fixture {
        server,
        hrana,
        turso,
        _dir: dir,
    }
}

#[tokio::test]
async fn turso_databases_are_created_used_and_deleted() {
    let f = start(5_000).await;
    let admin = f.server.admin().await;
    let rows = simple_rows(
        &admin
            .simple_query(
                "SELECT tenant, environment, status, database_url FROM pgtenant.create_tenant('acme', backend => 'libsql')",
            )
            .await
            .unwrap(),
    );
    let url = format!("http://{}", f.hrana.addr);
    assert_eq!(
        rows,
        vec![vec![
            Some("acme".into()),
            Some("prod".into()),
            Some("active".into()),
            Some(url.clone())
        ]]
    );
    assert_eq!(f.turso.databases(), vec!["acme--prod".to_owned()]);
    assert!(f.hrana.namespaces().contains(&"acme--prod".to_owned()));

    // The minted token is in the catalog only sealed.
    let catalog = rusqlite::Connection::open(f.server.data_dir.join("catalog.db")).unwrap();
    let (stored_url, sealed): (String, String) = catalog
        .query_row(
            "SELECT e.database_url, r.auth_token FROM environment e JOIN remote_credential r
             ON r.tenant = e.tenant AND r.environment = e.name
             WHERE e.tenant = 'acme' AND e.name = 'prod'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(stored_url, url);
    assert!(sealed.starts_with("v1:"), "{sealed}");
    assert!(!sealed.contains("acme--prod"), "{sealed}");

    // A tenant session runs SQL on its Turso database with the minted token.
    create_user(&admin, "acme", "alice", "s3cret").await;
    let c = f.server.connect_tenant("acme", "alice", "s3cret").await;
    c.batch_execute("CREATE TABLE note (id serial PRIMARY KEY, body text NOT NULL)")
        .await
        .unwrap();
    c.execute("INSERT INTO note (body) VALUES ($1)", &[&"hello"])
        .await
        .unwrap();
    let rows = c.query("SELECT id, body FROM note", &[]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, &str>("body"), "hello");
    let file = rusqlite::Connection::open(f._dir.path().join("acme--prod.db")).unwrap();
    let n: i64 = file
        .query_row("SELECT count(*) FROM note", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);

    // Suspending blocks the database on the platform; resuming unblocks it.
    admin
        .simple_query("SELECT pgtenant.suspend_tenant('acme')")
        .await
        .unwrap();
    assert!(f.turso.blocked("acme--prod"));
    admin
        .simple_query("SELECT pgtenant.resume_tenant('acme')")
        .await
        .unwrap();
    assert!(!f.turso.blocked("acme--prod"));
    let c = f.server.connect_tenant("acme", "alice", "s3cret").await;
    assert_eq!(
        c.query("SELECT body FROM note", &[]).await.unwrap().len(),
        1
    );

    // Another environment is another database; dropping it deletes it.
    let rows = simple_rows(
        &admin
            .simple_query("SELECT database_url FROM pgtenant.create_environment('acme', 'staging')")
            .await
            .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some(url.clone())]]);
    assert_eq!(
        f.turso.databases(),
        vec!["acme--prod".to_owned(), "acme--staging".to_owned()]
    );
    admin
        .simple_query("SELECT pgtenant.drop_environment('acme', 'staging')")
        .await
        .unwrap();
    assert_eq!(f.turso.databases(), vec!["acme--prod".to_owned()]);

    // Dropping the tenant deletes its databases on the platform.
    drop(c);
    admin
        .simple_query("SELECT pgtenant.drop_tenant('acme')")
        .await
        .unwrap();
    assert!(f.turso.databases().is_empty(), "{:?}", f.turso.databases());
    assert!(!f.hrana.namespaces().contains(&"acme--prod".to_owned()));
}

#[tokio::test]
async fn platform_refusals_are_sqlstates() {
    let f = start(1_000).await;
    let admin = f.server.admin().await;

    // Not a Turso database name: refused before anything is created.
    let e = db_error(
        admin
            .simple_query(
                "SELECT * FROM pgtenant.create_tenant('under_score', backend => 'libsql')",
            )
            .await,
    );
    assert_eq!(e.code().code(), "42602", "{e:?}");
    assert!(f.turso.databases().is_empty());

    // The name is taken on the platform: 42P04, the tenant is left failed.
    f.turso.create_database("taken--prod");
    let e = db_error(
        admin
            .simple_query("SELECT * FROM pgtenant.create_tenant('taken', backend => 'libsql')")
            .await,
    );
    assert_eq!(e.code().code(), "42P04", "{e:?}");
    let rows = simple_rows(
        &admin
            .simple_query("SELECT status FROM pgtenant.tenants WHERE tenant = 'taken'")
            .await
            .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some("failed".into())]]);

    // Suspending when the platform does not answer: 57014, tenant still active.
    admin
        .simple_query("SELECT * FROM pgtenant.create_tenant('sus', backend => 'libsql')")
        .await
        .unwrap();
    f.turso.set_delay(Duration::from_millis(3_000));
    let e = db_error(
        admin
            .simple_query("SELECT pgtenant.suspend_tenant('sus')")
            .await,
    );
    assert_eq!(e.code().code(), "57014", "{e:?}");
    let rows = simple_rows(
        &admin
            .simple_query("SELECT status FROM pgtenant.tenants WHERE tenant = 'sus'")
            .await
            .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some("active".into())]]);

    // A platform slower than the configured timeout: 57014, not a hang.
    let started = std::time::Instant::now();
    let e = db_error(
        admin
            .simple_query("SELECT * FROM pgtenant.create_tenant('slow', backend => 'libsql')")
            .await,
    );
    assert_eq!(e.code().code(), "57014", "{e:?}");
    assert!(started.elapsed() < Duration::from_millis(2_900));
}

#[tokio::test]
async fn unreachable_platform_is_08006() {
    std::env::set_var(API_TOKEN_ENV, API_TOKEN);
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let server = TestServer::start_with(move |c| {
        c.master_key = Some(MASTER_KEY.into());
        c.libsql = Some(LibsqlConfig {
            provider: Provider::Turso,
            turso_api_url: format!("http://127.0.0.1:{port}"),
            turso_organization: Some("acme-corp".into()),
            turso_api_token_env: API_TOKEN_ENV.into(),
            ..Default::default()
        });
    })
    .await;
    let admin = server.admin().await;
    let e = db_error(
        admin
            .simple_query("SELECT * FROM pgtenant.create_tenant('acme', backend => 'libsql')")
            .await,
    );
    assert_eq!(e.code().code(), "08006", "{e:?}");
}

/// `pgtenant.remote_databases()` compares the catalog with the platform's
/// database list: a tenant database deleted on the platform is `missing`,
/// one created there that no tenant owns (but named like ours) is `orphan`,
/// and databases named otherwise are not ours to report.
#[tokio::test]
async fn remote_databases_reports_missing_and_orphans() {
    let f = start(5_000).await;
    let admin = f.server.admin().await;
    for t in ["acme", "globex", "initech"] {
        admin
            .simple_query(&format!(
                "SELECT * FROM pgtenant.create_tenant('{t}', backend => 'libsql')"
            ))
            .await
            .unwrap();
    }
    f.turso.remove_database("globex--prod");
    f.turso.create_database("late--prod");
    f.turso.create_database("someone-elses-db");
    let rows = simple_rows(
        &admin
            .simple_query("SELECT * FROM pgtenant.remote_databases()")
            .await
            .unwrap(),
    );
    let row = |db: &str, state: &str, tenant: &str, env: &str| {
        vec![db, state, tenant, env]
            .into_iter()
            .map(|v| Some(v.to_owned()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        rows,
        vec![
            row("acme--prod", "ok", "acme", "prod"),
            row("globex--prod", "missing", "globex", "prod"),
            row("initech--prod", "ok", "initech", "prod"),
            row("late--prod", "orphan", "", ""),
        ]
    );
    // Reporting changed nothing.
    let mut left = f.turso.databases();
    left.sort();
    assert_eq!(
        left,
        [
            "acme--prod",
            "initech--prod",
            "late--prod",
            "someone-elses-db"
        ]
    );
}
