use bytes::BytesMut;
use postgres_types::{ToSql, Type};
use rusqlite::types::Value;

use super::*;
use crate::sql::pgtype::ArrayElem;

fn txt(s: &str, ty: PgType) -> Result<Value, DecodeError> {
    decode_param(Some(s.as_bytes()), ty, false)
}

fn ok(s: &str, ty: PgType) -> Value {
    txt(s, ty).unwrap()
}

fn t(s: &str) -> Value {
    Value::Text(s.into())
}

/// Encodes with postgres-types (what tokio-postgres sends) and decodes.
fn via_pg<T: ToSql>(v: T, pg: &Type, ty: PgType) -> Value {
    let mut buf = BytesMut::new();
    v.to_sql(pg, &mut buf).unwrap();
    decode_param(Some(&buf), ty, true).unwrap()
}

#[test]
fn null_and_unknown() {
    assert_eq!(decode_param(None, PgType::Int4, true).unwrap(), Value::Null);
    assert_eq!(ok("abc", PgType::Unknown), t("abc"));
    assert_eq!(ok(" a ", PgType::Varchar), t(" a "));
    let e = decode_param(Some(&[b'a', 0xff]), PgType::Text, false).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("22021", "invalid byte sequence for encoding \"UTF8\": 0xff")
    );
}

#[test]
fn bools() {
    assert_eq!(ok("true", PgType::Bool), Value::Integer(1));
    assert_eq!(ok("OFF", PgType::Bool), Value::Integer(0));
    assert_eq!(
        txt("maybe", PgType::Bool).unwrap_err().message,
        "invalid input syntax for type boolean: \"maybe\""
    );
    assert_eq!(via_pg(true, &Type::BOOL, PgType::Bool), Value::Integer(1));
}

#[test]
fn integers() {
    assert_eq!(ok(" -42 ", PgType::Int4), Value::Integer(-42));
    assert_eq!(
        ok("9223372036854775807", PgType::Int8),
        Value::Integer(i64::MAX)
    );
    let e = txt("2147483648", PgType::Int4).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            "22003",
            "value \"2147483648\" is out of range for type integer"
        )
    );
    assert_eq!(
        txt("9223372036854775808", PgType::Int8).unwrap_err().code,
        "22003"
    );
    let e = txt("x", PgType::Int4).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("22P02", "invalid input syntax for type integer: \"x\"")
    );
    assert_eq!(txt("1.5", PgType::Int2).unwrap_err().code, "22P02");
    assert_eq!(
        via_pg(i16::MIN, &Type::INT2, PgType::Int2),
        Value::Integer(-32768)
    );
    assert_eq!(
        via_pg(i32::MAX, &Type::INT4, PgType::Int4),
        Value::Integer(i32::MAX.into())
    );
    assert_eq!(
        via_pg(i64::MIN, &Type::INT8, PgType::Int8),
        Value::Integer(i64::MIN)
    );
    assert_eq!(
        via_pg(4_000_000_000u32, &Type::OID, PgType::Oid),
        Value::Integer(4_000_000_000)
    );
    let e = decode_param(Some(&[0, 1]), PgType::Int4, true).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        ("08P01", "insufficient data left in message")
    );
    assert_eq!(
        decode_param(Some(&[0; 5]), PgType::Int4, true)
            .unwrap_err()
            .code,
        "08P01"
    );
}

