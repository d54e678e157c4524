//! A throwaway PostgreSQL 15 server for differential tests: the same SQL or
//! the same client run against it and against pgtenant must agree.
//!
//! It lives in a temporary folder, listens on 127.0.0.1 on a free port with
//! trust authentication (user `postgres`), and is stopped (`-m immediate`)
//! when dropped. When the tests run as root it runs as the `postgres` system
//! user, because PostgreSQL refuses to run as root.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

const PGBIN: &str = "/usr/lib/postgresql/15/bin";

pub struct RealPostgres {
    pub port: u16,
    dir: PathBuf,
    _tmp: tempfile::TempDir,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

fn pg_command(bin: &str) -> Command {
    let path = Path::new(PGBIN).join(bin);
    if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(path);
        c
    } else {
        Command::new(path)
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl RealPostgres {
    /// Whether a PostgreSQL 15 server binary is installed here.
    pub fn available() -> bool {
        Path::new(PGBIN).join("postgres").exists()
    }

    /// initdb + start; panics with PostgreSQL's own output when it fails.
    pub fn start() -> RealPostgres {
        let tmp = tempfile::Builder::new()
            .prefix("pgtenant-realpg")
            .tempdir_in("/tmp")
            .expect("temp dir");
        let dir = tmp.path().join("pg");
        std::fs::create_dir(&dir).expect("pg dir");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(tmp.path())
                .status()
                .expect("chown");
            assert!(status.success(), "chown of the PostgreSQL folder failed");
        }
        let out = pg_command("initdb")
            .arg("-D")
            .arg(&dir)
            .args(["-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C"])
            // Character classes by Unicode (lower('É') is 'é'), as in the
            // UTF-8 locales servers run with; sorting stays byte order.
            .arg("--lc-ctype=C.UTF-8")
            .output()
            .expect("run initdb");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Retry on a port race with another test binary.
        for _ in 0..5 {
            let port = free_port();
            let opts = format!(
                "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c TimeZone=UTC",
                dir.display()
            );
            let out = pg_command("pg_ctl")
                .arg("-D")
                .arg(&dir)
                .args(["-o", &opts, "-l"])
                .arg(dir.join("server.log"))
                .args(["-w", "start"])
                .output()
                .expect("run pg_ctl");
            if out.status.success() {
                return RealPostgres {
                    port,
                    dir,
                    _tmp: tmp,
                };
            }
        }
        let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
        panic!("PostgreSQL did not start: {log}");
    }

    /// A libpq/tokio-postgres connection string for database `db`.
    pub fn url(&self, db: &str) -> String {
        format!(
            "host=127.0.0.1 port={} user=postgres dbname={db}",
            self.port
        )
    }

    /// Creates a fresh database and returns its connection string.
    pub async fn create_database(&self, db: &str) -> String {
        let client = self.connect("postgres").await;
        client
            .batch_execute(&format!("CREATE DATABASE \"{db}\""))
            .await
            .expect("create database");
        self.url(db)
    }

    pub async fn connect(&self, db: &str) -> tokio_postgres::Client {
        let (client, conn) = tokio_postgres::connect(&self.url(db), tokio_postgres::NoTls)
            .await
            .expect("connect to PostgreSQL");
        tokio::spawn(conn);
        client
    }
}

impl Drop for RealPostgres {
    fn drop(&mut self) {
        let _ = pg_command("pg_ctl")
            .arg("-D")
            .arg(&self.dir)
            .args(["-m", "immediate", "stop"])
            .output();
    }
}
