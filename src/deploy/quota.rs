//! Deployment quota: the tenant's `max_deployments_per_day` from its plan
//! (or its `set_quota` override).

use crate::server::Server;
use crate::sql::errors::SqlError;

/// Deployments `tenant` may receive in 24 hours.
/// 0 in a plan means unlimited. Blocks on the catalog: call it from the
/// blocking pool.
pub fn max_deployments_per_day(server: &Server, tenant: &str) -> Result<u64, SqlError> {
    let limit = server.quota(tenant, "max_deployments_per_day")?;
    Ok(if limit == 0 { u64::MAX } else { limit })
}
