//! A **test double** of a libSQL server (sqld): Hrana 3 over HTTP and the
//! namespace admin API, backed by one SQLite file per namespace (rusqlite).
//!
//! It is not libSQL: it exists so the remote backend can be tested through
//! the real `libsql` crate client without a libSQL server on the machine.
//! It follows the libSQL documents (`docs/HRANA_3_SPEC.md`, `docs/HTTP_V2_SPEC.md`,
//! `docs/ADMIN_API.md`) and sqld's observable behaviour:
//! - `GET /v2`, `GET /v3`: version check (200);
//! - `POST /v2/pipeline`, `POST /v3/pipeline`: `{baton, requests}` →
//!   `{baton, base_url, results}`; requests `execute`, `batch` (with
//!   conditions `ok`, `error`, `not`, `and`, `or`, `is_autocommit`),
//!   `sequence`, `describe`, `store_sql`, `close_sql`, `get_autocommit`, `close`;
//! - `POST /v3/cursor`: a batch streamed as newline-delimited JSON entries;
//! - a stream (its SQLite connection, hence its transaction, and its stored
//!   SQL) lives between requests under a baton that changes on every response;
//! - values are typed (`integer` as a decimal string, `blob` as base64);
//! - errors carry sqld's codes (`SQLITE_CONSTRAINT`, `SQL_INPUT_ERROR`, ...)
//!   and messages (`SQLite error: UNIQUE constraint failed: t.a`);
//! - the namespace comes from the `x-namespace` header, else the first label
//!   of the Host header (`acme.localhost`), else `default`;
//! - an optional bearer token is required on the user API; a token granted
//!   to one namespace ([`HranaControl::grant`], as the Turso double mints
//!   them) opens only that namespace and, without `x-namespace`, selects it
//!   (standing in for Turso's one-hostname-per-database, which needs DNS);
//! - admin API on its own port: `POST /v1/namespaces/{ns}/create`,
//!   `DELETE /v1/namespaces/{ns}`, `GET` and `POST /v1/namespaces/{ns}/config`
//!   (the block flags are kept and reported; the user API does not act on
//!   them, as pgtenant refuses a suspended tenant before it asks).
//!
//! The HTTP/1.1 handling is deliberately minimal (Content-Length bodies,
//! keep-alive), enough for hyper's client.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use base64::Engine as _;
use rusqlite::types::{Value as SqlValue, ValueRef};
use rusqlite::Connection;
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// A running test double. Dropping it stops both listeners.
pub struct HranaServer {
    pub addr: std::net::SocketAddr,
    pub admin_addr: std::net::SocketAddr,
    state: Arc<State>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
    /// Tells open connections to close when the server is dropped.
    stop: tokio::sync::watch::Sender<bool>,
}

struct State {
    dir: PathBuf,
    token: Option<String>,
    /// Milliseconds every user-API request waits before it is answered.
    delay_ms: AtomicU64,
    namespaces: Mutex<Vec<String>>,
    streams: Mutex<HashMap<u64, Arc<Mutex<Stream>>>>,
    next_stream: AtomicU64,
    /// Idle time after which a stream (and its transaction) is dropped, as
    /// sqld does; presenting its baton then gives `STREAM_EXPIRED`.
    expiry_ms: AtomicU64,
    /// HTTP connections open on the user API now.
    connections: AtomicU64,
    /// Tokens scoped to one namespace: token → namespace.
    scoped_tokens: Mutex<HashMap<String, String>>,
    /// Namespaces whose reads and writes are blocked: namespace → reason.
    blocked: Mutex<HashMap<String, Option<String>>>,
}

struct Stream {
    conn: Connection,
    sqls: HashMap<i32, String>,
    /// The baton the client must present next.
    baton: String,
    seq: u64,
    last_used: std::time::Instant,
}

pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, v: &Value) -> Response {
        Response {
            status,
            content_type: "application/json",
            body: serde_json::to_vec(v).unwrap(),
        }
    }
    fn text(status: u16, s: &str) -> Response {
        Response {
            status,
            content_type: "text/plain",
            body: s.as_bytes().to_vec(),
        }
    }
}

