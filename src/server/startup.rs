//! Startup and authentication: resolve the tenant from the startup packet,
//! run SCRAM (or cleartext, if configured) against the catalog, then open
//! the session on the tenant's database.

use std::fmt::Debug;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use async_trait::async_trait;
use futures::Sink;
use pgwire::api::auth::cleartext::CleartextPasswordAuth;
use pgwire::api::auth::driver::AuthOutcome;
use pgwire::api::auth::mechanism::AuthMechanismFactory;
use pgwire::api::auth::sasl::scram::ScramAuth;
use pgwire::api::auth::{
    protocol_negotiation, save_startup_parameters_to_metadata, StartupHandler,
};
use pgwire::api::ClientInfo;
use pgwire::error::{PgWireError, PgWireResult};
use pgwire::messages::{PgWireBackendMessage, PgWireFrontendMessage};

use super::auth::{Known, LoginSource};
use super::conn::ConnHandler;
use super::session::{Identity, Session, SessionConn};
use super::settings::Settings;
use crate::config::AuthMethod;
use crate::sql::errors::SqlError;
use crate::tenant::catalog::HostMatch;
use crate::tenant::registry::TenantKey;
use crate::tenant::resolve::{self, Login};

/// Startup parameters that become session settings.
const SETTING_PARAMS: &[&str] = &[
    "application_name",
    "client_encoding",
    "DateStyle",
    "TimeZone",
    "search_path",
    "extra_float_digits",
    "statement_timeout",
];

fn fatal(code: &'static str, msg: impl Into<String>) -> PgWireError {
    SqlError::new(code, msg).fatal().into()
}

#[async_trait]
impl StartupHandler for ConnHandler {
    async fn on_startup<C>(
        &self,
        client: &mut C,
        message: PgWireFrontendMessage,
    ) -> PgWireResult<()>
    where
        C: ClientInfo + Sink<PgWireBackendMessage> + Unpin + Send + Sync,
        C::Error: Debug,
        PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
    {
        match message {
            PgWireFrontendMessage::Startup(ref startup) => {
                protocol_negotiation(client, startup).await?;
                save_startup_parameters_to_metadata(client, startup);
                if self.server.sessions.is_shutting_down() {
                    return Err(fatal("57P03", "the database system is shutting down"));
                }
                if !client.is_secure() {
                    self.refuse_plaintext(client.metadata())?;
                }
                let host = match client.sni_server_name() {
                    Some(name) => self.lookup_host(name).await,
                    None => HostMatch::None,
                };
                let sni = match &host {
                    HostMatch::Environment { tenant, env } => {
                        Some(resolve::ServerName::Environment { tenant, env })
                    }
                    HostMatch::Unknown => Some(resolve::ServerName::Unknown),
                    HostMatch::None => None,
                };
                let login =
                    resolve::resolve_with(client.metadata(), &self.server.config.admin_user, sni);
                // As PostgreSQL: a packet without a user is refused before any
                // authentication (it says nothing about who exists).
                if matches!(login, Err(resolve::ResolveError::NoUser)) {
                    return Err(fatal(
                        "28000",
                        "no PostgreSQL user name specified in startup packet",
                    ));
                }
                let login = login.map_err(|e| e.to_string());
                let source = Arc::new(LoginSource {
                    server: self.server.clone(),
                    login,
                    known: std::sync::Mutex::new(None),
                });
                *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = Some(source.clone());
                let mechanism = match self.server.config.auth_method {
                    AuthMethod::ScramSha256 => {
                        AuthMechanismFactory::<()>::create(&ScramAuth::new(source))
                    }
                    AuthMethod::Password => {
                        AuthMechanismFactory::<()>::create(&CleartextPasswordAuth::new(source))
                    }
                };
                match self.driver.begin_authentication(client, mechanism).await {
                    Ok(_) => Ok(()),
                    Err(e) => Err(self.auth_failed(client, e)),
                }
            }
            PgWireFrontendMessage::PasswordMessageFamily(msg) => {
                match self.driver.advance_authentication(client, msg).await {
                    Ok(AuthOutcome::InProgress) => Ok(()),
                    Ok(AuthOutcome::Authenticated { final_message, .. }) => {
                        let source = self
                            .pending
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .take()
                            .ok_or(PgWireError::NoAuthenticationInProgress)?;
                        let (identity, db, conn, slot) =
                            self.establish(&source).await.map_err(sql_to_wire)?;
                        self.driver
                            .complete_authentication(client, final_message)
                            .await?;
                        let (pid, secret) = client.pid_and_secret_key();
                        // Names in any case: libpq sends PGTZ as `timezone`.
                        let mut startup: Vec<(String, String)> = client
                            .metadata()
                            .iter()
                            .filter(|(k, _)| {
                                SETTING_PARAMS.iter().any(|p| p.eq_ignore_ascii_case(k))
                            })
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect();
                        // `options=-c name=value` sets session defaults, as in
                        // PostgreSQL (pgtenant.* names chose the tenant already).
                        if let Some(options) = client.metadata().get("options") {
                            startup.extend(
                                resolve::parse_options(options)
                                    .into_iter()
                                    .filter(|(k, _)| !k.starts_with("pgtenant.")),
                            );
                        }
                        let settings = Settings::new(
                            &self.server.config.server_version,
                            self.server.config.statement_timeout(),
                            &startup,
                        );
                        let span = tracing::Span::current();
                        span.record("tenant", identity.tenant().unwrap_or("(admin)"));
                        span.record("user", identity.user());
                        tracing::info!(
                            peer = %self.peer,
                            user = identity.user(),
                            tenant = identity.tenant().unwrap_or("(admin)"),
                            pid,
                            "session started"
                        );
                        let database = client
                            .metadata()
                            .get("database")
                            .cloned()
                            .unwrap_or_else(|| identity.user().to_string());
                        conn.local()
                            .set_session(identity.user(), &database, pid)
                            .map_err(sql_to_wire)?;
                        let ends = self.local.map(|server| super::inet::Ends {
                            client: self.peer,
                            server,
                        });
                        if let Some(ends) = ends {
                            super::inet::register(conn.local(), ends);
                        }
                        super::activity::register(
                            conn.local(),
                            &self.server,
                            identity.tenant(),
                            &database,
                        );
                        let session = Arc::new(Session::new(
                            self.server.clone(),
                            identity,
                            pid,
                            db,
                            conn,
                            settings,
                            self.ctl.inbox.clone(),
                        ));
                        if let Some(slot) = slot {
                            let _ = session.quota.set(slot);
                        }
                        let _ = session.database.set(database);
                        if let Some(ends) = ends {
                            let _ = session.ends.set(ends);
                        }
                        self.server.sessions.insert(
                            pid,
                            secret.to_bytes().to_vec(),
                            &session,
                            self.ctl.clone(),
                        );
                        let _ = self.session.set(session);
                        self.ctl.authenticated.store(true, Ordering::Release);
                        Ok(())
                    }
                    Err(e) => Err(self.auth_failed(client, e)),
                }
            }
            _ => Ok(()),
        }
    }
}

