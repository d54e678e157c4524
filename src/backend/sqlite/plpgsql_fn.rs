//! Runs a PL/pgSQL function's body (compiled by `translate::do_block`,
//! the same steps a DO block has) inside the SQLite call of the function,
//! on the calling connection. Values stay SQLite values here; a DO block
//! runs through the session instead (`server::do_run`), where statements
//! may change the schema and notices reach the client directly.
//! A block with exception handlers runs in a savepoint, as in a DO block;
//! SQLite refuses to open one inside a data-changing statement outside a
//! transaction block (0A000 then).

use rusqlite::types::Value;
use rusqlite::Connection;

use super::routines::{canceled, query, Budget};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::translate::{
    Diagnostic, DoBlock, DoCode, DoInto, DoQuery, DoStep, DoTarget, LoopKind, VarRef,
};

enum Flow {
    Next,
    Exit(Option<String>),
    Continue(Option<String>),
    Return(Value),
}

struct Env<'a> {
    names: Vec<&'a str>,
    values: Vec<Value>,
    /// Record variables' fields, once assigned.
    records: Vec<Option<Vec<(String, Value)>>>,
    row_count: u64,
    budget: &'a Budget,
    /// The errors the running handlers caught, innermost last.
    caught: Vec<SqlError>,
}

/// The function's result for `args` (slots 1..=n).
pub fn run(
    conn: &Connection,
    code: &DoCode,
    args: Vec<Value>,
    budget: &Budget,
) -> Result<Value, SqlError> {
    let n = code.vars.len();
    let mut env = Env {
        names: code.vars.iter().map(|v| v.name.as_str()).collect(),
        values: vec![Value::Null; n],
        records: vec![None; n],
        row_count: 0,
        budget,
        caught: Vec::new(),
    };
    for (i, v) in args.into_iter().enumerate() {
        if let Some(slot) = env.values.get_mut(i + 1) {
            *slot = v;
        }
    }
    match block(conn, &code.block, &mut env)? {
        Flow::Return(v) => Ok(v),
        _ => Ok(Value::Null),
    }
}

fn block(conn: &Connection, b: &DoBlock, env: &mut Env) -> Result<Flow, SqlError> {
    for d in &b.declares {
        env.values[d.slot] = Value::Null;
        env.records[d.slot] = None;
        if let Some(q) = &d.default {
            let v = value(conn, q, env)?;
            if d.not_null && v == Value::Null {
                return Err(SqlError::new(
                    "22004",
                    format!(
                        "null value cannot be assigned to variable \"{}\" declared NOT NULL",
                        env.names[d.slot]
                    ),
                ));
            }
            env.values[d.slot] = v;
        }
    }
    let flow = if b.handlers.is_empty() {
        steps(conn, &b.body, env)?
    } else {
        handled(conn, b, env)?
    };
    Ok(match flow {
        Flow::Exit(Some(l)) if b.label.as_ref() == Some(&l) => Flow::Next,
        other => other,
    })
}

const SAVEPOINT: &str = "\"pgtenant_fn\"";

