//! pg_stat_activity for a tenant: its own live sessions only (a tenant
//! never sees another's). The catalog view reads `pg_tenant_activity()`, a
//! JSON array this module registers on each session's connection.

use std::sync::{Arc, Weak};

use rusqlite::functions::FunctionFlags;

use super::session::{Session, TxStatus};
use super::Server;
use crate::backend::sqlite::exec::Conn;

/// Registers `pg_tenant_activity()` for `tenant`'s session on `conn`. The
/// server is held weakly: the connection outlives nothing it must keep alive.
pub fn register(conn: &Conn, server: &Arc<Server>, tenant: Option<&str>, database: &str) {
    let server: Weak<Server> = Arc::downgrade(server);
    let tenant = tenant.map(str::to_owned);
    let database = database.to_owned();
    let r = conn.sqlite().create_scalar_function(
        "pg_tenant_activity",
        0,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        move |_| {
            let (Some(server), Some(tenant)) = (server.upgrade(), tenant.as_deref()) else {
                return Ok("[]".to_owned());
            };
            let rows: Vec<serde_json::Value> = server
                .sessions
                .tenant_sessions(tenant)
                .into_iter()
                .map(|(pid, s, busy)| row(pid, &s, busy, &database))
                .collect();
            Ok(serde_json::Value::Array(rows).to_string())
        },
    );
    if let Err(e) = r {
        tracing::warn!(error = %e, "pg_stat_activity unavailable");
    }
}

fn row(pid: i32, s: &Session, busy: bool, database: &str) -> serde_json::Value {
    let app = s
        .settings
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get("application_name")
        .unwrap_or("")
        .to_owned();
    let state = match (busy, s.tx_status()) {
        (true, _) => "active",
        (false, TxStatus::Idle) => "idle",
        (false, TxStatus::InBlock) => "idle in transaction",
        (false, TxStatus::Failed) => "idle in transaction (aborted)",
    };
    serde_json::json!({
        "pid": pid,
        "usename": s.identity.user(),
        "datname": database,
        "application_name": app,
        "state": state,
    })
}
