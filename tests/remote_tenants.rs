//! Tenants on a libSQL server, end to end: provisioned with
//! `create_tenant(..., backend => 'libsql')`, used through tokio-postgres and
//! psql over a real socket, their data on the Hrana-over-HTTP test double
//! (tests/common/hrana.rs: a stand-in for sqld, not libSQL itself).

mod common;
#[path = "common/hrana.rs"]
mod hrana;

use std::time::{Duration, Instant};

use common::{create_user, db_error, simple_rows, sqlstate, TestServer};
use hrana::HranaServer;
use pgtenant::backend::libsql::LibsqlConfig;
use tokio_postgres::error::SqlState;

/// The auth token the double requires; the server reads it from this
/// variable (one name per test binary, so tests cannot disturb others).
const TOKEN_ENV: &str = "PGTENANT_TEST_REMOTE_TENANTS_TOKEN";
const TOKEN: &str = "remote-secret-token";
const MASTER_KEY: &str = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

struct Fixture {
    server: TestServer,
    double: HranaServer,
    _dir: tempfile::TempDir,
}

async fn start_with(timeout_ms: u64) -> Fixture {
    // Set once, to the same value, by every test of this binary.
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

async fn start() -> Fixture {
    start_with(5_000).await
}

/// A remote tenant with user alice, connected.
async fn remote_tenant(f: &Fixture, tenant: &str) -> tokio_postgres::Client {
    let admin = f.server.admin().await;
    admin
        .simple_query(&format!(
            "SELECT * FROM pgtenant.create_tenant('{tenant}', backend => 'libsql')"
        ))
        .await
        .unwrap();
    create_user(&admin, tenant, "alice", "s3cret").await;
    f.server.connect_tenant(tenant, "alice", "s3cret").await
}

#[tokio::test]
async fn provisioning_creates_a_namespace_and_seals_its_token() {
    let f = start().await;
    let admin = f.server.admin().await;
    let rows = simple_rows(
        &admin
            .simple_query(
                "SELECT tenant, environment, status, database_url FROM pgtenant.create_tenant('acme', backend => 'libsql')",
            )
            .await
            .unwrap(),
    );
    let url = format!("{}#acme--prod", f.double.url());
    assert_eq!(
        rows,
        vec![vec![
            Some("acme".into()),
            Some("prod".into()),
            Some("active".into()),
            Some(url.clone())
        ]]
    );
    assert!(f.double.namespaces().contains(&"acme--prod".to_owned()));
    let rows = simple_rows(
        &admin
            .simple_query("SELECT backend FROM pgtenant.tenants WHERE tenant = 'acme'")
            .await
            .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some("libsql".into())]]);

    // The token is in the catalog only sealed.
    let catalog = rusqlite::Connection::open(f.server.data_dir.join("catalog.db")).unwrap();
    let sealed: String = catalog
        .query_row(
            "SELECT auth_token FROM remote_credential WHERE tenant = 'acme' AND environment = 'prod'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sealed.starts_with("v1:"), "{sealed}");
    assert!(!sealed.contains(TOKEN));
    // No local file for a remote tenant.
    assert!(!f.server.tenant_db_file("acme").exists());

    // Another environment is another namespace.
    let rows = simple_rows(
        &admin
            .simple_query("SELECT database_url FROM pgtenant.create_environment('acme', 'staging')")
            .await
            .unwrap(),
    );
    assert_eq!(
        rows,
        vec![vec![Some(format!("{}#acme--staging", f.double.url()))]]
    );
    assert!(f.double.namespaces().contains(&"acme--staging".to_owned()));

    // A server without [libsql] says what is missing; unknown backends are refused.
    let e = admin
        .simple_query("SELECT * FROM pgtenant.create_tenant('x1', backend => 'oracle')")
        .await;
    assert_eq!(sqlstate(e), SqlState::INVALID_PARAMETER_VALUE);

    // Dropping the tenant deletes its remote databases.
    admin
        .simple_query("SELECT pgtenant.drop_tenant('acme')")
        .await
        .unwrap();
    let ns = f.double.namespaces();
    assert!(!ns.iter().any(|n| n.starts_with("acme--")), "{ns:?}");
}

