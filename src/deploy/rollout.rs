//! `pgtenant.plan` and `pgtenant.deploy`: resolve the targets, then apply
//! the job to each tenant under its writer permit (so the deployment queues
//! behind tenant write transactions and they behind it), with bounded
//! concurrency across the fleet; a failing tenant is reported and the
//! rollout goes on.

use std::sync::Arc;

use futures::stream::{self, StreamExt};

use super::apply::{apply, live_schema, Job};
use super::desired::{self, Desired};
use super::history::{History, Record};
use super::scope::Scope;
use super::target::{self, Selector, Target};
use crate::server::Server;
use crate::sql::errors::SqlError;
use crate::tenant::registry::{self, TenantKey};

/// Columns of `pgtenant.deploy` and `pgtenant.rollback`.
pub const COLUMNS: &[&str] = &[
    "tenant",
    "environment",
    "deployment_id",
    "status",
    "steps_applied",
    "error",
];

/// One result row.
pub struct Outcome {
    pub target: Target,
    pub id: Option<i64>,
    pub status: &'static str,
    pub steps: usize,
    pub error: Option<SqlError>,
}

impl Outcome {
    pub fn row(&self) -> Vec<String> {
        vec![
            self.target.tenant.clone(),
            self.target.env.clone(),
            self.id.map(|i| i.to_string()).unwrap_or_default(),
            self.status.to_owned(),
            self.steps.to_string(),
            self.error
                .as_ref()
                .map(|e| format!("{}: {}", e.code, e.message))
                .unwrap_or_default(),
        ]
    }
}

pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SqlError> + Send + 'static,
) -> Result<T, SqlError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SqlError::internal("deployment task", e))?
}

/// An md5 of the desired schema as SQLite holds it, so equal schemas
/// written differently have one checksum.
pub fn checksum(ddl: &str) -> String {
    use md5::{Digest, Md5};
    format!("md5:{}", hex::encode(Md5::digest(ddl.as_bytes())))
}

/// `pgtenant.plan(target, desired_schema)`.
pub async fn plan(
    server: &Arc<Server>,
    target: &str,
    ddl: &str,
) -> Result<Vec<Vec<String>>, SqlError> {
    let Selector::Named { list, single: true } = target::parse(target)? else {
        return Err(SqlError::new(
            "22023",
            "pgtenant.plan takes one tenant (or tenant.environment)",
        ));
    };
    let (tenant, env) = list[0].clone();
    let server = server.clone();
    let ddl = ddl.to_owned();
    blocking(move || {
        let history = History::new(server.catalog.clone());
        let t = target::lookup(&server, &tenant, &env)?;
        let Desired { schema, hints } = desired::from_postgres(&ddl)?;
        let job = Job::new(schema, hints, true, true);
        let scope = super::apps::deploy_scope(&history, &t)?;
        let (live, rebuild) = live_schema(&t.db, t.shared_client(&server)?)?;
        Ok(job.planned(&live, &scope, rebuild)?.plan.rows())
    })
    .await
}

/// What kind of deployment a job is, for history and quota.
#[derive(Clone)]
pub struct Kind {
    pub name: String,
    pub checksum: String,
    pub hints: String,
    /// Rollbacks do not count against the quota.
    pub quota: bool,
}