/// A block's statements in a savepoint: an error a handler catches rolls
/// them back (not the variables) and runs the handler's statements.
fn handled(conn: &Connection, b: &DoBlock, env: &mut Env) -> Result<Flow, SqlError> {
    let batch = |sql: &str| conn.execute_batch(sql).map_err(|e| from_sqlite(&e));
    conn.execute_batch(&format!("SAVEPOINT {SAVEPOINT}"))
        .map_err(|e| {
            SqlError::new(
                "0A000",
                format!(
                    "an EXCEPTION block in a function cannot run here ({e}): \
                     call it from a SELECT or inside BEGIN ... COMMIT"
                ),
            )
        })?;
    let e = match steps(conn, &b.body, env) {
        Ok(flow) => {
            batch(&format!("RELEASE {SAVEPOINT}"))?;
            return Ok(flow);
        }
        Err(e) => e,
    };
    batch(&format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"))?;
    let Some(h) = b.handlers.iter().find(|h| h.catches(e.code)) else {
        return Err(e);
    };
    env.values[h.sqlstate] = Value::Text(e.code.to_owned());
    env.values[h.sqlerrm] = Value::Text(e.message.clone());
    env.caught.push(e);
    let r = steps(conn, &h.body, env);
    env.caught.pop();
    r
}

fn steps(conn: &Connection, list: &[DoStep], env: &mut Env) -> Result<Flow, SqlError> {
    for step in list {
        let flow = match step {
            DoStep::Sql { query: q, into } => {
                let keep = if into.is_some() { 2 } else { 0 };
                let (names, rows, count) = rows(conn, q, env, keep)?;
                env.row_count = count;
                if let Some(into) = into {
                    store_into(env, into, &names, &rows, count)?;
                }
                set_found(env, count > 0);
                Flow::Next
            }
            DoStep::Assign { target, value: q } => {
                let v = value(conn, q, env)?;
                match target {
                    VarRef::Var(slot) => env.values[*slot] = v,
                    VarRef::Field(slot, name) => *field_mut(env, *slot, name)? = v,
                }
                Flow::Next
            }
            DoStep::If { arms, otherwise } => {
                let mut chosen = otherwise;
                for (cond, body) in arms {
                    if truth(&value(conn, cond, env)?) {
                        chosen = body;
                        break;
                    }
                }
                steps(conn, chosen, env)?
            }
            DoStep::Raise {
                fields,
                code,
                level,
            } => {
                let (_, rows, _) = rows(conn, fields, env, 1)?;
                let mut v = rows.into_iter().next().unwrap_or_default().into_iter();
                let mut text = || match v.next() {
                    Some(Value::Text(s)) => Some(s),
                    Some(Value::Integer(i)) => Some(i.to_string()),
                    Some(Value::Real(f)) => Some(f.to_string()),
                    _ => None,
                };
                let message = text().unwrap_or_default();
                if level == "exception" {
                    let mut e = crate::sql::errors::raised(code, message);
                    e.detail = text();
                    e.hint = text();
                    return Err(e);
                }
                query(
                    conn,
                    "SELECT pg_raise_notice(?1, ?2, ?3)",
                    &[
                        Value::Text(level.clone()),
                        Value::Text(code.clone()),
                        Value::Text(message),
                    ],
                    0,
                )?;
                Flow::Next
            }
            DoStep::Assert(q) => {
                let (_, rows, _) = rows(conn, q, env, 1)?;
                let mut v = rows.into_iter().next().unwrap_or_default().into_iter();
                if !truth(&v.next().unwrap_or(Value::Null)) {
                    let message = match v.next() {
                        Some(Value::Text(s)) => s,
                        _ => "assertion failed".to_owned(),
                    };
                    return Err(SqlError::new("P0004", message));
                }
                Flow::Next
            }
            DoStep::Block(b) => block(conn, b, env)?,
            DoStep::Loop { label, kind, body } => {
                run_loop(conn, label.as_deref(), kind, body, env)?
            }
            DoStep::Exit { label, when, next } => {
                if let Some(w) = when {
                    if !truth(&value(conn, w, env)?) {
                        continue;
                    }
                }
                match next {
                    true => Flow::Continue(label.clone()),
                    false => Flow::Exit(label.clone()),
                }
            }
            DoStep::Return => Flow::Return(Value::Null),
            DoStep::ReturnValue(q) => Flow::Return(value(conn, q, env)?),
            DoStep::Execute { sql, into, using } => {
                let keep = if into.is_some() { 2 } else { 0 };
                let (names, rows, count) = execute(conn, sql, using.as_ref(), env, keep)?;
                env.row_count = count;
                if let Some(into) = into {
                    store_into(env, into, &names, &rows, count)?;
                }
                Flow::Next
            }
            DoStep::Diagnostics(items) => {
                for &(slot, item) in items {
                    env.values[slot] = diagnostic(env, item)?;
                }
                Flow::Next
            }
            DoStep::Reraise => {
                return Err(env.caught.last().cloned().unwrap_or_else(|| {
                    SqlError::new(
                        "0Z002",
                        "RAISE without parameters cannot be used outside an exception handler",
                    )
                }))
            }
        };
        if !matches!(flow, Flow::Next) {
            return Ok(flow);
        }
    }
    Ok(Flow::Next)
}

fn run_loop(
    conn: &Connection,
    label: Option<&str>,
    kind: &LoopKind,
    body: &[DoStep],
    env: &mut Env,
) -> Result<Flow, SqlError> {
    let ours = |l: &Option<String>| l.is_none() || l.as_deref() == label;
    // One pass of the body, within the loop it is written in: goes on,
    // breaks it, or leaves with a flow for an enclosing loop or block.
    macro_rules! pass {
        () => {{
            // A body without statements would never see a cancel or timeout.
            // SAFETY: the handle is the live connection this call runs on.
            let interrupted = unsafe { rusqlite::ffi::sqlite3_is_interrupted(conn.handle()) } != 0;
            if interrupted || env.budget.exceeded() {
                return Err(canceled());
            }
            match steps(conn, body, env)? {
                Flow::Next => {}
                Flow::Continue(l) if ours(&l) => {}
                Flow::Exit(l) if ours(&l) => break,
                other => return Ok(other),
            }
        }};
    }
    let mut ran = false;
    match kind {
        LoopKind::Forever | LoopKind::While(_) => loop {
            if let LoopKind::While(cond) = kind {
                if !truth(&value(conn, cond, env)?) {
                    break;
                }
            }
            pass!();
        },
        LoopKind::Range {
            var,
            bounds,
            reverse,
        } => {
            let (_, rows, _) = rows(conn, bounds, env, 1)?;
            let v = rows.into_iter().next().unwrap_or_default();
            let bound = |i: usize, what: &str| -> Result<i64, SqlError> {
                match v.get(i) {
                    Some(Value::Integer(n)) => Ok(*n),
                    Some(Value::Real(f)) => Ok(f.round() as i64),
                    Some(Value::Text(t)) => t.trim().parse().map_err(|_| {
                        SqlError::new(
                            "22P02",
                            format!("invalid input syntax for type integer: \"{t}\""),
                        )
                    }),
                    _ => Err(SqlError::new(
                        "22004",
                        format!("{what} of FOR loop cannot be null"),
                    )),
                }
            };
            let (lo, hi, step) = (
                bound(0, "lower bound")?,
                bound(1, "upper bound")?,
                bound(2, "BY value")?,
            );
            if step <= 0 {
                return Err(SqlError::new(
                    "22023",
                    "BY value of FOR loop must be greater than zero",
                ));
            }
            let mut i = lo;
            while if *reverse { i >= hi } else { i <= hi } {
                ran = true;
                env.values[*var] = Value::Integer(i);
                pass!();
                let next = if *reverse {
                    i.checked_sub(step)
                } else {
                    i.checked_add(step)
                };
                let Some(next) = next else { break };
                i = next;
            }
        }
        LoopKind::Rows { target, query: q } => {
            let (names, rows, _) = rows(conn, q, env, usize::MAX)?;
            for row in rows {
                ran = true;
                store(env, target, &names, Some(row));
                pass!();
            }
        }
        LoopKind::Dynamic { target, sql, using } => {
            let (names, rows, _) = execute(conn, sql, using.as_ref(), env, usize::MAX)?;
            for row in rows {
                ran = true;
                store(env, target, &names, Some(row));
                pass!();
            }
        }
    }
    if !matches!(kind, LoopKind::Forever | LoopKind::While(_)) {
        set_found(env, ran);
    }
    Ok(Flow::Next)
}

use super::routines::QueryRows as Rows;

fn rows(conn: &Connection, q: &DoQuery, env: &Env, keep: usize) -> Result<Rows, SqlError> {
    let params = params(env, &q.binds)?;
    query(conn, &q.t.sql, &params, keep)
}

fn value(conn: &Connection, q: &DoQuery, env: &Env) -> Result<Value, SqlError> {
    let (_, rows, _) = rows(conn, q, env, 1)?;
    Ok(rows
        .into_iter()
        .next()
        .and_then(|r| r.into_iter().next())
        .unwrap_or(Value::Null))
}

/// EXECUTE: the text the expression gives, translated now, run with the
/// USING values as `$1..`.
fn execute(
    conn: &Connection,
    sql: &DoQuery,
    using: Option<&DoQuery>,
    env: &Env,
    keep: usize,
) -> Result<Rows, SqlError> {
    let Value::Text(text) = value(conn, sql, env)? else {
        return Err(SqlError::new(
            "22004",
            "query string argument of EXECUTE is null",
        ));
    };
    let args = match using {
        Some(u) => rows(conn, u, env, 1)?
            .1
            .into_iter()
            .next()
            .unwrap_or_default(),
        None => Vec::new(),
    };
    let mut out = (Vec::new(), Vec::new(), 0);
    for t in crate::sql::translate::translate(&text)? {
        // (A function body reads no domains: a column's unknown type is
        // an enum's, as the plain translation has it.)
        let t = match t.kind {
            crate::sql::translate::StmtKind::WithUserTypes { then, .. } => *then,
            _ => t,
        };
        out = query(conn, &t.sql, &args, keep)?;
    }
    Ok(out)
}

fn params(env: &Env, binds: &[VarRef]) -> Result<Vec<Value>, SqlError> {
    binds
        .iter()
        .map(|b| match b {
            VarRef::Var(slot) => Ok(env.values[*slot].clone()),
            VarRef::Field(slot, name) => Ok(field(env, *slot, name)?.clone()),
        })
        .collect()
}

fn fields<'e>(env: &'e Env, slot: usize) -> Result<&'e [(String, Value)], SqlError> {
    env.records[slot].as_deref().ok_or_else(|| {
        SqlError::new(
            "55000",
            format!("record \"{}\" is not assigned yet", env.names[slot]),
        )
    })
}

