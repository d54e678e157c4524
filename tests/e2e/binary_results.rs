//! Result columns in binary format (tokio-postgres asks for binary for every
//! result column): the RowDescription types match the declared column types
//! and the values decode to the right Rust values.

use crate::common;

use std::error::Error;

use chrono::{NaiveDate, NaiveDateTime};
use common::TestServer;
use postgres_types::{FromSql, Type};
use uuid::Uuid;

/// A `numeric` read from its binary wire form and rendered as PostgreSQL's
/// text form (tokio-postgres has no numeric type without extra crates).
#[derive(Debug, PartialEq)]
struct Numeric(String);

impl<'a> FromSql<'a> for Numeric {
    fn from_sql(_: &Type, raw: &'a [u8]) -> Result<Self, Box<dyn Error + Sync + Send>> {
        let word = |i: usize| -> Result<u16, Box<dyn Error + Sync + Send>> {
            raw.get(i..i + 2)
                .map(|b| u16::from_be_bytes([b[0], b[1]]))
                .ok_or_else(|| "numeric value too short".into())
        };
        let ndigits = word(0)? as usize;
        let weight = word(2)? as i16 as i32;
        let sign = word(4)?;
        let dscale = word(6)? as usize;
        let digits: Vec<u16> = (0..ndigits)
            .map(|i| word(8 + 2 * i))
            .collect::<Result<_, _>>()?;
        if sign == 0xC000 {
            return Ok(Numeric("NaN".into()));
        }
        let digit = |pos: i32| -> u16 {
            // Base-10000 digit at position `pos` (weight 0 = units group).
            let idx = weight - pos;
            if idx >= 0 && (idx as usize) < digits.len() {
                digits[idx as usize]
            } else {
                0
            }
        };
        let mut int_part = String::new();
        for pos in (0..=weight.max(0)).rev() {
            let d = digit(pos);
            if int_part.is_empty() {
                if d != 0 || pos == 0 {
                    int_part = d.to_string();
                }
            } else {
                int_part.push_str(&format!("{d:04}"));
            }
        }
        let mut frac = String::new();
        let mut pos = -1;
        while frac.len() < dscale {
            frac.push_str(&format!("{:04}", digit(pos)));
            pos -= 1;
        }
        frac.truncate(dscale);
        let mut text = if sign == 0x4000 {
            "-".to_owned()
        } else {
            String::new()
        };
        text.push_str(&int_part);
        if dscale > 0 {
            text.push('.');
            text.push_str(&frac);
        }
        Ok(Numeric(text))
    }

    fn accepts(ty: &Type) -> bool {
        *ty == Type::NUMERIC
    }
}

const CREATE: &str = "CREATE TABLE typed (
    i4 int4, i8 int8, f8 float8, b bool, t text, vc varchar(20), raw bytea,
    d date, ts timestamp, u uuid, n numeric(12, 3)
)";