#[test]
fn floats() {
    assert_eq!(ok("1.5", PgType::Float8), Value::Real(1.5));
    assert_eq!(
        ok("-Infinity", PgType::Float8),
        Value::Real(f64::NEG_INFINITY)
    );
    // SQLite would store a NaN REAL as NULL.
    assert_eq!(ok("NaN", PgType::Float4), Value::Text("NaN".into()));
    assert_eq!(txt("1e400", PgType::Float8).unwrap_err().code, "22003");
    assert_eq!(
        txt("1e39", PgType::Float4).unwrap_err().message,
        "\"1e39\" is out of range for type real"
    );
    assert_eq!(txt("abc", PgType::Float8).unwrap_err().code, "22P02");
    // A float4 is kept as the float4 PostgreSQL stores, in text or binary.
    assert_eq!(
        via_pg(0.1f32, &Type::FLOAT4, PgType::Float4),
        Value::Real(f64::from(0.1f32))
    );
    assert_eq!(ok("0.1", PgType::Float4), Value::Real(f64::from(0.1f32)));
    assert_eq!(
        via_pg(-2.5f64, &Type::FLOAT8, PgType::Float8),
        Value::Real(-2.5)
    );
}

#[test]
fn numerics() {
    assert_eq!(ok("42", PgType::Numeric), Value::Integer(42));
    assert_eq!(ok("-1.25", PgType::Numeric), Value::Real(-1.25));
    assert_eq!(ok("1e3", PgType::Numeric), Value::Integer(1000));
    assert_eq!(
        ok("12345678901234567890.5", PgType::Numeric),
        t("12345678901234567890.5")
    );
    assert_eq!(ok("NaN", PgType::Numeric), t("NaN"));
    assert_eq!(txt("1.2.3", PgType::Numeric).unwrap_err().code, "22P02");
    // numeric_send of '-0.0001' from PostgreSQL 15.
    let raw = [0, 1, 0xff, 0xff, 0x40, 0, 0, 4, 0, 1];
    assert_eq!(
        decode_param(Some(&raw), PgType::Numeric, true).unwrap(),
        Value::Real(-0.0001)
    );
    let raw = [0, 2, 0, 0, 0, 0, 0, 2, 0, 0x7b, 0x11, 0x94];
    assert_eq!(
        decode_param(Some(&raw), PgType::Numeric, true).unwrap(),
        Value::Real(123.45)
    );
    assert_eq!(
        decode_param(Some(&[0, 1]), PgType::Numeric, true)
            .unwrap_err()
            .code,
        "08P01"
    );
}

#[test]
fn bytea_and_uuid() {
    assert_eq!(ok("\\xDEad", PgType::Bytea), Value::Blob(vec![0xde, 0xad]));
    assert_eq!(ok("ab\\\\", PgType::Bytea), Value::Blob(b"ab\\".to_vec()));
    assert_eq!(
        via_pg(&[1u8, 2][..], &Type::BYTEA, PgType::Bytea),
        Value::Blob(vec![1, 2])
    );
    let s = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    assert_eq!(
        ok("A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11", PgType::Uuid),
        t(s)
    );
    assert_eq!(
        via_pg(uuid::Uuid::parse_str(s).unwrap(), &Type::UUID, PgType::Uuid),
        t(s)
    );
    assert_eq!(
        txt("nope", PgType::Uuid).unwrap_err().message,
        "invalid input syntax for type uuid: \"nope\""
    );
}

#[test]
fn json() {
    assert_eq!(ok("{\"a\": 1}", PgType::Json), t("{\"a\": 1}"));
    assert_eq!(
        txt("{bad", PgType::Jsonb).unwrap_err().message,
        "invalid input syntax for type json"
    );
    let v = serde_json::json!({"a": [1, 2]});
    assert_eq!(via_pg(&v, &Type::JSONB, PgType::Jsonb), t("{\"a\":[1,2]}"));
    assert_eq!(via_pg(&v, &Type::JSON, PgType::Json), t("{\"a\":[1,2]}"));
}

