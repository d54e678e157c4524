//! Schema changes pgtenant makes itself (ALTER COLUMN, ADD / DROP / RENAME /
//! VALIDATE CONSTRAINT, ALTER INDEX RENAME) on a remote tenant.
//!
//! Locally these edit the table's CREATE text in place (`writable_schema`),
//! which a libSQL server does not allow. Here the same edit runs on a copy
//! of the session's schema mirror (no rows, so its row checks pass), and the
//! deployment planner turns the difference between the mirror and the
//! edited copy into SQLite's table rebuild without a rename
//! ([`Rebuild::Copy`], as deployments to remote tenants do): the rows are
//! copied into the table as the edit left it, so a new NOT NULL or CHECK
//! that a row breaks fails the copy with 23502 / 23514, as PostgreSQL's
//! check of the existing rows does.
//!
//! The statements run on the session's own stream, inside its transaction
//! (a savepoint) or in one of their own, so a migration tool's transaction
//! holds them with its other DDL. Foreign keys are deferred for the rebuild
//! (the table is dropped and created again under its name; the pragma ends
//! with the transaction).

use super::mirror::SchemaMirror;
use crate::backend::sqlite::exec::Conn;
use crate::backend::sqlite::guard::Role;
use crate::deploy::diff::{self, Rebuild};
use crate::deploy::hints::Hints;
use crate::deploy::remote::statements;
use crate::deploy::schema::introspect;
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::translate::ColumnChange;

/// The statements that make the server's schema what `edit` makes of the
/// mirror's; empty when the edit changes nothing.
pub fn rebuild_statements(
    mirror: &SchemaMirror,
    edit: impl FnOnce(&mut Conn) -> Result<(), SqlError>,
) -> Result<Vec<String>, SqlError> {
    // The edit checks the session's role itself.
    let mut copy = mirror.copy(Role::Owner)?;
    // The mirror keeps comments in a TEMP table; an edit that moves a
    // comment writes to main's (the server's comment rows stay as they are).
    copy.catalog_mut()
        .sqlite()
        .execute_batch(crate::sql::catalog::COMMENT_TABLE)
        .map_err(|e| from_sqlite(&e))?;
    edit(copy.catalog_mut())?;
    let live = introspect(mirror.catalog().sqlite())?;
    let desired = introspect(copy.catalog().sqlite())?;
    let plan = diff::plan_with(&live, &desired, &Hints::default(), Rebuild::Copy)?;
    Ok(plan
        .steps
        .iter()
        .flat_map(|s| statements(&s.sql))
        .map(str::to_owned)
        .collect())
}

/// The UPDATEs that convert the rows after a rebuild, one per `TYPE ...
/// USING expr` (the copy moved the stored values as they were, so the
/// expression reads the old values, as PostgreSQL's rewrite does).
pub fn conversions(table: &str, changes: &[ColumnChange]) -> Vec<String> {
    use crate::sql::quote_ident;
    changes
        .iter()
        .filter_map(|c| match c {
            ColumnChange::SetType {
                column,
                using: Some(using),
                ..
            } => Some(format!(
                "UPDATE {} SET {} = ({using})",
                quote_ident(table),
                quote_ident(column)
            )),
            _ => None,
        })
        .collect()
}
