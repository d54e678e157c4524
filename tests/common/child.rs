//! The real `pgtenant` binary as a child process, for tests that SIGKILL it
//! or start it under resource limits. It listens on port 0; the port it got
//! is read from its "pgtenant ready" log line.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio_postgres::{Client, NoTls};

use super::{ADMIN_DB, ADMIN_PASSWORD, ADMIN_USER};

pub struct ChildServer {
    pub child: Child,
    pub port: u16,
    pub data_dir: PathBuf,
    pub log: PathBuf,
}

/// Options for [`ChildServer::start_with`].
#[derive(Debug, Default, Clone)]
pub struct ChildOptions {
    /// RLIMIT_FSIZE in bytes: no file the server writes may grow past it.
    pub file_size_limit: Option<u64>,
    /// A TOML config file's text (`--config`); the command line still sets listen and data.
    pub config_toml: Option<String>,
}

impl ChildServer {
    /// Starts the server on `data_dir`, appending its log to `log`, and waits until it listens.
    pub async fn start(data_dir: &Path, log: &Path) -> ChildServer {
        Self::start_with(data_dir, log, ChildOptions::default()).await
    }

    pub async fn start_with(data_dir: &Path, log: &Path, opts: ChildOptions) -> ChildServer {
        let offset = std::fs::metadata(log).map(|m| m.len()).unwrap_or(0);
        let log_file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("open the server log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_pgtenant"));
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(data_dir)
            .env("PGTENANT_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("PGTENANT_LOG", "info")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log_file);
        if let Some(toml) = &opts.config_toml {
            let path = log.with_extension("toml");
            std::fs::write(&path, toml).expect("write the config file");
            cmd.arg("--config").arg(path);
        }
        if let Some(limit) = opts.file_size_limit {
            use std::os::unix::process::CommandExt;
            // SAFETY: only async-signal-safe setrlimit between fork and exec.
            unsafe {
                cmd.pre_exec(move || {
                    let lim = libc::rlimit {
                        rlim_cur: limit as libc::rlim_t,
                        rlim_max: limit as libc::rlim_t,
                    };
                    if libc::setrlimit(libc::RLIMIT_FSIZE, &lim) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    Ok(())
                });
            }
        }
        let mut child = cmd.spawn().expect("spawn pgtenant");
        let deadline = Instant::now() + Duration::from_secs(60);
        let port = loop {
            let text = std::fs::read(log).unwrap_or_default();
            let new = String::from_utf8_lossy(&text[offset as usize..]).into_owned();
            if let Some(port) = new
                .lines()
                .filter(|l| l.contains("pgtenant ready"))
                .find_map(|l| {
                    let addr = l.split("listen=").nth(1)?.split_whitespace().next()?;
                    addr.rsplit(':').next()?.parse::<u16>().ok()
                })
            {
                break port;
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("pgtenant exited at startup ({status}):\n{new}");
            }
            assert!(Instant::now() < deadline, "pgtenant did not start:\n{new}");
            tokio::time::sleep(Duration::from_millis(10)).await;
        };
        ChildServer {
            child,
            port,
            data_dir: data_dir.to_owned(),
            log: log.to_owned(),
        }
    }

    /// SIGKILL, and wait for the process to be gone.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM (graceful shutdown), and wait for the exit.
    pub fn stop(&mut self) {
        // SAFETY: signalling our own child by pid.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let _ = self.child.wait();
    }

    /// Whether the process is still running.
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// The log written since the file was created.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn config(
        &self,
        user: &str,
        dbname: Option<&str>,
        password: &str,
    ) -> tokio_postgres::Config {
        client_config(self.port, user, dbname, password)
    }

    pub async fn admin(&self) -> Client {
        connect(&self.config(ADMIN_USER, Some(ADMIN_DB), ADMIN_PASSWORD))
            .await
            .expect("admin connects")
    }

    /// `user@tenant`.
    pub async fn tenant(
        &self,
        tenant: &str,
        user: &str,
        password: &str,
    ) -> Result<Client, tokio_postgres::Error> {
        connect(&self.config(&format!("{user}@{tenant}"), None, password)).await
    }
}

impl Drop for ChildServer {
    fn drop(&mut self) {
        self.kill();
    }
}

pub fn client_config(
    port: u16,
    user: &str,
    dbname: Option<&str>,
    password: &str,
) -> tokio_postgres::Config {
    let mut c = tokio_postgres::Config::new();
    c.host("127.0.0.1")
        .port(port)
        .user(user)
        .password(password)
        .connect_timeout(Duration::from_secs(10));
    if let Some(db) = dbname {
        c.dbname(db);
    }
    c
}

/// Connects; the connection runs on its own task.
pub async fn connect(config: &tokio_postgres::Config) -> Result<Client, tokio_postgres::Error> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(connection);
    Ok(client)
}

/// `PRAGMA integrity_check` of a database file, opened directly.
pub fn integrity(path: &Path) -> String {
    let c = rusqlite::Connection::open(path).expect("open for integrity_check");
    c.query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("integrity_check")
}
