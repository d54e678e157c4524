//! Table-driven translation tests: PostgreSQL text in, SQLite text out.

use super::{translate, ParamHint, StmtKind, Translation};
use crate::sql::pgtype::{ArrayElem, PgType};

fn one(pg: &str) -> Translation {
    let mut out = translate(pg).unwrap_or_else(|e| panic!("{pg}: {} {}", e.code, e.message));
    assert_eq!(out.len(), 1, "{pg}");
    out.remove(0)
}

fn assert_translates(rows: &[(&str, &str)]) {
    for (pg, sqlite) in rows {
        assert_eq!(one(pg).sql, *sqlite, "{pg}");
    }
}

/// Like `assert_translates`, ignoring the `AS "name"` output-name aliases
/// (tested in `output_name_tests`), so rows show only the expression rewrite.
fn assert_translates_unaliased(rows: &[(&str, &str)]) {
    for (pg, sqlite) in rows {
        assert_eq!(strip_aliases(&one(pg).sql), *sqlite, "{pg}");
    }
}

fn strip_aliases(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    while let Some(i) = rest.find(" AS \"") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 5..];
        match after.find('"') {
            Some(j) => rest = &after[j + 1..],
            None => {
                out.push_str(&rest[i..]);
                return out;
            }
        }
    }
    out.push_str(rest);
    out
}

fn assert_error(rows: &[(&str, &str)]) {
    for (pg, code) in rows {
        match translate(pg) {
            Ok(t) => panic!("{pg}: expected {code}, got {t:?}"),
            Err(e) => assert_eq!(e.code, *code, "{pg}: {}", e.message),
        }
    }
}

fn col(table: &str, column: &str) -> ParamHint {
    ParamHint::Column {
        table: table.into(),
        column: column.into(),
    }
}

/// Drops and renames carry the objects' comments (`comments`) along.
#[test]
fn drops_and_renames_keep_comments_in_step() {
    use super::comments;
    // (DROP TABLE ... CASCADE: the drop runs after the session's view lookup.)
    let sql = |pg: &str| match translate(pg).unwrap().remove(0) {
        Translation {
            kind: StmtKind::DropTablesCascade { tables, then },
            ..
        } => {
            assert_eq!(tables, ["pgbench_accounts", "pgbench_branches"]);
            then.sql
        }
        t => t.sql,
    };
    let mut want = comments::dropped_relation("pgbench_accounts");
    want.extend(super::grants::dropped_relation("pgbench_accounts"));
    want.push(super::ddl::missing_notice("DROP TABLE", "pgbench_accounts"));
    want.push("DROP TABLE IF EXISTS pgbench_accounts".into());
    want.extend(comments::dropped_relation("pgbench_branches"));
    want.extend(super::grants::dropped_relation("pgbench_branches"));
    want.push(super::ddl::missing_notice("DROP TABLE", "pgbench_branches"));
    want.push("DROP TABLE IF EXISTS pgbench_branches".into());
    assert_eq!(
        sql("drop table if exists pgbench_accounts, pgbench_branches cascade"),
        want.join("; ")
    );
    let mut want = vec!["ALTER TABLE t RENAME TO u".to_owned()];
    want.extend(comments::renamed_relation("t", "u"));
    want.extend(super::grants::renamed_relation("t", "u"));
    assert_eq!(sql("ALTER TABLE t RENAME TO u"), want.join("; "));
    let mut want = vec!["ALTER TABLE \"T\" RENAME COLUMN A TO \"B\"".to_owned()];
    want.extend(comments::renamed_column("T", "a", "B"));
    assert_eq!(
        sql("ALTER TABLE \"T\" RENAME COLUMN A TO \"B\""),
        want.join("; ")
    );
}

/// COMMENT ON: the checks, then one write keyed by the folded names.
#[test]
fn comment_on_writes_one_keyed_row() {
    let sql = |pg: &str| translate(pg).unwrap().remove(0).sql;
    let set = sql("COMMENT ON COLUMN public.Users.\"Email\" IS $$it's$$");
    assert!(
        set.ends_with(
            "INSERT OR REPLACE INTO main.pgcat__comment (kind, obj, sub, description) \
         SELECT 'col', 'users', 'Email', 'it''s' WHERE EXISTS (SELECT 1 FROM \
         pragma_table_info('users') WHERE name = 'Email' COLLATE NOCASE)"
        ),
        "{set}"
    );
    assert!(
        set.contains("relation \"public.users\" does not exist"),
        "{set}"
    );
    for removed in ["COMMENT ON TABLE t IS NULL", "COMMENT ON TABLE t IS ''"] {
        assert!(sql(removed).ends_with(
            "DELETE FROM main.pgcat__comment WHERE kind = 'rel' AND obj = 't' AND sub = ''"
        ));
    }
    let err = |pg: &str| translate(pg).err().map(|e| e.code);
    assert_eq!(err("COMMENT ON COLUMN c IS 'x'"), Some("42601"));
    assert_eq!(err("COMMENT ON TABLE pg_other.t IS 'x'"), Some("3F000"));
    assert_eq!(err("COMMENT ON SCHEMA pg_catalog IS 'x'"), Some("42501"));
    assert_eq!(err("COMMENT ON TABLE t IS 42"), Some("42601"));
    // Objects whose comments are not kept: accepted, as before.
    assert!(matches!(
        translate("COMMENT ON EXTENSION plpgsql IS 'x'").unwrap()[0].kind,
        StmtKind::Noop { tag: "COMMENT" }
    ));
}

/// The comment readers and the catalog names in regclass casts translate
/// (their templates parse) to reads of pg_description.
#[test]
fn comment_readers_read_pg_description() {
    let t = translate(
        "SELECT obj_description(c.oid, 'pg_class'), obj_description(c.oid, n.nspname), \
         obj_description(c.oid), col_description(c.oid, 1), c.oid::regclass, \
         to_regclass('pg_catalog.pg_class'), 'pg_catalog.pg_constraint'::regclass, \
         CAST($1 AS regclass) FROM pg_class c, pg_namespace n",
    )
    .unwrap()
    .remove(0);
    assert_eq!(
        t.sql.matches("pgcat_pg_description").count(),
        4,
        "{}",
        t.sql
    );
    assert!(t.sql.contains("2606"), "{}", t.sql);
}

#[test]
fn added_primary_key_makes_its_columns_not_null() {
    use super::ColumnChange as C;
    let t = one("alter table pgbench_branches add primary key (bid)");
    let StmtKind::AlterColumns { table, changes } = t.kind else {
        panic!("{:?}", t.kind);
    };
    assert_eq!(table, "pgbench_branches");
    assert_eq!(changes.len(), 3, "{changes:?}");
    assert!(
        matches!(&changes[0], C::Run(s) if s.starts_with("SELECT pg_raise('42P16', 'multiple primary keys for table \"pgbench_branches\""))
    );
    assert_eq!(changes[1], C::SetNotNull("bid".into()));
    assert!(
        matches!(&changes[2], C::Run(s) if s == "CREATE UNIQUE INDEX IF NOT EXISTS \"pgbench_branches_pkey\" ON pgbench_branches (bid) /* pgtenant:primary key */")
    );
}

