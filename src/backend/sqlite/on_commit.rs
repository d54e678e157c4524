//! Temporary tables made `ON COMMIT DELETE ROWS` or `ON COMMIT DROP`: the
//! CREATE's translation calls `pg_on_commit(name, 'delete' | 'drop')`,
//! which notes the table for this connection; the end of the transaction
//! then empties it (before COMMIT, so the rows go with the transaction) or
//! drops it (after COMMIT or ROLLBACK). Only tables of the connection's own
//! `temp` schema are ever touched.
//!
//! Outside a block PostgreSQL drops an ON COMMIT DROP table as soon as the
//! CREATE ends (and empties a DELETE ROWS table after every statement);
//! here both happen at the end of the next transaction block.

use std::sync::{Arc, Mutex};

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

use crate::sql::quote_ident;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Action {
    DeleteRows,
    Drop,
}

/// The connection's tables with an ON COMMIT action.
#[derive(Default)]
pub struct OnCommit {
    tables: Mutex<Vec<(String, Action)>>,
}

impl OnCommit {
    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<(String, Action)>> {
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether any table waits for the end of a transaction.
    pub fn is_empty(&self) -> bool {
        self.lock().is_empty()
    }

    /// Before COMMIT: the statements that empty the DELETE ROWS tables. A
    /// table dropped meanwhile is forgotten.
    pub fn before_commit(&self, db: &Connection) -> Vec<String> {
        let mut tables = self.lock();
        tables.retain(|(name, _)| exists(db, name));
        tables
            .iter()
            .filter(|(_, a)| *a == Action::DeleteRows)
            .map(|(name, _)| format!("DELETE FROM temp.{}", quote_ident(name)))
            .collect()
    }

    /// After COMMIT or ROLLBACK: the statements that drop the ON COMMIT
    /// DROP tables (each is forgotten).
    pub fn after_end(&self) -> Vec<String> {
        let mut tables = self.lock();
        let mut drops = Vec::new();
        tables.retain(|(name, a)| {
            if *a == Action::Drop {
                drops.push(format!("DROP TABLE IF EXISTS temp.{}", quote_ident(name)));
                false
            } else {
                true
            }
        });
        drops
    }
}

fn exists(db: &Connection, name: &str) -> bool {
    db.query_row(
        "SELECT 1 FROM temp.sqlite_schema WHERE type = 'table' AND name = ?1",
        [name],
        |_| Ok(()),
    )
    .is_ok()
}

/// Registers `pg_on_commit(name, action)` on a session connection.
pub fn register(db: &Connection, state: Arc<OnCommit>) -> rusqlite::Result<()> {
    db.create_scalar_function(
        "pg_on_commit",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY,
        move |ctx| {
            let name: String = ctx.get(0)?;
            let action = match ctx.get::<String>(1)?.as_str() {
                "drop" => Action::Drop,
                _ => Action::DeleteRows,
            };
            let mut tables = state.lock();
            tables.retain(|(n, _)| *n != name);
            tables.push((name, action));
            Ok(None::<i64>)
        },
    )
}
