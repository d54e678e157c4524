use bytes::BytesMut;
use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};
use postgres_types::{FromSql, Type};
use rusqlite::types::ValueRef::{self, Blob, Integer, Null, Real, Text};

use super::numeric::Numeric;
use super::*;
use crate::sql::pgtype::ArrayElem;

fn field(v: ValueRef<'_>, ty: PgType, binary: bool) -> Result<Vec<u8>, EncodeError> {
    let mut buf = BytesMut::from(&b"prefix"[..]);
    encode_field(&mut buf, v, ty, binary).inspect_err(|_| assert_eq!(&buf[..], b"prefix"))?;
    let len = i32::from_be_bytes(buf[6..10].try_into().unwrap());
    assert_eq!(len as usize, buf.len() - 10);
    Ok(buf[10..].to_vec())
}

fn text(v: ValueRef<'_>, ty: PgType) -> String {
    String::from_utf8(field(v, ty, false).unwrap()).unwrap()
}

fn bin(v: ValueRef<'_>, ty: PgType) -> Vec<u8> {
    field(v, ty, true).unwrap()
}

fn bin_err(v: ValueRef<'_>, ty: PgType) -> EncodeError {
    field(v, ty, true).unwrap_err()
}

/// Decodes our binary output with the same crate tokio-postgres uses.
fn from_pg<'a, T: FromSql<'a>>(ty: &Type, raw: &'a [u8]) -> T {
    T::from_sql(ty, raw).unwrap()
}

#[test]
fn null_is_minus_one_in_both_formats() {
    for binary in [false, true] {
        let mut buf = BytesMut::new();
        encode_field(&mut buf, Null, PgType::Int4, binary).unwrap();
        assert_eq!(&buf[..], &(-1i32).to_be_bytes());
    }
}

#[test]
fn type_of_value_follows_storage_class() {
    assert_eq!(type_of_value(Integer(1)), PgType::Int8);
    assert_eq!(type_of_value(Real(1.0)), PgType::Float8);
    assert_eq!(type_of_value(Text(b"x")), PgType::Text);
    assert_eq!(type_of_value(Blob(b"x")), PgType::Bytea);
    assert_eq!(type_of_value(Null), PgType::Text);
}

#[test]
fn bools() {
    assert_eq!(text(Integer(1), PgType::Bool), "t");
    assert_eq!(text(Integer(0), PgType::Bool), "f");
    assert_eq!(text(Text(b"TRUE"), PgType::Bool), "t");
    assert_eq!(text(Text(b"off"), PgType::Bool), "f");
    assert_eq!(text(Text(b"maybe"), PgType::Bool), "maybe");
    assert!(from_pg::<bool>(&Type::BOOL, &bin(Integer(5), PgType::Bool)));
    assert!(!from_pg::<bool>(
        &Type::BOOL,
        &bin(Text(b"no"), PgType::Bool)
    ));
    let e = bin_err(Text(b"maybe"), PgType::Bool);
    assert_eq!(
        (e.code, e.message.as_str()),
        ("22P02", "invalid input syntax for type boolean: \"maybe\"")
    );
}

#[test]
fn integers() {
    assert_eq!(
        text(Integer(i64::MIN), PgType::Int8),
        "-9223372036854775808"
    );
    assert_eq!(text(Integer(i64::MAX), PgType::Int8), "9223372036854775807");
    assert_eq!(text(Integer(42), PgType::Int4), "42");
    assert_eq!(text(Real(3.0), PgType::Int4), "3");
    assert_eq!(text(Real(2.5), PgType::Int4), "2.5");
    assert_eq!(text(Text(b"abc"), PgType::Int4), "abc");
    assert_eq!(
        from_pg::<i64>(&Type::INT8, &bin(Integer(i64::MIN), PgType::Int8)),
        i64::MIN
    );
    assert_eq!(
        from_pg::<i32>(&Type::INT4, &bin(Integer(-7), PgType::Int4)),
        -7
    );
    assert_eq!(
        from_pg::<i16>(&Type::INT2, &bin(Integer(32767), PgType::Int2)),
        32767
    );
    assert_eq!(
        from_pg::<i32>(&Type::INT4, &bin(Text(b" 12 "), PgType::Int4)),
        12
    );
    assert_eq!(
        from_pg::<i32>(&Type::INT4, &bin(Real(2.5), PgType::Int4)),
        2
    );
    assert_eq!(
        from_pg::<u32>(&Type::OID, &bin(Integer(4_000_000_000), PgType::Oid)),
        4_000_000_000
    );
    let e = bin_err(Integer(1 << 31), PgType::Int4);
    assert_eq!(
        (e.code, e.message.as_str()),
        ("22003", "integer out of range")
    );
    assert_eq!(
        bin_err(Integer(40000), PgType::Int2).message,
        "smallint out of range"
    );
    assert_eq!(
        bin_err(Text(b"99999999999999999999"), PgType::Int8).code,
        "22003"
    );
    assert_eq!(bin_err(Real(1e300), PgType::Int8).code, "22003");
    let e = bin_err(Text(b"abc"), PgType::Int4);
    assert_eq!(
        (e.code, e.message.as_str()),
        ("22P02", "invalid input syntax for type integer: \"abc\"")
    );
}

