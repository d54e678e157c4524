//! GRANT and REVOKE end to end: a readonly user granted INSERT on one
//! table writes there and nowhere else; a readwrite user's revoked DELETE
//! is 42501, in a session already open (its cached statements authorized
//! again) and the next; the grants outlive sessions and a server restart.

use crate::common;

use common::{db_error, sqlstate, TestServer};
use tokio_postgres::error::SqlState;

async fn setup(server: &TestServer) -> tokio_postgres::Client {
    let admin = server.admin().await;
    let owner = server.fresh_tenant("acme").await;
    owner
        .batch_execute(
            "CREATE TABLE inbox (id serial PRIMARY KEY, msg text);
             CREATE TABLE ledger (id int PRIMARY KEY, amount int);
             INSERT INTO ledger VALUES (1, 10), (2, 20), (3, 30)",
        )
        .await
        .unwrap();
    for (user, role) in [("rw", "readwrite"), ("ro", "readonly")] {
        admin
            .simple_query(&format!(
                "SELECT * FROM pgtenant.create_user('acme', '{user}', 'pw', role => '{role}')"
            ))
            .await
            .unwrap();
    }
    owner
}

#[tokio::test]
async fn granted_insert_revoked_delete_and_restart() {
    let mut server = TestServer::start().await;
    let owner = setup(&server).await;
    let rw = server.connect_tenant("acme", "rw", "pw").await;
    // Cached before the REVOKE: it must be authorized again after it.
    rw.execute("DELETE FROM ledger WHERE id = $1", &[&3i32])
        .await
        .unwrap();
    owner
        .batch_execute(
            "GRANT INSERT ON inbox TO ro;
             REVOKE DELETE ON ledger FROM rw",
        )
        .await
        .unwrap();

    let ro = server.connect_tenant("acme", "ro", "pw").await;
    ro.execute("INSERT INTO inbox (msg) VALUES ($1)", &[&"hello"])
        .await
        .unwrap();
    assert_eq!(
        sqlstate(ro.simple_query("INSERT INTO ledger VALUES (9, 9)").await),
        SqlState::READ_ONLY_SQL_TRANSACTION
    );
    assert_eq!(
        sqlstate(ro.simple_query("DELETE FROM inbox").await),
        SqlState::READ_ONLY_SQL_TRANSACTION
    );
    // Only an owner may grant.
    assert_eq!(
        sqlstate(ro.simple_query("GRANT INSERT ON ledger TO ro").await),
        SqlState::INSUFFICIENT_PRIVILEGE
    );

    let e = db_error(
        rw.execute("DELETE FROM ledger WHERE id = $1", &[&2i32])
            .await,
    );
    assert_eq!(e.code(), &SqlState::INSUFFICIENT_PRIVILEGE, "{e:?}");
    assert_eq!(e.message(), "permission denied for table ledger");
    rw.execute("INSERT INTO ledger VALUES (4, 40)", &[])
        .await
        .unwrap();
    rw.execute("DELETE FROM inbox", &[]).await.unwrap();
    let granted: bool = rw
        .query_one("SELECT has_table_privilege('ledger', 'DELETE')", &[])
        .await
        .unwrap()
        .get(0);
    assert!(!granted);

    // A new session, then a new server on the same data.
    drop((owner, rw, ro));
    let data_dir = server.data_dir.clone();
    let rw = server.connect_tenant("acme", "rw", "pw").await;
    assert_eq!(
        sqlstate(rw.simple_query("DELETE FROM ledger").await),
        SqlState::INSUFFICIENT_PRIVILEGE
    );
    drop(rw);
    server.shutdown().await.unwrap();
    let again = TestServer::start_with(|c| c.data_dir = data_dir).await;
    let ro = again.connect_tenant("acme", "ro", "pw").await;
    ro.execute("INSERT INTO inbox (msg) VALUES ('after restart')", &[])
        .await
        .unwrap();
    let rw = again.connect_tenant("acme", "rw", "pw").await;
    assert_eq!(
        sqlstate(rw.simple_query("DELETE FROM ledger").await),
        SqlState::INSUFFICIENT_PRIVILEGE
    );
    let rows = rw
        .query(
            "SELECT table_name, grantee, privilege_type FROM information_schema.table_privileges \
             WHERE grantee IN ('ro', 'rw') ORDER BY 1, 2, 3",
            &[],
        )
        .await
        .unwrap();
    let got: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect();
    // The grant to ro; rw's own rows are what its role leaves it.
    assert!(got.contains(&("inbox".into(), "ro".into(), "INSERT".into())));
    assert!(got.contains(&("inbox".into(), "rw".into(), "DELETE".into())));
    assert!(!got.contains(&("ledger".into(), "rw".into(), "DELETE".into())));
    assert_eq!(
        got.iter().filter(|(_, grantee, _)| grantee == "ro").count(),
        1
    );
}

#[tokio::test]
async fn unknown_grantees_and_tables() {
    let server = TestServer::start().await;
    let owner = setup(&server).await;
    for (sql, code) in [
        (
            "GRANT SELECT ON inbox TO nobody",
            SqlState::UNDEFINED_OBJECT,
        ),
        ("GRANT SELECT ON nowhere TO ro", SqlState::UNDEFINED_TABLE),
        (
            "GRANT USAGE ON SCHEMA public TO nobody",
            SqlState::UNDEFINED_OBJECT,
        ),
        (
            "GRANT SELECT (msg) ON inbox TO ro",
            SqlState::FEATURE_NOT_SUPPORTED,
        ),
    ] {
        assert_eq!(sqlstate(owner.simple_query(sql).await), code, "{sql}");
    }
    owner
        .batch_execute(
            "GRANT USAGE ON SCHEMA public TO ro;
             GRANT USAGE, SELECT ON SEQUENCE inbox_id_seq TO ro;
             ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ro",
        )
        .await
        .unwrap();
}