impl ConnHandler {
    /// Without TLS: refused when the config requires TLS, and always when
    /// the password would travel in clear.
    fn refuse_plaintext(
        &self,
        params: &std::collections::HashMap<String, String>,
    ) -> PgWireResult<()> {
        let config = &self.server.config;
        let get = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
        if config.require_tls {
            let user = get("user");
            let database = params.get("database").map(String::as_str).unwrap_or(user);
            tracing::warn!(peer = %self.peer, user, "plaintext connection refused: require_tls");
            return Err(fatal(
                "28000",
                format!(
                    "no encryption: connection for host \"{}\", user \"{user}\", database \"{database}\" refused, this server requires TLS (connect with sslmode=require)",
                    self.peer.ip()
                ),
            ));
        }
        if config.auth_method == AuthMethod::Password {
            return Err(fatal(
                "28000",
                "cleartext password authentication requires an encrypted connection (connect with sslmode=require)",
            ));
        }
        Ok(())
    }

    /// The catalog's answer for a TLS server name; a failure counts as
    /// naming an unknown host (the login then fails like any other).
    async fn lookup_host(&self, name: &str) -> HostMatch {
        let server = self.server.clone();
        let name = name.to_owned();
        match tokio::task::spawn_blocking(move || {
            server.catalog.lookup_host(&name, &server.hostnames)
        })
        .await
        {
            Ok(Ok(m)) => m,
            Ok(Err(e)) => {
                tracing::error!(error = %e, "hostname lookup failed");
                HostMatch::Unknown
            }
            Err(e) => {
                tracing::error!(error = %e, "hostname lookup task failed");
                HostMatch::Unknown
            }
        }
    }

    /// One log line per failed login; the client learns nothing about which
    /// part was wrong.
    fn auth_failed<C: ClientInfo>(&self, client: &C, e: PgWireError) -> PgWireError {
        let user = client.metadata().get("user").cloned().unwrap_or_default();
        let why = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .and_then(|s| s.login.as_ref().err().cloned())
            .unwrap_or_else(|| e.to_string());
        tracing::warn!(peer = %self.peer, user, reason = %why, "authentication failed");
        // The catalog could not answer: say so (08006, 57014), since no
        // password was checked and the client should retry, not re-type it.
        let unavailable = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
            .and_then(
                |s| match &*s.known.lock().unwrap_or_else(|p| p.into_inner()) {
                    Some(Known::Unavailable(e)) => Some(e.clone()),
                    _ => None,
                },
            );
        if let Some(e) = unavailable {
            return e.fatal().into();
        }
        SqlError::new(
            "28P01",
            format!("password authentication failed for user \"{user}\""),
        )
        .fatal()
        .into()
    }