#[test]
fn floats() {
    // Texts verified against PostgreSQL 15 (see float.rs for the full table).
    assert_eq!(text(Real(1e20), PgType::Float8), "1e+20");
    assert_eq!(text(Real(0.1), PgType::Float4), "0.1");
    assert_eq!(text(Integer(100), PgType::Float8), "100");
    assert_eq!(text(Real(f64::NAN), PgType::Float8), "NaN");
    assert_eq!(text(Real(f64::NEG_INFINITY), PgType::Float4), "-Infinity");
    assert_eq!(text(Real(1.5), PgType::Text), "1.5");
    assert_eq!(
        from_pg::<f64>(&Type::FLOAT8, &bin(Real(0.1), PgType::Float8)),
        0.1
    );
    assert_eq!(
        from_pg::<f32>(&Type::FLOAT4, &bin(Real(0.1), PgType::Float4)),
        0.1f32
    );
    assert_eq!(
        from_pg::<f64>(&Type::FLOAT8, &bin(Integer(3), PgType::Float8)),
        3.0
    );
    assert_eq!(
        from_pg::<f64>(&Type::FLOAT8, &bin(Text(b"Infinity"), PgType::Float8)),
        f64::INFINITY
    );
    assert!(from_pg::<f64>(&Type::FLOAT8, &bin(Text(b"NaN"), PgType::Float8)).is_nan());
    let e = bin_err(Text(b"x"), PgType::Float8);
    assert_eq!(
        e.message,
        "invalid input syntax for type double precision: \"x\""
    );
}

#[test]
fn numerics() {
    assert_eq!(text(Integer(-12), PgType::Numeric), "-12");
    assert_eq!(text(Real(1e20), PgType::Numeric), "100000000000000000000");
    assert_eq!(text(Real(-0.00015), PgType::Numeric), "-0.00015");
    assert_eq!(text(Text(b"1.50"), PgType::Numeric), "1.50");
    // numeric_send of '123.45' in PostgreSQL 15.
    assert_eq!(
        bin(Text(b"123.45"), PgType::Numeric),
        [0, 2, 0, 0, 0, 0, 0, 2, 0, 0x7b, 0x11, 0x94]
    );
    assert_eq!(
        bin(Real(123.45), PgType::Numeric),
        bin(Text(b"123.45"), PgType::Numeric)
    );
    assert_eq!(
        bin(Integer(10000), PgType::Numeric),
        [0, 1, 0, 1, 0, 0, 0, 0, 0, 1]
    );
    let many = b"-123456789012345678901234567890.123456789";
    let out = bin(Text(many), PgType::Numeric);
    assert_eq!(&out[4..6], &[0x40, 0]);
    assert_eq!(
        Numeric::from_binary(&out).unwrap().to_text().as_bytes(),
        many
    );
    assert_eq!(
        bin_err(Text(b"abc"), PgType::Numeric).message,
        "invalid input syntax for type numeric: \"abc\""
    );
}