#[tokio::test]
async fn sessions_query_the_remote_database_with_postgres_types() {
    let f = start().await;
    let c = remote_tenant(&f, "shop").await;
    c.batch_execute(
        "CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL UNIQUE, price numeric(10,2), qty integer, active boolean, added timestamp)",
    )
    .await
    .unwrap();
    let n = c
        .execute(
            "INSERT INTO item (name, price, qty, active, added) VALUES ($1, 1.50, $2, $3, '2024-05-01 10:00:00')",
            &[&"apple", &7i32, &true],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);
    c.batch_execute("INSERT INTO item (name, price, qty, active) VALUES ('pear', 2.25, 3, false)")
        .await
        .unwrap();

    // Extended protocol: typed results, binary where tokio-postgres asks.
    let rows = c
        .query(
            "SELECT id, name, qty, active, added FROM item WHERE qty > $1 ORDER BY id",
            &[&1i32],
        )
        .await
        .unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].get::<_, i32>("id"), 1);
    assert_eq!(rows[0].get::<_, &str>("name"), "apple");
    assert_eq!(rows[0].get::<_, i32>("qty"), 7);
    assert!(rows[0].get::<_, bool>("active"));
    assert!(!rows[1].get::<_, bool>("active"));
    let added: std::time::SystemTime = rows[0].get("added");
    assert_eq!(
        added
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs(),
        1_714_557_600
    );
    assert_eq!(
        rows[0].columns()[0].type_(),
        &tokio_postgres::types::Type::INT4
    );

    // Simple protocol: text, numeric scale kept.
    let rows = simple_rows(
        &c.simple_query("SELECT name, price, qty * 2 FROM item ORDER BY name")
            .await
            .unwrap(),
    );
    assert_eq!(
        rows,
        vec![
            vec![Some("apple".into()), Some("1.50".into()), Some("14".into())],
            vec![Some("pear".into()), Some("2.25".into()), Some("6".into())],
        ]
    );

    // Errors carry SQLSTATEs, and the session goes on.
    let e = c
        .execute("INSERT INTO item (name) VALUES ('apple')", &[])
        .await;
    assert_eq!(sqlstate(e), SqlState::UNIQUE_VIOLATION);
    let e = c.simple_query("SELECT nosuch FROM item").await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_COLUMN);
    let n: i64 = c
        .query_one("SELECT count(*) FROM item", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);

    // UPDATE / DELETE tags, RETURNING.
    let n = c
        .execute("UPDATE item SET qty = qty + 1 WHERE active", &[])
        .await
        .unwrap();
    assert_eq!(n, 1);
    let row = c
        .query_one("DELETE FROM item WHERE name = $1 RETURNING id", &[&"pear"])
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 2);

    // The data is in the tenant's namespace on the server.
    let file = f._dir.path().join("shop--prod.db");
    let direct = rusqlite::Connection::open(&file).unwrap();
    let names: Vec<String> = direct
        .prepare("SELECT name FROM item")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(names, vec!["apple".to_owned()]);
}

