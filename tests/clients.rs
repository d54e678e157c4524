//! The real client suite: each client library (installed by
//! tests/clients/install.sh, which .ci/run calls) runs a program from
//! tests/clients/ against a fresh tenant of an in-process pgtenant server.
//! The programs assert on returned values themselves and exit non-zero on
//! the first mismatch; a failure here shows the client's own output.
//!
//! Missing clients fail loudly: run `tests/clients/install.sh` first.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::TestServer;

/// A client program may not run longer than this.
const CLIENT_DEADLINE: Duration = Duration::from_secs(120);

fn clients_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients")
}

fn require(path: &Path, what: &str) -> PathBuf {
    assert!(
        path.exists(),
        "{what} is not installed ({} is missing): run tests/clients/install.sh \
         (.ci/run does) before cargo test",
        path.display()
    );
    path.to_path_buf()
}

fn python() -> PathBuf {
    require(
        &clients_dir().join(".venv/bin/python"),
        "the Python client venv",
    )
}

/// Runs `cmd` with the connection in libpq's PG* variables (which every
/// client here reads, or the program passes on), killing it at the deadline.
fn run_with_deadline(mut cmd: Command) -> Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {cmd:?}: {e}"));
    let pid = child.id();
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let watchdog = std::thread::spawn(move || {
        if done_rx.recv_timeout(CLIENT_DEADLINE).is_err() {
            let _ = Command::new("kill").args(["-9", &pid.to_string()]).status();
        }
    });
    let out = child.wait_with_output().expect("client runs");
    let _ = done_tx.send(());
    let _ = watchdog.join();
    out
}

/// A fresh tenant `tenant` with user alice on a new server, and the client
/// program's outcome. Panics with the client's output unless it exited 0.
async fn run_client(tenant: &str, program: impl FnOnce(&mut Command)) -> (TestServer, String) {
    let server = TestServer::start().await;
    server.create_tenant_user(tenant, "alice", "s3cret").await;
    let out = run_client_on(&server, tenant, program).await;
    (server, out)
}

async fn run_client_on(
    server: &TestServer,
    tenant: &str,
    program: impl FnOnce(&mut Command),
) -> String {
    let mut cmd = Command::new("true");
    program(&mut cmd);
    cmd.current_dir(clients_dir())
        .env("PGHOST", "127.0.0.1")
        .env("PGPORT", server.port.to_string())
        .env("PGUSER", "alice")
        .env("PGPASSWORD", "s3cret")
        .env("PGDATABASE", tenant)
        .env("PGSSLMODE", "disable")
        .env("PGCONNECT_TIMEOUT", "10")
        .env_remove("PGOPTIONS")
        .env_remove("PGSERVICE");
    let shown = format!("{cmd:?}");
    let out = tokio::task::spawn_blocking(move || run_with_deadline(cmd))
        .await
        .expect("client task");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "client {shown} failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn python_program(script: &'static str) -> impl FnOnce(&mut Command) {
    let py = python();
    move |cmd: &mut Command| {
        *cmd = Command::new(py);
        cmd.arg(format!("python/{script}"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psycopg3() {
    let (_s, out) = run_client("pyone", python_program("psycopg3_test.py")).await;
    assert!(out.contains("psycopg3 ok"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn psycopg2() {
    let (_s, out) = run_client("pytwo", python_program("psycopg2_test.py")).await;
    assert!(out.contains("psycopg2 ok"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlalchemy() {
    let (_s, out) = run_client("orm", python_program("sqlalchemy_test.py")).await;
    assert!(out.contains("sqlalchemy ok"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn node_postgres() {
    require(
        &clients_dir().join("node/node_modules/pg/package.json"),
        "node-postgres (npm ci in tests/clients/node)",
    );
    let (_s, out) = run_client("nodepg", |cmd| {
        *cmd = Command::new("node");
        cmd.arg("node/pg_test.js");
    })
    .await;
    assert!(out.contains("node-postgres ok"), "{out}");
}

const PGJDBC_JAR: &str = "/usr/share/java/postgresql.jar";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pgjdbc() {
    let jar = require(Path::new(PGJDBC_JAR), "pgjdbc (libpostgresql-jdbc-java)");
    let classes = tempfile::tempdir().expect("class dir");
    let javac = Command::new("javac")
        .arg("-d")
        .arg(classes.path())
        .arg(clients_dir().join("java/JdbcTest.java"))
        .output()
        .expect("javac (JDK 17) is installed");
    assert!(
        javac.status.success(),
        "javac failed: {}",
        String::from_utf8_lossy(&javac.stderr)
    );
    let classpath = format!("{}:{}", classes.path().display(), jar.display());
    let (_s, out) = run_client("jdbc", move |cmd| {
        *cmd = Command::new("java");
        cmd.args(["-cp", &classpath, "JdbcTest"]);
    })
    .await;
    assert!(out.contains("pgjdbc ok"), "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asyncpg() {
    let (_s, out) = run_client("apg", python_program("asyncpg_test.py")).await;
    assert!(out.contains("asyncpg ok"), "{out}");
}
