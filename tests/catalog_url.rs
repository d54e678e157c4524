//! The catalog on a remote libSQL database (`catalog_url`), end to end: two
//! pgtenant processes with their own data folders and ports share one
//! catalog, a namespace on the Hrana-over-HTTP test double
//! (tests/common/hrana.rs: a stand-in for sqld, not libSQL itself); their
//! tenants live on the same double. Clients are tokio-postgres over real
//! sockets.

mod common;
#[path = "common/hrana.rs"]
mod hrana;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::child::{ChildOptions, ChildServer};
use common::{create_user, db_error, simple_rows, ADMIN_PASSWORD};
use hrana::HranaServer;
use tokio_postgres::Client;

/// The bearer token the double requires, for the catalog and the tenants'
/// databases alike; children inherit it from this variable.
const TOKEN_ENV: &str = "PGTENANT_TEST_CATALOG_URL_TOKEN";
const TOKEN: &str = "catalog-secret-token";
const MASTER_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

fn config_toml(double: &HranaServer, catalog_url: &str, timeout_ms: u64) -> String {
    format!(
        r#"master_key = "{MASTER_KEY}"
catalog_url = "{catalog_url}"
catalog_auth_token_env = "{TOKEN_ENV}"

[libsql]
url = "{url}"
admin_url = "{admin}"
auth_token_env = "{TOKEN_ENV}"
timeout_ms = {timeout_ms}
"#,
        url = double.url(),
        admin = double.admin_url(),
    )
}

struct Fleet {
    a: ChildServer,
    b: ChildServer,
    double: HranaServer,
    _dir: tempfile::TempDir,
}

/// The double with a `catalog` namespace, and two instances sharing it.
async fn fleet(timeout_ms: u64) -> Fleet {
    std::env::set_var(TOKEN_ENV, TOKEN);
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("double")).unwrap();
    let double = HranaServer::start(&dir.path().join("double"), Some(TOKEN)).await;
    assert!(double.control().create_namespace("catalog"));
    let catalog_url = format!("{}#catalog", double.url());
    let toml = config_toml(&double, &catalog_url, timeout_ms);
    let start = |name: &str| {
        let data = dir.path().join(name);
        let log = dir.path().join(format!("{name}.log"));
        let opts = ChildOptions {
            config_toml: Some(toml.clone()),
            ..Default::default()
        };
        async move { ChildServer::start_with(&data, &log, opts).await }
    };
    // Both at once: the schema and the hostname patterns are written in
    // transactions, so the second waits for the first.
    let (a, b) = tokio::join!(start("a"), start("b"));
    Fleet {
        a,
        b,
        double,
        _dir: dir,
    }
}

async fn admin_rows(admin: &Client, sql: &str) -> Vec<Vec<Option<String>>> {
    simple_rows(
        &admin
            .simple_query(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e:?}")),
    )
}

fn code(e: &tokio_postgres::Error) -> String {
    e.code()
        .map(|c| c.code().to_owned())
        .unwrap_or_else(|| format!("no SQLSTATE: {e:?}"))
}

