//! Load benchmarks against a real pgtenant process (the release binary, on a
//! free port, with a throwaway data folder), each printing its figures:
//!
//! - `stream`: streams a 10-million-row SELECT through tokio-postgres
//!   (extended and simple protocol) and reports the server's peak RSS
//!   (VmHWM), which must stay bounded whatever the row count.
//! - `idle`: holds 2,000 authenticated idle connections over 200 tenants
//!   (SCRAM), with zero errors, and reports the server's memory per idle
//!   connection (RSS delta / connections).
//! - `neighbour`: tenant B's p50/p99 latency for a point query alone, then
//!   while tenant A bulk-writes as fast as it can.
//! - `remote`: a remote libSQL tenant (on the Hrana test double,
//!   tests/common/hrana.rs, in this process, on loopback) against a local
//!   one: point-query and insert latency and their ratio; then 100 remote
//!   tenants in use at once: the server's HTTP connections to the remote
//!   server and its memory per session.
//!
//! Run through `benches/load.sh [stream|idle|neighbour|all]`, which raises
//! the open-file limit first (2,000 connections need 4,000+ descriptors).

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::{pin_mut, StreamExt, TryStreamExt};

#[path = "../tests/common/hrana.rs"]
mod hrana;
use tokio_postgres::{Client, NoTls};

const ADMIN_PASSWORD: &str = "benchadmin";

/// The server process; killed and its data folder removed when dropped.
struct Server {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    async fn start() -> Server {
        Self::start_with("").await
    }