#[test]
fn ddl_statements() {
    assert_translates(&[
        (
            "create table pgbench_branches(bid int not null,bbalance int,filler char(88)) with (fillfactor=100)",
            "CREATE TABLE pgbench_branches (bid int4 NOT NULL, bbalance int4, filler char(88) COLLATE RTRIM)",
        ),
        (
            "truncate table pgbench_accounts, pgbench_branches",
            "DELETE FROM pgbench_accounts; DELETE FROM pgbench_branches",
        ),
        (
            "CREATE TABLE t (id bigint generated always as identity primary key, n numeric(10,2), d double precision, ts timestamp with time zone)",
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT DEFAULT (CAST(NULL AS \"int8 always\")), n numeric(10, 2), d float8, ts timestamptz)",
        ),
        (
            "CREATE UNIQUE INDEX IF NOT EXISTS i ON public.t USING btree (a, b)",
            "CREATE UNIQUE INDEX IF NOT EXISTS i ON t(a, b)",
        ),
        ("CREATE INDEX ON t (a)", "CREATE INDEX t_a_idx ON t(a)"),
        (
            "ALTER TABLE t ADD COLUMN c boolean DEFAULT true",
            "ALTER TABLE t ADD COLUMN c boolean DEFAULT 1",
        ),
        (
            "CREATE OR REPLACE VIEW v AS SELECT a FROM t WHERE b = true",
            "DROP VIEW IF EXISTS v; CREATE VIEW v AS /* pgtenant view: SELECT a FROM t WHERE b = true #1434bb41 */ SELECT a FROM t WHERE b = 1; SELECT 1 FROM v LIMIT 0",
        ),
    ]);
    // Keys other than int4 record their type (see `serial_key`).
    assert_translates(&[
        (
            "create table t (id bigserial primary key, n smallserial)",
            "CREATE TABLE IF NOT EXISTS \"t_n_seq\" (last_value BIGINT NOT NULL, log_cnt BIGINT NOT NULL DEFAULT 0, \
             is_called BOOLEAN NOT NULL DEFAULT 0, start_value BIGINT NOT NULL, increment_by BIGINT NOT NULL, \
             min_value BIGINT NOT NULL, max_value BIGINT NOT NULL, cache_size BIGINT NOT NULL DEFAULT 1, \
             cycle BOOLEAN NOT NULL DEFAULT 0); \
             INSERT INTO \"t_n_seq\" (last_value, start_value, increment_by, min_value, max_value, cache_size, cycle) \
             SELECT 1, 1, 1, 1, 9223372036854775807, 1, 0 WHERE NOT EXISTS (SELECT 1 FROM \"t_n_seq\"); \
             CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT DEFAULT (CAST(NULL AS int8)), \
             n int2 DEFAULT (pg_nextval('t_n_seq')) NOT NULL)",
        ),
        (
            "create table t (id smallint generated always as identity, primary key (id))",
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT DEFAULT (CAST(NULL AS \"int2 always\")))",
        ),
        (
            "create table t (id serial primary key)",
            "CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT)",
        ),
    ]);
    let t = one("create table t (id serial primary key)");
    assert_eq!(
        t.kind,
        StmtKind::Query {
            tag: "CREATE TABLE",
            returns_rows: false
        }
    );
    assert_eq!(
        one("vacuum analyze t").kind,
        StmtKind::Noop { tag: "VACUUM" }
    );
    assert_eq!(one("analyze").kind, StmtKind::Noop { tag: "ANALYZE" });
    // PostgreSQL's notice that it is there already, then nothing.
    let public = one("create schema if not exists public");
    assert!(
        public.sql.contains("already exists, skipping"),
        "{}",
        public.sql
    );
}

#[test]
fn expressions() {
    assert_translates_unaliased(&[
        (
            "SELECT $1::int4, TRUE, false",
            "SELECT CAST(?1 AS INTEGER), 1, 0",
        ),
        ("SELECT 't'::boolean, 'off'::bool", "SELECT 1, 0"),
        ("SELECT '\\x0102'::bytea", "SELECT X'0102'"),
        ("SELECT '{a,\"b c\"}'::text[]", "SELECT '[\"a\",\"b c\"]'"),
        ("SELECT ARRAY[1,2]", "SELECT json_array(1, 2)"),
        ("SELECT E'a\\nb', $$x'y$$", "SELECT 'a\nb', 'x''y'"),
        (
            "SELECT x FROM t WHERE x ILIKE 'a%'",
            "SELECT x FROM t WHERE x LIKE 'a%'",
        ),
        (
            "SELECT x FROM t WHERE x LIKE 'a_%*'",
            "SELECT x FROM t WHERE glob('a?*[*]', x)",
        ),
        (
            "SELECT x FROM t WHERE x NOT LIKE $1",
            "SELECT x FROM t WHERE NOT pg_like(x, ?1)",
        ),
        ("SELECT x ~ 'a+'", "SELECT regexp('a+', x)"),
        ("SELECT position('b' in x)", "SELECT instr(x, 'b')"),
        ("SELECT substring(x from 2 for 3)", "SELECT substr(x, 2, 3)"),
        (
            "SELECT string_agg(x, ',') FROM t",
            "SELECT group_concat(x, ',') FROM t",
        ),
        (
            "SELECT bool_and(b), array_agg(x) FROM t",
            "SELECT min(b), nullif(json_group_array(pg_column_element(x, 't', 'x')), '[]') FROM t",
        ),
        ("SELECT 1 FETCH FIRST 3 ROWS ONLY", "SELECT 1 LIMIT 3"),
        (
            "SELECT 1 LIMIT ALL OFFSET 2 ROWS",
            "SELECT 1 LIMIT -1 OFFSET 2",
        ),
        ("SELECT current_date", "SELECT date(pg_tz_local(pg_now()))"),
        (
            "SELECT now() - interval '1 day'",
            "SELECT pg_timestamp_sub(pg_now(), '1 day')",
        ),
        (
            "SELECT DATE '2024-01-02', '2024-01-02 03:04:05'::timestamp",
            "SELECT '2024-01-02', '2024-01-02 03:04:05'",
        ),
        ("SELECT pg_catalog.lower('A')", "SELECT lower('A')"),
        (
            "SELECT a FROM public.t WHERE public.t.a = 1",
            "SELECT a FROM t WHERE t.a = 1",
        ),
        (
            "SELECT * FROM pg_catalog.pg_class",
            "SELECT * FROM pgcat_pg_class AS pg_class",
        ),
    ]);
}

#[test]
fn dml_kinds_and_hints() {
    let t = one("SELECT abalance FROM pgbench_accounts WHERE aid = $1;");
    assert_eq!(
        t.sql,
        "SELECT abalance FROM pgbench_accounts WHERE aid = ?1"
    );
    assert_eq!(t.params, vec![col("pgbench_accounts", "aid")]);
    assert_eq!(t.columns, vec![None]);

    let t = one("UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;");
    assert_eq!(
        t.kind,
        StmtKind::Query {
            tag: "UPDATE",
            returns_rows: false
        }
    );
    assert_eq!(
        t.params,
        vec![
            col("pgbench_accounts", "abalance"),
            col("pgbench_accounts", "aid")
        ]
    );

    let t = one("INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP);");
    assert_eq!(
        t.params,
        ["tid", "bid", "aid", "delta"]
            .map(|c| col("pgbench_history", c))
            .to_vec()
    );

    let t = one("INSERT INTO todo (title) VALUES ('x') RETURNING id, done");
    assert_eq!(
        t.kind,
        StmtKind::Query {
            tag: "INSERT",
            returns_rows: true
        }
    );
    assert_eq!(t.columns, vec![None, None]);

    let t = one("SELECT x.a FROM items x WHERE x.b = $1 AND x.c LIKE $2 LIMIT $3");
    assert_eq!(
        t.params,
        vec![
            col("items", "b"),
            ParamHint::Type(PgType::Text),
            ParamHint::Type(PgType::Int8)
        ]
    );
    let t = one("SELECT a FROM t JOIN u ON t.id = u.id WHERE a = $1 AND $2::int8 > 0");
    assert_eq!(
        t.params,
        vec![ParamHint::Unknown, ParamHint::Type(PgType::Int8)]
    );

    let t = one("SELECT count(*), 1, 3000000000, 1.5, 'a', now(), current_date, a = 1, md5('x'), gen_random_uuid(), '{1}'::int4[] FROM t");
    assert_eq!(
        t.columns,
        vec![
            Some(PgType::Int8),
            Some(PgType::Int4),
            Some(PgType::Int8),
            Some(PgType::Numeric),
            Some(PgType::Text),
            Some(PgType::Timestamptz),
            Some(PgType::Date),
            Some(PgType::Bool),
            Some(PgType::Text),
            Some(PgType::Uuid),
            Some(PgType::Array(ArrayElem::Int4)),
        ]
    );
    assert!(one("SELECT *, 1 FROM t").columns.is_empty());
}

#[test]
fn session_commands() {
    let kinds = [
        (
            "BEGIN",
            StmtKind::Begin {
                tag: "BEGIN",
                read_only: None,
            },
        ),
        (
            "START TRANSACTION ISOLATION LEVEL REPEATABLE READ",
            StmtKind::Begin {
                tag: "START TRANSACTION",
                read_only: None,
            },
        ),
        (
            "BEGIN READ ONLY",
            StmtKind::Begin {
                tag: "BEGIN",
                read_only: Some(true),
            },
        ),
        (
            "START TRANSACTION ISOLATION LEVEL SERIALIZABLE, READ WRITE",
            StmtKind::Begin {
                tag: "START TRANSACTION",
                read_only: Some(false),
            },
        ),
        (
            "SET TRANSACTION READ ONLY",
            StmtKind::SetTransaction {
                read_only: Some(true),
                session: false,
            },
        ),
        (
            "SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY",
            StmtKind::SetTransaction {
                read_only: Some(true),
                session: true,
            },
        ),
        ("COMMIT", StmtKind::Commit),
        ("END", StmtKind::Commit),
        ("ROLLBACK", StmtKind::Rollback),
        ("ABORT", StmtKind::Rollback),
        ("SAVEPOINT s1", StmtKind::Savepoint("s1".into())),
        ("RELEASE SAVEPOINT s1", StmtKind::Release("s1".into())),
        ("RELEASE s1", StmtKind::Release("s1".into())),
        (
            "ROLLBACK TO SAVEPOINT s1",
            StmtKind::RollbackTo("s1".into()),
        ),
        (
            "SET SESSION search_path = 'public'",
            StmtKind::Set {
                name: "search_path".into(),
                value: "public".into(),
                local: false,
            },
        ),
        (
            "SET LOCAL statement_timeout TO 5000",
            StmtKind::Set {
                name: "statement_timeout".into(),
                value: "5000".into(),
                local: true,
            },
        ),
        (
            "SET TIME ZONE 'UTC'",
            StmtKind::Set {
                name: "timezone".into(),
                value: "UTC".into(),
                local: false,
            },
        ),
        (
            "SET x TO DEFAULT",
            StmtKind::Reset {
                name: Some("x".into()),
            },
        ),
        (
            "SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE",
            StmtKind::SetTransaction {
                read_only: None,
                session: true,
            },
        ),
        (
            "SET TRANSACTION ISOLATION LEVEL READ COMMITTED",
            StmtKind::SetTransaction {
                read_only: None,
                session: false,
            },
        ),
        (
            "SHOW TRANSACTION ISOLATION LEVEL",
            StmtKind::Show {
                name: "transaction_isolation".into(),
            },
        ),
        ("SHOW ALL", StmtKind::Show { name: "all".into() }),
        ("RESET ALL", StmtKind::Reset { name: None }),
        ("DISCARD ALL", StmtKind::Noop { tag: "DISCARD ALL" }),
        (
            "LISTEN c",
            StmtKind::Listen {
                channel: Some("c".into()),
                on: true,
            },
        ),
        (
            "NOTIFY c",
            StmtKind::Notify {
                channel: "c".into(),
                payload: String::new(),
            },
        ),
    ];
    for (pg, kind) in kinds {
        let t = one(pg);
        assert_eq!(t.kind, kind, "{pg}");
        assert!(t.sql.is_empty(), "{pg}");
    }
    let many = translate("BEGIN; SELECT 1; COMMIT;").unwrap();
    assert_eq!(many.len(), 3);
}

#[test]
fn errors() {
    assert_error(&[
        ("SELECT * FROM pg_acme.todo", "3F000"),
        ("SELECT * FROM pgtenant.tenants", "42501"),
        ("INSERT INTO pgtenant.tenants VALUES (1)", "42501"),
        ("SELECT load_extension('x')", "42501"),
        (
            "SELECT x FROM (SELECT readfile('/etc/passwd') AS x) s",
            "42501",
        ),
        ("WITH c AS (SELECT writefile('f', 'x')) SELECT 1", "42501"),
        ("CREATE TABLE t (a text DEFAULT sqlite_version())", "42501"),
        (
            "CREATE TABLE t (a text CHECK (LOAD_EXTENSION(a) IS NULL))",
            "42501",
        ),
        ("CREATE VIEW v AS SELECT fts3_tokenizer('x')", "42501"),
        ("SELECT * FROM sqlite_master", "42501"),
        ("SELECT * FROM pragma_table_info('t')", "42501"),
        ("VACUUM INTO '/tmp/x'", "42501"),
        ("SELEC 1", "42601"),
        ("SELECT (", "42601"),
        ("CREATE SCHEMA pg_acme", "42939"),
        ("SELECT * FROM generate_series(1, 3, 0)", "22023"),
        ("SELECT 1 SIMILAR TO b", "0A000"),
        (
            "SELECT x.b FROM t FULL JOIN LATERAL (SELECT b FROM u WHERE u.a = t.a) x ON true",
            "0A000",
        ),
        ("SELECT interval 'not an interval'", "22007"),
        ("SELECT DISTINCT ON (a) * FROM t", "0A000"),
        ("SELECT 'maybe'::boolean", "22P02"),
    ]);
    // A schema name never reaches SQLite's own schemas (`main`, `temp`) or
    // another file: it is part of one quoted name in the tenant's file.
    assert_eq!(
        one("SELECT * FROM main.t").sql,
        "SELECT * FROM \"main\u{1f}t\" AS \"t\""
    );
    assert!(one("DROP TABLE temp.t")
        .sql
        .ends_with("; DROP TABLE \"temp\u{1f}t\""));
    let err = translate("SELECT * FROM pg_acme.todo").unwrap_err();
    assert_eq!(err.message, "schema \"pg_acme\" does not exist");
    let err = translate("SELECT 1 FROM t WHERE").unwrap_err();
    assert_eq!(err.message, "syntax error at end of input");
}

/// cargo-fuzz (target translate) found inputs whose result-type inference
/// was exponential in the nesting of binary operators: they must translate
/// (or fail) at once. Without the fix this test does not finish.
#[test]
fn deeply_nested_operators_translate_in_linear_time() {
    let fuzzed = "SELECT++++S+L+CETE++\nUPD%\nUX+S+$+++++SELECT++++\nUPD%\nUX+S+$++++SELECT++++\nUPD%\nUELECT++++S+L+CETE++\nUPD%\nUX+S+$++++X+S+$++++ELET++++\nUPD%\nUP++S++++\nUPD%\nUP++$+\nUPD%\nUP++$++++ELE";
    let _ = translate(fuzzed);
    let deep = format!("SELECT {}1", "1 + ".repeat(1_000));
    let t = translate(&deep).expect("translates");
    assert_eq!(t[0].columns, vec![Some(PgType::Int4)]);
    let concat = format!("SELECT {}'x'", "'a' || ".repeat(1_000));
    let t = translate(&concat).expect("translates");
    assert_eq!(t[0].columns, vec![Some(PgType::Text)]);
    let minus = format!("SELECT {}1", "1 - ".repeat(1_000));
    assert!(translate(&minus).is_ok());
}

/// Result types through CTEs and derived tables; a real table's columns stay
/// unknown (left to the schema), even when a CTE has a column of that name.
#[test]
fn scoped_result_types() {
    let cols = |sql: &str| translate(sql).unwrap()[0].columns.clone();
    assert_eq!(
        cols("WITH t AS (SELECT 1 AS a) SELECT a FROM t"),
        vec![Some(PgType::Int4)]
    );
    assert_eq!(
        cols("WITH t(x) AS (VALUES (1), (2)) SELECT sum(x) FROM t"),
        vec![Some(PgType::Int8)]
    );
    assert_eq!(
        cols("SELECT s.v FROM (SELECT 'a' AS v) s"),
        vec![Some(PgType::Text)]
    );
    assert_eq!(
        cols("SELECT * FROM (SELECT 1 AS a, true AS b) s"),
        vec![Some(PgType::Int4), Some(PgType::Bool)]
    );
    assert_eq!(
        cols("WITH t AS (SELECT 1 AS id) SELECT id FROM users"),
        vec![None]
    );
    assert_eq!(
        cols("WITH t AS (SELECT 1 AS id) SELECT id FROM t, users"),
        vec![None]
    );
    assert_eq!(
        cols("WITH t AS (SELECT * FROM users) SELECT id FROM t"),
        vec![None]
    );
    assert_eq!(
        cols("SELECT g FROM generate_series(1, 3) AS g"),
        vec![Some(PgType::Int4)]
    );
}

#[test]
fn set_operations_and_values_resolve_each_column_over_every_branch() {
    let cols = |sql: &str| translate(sql).unwrap()[0].columns.clone();
    assert_eq!(
        cols("SELECT 1 AS n, 'a' AS t UNION SELECT 2.5, 'b' UNION SELECT NULL, NULL"),
        vec![Some(PgType::Numeric), Some(PgType::Text)]
    );
    assert_eq!(
        cols("SELECT 1::int2 UNION ALL SELECT 2::int8"),
        vec![Some(PgType::Int8)]
    );
    assert_eq!(
        cols("SELECT 1 EXCEPT SELECT 1.5::float8"),
        vec![Some(PgType::Float8)]
    );
    assert_eq!(
        cols("VALUES (1, 1), (2.5, NULL)"),
        vec![Some(PgType::Numeric), Some(PgType::Int4)]
    );
}

#[test]
fn a_grouping_name_read_as_an_input_column_is_that_column() {
    // `coalesce(country, '??') AS country`: GROUP BY country is the input
    // column (PostgreSQL looks at input columns first); the grand total's
    // row then prints '??', not NULL.
    let sql = translate(
        "SELECT coalesce(country, '??') AS country, count(*) FROM users \
         GROUP BY GROUPING SETS ((country), ())",
    )
    .unwrap()[0]
        .sql
        .clone();
    assert!(sql.contains("GROUP BY country "), "{sql}");
    assert!(
        sql.contains("SELECT coalesce(NULL, '??') AS country"),
        "{sql}"
    );
    // A name only the select list gives is the aliased expression.
    let sql = translate(
        "SELECT extract(month FROM at) AS month, count(*) FROM t GROUP BY ROLLUP (month)",
    )
    .unwrap()[0]
        .sql
        .clone();
    assert!(!sql.contains("GROUP BY month"), "{sql}");
}

#[test]
fn derived_table_column_aliases() {
    let t = translate("SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(n, s)").unwrap();
    assert!(t[0].sql.contains("column1 AS n"), "{}", t[0].sql);
    let t = translate("SELECT t.a FROM (SELECT 1, 2) AS t(a, b)").unwrap();
    assert!(
        t[0].sql.contains("AS a") && t[0].sql.contains("AS b"),
        "{}",
        t[0].sql
    );
    let e = translate("SELECT * FROM (VALUES (1)) AS v(a, b)").unwrap_err();
    assert_eq!(e.code, "42P10");
    let e = translate("SELECT * FROM (SELECT * FROM t) AS v(a)").unwrap_err();
    assert_eq!(e.code, "0A000");
}

#[test]
fn distinct_on_becomes_a_row_number_filter() {
    let t =
        translate("SELECT DISTINCT ON (a) a, b AS x FROM t ORDER BY a, b DESC LIMIT 3").unwrap();
    let sql = &t[0].sql;
    assert!(
        sql.contains("row_number() OVER (PARTITION BY a ORDER BY a"),
        "{sql}"
    );
    assert!(
        sql.contains("pgtenant_rn = 1") && sql.contains("LIMIT 3"),
        "{sql}"
    );
    assert!(sql.contains("AS \"x\""), "{sql}");
}

#[test]
fn unnest_with_ordinality_numbers_elements() {
    let t = one("SELECT colid, arridx FROM unnest(ARRAY[3, 1, 2]) WITH ORDINALITY cols(colid, arridx) ORDER BY arridx");
    assert!(t.sql.contains("key + 1"), "{}", t.sql);
    let t = one("SELECT * FROM unnest(ARRAY['a', 'b']) WITH ORDINALITY");
    assert!(t.sql.contains("\"ordinality\""), "{}", t.sql);
}

#[test]
fn unnest_zips_several_arrays() {
    let t = one(
        "SELECT * FROM unnest(ARRAY[1, 2], ARRAY['a']) WITH ORDINALITY koi(key, option, arridx)",
    );
    assert!(t.sql.contains("FULL JOIN json_each"), "{}", t.sql);
    assert!(t.sql.contains("\"arridx\""), "{}", t.sql);
}

#[test]
fn result_types_worked_out_with_the_schema() {
    use crate::sql::translate::{TableColumn, TableColumns};
    let cols = |c: &[(&str, &str)]| -> TableColumns {
        c.iter()
            .map(|(n, d)| TableColumn::from_decl(n.to_string(), d))
            .collect()
    };
    let km = cols(&[
        ("id", "int4"),
        ("batch", "int4"),
        ("big", "int8"),
        ("price", "numeric(10,2)"),
        ("at", "timestamptz"),
    ]);
    let tags = cols(&[("km_id", "int4"), ("tag", "text")]);
    let retyped = |sql: &str| {
        let t = translate(sql).unwrap().remove(0);
        let r = t.retype.unwrap_or_else(|| panic!("no retype for {sql}"));
        let schema = r
            .tables()
            .into_iter()
            .filter_map(|n| match n.as_str() {
                "km" => Some((n, km.clone())),
                "tags" => Some((n, tags.clone())),
                _ => None,
            })
            .collect();
        r.types(schema, Vec::new()).types
    };
    let scales = |sql: &str| {
        let t = translate(sql).unwrap().remove(0);
        let r = t.retype.unwrap();
        let schema = vec![("km".to_string(), km.clone())];
        r.types(schema, Vec::new()).scales
    };
    // numeric(10,2) keeps two decimals through sums and additions; a
    // product adds the scales; division depends on the values.
    assert_eq!(
        scales("SELECT sum(price), max(price) - min(price), price * 1.5, price / 2, id FROM km"),
        vec![Some(2), Some(2), Some(3), None, Some(0)]
    );
    use PgType::*;
    assert_eq!(retyped("SELECT max(batch) FROM km"), vec![Some(Int4)]);
    assert_eq!(
        retyped("SELECT max(id) + 1, sum(batch), sum(big), avg(batch), min(k.at) FROM km k"),
        vec![
            Some(Int4),
            Some(Int8),
            Some(Numeric),
            Some(Numeric),
            Some(Timestamptz)
        ]
    );
    assert_eq!(
        retyped("SELECT *, price * 2 FROM km JOIN tags ON km_id = id"),
        vec![
            Some(Int4),
            Some(Int4),
            Some(Int8),
            Some(Numeric),
            Some(Timestamptz),
            Some(Int4),
            Some(Text),
            Some(Numeric)
        ]
    );
    assert_eq!(
        retyped("SELECT t.* FROM tags t"),
        vec![Some(Int4), Some(Text)]
    );
    assert_eq!(
        retyped("SELECT t.*, (SELECT max(big) FROM km WHERE id = km_id) FROM tags t"),
        vec![Some(Int4), Some(Text), Some(Int8)]
    );
    assert_eq!(
        retyped(
            "WITH w AS (SELECT * FROM km) SELECT coalesce(max(big), 0), round(price, 1) FROM w"
        ),
        vec![Some(Int8), Some(Numeric)]
    );
    // The kept parse leaves out filters, order and limits (they type no
    // result column): the same types, scales and tables as without them.
    let filtered = "SELECT max(id) + 1, price * 1.5 FROM km k \
                    WHERE k.id IN (SELECT km_id FROM tags WHERE tag LIKE $1) AND price > 2 \
                    GROUP BY price ORDER BY 1 DESC LIMIT 5 OFFSET $2";
    assert_eq!(retyped(filtered), vec![Some(Int4), Some(Numeric)]);
    assert_eq!(scales(filtered), vec![Some(0), Some(3)]);
    let kept = translate(filtered).unwrap().remove(0).retype.unwrap();
    assert_eq!(kept.tables(), vec!["km".to_string()]);
    // A table the schema does not know stays unknown.
    assert_eq!(retyped("SELECT max(x) FROM other"), vec![None]);
    // Nothing to work out: no parse kept.
    assert!(translate("SELECT count(*) FROM km").unwrap()[0]
        .retype
        .is_none());
    assert!(translate("SELECT 1 + 1").unwrap()[0].retype.is_none());
}

#[test]
fn numeric_scales_fixed_by_the_expression() {
    let scales = |sql: &str| translate(sql).unwrap().remove(0).scales;
    assert_eq!(
        scales("SELECT 1.10 + 2.2, 0.1 * 3, 2::numeric(10,2), '1.50'::numeric, 1.5e3, 7"),
        vec![Some(2), Some(1), Some(2), Some(2), Some(0), Some(0)]
    );
    assert_eq!(
        scales("SELECT round(2.345, 2), 10.0 / 3, extract(epoch FROM now()), coalesce(1.5, 2.25)"),
        vec![Some(2), None, Some(6), None]
    );
}

#[test]
fn array_columns_read_either_stored_form() {
    assert_translates(&[
        (
            "SELECT id, unnest(tags) FROM tagged ORDER BY id, 2",
            "SELECT tagged.id AS \"id\", pg_unnest.value AS \"unnest\" FROM tagged, json_each(CASE substr(tagged.tags, 1, 1) WHEN '[' THEN tagged.tags WHEN '{' THEN pg_array(tagged.tags) ELSE '[' || replace(trim(tagged.tags), ' ', ',') || ']' END) AS pg_unnest ORDER BY id NULLS LAST, 2 NULLS LAST",
        ),
        (
            "SELECT unnest(ARRAY[1, 2])",
            "SELECT pg_srf.\"unnest\" AS \"unnest\" FROM (SELECT value AS \"unnest\" FROM json_each(json_array(1, 2))) AS pg_srf",
        ),
    ]);
    let e = translate("SELECT ARRAY[1, 2, 3][2]").unwrap_err();
    assert_eq!(e.code, "42601");
}

#[test]
fn between_symmetric_and_prefix_operators() {
    assert_translates_unaliased(&[
        (
            "SELECT a FROM t WHERE a BETWEEN SYMMETRIC 5 AND 1",
            "SELECT a FROM t WHERE (a BETWEEN 5 AND 1 OR a BETWEEN 1 AND 5)",
        ),
        (
            "SELECT a FROM t WHERE a NOT BETWEEN SYMMETRIC b + 1 AND 0",
            "SELECT a FROM t WHERE (NOT (a BETWEEN CASE pg_column_type('t', 'b') WHEN 'date' THEN date(b, (1) || ' days') ELSE +b + 1 END AND 0 OR a BETWEEN 0 AND CASE pg_column_type('t', 'b') WHEN 'date' THEN date(b, (1) || ' days') ELSE +b + 1 END))",
        ),
        (
            "SELECT a FROM t WHERE a BETWEEN ASYMMETRIC 1 AND 5",
            "SELECT a FROM t WHERE a BETWEEN 1 AND 5",
        ),
        ("SELECT |/ 4", "SELECT sqrt(CAST(4 AS REAL))"),
        ("SELECT @ -4", "SELECT abs(-4)"),
    ]);
    // The low bound ends at the first AND outside CASE ... END.
    let t = one("SELECT a BETWEEN SYMMETRIC CASE WHEN b AND c THEN 1 END AND 2 FROM t");
    assert!(t.sql.contains(" OR "), "{}", t.sql);
    let t = one("SELECT a FROM t WHERE a BETWEEN SYMMETRIC $1 AND $2");
    assert_eq!(t.params, vec![col("t", "a"), col("t", "a")]);
}

#[test]
fn data_modifying_with_runs_as_steps_only_at_the_top_level() {
    // Run as steps before the main statement (see `modifying_with`).
    for sql in [
        "WITH moved AS (DELETE FROM a WHERE id = 1 RETURNING *) INSERT INTO b SELECT * FROM moved",
        "WITH u AS (UPDATE a SET x = 1 RETURNING id) SELECT count(*) FROM u",
        "WITH i AS (INSERT INTO a VALUES (1) RETURNING *) SELECT * FROM i",
    ] {
        assert_eq!(one(sql).steps.len(), 1, "{sql}");
    }
    // Refused whole where PostgreSQL refuses it, not run in part.
    assert_error(&[
        (
            "SELECT * FROM (WITH u AS (UPDATE a SET x = 1 RETURNING id) SELECT id FROM u) s",
            "0A000",
        ),
        (
            "WITH m AS (MERGE INTO a USING b ON a.id = b.id WHEN MATCHED THEN DELETE) SELECT 1",
            "0A000",
        ),
    ]);
}

#[test]
fn regexp_matches_and_distinct_aggregates() {
    let t = one("SELECT * FROM regexp_matches('a1b2', '[0-9]', 'g')");
    assert!(t.sql.contains("json_each(pg_regexp_matches("), "{}", t.sql);
    assert_eq!(t.columns, vec![Some(PgType::Array(ArrayElem::Text))]);
    let t = one("SELECT id, regexp_matches(s, 'x') FROM t");
    assert!(t.sql.contains("t.id"), "{}", t.sql);
    assert!(
        t.sql.contains("json_each(pg_regexp_matches(t.s"),
        "{}",
        t.sql
    );
    let t = one("SELECT string_agg(DISTINCT s, ',') FROM t");
    assert!(
        t.sql
            .contains("pg_string_agg_distinct(s, ',' ORDER BY s NULLS LAST)"),
        "{}",
        t.sql
    );
    let t = one("SELECT array_agg(DISTINCT s) FROM t");
    assert!(
        t.sql
            .contains("json_group_array(DISTINCT s ORDER BY s NULLS LAST)"),
        "{}",
        t.sql
    );
}

#[test]
fn parameters_in_a_subquery_of_one_table_take_its_columns() {
    let t = one(
        "SELECT email FROM users WHERE id IN (SELECT user_id FROM orders WHERE amount > $1) \
         AND active = $2",
    );
    assert_eq!(t.params[0], col("orders", "amount"));
    // The outer query reads one table too.
    assert_eq!(t.params[1], col("users", "active"));
    // A join leaves an unqualified name to the schema (not guessed).
    let t = one("SELECT 1 FROM a JOIN b ON a.id = b.id WHERE x = $1");
    assert_eq!(t.params[0], ParamHint::Unknown);
}

#[test]
fn column_arithmetic_asks_the_schema_for_dates() {
    assert_translates(&[
        (
            "UPDATE s SET ends = ends + 7",
            "UPDATE s SET ends = pg_column_input(CASE pg_column_type('s', 'ends') WHEN 'date' \
             THEN date(ends, (7) || ' days') ELSE +ends + 7 END, 's', 'ends', 'update')",
        ),
        (
            "SELECT x.b - a FROM s x JOIN (SELECT 1 AS k) d ON true",
            // b minus an interval column `a` moves b; two intervals subtract.
            "SELECT CASE pg_column_type('s', 'b') WHEN 'date' THEN \
             CASE pg_column_type('s,?', 'a') WHEN 'interval' THEN pg_timestamp_sub(x.b, a) \
             ELSE CASE pg_column_type('s,?', 'a') \
             WHEN 'date' THEN pg_to_int4((julianday(x.b) - julianday(a))) \
             ELSE date(x.b, (-(a)) || ' days') END END \
             WHEN 'timestamp' THEN CASE pg_column_type('s,?', 'a') WHEN 'interval' \
             THEN pg_timestamp_sub(x.b, a) ELSE pg_timestamp_diff(x.b, a) END \
             WHEN 'timestamptz' THEN CASE pg_column_type('s,?', 'a') WHEN 'interval' \
             THEN pg_timestamp_sub(x.b, a) ELSE pg_timestamp_diff(x.b, a) END \
             WHEN 'time' THEN CASE pg_column_type('s,?', 'a') WHEN 'interval' \
             THEN pg_time_sub(x.b, a) ELSE pg_time_diff(x.b, a) END \
             WHEN 'interval' THEN CASE pg_column_type('s,?', 'a') WHEN 'interval' \
             THEN pg_interval_sub(x.b, a) ELSE +x.b - a END \
             ELSE +x.b - a END AS \"?column?\" FROM s x \
             JOIN (SELECT 1 AS k) d ON 1",
        ),
    ]);
    // Known types and intervals take the paths that need no schema; a
    // column scaled by a number may be an interval (`dur * 2`).
    assert_translates(&[(
        "SELECT n * 2, 'a' || b::text FROM s",
        "SELECT CASE pg_column_type('s', 'n') WHEN 'interval' THEN pg_interval_mul(n, 2) \
         ELSE +n * 2 END AS \"?column?\", 'a' || CAST(pg_column_text(b, 's', 'b', 1) AS TEXT) \
         AS \"?column?\" FROM s",
    )]);
    // A column turned into text prints as its declared type does.
    assert_translates(&[(
        "SELECT 'a' || b, concat(b, 1) FROM s",
        "SELECT pg_column_concat(b, 'a', 's', 'b', 1) AS \"?column?\", \
         concat(pg_column_text(b, 's', 'b', 0), 1) AS \"concat\" FROM s",
    )]);
}

/// pg_dump's `OVERRIDING SYSTEM VALUE` goes (identity columns take explicit
/// values here); `OVERRIDING USER VALUE` would discard them: 0A000. A column
/// named overriding is not the clause.
#[test]
fn insert_overriding() {
    let t = translate("INSERT INTO t (id, v) OVERRIDING SYSTEM VALUE VALUES (1, 'a')").unwrap();
    assert!(
        !t[0].sql.to_lowercase().contains("overriding"),
        "{}",
        t[0].sql
    );
    let e = translate("INSERT INTO t (v) OVERRIDING USER VALUE VALUES ('a')").unwrap_err();
    assert_eq!(e.code, "0A000");
    assert!(translate("INSERT INTO t (overriding) VALUES (1)").is_ok());
}

/// Nesting the parser takes (its recursion limit is raised from sqlparser's
/// 50) translates; nesting whose translation would copy an operand at every
/// level (`x + (subquery)` reads as date or number arithmetic, naming the
/// subquery in both branches) stops at the copy budget with 54001 instead
/// of doubling its work per level.
#[test]
fn deep_nesting_parses_and_copies_are_bounded() {
    // On a stack the size of a connection thread's (server::shards).
    std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(deep_nesting)
        .unwrap()
        .join()
        .unwrap();
}

fn deep_nesting() {
    let nest = |open: &str, inner: &str, close: &str, n: usize| {
        translate(&format!(
            "SELECT {}{inner}{}",
            open.repeat(n),
            close.repeat(n)
        ))
    };
    assert!(nest("CASE WHEN true THEN ", "1", " END", 60).is_ok());
    assert!(nest("(", "1", ")", 90).is_ok());
    assert!(nest("coalesce(", "1", ")", 45).is_ok());
    assert!(nest("(SELECT ", "1", ")", 30).is_ok());
    assert_eq!(nest("(", "1", ")", 5_000).unwrap_err().code, "54001");
    let correlated = |n| nest("(SELECT x + ", "1", " FROM t WHERE x > 0)", n);
    assert!(correlated(5).is_ok());
    assert_eq!(correlated(20).unwrap_err().code, "54001");
}

/// An untyped string literal in CASE or COALESCE takes the other branches'
/// type; alone, it is text.
#[test]
fn untyped_literal_branches_take_the_others_type() {
    let types = |sql: &str| one(sql).columns;
    assert_eq!(
        types("SELECT coalesce(NULL::jsonb, '{}'), CASE WHEN true THEN '{}' ELSE '[1]'::jsonb END"),
        [Some(PgType::Jsonb), Some(PgType::Jsonb)]
    );
    assert_eq!(
        types("SELECT coalesce(NULL, 'a'), CASE WHEN true THEN 'x' END"),
        [Some(PgType::Text), Some(PgType::Text)]
    );
}

/// enum_range and friends name the type their argument is cast to.
#[test]
fn enum_functions_name_their_type() {
    assert_translates_unaliased(&[
        (
            "SELECT enum_range(NULL::mood), enum_first(NULL::mood), enum_last('x'::mood)",
            "SELECT pg_enum_range('mood'), pg_enum_first('mood'), pg_enum_last('mood')",
        ),
        (
            "SELECT enum_range('a'::mood, NULL::mood), txid_current()",
            "SELECT pg_enum_range('mood', pg_enum_in('a', 'mood') COLLATE \"pgcat_enum_mood\", \
             pg_enum_in(NULL, 'mood') COLLATE \"pgcat_enum_mood\"), pg_xact_id()",
        ),
        // A column's type is its declaration, read when the statement runs.
        (
            "SELECT enum_first(t.prio) FROM task t",
            "SELECT pg_enum_first(pg_column_decl('task', 'prio')) FROM task t",
        ),
    ]);
    assert_eq!(
        one("SELECT enum_range(NULL::mood)").columns,
        [Some(PgType::Array(ArrayElem::Text))]
    );
    assert_error(&[
        ("SELECT enum_range(NULL)", "42804"),
        ("SELECT enum_first(NULL::mood, NULL::mood)", "42883"),
    ]);
}

/// A call of a function the translator does not know keeps its statement
/// for retyping; the executor's return types then type it, aliased or in
/// an expression (a tenant's function, see `routines`).
#[test]
fn tenant_function_results_typed_by_their_return_types() {
    let t = translate("SELECT add_em(1, 2) AS total, add_em(1, 2) + 1, upper('a')")
        .unwrap()
        .remove(0);
    let r = t
        .retype
        .expect("a statement calling an unknown function is kept");
    assert_eq!(
        r.functions(),
        vec!["add_em".to_string(), "upper".to_string()]
    );
    let types = r
        .types(Vec::new(), vec![("add_em".to_string(), PgType::Int4)])
        .types;
    assert_eq!(
        types,
        vec![Some(PgType::Int4), Some(PgType::Int4), Some(PgType::Text)]
    );
    let unknown = r.types(Vec::new(), Vec::new()).types;
    assert_eq!(unknown[0], None);
}

#[test]
fn division_over_columns_asks_their_types() {
    // Outside the result columns: real division when a column is numeric.
    let t = one("SELECT id FROM nd WHERE (a * 2) / 8 > 2 ORDER BY a % 3");
    assert!(
        t.sql.contains(
            "pg_div((CASE pg_column_type('nd', 'a') WHEN 'interval' THEN pg_interval_mul(a, 2) \
             ELSE +a * 2 END), 8, pg_column_type('nd', 'a') IN ('numeric')) > 2"
        ),
        "{}",
        t.sql
    );
    assert!(t.sql.contains("pg_mod("), "{}", t.sql);
    // A known numeric divides as one; integers and floats as SQLite does.
    let t = one("SELECT 1 FROM nd WHERE a / 2.5 > 1 AND 7 / 2 = 3 AND a / 2.0::float8 > 1");
    assert!(t.sql.contains("pg_div(a, 2.5, 1)"), "{}", t.sql);
    assert_eq!(t.sql.matches("pg_div(").count(), 1, "{}", t.sql);
    // A result column of such arithmetic is exact when the column is numeric.
    let t = one("SELECT (a * 2) / 8 FROM nd");
    assert!(
        t.sql.contains("pg_numeric_div((pg_numeric_mul(a, 2)), 8)"),
        "{}",
        t.sql
    );
    assert!(t.sql.contains("NOT (pg_column_type"), "{}", t.sql);
    // A scalar subquery's column is looked up in its own FROM.
    let t = one("SELECT (SELECT max(w) FROM other) / a FROM nd");
    assert!(
        t.sql.contains("pg_column_type('other;nd', 'w')"),
        "{}",
        t.sql
    );
}

#[test]
fn an_unconstrained_numeric_operand_leaves_a_least_scale() {
    use crate::sql::encode::SCALE_AT_LEAST;
    use crate::sql::translate::{TableColumn, TableColumns};
    let t = translate("SELECT cost * price, cost + price, sum(cost * qty), cost * 2 FROM bk")
        .unwrap()
        .remove(0);
    let bk: TableColumns = [
        ("cost", "numeric"),
        ("price", "numeric(10,2)"),
        ("qty", "int4"),
    ]
    .iter()
    .map(|(n, d)| TableColumn::from_decl(n.to_string(), d))
    .collect();
    let scales = t
        .retype
        .unwrap()
        .types(vec![("bk".to_string(), bk)], Vec::new())
        .scales;
    assert_eq!(
        scales,
        vec![
            Some(2 | SCALE_AT_LEAST),
            Some(2 | SCALE_AT_LEAST),
            None,
            None
        ]
    );
}

#[test]
fn money_is_refused_not_passed_through() {
    for sql in ["SELECT 1::money", "CREATE TABLE m (amount money)"] {
        let e = translate(sql).unwrap_err();
        assert_eq!(e.code, "0A000", "{sql}");
        assert!(e.message.contains("money"), "{}", e.message);
    }
}

#[test]
fn count_of_a_row_counts_its_table_rowid() {
    assert_translates(&[
        (
            "SELECT count(e.*) FROM a LEFT JOIN e ON e.a = a.id GROUP BY a.id",
            "SELECT count(\"e\".rowid) AS \"count\" FROM a LEFT JOIN e ON e.a = a.id GROUP BY a.id",
        ),
        // A WITH query has no rowid: left as written (SQLite refuses it).
        (
            "WITH w AS (SELECT 1 AS x) SELECT count(w.*) FROM w",
            "WITH w AS (SELECT 1 AS x) SELECT count(w.*) AS \"count\" FROM w",
        ),
    ]);
}

#[test]
fn string_constants_across_lines_concatenate() {
    assert_translates_unaliased(&[
        ("SELECT 'a'\n'b'", "SELECT 'ab'"),
        ("SELECT 'a' -- note\n  'b'\n'c'", "SELECT 'abc'"),
    ]);
}

#[test]
fn string_constants_on_one_line_are_a_syntax_error() {
    let err = translate("SELECT 'a' 'b'").unwrap_err();
    assert_eq!(
        (err.code, err.message.as_str()),
        ("42601", "syntax error at or near \"'b'\"")
    );
    let err = translate("SELECT 'a'\n'b' 'c'").unwrap_err();
    assert_eq!(err.message, "syntax error at or near \"'c'\"");
}

#[test]
fn only_before_a_table_name_goes() {
    for (pg, want) in [
        ("SELECT * FROM ONLY t", "FROM t"),
        ("UPDATE ONLY t SET a = 1", "UPDATE t SET"),
        ("DELETE FROM ONLY t WHERE a = 1", "DELETE FROM t WHERE"),
        ("SELECT 1 FROM a JOIN ONLY b ON true", "JOIN b ON"),
    ] {
        let t = one(pg);
        assert!(t.sql.contains(want), "{pg}: {}", t.sql);
    }
    // FETCH FIRST ... ROWS ONLY keeps its word.
    let t = one("SELECT 1 FROM t FETCH FIRST 1 ROWS ONLY");
    assert!(t.sql.contains("LIMIT 1"), "{}", t.sql);
}

#[test]
fn exclusion_constraints_become_triggers() {
    let out = translate(
        "CREATE TABLE rsv (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&))",
    )
    .unwrap();
    let sql: Vec<&str> = out.iter().map(|t| t.sql.as_str()).collect();
    let all = sql.join("\n");
    assert!(!all.contains("EXCLUDE"), "{all}");
    assert!(all.contains("AFTER INSERT ON \"rsv\""), "{all}");
    assert!(all.contains("AFTER UPDATE ON \"rsv\""), "{all}");
    assert!(
        all.contains(
            "pg_x.\"room\" = NEW.\"room\" AND pg_range_overlaps(pg_x.\"during\", NEW.\"during\")"
        ),
        "{all}"
    );
    assert!(all.contains("rsv_room_during_excl"), "{all}");
    let e = translate("CREATE TABLE r (a int, EXCLUDE USING gist (a WITH <->))").unwrap_err();
    assert_eq!(e.code, "0A000");
    let e = translate("CREATE TABLE r (a int, EXCLUDE (a WITH =) WHERE (a > 0))").unwrap_err();
    assert_eq!(e.code, "0A000");
}

#[test]
fn range_operators_and_bounds_of_known_ranges() {
    let t = one("SELECT int4range(1, 10) @> 5, lower('[1,5)'::int4range), isempty(r) FROM t");
    assert!(
        t.sql
            .contains("pg_range_contains(pg_range_make(1, 10, '[)', 'int4range'), 5)"),
        "{}",
        t.sql
    );
    assert!(t.sql.contains("pg_range_lower('[1,5)')"), "{}", t.sql);
    assert!(t.sql.contains("pg_range_isempty(r)"), "{}", t.sql);
    assert_eq!(t.columns[1], Some(PgType::Int4));
    let e = translate("SELECT '[5,1)'::int4range").unwrap_err();
    assert_eq!(e.code, "22000");
}

/// A type name called like a function is the cast (`spelled_out`): typed,
/// its parameter typed, and a call that is not one (two arguments, a
/// quoted name) left alone.
#[test]
fn type_names_called_like_functions_are_casts() {
    let t = one("SELECT text(a), pg_catalog.int4('5'), float8(a) FROM t WHERE a = int8($1)");
    assert_eq!(
        t.columns,
        vec![Some(PgType::Text), Some(PgType::Int4), Some(PgType::Float8)]
    );
    assert_eq!(t.params, vec![ParamHint::Type(PgType::Int8)]);
    assert!(one("SELECT \"text\"(a) FROM t").sql.contains("\"text\"(a)"));
    assert!(one("SELECT text(a, b) FROM t").sql.contains("text(a, b)"));
}

#[test]
fn parameters_of_unknown_functions_are_the_tenant_routines_after_every_other_rule() {
    let routine = |name: &str, nargs, index| ParamHint::Routine {
        name: name.to_string(),
        nargs,
        index,
    };
    let params = |sql: &str| translate(sql).unwrap().remove(0).params;
    assert_eq!(
        params("SELECT public.total_of($1, 'a', $2) FROM t WHERE lower(name) = $3"),
        vec![
            routine("total_of", 3, 0),
            routine("total_of", 3, 2),
            ParamHint::Type(PgType::Text)
        ]
    );
    // A cast, a comparison or a known function's signature says more.
    assert_eq!(
        params("SELECT f($1::int8, $2), g($2) FROM t WHERE f($3, 1) > 0 AND $3 = 'x'"),
        vec![
            ParamHint::Type(PgType::Int8),
            routine("f", 2, 1),
            ParamHint::Type(PgType::Text)
        ]
    );
}

#[test]
fn select_into_creates_the_table() {
    // Exactly what the CREATE TABLE AS spelling translates to.
    let same = |into: &str, create: &str| {
        assert_eq!(
            format!("{:?}", translate(into).unwrap()),
            format!("{:?}", translate(create).unwrap()),
            "{into}"
        );
    };
    same(
        "SELECT n, n * 2 AS twice INTO t3 FROM t2 WHERE n > 1",
        "CREATE TABLE t3 AS SELECT n, n * 2 AS twice FROM t2 WHERE n > 1",
    );
    same(
        "SELECT 1 AS x INTO TEMP scratch",
        "CREATE TEMP TABLE scratch AS SELECT 1 AS x",
    );
}
