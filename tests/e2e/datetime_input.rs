//! Date/time, interval and uuid text written into a column is read as
//! PostgreSQL reads input for the column's type and stored in one form: a
//! timestamptz with an offset is converted to UTC, 'now' and 'today' are
//! the time of writing, bad input is 22007 / 22008. Arithmetic and
//! comparisons on the stored values then give PostgreSQL's answers.

use crate::common;

use common::{simple_rows, TestServer};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn literals_are_stored_in_canonical_form() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE ev (id int PRIMARY KEY, at timestamptz, local timestamp, \
                 day date, tm time, span interval, ref uuid);
             INSERT INTO ev VALUES (1, '2024-01-01 10:00+02', '2024-01-01 10:00', \
                 '2024-1-5', '10:00', '1 day 2 hours', 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11');
             INSERT INTO ev (id, at) VALUES (2, '2024-03-01 00:00:00');
             UPDATE ev SET at = '2024-06-01 00:00:00-05' WHERE id = 2;",
        )
        .await
        .expect("load");
    let rows = simple_rows(
        &client
            .simple_query(
                "SELECT id, at, at + interval '1 day', local + interval '1 hour', day + 1, \
                     tm, span, ref FROM ev ORDER BY id",
            )
            .await
            .expect("select"),
    );
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rows[0],
        vec![
            s("1"),
            s("2024-01-01 08:00:00+00"),
            s("2024-01-02 08:00:00+00"),
            s("2024-01-01 11:00:00"),
            s("2024-01-06"),
            s("10:00:00"),
            s("1 day 02:00:00"),
            s("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ]
    );
    assert_eq!(rows[1][1], s("2024-06-01 05:00:00+00"));
    // Comparisons see the instant, not the text as typed.
    let n: i64 = client
        .query_one(
            "SELECT count(*) FROM ev WHERE at > '2024-01-01 07:30:00+00'",
            &[],
        )
        .await
        .expect("compare")
        .get(0);
    assert_eq!(n, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn now_and_today_are_the_time_of_writing() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE ev (id int, at timestamptz, day date);
             INSERT INTO ev VALUES (1, 'now', 'today'), (2, 'epoch', 'tomorrow')",
        )
        .await
        .expect("load");
    let row = client
        .query_one(
            "SELECT at > now() - interval '1 minute' AND at <= now(), day = current_date \
             FROM ev WHERE id = 1",
            &[],
        )
        .await
        .expect("now row");
    assert!(row.get::<_, bool>(0), "'now' is the time of writing");
    assert!(row.get::<_, bool>(1), "'today' is the current date");
    let row = client
        .query_one(
            "SELECT at::text, day = current_date + 1 FROM ev WHERE id = 2",
            &[],
        )
        .await
        .expect("epoch row");
    assert_eq!(
        row.get::<_, String>(0).get(..19),
        Some("1970-01-01 00:00:00")
    );
    assert!(row.get::<_, bool>(1), "'tomorrow'");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_with_postgres_codes() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("CREATE TABLE ev (at timestamptz, day date, ref uuid)")
        .await
        .expect("create");
    for (sql, code, message) in [
        (
            "INSERT INTO ev (at) VALUES ('garbage')",
            "22007",
            "invalid input syntax for type timestamp with time zone: \"garbage\"",
        ),
        (
            "SELECT 'garbage'::timestamptz",
            "22007",
            "invalid input syntax for type timestamp with time zone: \"garbage\"",
        ),
        (
            "SELECT timestamp 'garbage'",
            "22007",
            "invalid input syntax for type timestamp: \"garbage\"",
        ),
        (
            "INSERT INTO ev (day) VALUES ('2024-02-30')",
            "22008",
            "date/time field value out of range: \"2024-02-30\"",
        ),
        (
            "INSERT INTO ev (ref) VALUES ('not-a-uuid')",
            "22P02",
            "invalid input syntax for type uuid: \"not-a-uuid\"",
        ),
    ] {
        let err = client.batch_execute(sql).await.unwrap_err();
        let db = err.as_db_error().expect("server error");
        assert_eq!((db.code().code(), db.message()), (code, message), "{sql}");
    }
    let n: i64 = client
        .query_one("SELECT count(*) FROM ev", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 0, "nothing was stored");
}

/// The difference of timestamp columns, or of a column and a known
/// timestamp, is an interval (the translator asks the schema for the
/// columns' types).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timestamp_column_differences_are_intervals() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE te (a timestamptz, b timestamptz, d date, n int);
             INSERT INTO te VALUES ('2024-01-01 10:00+00', '2024-01-02 12:30+00', '2024-01-05', 3)",
        )
        .await
        .expect("load");
    let rows = simple_rows(
        &client
            .simple_query(
                "SELECT b - a, a - b, b - timestamptz '2024-01-01 00:00+00', \
                     timestamptz '2024-01-03 00:00+00' - a, d - 1, n - 1, d - d, \
                     now() - a > interval '1 day' FROM te",
            )
            .await
            .expect("select"),
    );
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rows[0],
        vec![
            s("1 day 02:30:00"),
            s("-1 days -02:30:00"),
            s("1 day 12:30:00"),
            s("1 day 14:00:00"),
            s("2024-01-04"),
            s("2"),
            s("0"),
            s("t"),
        ]
    );
}
