//! Shared harness for the end-to-end tests: an in-process pgtenant server on
//! an ephemeral port with its own temporary data folder, and helpers to reach
//! it as the admin, as a tenant user, through psql or through a raw socket.

#![allow(dead_code)]

pub mod child;
pub mod postgres;

use std::path::PathBuf;
use std::process::Output;
use std::sync::Arc;
use std::time::{Duration, Instant};

use pgtenant::server::Server;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, NoTls};

pub const ADMIN_USER: &str = "pgtenant";
pub const ADMIN_DB: &str = "pgtenant";
pub const ADMIN_PASSWORD: &str = "adminpw";

/// A running server. Stopped when dropped.
pub struct TestServer {
    pub server: Arc<Server>,
    pub port: u16,
    pub data_dir: PathBuf,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestServer {
    /// Starts a server with default settings on 127.0.0.1, port 0.
    pub async fn start() -> TestServer {
        Self::start_with(|_| {}).await
    }

    /// Starts a server after `tweak` adjusted its configuration.
    pub async fn start_with(tweak: impl FnOnce(&mut pgtenant::config::Config)) -> TestServer {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut config = pgtenant::config::Config {
            data_dir: dir.path().join("data"),
            admin_password: Some(ADMIN_PASSWORD.into()),
            shutdown_grace_secs: 1,
            ..Default::default()
        };
        tweak(&mut config);
        let data_dir = config.data_dir.clone();
        let server = Server::new(config).expect("server starts");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind an ephemeral port");
        let port = listener.local_addr().expect("local addr").port();
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let handle = tokio::spawn(server.clone().serve(listener, async move {
            let _ = stop_rx.await;
        }));
        TestServer {
            server,
            port,
            data_dir,
            stop: Some(stop_tx),
            handle: Some(handle),
            _dir: dir,
        }
    }

    /// Asks the server to shut down (as SIGTERM does) and waits for it to stop.
    pub async fn shutdown(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.handle.take() {
            Some(h) => h.await.expect("server task"),
            None => Ok(()),
        }
    }

    /// Client settings for `user` on `dbname` with `password`.
    pub fn config(
        &self,
        user: &str,
        dbname: Option<&str>,
        password: &str,
    ) -> tokio_postgres::Config {
        let mut c = tokio_postgres::Config::new();
        c.host("127.0.0.1")
            .port(self.port)
            .user(user)
            .password(password)
            .connect_timeout(Duration::from_secs(10));
        if let Some(db) = dbname {
            c.dbname(db);
        }
        c
    }

    /// Connects with `config`; the connection runs on its own task.
    pub async fn connect_with(
        &self,
        config: &tokio_postgres::Config,
    ) -> Result<(Client, JoinHandle<Result<(), tokio_postgres::Error>>), tokio_postgres::Error>
    {
        let (client, connection) = config.connect(NoTls).await?;
        let task = tokio::spawn(connection);
        Ok((client, task))
    }

    /// The admin role on the management database.
    pub async fn admin(&self) -> Client {
        let config = self.config(ADMIN_USER, Some(ADMIN_DB), ADMIN_PASSWORD);
        self.connect_with(&config).await.expect("admin connects").0
    }

    /// A tenant user, as `user@tenant`.
    pub async fn try_connect_tenant(
        &self,
        tenant: &str,
        user: &str,
        password: &str,
    ) -> Result<Client, tokio_postgres::Error> {
        let config = self.config(&format!("{user}@{tenant}"), None, password);
        Ok(self.connect_with(&config).await?.0)
    }

    pub async fn connect_tenant(&self, tenant: &str, user: &str, password: &str) -> Client {
        self.try_connect_tenant(tenant, user, password)
            .await
            .unwrap_or_else(|e| panic!("{user}@{tenant} connects: {e:?}"))
    }

    /// Creates a tenant and one user in it through the admin functions.
    pub async fn create_tenant_user(&self, tenant: &str, user: &str, password: &str) {
        let admin = self.admin().await;
        create_tenant(&admin, tenant).await;
        create_user(&admin, tenant, user, password).await;
    }

    /// Creates tenant `tenant` with user alice (password `s3cret`) and connects as her.
    pub async fn fresh_tenant(&self, tenant: &str) -> Client {
        self.create_tenant_user(tenant, "alice", "s3cret").await;
        self.connect_tenant(tenant, "alice", "s3cret").await
    }

    /// `<data_dir>/tenants/<tenant>`.
    pub fn tenant_dir(&self, tenant: &str) -> PathBuf {
        self.data_dir.join("tenants").join(tenant)
    }

    /// The production database file of a tenant.
    pub fn tenant_db_file(&self, tenant: &str) -> PathBuf {
        self.tenant_dir(tenant).join("prod.db")
    }

    /// Runs psql against this server (on the blocking pool) with `args`
    /// after the connection options, feeding `stdin`.
    pub async fn psql(
        &self,
        user: &str,
        dbname: &str,
        password: &str,
        args: &[&str],
        stdin: Option<&str>,
    ) -> Output {
        let port = self.port.to_string();
        let mut cmd_args: Vec<String> = vec![
            "-X".into(),
            "-h".into(),
            "127.0.0.1".into(),
            "-p".into(),
            port,
            "-U".into(),
            user.into(),
            "-d".into(),
            dbname.into(),
        ];
        cmd_args.extend(args.iter().map(|a| a.to_string()));
        let password = password.to_owned();
        let stdin = stdin.map(str::to_owned);
        tokio::task::spawn_blocking(move || run_psql(&cmd_args, &password, stdin.as_deref()))
            .await
            .expect("psql task")
    }
}

fn run_psql(args: &[String], password: &str, stdin: Option<&str>) -> Output {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("psql")
        .args(args)
        .env("PGPASSWORD", password)
        .env("PGCONNECT_TIMEOUT", "10")
        .env("PGSSLMODE", "disable")
        .env_remove("PGSERVICE")
        .env_remove("PGOPTIONS")
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("psql is on PATH");
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().expect("stdin pipe");
        pipe.write_all(input.as_bytes()).expect("write psql stdin");
    }
    child.wait_with_output().expect("psql runs")
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(handle) = self.handle.take() {
            handle.abort();
        }
    }
}

