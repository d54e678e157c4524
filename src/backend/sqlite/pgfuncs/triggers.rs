//! The connection's side of PL/pgSQL triggers (see `translate::plpgsql`):
//! `pg_create_trigger(...)` compiles a stored trigger function for a table
//! and creates its SQLite triggers; `pgtenant_applying()` is non-zero while
//! a trigger writes its NEW values back to the row (`pgtenant_applying(1)`
//! / `(-1)` around that UPDATE), so the table's PL/pgSQL triggers do not
//! fire for that write.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension};

/// An error whose SQLSTATE survives the batch it is raised in.
fn error(code: &str, message: impl AsRef<str>) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(crate::sql::errors::with_code(code, message.as_ref()).into())
}
use crate::sql::translate::plpgsql::{trigger_sql, TriggerSpec, FUNCTION_TABLE};

/// Registers the functions; `applying` is the owner's counter (reset when
/// a statement begins, in case a failed write left it raised).
pub fn register(conn: &Connection, applying: Option<Arc<AtomicI64>>) -> rusqlite::Result<()> {
    let applying = applying.unwrap_or_default();
    // Innocuous: trigger conditions and bodies call it.
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    let a = applying.clone();
    conn.create_scalar_function("pgtenant_applying", 0, flags, move |_| {
        Ok(a.load(Ordering::Relaxed))
    })?;
    conn.create_scalar_function("pgtenant_applying", 1, flags, move |ctx| {
        let step: i64 = ctx.get(0)?;
        Ok(applying.fetch_add(step, Ordering::Relaxed) + step)
    })?;
    // Only from a statement of its own (the translated CREATE TRIGGER).
    let direct = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY;
    conn.create_scalar_function("pg_create_trigger", 8, direct, |ctx| {
        let mut spec = TriggerSpec {
            name: ctx.get(0)?,
            table: ctx.get(1)?,
            before: ctx.get(2)?,
            events: ctx.get(3)?,
            update_of: ctx.get(4)?,
            when: ctx.get(5)?,
            function: ctx.get(6)?,
            replace: ctx.get(7)?,
            columns: Vec::new(),
        };
        // SAFETY: the connection outlives the call; the statements below
        // read the function's source and create the triggers.
        let conn = unsafe { ctx.get_connection()? };
        create(&conn, &mut spec)?;
        Ok(rusqlite::types::Null)
    })
}

fn create(conn: &Connection, spec: &mut TriggerSpec) -> rusqlite::Result<()> {
    let exists: bool = conn.query_row(
        "SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' AND name = ?1",
        [&spec.table],
        |r| r.get(0),
    )?;
    if !exists {
        return Err(error(
            "42P01",
            format!("relation \"{}\" does not exist", spec.table),
        ));
    }
    spec.columns = conn
        .prepare("SELECT name FROM pragma_table_info(?1) ORDER BY cid")?
        .query_map([&spec.table], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    conn.execute_batch(FUNCTION_TABLE)?;
    let source: Option<String> = conn
        .query_row(
            "SELECT source FROM main.pgcat__function WHERE name = ?1",
            [&spec.function],
            |r| r.get(0),
        )
        .optional()?;
    let Some(source) = source else {
        return Err(error(
            "42883",
            format!("function {}() does not exist", spec.function),
        ));
    };
    if !spec.replace {
        let names = crate::sql::translate::plpgsql::sqlite_names(&spec.table, &spec.name);
        let taken: i64 = conn.query_row(
            &format!(
                "SELECT count(*) FROM main.sqlite_schema WHERE type = 'trigger' AND ('\"' || name || '\"') IN ({})",
                names
                    .iter()
                    .map(|n| crate::sql::quote_literal(n))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            [],
            |r| r.get(0),
        )?;
        if taken > 0 {
            return Err(error(
                "42710",
                format!(
                    "trigger \"{}\" for relation \"{}\" already exists",
                    spec.name, spec.table
                ),
            ));
        }
    }
    let statements = trigger_sql(spec, &source).map_err(|e| error(e.code, e.message))?;
    for s in statements {
        conn.execute_batch(&s)?;
    }
    Ok(())
}
