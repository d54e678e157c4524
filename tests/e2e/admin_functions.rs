//! The admin role's management functions and views: create_tenant,
//! create_user, drop_tenant, set_password, pgtenant.tenants, pgtenant.users.

use crate::common;

use common::{create_tenant, create_user, simple_rows, sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

async fn admin_sql(
    admin: &Client,
    sql: &str,
) -> Result<Vec<Vec<Option<String>>>, tokio_postgres::Error> {
    admin.simple_query(sql).await.map(|m| simple_rows(&m))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_tenant_returns_its_row_and_makes_the_database() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let messages = admin
        .simple_query("SELECT * FROM pgtenant.create_tenant('acme')")
        .await
        .expect("create_tenant");
    let row = messages
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => Some(r),
            _ => None,
        })
        .expect("one row");
    let names: Vec<&str> = row.columns().iter().map(|c| c.name()).collect();
    assert_eq!(
        names,
        [
            "tenant",
            "environment",
            "status",
            "database_url",
            "created_at"
        ]
    );
    assert_eq!(row.get("tenant"), Some("acme"));
    assert_eq!(row.get("environment"), Some("prod"));
    assert_eq!(row.get("status"), Some("active"));
    assert!(server.tenant_db_file("acme").is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_tenant_twice_is_42710() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    create_tenant(&admin, "acme").await;
    let err = admin_sql(&admin, "SELECT * FROM pgtenant.create_tenant('acme')").await;
    assert_eq!(sqlstate(err), SqlState::DUPLICATE_OBJECT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_tenant_names_are_22023() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    for name in ["Bad Name", "../etc", "a/b", "", "pgtenant", "-lead"] {
        let err = admin_sql(
            &admin,
            &format!("SELECT * FROM pgtenant.create_tenant('{name}')"),
        )
        .await;
        assert_eq!(sqlstate(err), SqlState::INVALID_PARAMETER_VALUE, "{name:?}");
    }
    let tenants_dir = server.data_dir.join("tenants");
    let entries: Vec<_> = std::fs::read_dir(&tenants_dir)
        .expect("tenants folder")
        .collect();
    assert!(entries.is_empty(), "no folder was made: {entries:?}");
    assert!(!server.data_dir.join("etc").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_user_for_unknown_tenant_is_42704() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let err = admin_sql(
        &admin,
        "SELECT * FROM pgtenant.create_user('nosuch', 'alice', 'pw')",
    )
    .await;
    assert_eq!(sqlstate(err), SqlState::UNDEFINED_OBJECT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_user_twice_is_42710() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    create_tenant(&admin, "acme").await;
    create_user(&admin, "acme", "alice", "pw").await;
    let err = admin_sql(
        &admin,
        "SELECT * FROM pgtenant.create_user('acme', 'alice', 'pw2')",
    )
    .await;
    assert_eq!(sqlstate(err), SqlState::DUPLICATE_OBJECT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tenants_and_users_views() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    create_tenant(&admin, "acme").await;
    create_tenant(&admin, "beta").await;
    create_user(&admin, "acme", "alice", "pw").await;
    create_user(&admin, "acme", "bob", "pw").await;
    let rows = admin_sql(
        &admin,
        "SELECT tenant, status, users FROM pgtenant.tenants WHERE tenant = 'acme' ORDER BY tenant",
    )
    .await
    .expect("tenants view");
    assert_eq!(
        rows,
        vec![vec![
            Some("acme".to_owned()),
            Some("active".to_owned()),
            Some("2".to_owned())
        ]]
    );
    let names: Vec<String> = admin
        .query("SELECT tenant FROM pgtenant.tenants ORDER BY tenant", &[])
        .await
        .expect("extended protocol on the view")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["acme", "beta"]);
    let rows = admin_sql(
        &admin,
        "SELECT tenant, \"user\", role FROM pgtenant.users ORDER BY tenant, \"user\"",
    )
    .await
    .expect("users view");
    assert_eq!(
        rows,
        vec![
            vec![
                Some("acme".into()),
                Some("alice".into()),
                Some("owner".into())
            ],
            vec![
                Some("acme".into()),
                Some("bob".into()),
                Some("owner".into())
            ],
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scalar_form_returns_one_row() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let messages = admin
        .simple_query("SELECT pgtenant.create_tenant('acme')")
        .await
        .expect("scalar create_tenant");
    let rows = simple_rows(&messages);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].len(), 1, "one composite column: {rows:?}");
    let value = rows[0][0].clone().expect("not null");
    assert!(
        value.starts_with("(acme,prod,active,") && value.ends_with(')'),
        "{value}"
    );
    assert!(server.tenant_db_file("acme").is_file());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn functions_through_the_extended_protocol() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let row = admin
        .query_one("SELECT * FROM pgtenant.create_tenant($1)", &[&"acme"])
        .await
        .expect("create_tenant with a parameter");
    assert_eq!(row.get::<_, String>("tenant"), "acme");
    let row = admin
        .query_one(
            "SELECT * FROM pgtenant.create_user($1, $2, $3)",
            &[&"acme", &"alice", &"s3cret"],
        )
        .await
        .expect("create_user with parameters");
    assert_eq!(row.get::<_, String>("user"), "alice");
    server.connect_tenant("acme", "alice", "s3cret").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn select_list_over_a_function_is_honoured() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let rows = admin_sql(
        &admin,
        "SELECT tenant, status FROM pgtenant.create_tenant('acme')",
    )
    .await
    .expect("create_tenant");
    assert_eq!(
        rows,
        vec![vec![Some("acme".to_owned()), Some("active".to_owned())]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_tenant_closes_sessions_and_removes_files() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    server.create_tenant_user("beta", "bob", "pw").await;
    let alice = server.connect_tenant("acme", "alice", "s3cret").await;
    let bob = server.connect_tenant("beta", "bob", "pw").await;
    alice
        .batch_execute("CREATE TABLE t (a int); INSERT INTO t VALUES (1)")
        .await
        .expect("alice writes");
    assert!(server.tenant_dir("acme").is_dir());

    let admin = server.admin().await;
    let rows = admin_sql(&admin, "SELECT * FROM pgtenant.drop_tenant('acme')")
        .await
        .expect("drop_tenant");
    assert_eq!(rows, vec![vec![Some("t".to_owned())]]);

    // Alice's open session is ended: her next query fails.
    let err = alice.simple_query("SELECT 1").await;
    assert!(
        err.is_err(),
        "a dropped tenant's session must not run queries"
    );
    assert!(!server.tenant_dir("acme").exists(), "tenant folder removed");
    common::wait_until(
        "alice's session to end",
        std::time::Duration::from_secs(10),
        || server.server.sessions.count_tenant("acme") == 0,
    )
    .await;
    // She cannot log in again, and the tenant is gone from the view.
    let err = server.try_connect_tenant("acme", "alice", "s3cret").await;
    assert_eq!(sqlstate(err), SqlState::INVALID_PASSWORD);
    let rows = admin_sql(&admin, "SELECT tenant FROM pgtenant.tenants")
        .await
        .expect("tenants");
    assert_eq!(rows, vec![vec![Some("beta".to_owned())]]);
    // Other tenants are untouched.
    let v = bob.simple_query("SELECT 'bob ok'").await.expect("bob");
    assert_eq!(simple_rows(&v), vec![vec![Some("bob ok".to_owned())]]);
    assert!(server.tenant_db_file("beta").is_file());

    // A tenant of the same name later starts empty.
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let alice = server.connect_tenant("acme", "alice", "s3cret").await;
    let err = alice.simple_query("SELECT * FROM t").await;
    assert_eq!(sqlstate(err), SqlState::UNDEFINED_TABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_tenant_interrupts_a_running_query() {
    use futures::{pin_mut, StreamExt};
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "s3cret").await;
    let alice = server.connect_tenant("acme", "alice", "s3cret").await;
    alice
        .batch_execute("SET statement_timeout = '60s'")
        .await
        .expect("backstop");
    let stream = alice
        .simple_query_raw(common::STREAMING_RUNAWAY)
        .await
        .expect("query starts");
    pin_mut!(stream);
    loop {
        if let tokio_postgres::SimpleQueryMessage::Row(_) =
            stream.next().await.expect("msg").expect("ok")
        {
            break;
        }
    }
    let admin = server.admin().await;
    let dropped = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        admin_sql(&admin, "SELECT * FROM pgtenant.drop_tenant('acme')"),
    )
    .await
    .expect("drop_tenant does not wait for the running query")
    .expect("drop_tenant");
    assert_eq!(dropped, vec![vec![Some("t".to_owned())]]);
    let ended = tokio::time::timeout(std::time::Duration::from_secs(20), async {
        // Rows until the error (or the end of the stream).
        while let Some(Ok(_)) = stream.next().await {}
    })
    .await;
    assert!(
        ended.is_ok(),
        "the running query ends when its tenant is dropped"
    );
    assert!(!server.tenant_dir("acme").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drop_unknown_tenant_is_42704() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let err = admin_sql(&admin, "SELECT * FROM pgtenant.drop_tenant('nosuch')").await;
    assert_eq!(sqlstate(err), SqlState::UNDEFINED_OBJECT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn set_password_replaces_the_old_one() {
    let server = TestServer::start().await;
    server.create_tenant_user("acme", "alice", "old-pw").await;
    server.connect_tenant("acme", "alice", "old-pw").await;
    let admin = server.admin().await;
    let rows = admin_sql(
        &admin,
        "SELECT * FROM pgtenant.set_password('acme', 'alice', 'new-pw')",
    )
    .await
    .expect("set_password");
    assert_eq!(rows, vec![vec![Some("t".to_owned())]]);
    let err = server.try_connect_tenant("acme", "alice", "old-pw").await;
    assert_eq!(sqlstate(err), SqlState::INVALID_PASSWORD);
    server.connect_tenant("acme", "alice", "new-pw").await;
    let err = admin_sql(
        &admin,
        "SELECT * FROM pgtenant.set_password('acme', 'nobody', 'x')",
    )
    .await;
    assert_eq!(sqlstate(err), SqlState::UNDEFINED_OBJECT);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_admin_function_is_42883() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let err = admin_sql(&admin, "SELECT * FROM pgtenant.launch_missiles()").await;
    assert_eq!(sqlstate(err), SqlState::UNDEFINED_FUNCTION);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn admin_cannot_write_the_catalog_directly() {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    create_tenant(&admin, "acme").await;
    let err = admin_sql(&admin, "DELETE FROM pgtenant.tenants").await;
    assert!(err.is_err(), "the catalog is read-only to SQL");
    let rows = admin_sql(&admin, "SELECT tenant FROM pgtenant.tenants")
        .await
        .expect("tenants");
    assert_eq!(rows, vec![vec![Some("acme".to_owned())]]);
}