// Several workers: the double answers on its async tasks, and one of them
// may wait on an SQLite lock while another answers the lock's holder.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_instances_share_one_control_plane() {
    let f = fleet(5_000).await;
    let admin_a = f.a.admin().await;
    let admin_b = f.b.admin().await;

    // Created through A (explicitly libsql), usable through B at once.
    let created = admin_rows(
        &admin_a,
        "SELECT tenant, status FROM pgtenant.create_tenant('acme', backend => 'libsql')",
    )
    .await;
    assert_eq!(
        created,
        vec![vec![Some("acme".into()), Some("active".into())]]
    );
    create_user(&admin_a, "acme", "alice", "s3cret").await;
    let on_b = f.b.tenant("acme", "alice", "s3cret").await.unwrap();
    on_b.batch_execute(
        "CREATE TABLE t (id int PRIMARY KEY, v text); INSERT INTO t VALUES (1, 'from b')",
    )
    .await
    .unwrap();
    let on_a = f.a.tenant("acme", "alice", "s3cret").await.unwrap();
    on_a.execute("INSERT INTO t VALUES (2, 'from a')", &[])
        .await
        .unwrap();
    for c in [&on_a, &on_b] {
        let rows = c
            .query("SELECT id, v FROM t ORDER BY id", &[])
            .await
            .unwrap();
        let got: Vec<(i32, String)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        assert_eq!(got, vec![(1, "from b".into()), (2, "from a".into())]);
    }

    // The default backend with a remote catalog is libsql; local files are refused.
    let rows = admin_rows(
        &admin_b,
        "SELECT tenant, status FROM pgtenant.create_tenant('beta')",
    )
    .await;
    assert_eq!(rows[0][1].as_deref(), Some("active"));
    let e = admin_a
        .simple_query("SELECT * FROM pgtenant.create_tenant('gamma', backend => 'sqlite')")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "0A000", "{e:?}");

    // Ad-hoc SELECTs over the catalog views, forwarded to the remote catalog.
    let listed = admin_rows(
        &admin_b,
        "SELECT tenant, status, backend, users FROM pgtenant.tenants ORDER BY tenant",
    )
    .await;
    assert_eq!(
        listed,
        vec![
            vec![
                Some("acme".into()),
                Some("active".into()),
                Some("libsql".into()),
                Some("1".into())
            ],
            vec![
                Some("beta".into()),
                Some("active".into()),
                Some("libsql".into()),
                Some("0".into())
            ],
        ]
    );
    let users = admin_rows(
        &admin_a,
        "SELECT tenant, \"user\", role FROM pgtenant.users",
    )
    .await;
    assert_eq!(
        users,
        vec![vec![
            Some("acme".into()),
            Some("alice".into()),
            Some("owner".into())
        ]]
    );
    // ... and read-only.
    for sql in [
        "DELETE FROM pgtenant.tenant",
        "UPDATE pgtenant.tenant SET status = 'active'",
        "CREATE TABLE pgtenant.x (a int)",
    ] {
        let e = admin_b.simple_query(sql).await.unwrap_err();
        assert_eq!(code(&e), "25006", "{sql}: {e:?}");
    }

    // A quota set on A binds B's next connection (B has one open).
    admin_rows(
        &admin_a,
        "SELECT pgtenant.set_quota('acme', 'max_connections', 1)",
    )
    .await;
    let e = f.b.tenant("acme", "alice", "s3cret").await.unwrap_err();
    assert_eq!(code(&e), "53300", "{e:?}");
    admin_rows(
        &admin_a,
        "SELECT pgtenant.set_quota('acme', 'max_connections', NULL)",
    )
    .await;
    f.b.tenant("acme", "alice", "s3cret").await.unwrap();

    // Suspended on B: A refuses new connections; its open session is B's
    // business only (B closes its own).
    admin_rows(&admin_b, "SELECT pgtenant.suspend_tenant('acme')").await;
    let e = f.a.tenant("acme", "alice", "s3cret").await.unwrap_err();
    assert_eq!(code(&e), "57P03", "{e:?}");
    admin_rows(&admin_a, "SELECT pgtenant.resume_tenant('acme')").await;
    let again = f.b.tenant("acme", "alice", "s3cret").await.unwrap();
    let n: i64 = again
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);

    // Dropped on A: B refuses, as for any unknown tenant.
    admin_rows(&admin_a, "SELECT pgtenant.drop_tenant('acme')").await;
    let e = f.b.tenant("acme", "alice", "s3cret").await.unwrap_err();
    assert_eq!(code(&e), "28P01", "{e:?}");
    let listed = admin_rows(&admin_b, "SELECT tenant FROM pgtenant.tenants").await;
    assert_eq!(listed, vec![vec![Some("beta".into())]]);
    assert!(!f.double.namespaces().contains(&"acme--prod".to_owned()));

    // Created again on B with a new user: A serves it, not a stale handle.
    admin_rows(&admin_b, "SELECT pgtenant.create_tenant('acme')").await;
    create_user(&admin_b, "acme", "bob", "pw2").await;
    let fresh = f.a.tenant("acme", "bob", "pw2").await.unwrap();
    let e = fresh.query("SELECT * FROM t", &[]).await.unwrap_err();
    assert_eq!(code(&e), "42P01", "{e:?}");
}

