//! `+` and `-` on date columns, whose type only the schema knows: days are
//! added and counted as PostgreSQL does, through a typed client, and a
//! schema change between runs of the same statement text is seen.

use crate::common;

use chrono::NaiveDate;
use common::TestServer;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn date_columns_add_and_subtract_days() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE booking (id serial PRIMARY KEY, starts date, ends date, nights int);
             INSERT INTO booking (starts, ends, nights) VALUES
               ('2024-02-27', '2024-03-02', 3), ('2024-12-30', NULL, NULL)",
        )
        .await
        .expect("schema");
    let rows = client
        .query(
            "SELECT b.starts + b.nights, ends - starts, starts - 1, ends - $1::int \
             FROM booking b ORDER BY id",
            &[&2_i32],
        )
        .await
        .expect("select");
    assert_eq!(
        rows[0].get::<_, Option<NaiveDate>>(0),
        Some(day(2024, 3, 1))
    );
    assert_eq!(rows[0].get::<_, Option<i32>>(1), Some(4));
    assert_eq!(
        rows[0].get::<_, Option<NaiveDate>>(2),
        Some(day(2024, 2, 26))
    );
    assert_eq!(
        rows[0].get::<_, Option<NaiveDate>>(3),
        Some(day(2024, 2, 29))
    );
    assert_eq!(rows[1].get::<_, Option<NaiveDate>>(0), None);
    assert_eq!(
        rows[1].get::<_, Option<NaiveDate>>(2),
        Some(day(2024, 12, 29))
    );

    let n = client
        .execute(
            "UPDATE booking SET ends = ends + 7 WHERE ends IS NOT NULL",
            &[],
        )
        .await
        .expect("update");
    assert_eq!(n, 1);
    let row = client
        .query_one("SELECT ends FROM booking WHERE id = 1", &[])
        .await
        .expect("read back");
    assert_eq!(row.get::<_, NaiveDate>(0), day(2024, 3, 9));

    // The same text on a table whose column is now an integer.
    let sql = "SELECT starts + 1 FROM booking ORDER BY id LIMIT 1";
    let before: Vec<_> = client.simple_query(sql).await.expect("date");
    client
        .batch_execute(
            "DROP TABLE booking; CREATE TABLE booking (id int PRIMARY KEY, starts int);
             INSERT INTO booking VALUES (1, 41)",
        )
        .await
        .expect("recreate");
    let after: Vec<_> = client.simple_query(sql).await.expect("int");
    assert_eq!(
        common::simple_rows(&before),
        vec![vec![Some("2024-02-28".to_owned())]]
    );
    assert_eq!(
        common::simple_rows(&after),
        vec![vec![Some("42".to_owned())]]
    );
}
