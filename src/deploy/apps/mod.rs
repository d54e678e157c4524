//! App bundles: a JSON manifest (schema, seed rows, versions) installed into
//! a tenant through the deployment engine. An app owns the tables and views
//! its schema creates; plain deployments leave them alone, and an app's
//! install, upgrade or uninstall touches nothing else.

mod install;
mod manifest;
mod seed;

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::params;

pub use install::{
    check_app, install_app, uninstall_app, CHECK_COLUMNS, INSTALL_COLUMNS, UNINSTALL_COLUMNS,
};
pub use manifest::Manifest;

use super::history::History;
use super::scope::Scope;
use super::target::Target;
use crate::sql::errors::SqlError;
use crate::tenant::catalog::Exec;

pub const CATALOG_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS app_install (
    tenant       TEXT NOT NULL REFERENCES tenant(name) ON DELETE CASCADE,
    environment  TEXT NOT NULL,
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,
    description  TEXT NOT NULL,
    tables       TEXT NOT NULL,
    views        TEXT NOT NULL,
    config       TEXT NOT NULL,
    manifest     TEXT NOT NULL,
    installed_at TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (tenant, environment, name)
);
CREATE VIEW IF NOT EXISTS apps AS
    SELECT tenant, environment, name AS app, version, description, tables, views, config,
           installed_at, updated_at
    FROM app_install;
";

/// An installed app.
#[derive(Debug, Clone)]
pub struct Installed {
    pub name: String,
    pub version: String,
    pub tables: BTreeSet<String>,
    pub views: BTreeSet<String>,
}

fn set(text: &str) -> BTreeSet<String> {
    text.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

pub fn installed(history: &History, t: &Target) -> Result<Vec<Installed>, SqlError> {
    let rows = history.catalog().conn()?.query(
        "SELECT name, version, tables, views FROM app_install
         WHERE tenant = ?1 AND environment = ?2 ORDER BY name",
        params![t.tenant, t.env],
    )?;
    rows.into_iter()
        .map(|r| {
            Ok(Installed {
                name: r.get(0)?,
                version: r.get(1)?,
                tables: set(&r.get::<String>(2)?),
                views: set(&r.get::<String>(3)?),
            })
        })
        .collect()
}

/// Table or view -> owning app, for one tenant environment.
pub fn owned_tables(history: &History, t: &Target) -> Result<BTreeMap<String, String>, SqlError> {
    Ok(installed(history, t)?
        .into_iter()
        .flat_map(|a| {
            let name = a.name;
            a.tables
                .into_iter()
                .chain(a.views)
                .map(move |t| (t, name.clone()))
        })
        .collect())
}

/// The scope of a plain deployment: everything but the apps' objects.
pub fn deploy_scope(history: &History, t: &Target) -> Result<Scope, SqlError> {
    Ok(Scope::All {
        owned: owned_tables(history, t)?,
    })
}