/// `SELECT * FROM pgtenant.create_tenant(name)`, expected to succeed.
pub async fn create_tenant(admin: &Client, tenant: &str) {
    admin
        .simple_query(&format!("SELECT * FROM pgtenant.create_tenant('{tenant}')"))
        .await
        .unwrap_or_else(|e| panic!("create_tenant({tenant}): {e:?}"));
}

/// `SELECT * FROM pgtenant.create_user(tenant, user, password)`, expected to succeed.
pub async fn create_user(admin: &Client, tenant: &str, user: &str, password: &str) {
    admin
        .simple_query(&format!(
            "SELECT * FROM pgtenant.create_user('{tenant}', '{user}', '{password}')"
        ))
        .await
        .unwrap_or_else(|e| panic!("create_user({tenant}, {user}): {e:?}"));
}

/// The SQLSTATE of a failed call; panics on success or on a non-database error.
pub fn sqlstate<T: std::fmt::Debug>(r: Result<T, tokio_postgres::Error>) -> SqlState {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => match e.code() {
            Some(code) => code.clone(),
            None => panic!("expected a database error with a SQLSTATE, got {e:?}"),
        },
    }
}

/// The database error (code and message) of a failed call.
pub fn db_error<T: std::fmt::Debug>(
    r: Result<T, tokio_postgres::Error>,
) -> tokio_postgres::error::DbError {
    match r {
        Ok(v) => panic!("expected an error, got {v:?}"),
        Err(e) => match e.as_db_error() {
            Some(db) => db.clone(),
            None => panic!("expected a database error, got {e:?}"),
        },
    }
}

/// The values of the rows of a simple query, as text (NULL as None).
pub fn simple_rows(messages: &[tokio_postgres::SimpleQueryMessage]) -> Vec<Vec<Option<String>>> {
    messages
        .iter()
        .filter_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => {
                Some((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
            }
            _ => None,
        })
        .collect()
}

/// Asserts the server still serves a fresh admin client.
pub async fn assert_serves(server: &TestServer) {
    let admin = server.admin().await;
    let rows = admin.simple_query("SELECT 1").await.expect("SELECT 1");
    assert_eq!(simple_rows(&rows), vec![vec![Some("1".to_owned())]]);
}

/// Waits (bounded) for `cond` to hold, for server state that has no event
/// to await; returns whether it held in time.
pub async fn wait_for(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while !cond() {
        if Instant::now() >= deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    true
}

/// Like [`wait_for`], failing the test on timeout.
pub async fn wait_until(what: &str, timeout: Duration, cond: impl FnMut() -> bool) {
    assert!(
        wait_for(timeout, cond).await,
        "timed out waiting for {what}"
    );
}

/// The query that never ends on its own.
pub const RUNAWAY: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c";

/// Never ends on its own either, but streams one row per recursion step, so
/// the first row received proves the statement is running.
pub const STREAMING_RUNAWAY: &str =
    "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x::int4 AS x FROM c";

/// Tenants `acme` (alice) and `beta` (bob), each with a `todo` table holding
/// one secret row of its own; returns both sessions.
pub async fn two_tenants(server: &TestServer) -> (Client, Client) {
    server.create_tenant_user("acme", "alice", "s3cret").await;
    server.create_tenant_user("beta", "bob", "b0bpw").await;
    let acme = server.connect_tenant("acme", "alice", "s3cret").await;
    let beta = server.connect_tenant("beta", "bob", "b0bpw").await;
    for (client, title) in [(&acme, "acme secret"), (&beta, "beta secret")] {
        client
            .batch_execute(&format!(
                "CREATE TABLE todo (id int PRIMARY KEY, title text);
                 INSERT INTO todo VALUES (1, '{title}')"
            ))
            .await
            .expect("setup");
    }
    (acme, beta)
}