impl HranaServer {
    /// Starts the double with databases under `dir`; the `default` namespace exists.
    pub async fn start(dir: &Path, token: Option<&str>) -> HranaServer {
        let state = Arc::new(State {
            dir: dir.to_path_buf(),
            token: token.map(str::to_owned),
            delay_ms: AtomicU64::new(0),
            namespaces: Mutex::new(vec!["default".to_owned()]),
            streams: Mutex::new(HashMap::new()),
            next_stream: AtomicU64::new(1),
            expiry_ms: AtomicU64::new(10_000),
            connections: AtomicU64::new(0),
            scoped_tokens: Mutex::new(HashMap::new()),
            blocked: Mutex::new(HashMap::new()),
        });
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let user = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let admin = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = user.local_addr().unwrap();
        let admin_addr = admin.local_addr().unwrap();
        let tasks = vec![
            tokio::spawn(accept_loop(user, state.clone(), false, stopped.clone())),
            tokio::spawn(accept_loop(admin, state.clone(), true, stopped)),
        ];
        HranaServer {
            addr,
            admin_addr,
            state,
            tasks,
            stop,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn admin_url(&self) -> String {
        format!("http://{}", self.admin_addr)
    }

    /// Makes every user-API request wait this long before being answered.
    pub fn set_delay(&self, d: Duration) {
        self.state
            .delay_ms
            .store(d.as_millis() as u64, Ordering::Relaxed);
    }

    pub fn namespaces(&self) -> Vec<String> {
        self.state.namespaces.lock().unwrap().clone()
    }

    /// Deletes a namespace as another admin client of sqld would.
    pub fn remove_namespace(&self, ns: &str) {
        self.state.namespaces.lock().unwrap().retain(|n| n != ns);
    }

    /// Expires every open stream now, as sqld does after its idle timeout.
    pub fn expire_streams(&self) {
        self.state.streams.lock().unwrap().clear();
    }

    /// Whether the admin API blocked the namespace's reads and writes.
    pub fn blocked(&self, ns: &str) -> bool {
        self.state.blocked.lock().unwrap().contains_key(ns)
    }

    /// HTTP connections open on the user API (the clients' pools).
    pub fn open_connections(&self) -> u64 {
        self.state.connections.load(Ordering::Relaxed)
    }

    /// Streams currently open (a transaction in progress keeps one open).
    pub fn open_streams(&self) -> usize {
        self.state.streams.lock().unwrap().len()
    }
}

/// Namespaces and scoped tokens, managed from outside (the Turso double).
#[derive(Clone)]
pub struct HranaControl(Arc<State>);

impl HranaServer {
    pub fn control(&self) -> HranaControl {
        HranaControl(self.state.clone())
    }
}

impl HranaControl {
    /// Creates an empty namespace; false when it exists.
    pub fn create_namespace(&self, ns: &str) -> bool {
        let mut list = self.0.namespaces.lock().unwrap();
        if list.iter().any(|n| n == ns) {
            return false;
        }
        Connection::open(self.0.dir.join(format!("{ns}.db"))).unwrap();
        list.push(ns.to_owned());
        true
    }

    /// Deletes a namespace, its file and its tokens; false when missing.
    pub fn delete_namespace(&self, ns: &str) -> bool {
        let mut list = self.0.namespaces.lock().unwrap();
        let Some(i) = list.iter().position(|n| n == ns) else {
            return false;
        };
        list.remove(i);
        let _ = std::fs::remove_file(self.0.dir.join(format!("{ns}.db")));
        self.0.scoped_tokens.lock().unwrap().retain(|_, n| n != ns);
        true
    }

    /// Accepts `token` for namespace `ns` only.
    pub fn grant(&self, ns: &str, token: &str) {
        self.0
            .scoped_tokens
            .lock()
            .unwrap()
            .insert(token.to_owned(), ns.to_owned());
    }
}

impl Drop for HranaServer {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn accept_loop(
    listener: TcpListener,
    state: Arc<State>,
    admin: bool,
    stopped: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        let Ok((sock, _)) = listener.accept().await else {
            continue;
        };
        let state = state.clone();
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            if !admin {
                state.connections.fetch_add(1, Ordering::Relaxed);
            }
            let counted = state.clone();
            tokio::select! {
                _ = serve_conn(sock, state, admin) => {}
                _ = stopped.wait_for(|s| *s) => {}
            }
            if !admin {
                counted.connections.fetch_sub(1, Ordering::Relaxed);
            }
        });
    }
}