#[test]
fn text_types_pass_through() {
    for ty in [
        PgType::Text,
        PgType::Varchar,
        PgType::Bpchar,
        PgType::Name,
        PgType::Json,
        PgType::Unknown,
    ] {
        assert_eq!(text(Text("héllo".as_bytes()), ty), "héllo");
        assert_eq!(
            from_pg::<String>(&Type::TEXT, &bin(Text(b"x y"), ty)),
            "x y"
        );
    }
    assert_eq!(text(Integer(5), PgType::Text), "5");
    assert_eq!(text(Blob(b"abc"), PgType::Text), "abc");
    assert_eq!(text(Blob(&[0xff, 0]), PgType::Text), "\\xff00");
    assert_eq!(
        text(Text(b"{\"b\":1,  \"a\": [1,2]}"), PgType::Json),
        "{\"b\":1,  \"a\": [1,2]}"
    );
}

#[test]
fn jsonb() {
    let stored = Text(b"{\"b\":[1,2],\"a\":1}");
    assert_eq!(text(stored, PgType::Jsonb), "{\"a\": 1, \"b\": [1, 2]}");
    let out = bin(stored, PgType::Jsonb);
    assert_eq!(out[0], 1);
    let v: serde_json::Value = from_pg(&Type::JSONB, &out);
    assert_eq!(v, serde_json::json!({"a": 1, "b": [1, 2]}));
    assert_eq!(text(Text(b"not json"), PgType::Jsonb), "not json");
}

#[test]
fn bytea() {
    assert_eq!(text(Blob(&[0xde, 0xad, 0x01]), PgType::Bytea), "\\xdead01");
    assert_eq!(text(Blob(&[]), PgType::Bytea), "\\x");
    assert_eq!(text(Text(b"ab"), PgType::Bytea), "\\x6162");
    assert_eq!(bin(Blob(&[0, 1, 2]), PgType::Bytea), [0, 1, 2]);
    assert_eq!(bin(Text(b"ab"), PgType::Bytea), b"ab");
}

#[test]
fn uuids() {
    let s = "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11";
    let u = uuid::Uuid::parse_str(s).unwrap();
    assert_eq!(text(Text(s.as_bytes()), PgType::Uuid), s);
    assert_eq!(
        text(Text(b"A0EEBC999C0B4EF8BB6D6BB9BD380A11"), PgType::Uuid),
        s
    );
    assert_eq!(text(Blob(u.as_bytes()), PgType::Uuid), s);
    assert_eq!(
        from_pg::<uuid::Uuid>(&Type::UUID, &bin(Text(s.as_bytes()), PgType::Uuid)),
        u
    );
    assert_eq!(
        from_pg::<uuid::Uuid>(&Type::UUID, &bin(Blob(u.as_bytes()), PgType::Uuid)),
        u
    );
    assert_eq!(
        bin_err(Text(b"nope"), PgType::Uuid).message,
        "invalid input syntax for type uuid: \"nope\""
    );
    assert_eq!(text(Text(b"nope"), PgType::Uuid), "nope");
}

#[test]
fn dates() {
    assert_eq!(text(Text(b"2024-01-02"), PgType::Date), "2024-01-02");
    assert_eq!(
        text(Text(b"1999-12-31 10:00:00"), PgType::Date),
        "1999-12-31"
    );
    assert_eq!(text(Integer(86_400), PgType::Date), "1970-01-02");
    let d = |s: &[u8]| from_pg::<NaiveDate>(&Type::DATE, &bin(Text(s), PgType::Date));
    assert_eq!(
        d(b"1999-12-31"),
        NaiveDate::from_ymd_opt(1999, 12, 31).unwrap()
    );
    assert_eq!(
        d(b"1850-06-15"),
        NaiveDate::from_ymd_opt(1850, 6, 15).unwrap()
    );
    assert_eq!(bin(Text(b"2000-01-01"), PgType::Date), [0, 0, 0, 0]);
    assert_eq!(bin(Text(b"infinity"), PgType::Date), i32::MAX.to_be_bytes());
    let e = bin_err(Text(b"someday"), PgType::Date);
    assert_eq!(
        (e.code, e.message.as_str()),
        ("22007", "invalid input syntax for type date: \"someday\"")
    );
}

#[test]
fn times() {
    assert_eq!(text(Text(b"10:11:12.500000"), PgType::Time), "10:11:12.5");
    assert_eq!(text(Integer(3661), PgType::Time), "01:01:01");
    let t = from_pg::<NaiveTime>(&Type::TIME, &bin(Text(b"10:11:12.25"), PgType::Time));
    assert_eq!(
        t,
        NaiveTime::from_hms_micro_opt(10, 11, 12, 250_000).unwrap()
    );
}

