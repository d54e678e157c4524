//! TLS and SNI routing through real psql: a test CA and certificates made at
//! test time (rcgen), libpq verifying the server (`sslmode=verify-full`) and
//! sending the host name, which picks the tenant environment.

use crate::common;

use std::path::PathBuf;
use std::process::Output;

use common::*;
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair,
};
use tokio_postgres::error::SqlState;

/// A CA, a server certificate for `*.db.localtest` (and a few custom names),
/// and a client certificate, as PEM files.
struct Pki {
    dir: tempfile::TempDir,
}

impl Pki {
    fn new() -> Pki {
        let dir = tempfile::tempdir().unwrap();
        let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "pgtenant test CA");
        let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();

        let mut server = CertificateParams::new(vec![
            "*.db.localtest".to_owned(),
            "custom.acme.localtest".to_owned(),
            "other.acme.localtest".to_owned(),
            "localhost".to_owned(),
        ])
        .unwrap();
        server.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let server_key = KeyPair::generate().unwrap();
        let server = server.signed_by(&server_key, &ca).unwrap();

        let mut client = CertificateParams::new(Vec::<String>::new()).unwrap();
        client.distinguished_name.push(DnType::CommonName, "alice");
        client.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        let client_key = KeyPair::generate().unwrap();
        let client = client.signed_by(&client_key, &ca).unwrap();

        let write = |name: &str, text: String| {
            let p = dir.path().join(name);
            std::fs::write(&p, text).unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
            }
        };
        write("ca.pem", ca.pem());
        write("server.pem", server.pem());
        write("server.key", server_key.serialize_pem());
        write("client.pem", client.pem());
        write("client.key", client_key.serialize_pem());
        Pki { dir }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    fn ca(&self) -> String {
        self.path("ca.pem").display().to_string()
    }

    fn configure(&self, c: &mut pgtenant::config::Config) {
        c.tls_cert = Some(self.path("server.pem"));
        c.tls_key = Some(self.path("server.key"));
        c.hostname_pattern = Some("{tenant}-{env}.db.localtest".into());
        c.prod_hostname_pattern = Some("{tenant}.db.localtest".into());
    }
}

/// Runs psql with a connection string and one command; `-At` output.
async fn psql(conninfo: String, password: &str, sql: &str) -> Output {
    let password = password.to_owned();
    let sql = sql.to_owned();
    tokio::task::spawn_blocking(move || {
        std::process::Command::new("psql")
            .args([
                conninfo.as_str(),
                "-X",
                "-At",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                &sql,
            ])
            .env("PGPASSWORD", password)
            .env("PGCONNECT_TIMEOUT", "10")
            .env_remove("PGSSLMODE")
            .env_remove("PGSERVICE")
            .env_remove("PGOPTIONS")
            .env_remove("PGHOST")
            .env_remove("PGUSER")
            .env_remove("PGDATABASE")
            .output()
            .expect("psql is on PATH")
    })
    .await
    .unwrap()
}

/// `host=NAME hostaddr=127.0.0.1`: libpq sends SNI (only for names, not
/// addresses) and checks the certificate against NAME.
fn verify_full(server: &TestServer, pki: &Pki, host: &str, user: &str, extra: &str) -> String {
    format!(
        "host={host} hostaddr=127.0.0.1 port={} sslmode=verify-full sslrootcert={} user={user} {extra}",
        server.port,
        pki.ca()
    )
}

fn stdout(o: &Output) -> String {
    assert!(
        o.status.success(),
        "psql failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_owned()
}

fn failed_with(o: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "psql should fail");
    assert!(err.contains(needle), "expected {needle:?} in: {err}");
}

async fn setup(server: &TestServer) {
    server.create_tenant_user("acme", "alice", "s3cret").await;
    server.create_tenant_user("beta", "bob", "b0bpw").await;
    let admin = server.admin().await;
    admin
        .simple_query("SELECT * FROM pgtenant.create_environment('acme', 'staging')")
        .await
        .unwrap();
    let prod = server.connect_tenant("acme", "alice", "s3cret").await;
    prod.batch_execute("CREATE TABLE t (x text); INSERT INTO t VALUES ('acme prod')")
        .await
        .unwrap();
}