/// Applies `job` to one tenant and records it.
pub async fn deploy_one(
    server: &Arc<Server>,
    job: Arc<Job>,
    history: Arc<History>,
    target: Target,
    kind: Kind,
    scope: Option<Scope>,
) -> Outcome {
    let db = server
        .registry
        .get(
            TenantKey {
                tenant: target.tenant.clone(),
                env: target.env.clone(),
            },
            target.db.clone(),
        )
        .await;
    let fail = |target: Target, e: SqlError| Outcome {
        target,
        id: None,
        status: "failed",
        steps: 0,
        error: Some(e),
    };
    let wait = std::time::Duration::from_millis(server.config.deploy.lock_timeout_ms);
    let _permit = match tokio::time::timeout(wait, db.writer.clone().acquire_owned()).await {
        Ok(Ok(p)) => p,
        Ok(Err(_)) => {
            return fail(
                target,
                SqlError::new("57P01", "the tenant is shutting down"),
            )
        }
        Err(_) => {
            let e = SqlError::new(
                "55P03",
                format!(
                    "tenant \"{}\" kept a write transaction open for {} ms; deployment not started",
                    target.tenant,
                    wait.as_millis()
                ),
            );
            return fail(target, e);
        }
    };
    if db.is_closed() {
        return fail(target, SqlError::new("57P01", "the tenant was dropped"));
    }
    let client = match db.remote_client().await {
        Ok(c) => c,
        Err(e) => return fail(target, e),
    };
    let server = server.clone();
    let t = target.clone();
    let done = blocking(move || {
        let limit = super::quota::max_deployments_per_day(&server, &t.tenant)?;
        let scope = match scope {
            Some(s) => s,
            None => super::apps::deploy_scope(&history, &t)?,
        };
        let label = if t.env == crate::tenant::resolve::DEFAULT_ENV {
            t.tenant.clone()
        } else {
            format!("{}.{}", t.tenant, t.env)
        };
        let result = apply(&job, &t.db, client, &label, &scope, |p| {
            if p.plan.is_empty() || job.dry_run || !kind.quota {
                return Ok(());
            }
            let used = history.count_last_day(&t.tenant, &t.env)?;
            if used >= limit {
                return Err(SqlError::new(
                    "54000",
                    format!("tenant \"{label}\" reached its limit of {limit} deployments per day"),
                ));
            }
            Ok(())
        });
        let record =
            |status: &str, steps: usize, up: &str, down: &str, prev: &str, err: Option<&str>| {
                history.record(&Record {
                    tenant: &t.tenant,
                    environment: &t.env,
                    kind: &kind.name,
                    checksum: &kind.checksum,
                    status,
                    steps,
                    up_sql: up,
                    down_sql: down,
                    previous_schema: prev,
                    hints: &kind.hints,
                    error: err,
                })
            };
        Ok(match result {
            Ok(a) if job.dry_run => (None, "dry_run", a.steps, None),
            Ok(a) if a.steps == 0 => (None, "unchanged", 0, None),
            Ok(a) => {
                let p = &a.planned;
                let id = record(
                    "applied",
                    a.steps,
                    &p.plan.sql(),
                    &p.down.sql(),
                    &p.previous,
                    None,
                )?;
                (Some(id), "applied", a.steps, None)
            }
            Err(e) => {
                // Refusals and quota are not attempts; execution failures are recorded.
                let id = if job.dry_run || matches!(e.code, "2BP01" | "54000") {
                    None
                } else {
                    Some(record("failed", 0, "", "", "", Some(&e.message))?)
                };
                (id, "failed", 0, Some(e))
            }
        })
    })
    .await;
    if matches!(done, Ok((_, "applied", ..))) {
        db.schema_changed();
    }
    match done {
        Ok((id, status, steps, error)) => Outcome {
            target,
            id,
            status,
            steps,
            error,
        },
        Err(e) => fail(target, e),
    }
}

/// `pgtenant.deploy(target, desired_schema, allow_destructive, dry_run)`.
pub async fn deploy(
    server: &Arc<Server>,
    target: &str,
    ddl: &str,
    allow_destructive: bool,
    dry_run: bool,
) -> Result<Vec<Vec<String>>, SqlError> {
    let selector = target::parse(target)?;
    let ddl = ddl.to_owned();
    let srv = server.clone();
    let (job, kind, history, targets, single) = blocking(move || {
        let Desired { schema, hints } = desired::from_postgres(&ddl)?;
        let history = History::new(srv.catalog.clone());
        let kind_hints = serde_json::to_string(&hints).unwrap_or_default();
        let checksum = checksum(&schema.ddl());
        let (targets, single) = match selector {
            Selector::Fleet { env } => (target::fleet(&srv, &env)?, false),
            Selector::Named { list, single } => {
                let mut out = Vec::new();
                for (tenant, env) in list {
                    match target::lookup(&srv, &tenant, &env) {
                        Ok(t) => out.push(Ok(t)),
                        Err(e) if single => return Err(e),
                        Err(e) => out.push(Err((tenant, env, e))),
                    }
                }
                (out, single)
            }
        };
        let job = Job::new(schema, hints, allow_destructive, dry_run);
        let kind = Kind {
            name: "deploy".into(),
            checksum,
            hints: kind_hints,
            quota: true,
        };
        Ok((Arc::new(job), kind, Arc::new(history), targets, single))
    })
    .await?;
    let concurrency = server.config.deploy.fleet_concurrency.max(1);
    let outcomes: Vec<Outcome> = stream::iter(targets)
        .map(|t| {
            let (job, history, kind) = (job.clone(), history.clone(), kind.clone());
            async move {
                match t {
                    Ok(t) => deploy_one(server, job, history, t, kind, None).await,
                    Err((tenant, env, e)) => Outcome {
                        target: Target {
                            tenant,
                            env,
                            db: registry::Target::File(Default::default()),
                        },
                        id: None,
                        status: "failed",
                        steps: 0,
                        error: Some(e),
                    },
                }
            }
        })
        .buffered(concurrency)
        .collect()
        .await;
    if single {
        if let Some(Outcome { error: Some(e), .. }) = outcomes.first() {
            return Err(e.clone());
        }
    }
    Ok(outcomes.iter().map(Outcome::row).collect())
}
