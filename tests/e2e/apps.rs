//! App bundles end to end: check, install (schema through the deployment
//! engine plus seed rows, one transaction), upgrade by diff, uninstall, and
//! the `pgtenant.apps` view; tenant users see the app's tables and rows.

use crate::common;

use common::{db_error, simple_rows, sqlstate, TestServer};
use serde_json::json;
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

type Rows = Vec<Vec<Option<String>>>;

async fn sql(client: &Client, q: &str) -> Result<Rows, tokio_postgres::Error> {
    client.simple_query(q).await.map(|m| simple_rows(&m))
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

async fn call(
    admin: &Client,
    f: &str,
    tenant: &str,
    manifest: &str,
    extra: &str,
) -> Result<Rows, tokio_postgres::Error> {
    sql(
        admin,
        &format!("SELECT * FROM pgtenant.{f}('{tenant}', $m${manifest}$m${extra})"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn install_creates_tables_and_seeds_them() {
    let server = TestServer::start().await;
    let alice = server.fresh_tenant("acme").await;
    let admin = server.admin().await;
    let v1 = crm("1.0.0", "");
    let check = call(&admin, "check_app", "acme", &v1, "").await.unwrap();
    assert_eq!(check[0][0].as_deref(), Some("t"), "{check:?}");
    assert_eq!(check[0][4].as_deref(), Some("new install"));
    let rows = call(
        &admin,
        "install_app",
        "acme",
        &v1,
        ", config => '{\"region\": \"eu\"}'",
    )
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![
            vec![
                Some("crm".into()),
                Some("1.0.0".into()),
                Some("contacts".into()),
                Some("create_table".into()),
                Some("2".into())
            ],
            vec![
                Some("crm".into()),
                Some("1.0.0".into()),
                Some("contacts_name".into()),
                Some("create_index".into()),
                Some("".into())
            ],
        ]
    );
    let got: Vec<(String, bool)> = alice
        .query("SELECT name, vip FROM contacts ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(got, [("Ada".into(), true), ("O'Brien".into(), false)]);
    let apps = sql(
        &admin,
        "SELECT tenant, app, version, tables, config FROM pgtenant.apps",
    )
    .await
    .unwrap();
    assert_eq!(
        apps,
        vec![vec![
            Some("acme".into()),
            Some("crm".into()),
            Some("1.0.0".into()),
            Some("contacts".into()),
            Some("{\"region\":\"eu\"}".into())
        ]]
    );
    let again = call(&admin, "install_app", "acme", &v1, "").await;
    assert_eq!(sqlstate(again), SqlState::DUPLICATE_OBJECT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_with_user_tables_are_reported_and_refused() {
    let server = TestServer::start().await;
    let alice = server.fresh_tenant("acme").await;
    alice
        .batch_execute("CREATE TABLE contacts (id int, email text)")
        .await
        .unwrap();
    let admin = server.admin().await;
    let v1 = crm("1.0.0", "");
    let check = call(&admin, "check_app", "acme", &v1, "").await.unwrap();
    assert_eq!(check.len(), 1, "{check:?}");
    assert_eq!(check[0][0].as_deref(), Some("f"));
    assert_eq!(check[0][1].as_deref(), Some("table"));
    assert_eq!(check[0][2].as_deref(), Some("contacts"));
    assert_eq!(check[0][3].as_deref(), Some("user"));
    assert!(check[0][4]
        .as_deref()
        .unwrap()
        .contains("existing columns (id, email)"));
    let err = db_error(call(&admin, "install_app", "acme", &v1, "").await);
    assert_eq!(err.code(), &SqlState::DUPLICATE_TABLE);
    assert!(
        err.message().contains("table contacts (owned by user)"),
        "{}",
        err.message()
    );
    // Untouched.
    let n = sql(&alice, "SELECT count(*) FROM contacts").await.unwrap();
    assert_eq!(n[0][0].as_deref(), Some("0"));
    // Another app's tables are that app's.
    alice.batch_execute("DROP TABLE contacts").await.unwrap();
    call(&admin, "install_app", "acme", &v1, "").await.unwrap();
    let other =
        json!({"name": "sales", "version": "1.0.0", "schema": "CREATE TABLE contacts (id int)"})
            .to_string();
    let check = call(&admin, "check_app", "acme", &other, "").await.unwrap();
    assert_eq!(check[0][3].as_deref(), Some("crm"), "{check:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plain_deployments_leave_app_tables_alone() {
    let server = TestServer::start().await;
    let alice = server.fresh_tenant("acme").await;
    alice
        .batch_execute("CREATE TABLE notes (id int)")
        .await
        .unwrap();
    let admin = server.admin().await;
    call(&admin, "install_app", "acme", &crm("1.0.0", ""), "")
        .await
        .unwrap();
    // The desired schema names only the user's tables: the app's are not dropped.
    let rows = sql(
        &admin,
        "SELECT * FROM pgtenant.deploy('acme', $$CREATE TABLE notes (id int, body text)$$)",
    )
    .await
    .unwrap();
    assert_eq!(rows[0][3].as_deref(), Some("applied"), "{rows:?}");
    let n = sql(&alice, "SELECT count(*) FROM contacts").await.unwrap();
    assert_eq!(n[0][0].as_deref(), Some("2"));
    // Changing an app's table outside the app is refused.
    let e = sql(&admin, "SELECT * FROM pgtenant.deploy('acme', $$CREATE TABLE notes (id int, body text); CREATE TABLE contacts (id int)$$)").await;
    assert_eq!(sqlstate(e), SqlState::DUPLICATE_TABLE);
}

// A rollback undoes later plain deployments, not app installs made since:
// their tables stay, and so does their history.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_leaves_later_app_installs_applied() {
    let server = TestServer::start().await;
    let alice = server.fresh_tenant("acme").await;
    let admin = server.admin().await;
    let rows = sql(
        &admin,
        "SELECT * FROM pgtenant.deploy('acme', $$CREATE TABLE notes (id int)$$)",
    )
    .await
    .unwrap();
    let id = rows[0][2].clone().unwrap();
    call(&admin, "install_app", "acme", &crm("1.0.0", ""), "")
        .await
        .unwrap();
    sql(
        &admin,
        &format!("SELECT * FROM pgtenant.rollback('acme', {id})"),
    )
    .await
    .unwrap();
    let history = sql(
        &admin,
        "SELECT kind, status FROM pgtenant.deployments ORDER BY id",
    )
    .await
    .unwrap();
    assert_eq!(
        history,
        vec![
            vec![Some("deploy".into()), Some("rolled_back".into())],
            vec![Some("app:crm@1.0.0".into()), Some("applied".into())],
            vec![Some("rollback".into()), Some("applied".into())],
        ]
    );
    assert!(sql(&alice, "SELECT * FROM notes").await.is_err());
    let n = sql(&alice, "SELECT count(*) FROM contacts").await.unwrap();
    assert_eq!(n[0][0].as_deref(), Some("2"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrade_applies_the_diff_and_seeds_new_tables() {
    let server = TestServer::start().await;
    let alice = server.fresh_tenant("acme").await;
    let admin = server.admin().await;
    call(&admin, "install_app", "acme", &crm("1.0.0", ""), "")
        .await
        .unwrap();
    alice
        .batch_execute("INSERT INTO contacts (name) VALUES ('Grace')")
        .await
        .unwrap();
    let v2 = crm(
        "1.1.0",
        "CREATE TABLE stages (id int PRIMARY KEY, label text NOT NULL);
         CREATE TABLE deals (id serial PRIMARY KEY, contact_id int REFERENCES contacts (id), stage_id int REFERENCES stages (id), amount numeric(12,2))",
    )
    .replace("vip boolean DEFAULT false", "vip boolean DEFAULT false, phone text");
    let check = call(&admin, "check_app", "acme", &v2, "").await.unwrap();
    assert_eq!(check[0][4].as_deref(), Some("upgrade from 1.0.0 to 1.1.0"));
    let rows = call(&admin, "upgrade_app", "acme", &v2, "").await.unwrap();
    let actions: Vec<(String, String, String)> = rows
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
        actions,
        [
            ("contacts.phone".into(), "add_column".into(), "".into()),
            ("deals".into(), "create_table".into(), "".into()),
            ("stages".into(), "create_table".into(), "2".into()),
        ]
    );
    // Existing rows kept (not seeded twice), new table seeded.
    let n = sql(&alice, "SELECT count(*) FROM contacts").await.unwrap();
    assert_eq!(n[0][0].as_deref(), Some("3"));
    let labels = sql(&alice, "SELECT label FROM stages ORDER BY id")
        .await
        .unwrap();
    assert_eq!(
        labels,
        vec![vec![Some("lead".into())], vec![Some("won".into())]]
    );
    let v = sql(&admin, "SELECT version, tables FROM pgtenant.apps")
        .await
        .unwrap();
    assert_eq!(
        v[0],
        vec![Some("1.1.0".into()), Some("contacts,deals,stages".into())]
    );
    // Same version, and downgrades, are refused.
    assert_eq!(
        sqlstate(call(&admin, "upgrade_app", "acme", &v2, "").await),
        SqlState::DUPLICATE_OBJECT
    );
    let e = call(&admin, "install_app", "acme", &crm("0.9.0", ""), "").await;
    assert_eq!(sqlstate(e), SqlState::INVALID_PARAMETER_VALUE);
    let kinds = sql(
        &admin,
        "SELECT kind, status FROM pgtenant.deployments ORDER BY id",
    )
    .await
    .unwrap();
    assert_eq!(
        kinds,
        vec![
            vec![Some("app:crm@1.0.0".into()), Some("applied".into())],
            vec![Some("app:crm@1.1.0".into()), Some("applied".into())]
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn uninstall_drops_or_keeps_the_data() {
    let server = TestServer::start().await;
    let alice = server.fresh_tenant("acme").await;
    let admin = server.admin().await;
    call(&admin, "install_app", "acme", &crm("1.0.0", ""), "")
        .await
        .unwrap();
    let rows = sql(
        &admin,
        "SELECT * FROM pgtenant.uninstall_app('acme', 'crm', keep_data => true)",
    )
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![vec![
            Some("crm".into()),
            Some("contacts".into()),
            Some("kept".into())
        ]]
    );
    assert!(sql(&admin, "SELECT * FROM pgtenant.apps")
        .await
        .unwrap()
        .is_empty());
    let n = sql(&alice, "SELECT count(*) FROM contacts").await.unwrap();
    assert_eq!(n[0][0].as_deref(), Some("2"));
    // Now a user table: installing again conflicts; drop it, install, uninstall without data.
    alice.batch_execute("DROP TABLE contacts").await.unwrap();
    call(&admin, "install_app", "acme", &crm("1.0.0", ""), "")
        .await
        .unwrap();
    let rows = sql(
        &admin,
        "SELECT * FROM pgtenant.uninstall_app('acme', 'crm', keep_data => false)",
    )
    .await
    .unwrap();
    assert_eq!(
        rows,
        vec![vec![
            Some("crm".into()),
            Some("contacts".into()),
            Some("drop_table".into())
        ]]
    );
    assert!(sql(&alice, "SELECT * FROM contacts").await.is_err());
    let e = sql(
        &admin,
        "SELECT * FROM pgtenant.uninstall_app('acme', 'crm')",
    )
    .await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_OBJECT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_manifests() {
    let server = TestServer::start().await;
    let _alice = server.fresh_tenant("acme").await;
    let admin = server.admin().await;
    for bad in [
        "not json".to_owned(),
        json!({"name": "CRM", "version": "1.0.0", "schema": ""}).to_string(),
        json!({"name": "crm", "version": "one", "schema": ""}).to_string(),
    ] {
        let e = call(&admin, "install_app", "acme", &bad, "").await;
        assert_eq!(sqlstate(e), SqlState::INVALID_PARAMETER_VALUE, "{bad}");
    }
    let future =
        json!({"name": "crm", "version": "1.0.0", "schema": "", "min_pgtenant_version": "99.0.0"})
            .to_string();
    let check = call(&admin, "check_app", "acme", &future, "")
        .await
        .unwrap();
    assert_eq!(check[0][0].as_deref(), Some("f"));
    assert_eq!(check[0][1].as_deref(), Some("version"));
    assert!(check[0][4]
        .as_deref()
        .unwrap()
        .contains("needs pgtenant 99.0.0"));
    assert_eq!(
        sqlstate(call(&admin, "install_app", "acme", &future, "").await),
        SqlState::FEATURE_NOT_SUPPORTED
    );
    // A seed row that breaks a constraint rolls the whole install back.
    let broken = json!({
        "name": "crm", "version": "1.0.0",
        "schema": "CREATE TABLE contacts (id int PRIMARY KEY, name text NOT NULL)",
        "seed": {"contacts": [{"id": 1, "name": "a"}, {"id": 2}]}
    })
    .to_string();
    let e = call(&admin, "install_app", "acme", &broken, "").await;
    assert_eq!(sqlstate(e), SqlState::NOT_NULL_VIOLATION);
    let tables = sql(&admin, "SELECT count(*) FROM pgtenant.apps")
        .await
        .unwrap();
    assert_eq!(tables[0][0].as_deref(), Some("0"));
    assert!(
        sql(&_alice, "SELECT * FROM contacts").await.is_err(),
        "schema rolled back too"
    );
    // Seed rows must name a table of the app.
    let stray = json!({"name": "crm", "version": "1.0.0", "schema": "CREATE TABLE a (x int)", "seed": {"b": [{"x": 1}]}}).to_string();
    assert_eq!(
        sqlstate(call(&admin, "install_app", "acme", &stray, "").await),
        SqlState::INVALID_PARAMETER_VALUE
    );
    let e = call(
        &admin,
        "install_app",
        "acme",
        &crm("1.0.0", ""),
        ", config => '[1]'",
    )
    .await;
    assert_eq!(sqlstate(e), SqlState::INVALID_PARAMETER_VALUE);
}