#[tokio::test]
async fn sni_picks_the_tenant_environment() {
    let pki = Pki::new();
    let server = TestServer::start_with(|c| pki.configure(c)).await;
    setup(&server).await;

    // verify-full: the certificate checks out and a plain user name is enough
    let o = psql(
        verify_full(
            &server,
            &pki,
            "acme-prod.db.localtest",
            "alice",
            "dbname=app",
        ),
        "s3cret",
        "SELECT x FROM t",
    )
    .await;
    assert_eq!(stdout(&o), "acme prod");
    let o = psql(
        verify_full(&server, &pki, "acme.db.localtest", "alice", ""),
        "s3cret",
        "\\conninfo",
    )
    .await;
    let info = stdout(&o);
    assert!(info.contains("SSL connection"), "{info}");

    // staging through its hostname: its own database, isolated from prod
    let staging = verify_full(&server, &pki, "acme-staging.db.localtest", "alice", "");
    let o = psql(staging.clone(), "s3cret", "SELECT x FROM t").await;
    failed_with(&o, "does not exist");
    let o = psql(
        staging.clone(),
        "s3cret",
        "CREATE TABLE t (x text); INSERT INTO t VALUES ('staging only')",
    )
    .await;
    stdout(&o);
    let o = psql(staging, "s3cret", "SELECT x FROM t").await;
    assert_eq!(stdout(&o), "staging only");
    let o = psql(
        verify_full(&server, &pki, "acme.db.localtest", "alice", ""),
        "s3cret",
        "SELECT x FROM t",
    )
    .await;
    assert_eq!(stdout(&o), "acme prod");

    // the admin reaches the management database through a non-tenant name
    let o = psql(
        verify_full(&server, &pki, "localhost", ADMIN_USER, "dbname=pgtenant"),
        ADMIN_PASSWORD,
        "SELECT count(*) FROM pgtenant.tenants",
    )
    .await;
    assert_eq!(stdout(&o), "2");
}

#[tokio::test]
async fn sni_and_user_naming_different_tenants_is_refused() {
    let pki = Pki::new();
    let server = TestServer::start_with(|c| pki.configure(c)).await;
    setup(&server).await;
    // bob's right password, beta named by the user, acme by the host name
    for (user, host) in [
        ("bob@beta", "acme.db.localtest"),
        ("bob", "acme.db.localtest"),
        ("alice@acme.staging", "acme.db.localtest"),
        ("alice@acme", "ghost.db.localtest"),
    ] {
        let password = if user.starts_with("bob") {
            "b0bpw"
        } else {
            "s3cret"
        };
        let o = psql(
            verify_full(&server, &pki, host, user, ""),
            password,
            "SELECT 1",
        )
        .await;
        // the same answer as a wrong password: nothing about which tenant exists
        failed_with(
            &o,
            &format!("password authentication failed for user \"{user}\""),
        );
    }
    // the same user through beta's own hostname works
    let o = psql(
        verify_full(&server, &pki, "beta.db.localtest", "bob@beta", ""),
        "b0bpw",
        "SELECT 1",
    )
    .await;
    assert_eq!(stdout(&o), "1");
}

#[tokio::test]
async fn custom_hostnames_route_and_changes_apply_at_once() {
    let pki = Pki::new();
    let server = TestServer::start_with(|c| pki.configure(c)).await;
    setup(&server).await;
    let admin = server.admin().await;
    admin
        .simple_query(
            "SELECT * FROM pgtenant.set_hostname('acme', 'staging', 'custom.acme.localtest')",
        )
        .await
        .unwrap();
    let o = psql(
        verify_full(&server, &pki, "custom.acme.localtest", "alice", ""),
        "s3cret",
        "CREATE TABLE marker (x int); SELECT 'in staging'",
    )
    .await;
    assert_eq!(stdout(&o).lines().last(), Some("in staging"));
    let o = psql(
        verify_full(&server, &pki, "acme-staging.db.localtest", "alice", ""),
        "s3cret",
        "SELECT count(*) FROM marker",
    )
    .await;
    assert_eq!(stdout(&o), "0");

    // a duplicate is refused with 23505 and a clear message
    let e = db_error(
        admin
            .simple_query(
                "SELECT * FROM pgtenant.set_hostname('beta', 'prod', 'custom.acme.localtest')",
            )
            .await,
    );
    assert_eq!(e.code(), &SqlState::UNIQUE_VIOLATION);
    assert!(e.message().contains("already bound"), "{}", e.message());

    // moving the hostname: the next connection follows, the old name is gone
    admin
        .simple_query(
            "SELECT * FROM pgtenant.set_hostname('acme', 'staging', 'other.acme.localtest')",
        )
        .await
        .unwrap();
    let o = psql(
        verify_full(&server, &pki, "other.acme.localtest", "alice", ""),
        "s3cret",
        "SELECT count(*) FROM marker",
    )
    .await;
    assert_eq!(stdout(&o), "0");
    let o = psql(
        verify_full(&server, &pki, "custom.acme.localtest", "alice", ""),
        "s3cret",
        "SELECT 1",
    )
    .await;
    failed_with(&o, "password authentication failed");
    // and to another tenant
    admin
        .simple_query("SELECT * FROM pgtenant.set_hostname('acme', 'staging', NULL)")
        .await
        .unwrap();
    admin
        .simple_query("SELECT * FROM pgtenant.set_hostname('beta', 'prod', 'other.acme.localtest')")
        .await
        .unwrap();
    let o = psql(
        verify_full(&server, &pki, "other.acme.localtest", "bob", ""),
        "b0bpw",
        "SELECT 'beta'",
    )
    .await;
    assert_eq!(stdout(&o), "beta");
}

