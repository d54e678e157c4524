//! Provisioning on a libSQL server through sqld's admin API (a separate
//! listener, `--admin-listen-addr`, with `--enable-namespaces`):
//! `POST /v1/namespaces/{ns}/create`, `DELETE /v1/namespaces/{ns}`,
//! `GET /v1/namespaces/{ns}/config` (used as the existence check: sqld has
//! no listing route), `POST /v1/namespaces/{ns}/config` (block reads and
//! writes: suspend). Uses the hyper client the libsql crate already links.

use std::time::Duration;

use hyper::client::HttpConnector;
use hyper::{Body, Client, Method, Request, StatusCode};
use hyper_rustls::HttpsConnector;

use super::errors::connection_failure;
use crate::sql::errors::SqlError;

pub struct AdminClient {
    base: String,
    token: Option<String>,
    timeout: Duration,
    http: Client<HttpsConnector<HttpConnector>>,
    /// Names the API in errors (this client also carries the Turso calls).
    what: &'static str,
}

impl AdminClient {
    /// `base` is the admin listener's URL (`http://host:port`).
    pub fn new(base: &str, token: Option<String>, timeout: Duration) -> AdminClient {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_webpki_roots()
            .https_or_http()
            .enable_http1()
            .build();
        AdminClient {
            base: base.trim_end_matches('/').to_owned(),
            token,
            timeout,
            http: Client::builder().build(https),
            what: "the libSQL admin API",
        }
    }

    pub(super) fn named(mut self, what: &'static str) -> AdminClient {
        self.what = what;
        self
    }

    /// Creates the namespace (an empty database).
    pub async fn create_namespace(&self, ns: &str) -> Result<(), SqlError> {
        check_name(ns)?;
        let (status, body) = self
            .call(
                Method::POST,
                &format!("/v1/namespaces/{ns}/create"),
                "{}".into(),
            )
            .await?;
        match status {
            s if s.is_success() => Ok(()),
            StatusCode::CONFLICT => Err(SqlError::new(
                "42P04",
                format!("remote database \"{ns}\" already exists"),
            )),
            _ => Err(unexpected(status, &body)),
        }
    }

    /// Deletes the namespace and its data.
    pub async fn delete_namespace(&self, ns: &str) -> Result<(), SqlError> {
        check_name(ns)?;
        let (status, body) = self
            .call(
                Method::DELETE,
                &format!("/v1/namespaces/{ns}"),
                String::new(),
            )
            .await?;
        match status {
            s if s.is_success() => Ok(()),
            StatusCode::NOT_FOUND => Err(missing(ns)),
            _ => Err(unexpected(status, &body)),
        }
    }

    /// Blocks (or unblocks) the namespace's reads and writes: a suspended
    /// tenant's database then refuses every client, even one holding a
    /// token, as a Turso database does. sqld's handler replaces all three
    /// block fields, so the reason is cleared on unblock.
    pub async fn set_blocked(&self, ns: &str, blocked: bool) -> Result<(), SqlError> {
        check_name(ns)?;
        let mut body = serde_json::json!({"block_reads": blocked, "block_writes": blocked});
        if blocked {
            body["block_reason"] = "the tenant is suspended (pgtenant)".into();
        }
        let (status, text) = self
            .call(
                Method::POST,
                &format!("/v1/namespaces/{ns}/config"),
                body.to_string(),
            )
            .await?;
        match status {
            s if s.is_success() => Ok(()),
            StatusCode::NOT_FOUND => Err(missing(ns)),
            _ => Err(unexpected(status, &text)),
        }
    }

    pub async fn namespace_exists(&self, ns: &str) -> Result<bool, SqlError> {
        check_name(ns)?;
        let (status, body) = self
            .call(
                Method::GET,
                &format!("/v1/namespaces/{ns}/config"),
                String::new(),
            )
            .await?;
        match status {
            s if s.is_success() => Ok(true),
            StatusCode::NOT_FOUND => Ok(false),
            _ => Err(unexpected(status, &body)),
        }
    }

    /// One request under the configured deadline: the status and body, or
    /// 57014 (no answer in time) / 08006 (unreachable).
    pub(super) async fn call(
        &self,
        method: Method,
        path: &str,
        body: String,
    ) -> Result<(StatusCode, String), SqlError> {
        let mut req = Request::builder()
            .method(method)
            .uri(format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        if !body.is_empty() {
            req = req.header("content-type", "application/json");
        }
        let req = req
            .body(Body::from(body))
            .map_err(|e| SqlError::new("22023", format!("invalid URL for {}: {e}", self.what)))?;
        let work = async {
            let resp = self.http.request(req).await?;
            let status = resp.status();
            let bytes = hyper::body::to_bytes(resp.into_body()).await?;
            Ok::<_, hyper::Error>((status, String::from_utf8_lossy(&bytes).into_owned()))
        };
        match tokio::time::timeout(self.timeout, work).await {
            Err(_) => Err(SqlError::statement_timeout()
                .with_detail(format!("{} did not answer in time", self.what))),
            Ok(Err(e)) => Err(connection_failure(format!("{}: {e}", self.what))),
            Ok(Ok(r)) => Ok(r),
        }
    }
}

/// sqld's namespace names: letters, digits, `-` and `_`.
fn check_name(ns: &str) -> Result<(), SqlError> {
    let ok = !ns.is_empty()
        && ns.len() <= 63
        && ns
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(())
    } else {
        Err(SqlError::new(
            "42602",
            format!("invalid remote database name \"{ns}\""),
        ))
    }
}

fn missing(ns: &str) -> SqlError {
    SqlError::new("3D000", format!("remote database \"{ns}\" does not exist"))
}

fn unexpected(status: StatusCode, body: &str) -> SqlError {
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            SqlError::new("28000", "the libSQL admin API rejected the credentials")
        }
        _ => connection_failure(format!("admin API answered {status}: {body}")),
    }
}
