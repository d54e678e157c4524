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
