//! Disk full: the real server runs under a file-size limit (RLIMIT_FSIZE), so
//! a tenant's database cannot grow past it. Writers get 53100, the server
//! keeps serving reads (and other tenants), and nothing is corrupted.

use crate::common;

use common::child::{integrity, ChildOptions, ChildServer};

const LIMIT: u64 = 2 << 20;
const ROW: usize = 64 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writers_get_53100_and_reads_go_on() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let mut server = ChildServer::start_with(
        &data,
        &log,
        ChildOptions {
            file_size_limit: Some(LIMIT),
            ..Default::default()
        },
    )
    .await;
    let admin = server.admin().await;
    for t in ["full", "calm"] {
        common::create_tenant(&admin, t).await;
        common::create_user(&admin, t, "alice", "pw").await;
    }
    let full = server.tenant("full", "alice", "pw").await.unwrap();
    full.batch_execute("CREATE TABLE blobs (id int PRIMARY KEY, body text NOT NULL)")
        .await
        .unwrap();
    let calm = server.tenant("calm", "alice", "pw").await.unwrap();
    calm.batch_execute("CREATE TABLE notes (id int PRIMARY KEY, body text); INSERT INTO notes VALUES (1, 'before')")
        .await
        .unwrap();

    let body = "x".repeat(ROW);
    let mut acked = 0i32;
    let err = loop {
        assert!(
            (acked as u64) < 4 * LIMIT / ROW as u64,
            "the file-size limit never stopped the writes"
        );
        match full
            .execute(
                "INSERT INTO blobs (id, body) VALUES ($1, $2)",
                &[&(acked + 1), &body],
            )
            .await
        {
            Ok(_) => acked += 1,
            Err(e) => break e,
        }
    };
    let db = err
        .as_db_error()
        .expect("a database error, not a dropped connection");
    assert_eq!(db.code().code(), "53100", "{db:?}");
    assert!(db.message().contains("disk full"), "{}", db.message());
    assert!(acked > 0);
    assert!(server.is_running(), "SIGXFSZ killed the server");

    // Every further write fails the same way, in and out of transactions.
    for i in 0..3 {
        let e = full
            .execute(
                "INSERT INTO blobs (id, body) VALUES ($1, $2)",
                &[&(10_000 + i), &body],
            )
            .await
            .unwrap_err();
        assert_eq!(e.code().map(|c| c.code()), Some("53100"), "{e:?}");
    }
    // In a transaction the pages reach the file at COMMIT (or when the
    // cache spills): one of the two fails, and the transaction is gone.
    full.batch_execute("BEGIN").await.unwrap();
    let e = match full
        .execute("INSERT INTO blobs (id, body) VALUES (20000, $1)", &[&body])
        .await
    {
        Ok(_) => full.batch_execute("COMMIT").await.unwrap_err(),
        Err(e) => {
            full.batch_execute("ROLLBACK").await.unwrap();
            e
        }
    };
    assert_eq!(e.code().map(|c| c.code()), Some("53100"), "{e:?}");
    // The session goes on (a ROLLBACK after a failed COMMIT is harmless).
    let _ = full.batch_execute("ROLLBACK").await;

    // Reads go on, on this session and on a new one, and see exactly the acknowledged rows.
    let n: i64 = full
        .query_one("SELECT count(*) FROM blobs", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, acked as i64);
    let again = server.tenant("full", "alice", "pw").await.unwrap();
    let n: i64 = again
        .query_one(
            "SELECT count(*) FROM blobs WHERE length(body) = $1",
            &[&(ROW as i32)],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, acked as i64);
    // Another tenant, far from the limit, still writes.
    calm.execute("INSERT INTO notes VALUES (2, 'after')", &[])
        .await
        .unwrap();
    assert!(server.is_running());

    server.stop();
    let path = data.join("tenants/full/prod.db");
    assert_eq!(integrity(&path), "ok");
    let c = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM blobs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, acked as i64, "acknowledged rows after the restart");
    assert_eq!(integrity(&data.join("tenants/calm/prod.db")), "ok");
    assert_eq!(integrity(&data.join("catalog.db")), "ok");
    let errno_path = server
        .log_text()
        .contains("database write refused: no space");
    eprintln!(
        "disk_full: {acked} rows of {ROW} bytes fit under a {LIMIT}-byte file limit; \
         EFBIG seen through SQLITE_IOERR + errno: {errno_path}"
    );
}

/// The catalog on a full disk: creating tenants fails with 53100 once the
/// catalog cannot grow, the catalog and existing tenants stay readable, the
/// server keeps running, and the catalog file is intact.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_writes_get_53100() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let mut server = ChildServer::start_with(
        &data,
        &log,
        ChildOptions {
            file_size_limit: Some(384 << 10),
            ..Default::default()
        },
    )
    .await;
    let admin = server.admin().await;
    common::create_tenant(&admin, "first").await;
    common::create_user(&admin, "first", "alice", "pw").await;
    let first = server.tenant("first", "alice", "pw").await.unwrap();
    first
        .batch_execute("CREATE TABLE t (id int); INSERT INTO t VALUES (1)")
        .await
        .unwrap();

    let mut created = 1;
    let err = loop {
        assert!(
            created < 2_000,
            "the file-size limit never stopped the catalog"
        );
        match admin
            .simple_query(&format!("SELECT pgtenant.create_tenant('t{created}')"))
            .await
        {
            Ok(_) => created += 1,
            Err(e) => break e,
        }
    };
    let db = err.as_db_error().expect("a database error");
    assert_eq!(db.code().code(), "53100", "{db:?}");
    assert!(db.message().contains("disk full"), "{}", db.message());
    assert!(server.is_running(), "SIGXFSZ killed the server");

    // The catalog still answers, lists every tenant it acknowledged, and
    // logins (catalog reads) and the existing tenant's data still work.
    let rows = admin
        .query(
            "SELECT tenant FROM pgtenant.tenants WHERE status = 'active'",
            &[],
        )
        .await
        .unwrap();
    assert!(rows.len() >= created, "{} < {created}", rows.len());
    let again = server.tenant("first", "alice", "pw").await.unwrap();
    let n: i64 = again
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    assert!(server.is_running());

    server.stop();
    assert_eq!(integrity(&data.join("catalog.db")), "ok");
}
