//! Control-plane figures, printed (run with `cargo bench --bench provisioning`):
//!
//! 1. provisioning latency: `create_tenant` steps against the catalog (two
//!    catalog commits, a folder and a WAL-mode database file), p50/p99 over
//!    1,000 tenants (target p50 < 5 ms);
//! 2. provisioning 10,000 tenants: total time and data folder size;
//! 3. connecting to 1,000 different tenants in a row through the wire
//!    protocol (SCRAM login, `SELECT 1`, close): connections/s and the
//!    server's resident memory before and after.
//!
//! `PGTENANT_BENCH_TENANTS` overrides the 10,000 (e.g. for a quick run).

use std::path::Path;
use std::time::{Duration, Instant};

use pgtenant::tenant::catalog::Catalog;
use pgtenant::tenant::provision::{self, NewTenant};
use pgtenant::tenant::remote_db::NewDb;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

fn folder_size(dir: &Path) -> u64 {
    let mut total = 0;
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => total += folder_size(&e.path()),
                Ok(m) => total += m.len(),
                Err(_) => {}
            }
        }
    }
    total
}

fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1).and_then(|v| v.parse().ok()))
        })
        .unwrap_or(0)
}

fn latency() {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = Catalog::open(dir.path()).expect("catalog");
    let req = NewTenant::default();
    let mut times = Vec::with_capacity(1000);
    for i in 0..1000 {
        let t = Instant::now();
        provision::create(&catalog, &format!("lat{i}"), &req, &NewDb::File).expect("create");
        times.push(t.elapsed());
    }
    times.sort();
    println!(
        "provisioning latency (1,000 tenants): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms (target p50 < 5 ms)",
        percentile(&times, 0.50).as_secs_f64() * 1e3,
        percentile(&times, 0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3,
    );
}

fn bulk(n: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let catalog = Catalog::open(dir.path()).expect("catalog");
    let req = NewTenant::default();
    let t = Instant::now();
    for i in 0..n {
        provision::create(&catalog, &format!("bulk{i}"), &req, &NewDb::File).expect("create");
    }
    let took = t.elapsed();
    let size = folder_size(dir.path());
    let tenants_size = folder_size(&dir.path().join("tenants"));
    println!(
        "provisioning {n} tenants: {:.1} s ({:.0} tenants/s); data folder {:.1} MB ({:.1} KB per tenant; catalog {:.1} MB)",
        took.as_secs_f64(),
        n as f64 / took.as_secs_f64(),
        size as f64 / 1e6,
        tenants_size as f64 / 1e3 / n as f64,
        (size - tenants_size) as f64 / 1e6,
    );
}

fn connections() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = pgtenant::config::Config {
            data_dir: dir.path().join("data"),
            admin_password: Some("adminpw".into()),
            log_level: "warn".into(),
            ..Default::default()
        };
        let server = pgtenant::server::Server::new(config).expect("server");
        let n = 1000;
        {
            let catalog = server.catalog.clone();
            tokio::task::spawn_blocking(move || {
                for i in 0..n {
                    let name = format!("c{i}");
                    catalog.create_tenant(&name).expect("tenant");
                    catalog
                        .create_user(&name, "app", "pw", "owner")
                        .expect("user");
                }
            })
            .await
            .expect("setup");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.clone().serve(listener, async move {
            let _ = stopped.await;
        }));
        let before = rss_kb();
        let t = Instant::now();
        for i in 0..n {
            let mut c = tokio_postgres::Config::new();
            c.host("127.0.0.1")
                .port(port)
                .user(format!("app@c{i}"))
                .password("pw");
            let (client, conn) = c.connect(tokio_postgres::NoTls).await.expect("connect");
            let task = tokio::spawn(conn);
            client.simple_query("SELECT 1").await.expect("query");
            drop(client);
            let _ = task.await;
        }
        let took = t.elapsed();
        let after = rss_kb();
        println!(
            "connecting to {n} different tenants in a row: {:.0} connections/s ({:.2} ms each, SCRAM included); RSS {:.1} MB before, {:.1} MB after ({:.1} KB per opened tenant, client in the same process)",
            n as f64 / took.as_secs_f64(),
            took.as_secs_f64() * 1e3 / n as f64,
            before as f64 / 1024.0,
            after as f64 / 1024.0,
            after.saturating_sub(before) as f64 / n as f64,
        );
        let _ = stop.send(());
        let _ = serving.await;
    });
}

fn main() {
    let n: usize = std::env::var("PGTENANT_BENCH_TENANTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    latency();
    bulk(n);
    connections();
}
