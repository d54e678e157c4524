//! COPY as psql and pgbench use it (simple protocol): `\copy` from and to
//! files, and `pgbench -i` (COPY ... WITH (FREEZE ON) inside a transaction,
//! VACUUM, primary keys) followed by a select-only run.

use crate::common;

use std::process::Command;

use common::{simple_rows, TestServer};

fn out(o: &std::process::Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psql_copy_from_and_to_files() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client
        .batch_execute(
            "CREATE TABLE items (id int PRIMARY KEY, name text, price numeric, tags text)",
        )
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("in.csv");
    std::fs::write(
        &src,
        "id,name,price,tags\n1,widget,9.99,\"a,b\"\n2,\"multi\nline\",,\n3,ünï ✓,0.5,\"\"\n",
    )
    .unwrap();
    let dst = dir.path().join("out.csv");
    let from = format!("\\copy items from '{}' csv header", src.display());
    let to = format!(
        "\\copy items to '{}' with (format csv, header)",
        dst.display()
    );
    let o = server
        .psql(
            "alice@acme",
            "app",
            "s3cret",
            &["-v", "ON_ERROR_STOP=1", "-c", &from, "-c", &to],
            None,
        )
        .await;
    assert!(o.status.success(), "{}", out(&o));
    let rows = simple_rows(
        &client
            .simple_query("SELECT count(*), sum(price) FROM items")
            .await
            .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some("3".into()), Some("10.49".into())]]);
    let written = std::fs::read_to_string(&dst).unwrap();
    assert_eq!(
        written,
        "id,name,price,tags\n1,widget,9.99,\"a,b\"\n2,\"multi\nline\",,\n3,ünï ✓,0.5,\"\"\n"
    );

    // A bad file: error, nothing loaded, the session goes on.
    std::fs::write(&src, "4,ok,1,\n5,bad,notanumber,\n").unwrap();
    let bad = format!("\\copy items from '{}' csv", src.display());
    let o = server
        .psql(
            "alice@acme",
            "app",
            "s3cret",
            &["-c", &bad, "-c", "select count(*) from items"],
            None,
        )
        .await;
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("invalid input syntax for type numeric"),
        "{}",
        out(&o)
    );
    assert!(stderr.contains("line 2"), "{}", out(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains('3'),
        "{}",
        out(&o)
    );

    // COPY from a server file is refused.
    let o = server
        .psql(
            "alice@acme",
            "app",
            "s3cret",
            &["-c", "COPY items FROM '/etc/passwd'"],
            None,
        )
        .await;
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("pg_read_server_files"),
        "{}",
        out(&o)
    );
}

fn pgbench(server: &TestServer, args: &[&str]) -> std::process::Output {
    Command::new("pgbench")
        .args(args)
        .args([
            "-h",
            "127.0.0.1",
            "-p",
            &server.port.to_string(),
            "-U",
            "alice@acme",
            "app",
        ])
        .env("PGPASSWORD", "s3cret")
        .env("PGSSLMODE", "disable")
        .output()
        .expect("pgbench is on PATH")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn pgbench_initializes_and_runs() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    let srv = &server;
    let init = tokio::task::block_in_place(|| pgbench(srv, &["-i", "-s", "1"]));
    assert!(init.status.success(), "{}", out(&init));
    let counts = simple_rows(
        &client
            .simple_query(
                "SELECT (SELECT count(*) FROM pgbench_accounts), (SELECT count(*) FROM pgbench_branches),
                        (SELECT count(*) FROM pgbench_tellers), (SELECT sum(abalance) FROM pgbench_accounts)",
            )
            .await
            .unwrap(),
    );
    assert_eq!(
        counts,
        vec![vec![
            Some("100000".into()),
            Some("1".into()),
            Some("10".into()),
            Some("0".into())
        ]]
    );
    let run = tokio::task::block_in_place(|| pgbench(srv, &["-n", "-S", "-T", "2"]));
    let text = out(&run);
    assert!(run.status.success(), "{text}");
    assert!(text.contains("number of failed transactions: 0"), "{text}");
}
