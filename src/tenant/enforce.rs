//! Quotas and roles applied to a tenant session's SQLite connection when
//! the session starts:
//!
//! * `max_storage_bytes` → `PRAGMA max_page_count`, set by the server (the
//!   tenant cannot: the authorizer refuses pragmas). A write past it fails
//!   in SQLite with SQLITE_FULL (53100).
//! * `max_rows_per_table` → an update hook counts rows inserted and deleted
//!   per table in the open transaction; the commit hook turns a commit that
//!   would leave a table above the quota into a rollback (54000). Committed
//!   counts live in the tenant's [`TenantRuntime`], counted once with
//!   `count(*)` on the first session after the quota applies. Cost: one
//!   hash-map update per row written. Trade-offs: rows removed by ROLLBACK TO
//!   SAVEPOINT still count until the transaction ends, and CREATE TABLE AS
//!   rows are not seen (SQLite runs no update hook for them) until the next
//!   recount (server restart or quota change).
//! * the role → the authorizer (see `guard::set_role`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rusqlite::hooks::Action;
use rusqlite::Connection;

use super::limits::TenantRuntime;
use super::quota::Quotas;
use crate::backend::sqlite::guard::{self, Role};
use crate::backend::sqlite::pgfuncs::sequences::SequenceLog;
use crate::backend::sqlite::privileges::Grants;
use crate::sql::errors::SqlError;

thread_local! {
    /// Set by the commit hook when it refuses: the error the client gets.
    static REFUSAL: RefCell<Option<SqlError>> = const { RefCell::new(None) };
}

/// The quota error behind a commit the commit hook turned into a rollback.
pub fn take_refusal() -> Option<SqlError> {
    REFUSAL.with(|r| r.borrow_mut().take())
}

/// SQLite's largest page count: no storage quota.
const UNLIMITED_PAGES: i64 = 4_294_967_294;

/// Prepares a tenant connection for a session of `role` under `quotas`,
/// with the user's table privileges (`grants`) when it has them, and the
/// connection's sequence memory (`sequences`) emptied for the session and
/// told of its inserts.
pub fn install(
    conn: &mut Connection,
    env: &str,
    role: Role,
    grants: Option<Grants>,
    quotas: &Quotas,
    rt: &Arc<TenantRuntime>,
    sequences: Option<Arc<SequenceLog>>,
) -> Result<(), SqlError> {
    let db = |e: rusqlite::Error| SqlError::internal("applying tenant quotas", e);
    let count_rows = quotas.max_rows_per_table > 0;
    let max_bytes = quotas.max_storage_bytes;
    guard::unguarded(conn, |c| {
        if let Some(g) = &grants {
            g.acl.ensure_loaded(c)?;
        }
        let pages = if max_bytes == 0 {
            UNLIMITED_PAGES
        } else {
            let page_size: i64 = c.query_row("PRAGMA page_size", [], |r| r.get(0))?;
            (max_bytes as i64 / page_size.max(512)).clamp(1, UNLIMITED_PAGES)
        };
        // SQLite never lowers the limit below the current size: a database
        // already over its quota simply cannot grow.
        c.query_row(&format!("PRAGMA max_page_count = {pages}"), [], |_| Ok(()))?;
        if count_rows {
            init_counts(c, rt, env)?;
        }
        Ok(())
    })
    .map_err(db)?;
    if let Some(g) = &grants {
        crate::backend::sqlite::has_privilege::register(conn, role, g.clone()).map_err(db)?;
    }
    guard::set_guard(conn, role, count_rows, grants).map_err(db)?;
    if let Some(log) = &sequences {
        log.reset();
    }
    if count_rows {
        install_row_hooks(
            conn,
            rt.clone(),
            env,
            quotas.max_rows_per_table as i64,
            sequences,
        )
        .map_err(db)?;
    } else {
        match sequences {
            Some(log) => {
                conn.update_hook(Some(move |action: Action, db: &str, table: &str, rowid| {
                    if action == Action::SQLITE_INSERT && db == "main" {
                        log.note_insert(table, rowid);
                    }
                }))
            }
            None => conn.update_hook(None::<fn(Action, &str, &str, i64)>),
        }
        .map_err(db)?;
        conn.commit_hook(None::<fn() -> bool>).map_err(db)?;
        conn.rollback_hook(None::<fn()>).map_err(db)?;
    }
    Ok(())
}