#[tokio::test]
async fn transactions_span_requests_and_roll_back() {
    let f = start().await;
    let c = remote_tenant(&f, "bank").await;
    c.batch_execute("CREATE TABLE acct (id int PRIMARY KEY, bal int)")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO acct VALUES (1, 100), (2, 0)")
        .await
        .unwrap();

    c.batch_execute("BEGIN").await.unwrap();
    c.execute("UPDATE acct SET bal = bal - 40 WHERE id = 1", &[])
        .await
        .unwrap();
    c.execute("UPDATE acct SET bal = bal + 40 WHERE id = 2", &[])
        .await
        .unwrap();
    c.batch_execute("ROLLBACK").await.unwrap();
    let rows = simple_rows(
        &c.simple_query("SELECT bal FROM acct ORDER BY id")
            .await
            .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some("100".into())], vec![Some("0".into())]]);

    c.batch_execute("BEGIN; UPDATE acct SET bal = 60 WHERE id = 1; SAVEPOINT s; UPDATE acct SET bal = 999 WHERE id = 2; ROLLBACK TO SAVEPOINT s; COMMIT")
        .await
        .unwrap();
    let rows = simple_rows(
        &c.simple_query("SELECT bal FROM acct ORDER BY id")
            .await
            .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some("60".into())], vec![Some("0".into())]]);

    // An error fails the block until ROLLBACK, as in PostgreSQL.
    c.batch_execute("BEGIN").await.unwrap();
    let e = c.execute("INSERT INTO acct VALUES (1, 5)", &[]).await;
    assert_eq!(sqlstate(e), SqlState::UNIQUE_VIOLATION);
    let e = c.execute("SELECT 1", &[]).await;
    assert_eq!(sqlstate(e), SqlState::IN_FAILED_SQL_TRANSACTION);
    c.batch_execute("ROLLBACK").await.unwrap();
    let n: i64 = c
        .query_one("SELECT count(*) FROM acct", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);

    // A second session sees only committed data.
    let other = f.server.connect_tenant("bank", "alice", "s3cret").await;
    c.batch_execute("BEGIN; INSERT INTO acct VALUES (3, 1)")
        .await
        .unwrap();
    let n: i64 = other
        .query_one("SELECT count(*) FROM acct", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
    c.batch_execute("COMMIT").await.unwrap();
    let n: i64 = other
        .query_one("SELECT count(*) FROM acct", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}

#[tokio::test]
async fn catalog_queries_describe_the_remote_schema() {
    let f = start().await;
    let c = remote_tenant(&f, "cat").await;
    c.batch_execute("CREATE TABLE person (id bigint PRIMARY KEY, name varchar(40), born date)")
        .await
        .unwrap();
    let rows = simple_rows(
        &c.simple_query(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'person' ORDER BY ordinal_position",
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        rows,
        vec![
            vec![Some("id".into()), Some("bigint".into())],
            vec![Some("name".into()), Some("character varying".into())],
            vec![Some("born".into()), Some("date".into())],
        ]
    );
    // A table added by another session shows at once (DDL refreshes the mirror).
    let other = f.server.connect_tenant("cat", "alice", "s3cret").await;
    other
        .batch_execute("CREATE TABLE pet (id int, owner bigint)")
        .await
        .unwrap();
    other.batch_execute("DROP TABLE pet").await.unwrap();
    other
        .batch_execute("CREATE TABLE toy (id int)")
        .await
        .unwrap();
    // Settings and identity functions answer locally.
    let rows = simple_rows(
        &c.simple_query(
            "SELECT current_user, current_setting('application_name') IS NOT NULL, 1 + 1",
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        rows,
        vec![vec![
            Some("alice".into()),
            Some("t".into()),
            Some("2".into())
        ]]
    );

    // psql's \d reads pg_catalog.
    let out = f
        .server
        .psql("alice@cat", "cat", "s3cret", &["-c", "\\d person"], None)
        .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Table \"public.person\""), "{text}");
    assert!(text.contains("character varying(40)"), "{text}");
    let out = f
        .server
        .psql("alice@cat", "cat", "s3cret", &["-c", "\\dt"], None)
        .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("person") && text.contains("toy"), "{text}");
    assert!(!text.contains("pet"), "{text}");
}

