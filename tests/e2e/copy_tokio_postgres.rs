//! COPY through tokio-postgres (extended protocol): copy_in in text and CSV
//! with NULLs, escapes and unicode, a bad row rolling everything back,
//! CopyFail, and copy_out round trips.

use crate::common;

use bytes::Bytes;
use common::{db_error, simple_rows, TestServer};
use futures::{SinkExt, TryStreamExt};
use tokio_postgres::Client;

async fn copy_in(
    client: &Client,
    sql: &str,
    chunks: &[&str],
) -> Result<u64, tokio_postgres::Error> {
    let sink = client.copy_in(sql).await?;
    futures::pin_mut!(sink);
    for c in chunks {
        sink.send(Bytes::from(c.to_string())).await?;
    }
    sink.finish().await
}

async fn copy_out(client: &Client, sql: &str) -> String {
    let stream = client.copy_out(sql).await.expect("copy_out starts");
    let parts: Vec<Bytes> = stream.try_collect().await.expect("copy_out data");
    String::from_utf8(parts.concat()).expect("utf8")
}

async fn rows(client: &Client, sql: &str) -> Vec<Vec<Option<String>>> {
    simple_rows(&client.simple_query(sql).await.expect(sql))
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

async fn setup(server: &TestServer) -> Client {
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE t (id int PRIMARY KEY, name text, score float8, born date, ok boolean)",
        )
        .await
        .expect("create table");
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_in_text_with_nulls_escapes_and_unicode() {
    let server = TestServer::start().await;
    let client = setup(&server).await;
    // Rows split across CopyData messages at arbitrary points.
    let n = copy_in(
        &client,
        "COPY t (id, name, score, born, ok) FROM STDIN",
        &[
            "1\tplain\t1.5\t2024-01-02\tt\n2\t\\N\t\\N\t\\N\t\\N\n3\ttab\\there\\\\back",
            "slash\\nnew\t-2\t1999-12-31\tf\n4\tgrüße ✓ 日本\t0\t2000-02-29\ttrue\n",
            "5\t\\x41\\102\t3\t2001-01-01\tno",
        ],
    )
    .await
    .expect("copy in");
    assert_eq!(n, 5);
    assert_eq!(
        rows(
            &client,
            "SELECT id, name, score, born, ok FROM t ORDER BY id"
        )
        .await,
        vec![
            vec![s("1"), s("plain"), s("1.5"), s("2024-01-02"), s("t")],
            vec![s("2"), None, None, None, None],
            vec![
                s("3"),
                s("tab\there\\backslash\nnew"),
                s("-2"),
                s("1999-12-31"),
                s("f")
            ],
            vec![s("4"), s("grüße ✓ 日本"), s("0"), s("2000-02-29"), s("t")],
            vec![s("5"), s("AB"), s("3"), s("2001-01-01"), s("f")],
        ]
    );
    // Text output escapes the same way; feeding it back gives the same rows.
    let out = copy_out(&client, "COPY t TO STDOUT").await;
    assert!(
        out.contains("3\ttab\\there\\\\backslash\\nnew\t-2\t1999-12-31\tf\n"),
        "{out}"
    );
    assert!(out.contains("2\t\\N\t\\N\t\\N\t\\N\n"), "{out}");
    client
        .batch_execute(
            "CREATE TABLE t2 (id int PRIMARY KEY, name text, score float8, born date, ok boolean)",
        )
        .await
        .unwrap();
    assert_eq!(
        copy_in(&client, "COPY t2 FROM STDIN", &[&out])
            .await
            .unwrap(),
        5
    );
    assert_eq!(copy_out(&client, "COPY t2 TO STDOUT").await, out);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_in_csv_with_header_quotes_and_nulls() {
    let server = TestServer::start().await;
    let client = setup(&server).await;
    let n = copy_in(
        &client,
        "COPY t (id, name) FROM STDIN WITH (FORMAT csv, HEADER true)",
        &[
            "id,name\r\n1,\"a, \"\"quoted\"\"",
            "\nvalue\"\r\n2,\r\n3,\"\"\n4,ünï\n",
        ],
    )
    .await
    .expect("csv copy in");
    assert_eq!(n, 4);
    assert_eq!(
        rows(&client, "SELECT id, name FROM t ORDER BY id").await,
        vec![
            vec![s("1"), s("a, \"quoted\"\nvalue")],
            vec![s("2"), None],
            vec![s("3"), s("")],
            vec![s("4"), s("ünï")],
        ]
    );
    let out = copy_out(
        &client,
        "COPY (SELECT id, name FROM t ORDER BY id) TO STDOUT WITH CSV HEADER",
    )
    .await;
    assert_eq!(
        out,
        "id,name\n1,\"a, \"\"quoted\"\"\nvalue\"\n2,\n3,\"\"\n4,ünï\n"
    );
    // FORCE_QUOTE quotes the values (not NULL), never the header's names.
    let out = copy_out(
        &client,
        "COPY (SELECT id, name FROM t WHERE id > 1 ORDER BY id) TO STDOUT \
         WITH (FORMAT csv, HEADER, FORCE_QUOTE (name))",
    )
    .await;
    assert_eq!(out, "id,name\n2,\n3,\"\"\n4,\"ünï\"\n");
    // Old-style options.
    client.batch_execute("DELETE FROM t").await.unwrap();
    let n = copy_in(
        &client,
        "copy t (id, name) from stdin csv delimiter ';' null 'NULL'",
        &["7;NULL\n8;x\n"],
    )
    .await
    .unwrap();
    assert_eq!(n, 2);
    assert_eq!(
        rows(&client, "SELECT id, name FROM t ORDER BY id").await,
        vec![vec![s("7"), None], vec![s("8"), s("x")]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_rows_abort_with_no_rows_inserted() {
    let server = TestServer::start().await;
    let client = setup(&server).await;
    let err = db_error(
        copy_in(
            &client,
            "COPY t (id, name) FROM STDIN",
            &["1\ta\n2\tb\nx\tc\n"],
        )
        .await,
    );
    assert_eq!(err.code().code(), "22P02", "{err:?}");
    assert!(
        err.where_().unwrap_or_default().contains("line 3"),
        "{err:?}"
    );
    let err = db_error(
        copy_in(
            &client,
            "COPY t (id, name) FROM STDIN",
            &["1\ta\n2\tb\textra\n"],
        )
        .await,
    );
    assert_eq!(err.code().code(), "22P04", "{err:?}");
    let err = db_error(copy_in(&client, "COPY t (id, name) FROM STDIN", &["1\n"]).await);
    assert_eq!(
        (err.code().code(), err.message()),
        ("22P04", "missing data for column \"name\"")
    );
    let err = db_error(copy_in(&client, "COPY t (id, name) FROM STDIN", &["1\ta\n1\tb\n"]).await);
    assert_eq!(err.code().code(), "23505", "{err:?}");
    let err = db_error(
        client
            .copy_in::<_, Bytes>("COPY nope FROM STDIN")
            .await
            .map(|_| ()),
    );
    assert_eq!(err.code().code(), "42P01");
    let err = db_error(
        client
            .copy_in::<_, Bytes>("COPY t (id, bogus) FROM STDIN")
            .await
            .map(|_| ()),
    );
    assert_eq!(err.code().code(), "42703");
    let err = db_error(
        client
            .copy_in::<_, Bytes>("COPY t FROM '/etc/passwd'")
            .await
            .map(|_| ()),
    );
    assert_eq!(err.code().code(), "42501");
    let err = db_error(client.copy_out("COPY t TO PROGRAM 'cat'").await.map(|_| ()));
    assert_eq!(err.code().code(), "42501");
    assert_eq!(
        rows(&client, "SELECT count(*) FROM t").await,
        vec![vec![s("0")]]
    );

    // CopyFail: the sink dropped before finish.
    {
        let sink = client
            .copy_in::<_, Bytes>("COPY t (id, name) FROM STDIN")
            .await
            .unwrap();
        futures::pin_mut!(sink);
        sink.send(Bytes::from_static(b"1\ta\n")).await.unwrap();
    }
    assert_eq!(
        rows(&client, "SELECT count(*) FROM t").await,
        vec![vec![s("0")]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copy_respects_an_enclosing_transaction() {
    let server = TestServer::start().await;
    let client = setup(&server).await;
    client.batch_execute("BEGIN").await.unwrap();
    copy_in(&client, "COPY t (id) FROM STDIN", &["1\n2\n"])
        .await
        .unwrap();
    client.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(
        rows(&client, "SELECT count(*) FROM t").await,
        vec![vec![s("0")]]
    );

    client
        .batch_execute("BEGIN; INSERT INTO t (id) VALUES (10)")
        .await
        .unwrap();
    copy_in(&client, "COPY t (id) FROM STDIN", &["1\n2\n"])
        .await
        .unwrap();
    client.batch_execute("COMMIT").await.unwrap();
    assert_eq!(
        rows(&client, "SELECT count(*) FROM t").await,
        vec![vec![s("3")]]
    );

    // A failed COPY fails the block, like any statement.
    client.batch_execute("BEGIN").await.unwrap();
    assert!(copy_in(&client, "COPY t (id) FROM STDIN", &["x\n"])
        .await
        .is_err());
    let err = db_error(client.simple_query("SELECT 1").await);
    assert_eq!(err.code().code(), "25P02");
    client.batch_execute("ROLLBACK").await.unwrap();
    assert_eq!(
        rows(&client, "SELECT count(*) FROM t").await,
        vec![vec![s("3")]]
    );
}

/// Integrity errors of a COPY name their row or key as PostgreSQL's do,
/// on the table the COPY writes even when another table has a CHECK with
/// the same expression; nothing is inserted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn integrity_errors_name_the_failing_row() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE other (n int CHECK (n > 0));
             CREATE TABLE cp (id int PRIMARY KEY, v text NOT NULL, n int CHECK (n > 0), ok boolean);",
        )
        .await
        .expect("tables");
    let err = db_error(
        copy_in(
            &client,
            "COPY cp FROM STDIN",
            &["1\ta\t1\tt\n2\t\\N\t2\tf\n"],
        )
        .await,
    );
    assert_eq!(err.code().code(), "23502", "{err:?}");
    assert_eq!(err.detail(), Some("Failing row contains (2, null, 2, f)."));
    let err = db_error(
        copy_in(
            &client,
            "COPY cp FROM STDIN",
            &["1\ta\t1\tt\n2\tb\t-2\tf\n"],
        )
        .await,
    );
    assert_eq!(
        err.message(),
        "new row for relation \"cp\" violates check constraint \"cp_n_check\""
    );
    assert_eq!(err.detail(), Some("Failing row contains (2, b, -2, f)."));
    let err = db_error(copy_in(&client, "COPY cp FROM STDIN", &["1\ta\t1\tt\n1\tb\t2\tf\n"]).await);
    assert_eq!(err.detail(), Some("Key (id)=(1) already exists."));
    assert_eq!(
        rows(&client, "SELECT count(*) FROM cp").await,
        vec![vec![s("0")]]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn copied_numerics_are_stored_at_their_declared_scale() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute("CREATE TABLE amounts (id int PRIMARY KEY, amt numeric(10,2), raw numeric)")
        .await
        .unwrap();
    copy_in(
        &client,
        "COPY amounts FROM STDIN (FORMAT csv)",
        &["1,1.005,1.005\n2,2.675,2.675\n3,-0.125,7\n"],
    )
    .await
    .unwrap();
    // PostgreSQL rounds half away from zero on input, so later arithmetic
    // sees the stored 1.01, not 1.005 (3.03, not 3.02); an unconstrained
    // numeric keeps every digit.
    assert_eq!(
        rows(&client, "SELECT amt, amt * 3, raw FROM amounts ORDER BY id").await,
        vec![
            vec![s("1.01"), s("3.03"), s("1.005")],
            vec![s("2.68"), s("8.04"), s("2.675")],
            vec![s("-0.13"), s("-0.39"), s("7")],
        ]
    );
}
