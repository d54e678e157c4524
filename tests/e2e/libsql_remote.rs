//! The remote libSQL engine (`backend::libsql`) through the real `libsql`
//! client against the Hrana-over-HTTP test double (tests/common/hrana.rs,
//! a stand-in for sqld, not libSQL itself), driving the engine directly with
//! the session's vocabulary (`Run`, `RowSink`). `tests/remote_tenants.rs`
//! runs remote tenants end to end through pgwire clients.

use crate::hrana;

use std::time::{Duration, Instant};

use hrana::HranaServer;
use pgtenant::backend::libsql::{AdminClient, RemoteConfig, RemoteConn};
use pgtenant::backend::sqlite::exec::{ColumnInfo, Finished, RowSink, Run, Types};
use pgtenant::backend::sqlite::guard::Role;
use pgtenant::backend::Engine;
use pgtenant::sql::errors::SqlError;
use pgtenant::sql::pgtype::PgType;
use pgwire::api::portal::Format;
use pgwire::messages::data::DataRow;
use rusqlite::types::Value;

const TOKEN: &str = "secret-token";

/// Collects what the engine would send the client, decoding text fields.
#[derive(Default, Debug)]
struct Collect {
    columns: Vec<String>,
    types: Vec<PgType>,
    rows: Vec<Vec<Option<String>>>,
}

impl Collect {
    fn take(&mut self, batch: Vec<DataRow>) {
        for r in batch {
            let mut d = &r.data[..];
            let mut row = Vec::new();
            for _ in 0..r.field_count {
                let len = i32::from_be_bytes(d[..4].try_into().unwrap());
                d = &d[4..];
                if len < 0 {
                    row.push(None);
                } else {
                    let (v, rest) = d.split_at(len as usize);
                    row.push(Some(String::from_utf8(v.to_vec()).unwrap()));
                    d = rest;
                }
            }
            self.rows.push(row);
        }
    }
}

impl RowSink for Collect {
    fn schema(&mut self, columns: &[ColumnInfo], types: &[PgType]) -> bool {
        self.columns = columns.iter().map(|c| c.name.clone()).collect();
        self.types = types.to_vec();
        true
    }
    fn rows(&mut self, batch: Vec<DataRow>) -> bool {
        self.take(batch);
        true
    }
    fn last_rows(&mut self, batch: Vec<DataRow>) {
        self.take(batch);
    }
}

async fn run(
    c: &mut RemoteConn,
    sql: &str,
    params: &[Value],
) -> Result<(Finished, Collect), SqlError> {
    let mut sink = Collect::default();
    let format = Format::UnifiedText;
    let r = Run {
        sql,
        params,
        types: Types::Infer(&[], None),
        scales: &[],
        format: &format,
    };
    let f = c.run(&r, &mut sink).await?;
    Ok((f, sink))
}

fn cfg(server: &HranaServer, ns: &str, timeout: Duration) -> RemoteConfig {
    RemoteConfig {
        url: server.url(),
        auth_token: TOKEN.to_owned(),
        namespace: Some(ns.to_owned()),
        timeout,
    }
}

