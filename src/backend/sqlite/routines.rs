//! User-defined functions (`translate::routines`) on a tenant connection.
//! SQLite knows no function it was not told of, so the first statement
//! calling `f` fails to prepare with "no such function: f"; if the tenant
//! defined `f`, it is registered on this connection then and the statement
//! prepared again ([`register_missing`]). Each call reads the definition
//! for its argument count (so CREATE OR REPLACE and DROP take effect on
//! every connection at once, inside the caller's transaction), compiles it
//! once per text, and runs the body on the same connection, under the
//! same authorizer as the calling statement.

use std::cell::Cell;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::Value;
use rusqlite::{ffi, Connection, OptionalExtension};

use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::pgtype::PgType;
use crate::sql::translate::routines::{Compiled, RoutineDef};

/// Nested calls allowed (a function calling itself, directly or not).
const MAX_DEPTH: usize = 64;

thread_local! {
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Whether `e` is SQLite not knowing a function the tenant defined, now
/// registered (the caller prepares the statement again).
pub fn register_missing(db: &Connection, e: &rusqlite::Error, budget: Budget) -> bool {
    let msg = match e {
        rusqlite::Error::SqliteFailure(_, Some(msg)) => msg,
        rusqlite::Error::SqlInputError { msg, .. } => msg,
        _ => return false,
    };
    let Some(name) = msg.strip_prefix("no such function: ") else {
        return false;
    };
    let name = name.trim().to_ascii_lowercase();
    let defined = db
        .query_row(
            "SELECT 1 FROM main.pgcat__routine WHERE name = ?1 LIMIT 1",
            [&name],
            |_| Ok(()),
        )
        .is_ok();
    defined && register(db, &name, budget).is_ok()
}

/// The connection's run limits, which a body checks as SQLite's progress
/// handler does for statements (a loop in PL/pgSQL may run no statement):
/// a call on the async worker moves the statement to the blocking pool
/// (where a timer can interrupt it), and a write run there stops at its
/// statement_timeout.
pub struct Budget {
    pub inline: Arc<AtomicBool>,
    pub over_budget: Arc<AtomicBool>,
    pub deadline: Arc<AtomicU64>,
}

impl Budget {
    /// Whether the call must stop now.
    pub(super) fn exceeded(&self) -> bool {
        if self.inline.load(Ordering::Relaxed) {
            self.over_budget.store(true, Ordering::Relaxed);
            return true;
        }
        let at = self.deadline.load(Ordering::Relaxed);
        at != 0 && super::exec::clock_nanos() >= at
    }
}

/// The return type of the tenant's function `name` (its first overload).
pub fn result_type(db: &Connection, name: &str) -> Option<crate::sql::pgtype::PgType> {
    let returns: String = db
        .prepare_cached(
            "SELECT returns FROM main.pgcat__routine WHERE name = ?1 ORDER BY nargs LIMIT 1",
        )
        .ok()?
        .query_row([name], |r| r.get(0))
        .ok()?;
    RoutineDef {
        name: name.to_owned(),
        language: String::new(),
        args: String::new(),
        returns,
        body: String::new(),
    }
    .result_type()
}

/// The declared type of a tenant function's `index`-th argument.
pub fn argument_type(
    db: &Connection,
    name: &str,
    nargs: usize,
    index: usize,
) -> Option<crate::sql::pgtype::PgType> {
    let args: String = db
        .prepare_cached("SELECT args FROM main.pgcat__routine WHERE name = ?1 AND nargs = ?2")
        .ok()?
        .query_row((name, nargs as i64), |r| r.get(0))
        .ok()?;
    RoutineDef {
        name: name.to_owned(),
        language: String::new(),
        args,
        returns: String::new(),
        body: String::new(),
    }
    .argument_type(index)
}

fn register(db: &Connection, name: &str, budget: Budget) -> rusqlite::Result<()> {
    // SAFETY: the function lives no longer than the connection it is
    // registered on (SQLite drops it on close), so the handle it keeps is
    // valid whenever it is called.
    let handle = unsafe { db.handle() } as usize;
    let routine = name.to_owned();
    let compiled: Mutex<HashMap<usize, (RoutineDef, Arc<Body>)>> = Mutex::default();
    db.create_scalar_function(
        name,
        -1,
        // Innocuous: a tenant's views and defaults may call its functions
        // (the connection runs with trusted_schema off).
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        move |ctx| {
            // The error leaves SQLite as text carrying its SQLSTATE.
            call(handle, &routine, &compiled, &budget, ctx).map_err(|e| {
                rusqlite::Error::UserFunctionError(crate::sql::errors::carried(&e).into())
            })
        },
    )
}

fn lookup(db: &Connection, name: &str, nargs: usize) -> rusqlite::Result<Option<RoutineDef>> {
    db.query_row(
        "SELECT language, args, returns, body FROM main.pgcat__routine WHERE name = ?1 AND nargs = ?2",
        (name, nargs as i64),
        |r| {
        Ok(RoutineDef {
            name: name.to_owned(),
            language: r.get(0)?,
            args: r.get(1)?,
            returns: r.get(2)?,
            body: r.get(3)?,
        })
        },
    )
    .optional()
}

fn call(
    handle: usize,
    name: &str,
    compiled: &Mutex<HashMap<usize, (RoutineDef, Arc<Body>)>>,
    budget: &Budget,
    ctx: &Context<'_>,
) -> Result<Value, SqlError> {
    if budget.exceeded() {
        return Err(canceled());
    }
    let depth = DEPTH.with(|d| d.get());
    if depth >= MAX_DEPTH {
        return Err(SqlError::new("54001", "stack depth limit exceeded")
            .with_hint("A function calls itself without end?"));
    }
    // SAFETY: see `register`; the wrapper does not own (or close) the handle.
    let conn = unsafe { Connection::from_handle(handle as *mut ffi::sqlite3) }
        .map_err(|e| from_sqlite(&e))?;
    let nargs = ctx.len();
    let def = lookup(&conn, name, nargs)
        .map_err(|e| from_sqlite(&e))?
        .ok_or_else(|| {
            SqlError::new(
                "42883",
                format!("function {name}({}) does not exist", argument_types(ctx)),
            )
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
        })?;
    let body = {
        let mut cache = compiled.lock().unwrap_or_else(|p| p.into_inner());
        match cache.get(&nargs) {
            Some((seen, body)) if *seen == def => body.clone(),
            _ => {
                let body = Arc::new(Body {
                    code: def.compile().map_err(SqlError::from)?,
                    types: def.argument_types(),
                    numeric: PgType::from_decl(&def.returns) == PgType::Numeric,
                });
                cache.insert(nargs, (def, body.clone()));
                body
            }
        }
    };
    let args = (0..nargs)
        .map(|i| {
            let value = ctx.get::<Value>(i).map_err(|e| from_sqlite(&e))?;
            as_argument(value, body.types.get(i).copied().flatten())
        })
        .collect::<Result<Vec<_>, SqlError>>()?;
    DEPTH.with(|d| d.set(depth + 1));
    let result = match &body.code {
        Compiled::Sql { statements, scale } => {
            run_sql(&conn, statements, &args).map(|v| scaled(v, *scale, body.numeric))
        }
        Compiled::PlPgSql(code) => super::plpgsql_fn::run(&conn, code, args, budget),
    };
    DEPTH.with(|d| d.set(depth));
    result
}

/// A definition compiled, with its arguments' types.
struct Body {
    code: Compiled,
    types: Vec<Option<PgType>>,
    /// Whether it returns numeric.
    numeric: bool,
}

/// A numeric result as its body's expression shows it (`round(x, 2)` of
/// 2.1 is 2.10): the digits ride as text, as exact numerics do, since
/// SQLite's double cannot carry them.
fn scaled(value: Value, scale: Option<u16>, numeric: bool) -> Value {
    let (Some(scale), true) = (scale, numeric) else {
        return value;
    };
    match &value {
        Value::Real(_) | Value::Integer(_) => {
            match crate::sql::encode::output_text((&value).into(), PgType::Numeric, Some(scale)) {
                Ok(text) => Value::Text(text),
                Err(_) => value,
            }
        }
        _ => value,
    }
}

/// An argument as its declared type stores it: text such as
/// `'2023-12-05 10:00+02'` or `'1 day'` passed to a timestamptz or
/// interval argument is read as PostgreSQL reads it (the body's `$1`
/// already has the argument's type). Zone-less timestamptz text is taken
/// as stored (UTC): a timestamptz column's value is.
fn as_argument(value: Value, ty: Option<PgType>) -> Result<Value, SqlError> {
    let (Value::Text(text), Some(ty)) = (&value, ty) else {
        return Ok(value);
    };
    if !matches!(
        ty,
        PgType::Date
            | PgType::Time
            | PgType::Timestamp
            | PgType::Timestamptz
            | PgType::Interval
            | PgType::Uuid
            | PgType::Bool
            | PgType::Int2
            | PgType::Int4
            | PgType::Int8
            | PgType::Numeric
            | PgType::Float4
            | PgType::Float8
    ) {
        return Ok(value);
    }
    crate::sql::zone::scoped(crate::sql::zone::SessionZone::Utc, || {
        crate::sql::decode::decode_param(Some(text.as_bytes()), ty, false)
    })
    .map_err(|e| SqlError::new(e.code, e.message))
}

/// What a stopped call reports (a run over its statement_timeout reports
/// the timeout instead; an inline run is run again elsewhere).
pub(super) fn canceled() -> SqlError {
    SqlError::new("57014", "canceling statement due to user request")
}

/// The call's argument types as PostgreSQL names them, for an error.
fn argument_types(ctx: &Context<'_>) -> String {
    use rusqlite::types::ValueRef;
    (0..ctx.len())
        .map(|i| match ctx.get_raw(i) {
            ValueRef::Integer(_) => "integer",
            ValueRef::Real(_) => "numeric",
            ValueRef::Text(_) => "text",
            ValueRef::Blob(_) => "bytea",
            ValueRef::Null => "unknown",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A SQL function: each statement in turn; the last one's first value.
fn run_sql(conn: &Connection, statements: &[String], args: &[Value]) -> Result<Value, SqlError> {
    let mut result = Value::Null;
    for (i, sql) in statements.iter().enumerate() {
        let last = i + 1 == statements.len();
        let (_, mut rows, _) = query(conn, sql, args, usize::from(last))?;
        if last {
            result = rows
                .pop()
                .and_then(|r| r.into_iter().next())
                .unwrap_or(Value::Null);
        }
    }
    Ok(result)
}

/// A statement's column names, first rows, and row count.
pub(super) type QueryRows = (Vec<String>, Vec<Vec<Value>>, u64);

/// Runs one statement with `?n` bound to `params[n - 1]`: its column
/// names, its first `keep` rows, and how many rows it returned or changed.
pub(super) fn query(
    conn: &Connection,
    sql: &str,
    params: &[Value],
    keep: usize,
) -> Result<QueryRows, SqlError> {
    let mut stmt = match conn.prepare(sql) {
        Err(rusqlite::Error::MultipleStatement) if params.is_empty() => {
            conn.execute_batch(sql).map_err(|e| from_sqlite(&e))?;
            return Ok((Vec::new(), Vec::new(), conn.changes()));
        }
        other => other.map_err(|e| from_sqlite(&e))?,
    };
    for p in 1..=stmt.parameter_count() {
        let n = stmt
            .parameter_name(p)
            .and_then(|n| n.strip_prefix('?'))
            .and_then(|n| n.parse::<usize>().ok())
            .unwrap_or(p);
        let v = params.get(n - 1).cloned().unwrap_or(Value::Null);
        stmt.raw_bind_parameter(p, v).map_err(|e| from_sqlite(&e))?;
    }
    let names: Vec<String> = stmt.column_names().map(|s| s.to_string()).collect();
    let width = names.len();
    let mut out = Vec::new();
    let mut count = 0u64;
    let mut rows = stmt.raw_query();
    while let Some(row) = rows.next().map_err(|e| from_sqlite(&e))? {
        if out.len() < keep {
            let values = (0..width)
                .map(|i| row.get::<_, Value>(i))
                .collect::<rusqlite::Result<Vec<_>>>()
                .map_err(|e| from_sqlite(&e))?;
            out.push(values);
        }
        count += 1;
        // An expression's caller wants its first row only (SQLite makes a
        // data change's RETURNING changes on the first step).
        if keep == 1 && width > 0 {
            break;
        }
    }
    drop(rows);
    if width == 0 {
        count = conn.changes();
    }
    Ok((names, out, count))
}