pub async fn read_request(r: &mut BufReader<TcpStream>) -> std::io::Result<Option<Request>> {
    let mut line = String::new();
    if r.read_line(&mut line).await? == 0 {
        return Ok(None);
    }
    let mut parts = line.split_whitespace();
    let method = parts.next().unwrap_or("").to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut headers = HashMap::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).await? == 0 {
            return Ok(None);
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_owned());
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    r.read_exact(&mut body).await?;
    Ok(Some(Request {
        method,
        path,
        headers,
        body,
    }))
}

async fn serve_conn(sock: TcpStream, state: Arc<State>, admin: bool) -> std::io::Result<()> {
    // As sqld's HTTP server: no Nagle delay on small responses.
    sock.set_nodelay(true)?;
    let mut r = BufReader::new(sock);
    while let Some(req) = read_request(&mut r).await? {
        let close = req
            .headers
            .get("connection")
            .is_some_and(|v| v.eq_ignore_ascii_case("close"));
        let resp = if admin {
            admin_route(&state, &req)
        } else {
            let delay = state.delay_ms.load(Ordering::Relaxed);
            if delay > 0 {
                tokio::time::sleep(Duration::from_millis(delay)).await;
            }
            // On a blocking thread, as sqld runs statements: a slow one
            // does not hold up the other connections.
            let st = state.clone();
            tokio::task::spawn_blocking(move || user_route(&st, &req))
                .await
                .unwrap_or_else(|_| Response::text(500, "the request handler panicked"))
        };
        let reason = match resp.status {
            200 => "OK",
            400 => "Bad Request",
            401 => "Unauthorized",
            404 => "Not Found",
            409 => "Conflict",
            _ => "Error",
        };
        let head = format!(
            "HTTP/1.1 {} {reason}\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
            resp.status,
            resp.content_type,
            resp.body.len()
        );
        // One write per response: a head and body in two small writes
        // would wait on the client's delayed ACK.
        let mut out = head.into_bytes();
        out.extend_from_slice(&resp.body);
        let w = r.get_mut();
        w.write_all(&out).await?;
        w.flush().await?;
        if close {
            break;
        }
    }
    Ok(())
}

fn valid_namespace(ns: &str) -> bool {
    !ns.is_empty()
        && ns.len() <= 63
        && ns
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn admin_route(state: &State, req: &Request) -> Response {
    let segs: Vec<&str> = req.path.trim_matches('/').split('/').collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("GET", [""]) => Response::text(200, "Welcome to the sqld admin API"),
        ("POST", ["v1", "namespaces", ns, "create"]) => {
            // sqld parses a JSON body (`{}` at least).
            if serde_json::from_slice::<Value>(&req.body).is_err() {
                return Response::text(400, "expected a JSON body");
            }
            if !valid_namespace(ns) {
                return Response::json(400, &json!({"error": format!("invalid namespace `{ns}`")}));
            }
            let mut list = state.namespaces.lock().unwrap();
            if list.iter().any(|n| n == ns) {
                return Response::json(
                    409,
                    &json!({"error": format!("Namespace `{ns}` already exists")}),
                );
            }
            if let Err(e) = Connection::open(state.dir.join(format!("{ns}.db"))) {
                return Response::json(500, &json!({"error": e.to_string()}));
            }
            list.push(ns.to_string());
            Response::text(200, "")
        }
        ("DELETE", ["v1", "namespaces", ns]) => {
            let mut list = state.namespaces.lock().unwrap();
            let Some(i) = list.iter().position(|n| n == ns) else {
                return Response::json(
                    404,
                    &json!({"error": format!("Namespace `{ns}` doesn't exist")}),
                );
            };
            list.remove(i);
            let _ = std::fs::remove_file(state.dir.join(format!("{ns}.db")));
            Response::text(200, "")
        }
        ("GET", ["v1", "namespaces", ns, "config"]) => {
            if !state.namespaces.lock().unwrap().iter().any(|n| n == ns) {
                return no_namespace(ns);
            }
            let blocked = state.blocked.lock().unwrap();
            let b = blocked.get(*ns);
            Response::json(
                200,
                &json!({"block_reads": b.is_some(), "block_writes": b.is_some(),
                        "block_reason": b.cloned().flatten(), "allow_attach": false}),
            )
        }
        ("POST", ["v1", "namespaces", ns, "config"]) => {
            // sqld's handler requires both flags and replaces the reason.
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
                return Response::text(400, "expected a JSON body");
            };
            let (Some(reads), Some(writes)) = (
                body["block_reads"].as_bool(),
                body["block_writes"].as_bool(),
            ) else {
                return Response::text(422, "missing field `block_reads` or `block_writes`");
            };
            if !state.namespaces.lock().unwrap().iter().any(|n| n == ns) {
                return no_namespace(ns);
            }
            let mut blocked = state.blocked.lock().unwrap();
            if reads || writes {
                let reason = body["block_reason"].as_str().map(str::to_owned);
                blocked.insert(ns.to_string(), reason);
            } else {
                blocked.remove(*ns);
            }
            Response::text(200, "")
        }
        _ => Response::text(404, "not found"),
    }
}