#[tokio::test]
async fn roles_and_isolation_hold_for_remote_tenants() {
    let f = start().await;
    let a = remote_tenant(&f, "ta").await;
    let b = remote_tenant(&f, "tb").await;
    let local = f.server.fresh_tenant("tl").await;
    a.batch_execute("CREATE TABLE secret (v text); INSERT INTO secret VALUES ('a-only')")
        .await
        .unwrap();
    let e = b.simple_query("SELECT * FROM secret").await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_TABLE);
    let e = local.simple_query("SELECT * FROM secret").await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_TABLE);

    // A read-only user reads, and cannot write (refused before the server).
    let admin = f.server.admin().await;
    admin
        .simple_query("SELECT pgtenant.create_user('ta', 'rita', 'pw', role => 'readonly')")
        .await
        .unwrap();
    let ro = f.server.connect_tenant("ta", "rita", "pw").await;
    let rows = simple_rows(&ro.simple_query("SELECT v FROM secret").await.unwrap());
    assert_eq!(rows, vec![vec![Some("a-only".into())]]);
    let e = ro.simple_query("INSERT INTO secret VALUES ('x')").await;
    assert_eq!(sqlstate(e), SqlState::READ_ONLY_SQL_TRANSACTION);
    let e = ro.simple_query("DROP TABLE secret").await;
    assert_eq!(sqlstate(e), SqlState::READ_ONLY_SQL_TRANSACTION);
    let n: i64 = a
        .query_one("SELECT count(*) FROM secret", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);

    // The escape hatches stay shut.
    for sql in ["ATTACH DATABASE 'x.db' AS x", "PRAGMA writable_schema = 1"] {
        let e = db_error(a.simple_query(sql).await);
        assert!(
            e.code() == &SqlState::INSUFFICIENT_PRIVILEGE
                || e.code() == &SqlState::FEATURE_NOT_SUPPORTED
                || e.code() == &SqlState::SYNTAX_ERROR,
            "{sql}: {e:?}"
        );
    }

    // Suspending refuses new sessions and ends open ones, and blocks the
    // namespace on the libSQL server (its admin API), so a client holding a
    // token cannot reach the data either; resuming unblocks it.
    admin
        .simple_query("SELECT pgtenant.suspend_tenant('tb')")
        .await
        .unwrap();
    assert!(f
        .server
        .try_connect_tenant("tb", "alice", "s3cret")
        .await
        .is_err());
    assert!(f.double.blocked("tb--prod"));
    assert!(!f.double.blocked("ta--prod"));
    admin
        .simple_query("SELECT pgtenant.resume_tenant('tb')")
        .await
        .unwrap();
    assert!(!f.double.blocked("tb--prod"));
    let b = f.server.connect_tenant("tb", "alice", "s3cret").await;
    b.simple_query("SELECT 1").await.unwrap();
}

#[tokio::test]
async fn a_slow_or_dead_remote_fails_fast_and_others_go_on() {
    let f = start_with(1_000).await;
    let c = remote_tenant(&f, "slow").await;
    let local = f.server.fresh_tenant("fast").await;
    c.batch_execute("CREATE TABLE t (v int); INSERT INTO t VALUES (1)")
        .await
        .unwrap();

    // Slower than the deadline: 57014 within it, never a hang.
    f.double.set_delay(Duration::from_millis(3_000));
    let t0 = Instant::now();
    let e = c.query("SELECT v FROM t", &[]).await;
    assert_eq!(sqlstate(e), SqlState::QUERY_CANCELED);
    assert!(
        t0.elapsed() < Duration::from_millis(2_500),
        "{:?}",
        t0.elapsed()
    );
    // Meanwhile a local tenant answers.
    let t0 = Instant::now();
    local.simple_query("SELECT 1").await.unwrap();
    assert!(t0.elapsed() < Duration::from_millis(500));

    // The session's own statement_timeout is the deadline when smaller.
    c.batch_execute("SET statement_timeout = 200")
        .await
        .unwrap();
    let t0 = Instant::now();
    let e = c.query("SELECT v FROM t", &[]).await;
    assert_eq!(sqlstate(e), SqlState::QUERY_CANCELED);
    assert!(
        t0.elapsed() < Duration::from_millis(900),
        "{:?}",
        t0.elapsed()
    );
    c.batch_execute("RESET statement_timeout").await.unwrap();

    // Back to normal: the next statement reconnects.
    f.double.set_delay(Duration::ZERO);
    let v: i32 = c.query_one("SELECT v FROM t", &[]).await.unwrap().get(0);
    assert_eq!(v, 1);

    // The server goes away: 08006 at once, the session survives, the
    // local tenant is unaffected.
    let Fixture {
        server,
        double,
        _dir,
    } = f;
    drop(double);
    let t0 = Instant::now();
    let e = c.query("SELECT v FROM t", &[]).await;
    assert_eq!(sqlstate(e), SqlState::CONNECTION_FAILURE);
    assert!(t0.elapsed() < Duration::from_millis(1_500));
    local.simple_query("SELECT 1").await.unwrap();
    // A new login to the remote tenant is refused with 08006, not a hang.
    let e = server.try_connect_tenant("slow", "alice", "s3cret").await;
    assert_eq!(sqlstate(e.map(|_| ())), SqlState::CONNECTION_FAILURE);
}

