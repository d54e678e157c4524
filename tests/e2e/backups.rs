//! `pgtenant.backup` / `pgtenant.backups` / `pgtenant.restore` end to end:
//! a backup taken while a writer commits continuously restores to a
//! transaction-consistent state (a prefix of the writer's commits).

use crate::common;

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use common::{db_error, simple_rows, TestServer};
use tokio_postgres::Client;

async fn setup(client: &Client) {
    client
        .batch_execute(
            "CREATE TABLE pair (id bigint NOT NULL, side int NOT NULL, PRIMARY KEY (id, side));
             CREATE TABLE total (k int PRIMARY KEY, n bigint NOT NULL);
             INSERT INTO total VALUES (1, 0);",
        )
        .await
        .unwrap();
}

/// Commits transactions 1, 2, 3, ... (two rows and a counter bump each) until `stop`.
async fn write_pairs(client: Client, stop: Arc<AtomicBool>, acked: Arc<AtomicI64>) -> Client {
    let mut client = client;
    let mut id = 0i64;
    while !stop.load(Ordering::Acquire) {
        id += 1;
        let tx = client.transaction().await.unwrap();
        for side in 0..2i32 {
            tx.execute("INSERT INTO pair (id, side) VALUES ($1, $2)", &[&id, &side])
                .await
                .unwrap();
        }
        tx.execute("UPDATE total SET n = n + 1 WHERE k = 1", &[])
            .await
            .unwrap();
        tx.commit().await.unwrap();
        acked.store(id, Ordering::Release);
    }
    client
}

