//! Applying a plan to one tenant database: one IMMEDIATE transaction with
//! foreign keys off (SQLite's rebuild procedure), a foreign-key check and a
//! check that the database now holds the desired schema before COMMIT. A
//! tenant is either fully migrated or untouched.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use super::diff;
use super::hints::Hints;
use super::plan::Plan;
use super::schema::{introspect, Schema};
use super::scope::{merge, Scope};
use crate::sql::errors::{from_sqlite, SqlError};

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
pub type After = dyn Fn(&Transaction, &Planned) -> Result<(), SqlError> + Send + Sync;

/// One deployment request, shared by the tenants it goes to.
pub struct Job {
    pub desired: Schema,
    pub hints: Hints,
    pub allow_destructive: bool,
    pub dry_run: bool,
    pub after: Option<Box<After>>,
    /// Tenants with the same live schema get the same plan.
    cache: Mutex<HashMap<(String, String), Arc<Planned>>>,
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

    /// The plan for a live schema under a scope.
    pub fn planned(&self, live: &Schema, scope: &Scope) -> Result<Arc<Planned>, SqlError> {
        let previous = live.ddl();
        let scope_key = format!("{scope:?}");
        let cache_key = (previous.clone(), scope_key);
        if let Some(p) = self
            .cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&cache_key)
        {
            return Ok(p.clone());
        }
        let target = merge(live, &self.desired, scope)?;
        let plan = diff::plan(live, &target, &self.hints)?;
        let down = if plan.is_empty() {
            Plan::default()
        } else {
            diff::plan(&target, live, &reverse(&self.hints))?
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

/// Opens a tenant database for a deployment: the server's own connection,
/// without the tenant guard (it runs pragmas a tenant may not), with the
/// SQL functions defaults and checks may call.
pub fn open_tenant(path: &Path) -> Result<Connection, SqlError> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| from_sqlite(&e))?;
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .map_err(|e| from_sqlite(&e))?;
    crate::backend::sqlite::functions::register(&conn).map_err(|e| from_sqlite(&e))?;
    crate::backend::sqlite::pgfuncs::register(&conn).map_err(|e| from_sqlite(&e))?;
    Ok(conn)
}

/// Reads a tenant's live schema.
pub fn live_schema(path: &Path) -> Result<Schema, SqlError> {
    introspect(&open_tenant(path)?)
}

/// The result of applying a job to one tenant.
pub struct Applied {
    pub planned: Arc<Planned>,
    pub steps: usize,
}

/// Plans and applies under one write transaction. `check` runs once the
/// transaction holds the write lock (quota), before anything changes.
pub fn apply(
    job: &Job,
    path: &Path,
    tenant: &str,
    scope: &Scope,
    check: impl FnOnce(&Planned) -> Result<(), SqlError>,
) -> Result<Applied, SqlError> {
    let mut conn = open_tenant(path)?;
    // Step 1 of SQLite's procedure: foreign keys off (not possible inside a
    // transaction); they are checked explicitly before COMMIT.
    conn.execute_batch("PRAGMA foreign_keys = OFF")
        .map_err(|e| from_sqlite(&e))?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| from_sqlite(&e))?;
    let live = introspect(&tx)?;
    let planned = job.planned(&live, scope)?;
    if !job.allow_destructive {
        if let Some(refusal) = planned.plan.refusal(tenant) {
            return Err(refusal);
        }
    }
    check(&planned)?;
    for s in &planned.plan.steps {
        tx.execute_batch(&s.sql).map_err(|e| {
            let mut err = from_sqlite(&e);
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
        after(&tx, &planned)?;
    }
    foreign_key_check(&tx)?;
    let now = introspect(&tx)?;
    if let Some(diff) = now.difference(&planned.target) {
        return Err(SqlError::new(
            "XX000",
            "internal error: the deployed schema differs from the desired schema",
        )
        .with_detail(diff));
    }
    if job.dry_run {
        tx.rollback().map_err(|e| from_sqlite(&e))?;
    } else {
        tx.commit().map_err(|e| from_sqlite(&e))?;
    }
    Ok(Applied {
        steps: planned.plan.steps.len(),
        planned,
    })
}

fn foreign_key_check(tx: &Transaction) -> Result<(), SqlError> {
    let mut stmt = tx
        .prepare("PRAGMA foreign_key_check")
        .map_err(|e| from_sqlite(&e))?;
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(2)?)))
        .map_err(|e| from_sqlite(&e))?;
    let mut bad: Vec<String> = Vec::new();
    for r in rows {
        let (table, parent) = r.map_err(|e| from_sqlite(&e))?;
        let text = format!("{table} -> {parent}");
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
