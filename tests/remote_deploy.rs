//! Deployments and app installs on tenants whose database is on a libSQL
//! server, end to end: the admin deploys, rolls back and installs apps
//! through tokio-postgres over a real socket; the tenant's own login sees
//! the result. The remote is the Hrana-over-HTTP test double
//! (tests/common/hrana.rs: a stand-in for sqld, not libSQL itself).

mod common;
#[path = "common/hrana.rs"]
mod hrana;

use std::time::{Duration, Instant};

use common::{create_user, db_error, simple_rows, TestServer};
use hrana::HranaServer;
use pgtenant::backend::libsql::LibsqlConfig;
use serde_json::json;
use tokio_postgres::Client;

/// One name per test binary: tests of other binaries cannot disturb it.
const TOKEN_ENV: &str = "PGTENANT_TEST_REMOTE_DEPLOY_TOKEN";
const TOKEN: &str = "deploy-secret-token";
const MASTER_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

type Rows = Vec<Vec<Option<String>>>;

struct Fixture {
    server: TestServer,
    double: HranaServer,
    _dir: tempfile::TempDir,
}

async fn start(timeout_ms: u64) -> Fixture {
    std::env::set_var(TOKEN_ENV, TOKEN);
    let dir = tempfile::tempdir().unwrap();
    let double = HranaServer::start(dir.path(), Some(TOKEN)).await;
    let (url, admin_url) = (double.url(), double.admin_url());
    let server = TestServer::start_with(move |c| {
        c.master_key = Some(MASTER_KEY.into());
        c.libsql = Some(LibsqlConfig {
            url,
            admin_url: Some(admin_url),
            auth_token_env: TOKEN_ENV.into(),
            timeout_ms,
            ..Default::default()
        });
    })
    .await;
    Fixture {
        server,
        double,
        _dir: dir,
    }
}

async fn sql(client: &Client, q: &str) -> Result<Rows, tokio_postgres::Error> {
    client.simple_query(q).await.map(|m| simple_rows(&m))
}

async fn ok(client: &Client, q: &str) -> Rows {
    sql(client, q)
        .await
        .unwrap_or_else(|e| panic!("{q}: {:?}", db_error::<()>(Err(e))))
}

/// A remote tenant with user alice (password s3cret).
async fn remote_tenant(f: &Fixture, admin: &Client, tenant: &str) {
    ok(
        admin,
        &format!("SELECT * FROM pgtenant.create_tenant('{tenant}', backend => 'libsql')"),
    )
    .await;
    create_user(admin, tenant, "alice", "s3cret").await;
    assert!(f.double.namespaces().contains(&format!("{tenant}--prod")));
}

async fn deploy(admin: &Client, target: &str, ddl: &str, extra: &str) -> Rows {
    ok(
        admin,
        &format!("SELECT * FROM pgtenant.deploy({target}, $ddl${ddl}$ddl${extra})"),
    )
    .await
}

