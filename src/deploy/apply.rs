//! Applying a plan to one tenant database, a local file or a remote libSQL
//! database (see [`super::tenant_db`]): one IMMEDIATE transaction with
//! foreign keys off (SQLite's rebuild procedure), a foreign-key check and a
//! check that the database now holds the desired schema before COMMIT. A
//! tenant is either fully migrated or untouched.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::diff::{self, Rebuild};
use super::hints::Hints;
use super::plan::Plan;
use super::schema::{introspect, Schema};
use super::scope::{merge, Scope};
use super::tenant_db::{text, Db, Opened};
use crate::sql::errors::SqlError;
use crate::tenant::registry;

/// What a deployment does to each tenant, planned once per distinct live schema.
pub struct Planned {
    pub plan: Plan,
    /// The plan back to the live schema (for `down_sql`).
    pub down: Plan,
    /// The live schema before, as DDL: what a rollback restores.
    pub previous: String,
    /// The full desired schema for this tenant (scope merged in).
    pub target: Schema,
}

/// Runs after the plan, inside the same transaction (app seed rows).
pub type After = dyn Fn(&dyn Db, &Planned) -> Result<(), SqlError> + Send + Sync;

/// One deployment request, shared by the tenants it goes to.
pub struct Job {
    pub desired: Schema,
    pub hints: Hints,
    pub allow_destructive: bool,
    pub dry_run: bool,
    pub after: Option<Box<After>>,
    /// Tenants with the same live schema get the same plan.
    cache: Mutex<HashMap<(String, String, Rebuild), Arc<Planned>>>,
}

impl Job {
    pub fn new(desired: Schema, hints: Hints, allow_destructive: bool, dry_run: bool) -> Job {
        Job {
            desired,
            hints,
            allow_destructive,
            dry_run,
            after: None,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The plan for a live schema under a scope, rebuilding tables as the
    /// tenant's database allows.
    pub fn planned(
        &self,
        live: &Schema,
        scope: &Scope,
        rebuild: Rebuild,
    ) -> Result<Arc<Planned>, SqlError> {
        let previous = live.ddl();
        let scope_key = format!("{scope:?}");
        let cache_key = (previous.clone(), scope_key, rebuild);
        if let Some(p) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&cache_key)
        {
            return Ok(p.clone());
        }
        let target = merge(live, &self.desired, scope)?;
        let plan = diff::plan_with(live, &target, &self.hints, rebuild)?;
        let down = if plan.is_empty() {
            Plan::default()
        } else {
            diff::plan_with(&target, live, &reverse(&self.hints), rebuild)?
        };
        let planned = Arc::new(Planned {
            plan,
            down,
            previous,
            target,
        });
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(cache_key, planned.clone());
        Ok(planned)
    }
}

/// The hints that undo a rename.
pub fn reverse(h: &Hints) -> Hints {
    let renamed_to = |t: &str| {
        h.tables
            .iter()
            .find(|(_, new)| new == t)
            .map(|(old, _)| old.clone())
            .unwrap_or_else(|| t.to_owned())
    };
    Hints {
        tables: h
            .tables
            .iter()
            .map(|(o, n)| (n.clone(), o.clone()))
            .collect(),
        columns: h
            .columns
            .iter()
            .map(|(t, o, n)| (renamed_to(t), n.clone(), o.clone()))
            .collect(),
    }
}

/// Reads a tenant's live schema, and how its tables are rebuilt; a remote
/// one through `client` when given (see [`apply`]).
pub fn live_schema(
    target: &registry::Target,
    client: Option<Arc<libsql::Database>>,
) -> Result<(Schema, Rebuild), SqlError> {
    let db = Opened::open(target, client)?;
    Ok((introspect(db.db())?, db.rebuild()))
}

/// The result of applying a job to one tenant.
pub struct Applied {
    pub planned: Arc<Planned>,
    pub steps: usize,
}

/// Plans and applies under one write transaction. `check` runs once the
/// transaction holds the write lock (quota), before anything changes. A
/// remote database is reached through `client` when given (the sessions'
/// shared HTTP pool).
pub fn apply(
    job: &Job,
    target: &registry::Target,
    client: Option<Arc<libsql::Database>>,
    tenant: &str,
    scope: &Scope,
    check: impl FnOnce(&Planned) -> Result<(), SqlError>,
) -> Result<Applied, SqlError> {
    let opened = Opened::open(target, client)?;
    // Ended either way: a remote stream is then closed, not left to expire.
    let result = opened
        .begin()
        .and_then(|()| migrate(job, &opened, tenant, scope, check));
    let commit = result.is_ok() && !job.dry_run;
    let ended = opened.end(commit);
    let applied = result?;
    ended?;
    Ok(applied)
}

/// The transaction's body: what [`apply`] commits or rolls back.
fn migrate(
    job: &Job,
    opened: &Opened,
    tenant: &str,
    scope: &Scope,
    check: impl FnOnce(&Planned) -> Result<(), SqlError>,
) -> Result<Applied, SqlError> {
    let db = opened.db();
    let live = introspect(db)?;
    let planned = job.planned(&live, scope, opened.rebuild())?;
    if !job.allow_destructive {
        if let Some(refusal) = planned.plan.refusal(tenant) {
            return Err(refusal);
        }
    }
    check(&planned)?;
    for s in &planned.plan.steps {
        db.execute_batch(&s.sql).map_err(|mut err| {
            err.message = format!(
                "{} {} failed: {}",
                s.action.replace('_', " "),
                s.object,
                err.message.replace(diff::OLD_PREFIX, "")
            );
            err
        })?;
    }
    if let Some(after) = &job.after {
        after(db, &planned)?;
    }
    foreign_key_check(db)?;
    let now = introspect(db)?;
    if let Some(diff) = now.difference(&planned.target) {
        return Err(SqlError::new(
            "XX000",
            "internal error: the deployed schema differs from the desired schema",
        )
        .with_detail(diff));
    }
    Ok(Applied {
        steps: planned.plan.steps.len(),
        planned,
    })
}

fn foreign_key_check(db: &dyn Db) -> Result<(), SqlError> {
    let mut bad: Vec<String> = Vec::new();
    for r in db.query("PRAGMA foreign_key_check", &[])? {
        let text = format!(
            "{} -> {}",
            text(&r, 0).unwrap_or_default(),
            text(&r, 2).unwrap_or_default()
        );
        if !bad.contains(&text) {
            bad.push(text);
        }
    }
    if bad.is_empty() {
        Ok(())
    } else {
        Err(SqlError::new(
            "23503",
            format!(
                "the deployment leaves rows violating foreign keys: {}",
                bad.join(", ")
            ),
        ))
    }
}
