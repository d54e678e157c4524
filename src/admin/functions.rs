//! The management functions themselves.

use std::sync::Arc;

use crate::server::Server;
use crate::sql::errors::SqlError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminFn {
    CreateTenant,
    DropTenant,
    CreateUser,
    DropUser,
    SetPassword,
    /// Deployment and app functions (src/deploy).
    Deployment(&'static str),
}

/// Parameter names per function, in positional order.
fn signature(f: AdminFn) -> &'static [&'static str] {
    match f {
        AdminFn::CreateTenant => &["name", "plan", "region", "backend"],
        AdminFn::DropTenant => &["name"],
        AdminFn::CreateUser => &["tenant", "user", "password", "role"],
        AdminFn::DropUser => &["tenant", "user"],
        AdminFn::SetPassword => &["tenant", "user", "password"],
        AdminFn::Deployment(n) => crate::deploy::signature(n).0,
    }
}

fn required(f: AdminFn) -> usize {
    match f {
        AdminFn::CreateTenant | AdminFn::DropTenant => 1,
        AdminFn::CreateUser | AdminFn::SetPassword => 3,
        AdminFn::DropUser => 2,
        AdminFn::Deployment(n) => crate::deploy::signature(n).1,
    }
}

impl AdminFn {
    pub fn from_name(name: &str) -> Result<AdminFn, SqlError> {
        if let Some(n) = crate::deploy::FUNCTIONS.iter().find(|f| **f == name) {
            return Ok(AdminFn::Deployment(n));
        }
        Ok(match name {
            "create_tenant" => AdminFn::CreateTenant,
            "drop_tenant" => AdminFn::DropTenant,
            "create_user" => AdminFn::CreateUser,
            "drop_user" => AdminFn::DropUser,
            "set_password" => AdminFn::SetPassword,
            other => {
                return Err(SqlError::new(
                    "42883",
                    format!("function pgtenant.{other} does not exist"),
                )
                .with_detail("Management functions: create_tenant, drop_tenant, create_user, drop_user, set_password."))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            AdminFn::CreateTenant => "create_tenant",
            AdminFn::DropTenant => "drop_tenant",
            AdminFn::CreateUser => "create_user",
            AdminFn::DropUser => "drop_user",
            AdminFn::SetPassword => "set_password",
            AdminFn::Deployment(n) => n,
        }
    }

    /// Result columns of `SELECT * FROM pgtenant.f(...)`, or the single
    /// column of the scalar form.
    pub fn columns(self, scalar: bool) -> Vec<&'static str> {
        if scalar {
            return vec![self.name()];
        }
        match self {
            AdminFn::CreateTenant => vec![
                "tenant",
                "environment",
                "status",
                "database_url",
                "created_at",
            ],
            AdminFn::CreateUser => vec!["tenant", "user", "role", "created_at"],
            AdminFn::Deployment(n) => crate::deploy::columns(n),
            other => vec![other.name()],
        }
    }
}

/// Matches positional and named arguments to the function's parameters.
fn bind_args(
    f: AdminFn,
    args: Vec<super::args::BoundArg>,
) -> Result<Vec<Option<String>>, SqlError> {
    let sig = signature(f);
    let mut out: Vec<Option<Option<String>>> = vec![None; sig.len()];
    let mut pos = 0;
    for (name, value) in args {
        let idx = match name {
            None => {
                let i = pos;
                pos += 1;
                i
            }
            Some(n) => sig.iter().position(|p| *p == n).ok_or_else(|| {
                SqlError::new(
                    "42883",
                    format!(
                        "function pgtenant.{}() has no parameter named \"{n}\"",
                        f.name()
                    ),
                )
            })?,
        };
        if idx >= sig.len() {
            return Err(SqlError::new(
                "42883",
                format!(
                    "function pgtenant.{} takes at most {} arguments",
                    f.name(),
                    sig.len()
                ),
            ));
        }
        out[idx] = Some(value);
    }
    for (i, v) in out.iter().enumerate().take(required(f)) {
        match v {
            Some(Some(_)) => {}
            _ => {
                return Err(SqlError::new(
                    "22004",
                    format!(
                        "pgtenant.{}: argument \"{}\" must not be null",
                        f.name(),
                        sig[i]
                    ),
                ))
            }
        }
    }
    Ok(out.into_iter().map(|v| v.flatten()).collect())
}

fn t(b: bool) -> String {
    if b { "t" } else { "f" }.to_owned()
}

/// Runs a management function; returns its rows as text.
pub async fn run(
    server: &Arc<Server>,
    f: AdminFn,
    args: Vec<super::args::BoundArg>,
) -> Result<Vec<Vec<String>>, SqlError> {
    let a = bind_args(f, args)?;
    let arg = |i: usize| a[i].clone().unwrap_or_default();
    let catalog = server.catalog.clone();
    let blocking = |job: Box<dyn FnOnce() -> Result<Vec<Vec<String>>, SqlError> + Send>| async move {
        tokio::task::spawn_blocking(job)
            .await
            .map_err(|e| SqlError::internal("management function", e))?
    };
    match f {
        AdminFn::Deployment(n) => crate::deploy::run(server, n, &a).await,
        AdminFn::CreateTenant => {
            if let Some(backend) = a[3].as_deref() {
                if backend != "sqlite" {
                    return Err(SqlError::new(
                        "0A000",
                        format!("backend \"{backend}\" is not available: this server provisions \"sqlite\""),
                    ));
                }
            }
            let name = arg(0);
            let started = std::time::Instant::now();
            let rows = blocking(Box::new(move || {
                let r = catalog.create_tenant(&name)?;
                Ok(vec![vec![
                    r.tenant,
                    r.environment,
                    r.status,
                    r.database_url,
                    r.created_at,
                ]])
            }))
            .await?;
            tracing::info!(tenant = %arg(0), elapsed_us = started.elapsed().as_micros() as u64, "tenant created");
            Ok(rows)
        }
        AdminFn::DropTenant => {
            let name = arg(0);
            {
                let c = catalog.clone();
                let n = name.clone();
                blocking(Box::new(move || {
                    c.begin_drop_tenant(&n).map(|_| Vec::new())
                }))
                .await?;
            }
            server.registry.close_tenant(&name).await;
            let closed = server.sessions.kill_tenant(&name);
            let n = name.clone();
            blocking(Box::new(move || {
                catalog.finish_drop_tenant(&n).map(|_| Vec::new())
            }))
            .await?;
            tracing::info!(tenant = %name, sessions_closed = closed, "tenant dropped");
            Ok(vec![vec![t(true)]])
        }
        AdminFn::CreateUser => {
            let (tenant, user, pw) = (arg(0), arg(1), arg(2));
            let role = a[3].clone().unwrap_or_else(|| "owner".to_owned());
            blocking(Box::new(move || {
                let r = catalog.create_user(&tenant, &user, &pw, &role)?;
                Ok(vec![vec![r.tenant, r.user, r.role, r.created_at]])
            }))
            .await
        }
        AdminFn::DropUser => {
            let (tenant, user) = (arg(0), arg(1));
            blocking(Box::new(move || {
                catalog
                    .drop_user(&tenant, &user)
                    .map(|_| vec![vec![t(true)]])
            }))
            .await
        }
        AdminFn::SetPassword => {
            let (tenant, user, pw) = (arg(0), arg(1), arg(2));
            blocking(Box::new(move || {
                catalog
                    .set_password(&tenant, &user, &pw)
                    .map(|_| vec![vec![t(true)]])
            }))
            .await
        }
    }
}
