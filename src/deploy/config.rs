//! `[deploy]` settings.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeployConfig {
    /// Tenants migrated at once by a fleet or environment rollout.
    pub fleet_concurrency: usize,
    /// How long a deployment waits for a tenant's writer slot (held by an
    /// open write transaction) before that tenant fails with 55P03.
    pub lock_timeout_ms: u64,
}

impl Default for DeployConfig {
    fn default() -> Self {
        DeployConfig {
            fleet_concurrency: 4,
            lock_timeout_ms: 30_000,
        }
    }
}