fn no_namespace(ns: &str) -> Response {
    Response::json(
        404,
        &json!({"error": format!("Namespace `{ns}` doesn't exist")}),
    )
}

fn namespace_of(req: &Request, scoped: Option<&String>) -> String {
    if let Some(ns) = req.headers.get("x-namespace") {
        return ns.clone();
    }
    if let Some(ns) = scoped {
        return ns.clone();
    }
    if let Some(host) = req.headers.get("host") {
        let host = host.split(':').next().unwrap_or("");
        if host.parse::<std::net::IpAddr>().is_err() {
            if let Some((first, _)) = host.split_once('.') {
                return first.to_owned();
            }
        }
    }
    "default".to_owned()
}

fn user_route(state: &State, req: &Request) -> Response {
    let path = req.path.split('?').next().unwrap_or("");
    // Version checks need no credentials.
    if req.method == "GET" && matches!(path, "/v2" | "/v3" | "/health") {
        return Response::text(200, "");
    }
    let bearer = req
        .headers
        .get("authorization")
        .and_then(|v| v.strip_prefix("Bearer "));
    let scoped = bearer.and_then(|t| state.scoped_tokens.lock().unwrap().get(t).cloned());
    if let Some(ns) = &scoped {
        if req.headers.get("x-namespace").is_some_and(|x| x != ns) {
            return Response::json(401, &json!({"error": "Unauthorized"}));
        }
    } else if let Some(token) = &state.token {
        if bearer != Some(token.as_str()) {
            return Response::json(401, &json!({"error": "Unauthorized"}));
        }
    }
    match (req.method.as_str(), path) {
        ("POST", "/v2/pipeline") | ("POST", "/v3/pipeline") => {
            let ns = namespace_of(req, scoped.as_ref());
            let body: Value = match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(e) => return Response::text(400, &format!("invalid JSON: {e}")),
            };
            pipeline(state, &ns, &body)
        }
        ("POST", "/v3/cursor") => {
            let ns = namespace_of(req, scoped.as_ref());
            let body: Value = match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(e) => return Response::text(400, &format!("invalid JSON: {e}")),
            };
            cursor(state, &ns, &body)
        }
        _ => Response::text(404, "not found"),
    }
}

/// Finds the stream for `baton` (or opens one when there is none).
fn acquire(state: &State, ns: &str, baton: &Value) -> Result<(u64, Arc<Mutex<Stream>>), Response> {
    match baton.as_str() {
        None => {
            if !state.namespaces.lock().unwrap().iter().any(|n| n == ns) {
                return Err(Response::json(
                    404,
                    &json!({"error": format!("Namespace `{ns}` doesn't exist")}),
                ));
            }
            let conn = Connection::open(state.dir.join(format!("{ns}.db")))
                .map_err(|e| Response::json(500, &json!({"error": e.to_string()})))?;
            let _ = conn.busy_timeout(Duration::from_secs(5));
            let id = state.next_stream.fetch_add(1, Ordering::Relaxed);
            let s = Arc::new(Mutex::new(Stream {
                conn,
                sqls: HashMap::new(),
                baton: String::new(),
                seq: 0,
                last_used: std::time::Instant::now(),
            }));
            state.streams.lock().unwrap().insert(id, s.clone());
            Ok((id, s))
        }
        Some(b) => {
            let id = b.split_once('.').and_then(|(id, _)| id.parse::<u64>().ok());
            let expiry = Duration::from_millis(state.expiry_ms.load(Ordering::Relaxed));
            let mut streams = state.streams.lock().unwrap();
            let s = id.and_then(|id| streams.get(&id).cloned());
            match (id, s) {
                (Some(id), Some(s)) => {
                    let mut g = s.lock().unwrap();
                    if g.baton != b {
                        return Err(Response::json(
                            400,
                            &json!({"message": "The baton is invalid", "code": "BATON_INVALID"}),
                        ));
                    }
                    if g.last_used.elapsed() > expiry {
                        drop(g);
                        streams.remove(&id);
                        return Err(expired());
                    }
                    g.last_used = std::time::Instant::now();
                    drop(g);
                    Ok((id, s))
                }
                (Some(_), None) => Err(expired()),
                _ => Err(Response::json(
                    400,
                    &json!({"message": "The baton is invalid", "code": "BATON_INVALID"}),
                )),
            }
        }
    }
}