// A statement given up on client-side (57014) inside a transaction: the
// server rolls the transaction back as soon as it has answered (the session
// closes that stream with the answer's baton), so another session's write
// goes through then, not after the idle stream expires (sqld: 10 s; the
// double never expires it by itself and gives up on a lock after 5 s).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_timed_out_statement_releases_the_write_lock() {
    let f = start().await;
    let a = remote_tenant(&f, "locks").await;
    a.batch_execute("CREATE TABLE t (v int)").await.unwrap();
    let b = f.server.connect_tenant("locks", "alice", "s3cret").await;
    a.batch_execute("SET statement_timeout = 300; BEGIN; INSERT INTO t VALUES (1)")
        .await
        .unwrap();

    // The server answers A's next statement after 1.5 s (a slow statement);
    // requests arriving later are answered at once.
    f.double.set_delay(Duration::from_millis(1_500));
    let slow = tokio::spawn(async move {
        let t0 = Instant::now();
        let e = a.query("SELECT v FROM t", &[]).await;
        (a, t0.elapsed(), sqlstate(e))
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    f.double.set_delay(Duration::ZERO);
    let (a, waited, code) = slow.await.unwrap();
    assert_eq!(code, SqlState::QUERY_CANCELED);
    assert!(waited < Duration::from_millis(1_000), "{waited:?}");

    // A's transaction is gone: failed until the client's ROLLBACK (which
    // also gives up the tenant's writer slot in the proxy).
    let e = a.simple_query("SELECT v FROM t").await;
    assert_eq!(sqlstate(e), SqlState::IN_FAILED_SQL_TRANSACTION);
    a.batch_execute("ROLLBACK").await.unwrap();

    // B's write waits for A's lock on the server only until the server is
    // done with A's statement.
    let t0 = Instant::now();
    b.execute("INSERT INTO t VALUES (2)", &[]).await.unwrap();
    assert!(
        t0.elapsed() < Duration::from_millis(3_500),
        "{:?}",
        t0.elapsed()
    );
    // A reconnects and sees only B's row.
    let rows: Vec<i32> = a
        .query("SELECT v FROM t ORDER BY v", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(rows, [2]);
}

#[tokio::test]
async fn copy_from_stdin_loads_into_the_remote_database() {
    use futures::SinkExt;
    let f = start().await;
    let c = remote_tenant(&f, "bulk").await;
    c.batch_execute("CREATE TABLE m (id int PRIMARY KEY, label text, score float8, seen date)")
        .await
        .unwrap();
    let mut data = String::new();
    for i in 0..2_000 {
        data.push_str(&format!(
            "{i}\tlabel {i}\t{}.5\t2024-01-{:02}\n",
            i % 100,
            i % 28 + 1
        ));
    }
    data.push_str("2000\t\\N\t\\N\t\\N\n");
    let sink = c.copy_in("COPY m FROM STDIN").await.unwrap();
    futures::pin_mut!(sink);
    sink.send(bytes::Bytes::from(data)).await.unwrap();
    let n = sink.finish().await.unwrap();
    assert_eq!(n, 2_001);
    let rows = simple_rows(
        &c.simple_query("SELECT count(*), sum(id), max(seen), count(label) FROM m")
            .await
            .unwrap(),
    );
    assert_eq!(
        rows,
        vec![vec![
            Some("2001".into()),
            Some("2001000".into()),
            Some("2024-01-28".into()),
            Some("2000".into())
        ]]
    );

    // A bad row rolls the whole COPY back; the session goes on.
    let sink = c.copy_in("COPY m (id, label) FROM STDIN").await.unwrap();
    futures::pin_mut!(sink);
    sink.send(bytes::Bytes::from_static(b"5000\tok\nnot-a-number\tbad\n"))
        .await
        .unwrap();
    let e = sink.finish().await;
    assert_eq!(sqlstate(e), SqlState::INVALID_TEXT_REPRESENTATION);
    let n: i64 = c
        .query_one("SELECT count(*) FROM m", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2_001);

    // psql's \copy (CSV with a header), inside the server's own transaction.
    let out = f
        .server
        .psql(
            "alice@bulk",
            "bulk",
            "s3cret",
            &[
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "\\copy m (id, label) FROM STDIN WITH (FORMAT csv, HEADER)",
            ],
            Some("id,label\n7001,\"quoted, label\"\n7002,x\n"),
        )
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = simple_rows(
        &c.simple_query("SELECT label FROM m WHERE id > 7000 ORDER BY id")
            .await
            .unwrap(),
    );
    assert_eq!(
        rows,
        vec![vec![Some("quoted, label".into())], vec![Some("x".into())]]
    );
}

#[tokio::test]
async fn cursors_fetch_remote_rows() {
    let f = start().await;
    let c = remote_tenant(&f, "curs").await;
    c.batch_execute("CREATE TABLE n (v int); INSERT INTO n VALUES (1), (2), (3), (4), (5)")
        .await
        .unwrap();
    c.batch_execute("BEGIN; DECLARE cur CURSOR FOR SELECT v FROM n ORDER BY v")
        .await
        .unwrap();
    let first = simple_rows(&c.simple_query("FETCH 2 FROM cur").await.unwrap());
    assert_eq!(first, vec![vec![Some("1".into())], vec![Some("2".into())]]);
    let rest = c.query("FETCH ALL FROM cur", &[]).await.unwrap();
    let rest: Vec<i32> = rest.iter().map(|r| r.get(0)).collect();
    assert_eq!(rest, vec![3, 4, 5]);
    c.batch_execute("COMMIT").await.unwrap();

    // psql with FETCH_COUNT reads through a cursor, catalog queries too.
    let out = f
        .server
        .psql(
            "alice@curs",
            "curs",
            "s3cret",
            &[
                "-At",
                "-v",
                "FETCH_COUNT=2",
                "-c",
                "SELECT v FROM n ORDER BY v DESC",
            ],
            None,
        )
        .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "5\n4\n3\n2\n1\n");
}

/// `pgtenant.remote_databases()` on sqld probes each catalog namespace
/// through the admin API (it cannot list them): one deleted behind our back
/// is `missing`, and the function changes nothing.
#[tokio::test]
async fn remote_databases_finds_a_missing_namespace() {
    let f = start().await;
    let admin = f.server.admin().await;
    for t in ["acme", "globex"] {
        admin
            .simple_query(&format!(
                "SELECT * FROM pgtenant.create_tenant('{t}', backend => 'libsql')"
            ))
            .await
            .unwrap();
    }
    f.double.remove_namespace("globex--prod");
    let rows = simple_rows(
        &admin
            .simple_query("SELECT database, state, tenant FROM pgtenant.remote_databases()")
            .await
            .unwrap(),
    );
    let row = |v: [&str; 3]| v.map(|s| Some(s.to_owned())).to_vec();
    assert_eq!(
        rows,
        vec![
            row(["acme--prod", "ok", "acme"]),
            row(["globex--prod", "missing", "globex"]),
        ]
    );
    let left = f.double.namespaces();
    assert!(left.contains(&"acme--prod".to_owned()), "{left:?}");
    assert!(!left.contains(&"globex--prod".to_owned()), "{left:?}");
}

/// COMMENT ON runs on the server (plain SQL on its `pgcat__comment`); the
/// schema mirror copies the texts, so pg_description, obj_description,
/// col_description and psql's `\d+` answer as on a local tenant.
#[tokio::test]
async fn comments_are_kept_on_the_remote_database() {
    let f = start().await;
    let c = remote_tenant(&f, "notes").await;
    c.batch_execute(
        "CREATE TABLE item (id int PRIMARY KEY, label text);
         COMMENT ON TABLE item IS 'Things';
         COMMENT ON COLUMN item.label IS $$The item's label$$;",
    )
    .await
    .unwrap();
    let read = "SELECT obj_description('item'::regclass, 'pg_class'), \
                col_description('item'::regclass, 2), \
                (SELECT count(*) FROM pg_description WHERE classoid = 'pg_class'::regclass)";
    let rows = simple_rows(&c.simple_query(read).await.unwrap());
    let want = vec![vec![
        Some("Things".into()),
        Some("The item's label".into()),
        Some("2".into()),
    ]];
    assert_eq!(rows, want);
    // Another session's mirror loads them too.
    let other = f.server.connect_tenant("notes", "alice", "s3cret").await;
    assert_eq!(simple_rows(&other.simple_query(read).await.unwrap()), want);
    let out = f
        .server
        .psql("alice@notes", "notes", "s3cret", &["-c", "\\d+ item"], None)
        .await;
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("The item's label"), "{text}");
    // Renames carry them, drops and IS NULL remove them.
    c.batch_execute(
        "ALTER TABLE item RENAME TO thing;
         ALTER TABLE thing RENAME COLUMN label TO name;
         COMMENT ON TABLE thing IS NULL;",
    )
    .await
    .unwrap();
    let rows = simple_rows(
        &c.simple_query(
            "SELECT obj_description('thing'::regclass, 'pg_class'), \
             col_description('thing'::regclass, 2)",
        )
        .await
        .unwrap(),
    );
    assert_eq!(rows, vec![vec![None, Some("The item's label".into())]]);
    c.batch_execute("DROP TABLE thing; CREATE TABLE thing (id int, name text)")
        .await
        .unwrap();
    let rows = simple_rows(
        &c.simple_query(
            "SELECT count(*) FROM pg_description WHERE classoid = 'pg_class'::regclass",
        )
        .await
        .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some("0".into())]]);
    // PostgreSQL's errors, from checks the session runs on its mirror.
    let e = c
        .batch_execute("COMMENT ON TABLE nope IS 'x'")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(&SqlState::UNDEFINED_TABLE), "{e:?}");
    let e = c
        .batch_execute("COMMENT ON COLUMN thing.nope IS 'x'")
        .await
        .unwrap_err();
    assert_eq!(e.code(), Some(&SqlState::UNDEFINED_COLUMN), "{e:?}");
    // A drop that fails on the server keeps its error (the upkeep makes
    // it a batch of statements).
    let e = c.batch_execute("DROP INDEX nope").await.unwrap_err();
    assert_eq!(e.code(), Some(&SqlState::UNDEFINED_OBJECT), "{e:?}");
}

