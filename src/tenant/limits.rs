//! Quota state kept in memory while the server runs: connection counts
//! (global and per tenant), the statement rate window, committed row counts
//! per table, and each tenant's effective quotas (refreshed by `set_plan` /
//! `set_quota`). Checks on the hot path are a few atomic operations.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use super::quota::Quotas;
use crate::sql::errors::SqlError;

/// One tenant's live counters.
#[derive(Debug)]
pub struct TenantRuntime {
    pub tenant: String,
    quotas: RwLock<Quotas>,
    pub connections: AtomicUsize,
    /// Minute number (Unix time / 60) the counter below belongs to.
    minute: AtomicU64,
    statements: AtomicU64,
    /// Committed rows per environment and table, for `max_rows_per_table`;
    /// an environment's map is filled on its first session under the quota
    /// first session after the quota applies (see `enforce::install`).
    pub rows: Mutex<HashMap<String, HashMap<String, i64>>>,
}

impl TenantRuntime {
    pub fn quotas(&self) -> Quotas {
        *self.quotas.read().unwrap_or_else(|p| p.into_inner())
    }

    fn current_minute() -> u64 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs() / 60)
            .unwrap_or(0)
    }

    /// Counts one statement against `limit` (the `statements_per_minute`
    /// of [`TenantRuntime::quotas`], read once per statement by the caller).
    pub fn count_statement(&self, limit: u64) -> Result<(), SqlError> {
        let now = Self::current_minute();
        let seen = self.minute.load(Ordering::Relaxed);
        if seen != now
            && self
                .minute
                .compare_exchange(seen, now, Ordering::AcqRel, Ordering::Relaxed)
                .is_ok()
        {
            self.statements.store(0, Ordering::Release);
        }
        let n = self.statements.fetch_add(1, Ordering::AcqRel) + 1;
        if limit > 0 && n > limit {
            return Err(SqlError::new(
                "53400",
                format!(
                    "statement rate quota exceeded: tenant \"{}\" may run {limit} statements per minute (statements_per_minute)",
                    self.tenant
                ),
            )
            .with_detail("The count starts again at the next minute."));
        }
        Ok(())
    }

    /// Statements counted in the current minute.
    pub fn statements_this_minute(&self) -> u64 {
        if self.minute.load(Ordering::Acquire) == Self::current_minute() {
            self.statements.load(Ordering::Acquire)
        } else {
            0
        }
    }
}

/// Held by a session for its lifetime: gives its connection slots back.
#[derive(Debug)]
pub struct ConnSlot {
    limits: Arc<Limits>,
    tenant: Option<Arc<TenantRuntime>>,
}

impl ConnSlot {
    pub fn runtime(&self) -> Option<&Arc<TenantRuntime>> {
        self.tenant.as_ref()
    }
}

impl Drop for ConnSlot {
    fn drop(&mut self) {
        if let Some(t) = &self.tenant {
            t.connections.fetch_sub(1, Ordering::AcqRel);
            self.limits.global.fetch_sub(1, Ordering::AcqRel);
        }
    }
}

#[derive(Debug)]
pub struct Limits {
    /// Tenant sessions open now (the admin role is not counted: like
    /// PostgreSQL's reserved superuser slots, it can always get in).
    global: AtomicUsize,
    max_global: usize,
    tenants: Mutex<HashMap<String, Arc<TenantRuntime>>>,
}

fn too_many(msg: String) -> SqlError {
    SqlError::new("53300", msg).fatal()
}

impl Limits {
    pub fn new(max_connections: usize) -> Arc<Limits> {
        Arc::new(Limits {
            global: AtomicUsize::new(0),
            max_global: max_connections,
            tenants: Mutex::new(HashMap::new()),
        })
    }

    /// The tenant's runtime if one exists (it has had sessions).
    pub fn runtime(&self, tenant: &str) -> Option<Arc<TenantRuntime>> {
        self.tenants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(tenant)
            .cloned()
    }

    /// The tenant's runtime, made with `load()`'s quotas on first use.
    pub fn runtime_or_load(
        &self,
        tenant: &str,
        load: impl FnOnce() -> Result<Quotas, SqlError>,
    ) -> Result<Arc<TenantRuntime>, SqlError> {
        if let Some(rt) = self.runtime(tenant) {
            return Ok(rt);
        }
        let quotas = load()?;
        let mut map = self.tenants.lock().unwrap_or_else(|p| p.into_inner());
        Ok(map
            .entry(tenant.to_owned())
            .or_insert_with(|| {
                Arc::new(TenantRuntime {
                    tenant: tenant.to_owned(),
                    quotas: RwLock::new(quotas),
                    connections: AtomicUsize::new(0),
                    minute: AtomicU64::new(0),
                    statements: AtomicU64::new(0),
                    rows: Mutex::new(HashMap::new()),
                })
            })
            .clone())
    }

    /// New quotas for a tenant (after set_plan / set_quota).
    pub fn update(&self, tenant: &str, quotas: Quotas) {
        if let Some(rt) = self.runtime(tenant) {
            let old = std::mem::replace(
                &mut *rt.quotas.write().unwrap_or_else(|p| p.into_inner()),
                quotas,
            );
            if old.max_rows_per_table != quotas.max_rows_per_table {
                // Counts are only kept while a row quota applies: recount.
                rt.rows.lock().unwrap_or_else(|p| p.into_inner()).clear();
            }
        }
    }

    /// Forgets a dropped tenant.
    pub fn forget(&self, tenant: &str) {
        self.tenants
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(tenant);
    }

    /// Takes a connection slot for a tenant session: 53300 past the global
    /// `max_connections` or the tenant's quota.
    pub fn admit(self: &Arc<Self>, rt: Arc<TenantRuntime>) -> Result<ConnSlot, SqlError> {
        let global = self.global.fetch_add(1, Ordering::AcqRel) + 1;
        let mine = rt.connections.fetch_add(1, Ordering::AcqRel) + 1;
        // The slot gives both back if we refuse below.
        let slot = ConnSlot {
            limits: self.clone(),
            tenant: Some(rt.clone()),
        };
        if self.max_global > 0 && global > self.max_global {
            return Err(too_many("sorry, too many clients already".into()));
        }
        let limit = rt.quotas().max_connections;
        if limit > 0 && mine as u64 > limit {
            return Err(too_many(format!(
                "too many connections for tenant \"{}\": its quota is {limit} (max_connections)",
                rt.tenant
            )));
        }
        Ok(slot)
    }

    pub fn global_connections(&self) -> usize {
        self.global.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_slots_and_statement_rate() {
        let limits = Limits::new(3);
        let q = Quotas {
            max_connections: 2,
            statements_per_minute: 2,
            ..Quotas::default()
        };
        let rt = limits.runtime_or_load("a", || Ok(q)).unwrap();
        let s1 = limits.admit(rt.clone()).unwrap();
        let _s2 = limits.admit(rt.clone()).unwrap();
        assert_eq!(limits.admit(rt.clone()).unwrap_err().code, "53300");
        assert_eq!(rt.connections.load(Ordering::Acquire), 2);
        drop(s1);
        let other = limits.runtime_or_load("b", || Ok(q)).unwrap();
        let _s3 = limits.admit(rt.clone()).unwrap();
        let _s4 = limits.admit(other.clone()).unwrap();
        let e = limits.admit(other).unwrap_err();
        assert_eq!(e.message, "sorry, too many clients already");
        rt.count_statement(2).unwrap();
        rt.count_statement(2).unwrap();
        assert_eq!(rt.count_statement(2).unwrap_err().code, "53400");
        assert_eq!(rt.statements_this_minute(), 3);
    }
}
