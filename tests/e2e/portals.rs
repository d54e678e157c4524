//! Portals read with a row limit (Execute with max_rows, PortalSuspended):
//! every row arrives in order exactly once, in chunks of the requested size.

use crate::common;

use common::TestServer;
use tokio_postgres::Client;

async fn numbers(client: &Client, n: i32) {
    client
        .batch_execute("CREATE TABLE nums (n int PRIMARY KEY, label text)")
        .await
        .expect("create");
    let insert = client
        .prepare("INSERT INTO nums (n, label) VALUES ($1, $2)")
        .await
        .expect("prepare insert");
    for i in 1..=n {
        client
            .execute(&insert, &[&i, &format!("#{i}")])
            .await
            .expect("insert");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_is_read_in_chunks_until_exhausted() {
    let server = TestServer::start().await;
    let mut client = server.fresh_tenant("acme").await;
    numbers(&client, 7).await;
    let tx = client.transaction().await.expect("transaction");
    let portal = tx
        .bind("SELECT n, label FROM nums ORDER BY n", &[])
        .await
        .expect("bind");
    let mut chunks = Vec::new();
    let mut seen = Vec::new();
    loop {
        let rows = tx.query_portal(&portal, 2).await.expect("query_portal");
        if rows.is_empty() {
            break;
        }
        chunks.push(rows.len());
        for r in &rows {
            let n: i32 = r.get(0);
            let label: String = r.get(1);
            assert_eq!(label, format!("#{n}"));
            seen.push(n);
        }
        assert!(chunks.len() <= 10, "portal never ran out of rows");
    }
    assert_eq!(chunks, [2, 2, 2, 1]);
    assert_eq!(seen, (1..=7).collect::<Vec<_>>());
    tx.commit().await.expect("commit");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_with_parameters_and_exact_multiple() {
    let server = TestServer::start().await;
    let mut client = server.fresh_tenant("acme").await;
    numbers(&client, 20).await;
    let tx = client.transaction().await.expect("transaction");
    let stmt = tx
        .prepare("SELECT n FROM nums WHERE n > $1 ORDER BY n DESC")
        .await
        .expect("prepare");
    let portal = tx.bind(&stmt, &[&8i32]).await.expect("bind");
    let mut seen = Vec::new();
    let mut chunks = Vec::new();
    loop {
        let rows = tx.query_portal(&portal, 4).await.expect("query_portal");
        if rows.is_empty() {
            break;
        }
        chunks.push(rows.len());
        seen.extend(rows.iter().map(|r| r.get::<_, i32>(0)));
        assert!(chunks.len() <= 10, "portal never ran out of rows");
    }
    assert_eq!(chunks, [4, 4, 4]);
    assert_eq!(seen, (9..=20).rev().collect::<Vec<_>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_portals_interleaved() {
    let server = TestServer::start().await;
    let mut client = server.fresh_tenant("acme").await;
    numbers(&client, 6).await;
    let tx = client.transaction().await.expect("transaction");
    let up = tx
        .bind("SELECT n FROM nums ORDER BY n", &[])
        .await
        .expect("bind up");
    let down = tx
        .bind("SELECT n FROM nums ORDER BY n DESC", &[])
        .await
        .expect("bind down");
    let mut got_up = Vec::new();
    let mut got_down = Vec::new();
    for _ in 0..3 {
        got_up.extend(
            tx.query_portal(&up, 2)
                .await
                .expect("up")
                .iter()
                .map(|r| r.get::<_, i32>(0)),
        );
        got_down.extend(
            tx.query_portal(&down, 2)
                .await
                .expect("down")
                .iter()
                .map(|r| r.get::<_, i32>(0)),
        );
    }
    assert!(tx.query_portal(&up, 2).await.expect("up end").is_empty());
    assert!(tx
        .query_portal(&down, 2)
        .await
        .expect("down end")
        .is_empty());
    assert_eq!(got_up, [1, 2, 3, 4, 5, 6]);
    assert_eq!(got_down, [6, 5, 4, 3, 2, 1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn portal_row_limit_larger_than_result() {
    let server = TestServer::start().await;
    let mut client = server.fresh_tenant("acme").await;
    numbers(&client, 3).await;
    let tx = client.transaction().await.expect("transaction");
    let portal = tx
        .bind("SELECT n FROM nums ORDER BY n", &[])
        .await
        .expect("bind");
    let rows = tx.query_portal(&portal, 100).await.expect("query_portal");
    assert_eq!(
        rows.iter().map(|r| r.get::<_, i32>(0)).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert!(tx
        .query_portal(&portal, 100)
        .await
        .expect("again")
        .is_empty());
}
