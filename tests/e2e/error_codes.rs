//! SQLSTATE codes seen through `err.code()`, for both protocols, and the
//! connection staying usable after each error.

use crate::common;

use common::{db_error, sqlstate, TestServer};
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

async fn schema(server: &TestServer) -> Client {
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE);
             CREATE TABLE child (
                 id int PRIMARY KEY,
                 parent_id int NOT NULL REFERENCES parent (id),
                 qty int CHECK (qty > 0)
             );
             INSERT INTO parent VALUES (1, 'a');
             INSERT INTO child VALUES (1, 1, 5);",
        )
        .await
        .expect("schema");
    client
}

/// Runs `sql` with both protocols and checks both report `code`.
async fn both_protocols(client: &Client, sql: &str, code: &SqlState) {
    let simple = client.simple_query(sql).await;
    assert_eq!(&sqlstate(simple), code, "simple protocol: {sql}");
    let extended = client.execute(sql, &[]).await;
    assert_eq!(&sqlstate(extended), code, "extended protocol: {sql}");
    // The connection is still usable after the error.
    let one: i32 = client
        .query_one("SELECT 1::int4", &[])
        .await
        .expect("connection usable after an error")
        .get(0);
    assert_eq!(one, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unique_violation_23505() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    both_protocols(
        &client,
        "INSERT INTO parent VALUES (1, 'b')",
        &SqlState::UNIQUE_VIOLATION,
    )
    .await;
    both_protocols(
        &client,
        "INSERT INTO parent VALUES (2, 'a')",
        &SqlState::UNIQUE_VIOLATION,
    )
    .await;
    let err = db_error(
        client
            .execute("INSERT INTO parent VALUES (2, 'a')", &[])
            .await,
    );
    assert!(
        err.message()
            .starts_with("duplicate key value violates unique constraint"),
        "{}",
        err.message()
    );
    assert_eq!(err.detail(), Some("Key (code)=(a) already exists."));
    // The duplicate's values come from bound parameters and from the row
    // an UPDATE writes, in both protocols; nothing of the explaining run
    // is left (the row count, and the next statement working).
    let err = db_error(
        client
            .execute(
                "INSERT INTO parent VALUES ($1, $2), ($3, $4)",
                &[&5i32, &"e", &1i32, &"z"],
            )
            .await,
    );
    assert_eq!(err.constraint(), Some("parent_pkey"));
    assert_eq!(err.detail(), Some("Key (id)=(1) already exists."));
    client
        .batch_execute("INSERT INTO parent VALUES (2, 'b')")
        .await
        .expect("a second parent");
    let err = db_error(
        client
            .simple_query("UPDATE parent SET code = 'a' WHERE id = 2")
            .await,
    );
    assert_eq!(err.detail(), Some("Key (code)=(a) already exists."));
    let n: i64 = client
        .query_one("SELECT count(*) FROM parent", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(n, 2);
}

/// The table, column and constraint fields drivers expose (psycopg's
/// `diag.constraint_name`), with the names PostgreSQL gives: a written
/// constraint name, a unique index's name, or the default `t_col_key`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integrity_errors_name_their_table_column_and_constraint() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    client
        .batch_execute(
            "CREATE TABLE uq (id serial PRIMARY KEY, email text UNIQUE, a int, b int,
                 code text NOT NULL, CONSTRAINT uq_ab UNIQUE (a, b), CONSTRAINT pos CHECK (a > 0));
             CREATE UNIQUE INDEX uq_code_idx ON uq (code);
             INSERT INTO uq (email, a, b, code) VALUES ('x@y', 1, 1, 'c1');",
        )
        .await
        .expect("schema");
    for (sql, column, constraint) in [
        (
            "INSERT INTO uq (email, a, b, code) VALUES ('x@y', 2, 2, 'c2')",
            None,
            Some("uq_email_key"),
        ),
        (
            "INSERT INTO uq (email, a, b, code) VALUES ('z', 1, 1, 'c3')",
            None,
            Some("uq_ab"),
        ),
        (
            "INSERT INTO uq (email, a, b, code) VALUES ('w', 3, 3, 'c1')",
            None,
            Some("uq_code_idx"),
        ),
        (
            "INSERT INTO uq (id, email, a, b, code) VALUES (1, 'v', 4, 4, 'c9')",
            None,
            Some("uq_pkey"),
        ),
        (
            "INSERT INTO uq (email, a, b, code) VALUES ('u', -1, 5, 'c5')",
            None,
            Some("pos"),
        ),
        (
            "INSERT INTO uq (email, a, b, code) VALUES ('t', 6, 6, NULL)",
            Some("code"),
            None,
        ),
    ] {
        let err = db_error(client.execute(sql, &[]).await);
        assert_eq!(err.schema(), Some("public"), "{sql}");
        assert_eq!(err.table(), Some("uq"), "{sql}");
        assert_eq!(err.column(), column, "{sql}");
        assert_eq!(err.constraint(), constraint, "{sql}");
        if let Some(name) = constraint {
            assert!(
                err.message().contains(&format!("\"{name}\"")),
                "{}",
                err.message()
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn not_null_violation_23502() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    both_protocols(
        &client,
        "INSERT INTO child (id, parent_id, qty) VALUES (2, NULL, 1)",
        &SqlState::NOT_NULL_VIOLATION,
    )
    .await;
    let none: Option<i32> = None;
    let err = client
        .execute(
            "INSERT INTO child (id, parent_id, qty) VALUES ($1, $2, $3)",
            &[&3i32, &none, &1i32],
        )
        .await;
    assert_eq!(sqlstate(err), SqlState::NOT_NULL_VIOLATION);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn foreign_key_violation_23503() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    both_protocols(
        &client,
        "INSERT INTO child (id, parent_id, qty) VALUES (2, 99, 1)",
        &SqlState::FOREIGN_KEY_VIOLATION,
    )
    .await;
    both_protocols(
        &client,
        "DELETE FROM parent WHERE id = 1",
        &SqlState::FOREIGN_KEY_VIOLATION,
    )
    .await;
    let count: i64 = client
        .query_one("SELECT count(*) FROM parent", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(count, 1, "the refused DELETE removed nothing");

    // PostgreSQL's message names the constraint and the key, in both
    // directions, with the values of a bound parameter too.
    let err = client
        .execute(
            "INSERT INTO child (id, parent_id, qty) VALUES ($1, $2, 1)",
            &[&3i32, &77i32],
        )
        .await;
    let e = db_error(err);
    assert_eq!(
        e.message(),
        "insert or update on table \"child\" violates foreign key constraint \"child_parent_id_fkey\""
    );
    assert_eq!(
        e.detail(),
        Some("Key (parent_id)=(77) is not present in table \"parent\".")
    );
    assert_eq!(e.constraint(), Some("child_parent_id_fkey"));
    assert_eq!(e.table(), Some("child"));
    let e = db_error(client.simple_query("DELETE FROM parent").await);
    assert_eq!(
        e.message(),
        "update or delete on table \"parent\" violates foreign key constraint \"child_parent_id_fkey\" on table \"child\""
    );
    assert_eq!(
        e.detail(),
        Some("Key (id)=(1) is still referenced from table \"child\".")
    );
    // The explaining second run left nothing behind.
    let rows: i64 = client
        .query_one("SELECT count(*) FROM child", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(rows, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_violation_23514() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    both_protocols(
        &client,
        "INSERT INTO child (id, parent_id, qty) VALUES (2, 1, 0)",
        &SqlState::CHECK_VIOLATION,
    )
    .await;
    both_protocols(
        &client,
        "UPDATE child SET qty = -1",
        &SqlState::CHECK_VIOLATION,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undefined_table_42p01() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    both_protocols(
        &client,
        "SELECT * FROM no_such_table",
        &SqlState::UNDEFINED_TABLE,
    )
    .await;
    both_protocols(
        &client,
        "INSERT INTO no_such_table VALUES (1)",
        &SqlState::UNDEFINED_TABLE,
    )
    .await;
    let err = db_error(client.query("SELECT * FROM no_such_table", &[]).await);
    assert_eq!(err.message(), "relation \"no_such_table\" does not exist");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn undefined_column_42703() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    both_protocols(
        &client,
        "SELECT no_such_column FROM parent",
        &SqlState::UNDEFINED_COLUMN,
    )
    .await;
    both_protocols(
        &client,
        "UPDATE parent SET no_such_column = 1",
        &SqlState::UNDEFINED_COLUMN,
    )
    .await;
    let err = client
        .prepare("SELECT id FROM parent WHERE nope = $1")
        .await;
    assert_eq!(sqlstate(err), SqlState::UNDEFINED_COLUMN);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn syntax_error_42601() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    both_protocols(&client, "SELEC 1", &SqlState::SYNTAX_ERROR).await;
    both_protocols(
        &client,
        "SELECT * FROM parent WHERE",
        &SqlState::SYNTAX_ERROR,
    )
    .await;
    both_protocols(
        &client,
        "INSERT INTO parent VALUES (1",
        &SqlState::SYNTAX_ERROR,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_in_the_middle_of_a_batch_reports_its_code() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    let err = client
        .batch_execute("SELECT 1; SELECT * FROM no_such_table; SELECT 2")
        .await;
    assert_eq!(sqlstate(err), SqlState::UNDEFINED_TABLE);
}

/// Column input checks follow the current declaration: the declarations a
/// session read are forgotten when the schema changes, on its own
/// connection or another session's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn column_input_follows_schema_changes() {
    let server = TestServer::start().await;
    let a = server.fresh_tenant("acme").await;
    let b = server.connect_tenant("acme", "alice", "s3cret").await;
    a.batch_execute("CREATE TABLE t (code varchar(3), n smallint)")
        .await
        .unwrap();
    let insert = "INSERT INTO t (code, n) VALUES ($1, $2)";
    a.execute(insert, &[&"abc", &1i16]).await.unwrap();
    let e = a.execute(insert, &[&"abcd", &1i16]).await;
    assert_eq!(sqlstate(e), SqlState::STRING_DATA_RIGHT_TRUNCATION);
    // The same session changes the table.
    a.batch_execute("DROP TABLE t; CREATE TABLE t (code varchar(5), n smallint)")
        .await
        .unwrap();
    a.execute(insert, &[&"abcd", &2i16]).await.unwrap();
    let e = a.execute(insert, &[&"abcdef", &2i16]).await;
    assert_eq!(sqlstate(e), SqlState::STRING_DATA_RIGHT_TRUNCATION);
    // Another session changes it: the first one sees the new declaration.
    b.batch_execute("DROP TABLE t; CREATE TABLE t (code varchar(8), n int)")
        .await
        .unwrap();
    a.execute(insert, &[&"abcdef", &3i32]).await.unwrap();
    let simple = a
        .simple_query("INSERT INTO t (code, n) VALUES ('abcdefghi', 1)")
        .await;
    assert_eq!(sqlstate(simple), SqlState::STRING_DATA_RIGHT_TRUNCATION);
    a.simple_query("INSERT INTO t (code, n) VALUES ('x', 40000)")
        .await
        .expect("40000 fits the new int column");
    let n: i64 = a
        .query_one("SELECT count(*) FROM t", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 2);
}

/// NOT NULL and CHECK violations carry PostgreSQL's `Failing row contains
/// (...)` DETAIL: the whole new row, each value as its type prints, from
/// literals, bound parameters (the first failing row of several) and an
/// UPDATE's new row; nothing of the explaining run stays.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_row_details_23502_23514() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL,
                 qty int CHECK (qty > 0), active boolean DEFAULT true,
                 price numeric(6,2), seen timestamptz, tags text[]);
             INSERT INTO item VALUES (1, 'one', 1, true, 1.5, '2024-01-02 03:04:05+00', '{a}');",
        )
        .await
        .expect("schema");
    let none: Option<&str> = None;
    let err = db_error(
        client
            .execute(
                "INSERT INTO item (id, name, qty, price) VALUES ($1, $2, $3, 2.5)",
                &[&2i32, &none, &3i32],
            )
            .await,
    );
    assert_eq!(err.code(), &SqlState::NOT_NULL_VIOLATION);
    assert_eq!(
        err.message(),
        "null value in column \"name\" of relation \"item\" violates not-null constraint"
    );
    assert_eq!(
        err.detail(),
        Some("Failing row contains (2, null, 3, t, 2.50, null, null).")
    );
    assert_eq!((err.table(), err.column()), (Some("item"), Some("name")));
    // Several rows from parameters: the first one that fails.
    let err = db_error(
        client
            .execute(
                "INSERT INTO item (id, name, qty, active, tags) VALUES ($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10), ($11, $12, $13, $14, $15)",
                &[
                    &3i32, &"ok", &1i32, &false, &vec!["x"],
                    &4i32, &"bad", &0i32, &false, &vec!["y z", "w"],
                    &5i32, &"worse", &-1i32, &true, &vec!["v"],
                ],
            )
            .await,
    );
    assert_eq!(err.code(), &SqlState::CHECK_VIOLATION);
    assert_eq!(
        err.message(),
        "new row for relation \"item\" violates check constraint \"item_qty_check\""
    );
    assert_eq!(
        err.detail(),
        Some("Failing row contains (4, bad, 0, f, null, null, {\"y z\",w}).")
    );
    assert_eq!(
        (err.table(), err.constraint()),
        (Some("item"), Some("item_qty_check"))
    );
    // An UPDATE's new row, in a transaction block, by the simple protocol.
    client.batch_execute("BEGIN").await.expect("begin");
    let err = db_error(
        client
            .simple_query("UPDATE item SET qty = qty - 5, active = false WHERE id = 1")
            .await,
    );
    assert_eq!(
        err.detail(),
        Some("Failing row contains (1, one, -4, f, 1.50, 2024-01-02 03:04:05+00, {a}).")
    );
    client.batch_execute("ROLLBACK").await.expect("rollback");
    let rows: i64 = client
        .query_one("SELECT count(*) FROM item", &[])
        .await
        .expect("count")
        .get(0);
    assert_eq!(rows, 1, "the explaining runs left no row");
    let qty: i32 = client
        .query_one("SELECT qty FROM item WHERE id = 1", &[])
        .await
        .expect("qty")
        .get(0);
    assert_eq!(qty, 1);
}

/// The bulk insert applications send: one JSON parameter spread into the
/// table's rows by `jsonb_populate_recordset(null::t, $1)`, each value read
/// as its column's type; a bad value is 22P02 naming it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn populate_recordset_from_a_parameter() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL, active boolean,
                 price numeric(6,2), seen timestamptz)",
        )
        .await
        .expect("schema");
    let rows = serde_json::json!([
        {"id": 1, "name": "a", "active": true, "price": 2.5, "seen": "2024-01-02T03:04:05+02:00"},
        {"id": 2, "name": "b", "extra": "ignored"}
    ]);
    let n = client
        .execute(
            "INSERT INTO item SELECT * FROM jsonb_populate_recordset(null::item, $1)",
            &[&rows],
        )
        .await
        .expect("bulk insert");
    assert_eq!(n, 2);
    let got = client
        .query(
            "SELECT id, name, active, price::text, seen::text FROM item ORDER BY id",
            &[],
        )
        .await
        .expect("rows");
    let text: Vec<String> = got
        .iter()
        .map(|r| {
            format!(
                "{} {} {:?} {:?} {:?}",
                r.get::<_, i32>(0),
                r.get::<_, String>(1),
                r.get::<_, Option<bool>>(2),
                r.get::<_, Option<String>>(3),
                r.get::<_, Option<String>>(4)
            )
        })
        .collect();
    assert_eq!(
        text,
        [
            "1 a Some(true) Some(\"2.50\") Some(\"2024-01-02 01:04:05+00\")",
            "2 b None None None"
        ]
    );
    let err = db_error(
        client
            .execute(
                "INSERT INTO item SELECT * FROM jsonb_populate_recordset(null::item, $1)",
                &[&serde_json::json!([{"id": "x", "name": "c"}])],
            )
            .await,
    );
    assert_eq!(err.code(), &SqlState::INVALID_TEXT_REPRESENTATION);
    assert_eq!(
        err.message(),
        "invalid input syntax for type integer: \"x\""
    );
    // A NOT NULL violation names the row the JSON made.
    let err = db_error(
        client
            .execute(
                "INSERT INTO item SELECT * FROM jsonb_populate_recordset(null::item, $1)",
                &[&serde_json::json!([{"id": 3, "name": null, "active": false}])],
            )
            .await,
    );
    assert_eq!(
        err.detail(),
        Some("Failing row contains (3, null, f, null, null).")
    );
}

/// An error names where in the statement it is (psql's `LINE 1:` and
/// caret): the missing column, relation or function, the bad literal, the
/// ORDER BY position; over both protocols, as PostgreSQL's parser reports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_the_position_they_point_at() {
    use tokio_postgres::error::ErrorPosition;
    let server = TestServer::start().await;
    let client = schema(&server).await;
    let cases = [
        ("SELECT nope FROM parent", 8),
        ("SELECT p.nope FROM parent p", 8),
        ("SELECT *\nFROM missing_table", 15),
        ("SELECT id FROM parent WHERE no_such_fn(id) > 0", 29),
        ("SELECT id FROM parent ORDER BY 7", 32),
        ("SELECT count(*) FROM parent WHERE count(*) > 1", 35),
    ];
    for (sql, want) in cases {
        let simple = client.simple_query(sql).await.expect_err(sql);
        let extended = client.query(sql, &[]).await.expect_err(sql);
        for (protocol, e) in [("simple", simple), ("extended", extended)] {
            let e = db_error(Err::<(), _>(e));
            assert_eq!(
                e.position(),
                Some(&ErrorPosition::Original(want)),
                "{protocol}: {sql}: {}",
                e.message()
            );
        }
    }
    // A literal the statement's column cannot take (simple protocol: the
    // literal is in the text).
    let e = db_error(
        client
            .simple_query("SELECT * FROM parent WHERE id = 'abc'")
            .await,
    );
    assert_eq!(e.code(), &SqlState::INVALID_TEXT_REPRESENTATION);
    assert_eq!(e.position(), Some(&ErrorPosition::Original(33)));
    // DDL errors carry none, as PostgreSQL's.
    let e = db_error(
        client
            .simple_query("ALTER TABLE parent RENAME COLUMN nope TO x")
            .await,
    );
    assert_eq!(e.position(), None, "{}", e.message());
}

