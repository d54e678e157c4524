//! Plans and quotas: the limits a tenant lives under. A plan gives default
//! quotas (from the config's `[plans.*]` tables); `set_quota` overrides one
//! for one tenant (`tenant_quota` catalog table). 0 means unlimited.

use rusqlite::params;

use super::catalog::Exec;
use serde::Deserialize;

use crate::sql::errors::SqlError;

/// One tenant's limits. 0 = unlimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Quotas {
    /// Database size (all environments counted separately), enforced by
    /// SQLite's `max_page_count`: a write past it fails with 53100.
    pub max_storage_bytes: u64,
    /// CREATE TABLE past it fails with 54000.
    pub max_tables: u64,
    /// Rows per table, checked when a transaction commits (54000).
    pub max_rows_per_table: u64,
    /// Concurrent sessions of the tenant (53300).
    pub max_connections: u64,
    /// Statements per wall-clock minute (53400).
    pub statements_per_minute: u64,
    /// Read by the deployment engine.
    pub max_deployments_per_day: u64,
}

/// The quota names, as `set_quota` and `quota()` spell them.
pub const NAMES: &[&str] = &[
    "max_storage_bytes",
    "max_tables",
    "max_rows_per_table",
    "max_connections",
    "statements_per_minute",
    "max_deployments_per_day",
];

impl Default for Quotas {
    fn default() -> Self {
        Plans::default().free
    }
}

impl Quotas {
    pub fn get(&self, name: &str) -> Option<u64> {
        Some(match name {
            "max_storage_bytes" => self.max_storage_bytes,
            "max_tables" => self.max_tables,
            "max_rows_per_table" => self.max_rows_per_table,
            "max_connections" => self.max_connections,
            "statements_per_minute" => self.statements_per_minute,
            "max_deployments_per_day" => self.max_deployments_per_day,
            _ => return None,
        })
    }

    fn slot(&mut self, name: &str) -> Option<&mut u64> {
        Some(match name {
            "max_storage_bytes" => &mut self.max_storage_bytes,
            "max_tables" => &mut self.max_tables,
            "max_rows_per_table" => &mut self.max_rows_per_table,
            "max_connections" => &mut self.max_connections,
            "statements_per_minute" => &mut self.statements_per_minute,
            "max_deployments_per_day" => &mut self.max_deployments_per_day,
            _ => return None,
        })
    }
}

/// The three plans and their default quotas (`[plans.free]` etc.).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Plans {
    pub free: Quotas,
    pub pro: Quotas,
    pub enterprise: Quotas,
}

impl Default for Plans {
    fn default() -> Self {
        const MB: u64 = 1 << 20;
        Plans {
            free: Quotas {
                max_storage_bytes: 1024 * MB,
                max_tables: 1_000,
                max_rows_per_table: 0,
                max_connections: 100,
                statements_per_minute: 600_000,
                max_deployments_per_day: 10,
            },
            pro: Quotas {
                max_storage_bytes: 10 * 1024 * MB,
                max_tables: 10_000,
                max_rows_per_table: 0,
                max_connections: 500,
                statements_per_minute: 6_000_000,
                max_deployments_per_day: 100,
            },
            enterprise: Quotas {
                max_storage_bytes: 0,
                max_tables: 0,
                max_rows_per_table: 0,
                max_connections: 1_000,
                statements_per_minute: 0,
                max_deployments_per_day: 0,
            },
        }
    }
}

impl Plans {
    pub fn get(&self, plan: &str) -> Option<&Quotas> {
        match plan {
            "free" => Some(&self.free),
            "pro" => Some(&self.pro),
            "enterprise" => Some(&self.enterprise),
            _ => None,
        }
    }

    /// The plan, or 22023 naming the valid ones.
    pub fn require(&self, plan: &str) -> Result<&Quotas, SqlError> {
        self.get(plan).ok_or_else(|| {
            SqlError::new("22023", format!("invalid plan \"{plan}\""))
                .with_detail("Plans are free, pro and enterprise.")
        })
    }
}

/// Per-tenant overrides; created on first use of the catalog.
pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tenant_quota (
    tenant TEXT NOT NULL REFERENCES tenant(name) ON DELETE CASCADE,
    name   TEXT NOT NULL,
    value  INTEGER NOT NULL,
    PRIMARY KEY (tenant, name)
);
CREATE VIEW IF NOT EXISTS quotas AS
    SELECT tenant, name, value FROM tenant_quota;
";

/// The quota name, or 22023 naming the valid ones.
pub fn require_name(name: &str) -> Result<&'static str, SqlError> {
    NAMES.iter().copied().find(|n| *n == name).ok_or_else(|| {
        SqlError::new("22023", format!("invalid quota \"{name}\""))
            .with_detail(format!("Quotas are {}.", NAMES.join(", ")))
    })
}

/// A tenant's plan defaults with its overrides applied.
pub fn effective(conn: &dyn Exec, plans: &Plans, tenant: &str) -> Result<Quotas, SqlError> {
    let plan: String = conn
        .query_opt("SELECT plan FROM tenant WHERE name = ?1", params![tenant])?
        .ok_or_else(|| SqlError::new("42704", format!("tenant \"{tenant}\" does not exist")))?
        .get(0)?;
    let mut q = *plans.get(&plan).unwrap_or(&plans.free);
    for row in conn.query(
        "SELECT name, value FROM tenant_quota WHERE tenant = ?1",
        params![tenant],
    )? {
        let (name, value): (String, i64) = (row.get(0)?, row.get(1)?);
        if let Some(slot) = q.slot(&name) {
            *slot = value.max(0) as u64;
        }
    }
    Ok(q)
}

impl crate::server::Server {
    /// One effective quota of a tenant (0 = unlimited), for the deployment
    /// engine and others: `server.quota("acme", "max_deployments_per_day")`.
    /// Blocks on the catalog: call from the blocking pool.
    pub fn quota(&self, tenant: &str, name: &str) -> Result<u64, SqlError> {
        let name = require_name(name)?;
        let q = super::provision::quotas(&self.catalog, &self.config.plans, tenant)?;
        Ok(q.get(name).unwrap_or(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plans_parse_from_toml() {
        let plans: Plans =
            toml::from_str("[free]\nmax_tables = 3\n[pro]\nmax_connections = 7\n").unwrap();
        assert_eq!(
            plans.free.max_storage_bytes,
            Plans::default().free.max_storage_bytes
        );
        assert_eq!(plans.free.max_tables, 3);
        assert_eq!(plans.pro.max_connections, 7);
        assert!(toml::from_str::<Plans>("[free]\nmax_tabels = 3\n").is_err());
        assert_eq!(plans.require("gold").unwrap_err().code, "22023");
        assert_eq!(require_name("max_tables").unwrap(), "max_tables");
        assert!(require_name("max_nothing").is_err());
    }
}
