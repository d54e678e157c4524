//! The connection's side of PL/pgSQL triggers (see `translate::plpgsql`):
//! `pg_create_trigger(...)` compiles a stored trigger function for a table
//! and creates its SQLite triggers; `pgtenant_applying()` is non-zero while
//! a trigger writes its NEW values back to the row (`pgtenant_applying(1)`
//! / `(-1)` around that UPDATE), so the table's PL/pgSQL triggers do not
//! fire for that write. `pgtenant_stored_row(table, rowid)` notes each row
//! a write stores in a table whose triggers change NEW, so RETURNING can
//! show the row as stored (see `exec::stored_rows`).

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, OptionalExtension};

/// An error whose SQLSTATE survives the batch it is raised in.
fn error(code: &str, message: impl AsRef<str>) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(crate::sql::errors::with_code(code, message.as_ref()).into())
}
use crate::sql::translate::plpgsql::{trigger_sql, TriggerSpec, FUNCTION_TABLE};

/// What a connection's triggers tell its owner.
#[derive(Default)]
pub struct TriggerState {
    /// Raised while a trigger writes NEW back (reset when a statement
    /// begins, in case a failed write left it raised).
    pub applying: AtomicI64,
    /// Set by the owner while a write with RETURNING runs: only then are
    /// stored rows noted.
    pub noting: AtomicBool,
    /// The rows noted, in the order the write stored them: table, rowid.
    pub stored: Mutex<Vec<(String, i64)>>,
}

impl TriggerState {
    /// Starts noting the rows the next write stores.
    pub fn note_rows(&self) {
        self.stored
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        self.noting.store(true, Ordering::Relaxed);
    }

    /// Stops noting: the rows noted since [`Self::note_rows`].
    pub fn stop_noting(&self) -> Vec<(String, i64)> {
        if !self.noting.swap(false, Ordering::Relaxed) {
            return Vec::new();
        }
        std::mem::take(&mut *self.stored.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// Registers the functions; `state` is the owner's.
pub fn register(conn: &Connection, state: Option<Arc<TriggerState>>) -> rusqlite::Result<()> {
    let state = state.unwrap_or_default();
    // Innocuous: trigger conditions and bodies call it.
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    let a = state.clone();
    conn.create_scalar_function("pgtenant_applying", 0, flags, move |_| {
        Ok(a.applying.load(Ordering::Relaxed))
    })?;
    let a = state.clone();
    conn.create_scalar_function("pgtenant_applying", 1, flags, move |ctx| {
        let step: i64 = ctx.get(0)?;
        Ok(a.applying.fetch_add(step, Ordering::Relaxed) + step)
    })?;
    conn.create_scalar_function("pgtenant_stored_row", 2, flags, move |ctx| {
        if state.noting.load(Ordering::Relaxed) {
            let row = (ctx.get::<String>(0)?, ctx.get::<i64>(1)?);
            let mut stored = state.stored.lock().unwrap_or_else(|p| p.into_inner());
            // Each of the table's triggers notes the row: once is enough.
            if stored.last() != Some(&row) {
                stored.push(row);
            }
        }
        Ok(rusqlite::types::Null)
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