#[tokio::test]
async fn require_tls_refuses_plaintext() {
    let pki = Pki::new();
    let server = TestServer::start_with(|c| {
        pki.configure(c);
        c.require_tls = true;
    })
    .await;
    let conn = |mode: &str| {
        format!(
            "host=127.0.0.1 port={} sslmode={mode} user=pgtenant dbname=pgtenant",
            server.port
        )
    };
    let o = psql(conn("disable"), ADMIN_PASSWORD, "SELECT 1").await;
    failed_with(&o, "no encryption");
    let o = psql(conn("require"), ADMIN_PASSWORD, "SELECT 1").await;
    assert_eq!(stdout(&o), "1");
    // the SQLSTATE, through a client without TLS
    let e = db_error(
        server
            .connect_with(&server.config(ADMIN_USER, Some(ADMIN_DB), ADMIN_PASSWORD))
            .await,
    );
    assert_eq!(e.code(), &SqlState::INVALID_AUTHORIZATION_SPECIFICATION);
}

#[tokio::test]
async fn cleartext_passwords_need_tls() {
    let pki = Pki::new();
    let server = TestServer::start_with(|c| {
        pki.configure(c);
        c.auth_method = pgtenant::config::AuthMethod::Password;
    })
    .await;
    let conn = |mode: &str| {
        format!(
            "host=127.0.0.1 port={} sslmode={mode} user=pgtenant dbname=pgtenant",
            server.port
        )
    };
    let o = psql(conn("disable"), ADMIN_PASSWORD, "SELECT 1").await;
    failed_with(&o, "requires an encrypted connection");
    let o = psql(conn("require"), ADMIN_PASSWORD, "SELECT 1").await;
    assert_eq!(stdout(&o), "1");
}

#[tokio::test]
async fn client_certificates_when_required() {
    let pki = Pki::new();
    let server = TestServer::start_with(|c| {
        pki.configure(c);
        c.tls_client_ca = Some(pki.path("ca.pem"));
        c.client_cert = pgtenant::config::ClientCert::Required;
    })
    .await;
    setup_over_tls(&server, &pki).await;
    let without = verify_full(&server, &pki, "acme.db.localtest", "alice", "");
    let o = psql(without, "s3cret", "SELECT 1").await;
    assert!(!o.status.success(), "a client without a certificate got in");
    let with = verify_full(
        &server,
        &pki,
        "acme.db.localtest",
        "alice",
        &format!(
            "sslcert={} sslkey={}",
            pki.path("client.pem").display(),
            pki.path("client.key").display()
        ),
    );
    let o = psql(with, "s3cret", "SELECT 'with a certificate'").await;
    assert_eq!(stdout(&o), "with a certificate");
}

/// Creates acme/alice through psql over TLS with the client certificate.
async fn setup_over_tls(server: &TestServer, pki: &Pki) {
    let admin = verify_full(
        server,
        pki,
        "localhost",
        ADMIN_USER,
        &format!(
            "dbname=pgtenant sslcert={} sslkey={}",
            pki.path("client.pem").display(),
            pki.path("client.key").display()
        ),
    );
    let o = psql(
        admin,
        ADMIN_PASSWORD,
        "SELECT tenant FROM pgtenant.create_tenant('acme'); SELECT tenant FROM pgtenant.create_user('acme', 'alice', 's3cret')",
    )
    .await;
    assert_eq!(stdout(&o), "acme\nacme");
}

/// SSLRequest is answered 'S' when TLS is configured, GSSENCRequest 'N'.
#[tokio::test]
async fn negotiation_answers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let pki = Pki::new();
    let server = TestServer::start_with(|c| pki.configure(c)).await;
    let mut s = tokio::net::TcpStream::connect(("127.0.0.1", server.port))
        .await
        .unwrap();
    let request = |code: u32| {
        let mut b = 8u32.to_be_bytes().to_vec();
        b.extend_from_slice(&code.to_be_bytes());
        b
    };
    s.write_all(&request(80877104)).await.unwrap();
    let mut answer = [0u8; 1];
    s.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"N", "GSSENCRequest");
    s.write_all(&request(80877103)).await.unwrap();
    s.read_exact(&mut answer).await.unwrap();
    assert_eq!(&answer, b"S", "SSLRequest");
}
