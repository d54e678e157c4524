//! PostgreSQL's sequences are not transactional: an id that a rolled-back
//! or failed insert took stays used, and the next insert's id skips it. A
//! serial key here is SQLite's AUTOINCREMENT, whose counters (the table
//! `sqlite_sequence`) roll back with the statement or transaction; these
//! keep them where they got:
//! - [`counters`] before a ROLLBACK (or ROLLBACK TO a savepoint), [`raise`]
//!   after it;
//! - [`failed_insert`]: an INSERT that failed a constraint runs again
//!   (rolled back) counting the rows that took an id before it failed, and
//!   the table's counter moves on by so many.
//!
//! Only the error and rollback paths pay.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use rusqlite::functions::FunctionFlags;
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, TransactionState, MAIN_DB};

use crate::backend::sqlite::pgfuncs::sequences::{is_autoincrement, record_serial};
use crate::sql::quote_ident;

/// Every AUTOINCREMENT counter, when the open transaction has written
/// (nothing to keep otherwise).
pub(super) fn counters(db: &Connection) -> Vec<(String, i64)> {
    if !matches!(
        db.transaction_state(Some(MAIN_DB)),
        Ok(TransactionState::Write)
    ) {
        return Vec::new();
    }
    let read = || -> rusqlite::Result<Vec<(String, i64)>> {
        let mut stmt = db.prepare_cached("SELECT name, seq FROM main.sqlite_sequence")?;
        let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
        rows.collect()
    };
    read().unwrap_or_default()
}

/// Puts each counter back up to where `reached` saw it (in a write of its
/// own after a ROLLBACK, in the block after a ROLLBACK TO a savepoint).
pub(super) fn raise(db: &Connection, reached: &[(String, i64)]) {
    if reached.is_empty() {
        return;
    }
    let now = |table: &str| -> Option<i64> {
        db.prepare_cached("SELECT seq FROM main.sqlite_sequence WHERE name = ?1")
            .ok()?
            .query_row([table], |r| r.get(0))
            .optional()
            .ok()?
    };
    // Read first: a ROLLBACK that moved no counter back writes nothing.
    let behind: Vec<&(String, i64)> = reached
        .iter()
        .filter(|(table, seq)| now(table).is_none_or(|n| n < *seq))
        .collect();
    if behind.is_empty() {
        return;
    }
    let own = db.is_autocommit();
    if own {
        let _ = db.execute_batch("BEGIN IMMEDIATE");
    }
    for (table, seq) in behind {
        let _ = record_serial(db, table, *seq, true);
    }
    if own {
        let _ = db.execute_batch("COMMIT");
    }
}

/// The function the counting trigger calls.
const TAKEN: &str = "pgtenant_id_taken";

/// After `sql` (an INSERT, with `params`) failed a constraint: moves the
/// target table's counter past the ids its rows took, as PostgreSQL's
/// nextval did for each row up to the one that failed.
pub(super) fn failed_insert(db: &Connection, sql: &str, params: &[Value]) {
    let Some(table) = insert_target(sql) else {
        return;
    };
    if !is_autoincrement(db, &table).unwrap_or(false) {
        return;
    }
    let taken = Arc::new(AtomicI64::new(0));
    let count = Arc::clone(&taken);
    let registered = db.create_scalar_function(
        TAKEN,
        0,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        move |_| {
            count.fetch_add(1, Ordering::Relaxed);
            Ok(true)
        },
    );
    if registered.is_err() {
        return;
    }
    // A row whose key SQLite numbers shows rowid -1 before it is stored.
    let trigger = format!(
        "CREATE TEMP TRIGGER pgtenant_ids_taken BEFORE INSERT ON main.{} \
         WHEN NEW.rowid = -1 BEGIN SELECT {TAKEN}(); END;",
        quote_ident(&table)
    );
    let ran = super::rerun::rolled_back(db, || {
        db.execute_batch(&trigger).ok()?;
        // The violation fails the statement again; that is the point.
        let _ = super::rerun::run_again(db, sql, params);
        Some(())
    });
    let _ = db.remove_function(TAKEN, 0);
    let n = taken.load(Ordering::Relaxed);
    if ran.is_none() || n == 0 {
        return;
    }
    let now: i64 = db
        .query_row(
            "SELECT coalesce((SELECT seq FROM main.sqlite_sequence WHERE name = ?1), 0)",
            [&table],
            |r| r.get(0),
        )
        .unwrap_or(0);
    let _ = record_serial(db, &table, now + n, true);
}

/// The table an INSERT statement writes.
fn insert_target(sql: &str) -> Option<String> {
    crate::sql::stack::with_room_for_text(sql, || {
        let statements =
            sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, sql)
                .ok()?;
        match statements.first()? {
            sqlparser::ast::Statement::Insert(insert) => match &insert.table {
                sqlparser::ast::TableObject::TableName(name) => {
                    Some(name.0.last()?.as_ident()?.value.clone())
                }
                _ => None,
            },
            _ => None,
        }
    })
}