/// A misspelled column gets PostgreSQL's hint naming the closest one (by
/// its relation's alias), over both protocols; a name nothing is close to
/// gets none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_misspelled_column_hints_the_closest() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    let cases = [
        ("SELECT cod FROM parent", Some("\"parent.code\"")),
        ("SELECT p.cod FROM parent p", Some("\"p.code\"")),
        (
            "SELECT qtyy FROM child c JOIN parent p ON p.id = c.parent_id",
            Some("\"c.qty\""),
        ),
        ("SELECT zzzzzz FROM parent", None),
    ];
    for (sql, want) in cases {
        let simple = db_error(client.simple_query(sql).await);
        let extended = db_error(client.query(sql, &[]).await);
        for (protocol, e) in [("simple", simple), ("extended", extended)] {
            assert_eq!(e.code(), &SqlState::UNDEFINED_COLUMN, "{sql}");
            let hint = e.hint().map(str::to_owned);
            match want {
                Some(column) => assert_eq!(
                    hint.as_deref(),
                    Some(format!("Perhaps you meant to reference the column {column}.").as_str()),
                    "{protocol}: {sql}"
                ),
                None => assert_eq!(hint, None, "{protocol}: {sql}"),
            }
        }
    }
}

/// DROP without CASCADE of what others depend on: 2BP01 naming each
/// dependent in the DETAIL, with PostgreSQL's HINT, and nothing dropped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_what_others_depend_on_names_them() {
    let server = TestServer::start().await;
    let client = schema(&server).await;
    client
        .batch_execute(
            "CREATE VIEW parent_codes AS SELECT code FROM parent;
             CREATE TYPE mood AS ENUM ('sad', 'ok');
             CREATE TABLE diary (day date, feel mood);",
        )
        .await
        .unwrap();
    let cases = [
        (
            "DROP TABLE parent",
            "cannot drop table parent because other objects depend on it",
            "constraint child_parent_id_fkey on table child depends on table parent\n\
             view parent_codes depends on table parent",
        ),
        (
            "DROP TYPE mood",
            "cannot drop type mood because other objects depend on it",
            "column feel of table diary depends on type mood",
        ),
    ];
    for (sql, message, detail) in cases {
        let simple = db_error(client.simple_query(sql).await);
        let extended = db_error(client.execute(sql, &[]).await);
        for e in [simple, extended] {
            assert_eq!(e.code(), &SqlState::DEPENDENT_OBJECTS_STILL_EXIST, "{sql}");
            assert_eq!(e.message(), message);
            assert_eq!(e.detail(), Some(detail), "{sql}");
            assert_eq!(
                e.hint(),
                Some("Use DROP ... CASCADE to drop the dependent objects too.")
            );
        }
    }
    let n: i64 = client
        .query_one("SELECT count(*) FROM parent", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    client
        .batch_execute("DROP TYPE mood CASCADE")
        .await
        .unwrap();
}

