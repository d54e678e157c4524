//! Which objects a deployment manages. A plain deployment manages the whole
//! schema except tables owned by installed apps; an app's install or upgrade
//! manages only that app's objects. Objects outside the scope are carried
//! from the live schema into the desired one, so the diff leaves them alone.

use std::collections::{BTreeMap, BTreeSet};

use super::schema::Schema;
use crate::sql::errors::SqlError;

#[derive(Debug, Clone)]
pub enum Scope {
    /// Everything but these app-owned tables and views (name -> app).
    All { owned: BTreeMap<String, String> },
    /// Only one app's tables and views (those it had and those it will have).
    App {
        name: String,
        tables: BTreeSet<String>,
        views: BTreeSet<String>,
    },
}

impl Scope {
    fn table(&self, t: &str) -> bool {
        match self {
            Scope::All { owned } => !owned.contains_key(t),
            Scope::App { tables, .. } => tables.contains(t),
        }
    }

    fn view(&self, v: &str) -> bool {
        match self {
            Scope::All { owned } => !owned.contains_key(v),
            Scope::App { views, .. } => views.contains(v),
        }
    }

    fn conflict(&self, kind: &str, name: &str, table: &str) -> SqlError {
        match self {
            Scope::All { owned } => SqlError::new(
                "42P07",
                format!(
                    "{kind} \"{name}\" belongs to app \"{}\"",
                    owned.get(table).map(String::as_str).unwrap_or("?")
                ),
            )
            .with_detail("Change an app's objects with pgtenant.upgrade_app."),
            Scope::App { name: app, .. } => SqlError::new(
                "42P07",
                format!("{kind} \"{name}\" already exists and does not belong to app \"{app}\""),
            ),
        }
    }
}

/// The desired schema with every out-of-scope live object added as it is.
pub fn merge(live: &Schema, desired: &Schema, scope: &Scope) -> Result<Schema, SqlError> {
    let mut out = desired.clone();
    for (k, t) in &live.tables {
        if !scope.table(k) {
            if out.tables.contains_key(k) {
                return Err(scope.conflict("table", &t.name, k));
            }
            out.tables.insert(k.clone(), t.clone());
        }
    }
    for (k, i) in &live.indexes {
        if !scope.table(&i.table) {
            if out.indexes.contains_key(k) {
                return Err(scope.conflict("index", &i.name, &i.table));
            }
            out.indexes.insert(k.clone(), i.clone());
        }
    }
    for (k, i) in &desired.indexes {
        if !scope.table(&i.table) {
            return Err(scope.conflict("index", &i.name, &i.table));
        }
        // An index name of an out-of-scope table, taken by this scope's index.
        if let Some(l) = live.indexes.get(k) {
            if !scope.table(&l.table) {
                return Err(scope.conflict("index", &i.name, &l.table));
            }
        }
    }
    for (k, v) in &live.views {
        if !scope.view(k) {
            if out.views.contains_key(k) {
                return Err(scope.conflict("view", &v.name, k));
            }
            out.views.insert(k.clone(), v.clone());
        }
    }
    Ok(out)
}
