//! A **test double** of the Turso platform API's database endpoints, written
//! from https://docs.turso.tech/api-reference (it is not Turso):
//! - bearer authentication with the platform API token (401 otherwise);
//! - `POST /v1/organizations/{org}/databases` `{"name", "group"}` →
//!   `{"database": {"DbId", "Hostname", "Name"}}`; 409 when the name is
//!   taken, 400 for an invalid name, 404 for an unknown group;
//! - `GET /v1/organizations/{org}/databases[/{name}]`, 404 when missing;
//! - `DELETE /v1/organizations/{org}/databases/{name}` → `{"database": name}`;
//! - `POST .../databases/{name}/auth/tokens` → `{"jwt"}`;
//! - `PATCH .../databases/{name}/configuration` (`block_reads`,
//!   `block_writes`) → the configuration.
//!
//! Each database is a namespace of the Hrana double. Every Hostname is the
//! Hrana double's address (no DNS here): the minted token, granted to that
//! namespace only, is what selects the database.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::hrana::{read_request, HranaControl, Request, Response};

pub struct TursoDouble {
    pub addr: std::net::SocketAddr,
    state: Arc<State>,
    task: tokio::task::JoinHandle<()>,
}

struct State {
    org: String,
    api_token: String,
    groups: Vec<String>,
    hostname: String,
    hrana: HranaControl,
    /// name → (DbId, group)
    databases: Mutex<BTreeMap<String, (String, String)>>,
    /// Databases with reads and writes blocked.
    blocked: Mutex<std::collections::BTreeSet<String>>,
    minted: AtomicU64,
    delay_ms: AtomicU64,
}

