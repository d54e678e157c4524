//! Operability end to end: the Prometheus endpoint scraped over a plain TCP
//! socket after real queries, `pgtenant.stats`, `serve --check-config`, and
//! JSON logs from the real binary.

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// `GET path` over HTTP/1.1; returns (status line, body).
async fn get(addr: std::net::SocketAddr, path: &str) -> (String, String) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).await.unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").expect("an HTTP response");
    (head.lines().next().unwrap().to_owned(), body.to_owned())
}

/// The value of one sample (`name` or `name{labels}`), 0 when absent.
fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or(0.0)
}

async fn scrape(server: &TestServer) -> String {
    let addr = *server.server.metrics_addr.get().expect("metrics bound");
    let (status, body) = get(addr, "/metrics").await;
    assert_eq!(status, "HTTP/1.1 200 OK");
    body
}

#[tokio::test]
async fn metrics_move_with_queries() {
    let server = TestServer::start_with(|c| {
        c.metrics_listen = Some("127.0.0.1:0".parse().unwrap());
    })
    .await;
    wait_until("the metrics endpoint", Duration::from_secs(5), || {
        server.server.metrics_addr.get().is_some()
    })
    .await;
    let before = scrape(&server).await;
    let acme = server.fresh_tenant("metricsco").await;
    for i in 0..5 {
        acme.simple_query(&format!("SELECT {i}")).await.unwrap();
    }
    acme.query("SELECT $1::int", &[&7i32]).await.unwrap();
    let e = acme.simple_query("SELECT * FROM missing_table").await;
    assert_eq!(
        sqlstate(e),
        tokio_postgres::error::SqlState::UNDEFINED_TABLE
    );
    let e = acme.query("SELECT * FROM missing_too", &[]).await;
    assert_eq!(
        sqlstate(e),
        tokio_postgres::error::SqlState::UNDEFINED_TABLE
    );
    let after = scrape(&server).await;

    let moved = |series: &str| sample(&after, series) - sample(&before, series);
    assert!(moved("pgtenant_statements_total") >= 6.0, "{after}");
    assert!(moved("pgtenant_statement_duration_seconds_count") >= 6.0);
    assert!(moved("pgtenant_statement_duration_seconds_bucket{le=\"+Inf\"}") >= 6.0);
    assert!(moved("pgtenant_connections_total") >= 2.0);
    assert!(sample(&after, "pgtenant_connections_active") >= 1.0);
    assert!(sample(&after, "pgtenant_sessions") >= 1.0);
    // simple and extended protocol errors both counted by SQLSTATE
    assert!(
        moved("pgtenant_errors_total{sqlstate=\"42P01\"}") >= 2.0,
        "{after}"
    );
    // per tenant: only tenants with open sessions carry labels
    let tenant = "{tenant=\"metricsco\",env=\"prod\"}";
    assert!(
        sample(&after, &format!("pgtenant_tenant_statements_total{tenant}")) >= 6.0,
        "{after}"
    );
    assert!(sample(&after, &format!("pgtenant_tenant_errors_total{tenant}")) >= 1.0);
    assert_eq!(
        sample(&after, &format!("pgtenant_tenant_sessions{tenant}")),
        1.0
    );
    assert!(sample(&after, "pgtenant_open_databases") >= 1.0);
    assert!(after.contains("# TYPE pgtenant_statement_duration_seconds histogram"));

    // the session ends: the tenant's labels go with it
    drop(acme);
    let addr = *server.server.metrics_addr.get().unwrap();
    let mut gone = false;
    for _ in 0..200 {
        let (_, body) = get(addr, "/metrics").await;
        if !body.contains(tenant) {
            gone = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(gone, "tenant labels outlived the session");

    let (status, _) = get(addr, "/nope").await;
    assert_eq!(status, "HTTP/1.1 404 Not Found");
}

#[tokio::test]
async fn stats_view_for_the_admin() {
    let server = TestServer::start().await;
    let acme = server.fresh_tenant("statsco").await;
    for _ in 0..3 {
        acme.simple_query("SELECT 1").await.unwrap();
    }
    let admin = server.admin().await;
    let rows = simple_rows(
        &admin
            .simple_query("SELECT * FROM pgtenant.stats")
            .await
            .unwrap(),
    );
    let find = |scope: &str, tenant: &str, metric: &str| -> i64 {
        rows.iter()
            .find(|r| {
                r[0].as_deref() == Some(scope)
                    && r[1].as_deref() == Some(tenant)
                    && r[3].as_deref() == Some(metric)
            })
            .and_then(|r| r[4].as_deref()?.parse().ok())
            .unwrap_or_else(|| panic!("no {scope}/{tenant}/{metric} in {rows:?}"))
    };
    assert!(find("server", "", "statements_total") >= 3);
    assert!(find("server", "", "sessions") >= 2);
    assert_eq!(find("tenant", "statsco", "statements_total"), 3);
    assert_eq!(find("tenant", "statsco", "sessions"), 1);
    // a projection works; filters are refused rather than ignored
    let r = admin
        .simple_query("SELECT metric, value FROM pgtenant.stats")
        .await
        .unwrap();
    assert!(!simple_rows(&r).is_empty());
    let e = admin
        .simple_query("SELECT * FROM pgtenant.stats WHERE metric = 'x'")
        .await;
    assert_eq!(
        sqlstate(e),
        tokio_postgres::error::SqlState::FEATURE_NOT_SUPPORTED
    );
    // a tenant cannot read it
    let e = acme.simple_query("SELECT * FROM pgtenant.stats").await;
    assert_eq!(
        sqlstate(e),
        tokio_postgres::error::SqlState::INSUFFICIENT_PRIVILEGE
    );
}

fn pgtenant(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pgtenant"))
        .args(args)
        .env_remove("PGTENANT_LOG")
        .output()
        .expect("pgtenant runs")
}

#[test]
fn check_config_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    };
    let good = write(
        "good.toml",
        "admin_password = \"x\"\nhostname_pattern = \"{tenant}-{env}.db.example.com\"\nmetrics_listen = \"127.0.0.1:9187\"\nlog_format = \"json\"\n",
    );
    let o = pgtenant(&["serve", "--config", &good, "--check-config"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("configuration OK"));

    for (name, text, needle) in [
        (
            "tls.toml",
            "tls_cert = \"/nonexistent/cert.pem\"\ntls_key = \"/nonexistent/key.pem\"\n",
            "tls_cert",
        ),
        (
            "half.toml",
            "tls_cert = \"/nonexistent/cert.pem\"\n",
            "together",
        ),
        (
            "pattern.toml",
            "hostname_pattern = \"{tenant}.db.example.com\"\n",
            "{env}",
        ),
        (
            "placeholder.toml",
            "prod_hostname_pattern = \"{name}.db.example.com\"\n",
            "unknown placeholder",
        ),
        (
            "cleartext.toml",
            "auth_method = \"password\"\n",
            "needs TLS",
        ),
        ("require.toml", "require_tls = true\n", "require_tls"),
        ("typo.toml", "requre_tls = true\n", "unknown field"),
    ] {
        let path = write(name, text);
        let o = pgtenant(&["serve", "--config", &path, "--check-config"]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{name}: {err}");
        assert!(err.contains(needle), "{name}: expected {needle:?} in {err}");
    }
}

#[test]
fn json_logs() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("c.toml");
    std::fs::write(
        &config,
        format!(
            "log_format = \"json\"\nlisten = \"127.0.0.1:0\"\nadmin_password = \"x\"\ndata_dir = \"{}\"\n",
            dir.path().join("data").display()
        ),
    )
    .unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_pgtenant"))
        .args(["serve", "--config", &config.display().to_string()])
        .env_remove("PGTENANT_LOG")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let ready = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|l| l.contains("pgtenant ready"));
    child.kill().unwrap();
    child.wait().unwrap();
    let line = ready.expect("a ready line");
    let v: serde_json::Value = serde_json::from_str(&line).expect("the log line is JSON");
    assert_eq!(v["level"], "INFO");
    assert_eq!(v["message"], "pgtenant ready");
    assert!(v["listen"].as_str().unwrap().starts_with("127.0.0.1:"));
}
