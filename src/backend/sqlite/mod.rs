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
pub mod schema_edit;
pub mod sleep;
pub mod with_steps;

/// Runs `f` in the savepoint `name`: released when it succeeds, rolled back
/// otherwise (outside a transaction the savepoint is the transaction).
pub(crate) fn all_or_none<T>(
    conn: &mut rusqlite::Connection,
    name: &str,
    f: impl FnOnce(&mut rusqlite::Connection) -> Result<T, crate::sql::errors::SqlError>,
) -> Result<T, crate::sql::errors::SqlError> {
    let sql = |e: rusqlite::Error| crate::sql::errors::from_sqlite(&e);
    conn.execute_batch(&format!("SAVEPOINT {name}"))
        .map_err(sql)?;
    let r = f(conn);
    let end = if r.is_ok() {
        format!("RELEASE {name}")
    } else {
        format!("ROLLBACK TO {name}; RELEASE {name}")
    };
    let ended = conn.execute_batch(&end).map_err(sql);
    r.and_then(|v| ended.map(|()| v))
}

/// Whether an error means the catalog views are not created on this connection yet.
pub(crate) fn catalog_missing(e: &rusqlite::Error) -> bool {
    crate::sql::catalog::is_missing_catalog(&e.to_string())
}