/// ALTER COLUMN and constraint edits, which a libSQL server cannot do in
/// place, are table rebuilds on the server: the rows stay (and are
/// converted by USING), existing rows are checked, and inside a migration
/// tool's transaction they commit or roll back with it.
#[tokio::test]
async fn migrations_alter_columns_and_constraints_of_remote_tables() {
    let f = start().await;
    let c = remote_tenant(&f, "mig").await;
    c.batch_execute(
        "CREATE TABLE org (id int PRIMARY KEY, name text);
         CREATE TABLE account (id serial PRIMARY KEY, org_id int REFERENCES org (id),
             email varchar(50), balance text, note text);
         CREATE INDEX account_email_ix ON account (email);
         INSERT INTO org VALUES (1, 'acme'), (2, 'initech');
         INSERT INTO account (org_id, email, balance, note)
             VALUES (1, 'a@x', '10', NULL), (2, 'b@x', '20', 'vip')",
    )
    .await
    .unwrap();

    // A migration's transaction: type change with USING, NOT NULL, default,
    // a CHECK and a renamed constraint.
    c.batch_execute(
        "BEGIN;
         ALTER TABLE account ALTER COLUMN balance TYPE integer USING balance::integer * 100;
         ALTER TABLE account ALTER COLUMN email SET NOT NULL;
         ALTER TABLE account ALTER COLUMN note SET DEFAULT 'none';
         ALTER TABLE account ADD CONSTRAINT balance_positive CHECK (balance > 0);
         ALTER TABLE account RENAME CONSTRAINT balance_positive TO balance_above_zero;
         COMMIT",
    )
    .await
    .unwrap();
    let rows = c
        .query(
            "SELECT id, org_id, email, balance FROM account ORDER BY id",
            &[],
        )
        .await
        .unwrap();
    let got: Vec<(i32, i32, String, i32)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3)))
        .collect();
    assert_eq!(
        got,
        vec![(1, 1, "a@x".into(), 1000), (2, 2, "b@x".into(), 2000)]
    );
    let cols = simple_rows(
        &c.simple_query(
            "SELECT column_name, data_type, is_nullable, column_default FROM information_schema.columns \
             WHERE table_name = 'account' AND column_name IN ('email', 'balance', 'note') ORDER BY ordinal_position",
        )
        .await
        .unwrap(),
    );
    assert_eq!(
        cols,
        vec![
            vec![
                Some("email".into()),
                Some("character varying".into()),
                Some("NO".into()),
                None
            ],
            vec![
                Some("balance".into()),
                Some("integer".into()),
                Some("YES".into()),
                None
            ],
            vec![
                Some("note".into()),
                Some("text".into()),
                Some("YES".into()),
                Some("'none'::text".into())
            ],
        ]
    );
    // The index, the serial key and the foreign key survived the rebuild.
    let ix = simple_rows(
        &c.simple_query("SELECT indexname FROM pg_indexes WHERE tablename = 'account' AND indexname = 'account_email_ix'")
            .await
            .unwrap(),
    );
    assert_eq!(ix.len(), 1, "{ix:?}");
    let id: i32 = c
        .query_one(
            "INSERT INTO account (org_id, email, balance) VALUES (1, 'c@x', 5) RETURNING id",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(id, 3);
    let e = c
        .execute(
            "INSERT INTO account (org_id, email, balance) VALUES (1, 'd@x', -5)",
            &[],
        )
        .await;
    assert_eq!(sqlstate(e), SqlState::CHECK_VIOLATION);
    let e = c
        .execute("INSERT INTO account (email) VALUES (NULL)", &[])
        .await;
    assert_eq!(sqlstate(e), SqlState::NOT_NULL_VIOLATION);

    // Existing rows are checked: a NOT NULL that a row breaks fails, and the
    // block it was in rolls back whole.
    c.batch_execute("BEGIN; ALTER TABLE account ALTER COLUMN note DROP DEFAULT")
        .await
        .unwrap();
    let e = c
        .simple_query("ALTER TABLE account ALTER COLUMN note SET NOT NULL")
        .await;
    assert_eq!(sqlstate(e), SqlState::NOT_NULL_VIOLATION);
    c.batch_execute("ROLLBACK").await.unwrap();
    let d = simple_rows(
        &c.simple_query("SELECT column_default FROM information_schema.columns WHERE table_name = 'account' AND column_name = 'note'")
            .await
            .unwrap(),
    );
    assert_eq!(d, vec![vec![Some("'none'::text".into())]]);

    // Outside a block, each is its own transaction; dropping the renamed
    // constraint lets the row in.
    let e = c
        .simple_query("ALTER TABLE account DROP CONSTRAINT balance_positive")
        .await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_OBJECT);
    c.batch_execute(
        "ALTER TABLE account DROP CONSTRAINT balance_above_zero;
         INSERT INTO account (org_id, email, balance) VALUES (2, 'e@x', -1)",
    )
    .await
    .unwrap();
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM account a JOIN org o ON o.id = a.org_id",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 4);

    // A foreign key the rows break is refused, and nothing changes.
    let e = c
        .simple_query(
            "ALTER TABLE account ADD CONSTRAINT account_balance_fk FOREIGN KEY (balance) REFERENCES org (id)",
        )
        .await;
    assert_eq!(sqlstate(e), SqlState::FOREIGN_KEY_VIOLATION);
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_constraint WHERE conname = 'account_balance_fk'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);
}
