//! psql (the PostgreSQL 15 client) as a subprocess: the issue's example
//! session, multi-statement `-c`, ON_ERROR_STOP, and a failed transaction
//! rolled back from a script.

use crate::common;

use std::process::Output;

use common::{TestServer, ADMIN_DB, ADMIN_PASSWORD, ADMIN_USER};

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "psql failed ({:?})\nstdout:\n{}\nstderr:\n{}",
        out.status,
        stdout(out),
        stderr(out)
    );
}

/// As alice@acme, unaligned, tuples only, quiet.
async fn alice(server: &TestServer, args: &[&str], stdin: Option<&str>) -> Output {
    let mut all = vec!["-v", "ON_ERROR_STOP=1", "-qAt"];
    all.extend_from_slice(args);
    server
        .psql("alice@acme", "acme", "s3cret", &all, stdin)
        .await
}

async fn admin_setup(server: &TestServer) {
    let out = server
        .psql(
            ADMIN_USER,
            ADMIN_DB,
            ADMIN_PASSWORD,
            &[
                "-v",
                "ON_ERROR_STOP=1",
                "-qAt",
                "-c",
                "SELECT * FROM pgtenant.create_tenant('acme')",
                "-c",
                "SELECT * FROM pgtenant.create_user('acme', 'alice', 's3cret')",
            ],
            None,
        )
        .await;
    assert_ok(&out);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2, "{text}");
    // tenant|environment|status|database_url|created_at
    assert!(lines[0].starts_with("acme|prod|active|"), "{text}");
    // tenant|user|role|created_at
    assert!(lines[1].starts_with("acme|alice|owner|"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issue_session() {
    let server = TestServer::start().await;
    admin_setup(&server).await;
    let out = alice(
        &server,
        &[
            "-c",
            "CREATE TABLE todo (id serial primary key, title text not null, done boolean default false); \
             INSERT INTO todo (title) VALUES ('ship it') RETURNING id, done;",
        ],
        None,
    )
    .await;
    assert_ok(&out);
    assert_eq!(stdout(&out), "1|f\n");
    let out = alice(&server, &["-c", "SELECT id, title, done FROM todo"], None).await;
    assert_ok(&out);
    assert_eq!(stdout(&out), "1|ship it|f\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn aligned_output_with_command_tags() {
    let server = TestServer::start().await;
    admin_setup(&server).await;
    let out = server
        .psql(
            "alice@acme",
            "acme",
            "s3cret",
            &[
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                "CREATE TABLE todo (id int, title text)",
                "-c",
                "INSERT INTO todo VALUES (1, 'a'), (2, 'b')",
                "-c",
                "SELECT id, title FROM todo ORDER BY id",
            ],
            None,
        )
        .await;
    assert_ok(&out);
    assert_eq!(
        stdout(&out),
        "CREATE TABLE\nINSERT 0 2\n id | title \n----+-------\n  1 | a\n  2 | b\n(2 rows)\n\n"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multi_statement_c_string_shows_every_result() {
    let server = TestServer::start().await;
    admin_setup(&server).await;
    let out = alice(
        &server,
        &["-c", "CREATE TABLE t (a int); INSERT INTO t VALUES (1), (2); SELECT sum(a) FROM t; SELECT 'done'"],
        None,
    )
    .await;
    assert_ok(&out);
    assert_eq!(stdout(&out), "3\ndone\n");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_error_stop_exits_at_the_first_error() {
    let server = TestServer::start().await;
    admin_setup(&server).await;
    let script = "\\set ON_ERROR_STOP on\n\
                  CREATE TABLE t (a int);\n\
                  INSERT INTO t VALUES (1);\n\
                  SELECT * FROM no_such_table;\n\
                  INSERT INTO t VALUES (2);\n";
    let out = server
        .psql("alice@acme", "acme", "s3cret", &["-qAt"], Some(script))
        .await;
    assert_eq!(
        out.status.code(),
        Some(3),
        "psql exits 3 when a script stops on error; stderr:\n{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("ERROR:  relation \"no_such_table\" does not exist"),
        "stderr:\n{}",
        stderr(&out)
    );
    let check = alice(&server, &["-c", "SELECT a FROM t ORDER BY a"], None).await;
    assert_ok(&check);
    assert_eq!(
        stdout(&check),
        "1\n",
        "the statement after the error never ran"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_transaction_in_a_script_is_rolled_back() {
    let server = TestServer::start().await;
    admin_setup(&server).await;
    let setup = alice(
        &server,
        &["-c", "CREATE TABLE acct (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO acct VALUES (1, 100), (2, 50)"],
        None,
    )
    .await;
    assert_ok(&setup);
    let script = "BEGIN;\n\
                  UPDATE acct SET balance = balance - 30 WHERE id = 1;\n\
                  INSERT INTO acct VALUES (2, 0);\n\
                  UPDATE acct SET balance = balance + 30 WHERE id = 2;\n\
                  ROLLBACK;\n\
                  SELECT id, balance FROM acct ORDER BY id;\n";
    let out = server
        .psql("alice@acme", "acme", "s3cret", &["-At"], Some(script))
        .await;
    let err = stderr(&out);
    assert!(
        err.contains("duplicate key value violates unique constraint"),
        "stderr:\n{err}"
    );
    assert!(
        err.contains(
            "current transaction is aborted, commands ignored until end of transaction block"
        ),
        "the UPDATE after the error is refused; stderr:\n{err}"
    );
    let out_text = stdout(&out);
    assert!(
        out_text.ends_with("ROLLBACK\n1|100\n2|50\n"),
        "balances unchanged after ROLLBACK; stdout:\n{out_text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn error_then_rollback_in_a_script_leaves_data_unchanged() {
    let server = TestServer::start().await;
    admin_setup(&server).await;
    let setup = alice(
        &server,
        &["-c", "CREATE TABLE acct (id int PRIMARY KEY, balance int NOT NULL); INSERT INTO acct VALUES (1, 100), (2, 50)"],
        None,
    )
    .await;
    assert_ok(&setup);
    let script = "BEGIN;\n\
                  UPDATE acct SET balance = balance - 30 WHERE id = 1;\n\
                  INSERT INTO acct VALUES (2, 0);\n\
                  ROLLBACK;\n";
    let out = server
        .psql("alice@acme", "acme", "s3cret", &["-At"], Some(script))
        .await;
    let err = stderr(&out);
    assert!(
        err.contains("ERROR:  duplicate key value violates unique constraint"),
        "stderr:\n{err}"
    );
    assert_eq!(stdout(&out), "BEGIN\nUPDATE 1\nROLLBACK\n");
    // A new session sees the data as it was.
    let check = alice(
        &server,
        &["-c", "SELECT id, balance FROM acct ORDER BY id"],
        None,
    )
    .await;
    assert_ok(&check);
    assert_eq!(stdout(&check), "1|100\n2|50\n");
}