    /// Starts the server with extra config (TOML) on top of the defaults.
    async fn start_with(config: &str) -> Server {
        let dir = tempfile::tempdir().expect("temp dir");
        let config_file = dir.path().join("pgtenant.toml");
        std::fs::write(&config_file, config).expect("write config");
        // A free port: bind port 0, read it, release it for the server.
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_pgtenant"))
            .args(["serve", "--config"])
            .arg(&config_file)
            .args(["--listen", &format!("127.0.0.1:{port}"), "--data"])
            .arg(dir.path().join("data"))
            .args(["--log-level", "warn"])
            .env("PGTENANT_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .stdout(Stdio::null())
            .spawn()
            .expect("start pgtenant");
        let server = Server {
            child,
            port,
            _dir: dir,
        };
        for _ in 0..200 {
            if server
                .try_connect("pgtenant", "pgtenant", ADMIN_PASSWORD)
                .await
                .is_ok()
            {
                return server;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("pgtenant did not start on port {port}");
    }

    async fn try_connect(
        &self,
        user: &str,
        db: &str,
        pw: &str,
    ) -> Result<Client, tokio_postgres::Error> {
        let (client, conn) = tokio_postgres::Config::new()
            .host("127.0.0.1")
            .port(self.port)
            .user(user)
            .dbname(db)
            .password(pw)
            .connect_timeout(Duration::from_secs(30))
            .connect(NoTls)
            .await?;
        tokio::spawn(conn);
        Ok(client)
    }

    async fn admin(&self) -> Client {
        self.try_connect("pgtenant", "pgtenant", ADMIN_PASSWORD)
            .await
            .expect("admin")
    }

    async fn tenant(&self, tenant: &str) -> Client {
        self.try_connect(&format!("bench@{tenant}"), "app", "benchpw")
            .await
            .unwrap_or_else(|e| panic!("bench@{tenant}: {e}"))
    }

    async fn create_tenants(&self, names: &[String]) {
        let admin = self.admin().await;
        for t in names {
            admin
                .batch_execute(&format!(
                    "SELECT * FROM pgtenant.create_tenant('{t}'); \
                     SELECT * FROM pgtenant.create_user('{t}', 'bench', 'benchpw')"
                ))
                .await
                .expect("create tenant");
        }
    }

    /// (VmRSS, VmHWM) of the server process, in KiB.
    fn memory(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .expect("/proc/PID/status (Linux)");
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
                .unwrap_or(0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}

async fn stream() {
    const ROWS: i64 = 10_000_000;
    let server = Server::start().await;
    server.create_tenants(&["stream".to_owned()]).await;
    let client = server.tenant("stream").await;
    let (rss0, _) = server.memory();
    println!("stream: server RSS before: {}", mib(rss0));

    // Extended protocol: rows arrive as a stream, never collected.
    let started = Instant::now();
    let sql = format!("SELECT * FROM generate_series(1, {ROWS})");
    let rows = client
        .query_raw(&sql, Vec::<i32>::new())
        .await
        .expect("query");
    pin_mut!(rows);
    let (mut n, mut sum) = (0i64, 0i64);
    while let Some(row) = rows.try_next().await.expect("row") {
        n += 1;
        sum += row
            .try_get::<_, i64>(0)
            .or_else(|_| row.try_get::<_, i32>(0).map(i64::from))
            .or_else(|_| {
                row.try_get::<_, &str>(0)
                    .map(|s| s.parse().expect("digits"))
            })
            .expect("an integer");
    }
    assert_eq!((n, sum), (ROWS, ROWS * (ROWS + 1) / 2), "every row, once");
    let secs = started.elapsed().as_secs_f64();
    let (_, hwm) = server.memory();
    println!(
        "stream: extended protocol: {n} rows in {secs:.1} s ({:.0} rows/s), server peak RSS {}",
        n as f64 / secs,
        mib(hwm)
    );

    // Simple protocol.
    let started = Instant::now();
    let messages = client.simple_query_raw(&sql).await.expect("simple query");
    pin_mut!(messages);
    let mut n = 0i64;
    while let Some(m) = messages.next().await {
        if let tokio_postgres::SimpleQueryMessage::Row(_) = m.expect("message") {
            n += 1;
        }
    }
    assert_eq!(n, ROWS);
    let secs = started.elapsed().as_secs_f64();
    let (rss, hwm) = server.memory();
    println!(
        "stream: simple protocol:   {n} rows in {secs:.1} s ({:.0} rows/s), server peak RSS {}",
        n as f64 / secs,
        mib(hwm)
    );
    println!(
        "stream: RESULT peak RSS {} for 2 x {ROWS} rows streamed (RSS now {}, before {})",
        mib(hwm),
        mib(rss),
        mib(rss0)
    );
}

/// Idle connections twice: with every session holding its SQLite
/// connection, then released to the pools after a second idle.
async fn idle() {
    idle_run(0).await;
    idle_run(1).await;
}

async fn idle_run(release_secs: u64) {
    const TENANTS: usize = 200;
    const CONNECTIONS: usize = 2_000;
    // 2,000 sessions: above the default global max_connections (1,000).
    let server = Server::start_with(&format!(
        "idle_session_release_secs = {release_secs}\nmax_connections = 5000\n"
    ))
    .await;
    let label = if release_secs == 0 {
        "sessions keep their SQLite connection"
    } else {
        "idle connections released after 1 s"
    };
    println!("idle: {label}");
    let names: Vec<String> = (0..TENANTS).map(|i| format!("t{i:03}")).collect();
    let started = Instant::now();
    server.create_tenants(&names).await;
    println!(
        "idle: {TENANTS} tenants created in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    // Open every tenant once (its database and pooled connection), so the
    // delta below is what connections cost, not what tenants cost.
    for t in &names {
        let c = server.tenant(t).await;
        c.simple_query("SELECT 1").await.expect("warm up");
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (rss0, _) = server.memory();

    let errors = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut clients = Vec::with_capacity(CONNECTIONS);
    // Connect in waves of 100 concurrent logins.
    for wave in 0..CONNECTIONS / 100 {
        let mut set = tokio::task::JoinSet::new();
        for i in 0..100 {
            let tenant = names[(wave * 100 + i) % TENANTS].clone();
            let port = server.port;
            set.spawn(async move {
                let (client, conn) = tokio_postgres::Config::new()
                    .host("127.0.0.1")
                    .port(port)
                    .user(format!("bench@{tenant}"))
                    .dbname("app")
                    .password("benchpw")
                    .connect_timeout(Duration::from_secs(60))
                    .connect(NoTls)
                    .await?;
                tokio::spawn(conn);
                client.simple_query("SELECT 1").await?;
                Ok::<_, tokio_postgres::Error>(client)
            });
        }
        while let Some(r) = set.join_next().await {
            match r.expect("task") {
                Ok(c) => clients.push(c),
                Err(e) => {
                    errors.fetch_add(1, Ordering::Relaxed);
                    eprintln!("idle: connection failed: {e} {:?}", e.as_db_error());
                }
            }
        }
    }
    let connect_secs = started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(2)).await;
    // Every connection still answers.
    for c in &clients {
        if c.simple_query("SELECT 1").await.is_err() {
            errors.fetch_add(1, Ordering::Relaxed);
        }
    }
    // Long enough for two release sweeps (and the pool trim after them).
    tokio::time::sleep(Duration::from_secs(if release_secs == 0 { 1 } else { 4 })).await;
    let (rss, _) = server.memory();
    let per = (rss.saturating_sub(rss0)) as f64 * 1024.0 / clients.len().max(1) as f64;
    println!(
        "idle: RESULT ({label}) {} authenticated idle connections over {TENANTS} tenants held, {} errors; \
         connected in {connect_secs:.1} s; server RSS {} -> {}; {:.1} KiB per idle connection",
        clients.len(),
        errors.load(Ordering::Relaxed),
        mib(rss0),
        mib(rss),
        per / 1024.0
    );
}

async fn point_latencies(client: &Client, duration: Duration) -> Vec<Duration> {
    let stmt = client
        .prepare("SELECT v FROM kv WHERE k = $1")
        .await
        .expect("prepare");
    let mut out = Vec::new();
    let end = Instant::now() + duration;
    let mut k = 0i32;
    while Instant::now() < end {
        k = (k + 7919) % 1000;
        let t = Instant::now();
        client.query_one(&stmt, &[&k]).await.expect("point query");
        out.push(t.elapsed());
    }
    out
}

fn percentiles(mut v: Vec<Duration>) -> (Duration, Duration, usize) {
    v.sort();
    let at = |p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)];
    (at(0.50), at(0.99), v.len())
}

async fn neighbour() {
    const SECONDS: u64 = 10;
    const WRITERS: usize = 4;
    let server = Server::start().await;
    server
        .create_tenants(&["noisy".to_owned(), "quiet".to_owned()])
        .await;
    let quiet = server.tenant("quiet").await;
    quiet
        .batch_execute(
            "CREATE TABLE kv (k int PRIMARY KEY, v text);
             INSERT INTO kv SELECT x, 'value ' || x FROM generate_series(0, 999) AS g(x)",
        )
        .await
        .expect("quiet setup");
    let noisy = server.tenant("noisy").await;
    noisy
        .batch_execute("CREATE TABLE events (id bigserial PRIMARY KEY, payload text, at timestamptz DEFAULT now())")
        .await
        .expect("noisy setup");

    let (p50, p99, n) = percentiles(point_latencies(&quiet, Duration::from_secs(SECONDS)).await);
    println!("neighbour: tenant B alone:            p50 {p50:?}  p99 {p99:?}  ({n} queries)");

    let stop = Arc::new(AtomicBool::new(false));
    let written = Arc::new(AtomicU64::new(0));
    let mut writers = Vec::new();
    // Each writer commits 1,000-row INSERTs back to back (durable commits).
    let batch: String = {
        let values: Vec<String> = (0..1000)
            .map(|i| {
                format!(
                    "('row {i} of a heavy bulk load, padded to look like a real event payload')"
                )
            })
            .collect();
        format!("INSERT INTO events (payload) VALUES {}", values.join(","))
    };
    for _ in 0..WRITERS {
        let client = server.tenant("noisy").await;
        let (stop, written, batch) = (stop.clone(), written.clone(), batch.clone());
        writers.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                client.batch_execute(&batch).await.expect("bulk insert");
                written.fetch_add(1000, Ordering::Relaxed);
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = written.load(Ordering::Relaxed);
    let (p50b, p99b, nb) = percentiles(point_latencies(&quiet, Duration::from_secs(SECONDS)).await);
    let rows = written.load(Ordering::Relaxed) - before;
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.await.expect("writer");
    }
    println!(
        "neighbour: tenant B while A bulk-writes: p50 {p50b:?}  p99 {p99b:?}  ({nb} queries; \
         A wrote {:.0} rows/s with {WRITERS} writers)",
        rows as f64 / SECONDS as f64
    );
    println!(
        "neighbour: RESULT p50 {p50:?} -> {p50b:?} ({:.2}x), p99 {p99:?} -> {p99b:?} ({:.2}x)",
        p50b.as_secs_f64() / p50.as_secs_f64(),
        p99b.as_secs_f64() / p99.as_secs_f64()
    );
}

/// Latency of `sql` (one int parameter) over `duration`, prepared once.
async fn latencies(client: &Client, sql: &str, duration: Duration) -> Vec<Duration> {
    let stmt = client.prepare(sql).await.expect("prepare");
    let mut out = Vec::new();
    let end = Instant::now() + duration;
    let mut k = 0i32;
    while Instant::now() < end {
        k = (k + 7919) % 1000;
        let t = Instant::now();
        client.query(&stmt, &[&k]).await.expect("statement");
        out.push(t.elapsed());
    }
    out
}

async fn remote() {
    const SECONDS: u64 = 5;
    const TENANTS: usize = 100;
    let store = tempfile::tempdir().expect("temp dir");
    let double = hrana::HranaServer::start(store.path(), None).await;
    let server = Server::start_with(&format!(
        "[libsql]\nurl = \"{}\"\nadmin_url = \"{}\"\n",
        double.url(),
        double.admin_url()
    ))
    .await;
    let admin = server.admin().await;
    for (t, backend) in [("loc", "sqlite"), ("rem", "libsql")] {
        admin
            .batch_execute(&format!(
                "SELECT * FROM pgtenant.create_tenant('{t}', backend => '{backend}'); \
                 SELECT * FROM pgtenant.create_user('{t}', 'bench', 'benchpw')"
            ))
            .await
            .expect("create tenant");
    }
    let setup = "CREATE TABLE kv (k int PRIMARY KEY, v text); \
                 CREATE TABLE log (id serial PRIMARY KEY, k int, at text); \
                 INSERT INTO kv SELECT x, 'value ' || x FROM generate_series(0, 999) AS g(x)";
    let mut results = Vec::new();
    for t in ["loc", "rem"] {
        let c = server.tenant(t).await;
        c.batch_execute(setup).await.expect("setup");
        let point = percentiles(
            latencies(
                &c,
                "SELECT v FROM kv WHERE k = $1",
                Duration::from_secs(SECONDS),
            )
            .await,
        );
        let insert = percentiles(
            latencies(
                &c,
                "INSERT INTO log (k, at) VALUES ($1, 'x')",
                Duration::from_secs(SECONDS),
            )
            .await,
        );
        println!(
            "remote: {t}: point SELECT p50 {:?} p99 {:?} ({} queries); INSERT p50 {:?} p99 {:?} ({})",
            point.0, point.1, point.2, insert.0, insert.1, insert.2
        );
        results.push((point, insert));
    }
    let ratio = |a: Duration, b: Duration| b.as_secs_f64() / a.as_secs_f64();
    println!(
        "remote: remote/local p50 ratio: point SELECT {:.1}x, INSERT {:.1}x",
        ratio(results[0].0 .0, results[1].0 .0),
        ratio(results[0].1 .0, results[1].1 .0)
    );

    // 100 remote tenants in use at once.
    let names: Vec<String> = (0..TENANTS).map(|i| format!("r{i}")).collect();
    for t in &names {
        admin
            .batch_execute(&format!(
                "SELECT * FROM pgtenant.create_tenant('{t}', backend => 'libsql'); \
                 SELECT * FROM pgtenant.create_user('{t}', 'bench', 'benchpw')"
            ))
            .await
            .expect("create remote tenant");
    }
    let (rss0, _) = server.memory();
    let conns0 = double.open_connections();
    let mut clients = Vec::new();
    for t in &names {
        let c = server.tenant(t).await;
        c.batch_execute("CREATE TABLE IF NOT EXISTS kv (k int PRIMARY KEY, v text); INSERT INTO kv VALUES (1, 'one') ON CONFLICT DO NOTHING")
            .await
            .expect("remote setup");
        clients.push(Arc::new(c));
    }
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in clients.iter() {
        let c = c.clone();
        tasks.push(tokio::spawn(async move {
            for _ in 0..20 {
                c.query_one("SELECT v FROM kv WHERE k = 1", &[])
                    .await
                    .expect("remote query");
            }
        }));
    }
    for t in tasks {
        t.await.expect("task");
    }
    let busy = started.elapsed();
    let (rss1, _) = server.memory();
    println!(
        "remote: {TENANTS} remote tenants, one session each, 20 queries each at once: {:?} ({:.0} queries/s)",
        busy,
        (TENANTS * 20) as f64 / busy.as_secs_f64()
    );
    println!(
        "remote: HTTP connections from pgtenant to the libSQL server: {} (before the sessions: {conns0}); open Hrana streams: {}",
        double.open_connections(),
        double.open_streams()
    );
    println!(
        "remote: server RSS {} before, {} with {TENANTS} remote sessions: {:.1} KiB per session",
        mib(rss0),
        mib(rss1),
        (rss1.saturating_sub(rss0)) as f64 / TENANTS as f64
    );
    drop(clients);
}

fn main() {
    // `cargo bench` passes `--bench`; the first other argument picks the run.
    let which = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .unwrap_or_else(|| "all".to_owned());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        match which.as_str() {
            "stream" => stream().await,
            "idle" => idle().await,
            "neighbour" => neighbour().await,
            "remote" => remote().await,
            "all" => {
                stream().await;
                idle().await;
                neighbour().await;
                remote().await;
            }
            other => panic!("unknown benchmark {other}: stream, idle, neighbour, remote or all"),
        }
    });
}
