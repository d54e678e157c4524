//! MERGE through tokio-postgres: parameters in the source, the conditions
//! and the actions (typed by Describe), the MERGE n count, the statement
//! prepared once and run again, 21000 for a target row matched twice with
//! the session going on, and atomicity inside a block.

use crate::common;

use common::{sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::Type;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn merge_with_parameters_counts_and_refusals() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("acme").await;
    c.batch_execute(
        "CREATE TABLE stock (sku text PRIMARY KEY, qty int NOT NULL, seen timestamptz);
         INSERT INTO stock VALUES ('a', 5, NULL), ('b', 1, NULL)",
    )
    .await
    .expect("setup");
    let stmt = c
        .prepare(
            "MERGE INTO stock t USING (SELECT $1::text AS sku, $2::int AS delta) s ON t.sku = s.sku \
             WHEN MATCHED AND t.qty + s.delta <= $3 THEN DELETE \
             WHEN MATCHED THEN UPDATE SET qty = t.qty + s.delta \
             WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (s.sku, s.delta)",
        )
        .await
        .expect("prepare");
    assert_eq!(stmt.params(), &[Type::TEXT, Type::INT4, Type::INT4]);
    assert!(stmt.columns().is_empty(), "MERGE returns no rows");
    assert_eq!(
        c.execute(&stmt, &[&"a", &3i32, &0i32])
            .await
            .expect("update"),
        1
    );
    assert_eq!(
        c.execute(&stmt, &[&"b", &-1i32, &0i32])
            .await
            .expect("delete"),
        1
    );
    assert_eq!(
        c.execute(&stmt, &[&"z", &9i32, &0i32])
            .await
            .expect("insert"),
        1
    );
    let rows = c
        .query("SELECT sku, qty FROM stock ORDER BY sku", &[])
        .await
        .expect("read");
    let got: Vec<(String, i32)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
    assert_eq!(got, [("a".to_owned(), 8), ("z".to_owned(), 9)]);

    // Two source rows for one target row: 21000, nothing changed, the
    // session goes on.
    let err = c
        .execute(
            "MERGE INTO stock t USING (SELECT 'a' AS sku UNION ALL SELECT 'a') s ON t.sku = s.sku \
             WHEN MATCHED THEN UPDATE SET qty = 0",
            &[],
        )
        .await;
    assert_eq!(sqlstate(err), SqlState::CARDINALITY_VIOLATION);
    let qty: i32 = c
        .query_one("SELECT qty FROM stock WHERE sku = 'a'", &[])
        .await
        .expect("after refusal")
        .get(0);
    assert_eq!(qty, 8);

    // Inside a block: a failing MERGE fails the block; ROLLBACK undoes the
    // MERGE before it.
    c.batch_execute("BEGIN").await.expect("begin");
    c.execute(&stmt, &[&"a", &1i32, &-100i32])
        .await
        .expect("merge in block");
    let err = c
        .execute(
            "MERGE INTO stock t USING (SELECT 'q' AS sku) s ON t.sku = s.sku \
             WHEN NOT MATCHED THEN INSERT (sku, qty) VALUES (s.sku, NULL)",
            &[],
        )
        .await;
    assert_eq!(sqlstate(err), SqlState::NOT_NULL_VIOLATION);
    c.batch_execute("ROLLBACK").await.expect("rollback");
    let qty: i32 = c
        .query_one("SELECT qty FROM stock WHERE sku = 'a'", &[])
        .await
        .expect("after rollback")
        .get(0);
    assert_eq!(qty, 8, "the block's MERGE was rolled back");
}
