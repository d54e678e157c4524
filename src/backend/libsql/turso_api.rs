//! Provisioning on the Turso platform API (https://docs.turso.tech/api-reference):
//! `POST /v1/organizations/{org}/databases` (`{"name", "group"}` →
//! `{"database": {"DbId", "Hostname", "Name"}}`),
//! `POST .../databases/{name}/auth/tokens` (→ `{"jwt"}`),
//! `GET .../databases/{name}`, `DELETE .../databases/{name}`,
//! `PATCH .../databases/{name}/configuration` (`block_reads`, `block_writes`); bearer auth,
//! 409 when the database exists, 404 when it does not. Requests go through
//! [`AdminClient`]'s helper (same hyper client, same deadline).

use std::time::Duration;

use hyper::{Method, StatusCode};
use serde::Deserialize;

use super::errors::connection_failure;
use super::AdminClient;
use crate::sql::errors::SqlError;

pub struct TursoClient {
    http: AdminClient,
    org: String,
    group: String,
}

/// A database as the platform describes it.
#[derive(Debug, Clone, Deserialize)]
pub struct TursoDatabase {
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Hostname")]
    pub hostname: String,
    #[serde(rename = "DbId", default)]
    pub db_id: String,
}

#[derive(Deserialize)]
struct DatabaseBody {
    database: TursoDatabase,
}

#[derive(Deserialize)]
struct TokenBody {
    jwt: String,
}

impl TursoClient {
    pub fn new(
        api_url: &str,
        org: &str,
        group: &str,
        token: String,
        timeout: Duration,
    ) -> TursoClient {
        TursoClient {
            http: AdminClient::new(api_url, Some(token), timeout).named("the Turso platform API"),
            org: org.to_owned(),
            group: group.to_owned(),
        }
    }

    fn path(&self, rest: &str) -> String {
        format!("/v1/organizations/{}/databases{rest}", self.org)
    }

    pub async fn create_database(&self, name: &str) -> Result<TursoDatabase, SqlError> {
        check_name(name)?;
        let body = serde_json::json!({"name": name, "group": self.group}).to_string();
        let (status, text) = self.http.call(Method::POST, &self.path(""), body).await?;
        match status {
            s if s.is_success() => Ok(parse::<DatabaseBody>(&text)?.database),
            StatusCode::CONFLICT => Err(SqlError::new(
                "42P04",
                format!("remote database \"{name}\" already exists"),
            )),
            _ => Err(unexpected(status, &text)),
        }
    }

    /// Mints a full-access token for one database (no `expiration`: the
    /// platform's default is never): it is sealed in the catalog and used by
    /// every session of the environment.
    pub async fn create_token(&self, name: &str) -> Result<String, SqlError> {
        check_name(name)?;
        let path = self.path(&format!("/{name}/auth/tokens?authorization=full-access"));
        let (status, text) = self.http.call(Method::POST, &path, String::new()).await?;
        match status {
            s if s.is_success() => Ok(parse::<TokenBody>(&text)?.jwt),
            StatusCode::NOT_FOUND => Err(missing(name)),
            _ => Err(unexpected(status, &text)),
        }
    }

    /// Every database of the organization.
    pub async fn list_databases(&self) -> Result<Vec<TursoDatabase>, SqlError> {
        #[derive(Deserialize)]
        struct ListBody {
            databases: Vec<TursoDatabase>,
        }
        let (status, text) = self
            .http
            .call(Method::GET, &self.path(""), String::new())
            .await?;
        match status {
            s if s.is_success() => Ok(parse::<ListBody>(&text)?.databases),
            _ => Err(unexpected(status, &text)),
        }
    }

