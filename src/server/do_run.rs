//! Runs a DO block (`translate::do_block`): its statements in order, each
//! through the session like a query of its own with the variables it reads
//! bound as parameters (`do_vars`), expressions read back as text, loops,
//! nested blocks, and exception handlers over savepoints.

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::StreamExt;
use pgwire::api::portal::Format;
use pgwire::api::results::Tag;
use pgwire::error::PgWireError;
use pgwire::messages::response::CommandComplete;
use rusqlite::types::Value;

use super::do_vars::{Env, Rows};
use super::session::{Outcome, Session, TxStatus};
use crate::sql::decode::decode_param;
use crate::sql::errors::SqlError;
use crate::sql::pgtype::PgType;
use crate::sql::translate::{
    Diagnostic, DoBlock, DoCode, DoInto, DoQuery, DoStep, LoopKind, Translation, VarRef,
};

const SAVEPOINT: &str = "\"pgtenant_do\"";

/// How a run of statements ended.
enum Flow {
    Next,
    Exit(Option<String>),
    Continue(Option<String>),
    Return,
}

impl Session {
    /// DO: the block's statements, in a block of their own when none is
    /// open, as PostgreSQL runs one statement.
    pub(super) async fn run_do_block(self: &Arc<Self>, code: &DoCode) -> Result<Outcome, SqlError> {
        if self.is_remote() {
            return Err(SqlError::new(
                "0A000",
                "DO is not supported on remote libSQL tenants",
            ));
        }
        let own_block = self.tx_status() == TxStatus::Idle;
        if own_block {
            self.begin(false, "BEGIN", None).await?;
        }
        let mut env = Env::new(&code.vars);
        // The block is one statement: statement_timeout bounds all of it
        // (its statements have their own timers; a loop running none is
        // stopped at the check each pass makes).
        let timeout = self
            .settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .statement_timeout;
        env.deadline = timeout.map(|t| std::time::Instant::now() + t);
        let r = self.run_do_body(&code.block, &mut env).await.map(|_| ());
        if own_block {
            // (A failed block is rolled back; its error is the one to report.)
            let ended = self.end_block(r.is_ok()).await;
            if r.is_ok() {
                ended?;
            }
        }
        r.map(|()| Outcome::Command(Tag::new("DO")))
    }

