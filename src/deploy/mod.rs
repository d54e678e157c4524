//! Metadata-driven deployment: the user states the desired schema in
//! PostgreSQL DDL; pgtenant diffs it against each tenant's live database
//! (a local SQLite file or a remote libSQL database), plans the migration,
//! applies it in one transaction per tenant, records it in the catalog
//! (local or remote), and can roll it back. App bundles install through the
//! same engine.
//!
//! - [`desired`]: the desired schema, through the SQL translator, into a scratch database
//! - [`schema`]: the model both sides are introspected into
//! - [`diff`]: the planner (renames, ALTER TABLE, SQLite's table rebuild)
//! - [`plan`]: steps and their rendering
//! - [`apply`]: one tenant, one transaction
//! - [`tenant_db`], [`remote`]: the tenant database, local or remote
//! - [`rollout`]: targets, writer permits, fleet concurrency, history
//! - [`rollback`], [`apps`], [`history`], [`quota`]

pub mod apply;
pub mod apps;
pub mod canonical;
pub mod config;
pub mod desired;
pub mod diff;
pub mod hints;
pub mod history;
pub mod plan;
pub mod quota;
pub mod remote;
pub mod rollback;
pub mod rollout;
pub mod schema;
pub mod scope;
pub mod target;
pub mod tenant_db;
pub mod types;

#[cfg(test)]
mod diff_tests;

pub use config::DeployConfig;

use std::sync::Arc;

use crate::server::Server;
use crate::sql::errors::SqlError;

/// The deployment management functions, by name.
pub const FUNCTIONS: &[&str] = &[
    "plan",
    "deploy",
    "rollback",
    "check_app",
    "install_app",
    "upgrade_app",
    "uninstall_app",
];

/// Parameter names per function, in positional order, and how many are required.
pub fn signature(name: &str) -> (&'static [&'static str], usize) {
    match name {
        "plan" => (&["tenant", "desired_schema"], 2),
        "deploy" => (
            &["target", "desired_schema", "allow_destructive", "dry_run"],
            2,
        ),
        "rollback" => (&["tenant", "deployment_id"], 2),
        "check_app" => (&["tenant", "manifest"], 2),
        "install_app" | "upgrade_app" => {
            (&["tenant", "manifest", "config", "allow_destructive"], 2)
        }
        "uninstall_app" => (&["tenant", "name", "keep_data"], 2),
        _ => (&[], 0),
    }
}

/// Result columns per function.
pub fn columns(name: &str) -> Vec<&'static str> {
    match name {
        "plan" => plan::COLUMNS.to_vec(),
        "deploy" | "rollback" => rollout::COLUMNS.to_vec(),
        "check_app" => apps::CHECK_COLUMNS.to_vec(),
        "install_app" | "upgrade_app" => apps::INSTALL_COLUMNS.to_vec(),
        "uninstall_app" => apps::UNINSTALL_COLUMNS.to_vec(),
        _ => Vec::new(),
    }
}

fn boolean(name: &str, v: Option<&str>, default: bool) -> Result<bool, SqlError> {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None => Ok(default),
        Some("t" | "true" | "on" | "yes" | "1") => Ok(true),
        Some("f" | "false" | "off" | "no" | "0") => Ok(false),
        Some(other) => Err(SqlError::new(
            "22P02",
            format!("invalid input syntax for type boolean: \"{other}\" ({name})"),
        )),
    }
}

/// Runs one deployment function with its bound arguments (None = NULL).
pub async fn run(
    server: &Arc<Server>,
    name: &str,
    a: &[Option<String>],
) -> Result<Vec<Vec<String>>, SqlError> {
    let arg = |i: usize| a.get(i).cloned().flatten().unwrap_or_default();
    let opt = |i: usize| a.get(i).cloned().flatten();
    match name {
        "plan" => rollout::plan(server, &arg(0), &arg(1)).await,
        "deploy" => {
            let allow = boolean("allow_destructive", opt(2).as_deref(), false)?;
            let dry = boolean("dry_run", opt(3).as_deref(), false)?;
            rollout::deploy(server, &arg(0), &arg(1), allow, dry).await
        }
        "rollback" => rollback::rollback(server, &arg(0), &arg(1)).await,
        "check_app" => apps::check_app(server, &arg(0), &arg(1)).await,
        "install_app" | "upgrade_app" => {
            let config = opt(2).unwrap_or_else(|| "{}".into());
            let allow = boolean("allow_destructive", opt(3).as_deref(), false)?;
            apps::install_app(
                server,
                &arg(0),
                &arg(1),
                &config,
                allow,
                name == "upgrade_app",
            )
            .await
        }
        "uninstall_app" => {
            let keep = boolean("keep_data", opt(2).as_deref(), true)?;
            apps::uninstall_app(server, &arg(0), &arg(1), keep).await
        }
        other => Err(SqlError::new(
            "42883",
            format!("function pgtenant.{other} does not exist"),
        )),
    }
}