    pub async fn get_database(&self, name: &str) -> Result<Option<TursoDatabase>, SqlError> {
        check_name(name)?;
        let (status, text) = self
            .http
            .call(Method::GET, &self.path(&format!("/{name}")), String::new())
            .await?;
        match status {
            s if s.is_success() => Ok(Some(parse::<DatabaseBody>(&text)?.database)),
            StatusCode::NOT_FOUND => Ok(None),
            _ => Err(unexpected(status, &text)),
        }
    }

    /// Blocks (or unblocks) reads and writes: a suspended tenant's database
    /// refuses even a client holding its token.
    pub async fn set_blocked(&self, name: &str, blocked: bool) -> Result<(), SqlError> {
        check_name(name)?;
        let body = serde_json::json!({"block_reads": blocked, "block_writes": blocked}).to_string();
        let path = self.path(&format!("/{name}/configuration"));
        let (status, text) = self.http.call(Method::PATCH, &path, body).await?;
        match status {
            s if s.is_success() => Ok(()),
            StatusCode::NOT_FOUND => Err(missing(name)),
            _ => Err(unexpected(status, &text)),
        }
    }

    pub async fn delete_database(&self, name: &str) -> Result<(), SqlError> {
        check_name(name)?;
        let (status, text) = self
            .http
            .call(
                Method::DELETE,
                &self.path(&format!("/{name}")),
                String::new(),
            )
            .await?;
        match status {
            s if s.is_success() => Ok(()),
            StatusCode::NOT_FOUND => Err(missing(name)),
            _ => Err(unexpected(status, &text)),
        }
    }
}

/// Turso database names: lowercase letters, digits and dashes, at most 32
/// characters. Refused rather than mapped, so two tenants cannot collide.
pub fn check_name(name: &str) -> Result<(), SqlError> {
    let ok = !name.is_empty()
        && name.len() <= 32
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok {
        Ok(())
    } else {
        Err(SqlError::new(
            "42602",
            format!("invalid Turso database name \"{name}\""),
        )
        .with_detail("Turso database names are 1 to 32 lowercase letters, digits and dashes: use such tenant and environment names, or change [libsql] namespace_pattern."))
    }
}

fn missing(name: &str) -> SqlError {
    SqlError::new(
        "3D000",
        format!("remote database \"{name}\" does not exist"),
    )
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, SqlError> {
    serde_json::from_str(text)
        .map_err(|e| connection_failure(format!("unexpected Turso platform API answer: {e}")))
}

fn unexpected(status: StatusCode, body: &str) -> SqlError {
    // The platform's errors are `{"error": "..."}`.
    let msg = serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(|e| e.as_str()).map(str::to_owned))
        .unwrap_or_else(|| body.to_owned());
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => {
            SqlError::new("28000", "the Turso platform API rejected the credentials")
                .with_detail(msg)
        }
        StatusCode::PAYMENT_REQUIRED => {
            SqlError::new("53400", "the Turso organization's plan refuses this").with_detail(msg)
        }
        _ => connection_failure(format!("Turso platform API answered {status}: {msg}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_turso_rules() {
        assert!(check_name("acme--prod").is_ok());
        assert!(check_name("a1-b2").is_ok());
        for bad in ["", "Acme", "acme_prod", "a.b", &"x".repeat(33)] {
            assert_eq!(check_name(bad).unwrap_err().code, "42602", "{bad}");
        }
    }

    #[test]
    fn api_shapes_parse() {
        let db: DatabaseBody = serde_json::from_str(
            r#"{"database":{"DbId":"0eb771dd","Hostname":"acme-org.turso.io","Name":"acme"}}"#,
        )
        .unwrap();
        assert_eq!(db.database.hostname, "acme-org.turso.io");
        assert_eq!(db.database.name, "acme");
        let t: TokenBody = serde_json::from_str(r#"{"jwt":"TOKEN"}"#).unwrap();
        assert_eq!(t.jwt, "TOKEN");
        let e = unexpected(StatusCode::UNAUTHORIZED, r#"{"error":"bad token"}"#);
        assert_eq!(e.code, "28000");
    }
}