#[test]
fn timestamps() {
    let ts =
        |s: &[u8]| from_pg::<NaiveDateTime>(&Type::TIMESTAMP, &bin(Text(s), PgType::Timestamp));
    let want = NaiveDate::from_ymd_opt(2024, 1, 2)
        .unwrap()
        .and_hms_micro_opt(3, 4, 5, 123_000)
        .unwrap();
    assert_eq!(ts(b"2024-01-02 03:04:05.123"), want);
    assert_eq!(ts(b"2024-01-02T03:04:05.123Z"), want);
    assert_eq!(ts(b"2024-01-02 03:04:05.123+00:00"), want);
    let old = NaiveDate::from_ymd_opt(1969, 7, 20)
        .unwrap()
        .and_hms_opt(20, 17, 40)
        .unwrap();
    assert_eq!(ts(b"1969-07-20 20:17:40"), old);
    assert_eq!(
        from_pg::<NaiveDateTime>(&Type::TIMESTAMP, &bin(Integer(0), PgType::Timestamp)),
        DateTime::from_timestamp(0, 0).unwrap().naive_utc()
    );
    let tz = from_pg::<DateTime<Utc>>(
        &Type::TIMESTAMPTZ,
        &bin(Text(b"2024-01-02 05:04:05.123+02"), PgType::Timestamptz),
    );
    assert_eq!(tz, want.and_utc());
    assert_eq!(
        text(Text(b"2024-01-02 03:04:05.123"), PgType::Timestamptz),
        "2024-01-02 03:04:05.123+00"
    );
    assert_eq!(
        text(Text(b"2024-01-02 03:04:05.000"), PgType::Timestamp),
        "2024-01-02 03:04:05"
    );
    assert_eq!(
        text(Integer(1_700_000_000), PgType::Timestamptz),
        "2023-11-14 22:13:20+00"
    );
    assert_eq!(text(Text(b"garbage"), PgType::Timestamp), "garbage");
    assert_eq!(bin_err(Text(b"garbage"), PgType::Timestamptz).code, "22007");
}

#[test]
fn intervals() {
    assert_eq!(
        text(Text(b"1 day 02:00:00"), PgType::Interval),
        "1 day 02:00:00"
    );
    assert_eq!(text(Integer(90_000), PgType::Interval), "25:00:00");
    assert_eq!(text(Real(-1.5), PgType::Interval), "-00:00:01.5");
    let out = bin(Text(b"1 year 2 mons 3 days 04:05:06.5"), PgType::Interval);
    let mut want = Vec::new();
    want.extend_from_slice(&14_706_500_000i64.to_be_bytes());
    want.extend_from_slice(&3i32.to_be_bytes());
    want.extend_from_slice(&14i32.to_be_bytes());
    assert_eq!(out, want);
}

