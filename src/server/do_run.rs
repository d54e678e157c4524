//! Runs a DO block (`translate::do_block`): its statements in order, IF
//! conditions and RAISE messages read back through the session like any
//! query, nested blocks, and exception handlers over savepoints.

use std::sync::Arc;

use futures::future::BoxFuture;
use futures::StreamExt;
use pgwire::api::portal::Format;
use pgwire::api::results::Tag;
use pgwire::error::PgWireError;

use super::session::{Outcome, Session, TxStatus};
use crate::sql::errors::SqlError;
use crate::sql::translate::{DoBlock, DoStep, Translation};

const SAVEPOINT: &str = "\"pgtenant_do\"";

impl Session {
    /// DO: the block's statements, in a block of their own when none is
    /// open, as PostgreSQL runs one statement.
    pub(super) async fn run_do_block(
        self: &Arc<Self>,
        block: &DoBlock,
        format: &Format,
    ) -> Result<Outcome, SqlError> {
        if self.is_remote() {
            return Err(SqlError::new(
                "0A000",
                "DO is not supported on remote libSQL tenants",
            ));
        }
        let own_block = self.tx_status() == TxStatus::Idle;
        if own_block {
            self.begin(false, "BEGIN").await?;
        }
        let r = self.run_do_body(block, format).await;
        if own_block {
            // (A failed block is rolled back; its error is the one to report.)
            let ended = self.end_block(r.is_ok()).await;
            if r.is_ok() {
                ended?;
            }
        }
        r.map(|()| Outcome::Command(Tag::new("DO")))
    }

    /// A block's statements, in a savepoint when it has exception handlers:
    /// an error one of them catches rolls the statements back and runs the
    /// handler's instead; any other error is the block's. (Nested blocks'
    /// savepoints share the name: SQLite's ROLLBACK TO and RELEASE take the
    /// innermost.)
    fn run_do_body<'a>(
        self: &'a Arc<Self>,
        block: &'a DoBlock,
        format: &'a Format,
    ) -> BoxFuture<'a, Result<(), SqlError>> {
        Box::pin(async move {
            let catching = !block.handlers.is_empty();
            if catching {
                self.control(&format!("SAVEPOINT {SAVEPOINT}")).await?;
            }
            let Err(e) = self.run_do_steps(&block.body, format).await else {
                if catching {
                    self.control(&format!("RELEASE {SAVEPOINT}")).await?;
                }
                return Ok(());
            };
            let Some(handler) = block.handlers.iter().find(|h| h.catches(e.code)) else {
                return Err(e);
            };
            self.batch(format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"))
                .await?;
            self.run_do_steps(&handler.body, format).await
        })
    }

    fn run_do_steps<'a>(
        self: &'a Arc<Self>,
        steps: &'a [DoStep],
        format: &'a Format,
    ) -> BoxFuture<'a, Result<(), SqlError>> {
        Box::pin(async move {
            for step in steps {
                match step {
                    DoStep::Sql(t) => {
                        self.run_do_statement(t, format).await?;
                    }
                    DoStep::If { arms, otherwise } => {
                        let mut chosen = otherwise;
                        for (cond, body) in arms {
                            let value = self.do_values(cond).await?;
                            if value.first().and_then(|v| v.as_deref()) == Some("t") {
                                chosen = body;
                                break;
                            }
                        }
                        self.run_do_steps(chosen, format).await?;
                    }
                    DoStep::Raise {
                        fields,
                        code,
                        level,
                    } => {
                        let mut v = self.do_values(fields).await?.into_iter();
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
                    }
                    DoStep::Block(b) => self.run_do_body(b, format).await?,
                }
            }
            Ok(())
        })
    }

    /// One statement of a DO block, under the tenant's quotas as if sent
    /// alone (a CREATE TABLE in a block counts against the table quota).
    async fn run_do_statement(
        self: &Arc<Self>,
        t: &Translation,
        format: &Format,
    ) -> Result<Outcome, SqlError> {
        let outcome = match self.quota.get().and_then(|s| s.runtime()) {
            None => Box::pin(self.execute_inner(t, vec![], format, None)).await?,
            Some(rt) => Box::pin(self.execute_under_quota(rt, t, vec![], format, None)).await?,
        };
        // A query's rows are read to its end (PERFORM): its errors count.
        if let Outcome::Rows(mut resp) = outcome {
            while let Some(row) = resp.data_rows().next().await {
                row.map_err(stream_error)?;
            }
            return Ok(Outcome::Command(Tag::new("SELECT")));
        }
        Ok(outcome)
    }

    /// The first row of a condition or RAISE query, as text.
    async fn do_values(self: &Arc<Self>, t: &Translation) -> Result<Vec<Option<String>>, SqlError> {
        let outcome = match self.quota.get().and_then(|s| s.runtime()) {
            None => Box::pin(self.execute_inner(t, vec![], &Format::UnifiedText, None)).await?,
            Some(rt) => {
                Box::pin(self.execute_under_quota(rt, t, vec![], &Format::UnifiedText, None))
                    .await?
            }
        };
        let Outcome::Rows(mut resp) = outcome else {
            return Ok(Vec::new());
        };
        let mut first = None;
        while let Some(row) = resp.data_rows().next().await {
            let row = row.map_err(stream_error)?;
            if first.is_none() {
                first = Some(text_fields(&row.data, row.field_count));
            }
        }
        Ok(first.unwrap_or_default())
    }
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