/// A table referring to itself: deleting (or re-keying) a referenced row
/// is reported as PostgreSQL does, from the referenced side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn self_referencing_violations_name_the_right_side() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE emp (id int PRIMARY KEY, boss int REFERENCES emp (id));
             INSERT INTO emp VALUES (1, NULL), (2, 1);",
        )
        .await
        .unwrap();
    let referenced = (
        "update or delete on table \"emp\" violates foreign key constraint \"emp_boss_fkey\" on table \"emp\"",
        "Key (id)=(1) is still referenced from table \"emp\".",
    );
    let missing = (
        "insert or update on table \"emp\" violates foreign key constraint \"emp_boss_fkey\"",
        "Key (boss)=(9) is not present in table \"emp\".",
    );
    for (sql, (message, detail)) in [
        ("DELETE FROM emp WHERE id = 1", referenced),
        ("UPDATE emp SET id = 5 WHERE id = 1", referenced),
        ("UPDATE emp SET boss = 9 WHERE id = 2", missing),
        ("INSERT INTO emp VALUES (3, 9)", missing),
    ] {
        let e = db_error(client.execute(sql, &[]).await);
        assert_eq!(e.code(), &SqlState::FOREIGN_KEY_VIOLATION, "{sql}");
        assert_eq!((e.message(), e.detail()), (message, Some(detail)), "{sql}");
    }
}
