//! `[deploy]` settings.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeployConfig {
    /// Deployments a tenant environment may receive in 24 hours (rollbacks
    /// are not counted). Exceeding it is SQLSTATE 54000.
    pub max_deployments_per_day: u64,
    /// Tenants migrated at once by a fleet or environment rollout.
    pub fleet_concurrency: usize,
}

impl Default for DeployConfig {
    fn default() -> Self {
        DeployConfig {
            max_deployments_per_day: 100,
            fleet_concurrency: 4,
        }
    }
}
