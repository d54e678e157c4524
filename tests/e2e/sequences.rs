//! Sequences: CREATE SEQUENCE (options in any order, as pg_dump writes
//! them), nextval/currval/setval/lastval with PostgreSQL's bounds, cycling
//! and errors, concurrent sessions never sharing a value, a serial key's
//! sequence name, the catalog's relkind 'S', and DROP SEQUENCE.

use crate::common;

use common::{sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::Type;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sequences_count_bound_cycle_and_report_errors() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("seq").await;
    c.batch_execute(
        "CREATE SEQUENCE public.order_seq START WITH 100 INCREMENT BY 10 NO MINVALUE NO MAXVALUE CACHE 1",
    )
    .await
    .unwrap();
    let stmt = c.prepare("SELECT nextval('order_seq')").await.unwrap();
    assert_eq!(stmt.columns()[0].type_(), &Type::INT8, "nextval is bigint");
    let a: i64 = c.query_one(&stmt, &[]).await.unwrap().get(0);
    let b: i64 = c.query_one(&stmt, &[]).await.unwrap().get(0);
    assert_eq!((a, b), (100, 110));
    let row = c
        .query_one(
            "SELECT currval('order_seq'), lastval(), last_value, is_called FROM order_seq",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i64>(0),
            row.get::<_, i64>(1),
            row.get::<_, i64>(2),
            row.get::<_, bool>(3)
        ),
        (110, 110, 110, true)
    );
    // setval, called or not; the regclass spelling.
    let v: i64 = c
        .query_one("SELECT setval('order_seq', 500)", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, 500);
    let n: i64 = c
        .query_one("SELECT nextval('public.order_seq'::regclass)", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 510);
    let row = c
        .query_one(
            "SELECT setval('order_seq', 7, false), nextval('order_seq')",
            &[],
        )
        .await
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (7, 7));
    // ALTER SEQUENCE as fixtures and pg_dump write it.
    c.batch_execute(
        "ALTER SEQUENCE public.order_seq RESTART WITH 1000 INCREMENT BY 2;
         ALTER SEQUENCE order_seq OWNED BY NONE",
    )
    .await
    .unwrap();
    let row = c
        .query_one("SELECT nextval('order_seq'), nextval('order_seq')", &[])
        .await
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (1000, 1002));
    c.batch_execute("ALTER SEQUENCE order_seq INCREMENT BY 10; SELECT setval('order_seq', 7)")
        .await
        .unwrap();
    // IF NOT EXISTS keeps the sequence where it is.
    c.batch_execute("CREATE SEQUENCE IF NOT EXISTS order_seq")
        .await
        .unwrap();
    let n: i64 = c
        .query_one("SELECT nextval('order_seq')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 17);

    // Descending with CYCLE wraps; a bounded one stops with 2200H.
    c.batch_execute(
        "CREATE SEQUENCE down MAXVALUE 10 MINVALUE 0 INCREMENT BY -5 START 10 CYCLE;
         CREATE SEQUENCE tiny AS smallint MAXVALUE 2",
    )
    .await
    .unwrap();
    let rows = c
        .query("SELECT nextval('down') FROM generate_series(1, 4)", &[])
        .await
        .unwrap();
    let got: Vec<i64> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(got, vec![10, 5, 0, 10]);
    c.batch_execute("SELECT nextval('tiny'); SELECT nextval('tiny')")
        .await
        .unwrap();
    let e = c.query_one("SELECT nextval('tiny')", &[]).await;
    assert_eq!(sqlstate(e), SqlState::from_code("2200H"));

    // Errors with PostgreSQL's codes; the session goes on.
    c.batch_execute("CREATE SEQUENCE fresh").await.unwrap();
    let e = c.query_one("SELECT currval('fresh')", &[]).await;
    assert_eq!(sqlstate(e), SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE);
    let e = c.query_one("SELECT nextval('missing')", &[]).await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_TABLE);
    let e = c.query_one("SELECT setval('order_seq', 0)", &[]).await;
    assert_eq!(sqlstate(e), SqlState::NUMERIC_VALUE_OUT_OF_RANGE);
    c.batch_execute("CREATE TABLE plain (a int)").await.unwrap();
    let e = c.query_one("SELECT nextval('plain')", &[]).await;
    assert_eq!(sqlstate(e), SqlState::WRONG_OBJECT_TYPE);
    let e = c.batch_execute("CREATE SEQUENCE z INCREMENT 0").await;
    assert_eq!(sqlstate(e), SqlState::INVALID_PARAMETER_VALUE);

    // The catalog sees sequences as sequences, not tables.
    let kinds: Vec<(String, String)> = c
        .query(
            "SELECT relname::text, relkind::text FROM pg_class WHERE relname IN ('order_seq', 'plain') ORDER BY 1",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("order_seq".into(), "S".into()),
            ("plain".into(), "r".into())
        ]
    );
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = 'order_seq'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0);

    // A column default may draw from a sequence, and shows as PostgreSQL's.
    c.batch_execute(
        "CREATE TABLE ticket (id bigint PRIMARY KEY DEFAULT nextval('fresh'), note text);
         INSERT INTO ticket (note) VALUES ('a'), ('b')",
    )
    .await
    .unwrap();
    let ids: Vec<i64> = c
        .query("SELECT id FROM ticket ORDER BY id", &[])
        .await
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(ids, vec![1, 2]);
    let dflt: String = c
        .query_one(
            "SELECT column_default::text FROM information_schema.columns WHERE table_name = 'ticket' AND column_name = 'id'",
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(dflt, "nextval('fresh'::regclass)");

    let row = c
        .query_one(
            "SELECT start_value::text, increment::text, cycle_option::text FROM information_schema.sequences WHERE sequence_name = 'order_seq'",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, String>(0),
            row.get::<_, String>(1),
            row.get::<_, String>(2)
        ),
        ("100".into(), "10".into(), "NO".into())
    );
    let row = c
        .query_one(
            "SELECT seqmin, seqmax, seqcycle FROM pg_sequence WHERE seqrelid = 'down'::regclass",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i64>(0),
            row.get::<_, i64>(1),
            row.get::<_, bool>(2)
        ),
        (0, 10, true)
    );

    c.batch_execute("DROP SEQUENCE order_seq, down")
        .await
        .unwrap();
    let e = c.query_one("SELECT nextval('order_seq')", &[]).await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_TABLE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sessions_never_get_the_same_value() {
    let server = TestServer::start().await;
    let first = server.fresh_tenant("seqc").await;
    first.batch_execute("CREATE SEQUENCE ids").await.unwrap();
    let mut tasks = Vec::new();
    for _ in 0..4 {
        let c = server.connect_tenant("seqc", "alice", "s3cret").await;
        tasks.push(tokio::spawn(async move {
            let mut got = Vec::new();
            for _ in 0..50 {
                let v: i64 = c
                    .query_one("SELECT nextval('ids')", &[])
                    .await
                    .unwrap()
                    .get(0);
                got.push(v);
            }
            got
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    all.sort_unstable();
    assert_eq!(all, (1..=200).collect::<Vec<i64>>());
    // currval is per session: this one never called nextval.
    let e = first.query_one("SELECT currval('ids')", &[]).await;
    assert_eq!(sqlstate(e), SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_serial_keys_sequence_answers_setval_as_django_sends_it() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("seqs").await;
    c.batch_execute(
        "CREATE TABLE item (id serial PRIMARY KEY, name text);
         INSERT INTO item (id, name) VALUES (1, 'a'), (2, 'b')",
    )
    .await
    .unwrap();
    // Django's sequence reset after loaddata.
    let v: i64 = c
        .query_one(
            r#"SELECT setval(pg_get_serial_sequence('"item"','id'), coalesce(max("id"), 1), max("id") IS NOT null) FROM "item""#,
            &[],
        )
        .await
        .unwrap()
        .get(0);
    assert_eq!(v, 2);
    let n: i64 = c
        .query_one("SELECT nextval('item_id_seq')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn currval_and_lastval_follow_the_sessions_serial_inserts() {
    let server = TestServer::start().await;
    let a = server.fresh_tenant("seqi").await;
    a.batch_execute(
        "CREATE TABLE users (id serial PRIMARY KEY, name text);
         CREATE TABLE posts (id bigserial PRIMARY KEY, user_id int, title text);
         CREATE TABLE tags (k int PRIMARY KEY);
         CREATE SEQUENCE ids;
         CREATE TYPE mood AS ENUM ('ok', 'sad');
         COMMENT ON TABLE users IS 'people'",
    )
    .await
    .unwrap();
    // pgtenant's own bookkeeping rows are no serial inserts.
    for sql in ["SELECT currval('users_id_seq')", "SELECT lastval()"] {
        let e = a.query_one(sql, &[]).await;
        assert_eq!(
            sqlstate(e),
            SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
            "{sql}"
        );
    }
    // PHP and older ORMs read the new key back this way after an INSERT.
    a.batch_execute("INSERT INTO users (name) VALUES ('ann'), ('bob')")
        .await
        .unwrap();
    let row = a
        .query_one("SELECT currval('users_id_seq'), lastval()", &[])
        .await
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (2, 2));
    a.execute(
        "INSERT INTO posts (user_id, title) VALUES (currval(pg_get_serial_sequence('users', 'id')), 'hi')",
        &[],
    )
    .await
    .unwrap();
    // An insert into a table without a serial key leaves lastval alone.
    a.batch_execute("INSERT INTO tags VALUES (40)")
        .await
        .unwrap();
    let row = a
        .query_one(
            "SELECT currval('posts_id_seq'), currval('users_id_seq'), lastval(), (SELECT user_id FROM posts)",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            row.get::<_, i64>(0),
            row.get::<_, i64>(1),
            row.get::<_, i64>(2),
            row.get::<_, i32>(3)
        ),
        (1, 2, 1, 2)
    );
    // An explicit nextval is newer than the last insert, and the other way.
    let n: i64 = a
        .query_one("SELECT nextval('users_id_seq')", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
    a.batch_execute("INSERT INTO users (name) VALUES ('cy')")
        .await
        .unwrap();
    let row = a
        .query_one("SELECT currval('users_id_seq'), lastval()", &[])
        .await
        .unwrap();
    assert_eq!((row.get::<_, i64>(0), row.get::<_, i64>(1)), (4, 4));
    a.query_one("SELECT nextval('ids')", &[]).await.unwrap();
    // DISCARD SEQUENCES (and ALL) forget them, as poolers expect.
    a.batch_execute("DISCARD SEQUENCES").await.unwrap();
    let e = a.query_one("SELECT lastval()", &[]).await;
    assert_eq!(sqlstate(e), SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE);
    a.batch_execute("INSERT INTO users (name) VALUES ('di'); SELECT nextval('ids')")
        .await
        .unwrap();
    a.batch_execute("DISCARD ALL").await.unwrap();
    let e = a.query_one("SELECT currval('users_id_seq')", &[]).await;
    assert_eq!(sqlstate(e), SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE);
    a.query_one("SELECT nextval('ids')", &[]).await.unwrap();

    // Another session, even on the connection this one leaves behind,
    // knows none of it.
    drop(a);
    for _ in 0..2 {
        let b = server.connect_tenant("seqi", "alice", "s3cret").await;
        for sql in [
            "SELECT currval('users_id_seq')",
            "SELECT currval('ids')",
            "SELECT lastval()",
        ] {
            let e = b.query_one(sql, &[]).await;
            assert_eq!(
                sqlstate(e),
                SqlState::OBJECT_NOT_IN_PREREQUISITE_STATE,
                "{sql}"
            );
        }
    }
}