#[test]
fn arrays_text() {
    let arr = |s: &str, e| text(Text(s.as_bytes()), PgType::Array(e));
    assert_eq!(arr("[1,2,3]", ArrayElem::Int4), "{1,2,3}");
    assert_eq!(arr("[]", ArrayElem::Int4), "{}");
    // PostgreSQL 15 printed these for the equivalent arrays.
    assert_eq!(
        arr(
            r#"["a b",null,"x\"y","","NULL","null","a,b","a\\b","{","plain"]"#,
            ArrayElem::Text
        ),
        r#"{"a b",NULL,"x\"y","","NULL","null","a,b","a\\b","{",plain}"#
    );
    assert_eq!(arr("[true,false]", ArrayElem::Bool), "{t,f}");
    assert_eq!(arr("[1,0]", ArrayElem::Bool), "{t,f}");
    assert_eq!(arr("[[1,2],[3,4]]", ArrayElem::Int4), "{{1,2},{3,4}}");
    assert_eq!(
        arr(r#"["2024-01-02 03:04:05.5"]"#, ArrayElem::Timestamptz),
        r#"{"2024-01-02 03:04:05.5+00"}"#
    );
    assert_eq!(arr(r#"[{"a":1}]"#, ArrayElem::Json), r#"{"{\"a\":1}"}"#);
    assert_eq!(arr("[1.5,1e20]", ArrayElem::Float8), "{1.5,1e+20}");
    assert_eq!(arr("[1e2,-0.50]", ArrayElem::Numeric), "{100,-0.50}");
    assert_eq!(arr(r#"[" x"]"#, ArrayElem::Text), r#"{" x"}"#);
    assert_eq!(arr("{1,2}", ArrayElem::Int4), "{1,2}");
}

#[test]
fn arrays_binary() {
    let ty = PgType::Array(ArrayElem::Int4);
    let v: Vec<Option<i32>> = from_pg(&Type::INT4_ARRAY, &bin(Text(b"[1,null,3]"), ty));
    assert_eq!(v, vec![Some(1), None, Some(3)]);
    let v: Vec<i32> = from_pg(&Type::INT4_ARRAY, &bin(Text(b"[]"), ty));
    assert!(v.is_empty());
    let v: Vec<String> = from_pg(
        &Type::TEXT_ARRAY,
        &bin(Text(br#"["a","b c"]"#), PgType::Array(ArrayElem::Text)),
    );
    assert_eq!(v, ["a", "b c"]);
    let v: Vec<bool> = from_pg(
        &Type::BOOL_ARRAY,
        &bin(Text(b"[true,0]"), PgType::Array(ArrayElem::Bool)),
    );
    assert_eq!(v, [true, false]);
    let v: Vec<f64> = from_pg(
        &Type::FLOAT8_ARRAY,
        &bin(Text(b"[1.5,2]"), PgType::Array(ArrayElem::Float8)),
    );
    assert_eq!(v, [1.5, 2.0]);
    // Two dimensions: header carries both sizes, elements row-major.
    let out = bin(Text(b"[[1,2],[3,4]]"), ty);
    assert_eq!(&out[..8], &[0, 0, 0, 2, 0, 0, 0, 0]);
    assert_eq!(
        &out[12..28],
        &[0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 1]
    );
    assert_eq!(bin_err(Text(b"[[1,2],[3]]"), ty).code, "22P02");
    assert_eq!(
        bin_err(Text(b"[1,\"x\"]"), ty).message,
        "invalid input syntax for type integer: \"x\""
    );
    assert_eq!(
        bin_err(Integer(1), ty).message,
        "malformed array literal: \"1\""
    );
}

#[test]
fn numeric_with_declared_scale() {
    let scaled = |s: &str, scale| Numeric::parse(s).unwrap().with_scale(scale).to_text();
    assert_eq!(scaled("1.5", 2), "1.50");
    assert_eq!(scaled("2", 2), "2.00");
    assert_eq!(scaled("0.125", 2), "0.13");
    assert_eq!(scaled("-0.125", 2), "-0.13");
    assert_eq!(scaled("9.995", 2), "10.00");
    assert_eq!(scaled("0.996", 2), "1.00");
    assert_eq!(scaled("-0.001", 2), "0.00");
    assert_eq!(scaled("4.5", 0), "5");
    assert_eq!(scaled("NaN", 2), "NaN");
    assert_eq!(PgType::numeric_scale("numeric(10,2)"), Some(2));
    assert_eq!(PgType::numeric_scale("DECIMAL(5, 3)"), Some(3));
    assert_eq!(PgType::numeric_scale("numeric(7)"), Some(0));
    assert_eq!(PgType::numeric_scale("numeric"), None);
    assert_eq!(PgType::numeric_scale("varchar(10)"), None);
}

#[test]
fn integer_overflow_is_an_error_in_text_too() {
    let err = |v, ty| field(v, ty, false).unwrap_err();
    let e = err(Integer(1 << 31), PgType::Int4);
    assert_eq!(
        (e.code, e.message.as_str()),
        ("22003", "integer out of range")
    );
    assert_eq!(
        err(Integer(40000), PgType::Int2).message,
        "smallint out of range"
    );
    // SQLite turns a 64-bit overflow into a float.
    assert_eq!(
        err(Real(9.3e18), PgType::Int8).message,
        "bigint out of range"
    );
    assert_eq!(text(Integer(i32::MAX as i64), PgType::Int4), "2147483647");
    assert_eq!(text(Real(2.5), PgType::Int4), "2.5");
}