async fn setup() -> (tempfile::TempDir, HranaServer, RemoteConn) {
    let dir = tempfile::tempdir().unwrap();
    let server = HranaServer::start(dir.path(), Some(TOKEN)).await;
    let admin = AdminClient::new(&server.admin_url(), None, Duration::from_secs(5));
    admin.create_namespace("acme").await.unwrap();
    let conn = RemoteConn::open(cfg(&server, "acme", Duration::from_secs(5)))
        .await
        .unwrap();
    (dir, server, conn)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_are_created_listed_and_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let server = HranaServer::start(dir.path(), Some(TOKEN)).await;
    let admin = AdminClient::new(&server.admin_url(), None, Duration::from_secs(5));
    assert!(!admin.namespace_exists("acme").await.unwrap());
    admin.create_namespace("acme").await.unwrap();
    assert!(admin.namespace_exists("acme").await.unwrap());
    assert_eq!(
        admin.create_namespace("acme").await.unwrap_err().code,
        "42P04"
    );
    assert_eq!(
        admin.create_namespace("bad name").await.unwrap_err().code,
        "42602"
    );

    // Databases of two namespaces are separate.
    admin.create_namespace("globex").await.unwrap();
    let mut a = RemoteConn::open(cfg(&server, "acme", Duration::from_secs(5)))
        .await
        .unwrap();
    let mut g = RemoteConn::open(cfg(&server, "globex", Duration::from_secs(5)))
        .await
        .unwrap();
    run(&mut a, "CREATE TABLE only_acme (x int)", &[])
        .await
        .unwrap();
    let e = run(&mut g, "SELECT * FROM only_acme", &[])
        .await
        .unwrap_err();
    assert_eq!(e.code, "42P01", "{e:?}");

    admin.delete_namespace("globex").await.unwrap();
    assert!(!admin.namespace_exists("globex").await.unwrap());
    assert_eq!(
        admin.delete_namespace("globex").await.unwrap_err().code,
        "3D000"
    );
    let e = RemoteConn::open(cfg(&server, "globex", Duration::from_secs(5)))
        .await
        .unwrap_err();
    assert_eq!(e.code, "3D000", "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_values_and_declared_types_round_trip() {
    let (_dir, _server, mut c) = setup().await;
    let (f, _) = run(
        &mut c,
        "CREATE TABLE items (id int8 PRIMARY KEY, name text, price float8, data bytea, note text)",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(f, Finished::Changed(0));
    let (f, _) = run(
        &mut c,
        "INSERT INTO items VALUES (?1, ?2, ?3, ?4, ?5)",
        &[
            Value::Integer(9_007_199_254_740_993),
            Value::Text("wid'get é".into()),
            Value::Real(2.5),
            Value::Blob(vec![0, 1, 254, 255]),
            Value::Null,
        ],
    )
    .await
    .unwrap();
    assert_eq!(f, Finished::Changed(1));
    // `int8 PRIMARY KEY` is not a rowid alias: the row got rowid 1.
    assert_eq!(c.last_insert_rowid(), 1);

    let (f, rows) = run(
        &mut c,
        "SELECT id, name, price, data, note FROM items WHERE id = ?1",
        &[Value::Integer(9_007_199_254_740_993)],
    )
    .await
    .unwrap();
    assert_eq!(f, Finished::Rows(1));
    assert_eq!(rows.columns, ["id", "name", "price", "data", "note"]);
    // Declared types come from the schema mirror, as for local tenants.
    assert_eq!(
        rows.types,
        ["int8", "text", "float8", "bytea", "text"].map(PgType::from_decl)
    );
    assert_eq!(
        rows.rows,
        vec![vec![
            Some("9007199254740993".to_owned()),
            Some("wid'get é".to_owned()),
            Some("2.5".to_owned()),
            Some("\\x0001feff".to_owned()),
            None,
        ]]
    );

    // Expressions have no declared type: inferred from the values.
    let (_, rows) = run(&mut c, "SELECT count(*) AS n, 1.5 AS f", &[])
        .await
        .unwrap();
    assert_eq!(rows.types, [PgType::Int8, PgType::Float8]);
    assert_eq!(rows.rows, vec![vec![Some("1".into()), Some("1.5".into())]]);

    // The client re-prints statements through its own SQLite parser: quoted
    // names, escaped literals, RETURNING and CTEs survive it.
    let (f, rows) = run(
        &mut c,
        "INSERT INTO items (id, \"name\") VALUES (?1, 'it''s') RETURNING id, name",
        &[Value::Integer(2)],
    )
    .await
    .unwrap();
    assert_eq!(f, Finished::Rows(1));
    assert_eq!(
        rows.types,
        [PgType::from_decl("int8"), PgType::from_decl("text")]
    );
    assert_eq!(rows.rows, vec![vec![Some("2".into()), Some("it's".into())]]);
    let (_, rows) = run(
        &mut c,
        "WITH x AS (SELECT id FROM items) SELECT count(*) FROM x",
        &[],
    )
    .await
    .unwrap();
    assert_eq!(rows.rows, vec![vec![Some("2".into())]]);

    // An UPDATE reports the rows it changed.
    let (f, _) = run(&mut c, "UPDATE items SET note = 'x'", &[])
        .await
        .unwrap();
    assert_eq!(f, Finished::Changed(2));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_span_requests() {
    let (_dir, server, mut c) = setup().await;
    run(&mut c, "CREATE TABLE t (id int PRIMARY KEY, v text)", &[])
        .await
        .unwrap();
    // Another session on the same client (one HTTP pool per environment).
    let shared = RemoteConn::database(&cfg(&server, "acme", Duration::from_secs(5)))
        .await
        .unwrap();
    let mut other = RemoteConn::open_on(
        shared.clone(),
        cfg(&server, "acme", Duration::from_secs(5)),
        Role::Owner,
    )
    .await
    .unwrap();
    let mut third = RemoteConn::open_on(
        shared,
        cfg(&server, "acme", Duration::from_secs(5)),
        Role::Owner,
    )
    .await
    .unwrap();

    c.batch("BEGIN").await.unwrap();
    assert!(!c.is_autocommit());
    run(&mut c, "INSERT INTO t VALUES (1, 'a')", &[])
        .await
        .unwrap();
    run(&mut c, "INSERT INTO t VALUES (2, 'b')", &[])
        .await
        .unwrap();
    // Inside the transaction its own rows are visible, across requests.
    let (_, rows) = run(&mut c, "SELECT count(*) FROM t", &[]).await.unwrap();
    assert_eq!(rows.rows, vec![vec![Some("2".into())]]);
    // Not yet visible to another connection.
    let (_, rows) = run(&mut other, "SELECT count(*) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(rows.rows, vec![vec![Some("0".into())]]);
    c.batch("COMMIT").await.unwrap();
    assert!(c.is_autocommit());
    let (_, rows) = run(&mut other, "SELECT count(*) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(rows.rows, vec![vec![Some("2".into())]]);
    let (_, rows) = run(&mut third, "SELECT count(*) FROM t", &[])
        .await
        .unwrap();
    assert_eq!(rows.rows, vec![vec![Some("2".into())]]);

    run(&mut c, "BEGIN", &[]).await.unwrap();
    run(&mut c, "DELETE FROM t", &[]).await.unwrap();
    run(&mut c, "CREATE TABLE scratch (x int)", &[])
        .await
        .unwrap();
    run(&mut c, "ROLLBACK", &[]).await.unwrap();
    assert!(c.is_autocommit());
    let (_, rows) = run(&mut c, "SELECT count(*) FROM t", &[]).await.unwrap();
    assert_eq!(rows.rows, vec![vec![Some("2".into())]]);
    // The rolled-back DDL left the mirror too.
    let e = run(&mut c, "SELECT * FROM scratch", &[]).await.unwrap_err();
    assert_eq!(e.code, "42P01");

    // One PostgreSQL statement translated to several SQLite ones runs whole.
    run(&mut c, "CREATE TABLE a (x int)", &[]).await.unwrap();
    run(&mut c, "CREATE TABLE b (x int)", &[]).await.unwrap();
    run(&mut c, "DROP TABLE a; DROP TABLE b", &[])
        .await
        .unwrap();
    for t in ["a", "b"] {
        let e = run(&mut c, &format!("SELECT * FROM {t}"), &[])
            .await
            .unwrap_err();
        assert_eq!(e.code, "42P01", "{t}: {e:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_map_to_sqlstates_and_the_connection_survives() {
    let (_dir, _server, mut c) = setup().await;
    run(
        &mut c,
        "CREATE TABLE u (id int PRIMARY KEY, email text UNIQUE NOT NULL)",
        &[],
    )
    .await
    .unwrap();
    run(&mut c, "INSERT INTO u VALUES (1, 'a@x')", &[])
        .await
        .unwrap();
    let e = run(&mut c, "INSERT INTO u VALUES (2, 'a@x')", &[])
        .await
        .unwrap_err();
    assert_eq!(e.code, "23505", "{e:?}");
    assert_eq!(
        e.message,
        "duplicate key value violates unique constraint \"u_email_key\""
    );
    let e = run(&mut c, "INSERT INTO u VALUES (3, NULL)", &[])
        .await
        .unwrap_err();
    assert_eq!(e.code, "23502", "{e:?}");
    let e = run(&mut c, "SELEC 1", &[]).await.unwrap_err();
    assert_eq!(e.code, "42601", "{e:?}");
    let e = run(&mut c, "SELECT * FROM nope", &[]).await.unwrap_err();
    assert_eq!(e.code, "42P01", "{e:?}");
    // A function the client really called that nobody has: 42883.
    let e = run(&mut c, "SELECT no_such_fn(1)", &[]).await.unwrap_err();
    assert_eq!(e.code, "42883", "{e:?}");
    // One the translation introduced, which only the local engine has: 0A000.
    let t = pgtenant::sql::translate::translate("SELECT regexp_replace(email, 'a', 'b') FROM u")
        .unwrap()
        .remove(0);
    let e = run(&mut c, &t.sql, &[]).await.unwrap_err();
    assert_eq!(e.code, "0A000", "{} -> {e:?}", t.sql);
    // Still usable.
    let (_, rows) = run(&mut c, "SELECT email FROM u", &[]).await.unwrap();
    assert_eq!(rows.rows, vec![vec![Some("a@x".into())]]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_token_is_rejected() {
    let (_dir, server, _c) = setup().await;
    let mut bad = cfg(&server, "acme", Duration::from_secs(5));
    bad.auth_token = "wrong".into();
    let e = RemoteConn::open(bad).await.unwrap_err();
    assert_eq!(e.code, "28000", "{e:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_down_is_a_connection_failure_within_the_timeout() {
    let (dir, server, mut c) = setup().await;
    let url = server.url();
    drop(server);
    drop(dir);
    // Give the aborted listener a moment to close its socket.
    let started = Instant::now();
    let e = loop {
        match run(&mut c, "SELECT 1", &[]).await {
            Err(e) => break e,
            Ok(_) if started.elapsed() < Duration::from_secs(2) => tokio::task::yield_now().await,
            Ok(_) => panic!("server at {url} still answering"),
        }
    };
    assert_eq!(e.code, "08006", "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Opening against a port nobody listens on fails the same way, fast.
    let dead = RemoteConfig {
        url,
        auth_token: TOKEN.into(),
        namespace: Some("acme".into()),
        timeout: Duration::from_secs(5),
    };
    let t = Instant::now();
    let e = RemoteConn::open(dead).await.unwrap_err();
    assert_eq!(e.code, "08006", "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_server_times_out_and_the_next_statement_reconnects() {
    let dir = tempfile::tempdir().unwrap();
    let server = HranaServer::start(dir.path(), Some(TOKEN)).await;
    let mut c = RemoteConn::open(cfg(&server, "default", Duration::from_secs(2)))
        .await
        .unwrap();
    run(&mut c, "CREATE TABLE t (x int)", &[]).await.unwrap();
    server.set_delay(Duration::from_secs(30));
    let t = Instant::now();
    let e = run(&mut c, "SELECT x FROM t", &[]).await.unwrap_err();
    assert_eq!(e.code, "57014", "{e:?}");
    // The deadline (2 s), not the server's 30 s, decides.
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());

    // A transaction cut by the timeout is lost: failed until ROLLBACK.
    server.set_delay(Duration::ZERO);
    c.batch("BEGIN").await.unwrap();
    server.set_delay(Duration::from_secs(30));
    assert_eq!(
        run(&mut c, "INSERT INTO t VALUES (1)", &[])
            .await
            .unwrap_err()
            .code,
        "57014"
    );
    server.set_delay(Duration::ZERO);
    assert!(!c.is_autocommit());
    assert_eq!(
        run(&mut c, "SELECT 1", &[]).await.unwrap_err().code,
        "25P02"
    );
    c.batch("ROLLBACK").await.unwrap();
    let (_, rows) = run(&mut c, "SELECT count(*) FROM t", &[]).await.unwrap();
    assert_eq!(rows.rows, vec![vec![Some("0".into())]]);
}

/// The double itself against the Hrana 3 specification, in raw JSON: stored
/// SQL, batch conditions, describe, typed values, batons.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_double_speaks_hrana_over_http() {
    use serde_json::{json, Value as J};
    let dir = tempfile::tempdir().unwrap();
    let server = HranaServer::start(dir.path(), Some(TOKEN)).await;
    let http = hyper::Client::new();
    let post = |path: &str, token: &str, body: J| {
        let req = hyper::Request::post(format!("{}{path}", server.url()))
            .header("authorization", format!("Bearer {token}"))
            .body(hyper::Body::from(body.to_string()))
            .unwrap();
        let http = http.clone();
        async move {
            let resp = http.request(req).await.unwrap();
            let status = resp.status().as_u16();
            let bytes = hyper::body::to_bytes(resp.into_body()).await.unwrap();
            (
                status,
                serde_json::from_slice::<J>(&bytes).unwrap_or(J::Null),
            )
        }
    };
    let v3 = http
        .get(format!("{}/v3", server.url()).parse().unwrap())
        .await
        .unwrap();
    assert_eq!(v3.status(), 200);

    let stmt = |sql: &str| json!({"sql": sql});
    let (status, r) = post("/v3/pipeline", TOKEN, json!({"baton": null, "requests": [
        {"type": "store_sql", "sql_id": 1, "sql": "CREATE TABLE k (a INTEGER PRIMARY KEY, b TEXT UNIQUE)"},
        {"type": "sequence", "sql_id": 1},
        {"type": "batch", "batch": {"steps": [
            {"stmt": stmt("BEGIN")},
            {"condition": {"type": "ok", "step": 0}, "stmt": stmt("INSERT INTO k VALUES (1, 'x')")},
            {"condition": {"type": "ok", "step": 1}, "stmt": stmt("INSERT INTO k VALUES (2, 'x')")},
            {"condition": {"type": "error", "step": 2}, "stmt": stmt("ROLLBACK")},
            {"condition": {"type": "not", "cond": {"type": "error", "step": 2}}, "stmt": stmt("COMMIT")},
        ]}},
        {"type": "get_autocommit"},
        {"type": "describe", "sql": "SELECT a, b FROM k WHERE a = ?"},
    ]}))
    .await;
    assert_eq!(status, 200, "{r}");
    let res = &r["results"];
    assert!(r["baton"].is_string(), "{r}");
    assert_eq!(res[0]["type"], "ok");
    let batch = &res[2]["response"]["result"];
    assert!(batch["step_results"][2].is_null());
    assert_eq!(batch["step_errors"][2]["code"], "SQLITE_CONSTRAINT");
    assert!(batch["step_errors"][2]["message"]
        .as_str()
        .unwrap()
        .starts_with("SQLite error: UNIQUE constraint failed"));
    assert!(batch["step_results"][3].is_object(), "ROLLBACK ran");
    assert!(batch["step_results"][4].is_null() && batch["step_errors"][4].is_null());
    assert_eq!(res[3]["response"]["is_autocommit"], true);
    let d = &res[4]["response"]["result"];
    assert_eq!(d["params"].as_array().unwrap().len(), 1);
    assert_eq!(d["cols"][0], json!({"name": "a", "decltype": "INTEGER"}));
    assert_eq!(d["is_readonly"], true);

    // Same stream, next baton: typed arguments and results.
    let baton = r["baton"].clone();
    let (status, r2) = post("/v3/pipeline", TOKEN, json!({"baton": baton, "requests": [
        {"type": "execute", "stmt": {"sql": "INSERT INTO k VALUES (?, ?) RETURNING a, b, 1.5, x'00ff', NULL",
            "args": [{"type": "integer", "value": "5"}, {"type": "text", "value": "é"}]}},
        {"type": "close"},
    ]}))
    .await;
    assert_eq!(status, 200, "{r2}");
    let er = &r2["results"][0]["response"]["result"];
    assert_eq!(er["affected_row_count"], 1);
    assert_eq!(er["last_insert_rowid"], "5");
    assert_eq!(
        er["rows"][0],
        json!([{"type": "integer", "value": "5"}, {"type": "text", "value": "é"},
            {"type": "float", "value": 1.5}, {"type": "blob", "base64": "AP8"}, {"type": "null"}])
    );
    assert!(r2["baton"].is_null(), "closed stream has no baton");
    // An old baton is refused; so is a missing token.
    let (status, _) = post(
        "/v3/pipeline",
        TOKEN,
        json!({"baton": baton, "requests": []}),
    )
    .await;
    assert_eq!(status, 400);
    let (status, _) = post(
        "/v3/pipeline",
        "nope",
        json!({"baton": null, "requests": []}),
    )
    .await;
    assert_eq!(status, 401);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_streams_retry_in_autocommit_and_end_transactions() {
    let (_dir, server, mut c) = setup().await;
    run(&mut c, "CREATE TABLE t (x int)", &[]).await.unwrap();
    // A query leaves the client's stream open; the server expires it.
    run(&mut c, "SELECT x FROM t", &[]).await.unwrap();
    server.expire_streams();
    let (f, _) = run(&mut c, "INSERT INTO t VALUES (1)", &[]).await.unwrap();
    assert_eq!(f, Finished::Changed(1));
    run(&mut c, "SELECT x FROM t", &[]).await.unwrap();
    server.expire_streams();
    c.batch("BEGIN").await.unwrap();

    // Inside a transaction the expiry ended it on the server: reported,
    // then a failed transaction until ROLLBACK.
    run(&mut c, "INSERT INTO t VALUES (2)", &[]).await.unwrap();
    server.expire_streams();
    let e = run(&mut c, "INSERT INTO t VALUES (3)", &[])
        .await
        .unwrap_err();
    assert_eq!(e.code, "08006", "{e:?}");
    assert_eq!(
        run(&mut c, "SELECT 1", &[]).await.unwrap_err().code,
        "25P02"
    );
    c.batch("ROLLBACK").await.unwrap();
    let (_, rows) = run(&mut c, "SELECT x FROM t", &[]).await.unwrap();
    assert_eq!(rows.rows, vec![vec![Some("1".into())]]);
}

/// Catalog queries of a remote tenant run on the schema mirror through the
/// local engine's code path (the real translator, the same catalog views).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_queries_are_answered_from_the_schema_mirror() {
    let (_dir, _server, mut c) = setup().await;
    run(
        &mut c,
        "CREATE TABLE todo (id int8 PRIMARY KEY, title text NOT NULL)",
        &[],
    )
    .await
    .unwrap();
    // DDL marked the mirror stale; the next statement (or describe) reloads it.
    let d = c
        .describe("SELECT title FROM todo WHERE id = ?1")
        .await
        .unwrap();
    assert_eq!(d.param_count, 1);
    assert_eq!(d.columns[0].decl, Some(PgType::from_decl("text")));

    let pg = "SELECT column_name, data_type FROM information_schema.columns \
              WHERE table_name = 'todo' ORDER BY ordinal_position";
    let t = pgtenant::sql::translate::translate(pg).unwrap().remove(0);
    let mut sink = Collect::default();
    let format = Format::UnifiedText;
    let run = Run {
        sql: &t.sql,
        params: &[],
        types: Types::Infer(&t.columns, t.retype.as_ref()),
        scales: &t.scales,
        format: &format,
    };
    c.mirror().catalog().run(&run, &mut sink).unwrap();
    assert_eq!(
        sink.rows,
        vec![
            vec![Some("id".into()), Some("bigint".into())],
            vec![Some("title".into()), Some("text".into())],
        ]
    );
}