/// (column, PostgreSQL type) of a table, as the tenant's login sees them.
async fn columns(client: &Client, table: &str) -> Vec<(String, String)> {
    client
        .query(
            "SELECT column_name::text, data_type::text FROM information_schema.columns
             WHERE table_name = $1 ORDER BY ordinal_position",
            &[&table],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

const V1: &str = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int);
    CREATE INDEX items_name ON items (name);
    CREATE TABLE tags (id int PRIMARY KEY, item_id int REFERENCES items (id), label text);
    CREATE VIEW item_names AS SELECT name FROM items WHERE qty > 0";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn deploy_change_and_roll_back_a_remote_tenant() {
    let f = start(5_000).await;
    let admin = f.server.admin().await;
    remote_tenant(&f, &admin, "acme").await;
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    alice
        .batch_execute("CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int); INSERT INTO items (name, qty) VALUES ('apple', 3), ('pear', 5)")
        .await
        .unwrap();

    // The plan reads the remote live schema.
    let plan = ok(
        &admin,
        &format!("SELECT action, object FROM pgtenant.plan('acme', $${V1}$$)"),
    )
    .await;
    let actions: Vec<_> = plan.iter().map(|r| r[0].clone().unwrap()).collect();
    assert_eq!(
        actions,
        ["create_table", "create_index", "create_view"],
        "{plan:?}"
    );

    let rows = deploy(&admin, "'acme'", V1, "").await;
    assert_eq!(rows[0][3].as_deref(), Some("applied"), "{rows:?}");
    assert_eq!(rows[0][4].as_deref(), Some("3"));
    let first: i64 = rows[0][2].as_deref().unwrap().parse().unwrap();
    // Through the tenant's own login: the new table, the index, the old rows.
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    assert_eq!(
        columns(&alice, "tags").await,
        pairs(&[("id", "integer"), ("item_id", "integer"), ("label", "text")])
    );
    alice
        .batch_execute("INSERT INTO tags VALUES (1, 1, 'fruit')")
        .await
        .unwrap();
    let idx = ok(
        &alice,
        "SELECT indexname FROM pg_indexes WHERE tablename = 'items' AND indexname = 'items_name'",
    )
    .await;
    assert_eq!(idx.len(), 1, "{idx:?}");
    // The same schema again: nothing to do (the remote reads back as planned).
    let rows = deploy(&admin, "'acme'", V1, "").await;
    assert_eq!(rows[0][3].as_deref(), Some("unchanged"), "{rows:?}");

    // Add a column: ALTER TABLE in place.
    let v2 = V1.replace("qty int)", "qty int, price numeric(10,2) DEFAULT 0)");
    let rows = deploy(&admin, "'acme'", &v2, "").await;
    assert_eq!(rows[0][3].as_deref(), Some("applied"), "{rows:?}");
    let second: i64 = rows[0][2].as_deref().unwrap().parse().unwrap();
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    assert_eq!(
        columns(&alice, "items").await,
        pairs(&[
            ("id", "integer"),
            ("name", "text"),
            ("qty", "integer"),
            ("price", "numeric")
        ])
    );

    // A change only a rebuild makes (type and constraint): rows kept.
    let v3 = v2.replace(
        "qty int,",
        "qty bigint NOT NULL DEFAULT 0 CHECK (qty >= 0),",
    );
    let rows = deploy(&admin, "'acme'", &v3, "").await;
    assert_eq!(rows[0][3].as_deref(), Some("applied"), "{rows:?}");
    let plan_sql = ok(
        &admin,
        &format!(
            "SELECT up_sql FROM pgtenant.deployments WHERE id = {}",
            rows[0][2].as_deref().unwrap()
        ),
    )
    .await;
    let up = plan_sql[0][0].as_deref().unwrap();
    assert!(!up.contains("legacy_alter_table"), "{up}");
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    let got: Vec<(i32, String, i64)> = alice
        .query("SELECT id, name, qty FROM items ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(got, [(1, "apple".into(), 3), (2, "pear".into(), 5)]);
    // The view over the rebuilt table still answers.
    let names: Vec<String> = alice
        .query("SELECT name FROM item_names ORDER BY name", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["apple", "pear"]);
    let e = alice
        .execute("INSERT INTO items (name, qty) VALUES ('kiwi', -1)", &[])
        .await;
    assert_eq!(
        common::sqlstate(e),
        tokio_postgres::error::SqlState::CHECK_VIOLATION
    );
    let rows = deploy(&admin, "'acme'", &v3, "").await;
    assert_eq!(rows[0][3].as_deref(), Some("unchanged"), "{rows:?}");

    // Roll back to before the second deployment: price and the rebuild go.
    let rows = ok(
        &admin,
        &format!("SELECT * FROM pgtenant.rollback('acme', {second})"),
    )
    .await;
    assert_eq!(rows[0][3].as_deref(), Some("applied"), "{rows:?}");
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    assert_eq!(
        columns(&alice, "items").await,
        pairs(&[("id", "integer"), ("name", "text"), ("qty", "integer")])
    );
    let names: Vec<String> = alice
        .query("SELECT name FROM items ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["apple", "pear"]);
    let n: i64 = alice
        .query_one("SELECT count(*) FROM tags", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);

    // History: every attempt, in order, with what the rollback undid.
    let history = ok(
        &admin,
        "SELECT id, kind, status, steps FROM pgtenant.deployments WHERE tenant = 'acme' ORDER BY id",
    )
    .await;
    let got: Vec<(String, String)> = history
        .iter()
        .map(|r| (r[1].clone().unwrap(), r[2].clone().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("deploy".into(), "applied".into()),
            ("deploy".into(), "rolled_back".into()),
            ("deploy".into(), "rolled_back".into()),
            ("rollback".into(), "applied".into()),
        ],
        "{history:?}"
    );
    assert_eq!(history[0][0].as_deref(), Some(first.to_string().as_str()));
}

/// Every table and column, as the tenant's login sees them.
async fn schema(c: &Client) -> Rows {
    ok(
        c,
        "SELECT table_name, column_name, is_nullable FROM information_schema.columns
         ORDER BY table_name, ordinal_position",
    )
    .await
}

// A step that fails half way, a refusal and a dry run leave the remote
// tenant exactly as it was: the plan runs in one remote transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn failures_refusals_and_dry_runs_change_nothing_remotely() {
    let f = start(5_000).await;
    let admin = f.server.admin().await;
    remote_tenant(&f, &admin, "acme").await;
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    alice
        .batch_execute("CREATE TABLE items (id int PRIMARY KEY, name text, qty int); INSERT INTO items VALUES (1, 'a', NULL), (2, 'b', 3)")
        .await
        .unwrap();
    let before = schema(&alice).await;

    // The copy back fails on the NULL (23502) after the table was rebuilt.
    let wanted = "CREATE TABLE items (id int PRIMARY KEY, name text, qty int NOT NULL); CREATE TABLE more (id int)";
    let e = db_error(
        sql(
            &admin,
            &format!("SELECT * FROM pgtenant.deploy('acme', $${wanted}$$)"),
        )
        .await,
    );
    assert_eq!(e.code().code(), "23502", "{e:?}");
    assert!(
        e.message().contains("rebuild table items failed"),
        "{}",
        e.message()
    );
    // Refused as destructive (2BP01), and a dry run of an allowed change.
    let e = db_error(
        sql(
            &admin,
            "SELECT * FROM pgtenant.deploy('acme', $$CREATE TABLE items (id int PRIMARY KEY)$$)",
        )
        .await,
    );
    assert_eq!(e.code().code(), "2BP01", "{e:?}");
    let rows = deploy(
        &admin,
        "'acme'",
        "CREATE TABLE items (id int PRIMARY KEY, name text, qty int, note text)",
        ", dry_run => true",
    )
    .await;
    assert_eq!(rows[0][3].as_deref(), Some("dry_run"), "{rows:?}");

    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    assert_eq!(schema(&alice).await, before);
    assert!(!before.is_empty());
    let n: i64 = alice
        .query_one("SELECT count(*) FROM items", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    // Only the execution failure is history.
    let history = ok(
        &admin,
        "SELECT status, error FROM pgtenant.deployments WHERE tenant = 'acme'",
    )
    .await;
    assert_eq!(history.len(), 1, "{history:?}");
    assert_eq!(history[0][0].as_deref(), Some("failed"));
    // The server's write lock was given back: a good deployment goes through.
    let rows = deploy(
        &admin,
        "'acme'",
        "CREATE TABLE items (id int PRIMARY KEY, name text, qty int, note text)",
        "",
    )
    .await;
    assert_eq!(rows[0][3].as_deref(), Some("applied"), "{rows:?}");
}

// The deployment queues behind a remote session's write transaction (the
// tenant's writer slot), then sees its rows.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_remote_deployment_waits_for_the_tenants_write_transaction() {
    let f = start(5_000).await;
    let admin = f.server.admin().await;
    remote_tenant(&f, &admin, "acme").await;
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    alice
        .batch_execute(
            "CREATE TABLE items (id int PRIMARY KEY, qty int); INSERT INTO items VALUES (1, 1)",
        )
        .await
        .unwrap();
    alice
        .batch_execute("BEGIN; INSERT INTO items VALUES (2, 2)")
        .await
        .unwrap();
    let pending = tokio::spawn(async move {
        deploy(
            &admin,
            "'acme'",
            "CREATE TABLE items (id int PRIMARY KEY, qty bigint NOT NULL)",
            "",
        )
        .await
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !pending.is_finished(),
        "deploy ran inside a tenant's write transaction"
    );
    alice.batch_execute("COMMIT").await.unwrap();
    let rows = pending.await.unwrap();
    assert_eq!(rows[0][3].as_deref(), Some("applied"), "{rows:?}");
    let n: i64 = alice
        .query_one("SELECT count(*) FROM items", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fleet_deploys_reach_local_and_remote_tenants() {
    let f = start(5_000).await;
    let admin = f.server.admin().await;
    remote_tenant(&f, &admin, "remote1").await;
    ok(&admin, "SELECT * FROM pgtenant.create_tenant('local1')").await;
    create_user(&admin, "local1", "alice", "s3cret").await;
    let rows = deploy(
        &admin,
        "'*'",
        "CREATE TABLE notes (id int PRIMARY KEY, body text)",
        "",
    )
    .await;
    let got: Vec<(String, String)> = rows
        .iter()
        .map(|r| (r[0].clone().unwrap(), r[3].clone().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            ("local1".into(), "applied".into()),
            ("remote1".into(), "applied".into())
        ],
        "{rows:?}"
    );
    for tenant in ["local1", "remote1"] {
        let c = f.server.connect_tenant(tenant, "alice", "s3cret").await;
        c.batch_execute("INSERT INTO notes VALUES (1, 'hello')")
            .await
            .unwrap();
        assert_eq!(
            columns(&c, "notes").await,
            pairs(&[("id", "integer"), ("body", "text")])
        );
    }
}

fn crm(version: &str, extra_ddl: &str) -> String {
    let mut seed = json!({"contacts": [{"name": "Ada", "vip": true}, {"name": "O'Brien"}]});
    if extra_ddl.contains("stages") {
        seed["stages"] = json!([{"id": 1, "label": "lead"}, {"id": 2, "label": "won"}]);
    }
    json!({
        "name": "crm",
        "version": version,
        "description": "contacts and deals",
        "schema": format!(
            "CREATE TABLE contacts (id serial PRIMARY KEY, name text NOT NULL, vip boolean DEFAULT false);
             CREATE INDEX contacts_name ON contacts (name);
             {extra_ddl}"
        ),
        "seed": seed,
        "min_pgtenant_version": "0.1.0"
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn apps_install_upgrade_and_uninstall_on_a_remote_tenant() {
    let f = start(5_000).await;
    let admin = f.server.admin().await;
    remote_tenant(&f, &admin, "acme").await;
    let call = |f: &str, m: &str| format!("SELECT * FROM pgtenant.{f}('acme', $m${m}$m$)");

    let check = ok(&admin, &call("check_app", &crm("1.0.0", ""))).await;
    assert_eq!(check[0][0].as_deref(), Some("t"), "{check:?}");
    let rows = ok(&admin, &call("install_app", &crm("1.0.0", ""))).await;
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                r[2].clone().unwrap(),
                r[3].clone().unwrap(),
                r[4].clone().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("contacts".into(), "create_table".into(), "2".into()),
            ("contacts_name".into(), "create_index".into(), "".into())
        ]
    );
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    let got: Vec<(String, bool)> = alice
        .query("SELECT name, vip FROM contacts ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(got, [("Ada".into(), true), ("O'Brien".into(), false)]);
    assert_eq!(
        ok(&admin, "SELECT tenant, app, version FROM pgtenant.apps").await,
        vec![vec![
            Some("acme".into()),
            Some("crm".into()),
            Some("1.0.0".into())
        ]]
    );

    // Upgrade: a new seeded table, the old rows kept.
    let v2 = crm(
        "1.1.0",
        "CREATE TABLE stages (id int PRIMARY KEY, label text NOT NULL);",
    );
    ok(&admin, &call("upgrade_app", &v2)).await;
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    let n: i64 = alice
        .query_one(
            "SELECT (SELECT count(*) FROM stages) + (SELECT count(*) FROM contacts)",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 4);

    // Uninstall without keeping the data drops the app's tables.
    ok(
        &admin,
        "SELECT * FROM pgtenant.uninstall_app('acme', 'crm', keep_data => false)",
    )
    .await;
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    let e = alice.query("SELECT * FROM contacts", &[]).await;
    assert_eq!(
        common::sqlstate(e),
        tokio_postgres::error::SqlState::UNDEFINED_TABLE
    );
    assert!(ok(&admin, "SELECT * FROM pgtenant.apps").await.is_empty());
    let kinds = ok(
        &admin,
        "SELECT kind, status FROM pgtenant.deployments WHERE tenant = 'acme' ORDER BY id",
    )
    .await;
    assert_eq!(
        kinds,
        vec![
            vec![Some("app:crm@1.0.0".into()), Some("applied".into())],
            vec![Some("app:crm@1.1.0".into()), Some("applied".into())],
            vec![Some("app_uninstall:crm".into()), Some("applied".into())],
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_remote_that_is_slow_or_down_fails_the_deployment_clearly() {
    let f = start(1_000).await;
    let admin = f.server.admin().await;
    remote_tenant(&f, &admin, "acme").await;
    let ddl = "CREATE TABLE t (id int PRIMARY KEY)";
    let failed = |rows: &Rows| -> Vec<(String, String)> {
        rows.iter()
            .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
            .collect()
    };

    // Too slow: 57014 within the deadline, not a hang.
    f.double.set_delay(Duration::from_millis(3_000));
    let t = Instant::now();
    let e = db_error(
        sql(
            &admin,
            &format!("SELECT * FROM pgtenant.deploy('acme', $${ddl}$$)"),
        )
        .await,
    );
    assert_eq!(e.code().code(), "57014", "{e:?}");
    assert!(e.message().contains("remote database"), "{}", e.message());
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
    f.double.set_delay(Duration::ZERO);
    f.double.expire_streams();

    // Down: 08006.
    let Fixture { server, double, .. } = f;
    drop(double);
    let e = db_error(
        sql(
            &admin,
            &format!("SELECT * FROM pgtenant.deploy('acme', $${ddl}$$)"),
        )
        .await,
    );
    assert_eq!(e.code().code(), "08006", "{e:?}");
    assert!(e.message().contains("remote database"), "{}", e.message());

    // Both attempts are in the history as failed, with their error.
    let rows = ok(
        &admin,
        "SELECT status, error FROM pgtenant.deployments WHERE tenant = 'acme' ORDER BY id",
    )
    .await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    for r in &rows {
        assert_eq!(r[0].as_deref(), Some("failed"), "{rows:?}");
    }
    assert!(failed(&rows)[0].1.contains("did not answer"), "{rows:?}");
    assert!(failed(&rows)[1].1.contains("could not reach"), "{rows:?}");
    drop(server);
}

// A session open during a deployment (on this instance) sees the new
// schema from its next statement, as a local session does.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_open_session_sees_the_deployed_schema() {
    let f = start(5_000).await;
    let admin = f.server.admin().await;
    remote_tenant(&f, &admin, "acme").await;
    let alice = f.server.connect_tenant("acme", "alice", "s3cret").await;
    alice
        .batch_execute(
            "CREATE TABLE items (id int PRIMARY KEY, name text); INSERT INTO items VALUES (1, 'a')",
        )
        .await
        .unwrap();
    assert_eq!(
        alice.query("SELECT * FROM items", &[]).await.unwrap()[0].len(),
        2
    );
    let rows = deploy(
        &admin,
        "'acme'",
        "CREATE TABLE items (id int PRIMARY KEY, name text, qty int DEFAULT 7)",
        "",
    )
    .await;
    assert_eq!(rows[0][3].as_deref(), Some("applied"), "{rows:?}");
    let row = alice.query_one("SELECT * FROM items", &[]).await.unwrap();
    assert_eq!(row.len(), 3);
    let qty: i32 = alice
        .query_one("SELECT qty FROM items", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(qty, 7);
}