fn field<'e>(env: &'e Env, slot: usize, name: &str) -> Result<&'e Value, SqlError> {
    fields(env, slot)?
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .ok_or_else(|| no_field(env, slot, name))
}

fn field_mut<'e>(env: &'e mut Env, slot: usize, name: &str) -> Result<&'e mut Value, SqlError> {
    fields(env, slot)?;
    let err = no_field(env, slot, name);
    env.records[slot]
        .as_mut()
        .and_then(|fs| fs.iter_mut().find(|(n, _)| n == name))
        .map(|(_, v)| v)
        .ok_or(err)
}

fn no_field(env: &Env, slot: usize, name: &str) -> SqlError {
    SqlError::new(
        "42703",
        format!("record \"{}\" has no field \"{name}\"", env.names[slot]),
    )
}

fn store(env: &mut Env, target: &DoTarget, names: &[String], row: Option<Vec<Value>>) {
    let mut row = row.unwrap_or_default().into_iter();
    match target {
        DoTarget::Record(slot) => {
            env.records[*slot] = Some(
                names
                    .iter()
                    .map(|n| (n.clone(), row.next().unwrap_or(Value::Null)))
                    .collect(),
            );
        }
        DoTarget::Vars(slots) => {
            for &slot in slots {
                env.values[slot] = row.next().unwrap_or(Value::Null);
            }
        }
    }
}

