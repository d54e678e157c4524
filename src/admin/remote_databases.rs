//! `pgtenant.remote_databases()`: the catalog's remote databases checked
//! against what the libSQL provider holds. It only reports, never deletes:
//! safe with several instances sharing the catalog, and with a
//! create_tenant still in flight on one of them.
//! - Each catalog environment on the provider is `ok` or `missing`.
//! - Turso: a database of the organization whose name fits
//!   `namespace_pattern` but that no catalog environment names is `orphan`
//!   (e.g. the platform finished creating it after our create timed out).
//! - sqld's admin API cannot list namespaces: only the catalog's are probed,
//!   and orphans cannot be seen.

use std::collections::HashSet;
use std::sync::Arc;

use crate::backend::libsql::config::{is_remote_url, LibsqlConfig, Provider};
use crate::server::Server;
use crate::sql::errors::SqlError;
use crate::tenant::provision;

pub const COLUMNS: &[&str] = &["database", "state", "tenant", "environment"];

type Rows = Vec<Vec<String>>;

pub async fn remote_databases(server: &Arc<Server>) -> Result<Rows, SqlError> {
    let cfg = server.config.libsql.as_ref().ok_or_else(|| {
        SqlError::new(
            "0A000",
            "backend \"libsql\" is not configured on this server",
        )
    })?;
    let catalog = server.catalog.clone();
    // (tenant, environment, stored URL) of every remote environment.
    let expected = tokio::task::spawn_blocking(move || {
        let mut out = Vec::new();
        for (tenant, _status) in provision::tenant_names(&catalog)? {
            for (env, url) in catalog.environment_urls(&tenant)? {
                if is_remote_url(&url) {
                    out.push((tenant.clone(), env, url));
                }
            }
        }
        Ok::<_, SqlError>(out)
    })
    .await
    .map_err(|e| SqlError::internal("management function", e))??;
    let mut rows = Vec::new();
    match cfg.provider {
        Provider::Turso => {
            let listed: HashSet<String> = cfg
                .turso()?
                .list_databases()
                .await?
                .into_iter()
                .map(|d| d.name)
                .collect();
            let mut named = HashSet::new();
            for (tenant, env, _) in expected {
                let name = cfg.namespace(&tenant, &env);
                let state = if listed.contains(&name) {
                    "ok"
                } else {
                    "missing"
                };
                named.insert(name.clone());
                rows.push(vec![name, state.into(), tenant, env]);
            }
            for name in listed {
                if !named.contains(&name) && fits_pattern(cfg, &name) {
                    rows.push(vec![name, "orphan".into(), String::new(), String::new()]);
                }
            }
        }
        Provider::Sqld => {
            let admin = cfg.admin()?;
            for (tenant, env, url) in expected {
                // The namespace is the stored URL's fragment (the URL names
                // the server) or follows the pattern (the URL names it).
                let ns = match url.split_once('#') {
                    Some((_, ns)) => ns.to_owned(),
                    None => cfg.namespace(&tenant, &env),
                };
                let state = if admin.namespace_exists(&ns).await? {
                    "ok"
                } else {
                    "missing"
                };
                rows.push(vec![ns, state.into(), tenant, env]);
            }
        }
    }
    rows.sort();
    Ok(rows)
}

/// Whether `name` could come from `namespace_pattern`: the pattern's fixed
/// text before, between and after `{tenant}` and `{env}`, in order.
fn fits_pattern(cfg: &LibsqlConfig, name: &str) -> bool {
    let pattern = cfg.namespace_pattern.replace("{env}", "{tenant}");
    let parts: Vec<&str> = pattern.split("{tenant}").collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return name == first;
    }
    let Some(mut rest) = name.strip_prefix(first).and_then(|r| r.strip_suffix(last)) else {
        return false;
    };
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) if i > 0 => rest = &rest[i + middle.len()..],
            _ => return false,
        }
    }
    !rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pattern: &str) -> LibsqlConfig {
        LibsqlConfig {
            namespace_pattern: pattern.into(),
            ..LibsqlConfig::default()
        }
    }

    #[test]
    fn names_fit_the_pattern() {
        let c = cfg("pgt-{tenant}-{env}");
        assert!(fits_pattern(&c, "pgt-acme-prod"));
        assert!(fits_pattern(&c, "pgt-a-b-staging"));
        assert!(!fits_pattern(&c, "other-acme-prod"));
        assert!(!fits_pattern(&c, "pgt--prod"));
        assert!(!fits_pattern(&c, "pgt-acme-"));
        let c = cfg("{tenant}--{env}");
        assert!(fits_pattern(&c, "acme--prod"));
        assert!(!fits_pattern(&c, "acme-prod"));
    }
}