#[test]
fn dates_and_times() {
    use chrono::{NaiveDate, NaiveTime};
    assert_eq!(ok("2024-1-2", PgType::Date), t("2024-01-02"));
    assert_eq!(ok("2024-01-02 10:00", PgType::Date), t("2024-01-02"));
    let e = txt("2024-02-30", PgType::Date).unwrap_err();
    assert_eq!(
        (e.code, e.message.as_str()),
        (
            "22008",
            "date/time field value out of range: \"2024-02-30\""
        )
    );
    assert_eq!(txt("soon", PgType::Date).unwrap_err().code, "22007");
    let d = NaiveDate::from_ymd_opt(1850, 6, 15).unwrap();
    assert_eq!(via_pg(d, &Type::DATE, PgType::Date), t("1850-06-15"));
    assert_eq!(ok("10:11", PgType::Time), t("10:11:00"));
    let tm = NaiveTime::from_hms_micro_opt(1, 2, 3, 400).unwrap();
    assert_eq!(via_pg(tm, &Type::TIME, PgType::Time), t("01:02:03.0004"));
}

#[test]
fn timestamps() {
    use chrono::{NaiveDate, TimeZone, Utc};
    assert_eq!(
        ok("2024-01-02T03:04:05.120", PgType::Timestamp),
        t("2024-01-02 03:04:05.12")
    );
    assert_eq!(
        ok("2024-01-02 03:04:05+02", PgType::Timestamp),
        t("2024-01-02 03:04:05")
    );
    assert_eq!(
        ok("2024-01-02 03:04:05+02", PgType::Timestamptz),
        t("2024-01-02 01:04:05")
    );
    assert_eq!(
        ok("2024-01-02 03:04:05 UTC", PgType::Timestamptz),
        t("2024-01-02 03:04:05")
    );
    assert_eq!(ok("-infinity", PgType::Timestamp), t("-infinity"));
    let naive = NaiveDate::from_ymd_opt(1999, 12, 31)
        .unwrap()
        .and_hms_micro_opt(23, 59, 59, 999_999)
        .unwrap();
    assert_eq!(
        via_pg(naive, &Type::TIMESTAMP, PgType::Timestamp),
        t("1999-12-31 23:59:59.999999")
    );
    let utc = Utc.with_ymd_and_hms(2024, 5, 6, 7, 8, 9).unwrap();
    assert_eq!(
        via_pg(utc, &Type::TIMESTAMPTZ, PgType::Timestamptz),
        t("2024-05-06 07:08:09")
    );
}

#[test]
fn intervals() {
    assert_eq!(ok("1 day 2 hours", PgType::Interval), t("1 day 02:00:00"));
    assert_eq!(ok("-90 minutes", PgType::Interval), t("-01:30:00"));
    assert_eq!(txt("soon", PgType::Interval).unwrap_err().code, "22P02");
    let mut raw = Vec::new();
    raw.extend_from_slice(&(-1_000_000i64).to_be_bytes());
    raw.extend_from_slice(&(-1i32).to_be_bytes());
    raw.extend_from_slice(&14i32.to_be_bytes());
    assert_eq!(
        decode_param(Some(&raw), PgType::Interval, true).unwrap(),
        t("1 year 2 mons -1 days -00:00:01")
    );
}