fn expired() -> Response {
    Response::json(
        400,
        &json!({"message": "The stream has expired due to inactivity", "code": "STREAM_EXPIRED"}),
    )
}

/// Hands out the next baton, or forgets the stream when it was closed.
fn release(state: &State, id: u64, stream: &Mutex<Stream>, closed: bool) -> Value {
    if closed {
        state.streams.lock().unwrap().remove(&id);
        return Value::Null;
    }
    let mut s = stream.lock().unwrap();
    s.seq += 1;
    s.baton = format!("{id}.{}.{}", s.seq, rand_suffix());
    Value::String(s.baton.clone())
}

fn rand_suffix() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    h.finish()
}

fn pipeline(state: &State, ns: &str, body: &Value) -> Response {
    let (id, stream) = match acquire(state, ns, &body["baton"]) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut results = Vec::new();
    let mut closed = false;
    let empty = Vec::new();
    for req in body["requests"].as_array().unwrap_or(&empty) {
        if closed {
            results.push(json!({"type": "error", "error": {"message": "The stream is closed", "code": "STREAM_CLOSED"}}));
            continue;
        }
        let mut s = stream.lock().unwrap();
        let r = match stream_request(&mut s, req) {
            Ok(Some(resp)) => json!({"type": "ok", "response": resp}),
            Ok(None) => {
                closed = true;
                json!({"type": "ok", "response": {"type": "close"}})
            }
            Err(e) => json!({"type": "error", "error": e}),
        };
        results.push(r);
    }
    let baton = release(state, id, &stream, closed);
    Response::json(
        200,
        &json!({"baton": baton, "base_url": null, "results": results}),
    )
}

fn cursor(state: &State, ns: &str, body: &Value) -> Response {
    let (id, stream) = match acquire(state, ns, &body["baton"]) {
        Ok(s) => s,
        Err(r) => return r,
    };
    let mut entries = Vec::new();
    {
        let mut s = stream.lock().unwrap();
        run_batch(&mut s, &body["batch"], |e| entries.push(e));
    }
    let baton = release(state, id, &stream, false);
    let mut out = serde_json::to_vec(&json!({"baton": baton, "base_url": null})).unwrap();
    out.push(b'\n');
    for e in entries {
        out.extend(serde_json::to_vec(&e).unwrap());
        out.push(b'\n');
    }
    Response {
        status: 200,
        content_type: "text/plain",
        body: out,
    }
}

/// `Ok(None)` means the stream was closed.
fn stream_request(s: &mut Stream, req: &Value) -> Result<Option<Value>, Value> {
    let ty = req["type"].as_str().unwrap_or("");
    match ty {
        "close" => Ok(None),
        "execute" => {
            let r = execute(s, &req["stmt"])?;
            Ok(Some(json!({"type": "execute", "result": r})))
        }
        "batch" => {
            let mut step_results = Vec::new();
            let mut step_errors = Vec::new();
            batch_outcomes(s, &req["batch"], &mut step_results, &mut step_errors);
            Ok(Some(
                json!({"type": "batch", "result": {"step_results": step_results, "step_errors": step_errors}}),
            ))
        }
        "sequence" => {
            let sql = sql_of(s, req)?;
            s.conn.execute_batch(&sql).map_err(|e| sqlite_error(&e))?;
            Ok(Some(json!({"type": "sequence"})))
        }
        "describe" => {
            let sql = sql_of(s, req)?;
            let stmt = s.conn.prepare(&sql).map_err(|e| sqlite_error(&e))?;
            let params: Vec<Value> = (1..=stmt.parameter_count())
                .map(|i| json!({"name": stmt.parameter_name(i)}))
                .collect();
            let cols = cols_of(&stmt);
            let ro = stmt.readonly();
            let explain = stmt.is_explain() > 0;
            Ok(Some(json!({"type": "describe", "result": {
                "params": params, "cols": cols, "is_explain": explain, "is_readonly": ro}})))
        }
        "store_sql" => {
            let id = req["sql_id"]
                .as_i64()
                .ok_or_else(|| proto_err("sql_id missing"))? as i32;
            let sql = req["sql"]
                .as_str()
                .ok_or_else(|| proto_err("sql missing"))?;
            if s.sqls.insert(id, sql.to_owned()).is_some() {
                return Err(proto_err("SQL text with this id already exists"));
            }
            Ok(Some(json!({"type": "store_sql"})))
        }
        "close_sql" => {
            let id = req["sql_id"].as_i64().unwrap_or(-1) as i32;
            s.sqls.remove(&id);
            Ok(Some(json!({"type": "close_sql"})))
        }
        "get_autocommit" => Ok(Some(
            json!({"type": "get_autocommit", "is_autocommit": s.conn.is_autocommit()}),
        )),
        other => Err(proto_err(&format!("unknown request type `{other}`"))),
    }
}

