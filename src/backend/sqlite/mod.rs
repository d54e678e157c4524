//! The embedded engine: one local SQLite file per tenant environment.

pub mod add_constraint;
pub mod alter_column;
pub mod catalog;
pub mod debug;
pub mod domains;
pub mod enum_order;
pub mod exec;
pub mod functions;
pub mod grant;
pub mod group_commit;
pub mod guard;
pub mod has_privilege;
mod index_def;
mod key_types;
pub mod mmap_policy;
pub mod on_commit;
pub mod open;
pub mod pgfuncs;
mod plpgsql_fn;
pub mod privileges;
mod proc_catalog;
pub mod refresh;
mod relation_types;
pub mod routines;
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

/// Drops the connection's TEMP tables and views (their indexes and
/// triggers go with them).
pub(crate) fn drop_temp_objects(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    let objects: Vec<(String, String)> = conn
        .prepare("SELECT type, name FROM temp.sqlite_master WHERE type IN ('table', 'view')")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    for (kind, name) in objects {
        let kind = if kind == "view" { "VIEW" } else { "TABLE" };
        conn.execute_batch(&format!(
            "DROP {kind} IF EXISTS temp.{}",
            crate::sql::quote_ident(&name)
        ))?;
    }
    Ok(())
}

/// Whether an error means the catalog views are not created on this connection yet.
pub(crate) fn catalog_missing(e: &rusqlite::Error) -> bool {
    crate::sql::catalog::is_missing_catalog(&e.to_string())
}
