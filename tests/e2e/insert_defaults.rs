//! `DEFAULT` inside VALUES rows and SET lists, as query builders send for
//! multi-row inserts where rows name different columns.

use crate::common;

use common::{sqlstate, TestServer};
use tokio_postgres::error::SqlState;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn default_in_values_and_set_uses_the_column_default() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("dflt").await;
    c.batch_execute(
        "CREATE TABLE item (id serial PRIMARY KEY, name text NOT NULL DEFAULT 'anon',
                            qty int DEFAULT 1 + 1, at timestamptz DEFAULT now(), note text)",
    )
    .await
    .unwrap();
    // Extended protocol, rows mixing parameters and defaults (Knex's shape).
    let rows = c
        .query(
            "INSERT INTO item (name, qty, note) VALUES ($1, DEFAULT, $2), (DEFAULT, $3, DEFAULT)
             RETURNING id, name, qty, at IS NOT NULL, note",
            &[&"a", &"first", &7i32],
        )
        .await
        .unwrap();
    let got: Vec<(i32, String, i32, bool, Option<String>)> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect();
    assert_eq!(
        got,
        vec![
            (1, "a".into(), 2, true, Some("first".into())),
            (2, "anon".into(), 7, true, None),
        ]
    );
    // No column list: by position; the serial key takes the next id.
    let row = c
        .query_one(
            "INSERT INTO item VALUES (DEFAULT, DEFAULT, 5, DEFAULT, 'x') RETURNING id, name, qty",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i32>(0),
            row.get::<_, String>(1),
            row.get::<_, i32>(2)
        ),
        (3, "anon".into(), 5)
    );
    // UPDATE ... SET col = DEFAULT.
    let row = c
        .query_one(
            "UPDATE item SET qty = DEFAULT, note = DEFAULT WHERE id = 3 RETURNING qty, note",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i32>(0), 2);
    assert_eq!(row.get::<_, Option<String>>(1), None);
    // A quoted "DEFAULT" is a column name, not the keyword.
    c.batch_execute("CREATE TABLE odd (\"DEFAULT\" int, b int DEFAULT 9)")
        .await
        .unwrap();
    let e = c
        .batch_execute("INSERT INTO odd (b) VALUES (\"DEFAULT\")")
        .await
        .unwrap_err();
    let db = e.as_db_error().expect("a server error");
    assert_eq!(db.code(), &SqlState::UNDEFINED_COLUMN);
    assert_eq!(db.message(), "column \"DEFAULT\" does not exist");
    // Nor is any other double-quoted name a string (SQLite's fallback is off).
    let e = c.simple_query("SELECT \"nope\"").await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_COLUMN);
    // An unknown column: 42703, and the session goes on.
    let e = c
        .batch_execute("INSERT INTO item (nope) VALUES (DEFAULT)")
        .await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_COLUMN);
    let n: i64 = c
        .query_one("SELECT count(*) FROM item", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}