fn proto_err(msg: &str) -> Value {
    json!({"message": msg, "code": "PROTOCOL_ERROR"})
}

fn sql_of(s: &Stream, v: &Value) -> Result<String, Value> {
    match (v["sql"].as_str(), v["sql_id"].as_i64()) {
        (Some(sql), None) => Ok(sql.to_owned()),
        (None, Some(id)) => s
            .sqls
            .get(&(id as i32))
            .cloned()
            .ok_or_else(|| proto_err(&format!("SQL text {id} not found"))),
        _ => Err(proto_err("exactly one of `sql` and `sql_id` is required")),
    }
}

/// sqld's error shape: primary code name, message prefixed by its kind.
fn sqlite_error(e: &rusqlite::Error) -> Value {
    match e {
        rusqlite::Error::SqliteFailure(f, msg) => {
            let msg = msg.clone().unwrap_or_else(|| f.to_string());
            json!({"message": format!("SQLite error: {msg}"), "code": primary_code_name(f.extended_code)})
        }
        rusqlite::Error::SqlInputError { msg, offset, .. } => json!({
            "message": format!("SQL input error: {msg} (at offset {offset})"),
            "code": "SQL_INPUT_ERROR"}),
        rusqlite::Error::MultipleStatement => json!({
            "message": "SQL string contains more than one statement", "code": "SQL_MANY_STATEMENTS"}),
        rusqlite::Error::InvalidParameterCount(..) | rusqlite::Error::InvalidParameterName(_) => {
            json!({"message": format!("Arguments do not match SQL parameters: {e}"), "code": "ARGS_INVALID"})
        }
        other => json!({"message": other.to_string(), "code": "SQLITE_UNKNOWN"}),
    }
}

fn primary_code_name(extended: i32) -> &'static str {
    use rusqlite::ffi;
    match extended & 0xff {
        ffi::SQLITE_INTERNAL => "SQLITE_INTERNAL",
        ffi::SQLITE_PERM => "SQLITE_PERM",
        ffi::SQLITE_ABORT => "SQLITE_ABORT",
        ffi::SQLITE_BUSY => "SQLITE_BUSY",
        ffi::SQLITE_LOCKED => "SQLITE_LOCKED",
        ffi::SQLITE_NOMEM => "SQLITE_NOMEM",
        ffi::SQLITE_READONLY => "SQLITE_READONLY",
        ffi::SQLITE_INTERRUPT => "SQLITE_INTERRUPT",
        ffi::SQLITE_IOERR => "SQLITE_IOERR",
        ffi::SQLITE_CORRUPT => "SQLITE_CORRUPT",
        ffi::SQLITE_FULL => "SQLITE_FULL",
        ffi::SQLITE_CANTOPEN => "SQLITE_CANTOPEN",
        ffi::SQLITE_TOOBIG => "SQLITE_TOOBIG",
        ffi::SQLITE_CONSTRAINT => "SQLITE_CONSTRAINT",
        ffi::SQLITE_MISMATCH => "SQLITE_MISMATCH",
        ffi::SQLITE_MISUSE => "SQLITE_MISUSE",
        ffi::SQLITE_AUTH => "SQLITE_AUTH",
        ffi::SQLITE_RANGE => "SQLITE_RANGE",
        ffi::SQLITE_NOTADB => "SQLITE_NOTADB",
        _ => "SQLITE_UNKNOWN",
    }
}

