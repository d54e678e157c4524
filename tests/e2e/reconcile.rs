//! Startup reconciliation, end to end on the real binary: leftovers of
//! interrupted create_tenant / drop_tenant / backup calls are repaired before
//! the server accepts, so every tenant is whole, cleanly failed, or absent.

use crate::common;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::child::{integrity, ChildServer};
use common::simple_rows;

const PW: &str = "pw";

async fn tenants(server: &ChildServer) -> HashMap<String, String> {
    let admin = server.admin().await;
    simple_rows(
        &admin
            .simple_query("SELECT tenant, status FROM pgtenant.tenants")
            .await
            .unwrap(),
    )
    .into_iter()
    .map(|r| (r[0].clone().unwrap(), r[1].clone().unwrap()))
    .collect()
}

fn folders(dir: &Path) -> HashSet<String> {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

fn reconcile_lines(log: &str) -> usize {
    log.lines().filter(|l| l.contains("reconcile:")).count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restart_repairs_catalog_rows_without_files_and_files_without_rows() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let mut server = ChildServer::start(&data, &log).await;
    let admin = server.admin().await;
    for t in ["keep", "lost", "going", "coming", "orphan"] {
        common::create_tenant(&admin, t).await;
        common::create_user(&admin, t, "alice", PW).await;
        let c = server.tenant(t, "alice", PW).await.unwrap();
        c.batch_execute("CREATE TABLE t (x text); INSERT INTO t VALUES ('mine')")
            .await
            .unwrap();
    }
    drop(admin);
    server.stop();
    assert_eq!(reconcile_lines(&server.log_text()), 0);

    // What interrupted calls leave behind.
    let tenants_dir = data.join("tenants");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(tenants_dir.join(format!("lost/prod.db{suffix}")));
    }
    {
        let cat = rusqlite::Connection::open(data.join("catalog.db")).unwrap();
        cat.execute_batch(
            "PRAGMA foreign_keys = ON;
             UPDATE tenant SET status = 'destroying' WHERE name = 'going';
             UPDATE tenant SET status = 'provisioning' WHERE name = 'coming';
             DELETE FROM tenant WHERE name = 'orphan';",
        )
        .unwrap();
    }
    std::fs::create_dir_all(tenants_dir.join("half")).unwrap();
    rusqlite::Connection::open(tenants_dir.join("half/prod.db"))
        .unwrap()
        .pragma_update(None, "journal_mode", "WAL")
        .unwrap();
    std::fs::create_dir_all(data.join("backups/keep")).unwrap();
    std::fs::write(data.join("backups/keep/prod-cut-short.db.tmp"), b"partial").unwrap();

    let mut server = ChildServer::start(&data, &log).await;
    let status = tenants(&server).await;
    assert_eq!(status.get("keep").map(String::as_str), Some("active"));
    assert_eq!(status.get("lost").map(String::as_str), Some("failed"));
    assert_eq!(status.get("coming").map(String::as_str), Some("failed"));
    assert!(!status.contains_key("going"), "{status:?}");
    assert!(!status.contains_key("orphan"), "{status:?}");
    let reasons = simple_rows(
        &server
            .admin()
            .await
            .simple_query("SELECT * FROM pgtenant.tenants WHERE tenant = 'lost'")
            .await
            .unwrap(),
    );
    eprintln!("reconcile: lost tenant row after restart: {reasons:?}");

    assert_eq!(
        folders(&tenants_dir),
        ["keep", "lost", "coming"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        "going finished, half deleted, orphan moved aside"
    );
    // The orphan's data is kept in quarantine, intact.
    let stamps = folders(&data.join("quarantine"));
    assert_eq!(stamps.len(), 1);
    let moved = data
        .join("quarantine")
        .join(stamps.iter().next().unwrap())
        .join("tenants/orphan/prod.db");
    assert_eq!(integrity(&moved), "ok");
    let kept: String = rusqlite::Connection::open(&moved)
        .unwrap()
        .query_row("SELECT x FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(kept, "mine");
    assert!(!data.join("backups/keep/prod-cut-short.db.tmp").exists());

    // A failed tenant refuses logins cleanly; the whole one serves its data.
    let err = common::db_error(server.tenant("lost", "alice", PW).await);
    assert_eq!(err.code().code(), "57P03", "{err:?}");
    let keep = server.tenant("keep", "alice", PW).await.unwrap();
    let row = keep.query_one("SELECT x FROM t", &[]).await.unwrap();
    assert_eq!(row.get::<_, String>(0), "mine");
    let log_text = server.log_text();
    assert!(
        log_text.contains("finished an interrupted drop_tenant"),
        "{log_text}"
    );
    assert!(log_text.contains("tenant marked failed"), "{log_text}");
    assert!(log_text.contains("moved to quarantine"), "{log_text}");
    let repairs = reconcile_lines(&log_text);

    // Nothing is left to repair at the next start.
    server.stop();
    let server = ChildServer::start(&data, &log).await;
    assert_eq!(reconcile_lines(&server.log_text()), repairs);
}

enum Event {
    Created(String),
    /// A drop was sent; unless `Dropped` follows, it may or may not have happened.
    Dropping(String),
    Dropped(String),
}

/// Creates tenants (dropping every other one) until the server dies.
async fn churn(server_port: u16, round: usize, progress: Arc<AtomicUsize>) -> Vec<Event> {
    let admin = match common::child::connect(&common::child::client_config(
        server_port,
        common::ADMIN_USER,
        Some(common::ADMIN_DB),
        common::ADMIN_PASSWORD,
    ))
    .await
    {
        Ok(a) => a,
        Err(_) => return Vec::new(),
    };
    let mut events = Vec::new();
    for j in 0.. {
        let name = format!("r{round}n{j}");
        let q = format!("SELECT * FROM pgtenant.create_tenant('{name}')");
        if admin.simple_query(&q).await.is_err() {
            break;
        }
        events.push(Event::Created(name.clone()));
        progress.fetch_add(1, Ordering::AcqRel);
        if j % 2 == 0 {
            events.push(Event::Dropping(name.clone()));
            let q = format!("SELECT pgtenant.drop_tenant('{name}')");
            if admin.simple_query(&q).await.is_err() {
                break;
            }
            events.push(Event::Dropped(name));
            progress.fetch_add(1, Ordering::AcqRel);
        }
    }
    events
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kills_during_create_and_drop_leave_tenants_whole_or_absent() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let mut server = ChildServer::start(&data, &log).await;
    let mut live: HashSet<String> = HashSet::new();
    let mut gone: HashSet<String> = HashSet::new();
    // Drops cut short by the kill: the tenant is whole or absent, either is right.
    let mut in_flight: HashSet<String> = HashSet::new();
    let rounds = 8;
    for round in 0..rounds {
        let progress = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(churn(server.port, round, progress.clone()));
        // Kill a few calls in, at a random moment inside one.
        let calls = rand::random_range(1..6);
        common::wait_until("create/drop calls", Duration::from_secs(30), || {
            progress.load(Ordering::Acquire) >= calls
        })
        .await;
        tokio::time::sleep(Duration::from_millis(rand::random_range(0..20))).await;
        server.kill();
        for e in task.await.unwrap() {
            match e {
                Event::Created(n) => {
                    live.insert(n);
                }
                Event::Dropping(n) => {
                    live.remove(&n);
                    in_flight.insert(n);
                }
                Event::Dropped(n) => {
                    in_flight.remove(&n);
                    gone.insert(n);
                }
            }
        }
        server = ChildServer::start(&data, &log).await;

        let status = tenants(&server).await;
        for t in &live {
            assert_eq!(
                status.get(t).map(String::as_str),
                Some("active"),
                "acknowledged create of {t}"
            );
            let db = data.join("tenants").join(t).join("prod.db");
            assert_eq!(integrity(&db), "ok", "{t}");
        }
        for t in &gone {
            assert!(!status.contains_key(t), "acknowledged drop of {t} undone");
            assert!(
                !data.join("tenants").join(t).exists(),
                "files of dropped {t} remain"
            );
        }
        for t in std::mem::take(&mut in_flight) {
            match status.get(&t).map(String::as_str) {
                Some("active") => {
                    live.insert(t);
                }
                None => {
                    assert!(
                        !data.join("tenants").join(&t).exists(),
                        "files of dropped {t} remain"
                    );
                    gone.insert(t);
                }
                other => panic!("interrupted drop of {t} left it {other:?}"),
            }
        }
        for (t, s) in &status {
            assert!(s == "active" || s == "failed", "{t} left {s}");
            if s == "active" {
                assert!(
                    data.join("tenants").join(t).join("prod.db").is_file(),
                    "{t} has no file"
                );
            }
        }
        for f in folders(&data.join("tenants")) {
            assert!(status.contains_key(&f), "folder {f} without a catalog row");
        }
    }
    server.kill();
    assert_eq!(integrity(&data.join("catalog.db")), "ok");
    eprintln!(
        "reconcile: {rounds} kills during create/drop; {} acknowledged creates whole, {} drops absent; {} startup repairs logged",
        live.len(),
        gone.len(),
        reconcile_lines(&server.log_text()),
    );
}
