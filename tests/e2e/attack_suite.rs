//! A hostile tenant, table-driven: `alice@acme` tries every escape hatch we
//! know of while tenant `beta` holds a secret row. Each attempt must be
//! refused with an acceptable SQLSTATE, the error must not leak another
//! tenant's name or the data folder, and afterwards beta's data, the catalog
//! and the data folder's file list are unchanged.
//!
//! Acceptable codes:
//! * 42501 for escape hatches (ATTACH, PRAGMA, load_extension, sqlite_*,
//!   the pgtenant schema, SET ROLE, ...);
//! * 3F000 or 42P01 for a schema qualifier that is not one of the tenant's
//!   own (`beta.todo`, `main.todo`, `temp.x`): PostgreSQL says the schema
//!   (3F000) or the relation (42P01, a SELECT's or INSERT's target) does
//!   not exist. A schema the tenant makes is a name inside its own file
//!   (`translate::schemas`), so `beta.todo` can only ever mean the tenant's
//!   own `beta` schema;
//! * 42601 only where PostgreSQL itself cannot parse the statement (SQLite's
//!   `ATTACH`/`DETACH`/`PRAGMA`/`VACUUM INTO` and SQLite-style trigger bodies
//!   are not PostgreSQL syntax), so a parse refusal is the honest answer;
//! * 42883 where a function simply does not exist in the engine (readfile,
//!   writefile are CLI-only functions), which is still a refusal.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{db_error, simple_rows, two_tenants, TestServer, ADMIN_DB};
use tokio_postgres::Client;

const PRIV: &str = "42501";
const SCHEMA: &[&str] = &["3F000", "42P01"];
const SYNTAX: &str = "42601";
const NO_FUNC: &str = "42883";