/// The restored state: (distinct ids, max id, counter); panics on a half transaction.
async fn state(client: &Client) -> (i64, i64, i64) {
    let half: i64 = client
        .query_one(
            "SELECT count(*) FROM (SELECT id FROM pair GROUP BY id HAVING count(*) <> 2) h",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(half, 0, "a transaction is half present");
    let row = client
        .query_one(
            "SELECT count(DISTINCT id)::int8, coalesce(max(id), 0)::int8, (SELECT n FROM total WHERE k = 1)::int8 FROM pair",
            &[],
        )
        .await
        .unwrap();
    (row.get(0), row.get(1), row.get(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn backup_during_writes_restores_a_consistent_prefix() {
    let server = TestServer::start().await;
    let owner = server.fresh_tenant("acme").await;
    setup(&owner).await;
    let writer_client = server.connect_tenant("acme", "alice", "s3cret").await;
    let stop = Arc::new(AtomicBool::new(false));
    let acked = Arc::new(AtomicI64::new(0));
    let writer = tokio::spawn(write_pairs(writer_client, stop.clone(), acked.clone()));
    common::wait_until("the writer to commit", Duration::from_secs(30), || {
        acked.load(Ordering::Acquire) >= 30
    })
    .await;

    let admin = server.admin().await;
    let before = acked.load(Ordering::Acquire);
    let rows = simple_rows(
        &admin
            .simple_query(
                "SELECT id, tenant, environment, bytes, file FROM pgtenant.backup('acme')",
            )
            .await
            .unwrap(),
    );
    let after = acked.load(Ordering::Acquire);
    let row = &rows[0];
    let id = row[0].clone().unwrap();
    assert_eq!(row[1].as_deref(), Some("acme"));
    assert_eq!(row[2].as_deref(), Some("prod"));
    assert!(row[3].as_deref().unwrap().parse::<i64>().unwrap() > 0);
    let file = row[4].clone().unwrap();
    assert!(
        file.starts_with("backups/acme/prod-") && file.ends_with(".db"),
        "{file}"
    );
    assert!(server.data_dir.join(&file).is_file());

    // Writes carry on past the backup.
    common::wait_until(
        "more commits after the backup",
        Duration::from_secs(30),
        || acked.load(Ordering::Acquire) >= after + 20,
    )
    .await;
    stop.store(true, Ordering::Release);
    let writer_client = writer.await.unwrap();
    let total_written = acked.load(Ordering::Acquire);

    // The listing: relative file names only, never host paths.
    let listed = simple_rows(
        &admin
            .simple_query(
                "SELECT id, tenant, environment, created_at, bytes, file FROM pgtenant.backups",
            )
            .await
            .unwrap(),
    );
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0][0].as_deref(), Some(id.as_str()));
    assert_eq!(listed[0][5].as_deref(), Some(file.as_str()));
    let host = server.data_dir.display().to_string();
    assert!(listed
        .iter()
        .flatten()
        .flatten()
        .all(|v| !v.contains(&host)));

    // Sessions are open: refused unless forced.
    let err = db_error(
        admin
            .simple_query(&format!("SELECT * FROM pgtenant.restore('acme', {id})"))
            .await,
    );
    assert_eq!(err.code().code(), "55006", "{err:?}");
    assert!(err.message().contains("acme"), "{}", err.message());
    let err = db_error(
        admin
            .simple_query("SELECT * FROM pgtenant.restore('acme', 99999, force => true)")
            .await,
    );
    assert_eq!(err.code().code(), "42704", "{err:?}");

    let restored = simple_rows(
        &admin
            .simple_query(&format!(
                "SELECT tenant, environment, backup, sessions_closed FROM pgtenant.restore('acme', {id}, force => true)"
            ))
            .await
            .unwrap(),
    );
    assert_eq!(restored[0][0].as_deref(), Some("acme"));
    assert_eq!(restored[0][1].as_deref(), Some("prod"));
    assert_eq!(restored[0][2].as_deref(), Some(id.as_str()));
    assert_eq!(restored[0][3].as_deref(), Some("2"));
    // The forced restore ended the tenant's sessions.
    assert!(owner.simple_query("SELECT 1").await.is_err());
    assert!(writer_client.simple_query("SELECT 1").await.is_err());

    let fresh = server.connect_tenant("acme", "alice", "s3cret").await;
    let (distinct, max, counter) = state(&fresh).await;
    assert_eq!(distinct, max, "restored ids are not a prefix 1..n");
    assert_eq!(
        counter, distinct,
        "counter and rows come from different commits"
    );
    // The writer has one transaction in flight at most: it may have committed
    // before the snapshot yet been acknowledged after `after` was read.
    assert!(
        (before..=after + 1).contains(&distinct),
        "restored {distinct} commits; the backup ran while {before}..={after} were acknowledged"
    );
    assert!(
        distinct < total_written,
        "the restore did not go back in time"
    );
    let path = server.tenant_db_file("acme");
    assert_eq!(common::child::integrity(&path), "ok");

    // The restored database takes writes again.
    fresh
        .execute("INSERT INTO pair (id, side) VALUES (-1, 0), (-1, 1)", &[])
        .await
        .unwrap();
    eprintln!(
        "backups: backup taken with {before}..={after} commits acknowledged; restored {distinct}; {total_written} written in all"
    );
}

#[tokio::test]
async fn restore_without_sessions_and_by_file_name() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("beta").await;
    setup(&client).await;
    client
        .batch_execute("INSERT INTO pair VALUES (1, 0), (1, 1); UPDATE total SET n = 1")
        .await
        .unwrap();
    let admin = server.admin().await;
    let rows = simple_rows(
        &admin
            .simple_query("SELECT file FROM pgtenant.backup('beta', 'prod')")
            .await
            .unwrap(),
    );
    let file = rows[0][0].clone().unwrap();
    client
        .batch_execute("DELETE FROM pair; DROP TABLE total; CREATE TABLE later (x int)")
        .await
        .unwrap();
    drop(client);
    common::wait_until("the session to end", Duration::from_secs(10), || {
        server.server.sessions.count_tenant("beta") == 0
    })
    .await;
    let name = file.rsplit('/').next().unwrap();
    let rows = simple_rows(
        &admin
            .simple_query(&format!(
                "SELECT sessions_closed FROM pgtenant.restore('beta', '{name}')"
            ))
            .await
            .unwrap(),
    );
    assert_eq!(rows[0][0].as_deref(), Some("0"));
    let client = server.connect_tenant("beta", "alice", "s3cret").await;
    assert_eq!(state(&client).await, (1, 1, 1));
    let err = db_error(client.simple_query("SELECT * FROM later").await);
    assert_eq!(err.code().code(), "42P01");

    // Management only: a tenant user cannot take or list backups.
    let err = db_error(
        client
            .simple_query("SELECT * FROM pgtenant.backup('beta')")
            .await,
    );
    assert_eq!(err.code().code(), "42501", "{err:?}");
    // Another tenant's backup name is not found under this tenant.
    server.create_tenant_user("gamma", "g", "gpw").await;
    let err = db_error(
        admin
            .simple_query(&format!(
                "SELECT * FROM pgtenant.restore('gamma', '{name}')"
            ))
            .await,
    );
    assert_eq!(err.code().code(), "42704", "{err:?}");
    let err = db_error(
        admin
            .simple_query("SELECT * FROM pgtenant.backup('nope')")
            .await,
    );
    assert_eq!(err.code().code(), "42704", "{err:?}");

    // Dropping the tenant removes its backups, files and rows.
    drop(client);
    admin
        .simple_query("SELECT pgtenant.drop_tenant('beta')")
        .await
        .unwrap();
    assert!(!server.data_dir.join("backups/beta").exists());
    let listed = simple_rows(
        &admin
            .simple_query("SELECT count(*) FROM pgtenant.backups WHERE tenant = 'beta'")
            .await
            .unwrap(),
    );
    assert_eq!(listed[0][0].as_deref(), Some("0"));
}