#[test]
fn arrays() {
    let int4 = PgType::Array(ArrayElem::Int4);
    assert_eq!(ok("{1,2,NULL}", int4), t("[1,2,null]"));
    assert_eq!(ok("{}", int4), t("[]"));
    assert_eq!(ok("{{1,2},{3,4}}", int4), t("[[1,2],[3,4]]"));
    assert_eq!(ok("[0:1]={5,6}", int4), t("[5,6]"));
    let text = PgType::Array(ArrayElem::Text);
    assert_eq!(
        ok(r#"{"a b",NULL,"x\"y","NULL", c d ,""}"#, text),
        t(r#"["a b",null,"x\"y","NULL","c d",""]"#)
    );
    assert_eq!(
        ok("{t,false}", PgType::Array(ArrayElem::Bool)),
        t("[true,false]")
    );
    assert_eq!(
        ok(r#"{"{\"a\":1}"}"#, PgType::Array(ArrayElem::Jsonb)),
        t(r#"[{"a":1}]"#)
    );
    assert_eq!(
        ok("{1.5,NaN}", PgType::Array(ArrayElem::Float8)),
        t(r#"[1.5,"NaN"]"#)
    );
    assert_eq!(
        txt("{1,x}", int4).unwrap_err().message,
        "invalid input syntax for type integer: \"x\""
    );
    assert_eq!(
        txt("{1,2", int4).unwrap_err().message,
        "malformed array literal: \"{1,2\""
    );
    assert_eq!(txt("1,2", int4).unwrap_err().code, "22P02");

    assert_eq!(
        via_pg(vec![Some(1i32), None, Some(3)], &Type::INT4_ARRAY, int4),
        t("[1,null,3]")
    );
    assert_eq!(via_pg(Vec::<i32>::new(), &Type::INT4_ARRAY, int4), t("[]"));
    assert_eq!(
        via_pg(vec!["a", "b\"c"], &Type::TEXT_ARRAY, text),
        t(r#"["a","b\"c"]"#)
    );
    assert_eq!(
        via_pg(
            vec![true, false],
            &Type::BOOL_ARRAY,
            PgType::Array(ArrayElem::Bool)
        ),
        t("[true,false]")
    );
    assert_eq!(
        decode_param(Some(&[0, 0, 0, 1]), int4, true)
            .unwrap_err()
            .code,
        "08P01"
    );
}

#[test]
fn encode_decode_round_trip() {
    use crate::sql::encode::encode_field;
    let cases: &[(PgType, &str)] = &[
        (PgType::Int4, "-17"),
        (PgType::Numeric, "-123456789012345678901234567890.5"),
        (PgType::Date, "0044-03-15 BC"),
        (PgType::Timestamptz, "2024-02-29 12:00:00.000001"),
        (PgType::Interval, "-1 years +3 days 04:00:00"),
        (PgType::Uuid, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        (PgType::Array(ArrayElem::Text), r#"["a",null,"b c"]"#),
        (
            PgType::Array(ArrayElem::Numeric),
            "[1.5,-2,100000000000000000000]",
        ),
    ];
    for &(ty, stored) in cases {
        let stored_value = ok(stored, PgType::Text);
        let stored_ref = match &stored_value {
            Value::Text(s) => rusqlite::types::ValueRef::Text(s.as_bytes()),
            _ => unreachable!(),
        };
        let mut buf = BytesMut::new();
        encode_field(&mut buf, stored_ref, ty, true).unwrap();
        let back = decode_param(Some(&buf[4..]), ty, true).unwrap();
        match back {
            Value::Text(s) => assert_eq!(s, stored, "{ty:?}"),
            Value::Integer(i) => assert_eq!(i.to_string(), stored, "{ty:?}"),
            other => panic!("{ty:?}: {other:?}"),
        }
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Inputs cargo-fuzz found (tests/fuzz, target decode_params): an interval
/// text whose seconds overflow i64, and a binary array of 0x17000000 x 0
/// dimensions that used to nest empty arrays for minutes.
#[test]
fn fuzz_regressions() {
    let overflow = hex("0b0b323a300b0b0b3836303032303138363030323031313430320b32313a300b0b0b0b0b0b0b0b0b0b0b090b30143a30307b312d");
    assert!(decode_param(Some(&overflow), PgType::Interval, false).is_err());
    assert!(txt("9223372036854775807 hours", PgType::Interval).is_err());
    assert!(txt("99999999999999:00:00 1000000000000 hours", PgType::Interval).is_err());

    let dims = hex("00000002000200cc0000000017000000000000000000000013000188");
    let v = decode_param(Some(&dims), PgType::Array(ArrayElem::Int4), true).unwrap();
    assert_eq!(v, t("[]"));
}

#[test]
fn only_date_and_time_shapes_look_like_dates() {
    assert!(looks_datetime("2024-05-01"));
    assert!(looks_datetime("10:30"));
    assert!(!looks_datetime("alice"));
    assert!(!looks_datetime("12345"));
    assert!(!looks_datetime("2024"));
}
