//! The embedded engine: one local SQLite file per tenant environment.

pub mod add_constraint;
pub mod alter_column;
pub mod catalog;
pub mod debug;
pub mod enum_order;
pub mod exec;
pub mod functions;
pub mod group_commit;
pub mod guard;
mod key_types;
pub mod open;
pub mod pgfuncs;
pub mod refresh;
pub mod sleep;
pub mod with_steps;

/// Whether an error means the catalog views are not created on this connection yet.
pub(crate) fn catalog_missing(e: &rusqlite::Error) -> bool {
    crate::sql::catalog::is_missing_catalog(&e.to_string())
}
