//! `TRUNCATE a, b [RESTART IDENTITY] [CASCADE]` as PostgreSQL runs it: the
//! tables named, plus with CASCADE every table whose foreign key reaches
//! one of them (transitively), are emptied together; without CASCADE a
//! table outside the list that references one in it is an error (0A000),
//! whether or not it holds rows. The rows go with their foreign keys
//! checked once all are gone (the order of the list does not matter), and
//! RESTART IDENTITY restarts the serial counters of every emptied table.

use super::super::{all_or_none, guard};
use super::Conn;
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::quote_ident;

impl Conn {
    /// Empties `tables` (SQLite names); returns the tables CASCADE added,
    /// for PostgreSQL's NOTICE about each.
    pub fn truncate(
        &mut self,
        tables: &[String],
        restart: bool,
        cascade: bool,
    ) -> Result<Vec<String>, SqlError> {
        let sql = |e: rusqlite::Error| from_sqlite(&e);
        // (child, parent) for each foreign key of the tenant's tables.
        let edges: Vec<(String, String)> = self
            .db
            .prepare(
                "SELECT m.name, f.\"table\" FROM main.sqlite_schema m \
                 JOIN pragma_foreign_key_list(m.name) f WHERE m.type = 'table'",
            )
            .map_err(sql)?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .map_err(sql)?
            .collect::<rusqlite::Result<_>>()
            .map_err(sql)?;
        let mut set: Vec<String> = Vec::new();
        for t in tables {
            if !contains(&set, t) {
                set.push(t.clone());
            }
        }
        let mut cascaded = Vec::new();
        // Each pass adds the children of what is in; ends when none is new.
        loop {
            let before = set.len();
            for (child, parent) in &edges {
                if !contains(&set, parent) || contains(&set, child) {
                    continue;
                }
                if !cascade {
                    let (child, parent) = (display(child), display(parent));
                    return Err(SqlError::new(
                        "0A000",
                        "cannot truncate a table referenced in a foreign key constraint",
                    )
                    .with_detail(format!("Table \"{child}\" references \"{parent}\"."))
                    .with_hint(format!(
                        "Truncate table \"{child}\" at the same time, or use TRUNCATE ... CASCADE."
                    )));
                }
                set.push(child.clone());
                cascaded.push(display(child));
            }
            if set.len() == before {
                break;
            }
        }
        all_or_none(&mut self.db, "pgtenant_truncate", |db| {
            let mut failed = None;
            guard::deferring_foreign_keys(db, || {
                for t in &set {
                    if let Err(e) = db.execute(&format!("DELETE FROM {}", quote_ident(t)), []) {
                        failed = Some(sql(e));
                        return None;
                    }
                }
                Some(())
            });
            if let Some(e) = failed {
                return Err(e);
            }
            if restart {
                for t in &set {
                    db.query_row("SELECT pg_restart_identity(?1)", [t], |_| Ok(()))
                        .map_err(sql)?;
                }
            }
            Ok(())
        })?;
        Ok(cascaded)
    }
}

fn contains(set: &[String], name: &str) -> bool {
    set.iter().any(|t| t.eq_ignore_ascii_case(name))
}

/// A table as PostgreSQL's messages name it (a user schema's without it).
fn display(name: &str) -> String {
    crate::sql::translate::schemas::relation_parts(name)
        .1
        .to_owned()
}