fn store_into(
    env: &mut Env,
    into: &DoInto,
    names: &[String],
    rows: &[Vec<Value>],
    count: u64,
) -> Result<(), SqlError> {
    if into.strict {
        match count {
            0 => return Err(SqlError::new("P0002", "query returned no rows")),
            1 => {}
            _ => return Err(SqlError::new("P0003", "query returned more than one row")),
        }
    }
    store(env, &into.target, names, rows.first().cloned());
    Ok(())
}

/// GET DIAGNOSTICS' items: the row count, or the caught error's fields.
fn diagnostic(env: &Env, item: Diagnostic) -> Result<Value, SqlError> {
    if item == Diagnostic::RowCount {
        return Ok(Value::Integer(env.row_count as i64));
    }
    let Some(e) = env.caught.last() else {
        return Err(SqlError::new(
            "0Z002",
            "GET STACKED DIAGNOSTICS cannot be used outside an exception handler",
        ));
    };
    Ok(Value::Text(match item {
        Diagnostic::MessageText => e.message.clone(),
        Diagnostic::ReturnedSqlstate => e.code.to_owned(),
        Diagnostic::Detail => e.detail.clone().unwrap_or_default(),
        Diagnostic::Hint => e.hint.clone().unwrap_or_default(),
        Diagnostic::RowCount => String::new(),
    }))
}

fn set_found(env: &mut Env, found: bool) {
    env.values[0] = Value::Integer(i64::from(found));
}

/// A condition's value: SQLite's booleans are integers.
fn truth(v: &Value) -> bool {
    match v {
        Value::Integer(i) => *i != 0,
        Value::Real(f) => *f != 0.0,
        Value::Text(t) => matches!(t.as_str(), "t" | "true" | "1"),
        _ => false,
    }
}
