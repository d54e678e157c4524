//! Crash safety: the real server binary is SIGKILLed at random moments while
//! several tenants write; after each restart on the same data folder every
//! acknowledged commit must be there, no transaction half applied, and every
//! database file must pass `PRAGMA integrity_check`.

use crate::common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU16, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::child::{client_config, connect, integrity, ChildOptions, ChildServer};
use rusqlite::OptionalExtension;

const TENANTS: usize = 3;
const WRITERS_PER_TENANT: usize = 2;
const KILLS: usize = 21;
const PASSWORD: &str = "s3cret";

/// What one writer saw acknowledged.
#[derive(Default)]
struct Acked {
    tenant: String,
    /// Transactions (two `pair` rows and a `total` bump) whose COMMIT was acknowledged.
    pairs: Vec<i64>,
    /// Single-statement autocommit inserts acknowledged.
    solos: Vec<i64>,
}

/// Writes until `stop`, reconnecting (to whatever port the server has now)
/// whenever the server goes away. A database error is a failure: a kill
/// shows up as a closed connection, never as an SQLSTATE.
async fn writer(
    tenant: String,
    base: i64,
    port: Arc<AtomicU16>,
    stop: Arc<AtomicBool>,
    commits: Arc<AtomicU64>,
) -> Acked {
    let mut acked = Acked {
        tenant: tenant.clone(),
        ..Default::default()
    };
    let user = format!("alice@{tenant}");
    let mut seq = 0i64;
    while !stop.load(Ordering::Acquire) {
        let config = client_config(port.load(Ordering::Acquire), &user, None, PASSWORD);
        let mut client = match connect(&config).await {
            Ok(c) => c,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        while !stop.load(Ordering::Acquire) {
            seq += 1;
            let id = base + seq;
            let result = if seq % 4 == 0 {
                client
                    .execute("INSERT INTO solo (id) VALUES ($1)", &[&id])
                    .await
                    .map(|_| acked.solos.push(id))
            } else {
                let tx = async {
                    let tx = client.transaction().await?;
                    tx.execute("INSERT INTO pair (id, side) VALUES ($1, 0)", &[&id])
                        .await?;
                    tx.execute("INSERT INTO pair (id, side) VALUES ($1, 1)", &[&id])
                        .await?;
                    tx.execute("UPDATE total SET n = n + 1 WHERE k = 1", &[])
                        .await?;
                    tx.commit().await
                };
                tx.await.map(|_| acked.pairs.push(id))
            };
            match result {
                Ok(()) => {
                    commits.fetch_add(1, Ordering::AcqRel);
                }
                Err(e) => {
                    if let Some(db) = e.as_db_error() {
                        panic!("{tenant}: unexpected database error: {db:?}");
                    }
                    break; // the server went away: the outcome of `id` is unknown
                }
            }
        }
    }
    acked
}

/// Takes backups of `tenant` every so often until `stop`, across restarts;
/// returns how many were acknowledged.
async fn backups(tenant: String, port: Arc<AtomicU16>, stop: Arc<AtomicBool>) -> usize {
    let mut taken = 0;
    while !stop.load(Ordering::Acquire) {
        let config = client_config(
            port.load(Ordering::Acquire),
            common::ADMIN_USER,
            Some(common::ADMIN_DB),
            common::ADMIN_PASSWORD,
        );
        let Ok(admin) = connect(&config).await else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let q = format!("SELECT id FROM pgtenant.backup('{tenant}')");
        while !stop.load(Ordering::Acquire) {
            match admin.simple_query(&q).await {
                Ok(_) => taken += 1,
                Err(e) => {
                    if let Some(db) = e.as_db_error() {
                        panic!("backup of {tenant}: unexpected database error: {db:?}");
                    }
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(rand::random_range(50..300))).await;
        }
    }
    taken
}

/// Every backup the catalog lists is a complete file holding a consistent state.
fn check_backups(data: &std::path::Path) -> usize {
    let cat = rusqlite::Connection::open(data.join("catalog.db")).unwrap();
    let files: Vec<String> = cat
        .prepare("SELECT file FROM backup")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for f in &files {
        let path = data.join(f);
        assert_eq!(integrity(&path), "ok", "backup {f}");
        let c = rusqlite::Connection::open(&path).unwrap();
        let (half, distinct, total): (i64, i64, i64) = c
            .query_row(
                "SELECT (SELECT count(*) FROM (SELECT id FROM pair GROUP BY id HAVING count(*) <> 2)),
                        (SELECT count(DISTINCT id) FROM pair),
                        (SELECT n FROM total WHERE k = 1)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(half, 0, "backup {f} holds half a transaction");
        assert_eq!(total, distinct, "backup {f} mixes two commits");
    }
    files.len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_commits_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let log = dir.path().join("server.log");
    let mut server = ChildServer::start(&data, &log).await;

    let admin = server.admin().await;
    let tenants: Vec<String> = (0..TENANTS).map(|i| format!("crash{i}")).collect();
    for t in &tenants {
        common::create_tenant(&admin, t).await;
        common::create_user(&admin, t, "alice", PASSWORD).await;
        let c = server.tenant(t, "alice", PASSWORD).await.unwrap();
        c.batch_execute(
            "CREATE TABLE pair (id bigint NOT NULL, side int NOT NULL, PRIMARY KEY (id, side));
             CREATE TABLE solo (id bigint PRIMARY KEY);
             CREATE TABLE total (k int PRIMARY KEY, n bigint NOT NULL);
             INSERT INTO total VALUES (1, 0);",
        )
        .await
        .unwrap();
    }
    drop(admin);

    let port = Arc::new(AtomicU16::new(server.port));
    let stop = Arc::new(AtomicBool::new(false));
    let commits = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    for (ti, t) in tenants.iter().enumerate() {
        for w in 0..WRITERS_PER_TENANT {
            let base = ((ti * WRITERS_PER_TENANT + w) as i64) << 32;
            writers.push(tokio::spawn(writer(
                t.clone(),
                base,
                port.clone(),
                stop.clone(),
                commits.clone(),
            )));
        }
    }

    let backup_task = tokio::spawn(backups(tenants[0].clone(), port.clone(), stop.clone()));

    let mut kills = 0;
    for _ in 0..KILLS {
        // Let writers get going again, then kill at a random moment.
        let before = commits.load(Ordering::Acquire);
        common::wait_until(
            "writers to commit after a restart",
            Duration::from_secs(30),
            || commits.load(Ordering::Acquire) > before,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(rand::random_range(0..150))).await;
        server.kill();
        kills += 1;
        // Every other run uses synchronous = normal: it too keeps every
        // acknowledged commit through a process kill (only power loss differs).
        let opts = ChildOptions {
            config_toml: (kills % 2 == 1).then(|| "synchronous = \"normal\"\n".to_owned()),
            ..Default::default()
        };
        server = ChildServer::start_with(&data, &log, opts).await;
        port.store(server.port, Ordering::Release);
    }
    let before = commits.load(Ordering::Acquire);
    common::wait_until(
        "writers to commit after the last restart",
        Duration::from_secs(30),
        || commits.load(Ordering::Acquire) > before,
    )
    .await;
    stop.store(true, Ordering::Release);
    let backups_taken = backup_task.await.unwrap();
    let mut acked: HashMap<String, Acked> = HashMap::new();
    for w in writers {
        let a = w.await.unwrap();
        let e = acked.entry(a.tenant.clone()).or_default();
        e.pairs.extend(a.pairs);
        e.solos.extend(a.solos);
    }
    // The last stop is a kill too: nothing gets a clean shutdown.
    server.kill();
    kills += 1;

    let mut rows_checked = 0usize;
    for t in &tenants {
        let path = data.join("tenants").join(t).join("prod.db");
        assert_eq!(integrity(&path), "ok", "{t}: integrity_check");
        let c = rusqlite::Connection::open(&path).unwrap();
        let mut sides: HashMap<i64, i64> = HashMap::new();
        let mut stmt = c
            .prepare("SELECT id, count(*) FROM pair GROUP BY id")
            .unwrap();
        for r in stmt
            .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, i64>(1)?)))
            .unwrap()
        {
            let (id, n) = r.unwrap();
            sides.insert(id, n);
        }
        for (id, n) in &sides {
            assert_eq!(*n, 2, "{t}: transaction {id} half applied");
        }
        let total: i64 = c
            .query_row("SELECT n FROM total WHERE k = 1", [], |r| r.get(0))
            .optional()
            .unwrap()
            .expect("total row");
        assert_eq!(
            total,
            sides.len() as i64,
            "{t}: the counter bumped in the same transactions disagrees with the pairs"
        );
        let solos: HashSet<i64> = c
            .prepare("SELECT id FROM solo")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let a = &acked[t];
        for id in &a.pairs {
            assert!(
                sides.contains_key(id),
                "{t}: acknowledged transaction {id} lost"
            );
        }
        for id in &a.solos {
            assert!(solos.contains(id), "{t}: acknowledged insert {id} lost");
        }
        rows_checked += a.pairs.len() * 2 + a.solos.len();
    }
    assert_eq!(
        integrity(&data.join("catalog.db")),
        "ok",
        "catalog integrity_check"
    );
    let backups_listed = check_backups(&data);
    assert!(
        backups_listed >= backups_taken,
        "an acknowledged backup is not listed"
    );
    let acked_commits: usize = acked.values().map(|a| a.pairs.len() + a.solos.len()).sum();
    assert!(
        acked_commits > KILLS * 3,
        "too little traffic to mean anything"
    );
    eprintln!(
        "crash_safety: {kills} SIGKILLs survived (synchronous full and normal alternating); {acked_commits} acknowledged commits, \
         {rows_checked} acknowledged rows checked over {TENANTS} tenants; \
         {backups_listed} backups taken during the kills, all complete and consistent"
    );
}
