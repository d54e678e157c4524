//! `pgtenant.backup` and `pgtenant.restore`: the session-facing half (who is
//! connected, closing them); the file work is in [`crate::tenant::backup`].

use std::sync::Arc;
use std::time::Duration;

use crate::server::Server;
use crate::sql::errors::SqlError;
use crate::tenant::backup;
use crate::tenant::registry::{Target, TenantKey};
use crate::tenant::resolve::DEFAULT_ENV;

/// How long a forced restore waits for closed sessions to go away.
const CLOSE_WAIT: Duration = Duration::from_secs(5);

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, SqlError> + Send + 'static,
) -> Result<T, SqlError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SqlError::internal("backup task", e))?
}

/// `backup(tenant [, env])`: one row of `pgtenant.backups`.
pub async fn take(
    server: &Arc<Server>,
    tenant: String,
    env: Option<String>,
) -> Result<Vec<String>, SqlError> {
    let catalog = server.catalog.clone();
    let env = env.unwrap_or_else(|| DEFAULT_ENV.to_owned());
    let started = std::time::Instant::now();
    let row = blocking(move || backup::take(&catalog, &tenant, &env)).await?;
    tracing::info!(
        tenant = %row.tenant,
        env = %row.environment,
        backup = row.id,
        bytes = row.bytes,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "backup taken"
    );
    Ok(row.into_text())
}

/// PostgreSQL's boolean input forms.
fn parse_bool(v: Option<&str>) -> Result<bool, SqlError> {
    match v.map(|s| s.trim().to_ascii_lowercase()).as_deref() {
        None => Ok(false),
        Some("t" | "true" | "on" | "yes" | "y" | "1") => Ok(true),
        Some("f" | "false" | "off" | "no" | "n" | "0") => Ok(false),
        Some(other) => Err(SqlError::new(
            "22P02",
            format!("invalid input syntax for type boolean: \"{other}\""),
        )),
    }
}

/// `restore(tenant, backup [, env] [, force])`: (tenant, environment, backup,
/// restored_at, sessions_closed).
pub async fn restore(
    server: &Arc<Server>,
    tenant: String,
    backup_ref: String,
    env: Option<String>,
    force: Option<String>,
) -> Result<Vec<String>, SqlError> {
    let force = parse_bool(force.as_deref())?;
    let catalog = server.catalog.clone();
    let plan = {
        let tenant = tenant.clone();
        blocking(move || backup::plan_restore(&catalog, &tenant, &backup_ref, env.as_deref()))
            .await?
    };
    let open = server.sessions.count_tenant(&tenant);
    if open > 0 && !force {
        return Err(SqlError::new(
            "55006",
            format!("tenant \"{tenant}\" is being accessed by {open} other session(s)"),
        )
        .with_detail("A restore replaces the database under its sessions: close them, or call pgtenant.restore(..., force => true) to end them."));
    }
    let closed = if open > 0 {
        server.sessions.kill_tenant(&tenant)
    } else {
        0
    };
    // Pooled connections go; later sessions open afresh and, if they write,
    // queue behind the restore on the new handle's writer slot.
    server.registry.close_tenant(&tenant).await;
    let deadline = std::time::Instant::now() + CLOSE_WAIT;
    while server.sessions.count_tenant(&tenant) > 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let key = TenantKey {
        tenant: tenant.clone(),
        env: plan.environment.clone(),
    };
    let db = server
        .registry
        .get(key, Target::File(plan.target_path().to_owned()))
        .await;
    let _writer = db
        .writer
        .clone()
        .acquire_owned()
        .await
        .map_err(|e| SqlError::internal("restore writer slot", e))?;
    let started = std::time::Instant::now();
    let p = plan.clone();
    blocking(move || backup::restore(&p)).await?;
    let restored_at = crate::tenant::catalog::now_text();
    tracing::info!(
        tenant = %tenant,
        env = %plan.environment,
        backup = plan.backup.id,
        sessions_closed = closed,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "backup restored"
    );
    Ok(vec![
        tenant,
        plan.environment,
        plan.backup.id.to_string(),
        restored_at,
        closed.to_string(),
    ])
}
