//! `pgtenant.rollback(tenant, deployment_id)`: plans from the current
//! schema back to the snapshot taken before that deployment and applies it
//! with the same engine (a rebuild keeps every column that still exists).
//! Destructive steps are allowed: they undo what the deployment added.
//! Later deployments of the environment are undone with it.

use std::sync::Arc;

use super::apply::{reverse, Job};
use super::desired;
use super::hints::Hints;
use super::history::History;
use super::rollout::{blocking, checksum, deploy_one, Kind};
use super::target::{self, Selector};
use crate::server::Server;
use crate::sql::errors::SqlError;

pub async fn rollback(
    server: &Arc<Server>,
    target: &str,
    id: &str,
) -> Result<Vec<Vec<String>>, SqlError> {
    let Selector::Named { list, single: true } = target::parse(target)? else {
        return Err(SqlError::new(
            "22023",
            "pgtenant.rollback takes one tenant (or tenant.environment)",
        ));
    };
    let id: i64 = id.trim().parse().map_err(|_| {
        SqlError::new(
            "22P02",
            format!("invalid input syntax for type bigint: \"{id}\""),
        )
    })?;
    let (tenant, env) = list[0].clone();
    let srv = server.clone();
    let (job, history, t, dep, kind) = blocking(move || {
        let history = History::new(srv.catalog.clone());
        let t = target::lookup(&srv, &tenant, &env)?;
        let dep = history
            .get(id)?
            .filter(|d| d.tenant == t.tenant && d.environment == t.env)
            .ok_or_else(|| {
                SqlError::new(
                    "42704",
                    format!("deployment {id} of \"{tenant}\" does not exist"),
                )
            })?;
        if dep.status != "applied" {
            return Err(SqlError::new(
                "55000",
                format!("deployment {id} is {}, not applied", dep.status),
            ));
        }
        if dep.kind.starts_with("app") {
            return Err(SqlError::new(
                "55000",
                format!("deployment {id} was made by an app ({})", dep.kind),
            )
            .with_detail("Remove an app with pgtenant.uninstall_app."));
        }
        let mut previous = desired::from_snapshot(&dep.previous_schema)?;
        // App tables are the apps' business, not this deployment's.
        for table in super::apps::owned_tables(&history, &t)?.keys() {
            previous.tables.remove(table);
            previous.views.remove(table);
            previous.indexes.retain(|_, i| &i.table != table);
        }
        previous.triggers.clear();
        let hints: Hints = serde_json::from_str(&dep.hints).unwrap_or_default();
        let kind = Kind {
            name: "rollback".into(),
            checksum: checksum(&previous.ddl()),
            hints: serde_json::to_string(&reverse(&hints)).unwrap_or_default(),
            quota: false,
        };
        let job = Job::new(previous, reverse(&hints), true, false);
        Ok((Arc::new(job), Arc::new(history), t, dep, kind))
    })
    .await?;
    let outcome = deploy_one(server, job, history.clone(), t, kind, None).await;
    if let Some(e) = outcome.error {
        return Err(e);
    }
    let until = outcome.id;
    blocking(move || history.mark_rolled_back(&dep, until)).await?;
    Ok(vec![outcome.row()])
}
