//! Idle tenant sessions give their SQLite connection back to the tenant's
//! pool. An open SQLite connection (its schema, caches and registered
//! functions) is most of what an idle session costs; released, an idle
//! client costs the server its socket and session state only (see
//! benches/load.rs `idle`). The next statement takes a connection again,
//! from the pool or freshly opened, and binds this session to it exactly as
//! login did.
//!
//! A session keeps its connection while it is in a transaction, while a
//! statement runs, or while it has TEMP objects (they live in the
//! connection). A sweep every `idle_session_release_secs` releases the
//! connections of sessions that ran nothing since the previous sweep.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use super::session::{Identity, Session, TxStatus};
use super::Server;
use crate::backend::sqlite::exec::Conn;
use crate::backend::sqlite::guard::Role;
use crate::sql::errors::SqlError;

/// Releases idle sessions' connections every `every` until dropped.
pub async fn run(server: std::sync::Weak<Server>, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        let Some(server) = server.upgrade() else {
            return;
        };
        for session in server.sessions.idle_tenant_sessions() {
            release(&session);
        }
        // Pooled connections nobody took for a whole period are closed,
        // but one per tenant stays warm for its next statement or login.
        let unused: Vec<Conn> = server
            .registry
            .open_databases()
            .iter()
            .flat_map(|db| db.trim_pool(1))
            .collect();
        if !unused.is_empty() {
            tokio::task::spawn_blocking(move || {
                drop(unused);
                give_back_free_memory();
            });
        }
    }
}

/// Gives the session's connection back if it has been idle since the last sweep.
fn release(s: &Arc<Session>) {
    let Some(db) = s.tenant_db().cloned() else {
        return;
    };
    // A statement since the last sweep: not idle long enough yet.
    if s.touched.swap(false, Ordering::Relaxed) || s.tx_status() != TxStatus::Idle {
        return;
    }
    let conn = {
        let mut slot = s.conn_slot().lock().unwrap_or_else(|p| p.into_inner());
        match slot.as_ref() {
            Some(c) if c.is_autocommit() && !has_temp_objects(c) => {}
            _ => return,
        }
        s.set_interrupt(None);
        s.released.store(true, Ordering::Release);
        slot.take()
    };
    // currval and lastval go on answering on the next connection.
    if let Some(log) = conn.as_ref().and_then(Conn::sequence_log) {
        *s.parked_sequences.lock().unwrap_or_else(|p| p.into_inner()) = Some(log.take());
    }
    if let Some(conn) = conn {
        // Closing a connection the pool has no room for may checkpoint.
        tokio::task::spawn_blocking(move || db.checkin(conn));
    }
}

/// SQLite allocates with the C allocator; glibc keeps what closed
/// connections freed inside its arenas unless asked to return whole free
/// pages to the OS, which is the point of closing them.
fn give_back_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// TEMP tables, views and triggers live in the connection: keep it (and
/// never hand it to another session).
pub(super) fn has_temp_objects(c: &Conn) -> bool {
    c.sqlite()
        .prepare_cached("SELECT 1 FROM temp.sqlite_master LIMIT 1")
        .and_then(|mut st| st.exists([]))
        .unwrap_or(true)
}

/// Takes a connection for a released session and binds it as login did:
/// the role's guard and quotas, the session's identity, pg_stat_activity
/// and current_setting(). Blocks (it may open the database file).
pub fn reacquire(s: &Arc<Session>) -> Result<Conn, SqlError> {
    let (
        Some(db),
        Identity::Tenant {
            tenant,
            env,
            user,
            role,
        },
    ) = (s.tenant_db(), &s.identity)
    else {
        return Err(SqlError::new(
            "55006",
            "the session has no database connection",
        ));
    };
    let rt = s
        .quota
        .get()
        .and_then(|q| q.runtime())
        .ok_or_else(|| SqlError::new("55006", "the session has no tenant runtime"))?;
    let mut conn = db.checkout()?;
    let sequences = conn.sequence_log();
    crate::tenant::enforce::install(
        conn.sqlite_mut(),
        env,
        Role::parse(role),
        Some(db.grants(user)),
        &rt.quotas(),
        rt,
        sequences.clone(),
    )?;
    let parked = s
        .parked_sequences
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    if let (Some(log), Some(parked)) = (sequences, parked) {
        log.restore(parked);
    }
    let database = s.database.get().map(String::as_str).unwrap_or(user);
    conn.set_session(user, database, s.pid)?;
    super::activity::register(&conn, &s.server, Some(tenant), database);
    if let Some(ends) = s.ends.get() {
        super::inet::register(&conn, *ends);
    }
    if let Err(e) = super::settings_sql::register(&conn, s.settings.clone()) {
        tracing::warn!(error = %e, "current_setting()/set_config() unavailable");
    }
    if let Some(a) = &s.advisory {
        if let Err(e) = super::advisory::register(&conn, a.clone()) {
            tracing::warn!(error = %e, "advisory lock functions unavailable");
        }
    }
    if let Some(c) = &s.channels {
        if let Err(e) = super::notify::register(&conn, c.clone()) {
            tracing::warn!(error = %e, "pg_notify unavailable");
        }
    }
    if let Err(e) = super::notices::register(&conn, s.notices.clone(), s.settings.clone()) {
        tracing::warn!(error = %e, "trigger notices unavailable");
    }
    s.set_interrupt(Some(conn.interrupt_handle()));
    s.released.store(false, Ordering::Release);
    Ok(conn)
}
