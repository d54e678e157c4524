//! Deployment measurements: an additive change rolled out to a fleet of
//! tenants, and a rebuild of a table with a million rows (time and peak
//! memory). Runs the engine in process (no sockets), as the admin function does.
//!
//! `cargo bench --bench deploy` (optimized), or quicker and slower
//! `cargo test --release --bench deploy`. Sizes: DEPLOY_TENANTS (1000),
//! DEPLOY_ROWS (1000000).

use std::time::Instant;

use pgtenant::config::Config;
use pgtenant::deploy::rollout::deploy;
use pgtenant::server::Server;

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Peak resident memory of this process so far, in MiB (Linux VmHWM).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

fn main() {
    let tenants = env("DEPLOY_TENANTS", 1000);
    let rows = env("DEPLOY_ROWS", 1_000_000);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config {
        data_dir: dir.path().join("data"),
        ..Default::default()
    };
    let concurrency = config.deploy.fleet_concurrency;
    let server = Server::new(config).expect("server");
    rt.block_on(async {
        let started = Instant::now();
        for i in 0..tenants {
            server.catalog.create_tenant(&format!("t{i:05}")).expect("tenant");
        }
        println!("provisioned {tenants} tenants in {:.2?}", started.elapsed());
        const V1: &str = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int)";
        let v2 = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty int, note text DEFAULT '');
                  CREATE INDEX items_name ON items (name)";
        let t = Instant::now();
        let out = deploy(&server, "*", V1, false, false).await.expect("v1");
        assert!(out.iter().all(|r| r[3] == "applied"));
        println!("create table on {tenants} tenants: {:.2?} (concurrency {concurrency})", t.elapsed());
        let t = Instant::now();
        let out = deploy(&server, "*", v2, false, false).await.expect("v2");
        assert!(out.iter().all(|r| r[3] == "applied"), "{:?}", out.first());
        println!(
            "additive change (add column + index) on {tenants} tenants: {:.2?}",
            t.elapsed()
        );

        server.catalog.create_tenant("big").expect("big tenant");
        deploy(&server, "big", v2, false, false).await.expect("big v2");
        let path = dir.path().join("data/tenants/big/prod.db");
        let conn = rusqlite::Connection::open(&path).expect("open big");
        let t = Instant::now();
        conn.execute_batch(&format!(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {rows})
             INSERT INTO items (name, qty, note) SELECT 'item ' || i, i % 1000, 'n' FROM n"
        ))
        .expect("fill");
        drop(conn);
        println!("filled {rows} rows in {:.2?}", t.elapsed());
        let before = peak_mib();
        let v3 = "CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL, qty bigint NOT NULL DEFAULT 0, note text DEFAULT '');
                  CREATE INDEX items_name ON items (name)";
        let t = Instant::now();
        let out = deploy(&server, "big", v3, false, false).await.expect("rebuild");
        assert_eq!(out[0][3], "applied");
        println!(
            "rebuild of a {rows}-row table (int -> bigint NOT NULL, index recreated): {:.2?}, peak RSS {:.0} MiB (before {:.0} MiB)",
            t.elapsed(),
            peak_mib(),
            before
        );
    });
}