/// Every file under `dir`, relative, minus `-wal`/`-shm`/`-journal` churn.
fn files(dir: &Path) -> BTreeSet<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("read data dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let name = path.to_string_lossy();
                if name.ends_with("-wal") || name.ends_with("-shm") || name.ends_with("-journal") {
                    continue;
                }
                out.insert(path.strip_prefix(base).expect("under base").to_path_buf());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

async fn admin_rows(admin: &Client, sql: &str) -> Vec<Vec<Option<String>>> {
    simple_rows(&admin.simple_query(sql).await.expect(sql))
}

/// Catalog contents, beta's rows and the data folder's files.
async fn snapshot(server: &TestServer) -> (Vec<Vec<Option<String>>>, BTreeSet<PathBuf>) {
    let admin = server.admin().await;
    let mut rows = admin_rows(
        &admin,
        "SELECT tenant, status FROM pgtenant.tenants ORDER BY 1",
    )
    .await;
    rows.extend(
        admin_rows(
            &admin,
            "SELECT tenant, \"user\", role FROM pgtenant.users ORDER BY 1, 2",
        )
        .await,
    );
    let bob = server.connect_tenant("beta", "bob", "b0bpw").await;
    rows.extend(simple_rows(
        &bob.simple_query("SELECT id, title FROM todo ORDER BY id")
            .await
            .expect("beta rows"),
    ));
    (rows, files(&server.data_dir))
}

async fn setup(server: &TestServer) -> Client {
    two_tenants(server).await.0
}

/// Asserts `err` leaks neither the data folder nor `beta` (unless `sql`,
/// which the attacker typed, names beta itself).
fn assert_no_leak(server: &TestServer, sql: &str, err: &tokio_postgres::error::DbError) {
    let data = server.data_dir.display().to_string();
    let root = server
        .data_dir
        .parent()
        .expect("parent")
        .display()
        .to_string();
    let text = format!(
        "{} {} {}",
        err.message(),
        err.detail().unwrap_or_default(),
        err.hint().unwrap_or_default()
    );
    assert!(
        !text.contains(&data) && !text.contains(&root),
        "{sql}: error leaks the data folder: {text}"
    );
    if !sql.to_lowercase().contains("beta") {
        assert!(
            !text.to_lowercase().contains("beta"),
            "{sql}: error leaks another tenant: {text}"
        );
    }
}

/// Runs `sql` on `client` (simple protocol and, unless `simple_only`, the
/// extended protocol) and checks the refusal.
async fn refused(
    server: &TestServer,
    client: &Client,
    sql: &str,
    codes: &[&str],
    simple_only: bool,
) {
    let mut outcomes = vec![("simple", db_error(client.simple_query(sql).await))];
    if !simple_only {
        outcomes.push(("extended", db_error(client.execute(sql, &[]).await)));
    }
    for (protocol, err) in outcomes {
        let code = err.code().code();
        println!("{code} {protocol}: {sql} -> {}", err.message());
        assert!(
            codes.contains(&code),
            "{sql} ({protocol}): got {code} {:?}, expected one of {codes:?}",
            err.message()
        );
        assert_no_leak(server, sql, &err);
    }
    // The session is still usable after the refusal.
    client
        .simple_query("SELECT 1")
        .await
        .expect("session usable");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_statements_are_refused_and_change_nothing() {
    let server = TestServer::start().await;
    let acme = setup(&server).await;
    let before = snapshot(&server).await;
    for file in ["catalog.db", "tenants/acme/prod.db", "tenants/beta/prod.db"] {
        assert!(before.1.contains(Path::new(file)), "{file} listed");
    }
    let beta_file = server.tenant_db_file("beta").display().to_string();
    let tmp = server.data_dir.parent().expect("parent").join("x.db");
    let tmp = tmp.display().to_string();

    let either = &[PRIV, SYNTAX][..];
    let cases: Vec<(String, &[&str])> = vec![
        // ATTACH / DETACH / VACUUM INTO, however spelled.
        (format!("ATTACH DATABASE '{beta_file}' AS x"), either),
        (format!("attach '{beta_file}' as \"X\""), either),
        ("ATTACH ':memory:' AS m".into(), either),
        (format!("ATTACH 'file:{tmp}?mode=rwc' AS u"), either),
        ("ATTACH 'file:evil.db?mode=rwc' AS u".into(), either),
        ("DETACH x".into(), either),
        ("DETACH DATABASE main".into(), either),
        (format!("VACUUM INTO '{tmp}'"), either),
        ("vacuum main into 'evil.db'".into(), either),
        // Engine functions that load code or touch files.
        ("SELECT load_extension('x')".into(), &[PRIV]),
        ("SELECT LOAD_EXTENSION('x')".into(), &[PRIV]),
        ("SELECT \"load_extension\"('x')".into(), &[PRIV]),
        ("SELECT \"LOAD_EXTENSION\"('x')".into(), &[PRIV, NO_FUNC]),
        ("SELECT public.load_extension('x')".into(), &[PRIV]),
        ("SELECT pg_catalog.load_extension('x')".into(), &[PRIV]),
        ("SELECT fts3_tokenizer('simple')".into(), &[PRIV]),
        ("SELECT readfile('/etc/passwd')".into(), &[PRIV, NO_FUNC]),
        ("SELECT writefile('evil.db', 'x')".into(), &[PRIV, NO_FUNC]),
        ("SELECT sqlite_version()".into(), &[PRIV]),
        ("SELECT SQLITE_COMPILEOPTION_GET(0)".into(), &[PRIV]),
        ("SELECT \"SQLITE_SOURCE_ID\"()".into(), &[PRIV, NO_FUNC]),
        (
            "WITH c AS (SELECT load_extension('x') AS v) SELECT * FROM c".into(),
            &[PRIV],
        ),
        (
            "SELECT * FROM todo WHERE id IN (SELECT load_extension('x'))".into(),
            &[PRIV],
        ),
        // PRAGMA statements and pragma table functions.
        ("PRAGMA writable_schema=1".into(), either),
        ("PRAGMA journal_mode=off".into(), either),
        ("PRAGMA main.synchronous=0".into(), either),
        ("PRAGMA mmap_size=268435456".into(), either),
        ("PRAGMA cache_size".into(), either),
        ("PRAGMA temp_store_directory='/tmp'".into(), either),
        ("SELECT * FROM pragma_journal_mode('off')".into(), &[PRIV]),
        (
            "SELECT * FROM \"PRAGMA_JOURNAL_MODE\"('off')".into(),
            &[PRIV],
        ),
        ("SELECT * FROM pragma_writable_schema(1)".into(), &[PRIV]),
        ("SELECT * FROM pragma_database_list".into(), &[PRIV]),
        (
            "SELECT journal_mode FROM pragma_journal_mode".into(),
            &[PRIV],
        ),
        // Engine internals by name.
        ("SELECT * FROM sqlite_master".into(), &[PRIV]),
        ("SELECT * FROM \"SQLITE_MASTER\"".into(), &[PRIV]),
        ("SELECT * FROM \"Sqlite_Schema\"".into(), &[PRIV]),
        (
            "INSERT INTO sqlite_master VALUES ('table','x','x',0,'CREATE TABLE x(a)')".into(),
            &[PRIV],
        ),
        ("UPDATE sqlite_schema SET sql = 'x'".into(), &[PRIV]),
        ("DELETE FROM \"SQLITE_MASTER\"".into(), &[PRIV]),
        ("SELECT * FROM sqlite_temp_master".into(), &[PRIV]),
        ("SELECT * FROM pgcat_class".into(), &[PRIV]),
        // Code stored for later: views, triggers, defaults, checks.
        (
            "CREATE VIEW evil_v AS SELECT load_extension('x') AS v".into(),
            &[PRIV],
        ),
        (
            "CREATE VIEW evil_v AS SELECT * FROM pragma_journal_mode('off')".into(),
            &[PRIV],
        ),
        (
            "CREATE TABLE evil_t (a int DEFAULT (load_extension('x')))".into(),
            &[PRIV],
        ),
        (
            "CREATE TABLE evil_t (a text CHECK (fts3_tokenizer(a) IS NULL))".into(),
            &[PRIV],
        ),
        (
            "CREATE TABLE evil_t (a int GENERATED ALWAYS AS (sqlite_version()) STORED)".into(),
            &[PRIV],
        ),
        (
            "CREATE TRIGGER evil_tr AFTER INSERT ON todo BEGIN ATTACH ':memory:' AS m; END".into(),
            either,
        ),
        (
            "CREATE TRIGGER evil_tr AFTER INSERT ON todo BEGIN SELECT load_extension('x'); END"
                .into(),
            either,
        ),
        (
            "CREATE INDEX evil_i ON todo ((load_extension('x')))".into(),
            &[PRIV],
        ),
        (
            "CREATE TABLE evil_t AS SELECT load_extension('x') AS a".into(),
            &[PRIV],
        ),
        ("CREATE TABLE \"SQLITE_EVIL\" (a int)".into(), &[PRIV]),
        ("ALTER TABLE todo RENAME TO sqlite_x".into(), &[PRIV]),
        ("CREATE VIEW \"PGCAT_CLASS\" AS SELECT 1".into(), &[PRIV]),
        ("SELECT * FROM sqlite_dbpage('main')".into(), &[PRIV]),
        ("SELECT pg_catalog.sqlite_version()".into(), &[PRIV]),
        // Server-side files and programs, as in PostgreSQL for a non-superuser.
        (format!("COPY todo TO '{tmp}'"), &[PRIV]),
        ("COPY todo FROM '/etc/passwd'".into(), &[PRIV]),
        ("COPY todo TO PROGRAM 'id'".into(), &[PRIV]),
        ("LOAD 'x'".into(), &[PRIV]),
        // COPY names its table outside the AST: the same checks apply.
        ("COPY beta.todo TO STDOUT".into(), SCHEMA),
        ("COPY \"SQLITE_MASTER\" TO STDOUT".into(), &[PRIV]),
        ("COPY sqlite_schema (sql) TO STDOUT".into(), &[PRIV]),
        ("COPY pgtenant.users TO STDOUT".into(), &[PRIV]),
        ("COPY pgcat_class TO STDOUT".into(), &[PRIV]),
        ("COPY pragma_database_list TO STDOUT".into(), &[PRIV]),
        ("COPY (SELECT * FROM beta.todo) TO STDOUT".into(), SCHEMA),
        (
            "COPY (SELECT load_extension('x')) TO STDOUT".into(),
            &[PRIV],
        ),
        ("COPY sqlite_master FROM STDIN".into(), &[PRIV]),
        ("COPY beta.todo FROM STDIN".into(), SCHEMA),
        // Reaching across schemas and tenants.
        ("SELECT * FROM beta.todo".into(), SCHEMA),
        ("SELECT * FROM \"beta\".todo".into(), SCHEMA),
        ("SELECT * FROM BETA.TODO".into(), SCHEMA),
        ("SELECT beta.todo.title FROM todo".into(), SCHEMA),
        ("INSERT INTO beta.todo VALUES (9, 'x')".into(), SCHEMA),
        ("SELECT * FROM main.todo".into(), SCHEMA),
        ("SELECT * FROM \"main\".\"todo\"".into(), SCHEMA),
        ("SELECT * FROM temp.x".into(), SCHEMA),
        ("CREATE TABLE temp.evil_t (a int)".into(), SCHEMA),
        (
            "WITH c AS (SELECT * FROM beta.todo) SELECT * FROM c".into(),
            SCHEMA,
        ),
        (
            "CREATE VIEW evil_v AS SELECT * FROM main.todo".into(),
            SCHEMA,
        ),
        // The management schema and session identity.
        ("SELECT * FROM pgtenant.tenants".into(), &[PRIV]),
        ("SELECT * FROM \"pgtenant\".\"users\"".into(), &[PRIV]),
        ("SELECT * FROM PGTENANT.TENANTS".into(), &[PRIV]),
        ("SELECT pgtenant.create_tenant('evil')".into(), &[PRIV]),
        (
            "SELECT * FROM pgtenant.set_password('beta', 'bob', 'stolen')".into(),
            &[PRIV],
        ),
        ("SELECT * FROM pgtenant.drop_tenant('beta')".into(), &[PRIV]),
        (
            "WITH c AS (SELECT * FROM pgtenant.users) SELECT * FROM c".into(),
            &[PRIV],
        ),
        ("SET pgtenant.tenant = 'beta'".into(), &[PRIV]),
        ("SET \"pgtenant.tenant\" TO beta".into(), &[PRIV]),
        ("SET SESSION pgtenant.tenant = 'beta'".into(), &[PRIV]),
        (
            "SELECT set_config('pgtenant.tenant', 'beta', false)".into(),
            &[PRIV, NO_FUNC],
        ),
        ("SET ROLE pgtenant".into(), &[PRIV]),
        ("SET SESSION AUTHORIZATION pgtenant".into(), &[PRIV]),
    ];

    for (sql, codes) in &cases {
        refused(&server, &acme, sql, codes, false).await;
    }

    // Multi-statement simple queries: the hostile part is refused and the
    // whole implicit transaction is rolled back.
    for sql in [
        "INSERT INTO todo VALUES (5, 'x'); ATTACH ':memory:' AS m".to_owned(),
        "INSERT INTO todo VALUES (5, 'x'); SELECT load_extension('x')".to_owned(),
        "SELECT 1; PRAGMA writable_schema=1; SELECT 2".to_owned(),
        format!("SELECT 1; ATTACH '{beta_file}' AS x; SELECT * FROM x.todo"),
        "SELECT 1; SELECT * FROM beta.todo".to_owned(),
    ] {
        let codes: &[&str] = if sql.contains("beta.todo") {
            SCHEMA
        } else {
            either
        };
        refused(&server, &acme, &sql, codes, true).await;
    }

    // Nothing was created in acme's database either.
    let rows = simple_rows(
        &acme
            .simple_query(
                "SELECT table_name FROM information_schema.tables \
                 WHERE table_name LIKE 'evil%' ORDER BY 1",
            )
            .await
            .expect("list tables"),
    );
    assert!(rows.is_empty(), "objects created: {rows:?}");
    let rows = simple_rows(
        &acme
            .simple_query("SELECT id, title FROM todo ORDER BY id")
            .await
            .expect("acme rows"),
    );
    assert_eq!(
        rows,
        vec![vec![Some("1".into()), Some("acme secret".into())]]
    );

    let after = snapshot(&server).await;
    assert_eq!(before.0, after.0, "catalog or beta's data changed");
    assert_eq!(before.1, after.1, "data folder gained or lost files");
    assert!(!Path::new(&tmp).exists(), "{tmp} was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_prepared_statements_are_refused() {
    // Prepare (Parse) alone must already refuse, before any Bind/Execute.
    let server = TestServer::start().await;
    let acme = setup(&server).await;
    let before = snapshot(&server).await;
    for (sql, codes) in [
        ("SELECT load_extension($1)", &[PRIV][..]),
        ("SELECT * FROM beta.todo WHERE id = $1", SCHEMA),
        ("SELECT * FROM pgtenant.users WHERE tenant = $1", &[PRIV]),
        ("SELECT * FROM pragma_journal_mode($1)", &[PRIV]),
        ("SELECT fts3_tokenizer($1)", &[PRIV]),
    ] {
        let err = db_error(acme.prepare(sql).await);
        assert!(
            codes.contains(&err.code().code()),
            "{sql}: {:?} {}",
            err.code(),
            err.message()
        );
        assert_no_leak(&server, sql, &err);
    }
    let after = snapshot(&server).await;
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_logins_are_refused() {
    let server = TestServer::start().await;
    let _acme = setup(&server).await;
    let before = snapshot(&server).await;
    let auth = ["28P01", "28000"];

    // A tenant user on the management database.
    for user in ["alice@acme", "alice"] {
        let config = server.config(user, Some(ADMIN_DB), "s3cret");
        let err = db_error(server.connect_with(&config).await.map(|_| ()));
        assert!(auth.contains(&err.code().code()), "{user}: {err:?}");
        assert_no_leak(&server, user, &err);
    }
    // acme's user with options naming beta: conflicting tenants.
    let mut config = server.config("alice@acme", None, "s3cret");
    config.options("-c pgtenant.tenant=beta");
    let err = db_error(server.connect_with(&config).await.map(|_| ()));
    println!(
        "conflicting tenants: {} {}",
        err.code().code(),
        err.message()
    );
    // Observed: 28P01, the same answer as a wrong password, naming only the
    // user the client sent; the same login without the option works.
    assert!(
        auth.contains(&err.code().code()),
        "conflicting tenants: {err:?}"
    );
    assert_no_leak(&server, "alice@acme", &err);
    server.connect_tenant("acme", "alice", "s3cret").await;
    // Passwords do not cross tenants, whichever way the tenant is named.
    for (user, db) in [
        ("bob@acme", None),
        ("alice@beta", None),
        ("bob", Some("acme")),
    ] {
        let password = if user.starts_with("bob") {
            "b0bpw"
        } else {
            "s3cret"
        };
        let config = server.config(user, db, password);
        let err = db_error(server.connect_with(&config).await.map(|_| ()));
        assert_eq!(err.code().code(), "28P01", "{user} {db:?}: {err:?}");
        // The attacker typed `beta` in the user name only for alice@beta.
        assert_no_leak(&server, user, &err);
    }
    let after = snapshot(&server).await;
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn introspection_shows_no_other_tenant() {
    // With bob@beta connected, acme's catalog views show neither beta, bob
    // nor the data folder.
    let server = TestServer::start().await;
    let acme = setup(&server).await;
    let _bob = server.connect_tenant("beta", "bob", "b0bpw").await;
    let data = server.data_dir.display().to_string();
    for sql in [
        "SELECT * FROM pg_database",
        "SELECT * FROM pg_roles",
        "SELECT * FROM pg_user",
        "SELECT * FROM pg_authid",
        "SELECT * FROM pg_stat_activity",
        "SELECT * FROM pg_settings",
        "SELECT * FROM pg_namespace",
        "SELECT * FROM information_schema.schemata",
        "SELECT * FROM information_schema.tables",
        "SHOW ALL",
    ] {
        let rows = simple_rows(&acme.simple_query(sql).await.expect(sql));
        for value in rows.iter().flatten().flatten() {
            let lower = value.to_lowercase();
            assert!(
                !lower.contains("beta") && !lower.contains("bob") && !value.contains(&data),
                "{sql} shows {value}"
            );
        }
    }
    for setting in ["data_directory", "config_file", "hba_file"] {
        let err = db_error(acme.simple_query(&format!("SHOW {setting}")).await);
        assert_no_leak(&server, setting, &err);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn smuggled_statements_in_literals_stay_literals() {
    // E'' escapes and dollar quotes end where PostgreSQL says they end, so
    // text that SQLite would read differently is never run as a statement.
    let server = TestServer::start().await;
    let acme = setup(&server).await;
    let before = snapshot(&server).await;
    let payload = "'; ATTACH ':memory:' AS m; --";
    for sql in [
        "SELECT E'\\'; ATTACH '':memory:'' AS m; --'",
        "SELECT $q$'; ATTACH ':memory:' AS m; --$q$",
    ] {
        let rows = simple_rows(&acme.simple_query(sql).await.expect(sql));
        assert_eq!(rows, vec![vec![Some(payload.to_owned())]], "{sql}");
        let rows = acme.query(sql, &[]).await.expect(sql);
        assert_eq!(rows.len(), 1, "{sql}");
        assert_eq!(rows[0].get::<_, String>(0), payload, "{sql}");
    }
    let err = db_error(acme.simple_query("SELECT * FROM m.sqlite_master").await);
    assert!(SCHEMA.contains(&err.code().code()), "{err:?}");
    let after = snapshot(&server).await;
    assert_eq!(before, after);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_resets_keep_the_tenant() {
    // SET of the tenant is refused (42501, in the table above); RESET,
    // RESET ALL and DISCARD ALL are accepted but never move the session.
    let server = TestServer::start().await;
    let acme = setup(&server).await;
    let before = snapshot(&server).await;
    for sql in [
        "RESET pgtenant.tenant",
        "RESET ALL",
        "DISCARD ALL",
        "SET LOCAL pgtenant.tenant = 'beta'",
    ] {
        let _ = acme.simple_query(sql).await;
        let rows = simple_rows(
            &acme
                .simple_query("SELECT title FROM todo ORDER BY id")
                .await
                .expect("own rows"),
        );
        assert_eq!(rows, vec![vec![Some("acme secret".to_owned())]], "{sql}");
    }
    let after = snapshot(&server).await;
    assert_eq!(before, after);
}
