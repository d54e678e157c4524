//! Translated PostgreSQL run on SQLite with these functions registered,
//! against answers from PostgreSQL 15.18 (verified with psql).

use crate::sql::errors::SqlError;
use crate::sql::translate::translate;
use rusqlite::types::Value;
use rusqlite::Connection;

fn db() -> Connection {
    let db = Connection::open_in_memory().unwrap();
    crate::backend::sqlite::functions::register(&db).unwrap();
    super::register(&db).unwrap();
    db.execute_batch(
        "CREATE TABLE t (a int4, b text, f boolean, r numeric);
         INSERT INTO t VALUES (1, 'abc', 1, 2.5), (2, ' 12 ', 0, -2.5);",
    )
    .unwrap();
    db
}

/// Runs one PostgreSQL statement; rows as text (NULL as "NULL").
fn rows(db: &Connection, pg: &str) -> Result<Vec<String>, SqlError> {
    let t = translate(pg).map_err(|e| SqlError::new(e.code, e.message))?;
    let mut stmt = db
        .prepare(&t[0].sql)
        .unwrap_or_else(|e| panic!("{}: {e}", t[0].sql));
    let n = stmt.column_count();
    let mut out = vec![];
    let mut result = stmt.query([]).unwrap();
    loop {
        let row = match result.next() {
            Ok(Some(row)) => row,
            Ok(None) => return Ok(out),
            Err(e @ rusqlite::Error::SqliteFailure(..)) => {
                return Err(crate::sql::errors::from_sqlite(&e));
            }
            Err(e) => panic!("{pg}: {e}"),
        };
        let cells: Vec<String> = (0..n)
            .map(|i| match row.get::<_, Value>(i).unwrap() {
                Value::Null => "NULL".into(),
                Value::Integer(v) => v.to_string(),
                Value::Real(v) => v.to_string(),
                Value::Text(v) => v,
                Value::Blob(v) => format!("{v:?}"),
            })
            .collect();
        out.push(cells.join("|"));
    }
}

fn check(db: &Connection, cases: &[(&str, &[&str])]) {
    for (pg, expected) in cases {
        let got = rows(db, pg).unwrap_or_else(|e| panic!("{pg}: {} {}", e.code, e.message));
        assert_eq!(got, *expected, "{pg}");
    }
}

fn check_errors(db: &Connection, cases: &[(&str, &str, &str)]) {
    for (pg, code, message) in cases {
        match rows(db, pg) {
            Ok(r) => panic!("{pg}: expected {code}, got {r:?}"),
            Err(e) => assert_eq!((e.code, e.message.as_str()), (*code, *message), "{pg}"),
        }
    }
}

#[test]
fn casts_match_postgres() {
    let db = db();
    check(
        &db,
        &[
            // PG: true|true|12|3|7 (booleans print as 1/0 here by storage).
            (
                "SELECT 'on'::bool::text, (1 < 2)::text, ' 12 '::text::int, 2.5::int, '7'::text::numeric",
                &["true|true|12|3|7"],
            ),
            // numeric -> int rounds half away from zero: 3, -3.
            ("SELECT r::int FROM t ORDER BY a", &["3", "-3"]),
            ("SELECT (-2.5)::int, 1.4::int8, 7::bool, 0::bool", &["-3|1|1|0"]),
            ("SELECT f::bool::text FROM t ORDER BY a", &["true", "false"]),
            ("SELECT 'tr'::text::bool, ' yes '::text::bool, 'of'::text::bool", &["1|1|0"]),
            ("SELECT b::int FROM t WHERE a = 2", &["12"]),
            ("SELECT a::int8, a::int FROM t WHERE a = 1", &["1|1"]),
        ],
    );
    check_errors(
        &db,
        &[
            (
                "SELECT 'abc'::int",
                "22P02",
                "invalid input syntax for type integer: \"abc\"",
            ),
            (
                "SELECT b::int FROM t WHERE a = 1",
                "22P02",
                "invalid input syntax for type integer: \"abc\"",
            ),
            (
                "SELECT b::int8 FROM t WHERE a = 1",
                "22P02",
                "invalid input syntax for type bigint: \"abc\"",
            ),
            (
                "SELECT b::numeric FROM t WHERE a = 1",
                "22P02",
                "invalid input syntax for type numeric: \"abc\"",
            ),
            (
                "SELECT b::bool FROM t WHERE a = 1",
                "22P02",
                "invalid input syntax for type boolean: \"abc\"",
            ),
            ("SELECT 3000000000::int", "22003", "integer out of range"),
            (
                "SELECT '3000000000'::int",
                "22003",
                "value \"3000000000\" is out of range for type integer",
            ),
            (
                "SELECT (a * 40000)::int2 FROM t",
                "22003",
                "smallint out of range",
            ),
            (
                "SELECT '3000000000'::text::int",
                "22003",
                "value \"3000000000\" is out of range for type integer",
            ),
        ],
    );
}

