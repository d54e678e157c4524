//! The SET commands pg_dump and other tools send when they connect are
//! accepted and shown back; an unknown parameter is 42704.

use crate::common;

use common::{simple_rows, sqlstate, TestServer};
use tokio_postgres::error::SqlState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_dump_connect_settings_are_accepted() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("dump").await;
    // What pg_dump 15 sends before it reads the catalog.
    c.batch_execute(
        "SET synchronize_seqscans TO off; SET statement_timeout = 0; SET lock_timeout = 0;
         SET idle_in_transaction_session_timeout = 0; SET extra_float_digits TO 3;
         SET quote_all_identifiers = off; SET row_security = off",
    )
    .await
    .unwrap();
    for (name, want) in [
        ("synchronize_seqscans", "off"),
        ("row_security", "off"),
        ("quote_all_identifiers", "off"),
        ("extra_float_digits", "3"),
    ] {
        let rows = c.simple_query(&format!("SHOW {name}")).await.unwrap();
        assert_eq!(
            simple_rows(&rows),
            vec![vec![Some(want.to_owned())]],
            "{name}"
        );
    }
    let e = c.batch_execute("SET no_such_parameter = 1").await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_OBJECT);
}

/// Rails sets `intervalstyle = iso_8601` on every connection: intervals
/// then print (and may be sent) in ISO 8601, in that session only; a bad
/// style is 22023 and the session goes on.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interval_style_is_per_session() {
    let server = TestServer::start().await;
    let iso = server.fresh_tenant("styles").await;
    let plain = server.connect_tenant("styles", "alice", "s3cret").await;
    iso.batch_execute(
        "CREATE TABLE plans (id int, period interval);
         SET intervalstyle = iso_8601",
    )
    .await
    .unwrap();
    // Sent as ISO 8601 text through the extended protocol.
    for (id, period) in [(1, "P1Y2M3DT4H5M6.5S"), (2, "PT-1H"), (3, "1 day")] {
        iso.execute(
            "INSERT INTO plans VALUES ($1, CAST($2::text AS interval))",
            &[&id, &period],
        )
        .await
        .unwrap();
    }
    let q = "SELECT period FROM plans ORDER BY id";
    let iso_rows = simple_rows(&iso.simple_query(q).await.unwrap());
    let plain_rows = simple_rows(&plain.simple_query(q).await.unwrap());
    let texts = |rows: Vec<Vec<Option<String>>>| -> Vec<String> {
        rows.into_iter().map(|r| r[0].clone().unwrap()).collect()
    };
    assert_eq!(texts(iso_rows), ["P1Y2M3DT4H5M6.5S", "PT-1H", "P1D"]);
    assert_eq!(
        texts(plain_rows),
        ["1 year 2 mons 3 days 04:05:06.5", "-01:00:00", "1 day"]
    );
    let e = iso.batch_execute("SET intervalstyle = bogus").await;
    assert_eq!(sqlstate(e), SqlState::INVALID_PARAMETER_VALUE);
    let shown = simple_rows(&iso.simple_query("SHOW intervalstyle").await.unwrap());
    assert_eq!(shown, vec![vec![Some("iso_8601".to_owned())]]);
    iso.batch_execute("SET intervalstyle = sql_standard")
        .await
        .unwrap();
    let rows = simple_rows(&iso.simple_query(q).await.unwrap());
    assert_eq!(texts(rows), ["+1-2 +3 +4:05:06.5", "-1:00:00", "1 0:00:00"]);
}