    /// A block: its variables set, then its statements, in a savepoint when
    /// it has exception handlers: an error one of them catches rolls the
    /// statements back (not the variables) and runs the handler's instead;
    /// any other error is the block's. (Nested blocks' savepoints share the
    /// name: SQLite's ROLLBACK TO and RELEASE take the innermost.)
    fn run_do_body<'a>(
        self: &'a Arc<Self>,
        block: &'a DoBlock,
        env: &'a mut Env,
    ) -> BoxFuture<'a, Result<Flow, SqlError>> {
        Box::pin(async move {
            for d in &block.declares {
                env.reset(d.slot);
                if let Some(q) = &d.default {
                    let (value, ty) = self.do_value(q, env).await?;
                    if d.not_null && value.is_none() {
                        return Err(null_into_not_null(env, d.slot));
                    }
                    env.set(d.slot, value, ty);
                }
            }
            let catching = !block.handlers.is_empty();
            if catching {
                self.control(&format!("SAVEPOINT {SAVEPOINT}")).await?;
            }
            let flow = match self.run_do_steps(&block.body, env).await {
                Ok(flow) => {
                    if catching {
                        self.control(&format!("RELEASE {SAVEPOINT}")).await?;
                    }
                    flow
                }
                Err(e) => {
                    let Some(handler) = block.handlers.iter().find(|h| h.catches(e.code)) else {
                        return Err(e);
                    };
                    self.batch(format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"))
                        .await?;
                    env.set(handler.sqlstate, Some(e.code.to_owned()), PgType::Text);
                    env.set(handler.sqlerrm, Some(e.message.clone()), PgType::Text);
                    env.caught.push(e);
                    let r = self.run_do_steps(&handler.body, env).await;
                    env.caught.pop();
                    r?
                }
            };
            Ok(match flow {
                Flow::Exit(Some(l)) if block.label.as_ref() == Some(&l) => Flow::Next,
                other => other,
            })
        })
    }

    fn run_do_steps<'a>(
        self: &'a Arc<Self>,
        steps: &'a [DoStep],
        env: &'a mut Env,
    ) -> BoxFuture<'a, Result<Flow, SqlError>> {
        Box::pin(async move {
            for step in steps {
                let flow = match step {
                    DoStep::Sql { query, into } => {
                        let params = self.do_params(&query.binds, env)?;
                        let keep = if into.is_some() { 2 } else { 0 };
                        let rows = self.do_rows(&query.t, params, keep).await?;
                        env.row_count = rows.count;
                        match into {
                            Some(into) => {
                                store_into(env, into, &rows)?;
                                env.set_found(rows.count > 0);
                            }
                            None if counts_rows(&query.t) => env.set_found(rows.count > 0),
                            None => {}
                        }
                        Flow::Next
                    }
                    DoStep::Assign { target, value } => {
                        let (v, ty) = self.do_value(value, env).await?;
                        match target {
                            VarRef::Var(slot) => env.set(*slot, v, ty),
                            VarRef::Field(slot, name) => env.set_field(*slot, name, v, ty)?,
                        }
                        Flow::Next
                    }
                    DoStep::If { arms, otherwise } => {
                        let mut chosen = otherwise;
                        for (cond, body) in arms {
                            if self.do_truth(cond, env).await? {
                                chosen = body;
                                break;
                            }
                        }
                        self.run_do_steps(chosen, env).await?
                    }
                    DoStep::Raise {
                        fields,
                        code,
                        level,
                    } => {
                        let mut v = self.do_row(fields, env).await?.into_iter();
                        let message = v.next().flatten().unwrap_or_default();
                        let (detail, hint) = (v.next().flatten(), v.next().flatten());
                        if level == "exception" {
                            let mut e = crate::sql::errors::raised(code, message);
                            e.detail = detail;
                            e.hint = hint;
                            return Err(e);
                        }
                        let mut notice =
                            pgwire::error::ErrorInfo::new(String::new(), code.clone(), message);
                        notice.detail = detail;
                        notice.hint = hint;
                        self.raise_notice(level, notice);
                        Flow::Next
                    }
                    DoStep::Assert(q) => {
                        let mut v = self.do_row(q, env).await?.into_iter();
                        if v.next().flatten().as_deref() != Some("t") {
                            let message = v.next().flatten();
                            return Err(SqlError::new(
                                "P0004",
                                message.unwrap_or_else(|| "assertion failed".to_owned()),
                            ));
                        }
                        Flow::Next
                    }
                    DoStep::Block(b) => self.run_do_body(b, env).await?,
                    DoStep::Loop { label, kind, body } => {
                        self.run_do_loop(label.as_deref(), kind, body, env).await?
                    }
                    DoStep::Exit { label, when, next } => {
                        if let Some(w) = when {
                            if !self.do_truth(w, env).await? {
                                continue;
                            }
                        }
                        match next {
                            true => Flow::Continue(label.clone()),
                            false => Flow::Exit(label.clone()),
                        }
                    }
                    // (Only functions return a value; a DO block's parse refuses it.)
                    DoStep::Return | DoStep::ReturnValue(_) => Flow::Return,
                    DoStep::Execute { sql, into, using } => {
                        let keep = if into.is_some() { 2 } else { 0 };
                        let rows = self.do_execute(sql, using.as_ref(), env, keep).await?;
                        env.row_count = rows.count;
                        if let Some(into) = into {
                            store_into(env, into, &rows)?;
                        }
                        Flow::Next
                    }
                    DoStep::Diagnostics(items) => {
                        for &(slot, item) in items {
                            let (value, ty) = diagnostic(env, item)?;
                            env.set(slot, value, ty);
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
        })
    }

    /// LOOP, WHILE and the FOR loops; FOUND says whether a FOR loop ran.
    fn run_do_loop<'a>(
        self: &'a Arc<Self>,
        label: Option<&'a str>,
        kind: &'a LoopKind,
        body: &'a [DoStep],
        env: &'a mut Env,
    ) -> BoxFuture<'a, Result<Flow, SqlError>> {
        Box::pin(async move {
            // What a pass of the body means for the loop: go on, stop, or
            // leave with a flow for an enclosing loop or block.
            let ours = |l: &Option<String>| l.is_none() || l.as_deref() == label;
            macro_rules! pass {
                () => {{
                    // A pass may do no I/O at all: let the worker's other
                    // tasks (the statement timer among them) run.
                    tokio::task::yield_now().await;
                    self.check_interrupted()?;
                    if env.deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                        return Err(SqlError::statement_timeout());
                    }
                    match self.run_do_steps(body, env).await? {
                        Flow::Next => {}
                        Flow::Continue(l) if ours(&l) => {}
                        Flow::Exit(l) if ours(&l) => break,
                        other => return Ok(other),
                    }
                }};
            }
            let mut ran = false;
            match kind {
                LoopKind::Forever => loop {
                    pass!();
                },
                LoopKind::While(cond) => loop {
                    if !self.do_truth(cond, env).await? {
                        break;
                    }
                    pass!();
                },
                LoopKind::Range {
                    var,
                    bounds,
                    reverse,
                } => {
                    let v = self.do_row(bounds, env).await?;
                    let bound = |i: usize, what: &str| -> Result<i64, SqlError> {
                        let text = v.get(i).cloned().flatten().ok_or_else(|| {
                            SqlError::new("22004", format!("{what} of FOR loop cannot be null"))
                        })?;
                        text.parse::<i64>()
                            .or_else(|_| text.parse::<f64>().map(|f| f.round() as i64))
                            .map_err(|_| {
                                SqlError::new(
                                    "22P02",
                                    format!("invalid input syntax for type integer: \"{text}\""),
                                )
                            })
                    };
                    let (lo, hi) = (bound(0, "lower bound")?, bound(1, "upper bound")?);
                    let step = bound(2, "BY value")?;
                    if step <= 0 {
                        return Err(SqlError::new(
                            "22023",
                            "BY value of FOR loop must be greater than zero",
                        ));
                    }
                    let mut i = lo;
                    while if *reverse { i >= hi } else { i <= hi } {
                        ran = true;
                        env.set(*var, Some(i.to_string()), PgType::Int4);
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
                LoopKind::Rows { target, query } => {
                    let params = self.do_params(&query.binds, env)?;
                    let rows = self.do_rows(&query.t, params, usize::MAX).await?;
                    for row in &rows.rows {
                        ran = true;
                        env.store(target, &rows, Some(row));
                        pass!();
                    }
                }
                LoopKind::Dynamic { target, sql, using } => {
                    let rows = self
                        .do_execute(sql, using.as_ref(), env, usize::MAX)
                        .await?;
                    for row in &rows.rows {
                        ran = true;
                        env.store(target, &rows, Some(row));
                        pass!();
                    }
                }
            }
            if !matches!(kind, LoopKind::Forever | LoopKind::While(_)) {
                env.set_found(ran);
            }
            Ok(Flow::Next)
        })
    }

    /// EXECUTE: the statement text the expression gives, translated now
    /// and run with the USING values as its `$1..`.
    async fn do_execute(
        self: &Arc<Self>,
        sql: &DoQuery,
        using: Option<&DoQuery>,
        env: &Env,
        keep: usize,
    ) -> Result<Rows, SqlError> {
        let Some(text) = self.do_value(sql, env).await?.0 else {
            return Err(SqlError::new(
                "22004",
                "query string argument of EXECUTE is null",
            ));
        };
        let params = match using {
            None => Vec::new(),
            Some(u) => {
                let params = self.do_params(&u.binds, env)?;
                let rows = self.do_rows(&u.t, params, 1).await?;
                let row = rows.rows.into_iter().next().unwrap_or_default();
                self.in_formats(|| {
                    row.into_iter()
                        .zip(rows.types)
                        .map(|(v, ty)| match v {
                            None => Value::Null,
                            Some(text) => decode_param(Some(text.as_bytes()), ty, false)
                                .unwrap_or(Value::Text(text)),
                        })
                        .collect::<Vec<_>>()
                })
            }
        };
        let translations = crate::sql::translate::translate(&text)?;
        let last = translations.len().saturating_sub(1);
        let mut out = Rows::default();
        for (i, t) in translations.iter().enumerate() {
            let p = if t.params.is_empty() {
                Vec::new()
            } else {
                params.clone()
            };
            let rows = self.do_rows(t, p, if i == last { keep } else { 0 }).await?;
            if i == last {
                out = rows;
            }
        }
        Ok(out)
    }

    fn do_params(&self, binds: &[VarRef], env: &Env) -> Result<Vec<Value>, SqlError> {
        if binds.is_empty() {
            return Ok(Vec::new());
        }
        crate::sql::zone::scoped(self.zone(), || env.params(binds))
    }

    /// Runs one statement of the block, under the tenant's quotas as if
    /// sent alone (a CREATE TABLE in a block counts against the table
    /// quota): its first `keep` rows as text, and how many it returned or
    /// changed. (A query's rows are read to the end: its errors count.)
    async fn do_rows(
        self: &Arc<Self>,
        t: &Translation,
        params: Vec<Value>,
        keep: usize,
    ) -> Result<Rows, SqlError> {
        let text = Format::UnifiedText;
        let outcome = match self.quota.get().and_then(|s| s.runtime()) {
            None => Box::pin(self.execute_inner(t, params, &text, None)).await?,
            Some(rt) => Box::pin(self.execute_under_quota(rt, t, params, &text, None)).await?,
        };
        let mut out = Rows::default();
        match outcome {
            Outcome::Rows(mut resp) => {
                for f in resp.row_schema().iter() {
                    out.names.push(f.name().to_owned());
                    out.types
                        .push(PgType::from_oid(f.datatype().oid()).unwrap_or(PgType::Text));
                }
                while let Some(row) = resp.data_rows().next().await {
                    let row = row.map_err(stream_error)?;
                    if out.rows.len() < keep {
                        out.rows.push(text_fields(&row.data, row.field_count));
                    }
                    out.count += 1;
                }
            }
            Outcome::Command(tag) | Outcome::TxStart(tag) | Outcome::TxEnd(tag) => {
                let done = CommandComplete::from(tag);
                out.count = done
                    .tag
                    .rsplit(' ')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
            }
        }
        Ok(out)
    }

    /// An expression's value (`SELECT expr`) and type.
    async fn do_value(
        self: &Arc<Self>,
        q: &DoQuery,
        env: &Env,
    ) -> Result<(Option<String>, PgType), SqlError> {
        let params = self.do_params(&q.binds, env)?;
        let rows = self.do_rows(&q.t, params, 1).await?;
        let value = rows
            .rows
            .into_iter()
            .next()
            .and_then(|r| r.into_iter().next());
        let ty = rows.types.first().copied().unwrap_or(PgType::Text);
        Ok((value.flatten(), ty))
    }

    /// The first row of a condition, RAISE or bounds query, as text.
    async fn do_row(
        self: &Arc<Self>,
        q: &DoQuery,
        env: &Env,
    ) -> Result<Vec<Option<String>>, SqlError> {
        let params = self.do_params(&q.binds, env)?;
        let rows = self.do_rows(&q.t, params, 1).await?;
        Ok(rows.rows.into_iter().next().unwrap_or_default())
    }

    /// A condition: true only when it is (NULL is false).
    async fn do_truth(self: &Arc<Self>, q: &DoQuery, env: &Env) -> Result<bool, SqlError> {
        Ok(self.do_value(q, env).await?.0.as_deref() == Some("t"))
    }
}

/// INTO: the first row (NULLs for none); STRICT wants exactly one.
fn store_into(env: &mut Env, into: &DoInto, rows: &Rows) -> Result<(), SqlError> {
    if into.strict {
        match rows.count {
            0 => return Err(SqlError::new("P0002", "query returned no rows")),
            1 => {}
            _ => return Err(SqlError::new("P0003", "query returned more than one row")),
        }
    }
    env.store(&into.target, rows, rows.rows.first().map(|r| r.as_slice()));
    Ok(())
}

/// Statements that set FOUND: queries and row changes, not DDL.
fn counts_rows(t: &Translation) -> bool {
    matches!(
        &t.kind,
        crate::sql::translate::StmtKind::Query {
            tag: "SELECT" | "INSERT" | "UPDATE" | "DELETE" | "MERGE",
            ..
        }
    )
}

fn null_into_not_null(env: &Env, slot: usize) -> SqlError {
    SqlError::new(
        "22004",
        format!(
            "null value cannot be assigned to variable \"{}\" declared NOT NULL",
            env.name(slot)
        ),
    )
}

/// GET DIAGNOSTICS' items.
fn diagnostic(env: &Env, item: Diagnostic) -> Result<(Option<String>, PgType), SqlError> {
    if item == Diagnostic::RowCount {
        return Ok((Some(env.row_count.to_string()), PgType::Int8));
    }
    let Some(e) = env.caught.last() else {
        return Err(SqlError::new(
            "0Z002",
            "GET STACKED DIAGNOSTICS cannot be used outside an exception handler",
        ));
    };
    let value = match item {
        Diagnostic::MessageText => Some(e.message.clone()),
        Diagnostic::ReturnedSqlstate => Some(e.code.to_owned()),
        Diagnostic::Detail => Some(e.detail.clone().unwrap_or_default()),
        Diagnostic::Hint => Some(e.hint.clone().unwrap_or_default()),
        Diagnostic::RowCount => None,
    };
    Ok((value, PgType::Text))
}

/// A text-format DataRow's fields: 4-byte length (-1 for NULL), then bytes.
fn text_fields(mut data: &[u8], count: i16) -> Vec<Option<String>> {
    let mut out = Vec::with_capacity(count.max(0) as usize);
    for _ in 0..count {
        let Some((len, rest)) = data.split_first_chunk::<4>() else {
            break;
        };
        let len = i32::from_be_bytes(*len);
        data = rest;
        if len < 0 {
            out.push(None);
            continue;
        }
        let (v, rest) = data.split_at((len as usize).min(data.len()));
        out.push(Some(String::from_utf8_lossy(v).into_owned()));
        data = rest;
    }
    out
}

fn stream_error(e: PgWireError) -> SqlError {
    match e {
        PgWireError::UserError(info) => {
            let mut err = crate::sql::errors::raised(&info.code, info.message);
            err.detail = info.detail;
            err.hint = info.hint;
            err
        }
        other => SqlError::internal("DO", other),
    }
}