fn cols_of(stmt: &rusqlite::Statement<'_>) -> Vec<Value> {
    stmt.columns()
        .map(|c| json!({"name": c.name(), "decltype": c.decl_type()}))
        .collect()
}

fn to_proto(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => json!({"type": "null"}),
        ValueRef::Integer(i) => json!({"type": "integer", "value": i.to_string()}),
        ValueRef::Real(f) => json!({"type": "float", "value": f}),
        ValueRef::Text(t) => json!({"type": "text", "value": String::from_utf8_lossy(t)}),
        ValueRef::Blob(b) => json!({"type": "blob",
            "base64": base64::engine::general_purpose::STANDARD_NO_PAD.encode(b)}),
    }
}

fn from_proto(v: &Value) -> Result<SqlValue, Value> {
    Ok(match v["type"].as_str() {
        Some("null") => SqlValue::Null,
        Some("integer") => SqlValue::Integer(
            v["value"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| proto_err("integer value must be a decimal string"))?,
        ),
        Some("float") => SqlValue::Real(
            v["value"]
                .as_f64()
                .ok_or_else(|| proto_err("float value must be a number"))?,
        ),
        Some("text") => SqlValue::Text(v["value"].as_str().unwrap_or("").to_owned()),
        Some("blob") => {
            let b64 = v["base64"].as_str().unwrap_or("");
            SqlValue::Blob(
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(b64.trim_end_matches('='))
                    .map_err(|_| proto_err("invalid base64"))?,
            )
        }
        _ => return Err(proto_err("unknown value type")),
    })
}

/// Prepares and binds a statement; hands each row to `on_row`.
fn run_stmt(
    s: &mut Stream,
    stmt_v: &Value,
    on_cols: &mut dyn FnMut(Vec<Value>),
    on_row: &mut dyn FnMut(Vec<Value>),
) -> Result<(u64, Option<i64>), Value> {
    let sql = sql_of(s, stmt_v)?;
    let want_rows = stmt_v["want_rows"].as_bool().unwrap_or(true);
    let conn = &s.conn;
    let mut stmt = conn.prepare(&sql).map_err(|e| sqlite_error(&e))?;
    let empty = Vec::new();
    let args = stmt_v["args"].as_array().unwrap_or(&empty);
    let named = stmt_v["named_args"].as_array().unwrap_or(&empty);
    if !args.is_empty() && !named.is_empty() {
        return Err(
            json!({"message": "Specifying both positional and named arguments is not supported",
            "code": "ARGS_BOTH_POSITIONAL_AND_NAMED"}),
        );
    }
    if args.len() != stmt.parameter_count() && named.is_empty() {
        return Err(json!({"message": format!(
            "Arguments do not match SQL parameters: expected {} arguments, got {}",
            stmt.parameter_count(), args.len()), "code": "ARGS_INVALID"}));
    }
    for (i, a) in args.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, from_proto(a)?)
            .map_err(|e| sqlite_error(&e))?;
    }
    for a in named {
        let name = a["name"].as_str().unwrap_or("");
        let idx = stmt
            .parameter_index(name)
            .map_err(|e| sqlite_error(&e))?
            .ok_or_else(|| {
                json!({"message": format!("Arguments do not match SQL parameters: no parameter {name}"),
                "code": "ARGS_INVALID"})
            })?;
        stmt.raw_bind_parameter(idx, from_proto(&a["value"])?)
            .map_err(|e| sqlite_error(&e))?;
    }
    on_cols(cols_of(&stmt));
    let ncols = stmt.column_count();
    let before = conn.total_changes();
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next().map_err(|e| sqlite_error(&e))? {
        if want_rows {
            on_row(
                (0..ncols)
                    .map(|i| to_proto(row.get_ref(i).unwrap()))
                    .collect(),
            );
        }
    }
    drop(rows);
    drop(stmt);
    let changed = if conn.total_changes() != before {
        conn.changes()
    } else {
        0
    };
    let rowid = conn.last_insert_rowid();
    Ok((changed, (rowid != 0).then_some(rowid)))
}

