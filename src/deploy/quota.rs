//! Deployment quota: one function, so per-plan limits can replace the
//! config default without touching the rollout.

use crate::server::Server;

/// Deployments `tenant` may receive in 24 hours.
pub fn max_deployments_per_day(server: &Server, _tenant: &str) -> u64 {
    server.config.deploy.max_deployments_per_day
}
