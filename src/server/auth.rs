//! Password checks against the catalog's SCRAM verifiers. One source per
//! connection: it already knows which tenant the login resolved to.

use std::sync::Arc;

use async_trait::async_trait;
use pgwire::api::auth::sasl::scram::ScramSecret;
use pgwire::api::auth::{AuthSource, LoginInfo, Password};
use pgwire::error::{PgWireError, PgWireResult};

use super::Server;
use crate::tenant::catalog::LoginRecord;
use crate::tenant::resolve::Login;
use crate::tenant::scram::Verifier;

/// What the catalog said about a login, kept for after authentication.
#[derive(Debug, Clone)]
pub enum Known {
    Admin,
    Tenant(LoginRecord),
    /// Unknown tenant, user or environment: authentication will fail.
    Nobody,
    /// The catalog could not answer (a remote catalog down or too slow):
    /// the client gets its 08006 or 57014 rather than a password failure.
    Unavailable(crate::sql::errors::SqlError),
}

#[derive(Debug)]
pub struct LoginSource {
    pub server: Arc<Server>,
    /// `Err` when the startup parameters named no valid tenant.
    pub login: Result<Login, String>,
    pub known: std::sync::Mutex<Option<Known>>,
}

impl LoginSource {
    /// Looks the login up once (on the blocking pool) and remembers the answer.
    async fn lookup(&self) -> Known {
        if let Some(k) = self.known.lock().unwrap_or_else(|p| p.into_inner()).clone() {
            return k;
        }
        let known = match &self.login {
            Err(_) => Known::Nobody,
            Ok(Login::Admin { .. }) => {
                if self.server.admin_verifier.is_some() {
                    Known::Admin
                } else {
                    Known::Nobody
                }
            }
            Ok(Login::Tenant { user, tenant, env }) => {
                let catalog = self.server.catalog.clone();
                let (user, tenant, env) = (user.clone(), tenant.clone(), env.clone());
                match tokio::task::spawn_blocking(move || {
                    catalog.lookup_login(&tenant, &env, &user)
                })
                .await
                {
                    Ok(Ok(Some(rec))) => Known::Tenant(rec),
                    Ok(Ok(None)) => Known::Nobody,
                    Ok(Err(e)) if matches!(e.code, "08006" | "57014") => {
                        tracing::warn!(error = %e, "catalog unavailable during authentication");
                        Known::Unavailable(e)
                    }
                    Ok(Err(e)) => {
                        tracing::error!(error = %e, "catalog lookup failed during authentication");
                        Known::Nobody
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "catalog lookup task failed");
                        Known::Nobody
                    }
                }
            }
        };
        *self.known.lock().unwrap_or_else(|p| p.into_inner()) = Some(known.clone());
        known
    }

    fn verifier_for(&self, known: &Known, user: &str) -> Verifier {
        match known {
            Known::Admin => self
                .server
                .admin_verifier
                .clone()
                .unwrap_or_else(|| Verifier::decoy(user)),
            Known::Tenant(rec) => rec.verifier.clone(),
            Known::Nobody | Known::Unavailable(_) => Verifier::decoy(user),
        }
    }
}

fn failed(login: &LoginInfo<'_>) -> PgWireError {
    PgWireError::InvalidPassword(login.user().unwrap_or_default().to_owned())
}

#[async_trait]
impl AuthSource for LoginSource {
    async fn get_password(&self, login: &LoginInfo) -> PgWireResult<Password> {
        // Only verifiers are stored; the methods below never need the password.
        Err(failed(login))
    }

    async fn verify_password(
        &self,
        login: &LoginInfo,
        presented: &[u8],
    ) -> PgWireResult<Option<()>> {
        let known = self.lookup().await;
        if let Known::Unavailable(e) = known {
            return Err(e.fatal().into());
        }
        let verifier = self.verifier_for(&known, login.user().unwrap_or_default());
        let presented = std::str::from_utf8(presented)
            .map_err(|_| failed(login))?
            .trim_end_matches('\0')
            .to_owned();
        let ok = tokio::task::spawn_blocking(move || verifier.matches(&presented))
            .await
            .unwrap_or(false);
        if ok && !matches!(known, Known::Nobody) {
            Ok(None)
        } else {
            Err(failed(login))
        }
    }

    async fn get_scram_secret(&self, login: &LoginInfo) -> PgWireResult<(ScramSecret, Option<()>)> {
        let known = self.lookup().await;
        if let Known::Unavailable(e) = known {
            return Err(e.fatal().into());
        }
        Ok((
            self.verifier_for(&known, login.user().unwrap_or_default())
                .to_secret(),
            None,
        ))
    }
}