// Deployments and apps keep their history in the shared catalog: what one
// instance did, the other sees and can roll back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deployments_and_apps_with_a_shared_catalog() {
    let f = fleet(5_000).await;
    let admin_a = f.a.admin().await;
    let admin_b = f.b.admin().await;
    admin_rows(&admin_a, "SELECT pgtenant.create_tenant('acme')").await;
    create_user(&admin_a, "acme", "alice", "s3cret").await;

    // Deployed through A, changed through B.
    let v1 = "CREATE TABLE items (id int PRIMARY KEY, name text)";
    let rows = admin_rows(
        &admin_a,
        &format!("SELECT tenant, status FROM pgtenant.deploy('acme', $${v1}$$)"),
    )
    .await;
    assert_eq!(
        rows,
        vec![vec![Some("acme".into()), Some("applied".into())]]
    );
    let v2 = "CREATE TABLE items (id int PRIMARY KEY, name text, qty int)";
    let rows = admin_rows(
        &admin_b,
        &format!("SELECT deployment_id, status FROM pgtenant.deploy('*', $${v2}$$)"),
    )
    .await;
    assert_eq!(rows[0][1].as_deref(), Some("applied"), "{rows:?}");
    let second = rows[0][0].clone().unwrap();

    // An app installed through B.
    let manifest = serde_json::json!({
        "name": "crm",
        "version": "1.0.0",
        "description": "contacts",
        "schema": "CREATE TABLE contacts (id serial PRIMARY KEY, name text NOT NULL)",
        "seed": {"contacts": [{"name": "Ada"}]},
    })
    .to_string();
    let rows = admin_rows(
        &admin_b,
        &format!("SELECT object, action, seeded_rows FROM pgtenant.install_app('acme', $m${manifest}$m$)"),
    )
    .await;
    assert_eq!(
        rows,
        vec![vec![
            Some("contacts".into()),
            Some("create_table".into()),
            Some("1".into())
        ]]
    );

    // A sees B's history and apps, and rolls B's deployment back.
    let apps = admin_rows(&admin_a, "SELECT tenant, app, version FROM pgtenant.apps").await;
    assert_eq!(
        apps,
        vec![vec![
            Some("acme".into()),
            Some("crm".into()),
            Some("1.0.0".into())
        ]]
    );
    let rows = admin_rows(
        &admin_a,
        &format!("SELECT status FROM pgtenant.rollback('acme', {second})"),
    )
    .await;
    assert_eq!(rows, vec![vec![Some("applied".into())]]);
    let history = admin_rows(
        &admin_b,
        "SELECT kind, status FROM pgtenant.deployments WHERE tenant = 'acme' ORDER BY id",
    )
    .await;
    assert_eq!(
        history,
        vec![
            vec![Some("deploy".into()), Some("applied".into())],
            vec![Some("deploy".into()), Some("rolled_back".into())],
            vec![Some("app:crm@1.0.0".into()), Some("applied".into())],
            vec![Some("rollback".into()), Some("applied".into())],
        ]
    );

    // The tenant's own login, through either instance.
    let on_a = f.a.tenant("acme", "alice", "s3cret").await.unwrap();
    let cols: Vec<String> = on_a
        .query(
            "SELECT column_name::text FROM information_schema.columns WHERE table_name = 'items' ORDER BY ordinal_position",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(cols, ["id", "name"]);
    let on_b = f.b.tenant("acme", "alice", "s3cret").await.unwrap();
    let name: String = on_b
        .query_one("SELECT name FROM contacts", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(name, "Ada");
}

/// `pgtenant.deploy` through `admin`, expecting it applied.
async fn deploy_applied(admin: &Client, tenant: &str, ddl: &str) {
    let rows = admin_rows(
        admin,
        &format!("SELECT status FROM pgtenant.deploy('{tenant}', $${ddl}$$)"),
    )
    .await;
    assert_eq!(rows, vec![vec![Some("applied".into())]], "{ddl}");
}

// A deployment through A reaches sessions already open on B: a statement
// naming the new column or table works at once (a missing name makes the
// session compare its mirror with the server's schema version), and B's
// catalog views show the change within the mirror's check interval.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_deployment_through_one_instance_reaches_sessions_open_on_the_other() {
    let f = fleet(5_000).await;
    let admin_a = f.a.admin().await;
    admin_rows(&admin_a, "SELECT pgtenant.create_tenant('acme')").await;
    create_user(&admin_a, "acme", "alice", "s3cret").await;
    deploy_applied(
        &admin_a,
        "acme",
        "CREATE TABLE items (id int PRIMARY KEY, name text)",
    )
    .await;

    // Two sessions on B, their mirrors loaded with the first schema.
    let b1 = f.b.tenant("acme", "alice", "s3cret").await.unwrap();
    let b2 = f.b.tenant("acme", "alice", "s3cret").await.unwrap();
    for c in [&b1, &b2] {
        assert!(c
            .query("SELECT id, name FROM items", &[])
            .await
            .unwrap()
            .is_empty());
    }
    deploy_applied(
        &admin_a,
        "acme",
        "CREATE TABLE items (id int PRIMARY KEY, name text, qty int DEFAULT 7); \
         CREATE TABLE orders (id int PRIMARY KEY, item int REFERENCES items (id))",
    )
    .await;

    // At once, over the extended protocol (Parse describes on the mirror):
    // the new column with its declared type, and the new table.
    b1.execute("INSERT INTO items (id, name) VALUES (1, 'a')", &[])
        .await
        .unwrap();
    let row = b1
        .query_one("SELECT qty, name FROM items WHERE id = $1", &[&1i32])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 7);
    assert_eq!(row.columns()[0].type_(), &tokio_postgres::types::Type::INT4);
    b1.execute("INSERT INTO orders VALUES ($1, $2)", &[&10i32, &1i32])
        .await
        .unwrap();

    // Catalog queries read only the mirror: b2 sees the change once the
    // check interval (1 s) has passed since its last statement.
    tokio::time::sleep(Duration::from_millis(1_200)).await;
    let cols: Vec<String> = b2
        .query(
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_name = 'items' ORDER BY ordinal_position",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(cols, ["id", "name", "qty"]);
    let tables: Vec<String> = b2
        .query(
            "SELECT c.relname::text FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(tables, ["items", "orders"]);
    let n: i64 = b2
        .query_one("SELECT count(*) FROM orders", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_unreachable_catalog_gives_clear_errors() {
    let f = fleet(1_000).await;
    let admin_a = f.a.admin().await;
    admin_rows(&admin_a, "SELECT pgtenant.create_tenant('acme')").await;
    create_user(&admin_a, "acme", "alice", "s3cret").await;

    // Too slow: 57014 within the configured deadline, not a hang.
    f.double.set_delay(Duration::from_millis(3_000));
    let t = Instant::now();
    let e = f.b.tenant("acme", "alice", "s3cret").await.unwrap_err();
    assert_eq!(code(&e), "57014", "{e:?}\n{}", f.b.log_text());
    let e = admin_a
        .simple_query("SELECT pgtenant.create_user('acme', 'bob', 'pw')")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "57014", "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(6), "{:?}", t.elapsed());
    f.double.set_delay(Duration::ZERO);

    // Gone: 08006 for logins, admin logins and admin functions.
    let Fleet {
        a, b, double, _dir, ..
    } = f;
    drop(double);
    let e = b.tenant("acme", "alice", "s3cret").await.unwrap_err();
    assert_eq!(code(&e), "08006", "{e:?}");
    assert!(db_error::<()>(Err(e)).message().contains("catalog"));
    let e = common::child::connect(&b.config("pgtenant", Some("pgtenant"), ADMIN_PASSWORD))
        .await
        .unwrap_err();
    assert_eq!(code(&e), "08006", "{e:?}");
    let e = admin_a
        .simple_query("SELECT pgtenant.create_tenant('beta')")
        .await
        .unwrap_err();
    assert_eq!(code(&e), "08006", "{e:?}");
    drop((a, b));
}

#[tokio::test]
async fn startup_fails_fast_when_the_catalog_is_unreachable() {
    std::env::set_var(TOKEN_ENV, TOKEN);
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let config = dir.path().join("pgtenant.toml");
    std::fs::write(
        &config,
        format!("catalog_url = \"http://127.0.0.1:{port}#catalog\"\ncatalog_auth_token_env = \"{TOKEN_ENV}\"\n"),
    )
    .unwrap();
    let out = run_to_exit(&dir.path().join("data"), &config, Duration::from_secs(30));
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("catalog") && stderr.contains("127.0.0.1"),
        "{stderr}"
    );
}

/// Runs the server to its exit (it must exit by itself within `limit`).
fn run_to_exit(data: &Path, config: &Path, limit: Duration) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_pgtenant"))
        .args(["serve", "--listen", "127.0.0.1:0", "--data"])
        .arg(data)
        .arg("--config")
        .arg(config)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn pgtenant");
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("pgtenant did not exit with an unreachable catalog");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}