/// Counts every table once per runtime (the first session under the quota).
fn init_counts(conn: &Connection, rt: &TenantRuntime, env: &str) -> rusqlite::Result<()> {
    let mut rows = rt.rows.lock().unwrap_or_else(|p| p.into_inner());
    if rows.contains_key(env) {
        return Ok(());
    }
    let tables: Vec<String> = conn
        .prepare(
            "SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'pgcat\\_%' ESCAPE '\\'",
        )?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    let mut counts = HashMap::with_capacity(tables.len());
    for t in tables {
        let n: i64 = conn.query_row(
            &format!("SELECT count(*) FROM main.\"{}\"", t.replace('"', "\"\"")),
            [],
            |r| r.get(0),
        )?;
        counts.insert(t, n);
    }
    rows.insert(env.to_owned(), counts);
    Ok(())
}

fn install_row_hooks(
    conn: &mut Connection,
    rt: Arc<TenantRuntime>,
    env: &str,
    limit: i64,
    sequences: Option<Arc<SequenceLog>>,
) -> rusqlite::Result<()> {
    let env = env.to_owned();
    // Net rows per table written by the open transaction.
    let pending: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
    let p = pending.clone();
    conn.update_hook(Some(move |action: Action, db: &str, table: &str, rowid| {
        let delta = match action {
            Action::SQLITE_INSERT => 1,
            Action::SQLITE_DELETE => -1,
            _ => return,
        };
        if db != "main" {
            return;
        }
        if let (Some(log), 1) = (&sequences, delta) {
            log.note_insert(table, rowid);
        }
        let mut p = p.lock().unwrap_or_else(|e| e.into_inner());
        match p.get_mut(table) {
            Some(n) => *n += delta,
            None => {
                p.insert(table.to_owned(), delta);
            }
        }
    }))?;
    let p = pending.clone();
    conn.commit_hook(Some(move || {
        let mut p = p.lock().unwrap_or_else(|e| e.into_inner());
        if p.is_empty() {
            return false;
        }
        let mut rows = rt.rows.lock().unwrap_or_else(|e| e.into_inner());
        let counts = rows.entry(env.clone()).or_default();
        let over = p.iter().find_map(|(table, delta)| {
            let total = counts.get(table).copied().unwrap_or(0) + delta;
            (*delta > 0 && total > limit).then(|| (table.clone(), total))
        });
        if let Some((table, total)) = over {
            p.clear();
            REFUSAL.with(|r| {
                *r.borrow_mut() = Some(
                    SqlError::new(
                        "54000",
                        format!(
                            "row quota exceeded: table \"{table}\" may hold at most {limit} rows (max_rows_per_table)"
                        ),
                    )
                    .with_detail(format!(
                        "The transaction would have left {total} rows; it was rolled back."
                    )),
                )
            });
            return true;
        }
        for (table, delta) in p.drain() {
            *counts.entry(table).or_insert(0) += delta;
        }
        false
    }))?;
    let p = pending;
    conn.rollback_hook(Some(move || {
        p.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }))?;
    Ok(())
}

/// Refuses CREATE TABLE once the tenant has `max_tables` tables (54000).
pub fn check_tables(conn: &Connection, limit: u64, tenant: &str) -> Result<(), SqlError> {
    if limit == 0 {
        return Ok(());
    }
    let n: i64 = conn
        .query_row(
            "SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE 'pgcat\\_%' ESCAPE '\\'",
            [],
            |r| r.get(0),
        )
        .map_err(|e| crate::sql::errors::from_sqlite(&e))?;
    if n as u64 >= limit {
        return Err(SqlError::new(
            "54000",
            format!("table quota exceeded: tenant \"{tenant}\" may have at most {limit} tables (max_tables)"),
        ));
    }
    Ok(())
}