    /// After the password checked out: the tenant's database and a connection to it.
    async fn establish(
        &self,
        source: &LoginSource,
    ) -> Result<
        (
            Identity,
            Option<Arc<crate::tenant::registry::TenantDb>>,
            SessionConn,
            Option<crate::tenant::limits::ConnSlot>,
        ),
        SqlError,
    > {
        let known = source
            .known
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .unwrap_or(Known::Nobody);
        match (&source.login, known) {
            (Ok(Login::Admin { user }), Known::Admin) => {
                let conn = match self.server.catalog.remote_config() {
                    // A remote catalog: the admin's queries go to it through
                    // a read-only session (the mirror's guard refuses writes).
                    Some(cfg) => SessionConn::Remote(Box::new(
                        crate::admin::open_remote_reader(cfg.clone())
                            .await
                            .map_err(SqlError::fatal)?,
                    )),
                    None => {
                        let path = self.server.catalog.local_path()?.to_owned();
                        SessionConn::Local(
                            tokio::task::spawn_blocking(move || crate::admin::open_reader(&path))
                                .await
                                .map_err(|e| SqlError::internal("opening the catalog", e))??,
                        )
                    }
                };
                Ok((Identity::Admin { user: user.clone() }, None, conn, None))
            }
            (Ok(Login::Tenant { user, tenant, env }), Known::Tenant(rec)) => {
                if rec.tenant_status != "active" {
                    return Err(SqlError::new(
                        "57P03",
                        format!(
                            "tenant \"{tenant}\" is {}: connections are not accepted",
                            rec.tenant_status
                        ),
                    )
                    .fatal());
                }
                // Quotas, the connection slot and the role: only now, after
                // the password checked out, so a refusal reveals nothing to
                // someone without it.
                // Kept quotas serve new sessions, unless the catalog is
                // shared: another instance may have changed the plan or a
                // quota, so they are read again at every new connection.
                let cached = match self.server.catalog.is_remote() {
                    true => None,
                    false => self.server.limits.runtime(tenant),
                };
                let rt = match cached {
                    Some(rt) => rt,
                    None => {
                        let server = self.server.clone();
                        let t = tenant.clone();
                        tokio::task::spawn_blocking(move || {
                            let quotas = crate::tenant::provision::quotas(
                                &server.catalog,
                                &server.config.plans,
                                &t,
                            )?;
                            server.limits.update(&t, quotas);
                            server.limits.runtime_or_load(&t, || Ok(quotas))
                        })
                        .await
                        .map_err(|e| SqlError::internal("loading tenant quotas", e))?
                        .map_err(SqlError::fatal)?
                    }
                };
                let slot = self.server.limits.admit(rt.clone())?;
                let quotas = rt.quotas();
                let role = crate::backend::sqlite::guard::Role::parse(&rec.role);
                let key = TenantKey {
                    tenant: tenant.clone(),
                    env: env.clone(),
                };
                let target = crate::tenant::remote_db::registry_target(
                    self.server.config.libsql.as_ref(),
                    self.server.secrets.as_ref(),
                    tenant,
                    env,
                    &rec.location,
                )?;
                let db = self.server.registry.get(key, target).await;
                let conn = if db.is_remote() {
                    // A remote server that is down refuses the login (08006)
                    // within the configured deadline.
                    let remote = db.open_remote(role).await.map_err(SqlError::fatal)?;
                    SessionConn::Remote(Box::new(remote))
                } else {
                    let db2 = db.clone();
                    let env2 = env.clone();
                    let grants = db.grants(user);
                    tokio::task::spawn_blocking(move || {
                        let mut conn = db2.checkout()?;
                        let sequences = conn.sequence_log();
                        crate::tenant::enforce::install(
                            conn.sqlite_mut(),
                            &env2,
                            role,
                            Some(grants),
                            &quotas,
                            &rt,
                            sequences,
                        )?;
                        Ok::<_, SqlError>(SessionConn::Local(conn))
                    })
                    .await
                    .map_err(|e| SqlError::internal("opening the tenant database", e))?
                    .map_err(SqlError::fatal)?
                };
                Ok((
                    Identity::Tenant {
                        tenant: tenant.clone(),
                        env: env.clone(),
                        user: user.clone(),
                        role: rec.role.clone(),
                    },
                    Some(db),
                    conn,
                    Some(slot),
                ))
            }
            _ => Err(SqlError::new("28P01", "password authentication failed").fatal()),
        }
    }
}

fn sql_to_wire(e: SqlError) -> PgWireError {
    e.into()
}
