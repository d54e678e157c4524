//! Result column names on a real SQLite, against PostgreSQL 15's names.

use super::translate;
use rusqlite::Connection;

fn names(db: &Connection, pg: &str) -> Vec<String> {
    let t = translate(pg).unwrap_or_else(|e| panic!("{pg}: {}", e.message));
    let stmt = db
        .prepare(&t[0].sql)
        .unwrap_or_else(|e| panic!("{}: {e}", t[0].sql));
    stmt.column_names().map(|s| s.to_string()).collect()
}

#[test]
fn names_match_postgres() {
    let db = Connection::open_in_memory().unwrap();
    crate::backend::sqlite::functions::register(&db).unwrap();
    crate::backend::sqlite::pgfuncs::register(&db).unwrap();
    db.execute_batch("CREATE TABLE t (a int4, b text, f boolean)")
        .unwrap();
    // Each row: PostgreSQL 15.18 column names for the same SELECT list
    // (verified with psql against `t (a int, b text, f bool)`).
    let rows: &[(&str, &[&str])] = &[
        (
            "SELECT now(), count(*), max(a), coalesce(a, 1), greatest(1, 2), lower(b) FROM t",
            &["now", "count", "max", "coalesce", "greatest", "lower"],
        ),
        (
            "SELECT a::text, '1'::int, 1::text, 1.5::numeric, '2020-01-01'::timestamp, 't'::bool, 'abc'::varchar(3) FROM t",
            &["a", "int4", "text", "numeric", "timestamp", "bool", "varchar"],
        ),
        (
            "SELECT CASE WHEN true THEN 1 END, exists(SELECT 1), ARRAY[1, 2], current_date, current_timestamp, localtimestamp FROM t",
            &["case", "exists", "array", "current_date", "current_timestamp", "localtimestamp"],
        ),
        (
            "SELECT (SELECT max(a) FROM t), (SELECT 1), 1, 'x', a + 1, $$x$$, true, NULL, -a, (a) FROM t",
            &["max", "?column?", "?column?", "?column?", "?column?", "?column?", "?column?", "?column?", "?column?", "a"],
        ),
        (
            "SELECT trim(b), trim(leading 'x' from b), substring(b from 1 for 1), position('x' in b), extract(year from now()) FROM t",
            &["btrim", "ltrim", "substring", "position", "extract"],
        ),
        (
            "SELECT ceil(1.5), floor(1.5), t.a::text, now()::date, count(*)::int8, (CASE WHEN true THEN 1 END)::text FROM t",
            &["ceil", "floor", "a", "now", "count", "text"],
        ),
        (
            "SELECT ARRAY[1]::int[], date '2020-01-01', 1::bigint, 1::smallint, 1::real, 1::double precision, 1::float, 1::decimal(3,1) FROM t",
            &["array", "date", "int8", "int2", "float4", "float8", "float8", "numeric"],
        ),
        (
            "SELECT 'x'::char(2), '{}'::json, now()::timestamptz, '1'::integer, a IS NULL, nullif(1, 2), a::text::int, (SELECT b AS z FROM t) FROM t",
            &["bpchar", "json", "now", "int4", "?column?", "nullif", "a", "z"],
        ),
        (
            "SELECT '1'::int8, 'x'::character varying, '12:00'::time, CAST(a AS text), CAST(1 AS int), b LIKE 'x', 1 IN (1) FROM t",
            &["int8", "varchar", "time", "a", "int4", "?column?", "?column?"],
        ),
        ("SELECT a, t.b, f FROM t", &["a", "b", "f"]),
        ("SELECT lower(b) AS x FROM t", &["x"]),
        (
            "SELECT count(*) FROM t UNION ALL SELECT 1",
            &["count"],
        ),
    ];
    for (pg, expected) in rows {
        assert_eq!(names(&db, pg), *expected, "{pg}");
    }
    let sql = &translate("INSERT INTO t VALUES (1) RETURNING a + 1, lower(b), a").unwrap()[0].sql;
    assert!(
        sql.ends_with("RETURNING a + 1 AS \"?column?\", lower(b) AS \"lower\", a"),
        "{sql}"
    );
}