#[test]
fn set_returning_functions_match_postgres() {
    let db = db();
    check(
        &db,
        &[
            ("SELECT * FROM generate_series(1, 5)", &["1", "2", "3", "4", "5"]),
            ("SELECT g FROM generate_series(1, 10, 3) AS g", &["1", "4", "7", "10"]),
            ("SELECT x FROM generate_series(5, 1, -2) AS t(x)", &["5", "3", "1"]),
            ("SELECT t.x FROM generate_series(1, 0) AS t(x)", &[]),
            ("SELECT generate_series(1, 3)", &["1", "2", "3"]),
            (
                "SELECT * FROM generate_series('2024-01-30'::timestamp, '2024-02-01'::timestamp, '1 day'::interval)",
                &["2024-01-30 00:00:00", "2024-01-31 00:00:00", "2024-02-01 00:00:00"],
            ),
            ("SELECT * FROM unnest(ARRAY['a', 'b'])", &["a", "b"]),
            ("SELECT u FROM unnest(ARRAY[1, 2]) u", &["1", "2"]),
            ("SELECT a, g FROM t, generate_series(1, 2) g ORDER BY a, g", &["1|1", "1|2", "2|1", "2|2"]),
        ],
    );
    let db2 = db;
    let names = |pg: &str| {
        let sql = translate(pg).unwrap().remove(0).sql;
        let stmt = db2.prepare(&sql).unwrap();
        stmt.column_names().map(String::from).collect::<Vec<_>>()
    };
    // PG: generate_series / g / x / unnest.
    assert_eq!(
        names("SELECT * FROM generate_series(1, 2)"),
        ["generate_series"]
    );
    assert_eq!(names("SELECT generate_series(1, 2)"), ["generate_series"]);
    assert_eq!(names("SELECT * FROM generate_series(1, 2) g"), ["g"]);
    assert_eq!(names("SELECT * FROM generate_series(1, 2) t(x)"), ["x"]);
    assert_eq!(names("SELECT * FROM unnest(ARRAY[1])"), ["unnest"]);
    check_errors(
        &db2,
        &[(
            "SELECT * FROM generate_series(1, 5, 0)",
            "22023",
            "step size cannot equal zero",
        )],
    );
}

#[test]
fn text_functions_match_postgres() {
    let db = db();
    check(
        &db,
        &[
            (
                r"SELECT regexp_replace('foobarbaz', 'b(..)', 'X\1Y', 'g'), regexp_replace('Hello hello', 'h', 'J', 'i'), regexp_replace('abc', 'b', '\&\&'), regexp_replace('a.b', '.', '\\')",
                &[r"fooXarYXazY|Jello hello|abbc|\.b"],
            ),
            ("SELECT repeat('ab', 3), repeat('x', -1), reverse('abc')", &["ababab||cba"]),
            (
                "SELECT format('%s %I %L %L', 'x', 'My Col', 'it''s', NULL), format('%2$s %1$s', 'a', 'b'), format('%I', 'abc')",
                &["x \"My Col\" 'it''s' NULL|b a|abc"],
            ),
            // PG: {a,b,"",c} | {a,b,c} | {a,b,NULL} (arrays are JSON here).
            (
                "SELECT string_to_array('a,b,,c', ','), string_to_array('abc', NULL), string_to_array('a,b,x', ',', 'x')",
                &[r#"["a","b","","c"]|["a","b","c"]|["a","b",null]"#],
            ),
            (
                "SELECT array_length(ARRAY[1,2,3], 1), array_length('{}'::int[], 1), cardinality(ARRAY[1,2])",
                &["3|NULL|2"],
            ),
            (
                "SELECT 'abc' SIMILAR TO 'a%', 'abc' SIMILAR TO '(b|a)bc', 'a.c' SIMILAR TO 'a.c', 'abc' SIMILAR TO 'a.c', 'abc' NOT SIMILAR TO '%d'",
                &["1|1|1|0|1"],
            ),
        ],
    );
    check_errors(
        &db,
        &[
            (
                "SELECT format('%s %s', 'a')",
                "22023",
                "too few arguments for format()",
            ),
            (
                "SELECT regexp_replace('a', 'a', 'b', 'q')",
                "22023",
                "invalid regular expression option: \"q\"",
            ),
        ],
    );
}
