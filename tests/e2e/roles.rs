//! Tenant user roles end to end: owner (DDL), readwrite (DML, DDL is
//! 42501), readonly (every write is 25006, however it is hidden), across
//! pooled connections that earlier sessions of other roles used.

use crate::common;

use common::{create_user, db_error, sqlstate, TestServer};
use tokio_postgres::error::SqlState;

async fn setup() -> (TestServer, tokio_postgres::Client) {
    let server = TestServer::start().await;
    let admin = server.admin().await;
    let owner = server.fresh_tenant("acme").await;
    owner
        .batch_execute(
            "CREATE TABLE t (id int PRIMARY KEY, v text);
             INSERT INTO t VALUES (1, 'one');
             CREATE TABLE log (msg text)",
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
    (server, owner)
}

#[tokio::test]
async fn readonly_user_reads_and_every_write_is_25006() {
    let (server, owner) = setup().await;
    // The owner's session prepared these statements on a connection the
    // pool hands to the next session: they must be authorized again.
    owner
        .execute("INSERT INTO log VALUES ($1)", &[&"cached"])
        .await
        .unwrap();
    drop(owner);
    let ro = server.connect_tenant("acme", "ro", "pw").await;
    let v: String = ro
        .query_one("SELECT v FROM t WHERE id = 1", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, "one");
    for sql in [
        "INSERT INTO log VALUES ('x')",
        "UPDATE t SET v = 'two'",
        "DELETE FROM t",
        "WITH doomed AS (SELECT id FROM t) DELETE FROM t WHERE id IN (SELECT id FROM doomed)",
        "INSERT INTO log VALUES ('x') RETURNING msg",
        "INSERT INTO log SELECT v FROM t",
        "CREATE TABLE u (x int)",
        "DROP TABLE t",
        "ALTER TABLE t ADD COLUMN w int",
        "CREATE INDEX ti ON t (v)",
        "TRUNCATE t",
    ] {
        let e = db_error(ro.simple_query(sql).await);
        assert_eq!(
            e.code(),
            &SqlState::READ_ONLY_SQL_TRANSACTION,
            "{sql}: {e:?}"
        );
        assert!(e.message().contains("read-only"), "{sql}: {}", e.message());
    }
    // The extended protocol, with the owner's cached statement text.
    assert_eq!(
        sqlstate(ro.execute("INSERT INTO log VALUES ($1)", &[&"x"]).await),
        SqlState::READ_ONLY_SQL_TRANSACTION
    );
    // Inside a transaction block: the block fails, as in PostgreSQL.
    ro.batch_execute("BEGIN").await.unwrap();
    assert_eq!(
        sqlstate(ro.simple_query("INSERT INTO log VALUES ('x')").await),
        SqlState::READ_ONLY_SQL_TRANSACTION
    );
    ro.batch_execute("ROLLBACK").await.unwrap();
    // Nothing changed, and the session still works.
    let n: i64 = ro
        .query_one("SELECT count(*) FROM log", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    // psql as a readonly user.
    let out = server
        .psql(
            "ro@acme",
            "acme",
            "pw",
            &["-c", "INSERT INTO log VALUES ('psql')"],
            None,
        )
        .await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot execute this statement in a read-only transaction"),
        "{stderr}"
    );
}

#[tokio::test]
async fn readwrite_user_changes_data_but_not_the_schema() {
    let (server, owner) = setup().await;
    let rw = server.connect_tenant("acme", "rw", "pw").await;
    rw.batch_execute(
        "INSERT INTO t VALUES (2, 'two'); UPDATE t SET v = 'uno' WHERE id = 1; DELETE FROM log",
    )
    .await
    .unwrap();
    for sql in [
        "CREATE TABLE u (x int)",
        "DROP TABLE t",
        "ALTER TABLE t ADD COLUMN w int",
        "CREATE INDEX ti ON t (v)",
        "CREATE VIEW tv AS SELECT * FROM t",
        "DROP TABLE log",
    ] {
        let e = db_error(rw.simple_query(sql).await);
        assert_eq!(e.code(), &SqlState::INSUFFICIENT_PRIVILEGE, "{sql}: {e:?}");
        assert!(e.message().contains("readwrite"), "{sql}: {}", e.message());
    }
    // Temporary tables are the session's own: allowed.
    rw.batch_execute("CREATE TEMP TABLE scratch (x int); INSERT INTO scratch VALUES (1)")
        .await
        .unwrap();
    // The owner still does DDL (a connection the readwrite user had is reused).
    drop(rw);
    drop(owner);
    let owner = server.connect_tenant("acme", "alice", "s3cret").await;
    owner
        .batch_execute("CREATE TABLE u (x int); DROP TABLE u")
        .await
        .unwrap();
    let rows = owner
        .query("SELECT v FROM t ORDER BY id", &[])
        .await
        .unwrap();
    let vs: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(vs, ["uno", "two"]);
    // A bad role is refused at create_user.
    let admin = server.admin().await;
    let e = db_error(
        admin
            .simple_query("SELECT * FROM pgtenant.create_user('acme', 'x', 'pw', role => 'root')")
            .await,
    );
    assert_eq!(e.code(), &SqlState::INVALID_PARAMETER_VALUE);
    create_user(&admin, "acme", "plain", "pw").await;
}