fn execute(s: &mut Stream, stmt_v: &Value) -> Result<Value, Value> {
    let mut cols = Vec::new();
    let mut rows = Vec::new();
    let (changed, rowid) = run_stmt(s, stmt_v, &mut |c| cols = c, &mut |r| {
        rows.push(Value::Array(r))
    })?;
    Ok(json!({
        "cols": cols, "rows": rows, "affected_row_count": changed,
        "last_insert_rowid": rowid.map(|r| r.to_string()),
        "rows_read": 0, "rows_written": 0, "query_duration_ms": 0.0,
    }))
}

/// Evaluates a batch condition against the outcomes of earlier steps.
fn cond_holds(s: &Stream, cond: &Value, outcomes: &[Option<bool>]) -> Result<bool, Value> {
    if cond.is_null() {
        return Ok(true);
    }
    let step = |c: &Value| -> Result<Option<bool>, Value> {
        let i = c["step"]
            .as_u64()
            .ok_or_else(|| proto_err("condition step missing"))? as usize;
        if i >= outcomes.len() {
            return Err(proto_err("condition refers to a later step"));
        }
        Ok(outcomes[i])
    };
    Ok(match cond["type"].as_str() {
        Some("ok") => step(cond)? == Some(true),
        Some("error") => step(cond)? == Some(false),
        Some("not") => !cond_holds(s, &cond["cond"], outcomes)?,
        Some("and") => {
            for c in cond["conds"].as_array().into_iter().flatten() {
                if !cond_holds(s, c, outcomes)? {
                    return Ok(false);
                }
            }
            true
        }
        Some("or") => {
            for c in cond["conds"].as_array().into_iter().flatten() {
                if cond_holds(s, c, outcomes)? {
                    return Ok(true);
                }
            }
            false
        }
        Some("is_autocommit") => s.conn.is_autocommit(),
        _ => return Err(proto_err("unknown condition type")),
    })
}

/// Runs a batch: `Some(true)` ok, `Some(false)` failed, `None` skipped.
fn batch_outcomes(
    s: &mut Stream,
    batch: &Value,
    results: &mut Vec<Value>,
    errors: &mut Vec<Value>,
) {
    let mut outcomes: Vec<Option<bool>> = Vec::new();
    for step in batch["steps"].as_array().into_iter().flatten() {
        let run = match cond_holds(s, &step["condition"], &outcomes) {
            Ok(b) => b,
            Err(e) => {
                results.push(Value::Null);
                errors.push(e);
                outcomes.push(Some(false));
                continue;
            }
        };
        if !run {
            results.push(Value::Null);
            errors.push(Value::Null);
            outcomes.push(None);
            continue;
        }
        match execute(s, &step["stmt"]) {
            Ok(r) => {
                results.push(r);
                errors.push(Value::Null);
                outcomes.push(Some(true));
            }
            Err(e) => {
                results.push(Value::Null);
                errors.push(e);
                outcomes.push(Some(false));
            }
        }
    }
}

/// A batch as cursor entries: `step_begin`, `row`..., `step_end` or `step_error`.
fn run_batch(s: &mut Stream, batch: &Value, mut emit: impl FnMut(Value)) {
    let mut outcomes: Vec<Option<bool>> = Vec::new();
    for (i, step) in batch["steps"].as_array().into_iter().flatten().enumerate() {
        match cond_holds(s, &step["condition"], &outcomes) {
            Ok(true) => {}
            Ok(false) => {
                outcomes.push(None);
                continue;
            }
            Err(e) => {
                emit(json!({"type": "step_error", "step": i, "error": e}));
                outcomes.push(Some(false));
                continue;
            }
        }
        let pending = std::cell::RefCell::new(Vec::new());
        let r = run_stmt(
            s,
            &step["stmt"],
            &mut |cols| {
                pending
                    .borrow_mut()
                    .push(json!({"type": "step_begin", "step": i, "cols": cols}))
            },
            &mut |row| {
                pending
                    .borrow_mut()
                    .push(json!({"type": "row", "row": row}))
            },
        );
        for e in pending.into_inner() {
            emit(e);
        }
        match r {
            Ok((changed, rowid)) => {
                emit(json!({"type": "step_end", "affected_row_count": changed,
                    "last_insert_rowid": rowid.map(|r| r.to_string())}));
                outcomes.push(Some(true));
            }
            Err(e) => {
                emit(json!({"type": "step_error", "step": i, "error": e}));
                outcomes.push(Some(false));
            }
        }
    }
}