impl TursoDouble {
    /// An organization `org` with group `default`, reached with `api_token`.
    pub async fn start(
        org: &str,
        api_token: &str,
        hrana: HranaControl,
        hostname: &str,
    ) -> TursoDouble {
        let state = Arc::new(State {
            org: org.to_owned(),
            api_token: api_token.to_owned(),
            groups: vec!["default".to_owned()],
            hostname: hostname.to_owned(),
            hrana,
            databases: Mutex::new(BTreeMap::new()),
            blocked: Mutex::new(Default::default()),
            minted: AtomicU64::new(0),
            delay_ms: AtomicU64::new(0),
        });
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let s = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let s = s.clone();
                tokio::spawn(async move {
                    let mut r = BufReader::new(sock);
                    while let Ok(Some(req)) = read_request(&mut r).await {
                        let delay = s.delay_ms.load(Ordering::Relaxed);
                        if delay > 0 {
                            tokio::time::sleep(Duration::from_millis(delay)).await;
                        }
                        let resp = route(&s, &req);
                        let mut out = format!(
                            "HTTP/1.1 {} X\r\ncontent-type: {}\r\ncontent-length: {}\r\n\r\n",
                            resp.status,
                            resp.content_type,
                            resp.body.len()
                        )
                        .into_bytes();
                        out.extend_from_slice(&resp.body);
                        if r.get_mut().write_all(&out).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        TursoDouble { addr, state, task }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn databases(&self) -> Vec<String> {
        self.state
            .databases
            .lock()
            .unwrap()
            .keys()
            .cloned()
            .collect()
    }

    /// Whether the database's reads and writes are blocked.
    pub fn blocked(&self, name: &str) -> bool {
        self.state.blocked.lock().unwrap().contains(name)
    }

    /// Creates a database as another client of the platform would.
    pub fn create_database(&self, name: &str) {
        create(&self.state, name, "default");
    }

    /// Deletes a database as another client of the platform would.
    pub fn remove_database(&self, name: &str) {
        self.state.databases.lock().unwrap().remove(name);
    }

    /// Makes every request wait this long before it is answered.
    pub fn set_delay(&self, d: Duration) {
        self.state
            .delay_ms
            .store(d.as_millis() as u64, Ordering::Relaxed);
    }
}

impl Drop for TursoDouble {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn error(status: u16, msg: &str) -> Response {
    Response::json(status, &json!({ "error": msg }))
}

fn describe(state: &State, name: &str, id: &str, group: &str) -> Value {
    json!({
        "Name": name,
        "DbId": id,
        "Hostname": state.hostname,
        "group": group,
        "primaryRegion": "lhr",
        "regions": ["lhr"],
        "block_reads": false,
        "block_writes": false,
    })
}

fn create(state: &State, name: &str, group: &str) -> Option<String> {
    let mut dbs = state.databases.lock().unwrap();
    if dbs.contains_key(name) {
        return None;
    }
    let id = format!(
        "0eb771dd-6906-11ee-8553-{:012x}",
        state.minted.fetch_add(1, Ordering::Relaxed)
    );
    assert!(state.hrana.create_namespace(name));
    dbs.insert(name.to_owned(), (id.clone(), group.to_owned()));
    Some(id)
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

fn route(state: &State, req: &Request) -> Response {
    let ok = req
        .headers
        .get("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|t| t == state.api_token);
    if !ok {
        return error(401, "Unauthorized: invalid or expired auth token");
    }
    let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let segs: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (org, rest) = match segs.as_slice() {
        ["v1", "organizations", org, "databases", rest @ ..] => (*org, rest),
        _ => return error(404, "not found"),
    };
    if org != state.org {
        return error(404, &format!("organization `{org}` not found"));
    }
    match (req.method.as_str(), rest) {
        ("GET", []) => {
            let dbs = state.databases.lock().unwrap();
            let list: Vec<Value> = dbs
                .iter()
                .map(|(n, (id, g))| describe(state, n, id, g))
                .collect();
            Response::json(200, &json!({ "databases": list }))
        }
        ("POST", []) => {
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
                return error(400, "invalid JSON body");
            };
            let (Some(name), Some(group)) = (body["name"].as_str(), body["group"].as_str()) else {
                return error(400, "name and group are required");
            };
            if !valid_name(name) {
                return error(400, &format!("invalid database name `{name}`"));
            }
            if !state.groups.iter().any(|g| g == group) {
                return error(404, &format!("group `{group}` not found"));
            }
            match create(state, name, group) {
                None => error(409, &format!("database `{name}` already exists")),
                Some(id) => Response::json(
                    200,
                    &json!({"database": {"DbId": id, "Hostname": state.hostname, "Name": name}}),
                ),
            }
        }
        ("GET", [name]) => match state.databases.lock().unwrap().get(*name) {
            Some((id, g)) => {
                Response::json(200, &json!({"database": describe(state, name, id, g)}))
            }
            None => error(404, &format!("database `{name}` not found")),
        },
        ("DELETE", [name]) => {
            if state.databases.lock().unwrap().remove(*name).is_none() {
                return error(404, &format!("database `{name}` not found"));
            }
            state.hrana.delete_namespace(name);
            Response::json(200, &json!({ "database": name }))
        }
        ("PATCH", [name, "configuration"]) => {
            if !state.databases.lock().unwrap().contains_key(*name) {
                return error(404, &format!("database `{name}` not found"));
            }
            let Ok(body) = serde_json::from_slice::<Value>(&req.body) else {
                return error(400, "invalid JSON body");
            };
            let (reads, writes) = (&body["block_reads"], &body["block_writes"]);
            if !(reads.is_boolean() || reads.is_null())
                || !(writes.is_boolean() || writes.is_null())
            {
                return error(400, "block_reads and block_writes are booleans");
            }
            let mut blocked = state.blocked.lock().unwrap();
            // pgtenant always sets both; the double tracks them as one flag.
            if reads.as_bool() == Some(true) || writes.as_bool() == Some(true) {
                blocked.insert(name.to_string());
            } else if reads.as_bool() == Some(false) || writes.as_bool() == Some(false) {
                blocked.remove(*name);
            }
            let b = blocked.contains(*name);
            Response::json(
                200,
                &json!({"block_reads": b, "block_writes": b, "allow_attach": false, "delete_protection": false}),
            )
        }
        ("POST", [name, "auth", "tokens"]) => {
            if !state.databases.lock().unwrap().contains_key(*name) {
                return error(404, &format!("database `{name}` not found"));
            }
            if !query.split('&').all(|kv| {
                !kv.starts_with("authorization=")
                    || kv == "authorization=full-access"
                    || kv == "authorization=read-only"
            }) {
                return error(400, "invalid authorization");
            }
            let n = state.minted.fetch_add(1, Ordering::Relaxed);
            let jwt = format!("eyJhbGciOiJFZERTQSJ9.{name}.{n}");
            state.hrana.grant(name, &jwt);
            Response::json(200, &json!({ "jwt": jwt }))
        }
        _ => error(404, "not found"),
    }
}
