//! Metadata-driven deployment end to end: the admin plans and deploys
//! PostgreSQL DDL through tokio-postgres (and psql), and tenant users see the
//! new schema with their rows intact.

use crate::common;

use std::time::Duration;

use common::{create_tenant, db_error, simple_rows, sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

type Rows = Vec<Vec<Option<String>>>;

async fn sql(client: &Client, q: &str) -> Result<Rows, tokio_postgres::Error> {
    client.simple_query(q).await.map(|m| simple_rows(&m))
}

fn col(rows: &Rows, i: usize) -> Vec<String> {
    rows.iter()
        .map(|r| r[i].clone().unwrap_or_default())
        .collect()
}

const V1: &str = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int)";

/// A tenant (user alice) whose `items` table was created by tenant SQL and holds two rows.
async fn tenant_with_items(server: &TestServer, tenant: &str) -> Client {
    let client = server.fresh_tenant(tenant).await;
    client
        .batch_execute(&format!(
            "{V1}; INSERT INTO items (name, qty) VALUES ('apple', 3), ('pear', 5)"
        ))
        .await
        .unwrap();
    client
}

async fn deploy(
    admin: &Client,
    target: &str,
    ddl: &str,
    extra: &str,
) -> Result<Rows, tokio_postgres::Error> {
    sql(
        admin,
        &format!("SELECT * FROM pgtenant.deploy({target}, $ddl${ddl}$ddl${extra})"),
    )
    .await
}

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_lists_steps_and_changes_nothing() {
    let server = TestServer::start().await;
    let alice = tenant_with_items(&server, "acme").await;
    let admin = server.admin().await;
    let desired = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int, price numeric(10,2) DEFAULT 0);
                   CREATE INDEX items_name ON items (name);
                   CREATE TABLE tags (id serial PRIMARY KEY, label text UNIQUE)";
    let rows = sql(
        &admin,
        &format!("SELECT * FROM pgtenant.plan('acme', $${desired}$$)"),
    )
    .await
    .unwrap();
    assert_eq!(
        col(&rows, 1),
        ["add_column", "create_table", "create_index"]
    );
    assert_eq!(col(&rows, 0), ["1", "2", "3"]);
    assert_eq!(col(&rows, 4), ["f", "f", "f"]);
    let add = rows[0][3].as_deref().unwrap();
    assert!(
        add.contains("ADD COLUMN price numeric(10, 2) DEFAULT 0"),
        "{add}"
    );
    // Nothing changed.
    assert_eq!(columns(&alice, "items").await.len(), 3);
    assert!(sql(&alice, "SELECT * FROM tags").await.is_err());
    // The same inputs give byte-identical SQL.
    let again = sql(
        &admin,
        &format!("SELECT * FROM pgtenant.plan('acme', $${desired}$$)"),
    )
    .await
    .unwrap();
    assert_eq!(rows, again);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rebuild_keeps_rows_and_changes_types() {
    let server = TestServer::start().await;
    let alice = tenant_with_items(&server, "acme").await;
    let admin = server.admin().await;
    let v2 = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL UNIQUE, qty bigint NOT NULL DEFAULT 0 CHECK (qty >= 0), added timestamptz DEFAULT now())";
    let rows = deploy(&admin, "'acme'", v2, "").await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0][0].as_deref(), Some("acme"));
    assert_eq!(rows[0][3].as_deref(), Some("applied"), "{rows:?}");
    assert_eq!(rows[0][4].as_deref(), Some("1"));
    // The tenant's rows survived, and qty is now int8 on the wire (a new
    // session: see README on sessions open during a deployment).
    drop(alice);
    let alice = server.connect_tenant("acme", "alice", "s3cret").await;
    let got = alice
        .query("SELECT id, name, qty FROM items ORDER BY id", &[])
        .await
        .unwrap();
    let got: Vec<(i32, String, i64)> = got.iter().map(|r| (r.get(0), r.get(1), r.get(2))).collect();
    assert_eq!(got, [(1, "apple".into(), 3), (2, "pear".into(), 5)]);
    // The new constraints hold, serial still assigns ids.
    let dup = alice
        .execute("INSERT INTO items (name, qty) VALUES ('apple', 1)", &[])
        .await;
    assert_eq!(sqlstate(dup), SqlState::UNIQUE_VIOLATION);
    let neg = alice
        .execute("INSERT INTO items (name, qty) VALUES ('kiwi', -1)", &[])
        .await;
    assert_eq!(sqlstate(neg), SqlState::CHECK_VIOLATION);
    let id: i32 = alice
        .query_one("INSERT INTO items (name) VALUES ('kiwi') RETURNING id", &[])
        .await
        .unwrap()
        .get(0);
    // The two failed inserts took ids 3 and 4, as PostgreSQL's nextval.
    assert_eq!(id, 5);
    // Deploying the same schema again changes nothing.
    let rows = deploy(&admin, "'acme'", v2, "").await.unwrap();
    assert_eq!(rows[0][3].as_deref(), Some("unchanged"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destructive_steps_are_refused_unless_allowed() {
    let server = TestServer::start().await;
    let alice = tenant_with_items(&server, "acme").await;
    alice
        .batch_execute("CREATE TABLE old_log (line text)")
        .await
        .unwrap();
    let admin = server.admin().await;
    let v2 = "CREATE TABLE items (id serial PRIMARY KEY, name varchar(3) NOT NULL)";
    let err = db_error(deploy(&admin, "'acme'", v2, "").await);
    assert_eq!(err.code(), &SqlState::DEPENDENT_OBJECTS_STILL_EXIST);
    for what in [
        "drop table old_log",
        "drop column items.qty",
        "narrow column items.name from text to varchar(3)",
    ] {
        assert!(
            err.message().contains(what),
            "{} lacks {what}",
            err.message()
        );
    }
    assert_eq!(columns(&alice, "items").await.len(), 3, "nothing changed");
    assert!(sql(&alice, "SELECT * FROM old_log").await.is_ok());
    // The plan marks them.
    let rows = sql(
        &admin,
        &format!("SELECT step, action, destructive FROM pgtenant.plan('acme', $${v2}$$)"),
    )
    .await
    .unwrap();
    assert!(
        rows.iter().all(|r| r[2].as_deref() == Some("t")),
        "{rows:?}"
    );
    // Allowed: applied.
    let rows = deploy(&admin, "'acme'", v2, ", allow_destructive => true")
        .await
        .unwrap();
    assert_eq!(rows[0][3].as_deref(), Some("applied"));
    assert_eq!(columns(&alice, "items").await.len(), 2);
    assert!(sql(&alice, "SELECT * FROM old_log").await.is_err());
    let names: Vec<String> = alice
        .query("SELECT name FROM items ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["apple", "pear"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dry_run_changes_nothing() {
    let server = TestServer::start().await;
    let alice = tenant_with_items(&server, "acme").await;
    let admin = server.admin().await;
    let v2 =
        "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty bigint, note text)";
    let rows = deploy(&admin, "'acme'", v2, ", dry_run => true")
        .await
        .unwrap();
    assert_eq!(rows[0][3].as_deref(), Some("dry_run"));
    assert_eq!(rows[0][4].as_deref(), Some("1"));
    assert_eq!(rows[0][2].as_deref(), Some(""), "no deployment recorded");
    assert_eq!(columns(&alice, "items").await.len(), 3);
    let n = sql(&admin, "SELECT count(*) FROM pgtenant.deployments")
        .await
        .unwrap();
    assert_eq!(n[0][0].as_deref(), Some("0"));
    // A dry run also finds what would fail: NOT NULL without a default on existing NULLs.
    alice
        .batch_execute("INSERT INTO items (name) VALUES ('nil')")
        .await
        .unwrap();
    let bad = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int NOT NULL)";
    let err = db_error(deploy(&admin, "'acme'", bad, ", dry_run => true").await);
    assert_eq!(
        err.code(),
        &SqlState::NOT_NULL_VIOLATION,
        "{}",
        err.message()
    );
    assert!(
        err.message().contains("rebuild table items"),
        "{}",
        err.message()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rename_hint_keeps_the_column_data() {
    let server = TestServer::start().await;
    let alice = tenant_with_items(&server, "acme").await;
    let admin = server.admin().await;
    let v2 = "CREATE TABLE items (
        id serial PRIMARY KEY,
        title text NOT NULL, -- pgtenant: rename name to title
        qty int
    )";
    let plan = sql(
        &admin,
        &format!("SELECT action, destructive FROM pgtenant.plan('acme', $${v2}$$)"),
    )
    .await
    .unwrap();
    assert_eq!(
        plan,
        vec![vec![Some("rename_column".into()), Some("f".into())]]
    );
    deploy(&admin, "'acme'", v2, "").await.unwrap();
    let titles: Vec<String> = alice
        .query("SELECT title FROM items ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(titles, ["apple", "pear"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rollback_restores_the_previous_schema_with_data() {
    let server = TestServer::start().await;
    let alice = tenant_with_items(&server, "acme").await;
    let admin = server.admin().await;
    let v2 = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty bigint NOT NULL DEFAULT 1, note text DEFAULT 'n');
              CREATE TABLE audit (id serial PRIMARY KEY, at timestamptz)";
    let rows = deploy(&admin, "'acme'", v2, "").await.unwrap();
    let id = rows[0][2].clone().unwrap();
    alice
        .batch_execute("INSERT INTO items (name, qty, note) VALUES ('fig', 9, 'new')")
        .await
        .unwrap();
    let hist = sql(&admin, &format!("SELECT tenant, environment, status, up_sql, down_sql, checksum FROM pgtenant.deployments WHERE id = {id}"))
        .await
        .unwrap();
    assert_eq!(hist[0][2].as_deref(), Some("applied"));
    assert!(hist[0][3]
        .as_deref()
        .unwrap()
        .contains("CREATE TABLE audit"));
    assert!(hist[0][4]
        .as_deref()
        .unwrap()
        .contains("DROP TABLE \"audit\""));
    assert!(hist[0][5].as_deref().unwrap().starts_with("md5:"));

    let back = sql(
        &admin,
        &format!("SELECT * FROM pgtenant.rollback('acme', {id})"),
    )
    .await
    .unwrap();
    assert_eq!(back[0][3].as_deref(), Some("applied"), "{back:?}");
    assert_eq!(
        columns(&alice, "items").await,
        [
            ("id".into(), "integer".into()),
            ("name".into(), "text".into()),
            ("qty".into(), "integer".into())
        ]
    );
    assert!(sql(&alice, "SELECT * FROM audit").await.is_err());
    let got: Vec<(String, i32)> = alice
        .query("SELECT name, qty FROM items ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        got,
        [("apple".into(), 3), ("pear".into(), 5), ("fig".into(), 9)]
    );
    let statuses = sql(
        &admin,
        "SELECT kind, status FROM pgtenant.deployments ORDER BY id",
    )
    .await
    .unwrap();
    assert_eq!(
        statuses,
        vec![
            vec![Some("deploy".into()), Some("rolled_back".into())],
            vec![Some("rollback".into()), Some("applied".into())]
        ]
    );
    // A deployment is rolled back once.
    let again = sql(
        &admin,
        &format!("SELECT * FROM pgtenant.rollback('acme', {id})"),
    )
    .await;
    assert_eq!(sqlstate(again), SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE);
    let other = sql(&admin, "SELECT * FROM pgtenant.rollback('acme', 999)").await;
    assert_eq!(sqlstate(other), SqlState::UNDEFINED_OBJECT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fleet_rollout_reports_a_failing_tenant_and_goes_on() {
    let server = TestServer::start().await;
    let a = tenant_with_items(&server, "alpha").await;
    let b = tenant_with_items(&server, "bravo").await;
    let c = tenant_with_items(&server, "charlie").await;
    // bravo has a row that the new NOT NULL rejects.
    b.batch_execute("INSERT INTO items (name) VALUES ('no qty')")
        .await
        .unwrap();
    let admin = server.admin().await;
    let v2 = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int NOT NULL, sku text)";
    let rows = deploy(&admin, "'*'", v2, "").await.unwrap();
    assert_eq!(col(&rows, 0), ["alpha", "bravo", "charlie"]);
    assert_eq!(col(&rows, 3), ["applied", "failed", "applied"]);
    assert!(
        rows[1][5].as_deref().unwrap().starts_with("23502"),
        "{rows:?}"
    );
    assert_eq!(columns(&a, "items").await.len(), 4);
    assert_eq!(columns(&b, "items").await.len(), 3, "bravo untouched");
    assert_eq!(columns(&c, "items").await.len(), 4);
    // The failure is in the history too.
    let failed = sql(
        &admin,
        "SELECT tenant FROM pgtenant.deployments WHERE status = 'failed'",
    )
    .await
    .unwrap();
    assert_eq!(failed, vec![vec![Some("bravo".into())]]);
    // An array target, with an unknown tenant reported as a row.
    b.batch_execute("UPDATE items SET qty = 0 WHERE qty IS NULL")
        .await
        .unwrap();
    let rows = deploy(&admin, "ARRAY['bravo', 'nobody']", v2, "")
        .await
        .unwrap();
    assert_eq!(col(&rows, 3), ["applied", "failed"]);
    assert!(rows[1][5].as_deref().unwrap().starts_with("42704"));
    assert_eq!(columns(&b, "items").await.len(), 4);
    // The text form of an array works as well.
    let rows = deploy(&admin, "'{alpha,bravo}'", v2, "").await.unwrap();
    assert_eq!(col(&rows, 3), ["unchanged", "unchanged"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_that_do_not_exist() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    create_tenant(&admin, "acme").await;
    let e = deploy(&admin, "'ghost'", V1, "").await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_OBJECT);
    let e = deploy(&admin, "'acme.staging'", V1, "").await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_OBJECT);
    let e = deploy(&admin, "'acme'", "INSERT INTO items VALUES (1)", "").await;
    assert_eq!(sqlstate(e), SqlState::FEATURE_NOT_SUPPORTED);
    let e = deploy(&admin, "'acme'", "CREATE TABLE _pgtenant_x (a int)", "").await;
    assert_eq!(sqlstate(e), SqlState::RESERVED_NAME);
    let e = deploy(&admin, "'acme'", "CREATE TABLE t (a nosuchtype)", "").await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_OBJECT);
    // The connection survives every error.
    let rows = deploy(&admin, "'acme'", V1, "").await.unwrap();
    assert_eq!(rows[0][3].as_deref(), Some("applied"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_quota_is_54000() {
    let server = TestServer::start_with(|c| c.plans.free.max_deployments_per_day = 1).await;
    let _alice = tenant_with_items(&server, "acme").await;
    let admin = server.admin().await;
    deploy(
        &admin,
        "'acme'",
        &format!("{V1}; CREATE TABLE a (x int)"),
        "",
    )
    .await
    .unwrap();
    let e = deploy(
        &admin,
        "'acme'",
        &format!("{V1}; CREATE TABLE b (x int)"),
        ", allow_destructive => true",
    )
    .await;
    assert_eq!(sqlstate(e), SqlState::PROGRAM_LIMIT_EXCEEDED);
    // Dry runs are not deployments.
    let rows = deploy(
        &admin,
        "'acme'",
        V1,
        ", allow_destructive => true, dry_run => true",
    )
    .await
    .unwrap();
    assert_eq!(rows[0][3].as_deref(), Some("dry_run"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deployment_waits_for_the_tenants_write_transaction() {
    let server = TestServer::start().await;
    let alice = tenant_with_items(&server, "acme").await;
    alice
        .batch_execute("BEGIN; INSERT INTO items (name, qty) VALUES ('in flight', 1)")
        .await
        .unwrap();
    let admin = server.admin().await;
    let v2 = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty bigint)";
    let pending = tokio::spawn(async move { deploy(&admin, "'acme'", v2, "").await });
    // The deployment queues behind the open write transaction.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !pending.is_finished(),
        "deploy ran inside a tenant's write transaction"
    );
    alice.batch_execute("COMMIT").await.unwrap();
    let rows = pending.await.unwrap().unwrap();
    assert_eq!(rows[0][3].as_deref(), Some("applied"));
    let n: i64 = alice
        .query_one("SELECT count(*) FROM items", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_through_psql() {
    let server = TestServer::start().await;
    let _alice = tenant_with_items(&server, "acme").await;
    let script = "SELECT tenant, status, steps_applied FROM pgtenant.deploy('acme', $$\n\
        CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int, color text);\n\
        $$);\n";
    let out = server
        .psql(
            common::ADMIN_USER,
            common::ADMIN_DB,
            common::ADMIN_PASSWORD,
            &["-At", "-v", "ON_ERROR_STOP=1"],
            Some(script),
        )
        .await;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.trim(), "acme|applied|1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parameters_through_the_extended_protocol() {
    let server = TestServer::start().await;
    let _alice = tenant_with_items(&server, "acme").await;
    let admin = server.admin().await;
    let rows = admin
        .query(
            "SELECT tenant, status, steps_applied FROM pgtenant.deploy($1, $2, dry_run => $3)",
            &[
                &"acme",
                &"CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int, x int)",
                &"true",
            ],
        )
        .await
        .unwrap();
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    assert_eq!(got, [("acme".into(), "dry_run".into(), "1".into())]);
}

/// Random pairs of schemas through the wire: after deploying A then B the
/// plan for B is empty (the live schema is B), surviving rows are intact,
/// and rolling B back leaves exactly A.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn random_schema_pairs_deploy_and_roll_back() {
    let server = TestServer::start().await;
    let _alice = server.fresh_tenant("acme").await;
    let admin = server.admin().await;
    let pool = [
        "a int",
        "a bigint",
        "b text",
        "b varchar(8)",
        "c boolean DEFAULT true",
        "d numeric(8,2)",
        "e text NOT NULL DEFAULT 'e'",
    ];
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut schema = || {
        let mut out = String::new();
        for t in ["t1", "t2"] {
            let mut cols = vec!["id int PRIMARY KEY".to_owned()];
            let mut used = Vec::new();
            for c in pool {
                let name = &c[..1];
                if next().is_multiple_of(2) && !used.contains(&name) {
                    used.push(name);
                    cols.push(c.to_owned());
                }
            }
            out.push_str(&format!("CREATE TABLE {t} ({});\n", cols.join(", ")));
        }
        out
    };
    let plan_len = |ddl: String| {
        let admin = &admin;
        async move {
            sql(
                admin,
                &format!("SELECT * FROM pgtenant.plan('acme', $${ddl}$$)"),
            )
            .await
            .unwrap()
            .len()
        }
    };
    for round in 0..4 {
        let a = schema();
        let b = schema();
        deploy(&admin, "'acme'", &a, ", allow_destructive => true")
            .await
            .unwrap();
        assert_eq!(plan_len(a.clone()).await, 0, "live is A");
        let alice = server.connect_tenant("acme", "alice", "s3cret").await;
        for t in ["t1", "t2"] {
            alice
                .batch_execute(&format!(
                    "DELETE FROM {t}; INSERT INTO {t} (id) VALUES ({round}), ({round} + 10)"
                ))
                .await
                .unwrap();
        }
        let rows = deploy(&admin, "'acme'", &b, ", allow_destructive => true")
            .await
            .unwrap();
        assert_eq!(
            plan_len(b.clone()).await,
            0,
            "live is B after\n{a}\n->\n{b}"
        );
        let alice = server.connect_tenant("acme", "alice", "s3cret").await;
        for t in ["t1", "t2"] {
            let ids: Vec<i32> = alice
                .query(&format!("SELECT id FROM {t} ORDER BY id"), &[])
                .await
                .unwrap()
                .iter()
                .map(|r| r.get(0))
                .collect();
            assert_eq!(ids, [round, round + 10]);
        }
        if let Some(id) = rows[0][2].clone().filter(|s| !s.is_empty()) {
            sql(
                &admin,
                &format!("SELECT * FROM pgtenant.rollback('acme', {id})"),
            )
            .await
            .unwrap();
            assert_eq!(plan_len(a.clone()).await, 0, "rollback returns to A");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_transaction_held_open_times_the_deployment_out() {
    let server = TestServer::start_with(|c| c.deploy.lock_timeout_ms = 200).await;
    let alice = tenant_with_items(&server, "acme").await;
    alice
        .batch_execute("BEGIN; INSERT INTO items (name) VALUES ('held')")
        .await
        .unwrap();
    let admin = server.admin().await;
    let v2 = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int, more text)";
    let e = deploy(&admin, "'acme'", v2, "").await;
    assert_eq!(sqlstate(e), SqlState::LOCK_NOT_AVAILABLE);
    alice.batch_execute("COMMIT").await.unwrap();
    let rows = deploy(&admin, "'acme'", v2, "").await.unwrap();
    assert_eq!(rows[0][3].as_deref(), Some("applied"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_environment_is_its_own_target() {
    let server = TestServer::start().await;
    let prod = tenant_with_items(&server, "acme").await;
    let admin = server.admin().await;
    sql(
        &admin,
        "SELECT * FROM pgtenant.create_environment('acme', 'staging')",
    )
    .await
    .unwrap();
    let v2 = format!("{V1}; CREATE INDEX items_name ON items (name)");
    let v2 = v2.replace("qty int)", "qty int, note text)");
    let rows = deploy(&admin, "'acme.staging'", &v2, "").await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    let staging = server
        .connect_tenant("acme.staging", "alice", "s3cret")
        .await;
    let names: Vec<String> = columns(&staging, "items")
        .await
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(names, ["id", "name", "qty", "note"]);
    // prod is untouched: same columns, same rows.
    let names: Vec<String> = columns(&prod, "items")
        .await
        .into_iter()
        .map(|c| c.0)
        .collect();
    assert_eq!(names, ["id", "name", "qty"]);
    let n: i64 = prod
        .query_one("SELECT count(*) FROM items", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    // The history names the environment.
    let hist = sql(
        &admin,
        "SELECT tenant, environment, status FROM pgtenant.deployments ORDER BY id",
    )
    .await
    .unwrap();
    assert_eq!(
        hist.last().cloned().unwrap(),
        vec![
            Some("acme".to_owned()),
            Some("staging".to_owned()),
            Some("applied".to_owned())
        ]
    );
}
