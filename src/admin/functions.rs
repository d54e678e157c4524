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
    CreateEnvironment,
    DropEnvironment,
    SetHostname,
    Stats,
    Backup,
    Restore,
    SuspendTenant,
    ResumeTenant,
    SetPlan,
    SetQuota,
    Usage,
    RemoteDatabases,
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
        AdminFn::CreateEnvironment => &["tenant", "env", "hostname"],
        AdminFn::DropEnvironment => &["tenant", "env"],
        AdminFn::SetHostname => &["tenant", "env", "hostname"],
        AdminFn::Stats => &[],
        AdminFn::Backup => &["tenant", "env"],
        AdminFn::Restore => &["tenant", "backup", "env", "force"],
        AdminFn::SuspendTenant | AdminFn::ResumeTenant => &["name"],
        AdminFn::SetPlan => &["tenant", "plan"],
        AdminFn::SetQuota => &["tenant", "name", "value"],
        AdminFn::Usage => &["tenant"],
        AdminFn::RemoteDatabases => &[],
        AdminFn::Deployment(n) => crate::deploy::signature(n).0,
    }
}

fn required(f: AdminFn) -> usize {
    match f {
        AdminFn::CreateTenant | AdminFn::DropTenant | AdminFn::Backup => 1,
        AdminFn::SuspendTenant | AdminFn::ResumeTenant => 1,
        AdminFn::SetPlan | AdminFn::SetQuota => 2,
        AdminFn::Usage | AdminFn::RemoteDatabases => 0,
        AdminFn::CreateUser | AdminFn::SetPassword => 3,
        AdminFn::DropUser | AdminFn::Restore => 2,
        AdminFn::CreateEnvironment | AdminFn::DropEnvironment | AdminFn::SetHostname => 2,
        AdminFn::Stats => 0,
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
            "create_environment" => AdminFn::CreateEnvironment,
            "drop_environment" => AdminFn::DropEnvironment,
            "set_hostname" => AdminFn::SetHostname,
            "stats" => AdminFn::Stats,
            "backup" => AdminFn::Backup,
            "restore" => AdminFn::Restore,
            "suspend_tenant" => AdminFn::SuspendTenant,
            "resume_tenant" => AdminFn::ResumeTenant,
            "set_plan" => AdminFn::SetPlan,
            "set_quota" => AdminFn::SetQuota,
            "usage" => AdminFn::Usage,
            "remote_databases" => AdminFn::RemoteDatabases,
            other => {
                return Err(SqlError::new(
                    "42883",
                    format!("function pgtenant.{other} does not exist"),
                )
                .with_detail(format!("Management functions: create_tenant, drop_tenant, suspend_tenant, resume_tenant, set_plan, set_quota, usage, create_user, drop_user, set_password, create_environment, drop_environment, set_hostname, stats, backup, restore, {}.", crate::deploy::FUNCTIONS.join(", "))))
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
            AdminFn::CreateEnvironment => "create_environment",
            AdminFn::DropEnvironment => "drop_environment",
            AdminFn::SetHostname => "set_hostname",
            AdminFn::Stats => "stats",
            AdminFn::Backup => "backup",
            AdminFn::Restore => "restore",
            AdminFn::SuspendTenant => "suspend_tenant",
            AdminFn::ResumeTenant => "resume_tenant",
            AdminFn::SetPlan => "set_plan",
            AdminFn::SetQuota => "set_quota",
            AdminFn::Usage => "usage",
            AdminFn::RemoteDatabases => "remote_databases",
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
            AdminFn::Stats => vec!["scope", "tenant", "environment", "metric", "value"],
            AdminFn::CreateEnvironment | AdminFn::SetHostname => {
                super::environments::ENV_COLUMNS.to_vec()
            }
            AdminFn::Backup => vec!["id", "tenant", "environment", "created_at", "bytes", "file"],
            AdminFn::Restore => vec![
                "tenant",
                "environment",
                "backup",
                "restored_at",
                "sessions_closed",
            ],
            AdminFn::Usage => super::plane::USAGE_COLUMNS.to_vec(),
            AdminFn::RemoteDatabases => super::remote_databases::COLUMNS.to_vec(),
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

pub(super) fn t(b: bool) -> String {
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
        AdminFn::CreateTenant => super::plane::create_tenant(server, a).await,
        AdminFn::DropTenant => super::plane::drop_tenant(server, arg(0)).await,
        AdminFn::SuspendTenant => super::plane::suspend_tenant(server, arg(0)).await,
        AdminFn::ResumeTenant => super::plane::resume_tenant(server, arg(0)).await,
        AdminFn::SetPlan => super::plane::set_plan(server, arg(0), arg(1)).await,
        AdminFn::SetQuota => super::plane::set_quota(server, arg(0), arg(1), a[2].clone()).await,
        AdminFn::Usage => super::plane::usage(server, a[0].clone()).await,
        AdminFn::RemoteDatabases => super::remote_databases::remote_databases(server).await,
        AdminFn::Deployment(n) => crate::deploy::run(server, n, &a).await,
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
        AdminFn::Stats => Ok(crate::metrics::stats_rows(server)),
        AdminFn::CreateEnvironment => {
            super::environments::create_environment(server, arg(0), arg(1), a[2].clone()).await
        }
        AdminFn::DropEnvironment => {
            super::environments::drop_environment(server, arg(0), arg(1)).await
        }
        AdminFn::SetHostname => {
            super::environments::set_hostname(server, arg(0), arg(1), a[2].clone()).await
        }
        AdminFn::Backup => Ok(vec![
            super::backups::take(server, arg(0), a[1].clone()).await?,
        ]),
        AdminFn::Restore => Ok(vec![
            super::backups::restore(server, arg(0), arg(1), a[2].clone(), a[3].clone()).await?,
        ]),
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