/// A storage-full error, reworded to name the quota when one applies (not
/// when the operating system refused the write: then the disk is full).
pub fn storage_error(e: SqlError, quotas: &Quotas, tenant: &str) -> SqlError {
    if e.code == "53100"
        && quotas.max_storage_bytes > 0
        && e.message != crate::sql::errors::DISK_FULL
    {
        SqlError::new(
            "53100",
            format!(
                "storage quota exceeded: tenant \"{tenant}\" may store at most {} bytes (max_storage_bytes)",
                quotas.max_storage_bytes
            ),
        )
        .with_detail("Delete data, or ask for a larger plan.")
    } else {
        e
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tenant::limits::Limits;

    fn tenant(quotas: Quotas) -> (Connection, Arc<TenantRuntime>) {
        let mut c = Connection::open_in_memory().unwrap();
        guard::install(&mut c).unwrap();
        let limits = Limits::new(0);
        let rt = limits.runtime_or_load("t", || Ok(quotas)).unwrap();
        install(&mut c, "prod", Role::Owner, None, &quotas, &rt, None).unwrap();
        (c, rt)
    }

    #[test]
    fn row_quota_counts_inserts_and_deletes() {
        let q = Quotas {
            max_rows_per_table: 3,
            ..Quotas::default()
        };
        let (c, _rt) = tenant(q);
        c.execute_batch("CREATE TABLE a (x int); INSERT INTO a VALUES (1), (2)")
            .unwrap();
        let e = c
            .execute_batch("INSERT INTO a VALUES (3), (4)")
            .unwrap_err();
        let e = crate::sql::errors::from_sqlite(&e);
        assert_eq!(e.code, "54000", "{e:?}");
        // Nothing of the refused statement stayed.
        let n: i64 = c
            .query_row("SELECT count(*) FROM a", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
        // DELETE without WHERE is counted too (row by row).
        c.execute_batch("DELETE FROM a; INSERT INTO a VALUES (1), (2), (3)")
            .unwrap();
        // DROP TABLE still drops (SQLite checks DELETE on the table too).
        c.execute_batch("DROP TABLE a").unwrap();
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_schema WHERE name = 'a'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn storage_quota_is_sqlite_full() {
        let q = Quotas {
            max_storage_bytes: 64 * 1024,
            ..Quotas::default()
        };
        let (c, _rt) = tenant(q);
        c.execute_batch("CREATE TABLE b (x blob)").unwrap();
        let e = c
            .execute_batch("INSERT INTO b VALUES (zeroblob(200000))")
            .unwrap_err();
        assert_eq!(crate::sql::errors::from_sqlite(&e).code, "53100");
        // The tenant cannot lift it.
        assert!(c.execute_batch("PRAGMA max_page_count = 100000").is_err());
    }

    #[test]
    fn roles_are_enforced_on_cached_statements() {
        let mut c = Connection::open_in_memory().unwrap();
        guard::install(&mut c).unwrap();
        c.execute_batch("CREATE TABLE t (x int)").unwrap();
        c.prepare_cached("INSERT INTO t VALUES (1)")
            .unwrap()
            .execute([])
            .unwrap();
        guard::set_role(&mut c, Role::ReadOnly, false).unwrap();
        let e = c
            .prepare_cached("INSERT INTO t VALUES (1)")
            .and_then(|mut s| s.execute([]))
            .unwrap_err();
        assert_eq!(crate::sql::errors::from_sqlite(&e).code, "25006", "{e}");
        let e = c
            .execute_batch("WITH x AS (SELECT 1) DELETE FROM t")
            .unwrap_err();
        assert_eq!(crate::sql::errors::from_sqlite(&e).code, "25006");
        c.execute_batch("SELECT * FROM t; CREATE TEMP VIEW v AS SELECT 1")
            .unwrap();
        guard::set_role(&mut c, Role::ReadWrite, false).unwrap();
        c.execute_batch("INSERT INTO t VALUES (2); UPDATE t SET x = 3")
            .unwrap();
        let e = c.execute_batch("CREATE TABLE u (y int)").unwrap_err();
        assert_eq!(crate::sql::errors::from_sqlite(&e).code, "42501");
        let e = c.execute_batch("DROP TABLE t").unwrap_err();
        assert_eq!(crate::sql::errors::from_sqlite(&e).code, "42501");
        // Escape hatches keep their own message.
        let e = c.execute_batch("PRAGMA journal_mode = DELETE").unwrap_err();
        let e = crate::sql::errors::from_sqlite(&e);
        assert!(e.message.contains("PRAGMA"), "{}", e.message);
    }
}