const SELECT: &str = "SELECT i4, i8, f8, b, t, vc, raw, d, ts, u, n FROM typed ORDER BY i4";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn declared_column_types_are_described() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client.batch_execute(CREATE).await.expect("create");
    let stmt = client.prepare(SELECT).await.expect("prepare");
    let described: Vec<(&str, &Type)> = stmt
        .columns()
        .iter()
        .map(|c| (c.name(), c.type_()))
        .collect();
    assert_eq!(
        described,
        vec![
            ("i4", &Type::INT4),
            ("i8", &Type::INT8),
            ("f8", &Type::FLOAT8),
            ("b", &Type::BOOL),
            ("t", &Type::TEXT),
            ("vc", &Type::VARCHAR),
            ("raw", &Type::BYTEA),
            ("d", &Type::DATE),
            ("ts", &Type::TIMESTAMP),
            ("u", &Type::UUID),
            ("n", &Type::NUMERIC),
        ]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_values_decode_to_rust_types() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client.batch_execute(CREATE).await.expect("create");
    client
        .batch_execute(
            "INSERT INTO typed VALUES
               (1, 5000000000, 3.25, true, 'héllo', 'short', '\\xdeadbeef00'::bytea,
                '2024-02-29', '2024-02-29 13:14:15.123456',
                'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 12345.678),
               (-2147483648, -9223372036854775808, -0.5, false, '', '', '\\x'::bytea,
                '1999-12-31', '1970-01-01 00:00:00',
                '00000000-0000-0000-0000-000000000000', -0.001)",
        )
        .await
        .expect("insert literals");
    let rows = client.query(SELECT, &[]).await.expect("select");
    assert_eq!(rows.len(), 2);

    let r = &rows[1];
    assert_eq!(r.get::<_, i32>("i4"), 1);
    assert_eq!(r.get::<_, i64>("i8"), 5_000_000_000);
    assert_eq!(r.get::<_, f64>("f8"), 3.25);
    assert!(r.get::<_, bool>("b"));
    assert_eq!(r.get::<_, String>("t"), "héllo");
    assert_eq!(r.get::<_, String>("vc"), "short");
    assert_eq!(
        r.get::<_, Vec<u8>>("raw"),
        vec![0xde, 0xad, 0xbe, 0xef, 0x00]
    );
    assert_eq!(
        r.get::<_, NaiveDate>("d"),
        NaiveDate::from_ymd_opt(2024, 2, 29).expect("date")
    );
    assert_eq!(
        r.get::<_, NaiveDateTime>("ts"),
        NaiveDate::from_ymd_opt(2024, 2, 29)
            .and_then(|d| d.and_hms_micro_opt(13, 14, 15, 123_456))
            .expect("timestamp")
    );
    assert_eq!(
        r.get::<_, Uuid>("u"),
        Uuid::parse_str("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11").expect("uuid")
    );
    assert_eq!(r.get::<_, Numeric>("n"), Numeric("12345.678".into()));

    let r = &rows[0];
    assert_eq!(r.get::<_, i32>("i4"), i32::MIN);
    assert_eq!(r.get::<_, i64>("i8"), i64::MIN);
    assert_eq!(r.get::<_, f64>("f8"), -0.5);
    assert!(!r.get::<_, bool>("b"));
    assert_eq!(r.get::<_, String>("t"), "");
    assert_eq!(r.get::<_, Vec<u8>>("raw"), Vec::<u8>::new());
    assert_eq!(
        r.get::<_, NaiveDate>("d"),
        NaiveDate::from_ymd_opt(1999, 12, 31).expect("date")
    );
    assert_eq!(
        r.get::<_, NaiveDateTime>("ts"),
        NaiveDate::from_ymd_opt(1970, 1, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .expect("epoch")
    );
    assert_eq!(r.get::<_, Uuid>("u"), Uuid::nil());
    assert_eq!(r.get::<_, Numeric>("n"), Numeric("-0.001".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_results_match_text_results() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client.batch_execute(CREATE).await.expect("create");
    client
        .batch_execute(
            "INSERT INTO typed VALUES (42, 42000000000, 0.125, false, 'x', 'y', '\\x0102'::bytea,
               '2000-01-01', '2000-01-01 12:00:00', '123e4567-e89b-12d3-a456-426614174000', 1.125)",
        )
        .await
        .expect("insert");
    let text = client.simple_query(SELECT).await.expect("text select");
    let text_row = common::simple_rows(&text).remove(0);
    assert_eq!(
        text_row,
        [
            "42",
            "42000000000",
            "0.125",
            "f",
            "x",
            "y",
            "\\x0102",
            "2000-01-01",
            "2000-01-01 12:00:00",
            "123e4567-e89b-12d3-a456-426614174000",
            "1.125"
        ]
        .map(|v| Some(v.to_owned()))
    );
    let row = client.query_one(SELECT, &[]).await.expect("binary select");
    assert_eq!(row.get::<_, i32>(0).to_string(), "42");
    assert_eq!(row.get::<_, i64>(1).to_string(), "42000000000");
    assert_eq!(row.get::<_, f64>(2), 0.125);
    assert_eq!(row.get::<_, Vec<u8>>(6), vec![1u8, 2]);
    assert_eq!(row.get::<_, Numeric>(10), Numeric("1.125".into()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "server bug: a string literal stored into a bytea column is kept as text, not decoded"]
async fn bytea_column_decodes_an_uncast_hex_literal() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("CREATE TABLE b (raw bytea); INSERT INTO b VALUES ('\\x0102ff')")
        .await
        .expect("insert");
    let raw: Vec<u8> = client
        .query_one("SELECT raw FROM b", &[])
        .await
        .expect("select")
        .get(0);
    assert_eq!(raw, vec![1u8, 2, 0xff]);
    let text = client
        .simple_query("SELECT raw FROM b")
        .await
        .expect("text");
    assert_eq!(
        common::simple_rows(&text),
        vec![vec![Some("\\x0102ff".to_owned())]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "server bug: numeric(p, s) columns do not apply their scale"]
async fn numeric_column_keeps_its_declared_scale() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE n (v numeric(12, 3)); INSERT INTO n VALUES (1.5), (2), (0.0005)",
        )
        .await
        .expect("insert");
    let text = client
        .simple_query("SELECT v FROM n ORDER BY v")
        .await
        .expect("text");
    assert_eq!(
        common::simple_rows(&text),
        [["0.001"], ["1.500"], ["2.000"]].map(|r| vec![Some(r[0].to_owned())])
    );
    let values: Vec<Numeric> = client
        .query("SELECT v FROM n ORDER BY v", &[])
        .await
        .expect("binary")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        values,
        ["0.001", "1.500", "2.000"].map(|v| Numeric(v.into()))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn count_and_comparison_columns_have_postgres_types() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("CREATE TABLE t (a int4, b float8); INSERT INTO t VALUES (1, 1.5), (2, 2.5)")
        .await
        .expect("setup");
    let row = client
        .query_one(
            "SELECT count(*), 'lit'::text, a = 1 FROM t WHERE a = 1 GROUP BY a",
            &[],
        )
        .await
        .expect("select expressions");
    let types: Vec<&Type> = row.columns().iter().map(|c| c.type_()).collect();
    assert_eq!(types, vec![&Type::INT8, &Type::TEXT, &Type::BOOL]);
    assert_eq!(row.get::<_, i64>(0), 1);
    assert_eq!(row.get::<_, String>(1), "lit");
    assert!(row.get::<_, bool>(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "server bug: arithmetic and sum() result columns are described as text"]
async fn arithmetic_and_sum_columns_have_postgres_types() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("CREATE TABLE t (a int4, b float8); INSERT INTO t VALUES (1, 1.5), (2, 2.5)")
        .await
        .expect("setup");
    let row = client
        .query_one(
            "SELECT sum(a), a + 1, b * 2 FROM t WHERE a = 1 GROUP BY a, b",
            &[],
        )
        .await
        .expect("select expressions");
    let types: Vec<&Type> = row.columns().iter().map(|c| c.type_()).collect();
    assert_eq!(types, vec![&Type::INT8, &Type::INT4, &Type::FLOAT8]);
    assert_eq!(row.get::<_, i64>(0), 1);
    assert_eq!(row.get::<_, i32>(1), 2);
    assert_eq!(row.get::<_, f64>(2), 3.0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "server bug: a recursive CTE column is described as text, not as its seed's int4"]
async fn recursive_cte_column_has_the_type_of_its_seed() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    let rows = client
        .query(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3) SELECT x FROM c",
            &[],
        )
        .await
        .expect("recursive CTE");
    assert_eq!(rows[0].columns()[0].type_(), &Type::INT4);
    let xs: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(xs, [1, 2, 3]);
}
