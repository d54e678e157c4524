//! The interface a session drives a tenant database through.
//!
//! The remote libSQL engine implements it today; the SQLite engine's
//! [`Conn`](super::sqlite::exec::Conn) has the same operations (synchronous,
//! run on the blocking pool) and is wired directly by the session for now.
//! Statement execution reuses the SQLite engine's vocabulary ([`Run`],
//! [`RowSink`], [`Finished`], [`Described`]) so the session's row encoding
//! and tags stay one code path.

use async_trait::async_trait;

use super::sqlite::exec::{Described, Finished, RowSink, Run};
use crate::sql::errors::SqlError;

#[async_trait]
pub trait Engine: Send {
    /// Runs one translated statement with its SQLite-side parameters,
    /// streaming rows (and first the column description) to `sink`.
    async fn run(
        &mut self,
        run: &Run<'_>,
        sink: &mut (dyn RowSink + Send),
    ) -> Result<Finished, SqlError>;

    /// Statements with no parameters and no result (transaction control,
    /// multi-statement DDL).
    async fn batch(&mut self, sql: &str) -> Result<(), SqlError>;

    /// Result columns (with declared types) and parameter count, without
    /// running the statement.
    async fn describe(&mut self, sql: &str) -> Result<Described, SqlError>;

    /// Whether no transaction is open.
    fn is_autocommit(&self) -> bool;

    /// Rows changed and rowid inserted by the last statement.
    fn changes(&self) -> u64;
    fn last_insert_rowid(&self) -> i64;
}
