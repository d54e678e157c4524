//! `DROP TABLE ... CASCADE` takes the views that read the tables along,
//! as PostgreSQL does (a NOTICE names each). SQLite records no
//! dependencies: the views are found by reading their definitions when the
//! statement runs (views over those views too), and dropped in the same
//! batch as the tables, so a failure leaves all of them as they were.

use std::sync::Arc;

use super::session::Session;
use crate::sql::errors::SqlError;
use crate::sql::translate::Translation;

impl Session {
    /// `then` (the tables' drop) preceded by the drop of every view that
    /// reads `tables`, directly or through another view.
    pub(super) async fn with_cascaded_views(
        self: &Arc<Self>,
        tables: &[String],
        then: &Translation,
    ) -> Result<Translation, SqlError> {
        if self.is_remote() {
            return Ok(then.clone());
        }
        let tables = tables.to_vec();
        let views = self
            .with_local_conn(move |c| {
                dependents(c.sqlite(), &tables).map_err(|e| crate::sql::errors::from_sqlite(&e))
            })
            .await?;
        if views.is_empty() {
            return Ok(then.clone());
        }
        let described: Vec<String> = views.iter().map(|v| format!("view {v}")).collect();
        self.cascade_notice(&described);
        let quoted: Vec<String> = views.iter().map(|v| crate::sql::quote_ident(v)).collect();
        let drops = self
            .translate(&format!("DROP VIEW IF EXISTS {}", quoted.join(", ")))
            .await?;
        let mut sql: Vec<String> = drops.iter().map(|t| t.sql.clone()).collect();
        sql.push(then.sql.clone());
        Ok(Translation {
            sql: sql.join("; "),
            ..then.clone()
        })
    }
}

/// The views reading `tables`, and the views reading those, in the order
/// found (SQLite's DROP VIEW checks no dependents, so any order drops them).
fn dependents(db: &rusqlite::Connection, tables: &[String]) -> rusqlite::Result<Vec<String>> {
    let mut found: Vec<String> = Vec::new();
    let mut pending: std::collections::VecDeque<String> = tables.iter().cloned().collect();
    while let Some(relation) = pending.pop_front() {
        for view in crate::backend::sqlite::pgfuncs::dependent_views(db, &relation)? {
            if found.iter().any(|v| v.eq_ignore_ascii_case(&view)) {
                continue;
            }
            pending.push_back(view.clone());
            found.push(view);
        }
    }
    Ok(found)
}
