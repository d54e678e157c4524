//! Runs translated SQL on a real in-memory SQLite to prove it is accepted and
//! gives PostgreSQL's answers.

use super::translate;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection};

/// Translates and runs every statement; returns the rows of the last one.
fn run(db: &Connection, pg: &str, params: &[Value]) -> Vec<Vec<Value>> {
    let mut rows = vec![];
    for t in translate(pg).unwrap_or_else(|e| panic!("{pg}: {} {}", e.code, e.message)) {
        // (The server-written statements of a column edit: an added
        // primary key's index; the edits themselves need the session.)
        if let super::StmtKind::AlterColumns { changes, .. } = &t.kind {
            for change in changes {
                if let super::ColumnChange::Run(sql) = change {
                    db.execute_batch(sql)
                        .unwrap_or_else(|e| panic!("{sql}: {e}"));
                }
            }
        }
        if t.sql.is_empty() {
            continue;
        }
        if !t.sql.contains("; ") {
            let mut stmt = db
                .prepare(&t.sql)
                .unwrap_or_else(|e| panic!("{}: {e}", t.sql));
            let n = stmt.column_count();
            rows = stmt
                .query_map(params_from_iter(params.iter()), |r| {
                    (0..n).map(|i| r.get::<_, Value>(i)).collect()
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap_or_else(|e| panic!("{}: {e}", t.sql));
        } else {
            db.execute_batch(&t.sql)
                .unwrap_or_else(|e| panic!("{}: {e}", t.sql));
        }
    }
    rows
}

/// An in-memory database with the SQL functions the translation may call.
fn db() -> Connection {
    let db = Connection::open_in_memory().unwrap();
    crate::backend::sqlite::functions::register(&db).unwrap();
    crate::backend::sqlite::pgfuncs::register(&db).unwrap();
    db
}

fn scalar(db: &Connection, pg: &str) -> Value {
    run(db, pg, &[]).remove(0).remove(0)
}

fn int(n: i64) -> Value {
    Value::Integer(n)
}

fn text(s: &str) -> Value {
    Value::Text(s.into())
}

#[test]
fn scalar_semantics_match_postgres() {
    let db = db();
    assert_eq!(scalar(&db, "SELECT 7/2"), int(3));
    assert_eq!(scalar(&db, "SELECT 'abc' ILIKE 'A%'"), int(1));
    assert_eq!(scalar(&db, "SELECT 'abc' LIKE 'A%'"), int(0));
    assert_eq!(scalar(&db, "SELECT 'a*c' LIKE 'a*_'"), int(1));
    assert_eq!(scalar(&db, "SELECT NULL IS DISTINCT FROM 1"), int(1));
    assert_eq!(scalar(&db, "SELECT 2 IS NOT DISTINCT FROM 2"), int(1));
    assert_eq!(scalar(&db, "SELECT greatest(1, NULL, 3)"), int(3));
    assert_eq!(scalar(&db, "SELECT least(4, 2)"), int(2));
    assert_eq!(scalar(&db, "SELECT position('c' in 'abc')"), int(3));
    assert_eq!(
        scalar(&db, "SELECT substring('hello' from 2 for 3)"),
        text("ell")
    );
    assert_eq!(
        scalar(&db, "SELECT left('hello', 2) || right('hello', 2)"),
        text("helo")
    );
    assert_eq!(scalar(&db, "SELECT right('hi', 5)"), text("hi"));
    assert_eq!(scalar(&db, "SELECT trim(both 'x' from 'xxaxx')"), text("a"));
    assert_eq!(scalar(&db, "SELECT concat('a', 1, NULL, 'b')"), text("a1b"));
    assert_eq!(scalar(&db, "SELECT div(7, 2) + mod(7, 2)"), int(4));
    assert_eq!(scalar(&db, "SELECT '42'::int + 1"), int(43));
    assert_eq!(scalar(&db, "SELECT CAST(12 AS text)"), text("12"));
    assert_eq!(scalar(&db, "SELECT 'yes'::boolean"), int(1));
    assert_eq!(scalar(&db, "SELECT E'a\\tb'"), text("a\tb"));
    assert_eq!(scalar(&db, "SELECT $$it's$$"), text("it's"));
    assert_eq!(scalar(&db, "SELECT '{a,b}'::text[]"), text("[\"a\",\"b\"]"));
    assert_eq!(scalar(&db, "SELECT ARRAY[1,2]"), text("[1,2]"));
    assert_eq!(
        scalar(&db, "SELECT '\\x0102'::bytea"),
        Value::Blob(vec![1, 2])
    );
    assert_eq!(
        scalar(&db, "SELECT '{\"a\":{\"b\":true}}'::jsonb -> 'a' ->> 'b'"),
        text("true")
    );
    assert_eq!(scalar(&db, "SELECT '[1,2,3]'::json ->> -1"), text("3"));
    assert_eq!(scalar(&db, "SELECT '{\"$x\":5}'::json ->> '$x'"), text("5"));
    assert_eq!(scalar(&db, "SELECT 3 = ANY('[1,3]')"), int(1));
    assert_eq!(
        scalar(
            &db,
            "SELECT date_trunc('month', TIMESTAMP '2024-05-17 10:11:12')"
        ),
        text("2024-05-01 00:00:00")
    );
    assert_eq!(
        scalar(
            &db,
            "SELECT TIMESTAMP '2024-01-31 00:00:00' + interval '1 day'"
        ),
        text("2024-02-01 00:00:00")
    );
    assert_eq!(
        scalar(&db, "SELECT extract(year from DATE '2024-05-17')"),
        int(2024)
    );
    assert_eq!(
        scalar(&db, "SELECT length(gen_random_uuid()::text)"),
        int(36)
    );
    assert_eq!(scalar(&db, "SELECT length(now()::text) >= 19"), int(1));
    assert_eq!(scalar(&db, "SELECT current_date = date('now')"), int(1));
    let r = scalar(&db, "SELECT random()");
    assert!(matches!(r, Value::Real(f) if (0.0..1.0).contains(&f)));
    assert_eq!(scalar(&db, "SELECT 1 FETCH FIRST 1 ROW ONLY"), int(1));
    assert_eq!(
        run(
            &db,
            "SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 OFFSET 1 ROWS",
            &[]
        )
        .len(),
        2
    );
}

#[test]
fn example_app_todo() {
    let db = db();
    run(
        &db,
        "CREATE TABLE todo (id serial primary key, title text not null, done boolean default false, \
         created timestamptz default now(), key uuid default gen_random_uuid())",
        &[],
    );
    let rows = run(
        &db,
        "INSERT INTO todo (title) VALUES ('ship it') RETURNING id, done",
        &[],
    );
    assert_eq!(rows, vec![vec![int(1), int(0)]]);
    let rows = run(
        &db,
        "INSERT INTO public.todo (title, done) VALUES ($1, true) RETURNING id, key",
        &[text("test it")],
    );
    assert_eq!(rows[0][0], int(2));
    assert!(matches!(&rows[0][1], Value::Text(u) if u.len() == 36 && &u[14..15] == "4"));
    let rows = run(
        &db,
        "UPDATE todo SET done = NOT done WHERE id = $1 RETURNING done",
        &[int(1)],
    );
    assert_eq!(rows, vec![vec![int(1)]]);
    let rows = run(&db, "SELECT count(*) FROM todo WHERE done IS TRUE", &[]);
    assert_eq!(rows, vec![vec![int(2)]]);
    let rows = run(&db, "DELETE FROM todo WHERE id = 2 RETURNING title", &[]);
    assert_eq!(rows, vec![vec![text("test it")]]);
}

#[test]
fn upsert_and_multi_statement_ddl() {
    let db = db();
    run(
        &db,
        "CREATE TABLE kv (k text PRIMARY KEY, v int NOT NULL)",
        &[],
    );
    run(&db, "CREATE TABLE a (x int); CREATE TABLE b (y int)", &[]);
    for v in [1, 2] {
        run(
            &db,
            "INSERT INTO kv (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = EXCLUDED.v",
            &[text("key"), int(v)],
        );
    }
    run(
        &db,
        "INSERT INTO kv VALUES ('key', 9) ON CONFLICT DO NOTHING",
        &[],
    );
    run(
        &db,
        "INSERT INTO kv SELECT k || '2', v FROM kv ON CONFLICT (k) DO NOTHING",
        &[],
    );
    assert_eq!(
        run(&db, "SELECT k, v FROM kv ORDER BY k", &[]),
        vec![vec![text("key"), int(2)], vec![text("key2"), int(2)]]
    );
    run(&db, "DROP TABLE a, b", &[]);
    let left: i64 = db
        .query_row(
            "SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(left, 0);
}

#[test]
fn pgbench_flow() {
    let db = db();
    let setup = [
        "drop table if exists pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
        "create table pgbench_history(tid int,bid int,aid    int,delta int,mtime timestamp,filler char(22))",
        "create table pgbench_tellers(tid int not null,bid int,tbalance int,filler char(84)) with (fillfactor=100)",
        "create table pgbench_accounts(aid    int not null,bid int,abalance int,filler char(84)) with (fillfactor=100)",
        "create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100)",
        "truncate table pgbench_accounts, pgbench_branches, pgbench_history, pgbench_tellers",
        "insert into pgbench_branches(bid,bbalance) values(1,0)",
        "insert into pgbench_tellers(tid,bid,tbalance) values (1,1,0)",
        "insert into pgbench_accounts(aid,bid,abalance,filler) select aid, (aid - 1) / 100000 + 1, 0, '' from (select 1 as aid union all select 2) s",
        "alter table pgbench_branches add primary key (bid)",
        "alter table pgbench_tellers add primary key (tid)",
        "alter table pgbench_accounts add primary key (aid)",
        "vacuum analyze pgbench_branches",
        "vacuum analyze pgbench_accounts",
    ];
    for sql in setup {
        run(&db, sql, &[]);
    }
    run(&db, "BEGIN;", &[]);
    run(
        &db,
        "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;",
        &[int(5), int(2)],
    );
    assert_eq!(
        run(
            &db,
            "SELECT abalance FROM pgbench_accounts WHERE aid = $1;",
            &[int(2)]
        ),
        vec![vec![int(5)]]
    );
    run(
        &db,
        "INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);",
        &[int(1), int(1), int(2), int(5)],
    );
    let mtime = scalar(&db, "SELECT mtime FROM pgbench_history");
    assert!(matches!(mtime, Value::Text(t)
        if chrono::NaiveDateTime::parse_from_str(&t, "%Y-%m-%d %H:%M:%S%.f").is_ok()));
    // The emulated primary key rejects duplicates.
    let dup = translate("insert into pgbench_branches(bid,bbalance) values(1,0)").unwrap();
    assert!(db.execute_batch(&dup[0].sql).is_err());
}

#[test]
fn jsonpath_parameters_and_columns() {
    let db = db();
    // The session's settings (registered by the server), for `@@`.
    db.create_scalar_function(
        "current_setting",
        1,
        rusqlite::functions::FunctionFlags::SQLITE_UTF8,
        |_| Ok("english"),
    )
    .unwrap();
    run(&db, "CREATE TABLE d (id int, j jsonb)", &[]);
    run(
        &db,
        r#"INSERT INTO d VALUES (1, '{"a": [1, 5]}'), (2, '{"a": [2]}')"#,
        &[],
    );
    // A jsonb column's `@@` with a bound path: jsonpath, decided at run time.
    assert_eq!(
        run(
            &db,
            "SELECT id FROM d WHERE j @@ $1 ORDER BY id",
            &[text("$.a[*] > 4")]
        ),
        vec![vec![int(1)]]
    );
    assert_eq!(
        run(
            &db,
            "SELECT id FROM d WHERE j @? $1 ORDER BY id",
            &[text("$.a[*] ? (@ == 2)")]
        ),
        vec![vec![int(2)]]
    );
    assert_eq!(
        run(
            &db,
            "SELECT jsonb_path_query_array(j, $1, $2) FROM d WHERE id = 1",
            &[text("$.a[*] ? (@ > $x)"), text(r#"{"x": 1}"#)]
        ),
        vec![vec![text("[5]")]]
    );
    assert_eq!(
        run(
            &db,
            "SELECT id, v FROM d, jsonb_path_query(j, $1) AS v ORDER BY id, v",
            &[text("$.a[*]")]
        ),
        vec![
            vec![int(1), int(1)],
            vec![int(1), int(5)],
            vec![int(2), int(2)]
        ]
    );
}
