//! Provisioning and lifecycle moves against the catalog: create_tenant as a
//! sequence of recorded steps, suspend/resume/drop through
//! [`Status::transition`], plan and quota changes.
//!
//! Two catalog commits per tenant: one registers it (`provisioning`) with
//! its environment row, one marks it `active` (or `failed`). A crash in
//! between leaves a `provisioning` row that startup reconciliation finds.

use std::time::Instant;

use rusqlite::params;

use super::catalog::{now_text, Catalog, Exec, TenantRow, RESERVED};
use super::lifecycle::Status;
use super::remote_db::{display_url, Made, NewDb};
use super::resolve::{valid_name, DEFAULT_ENV};
use crate::backend::sqlite::open;
use crate::sql::errors::SqlError;

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS provisioning_step (
    tenant      TEXT NOT NULL REFERENCES tenant(name) ON DELETE CASCADE,
    seq         INTEGER NOT NULL,
    step        TEXT NOT NULL,
    status      TEXT NOT NULL,
    detail      TEXT,
    finished_at TEXT NOT NULL,
    elapsed_us  INTEGER NOT NULL,
    PRIMARY KEY (tenant, seq)
);
CREATE VIEW IF NOT EXISTS provisioning_steps AS
    SELECT tenant, seq, step, status, detail, finished_at, elapsed_us
    FROM provisioning_step;
";

/// What `create_tenant` was asked for.
#[derive(Debug, Clone)]
pub struct NewTenant {
    pub plan: String,
    pub region: Option<String>,
    pub backend: String,
}

impl Default for NewTenant {
    fn default() -> Self {
        NewTenant {
            plan: "free".into(),
            region: None,
            backend: "sqlite".into(),
        }
    }
}

struct Step {
    name: &'static str,
    ok: bool,
    detail: Option<String>,
    at: String,
    elapsed_us: i64,
}

/// Steps run so far, written to the catalog with the commit that follows them.
#[derive(Default)]
struct Steps(Vec<Step>);

impl Steps {
    fn run<T>(
        &mut self,
        name: &'static str,
        f: impl FnOnce() -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        let t = Instant::now();
        let r = f();
        self.0.push(Step {
            name,
            ok: r.is_ok(),
            detail: r.as_ref().err().map(|e| e.message.clone()),
            at: now_text(),
            elapsed_us: t.elapsed().as_micros() as i64,
        });
        r
    }

    fn write(&mut self, conn: &dyn Exec, tenant: &str) -> Result<(), SqlError> {
        for s in self.0.drain(..) {
            let status = if s.ok { "done" } else { "failed" };
            conn.execute(
                "INSERT INTO provisioning_step (tenant, seq, step, status, detail, finished_at, elapsed_us)
                 VALUES (?1, (SELECT coalesce(max(seq), 0) + 1 FROM provisioning_step WHERE tenant = ?1),
                         ?2, ?3, ?4, ?5, ?6)",
                params![tenant, s.name, status, s.detail, s.at, s.elapsed_us],
            )?;
        }
        Ok(())
    }
}

fn status_of(conn: &dyn Exec, tenant: &str) -> Result<Option<Status>, SqlError> {
    let s: Option<String> = conn
        .query_opt("SELECT status FROM tenant WHERE name = ?1", params![tenant])?
        .map(|r| r.get(0))
        .transpose()?;
    Ok(s.and_then(|s| Status::parse(&s)))
}

fn no_tenant(tenant: &str) -> SqlError {
    SqlError::new("42704", format!("tenant \"{tenant}\" does not exist"))
}

/// Creates a tenant: register → folder → database → activate. A failed
/// step removes what earlier steps made on disk and leaves the tenant
/// `failed` with the reason (drop it to try again).
pub fn create(
    catalog: &Catalog,
    name: &str,
    req: &NewTenant,
    new_db: &NewDb<'_>,
) -> Result<TenantRow, SqlError> {
    if !valid_name(name) || RESERVED.contains(&name) {
        return Err(SqlError::new(
            "22023",
            format!("invalid tenant name \"{name}\""),
        )
        .with_detail("Tenant names are 1 to 63 characters: lower-case letters, digits, '_' and '-', starting with a letter or digit; some names are reserved."));
    }
    let mut steps = Steps::default();
    let created_at = now_text();
    let url = match new_db {
        NewDb::File => Catalog::relative_url(name, DEFAULT_ENV),
        NewDb::Remote { url, .. } => url.clone(),
    };
    // Step 1: the catalog rows, committed as `provisioning`.
    {
        let tx = catalog.begin()?;
        if let Some(status) = status_of(&tx, name)? {
            return Err(
                SqlError::new("42710", format!("tenant \"{name}\" already exists")).with_detail(
                    format!(
                        "Its status is {}{}.",
                        status.as_str(),
                        if status == Status::Failed {
                            ": drop it with pgtenant.drop_tenant to create it again"
                        } else {
                            ""
                        }
                    ),
                ),
            );
        }
        steps.run("register", || {
            tx.execute(
                "INSERT INTO tenant (name, status, plan, region, backend, created_at)
                 VALUES (?1, 'provisioning', ?2, ?3, ?4, ?5)",
                params![name, req.plan, req.region, req.backend, created_at],
            )?;
            tx.execute(
                "INSERT INTO environment (tenant, name, database_url, created_at) VALUES (?1, ?2, ?3, ?4)",
                params![name, DEFAULT_ENV, url, created_at],
            )?;
            if let NewDb::Remote {
                sealed_token: Some(token),
                ..
            } = new_db
            {
                tx.execute(
                    "INSERT INTO remote_credential (tenant, environment, auth_token) VALUES (?1, ?2, ?3)",
                    params![name, DEFAULT_ENV, token],
                )?;
            }
            Ok(())
        })?;
        steps.write(&tx, name)?;
        tx.commit()?;
    }
    // Steps 2 and 3: the files (or the remote database).
    let dir = catalog.tenant_dir(name);
    let path = catalog.resolve_url(&url);
    // What the platform settled at creation (Turso: the URL and token).
    let mut settled = None;
    let made = if let NewDb::Remote { create, .. } = new_db {
        steps
            .run("create_remote_database", create)
            .map(|m| settled = m)
    } else {
        steps
            .run("create_folder", || {
                std::fs::create_dir(&dir).map_err(|e| io_error("creating the tenant folder", &e))
            })
            .and_then(|_| {
                steps.run("create_database", || {
                    open::create(&path).map_err(|e| {
                        tracing::error!(tenant = name, error = %e, "creating the tenant database");
                        if super::catalog::refused_for_space(&e) {
                            crate::sql::errors::disk_full()
                        } else {
                            SqlError::new("58030", "could not create the tenant database file")
                        }
                    })?;
                    // One fsync for the file and one for its folder entry, before
                    // the catalog says `active`.
                    std::fs::File::open(&path)
                        .and_then(|f| f.sync_all())
                        .and_then(|_| std::fs::File::open(&dir)?.sync_all())
                        .map_err(|e| io_error("syncing the tenant database", &e))
                })
            })
    };
    // Step 4: active, or failed with nothing left on disk.
    let tx = catalog.begin()?;
    let status = match &made {
        Ok(()) => {
            steps.run("activate", || Ok(()))?;
            tx.execute(
                "UPDATE tenant SET status = 'active', failure_reason = NULL WHERE name = ?1",
                params![name],
            )?;
            if let Some(m) = &settled {
                settle_remote(&tx, name, DEFAULT_ENV, m)?;
            }
            Status::Active
        }
        Err(e) => {
            // Only remove a folder this call made: create_dir refuses an existing one.
            if steps.0.iter().any(|s| s.name == "create_folder" && s.ok) {
                let _ = std::fs::remove_dir_all(&dir);
            }
            let failed = steps.0.last().map(|s| s.name).unwrap_or("provisioning");
            tx.execute(
                "UPDATE tenant SET status = 'failed', failure_reason = ?2 WHERE name = ?1",
                params![name, format!("{failed}: {}", e.message)],
            )?;
            tx.execute(
                "DELETE FROM remote_credential WHERE tenant = ?1",
                params![name],
            )?;
            tx.execute("DELETE FROM environment WHERE tenant = ?1", params![name])?;
            Status::Failed
        }
    };
    steps.write(&tx, name)?;
    tx.commit()?;
    if let Err(e) = made {
        tracing::warn!(tenant = name, error = %e.message, "provisioning failed");
        return Err(SqlError::new(
            e.code,
            format!("provisioning tenant \"{name}\" failed: {}", e.message),
        )
        .with_detail("The tenant is left in status failed; see pgtenant.provisioning_steps."));
    }
    Ok(TenantRow {
        tenant: name.to_owned(),
        environment: DEFAULT_ENV.to_owned(),
        status: status.as_str().to_owned(),
        database_url: display_url(settled.as_ref().map_or(&url, |m| &m.url)),
        created_at,
    })
}

/// Records where a remote database turned out to be and its sealed token.
pub(super) fn settle_remote(
    conn: &dyn Exec,
    tenant: &str,
    env: &str,
    made: &Made,
) -> Result<(), SqlError> {
    conn.execute(
        "UPDATE environment SET database_url = ?3 WHERE tenant = ?1 AND name = ?2",
        params![tenant, env, made.url],
    )?;
    conn.execute(
        "INSERT OR REPLACE INTO remote_credential (tenant, environment, auth_token) VALUES (?1, ?2, ?3)",
        params![tenant, env, made.sealed_token],
    )?;
    Ok(())
}

/// The message for an I/O failure, without the host path.
fn io_error(what: &str, e: &std::io::Error) -> SqlError {
    tracing::error!(error = %e, "{what}");
    if matches!(
        e.raw_os_error(),
        Some(libc::ENOSPC | libc::EDQUOT | libc::EFBIG)
    ) {
        return crate::sql::errors::disk_full();
    }
    SqlError::new("58030", format!("{what}: {}", e.kind()))
}

/// Moves a tenant to `to` if its lifecycle allows; returns the old status.
pub fn move_to(catalog: &Catalog, tenant: &str, to: Status) -> Result<Status, SqlError> {
    let tx = catalog.begin()?;
    let from = status_of(&tx, tenant)?.ok_or_else(|| no_tenant(tenant))?;
    from.transition(tenant, to)?;
    tx.execute(
        "UPDATE tenant SET status = ?2 WHERE name = ?1",
        params![tenant, to.as_str()],
    )?;
    tx.commit()?;
    Ok(from)
}

/// Resumes a suspended tenant. (`provisioning → active` is the lifecycle's
/// too, but only provisioning itself takes it.)
pub fn resume(catalog: &Catalog, tenant: &str) -> Result<(), SqlError> {
    let tx = catalog.begin()?;
    let from = status_of(&tx, tenant)?.ok_or_else(|| no_tenant(tenant))?;
    if from != Status::Suspended {
        return Err(SqlError::new(
            "55000",
            format!(
                "tenant \"{tenant}\" is {}: only a suspended tenant can be resumed",
                from.as_str()
            ),
        ));
    }
    from.transition(tenant, Status::Active)?;
    tx.execute(
        "UPDATE tenant SET status = 'active' WHERE name = ?1",
        params![tenant],
    )?;
    tx.commit()?;
    Ok(())
}

/// Changes a tenant's plan (the caller validated the name).
pub fn set_plan(catalog: &Catalog, tenant: &str, plan: &str) -> Result<(), SqlError> {
    let n = catalog.conn()?.execute(
        "UPDATE tenant SET plan = ?2 WHERE name = ?1 AND status <> 'destroying'",
        params![tenant, plan],
    )?;
    if n == 0 {
        return Err(no_tenant(tenant));
    }
    Ok(())
}

/// Overrides one quota for one tenant; `None` returns it to the plan's value.
pub fn set_quota(
    catalog: &Catalog,
    tenant: &str,
    name: &str,
    value: Option<u64>,
) -> Result<(), SqlError> {
    let conn = catalog.begin()?;
    if status_of(&conn, tenant)?.is_none() {
        return Err(no_tenant(tenant));
    }
    match value {
        Some(v) => conn.execute(
            "INSERT INTO tenant_quota (tenant, name, value) VALUES (?1, ?2, ?3)
             ON CONFLICT (tenant, name) DO UPDATE SET value = excluded.value",
            params![tenant, name, v as i64],
        ),
        None => conn.execute(
            "DELETE FROM tenant_quota WHERE tenant = ?1 AND name = ?2",
            params![tenant, name],
        ),
    }?;
    conn.commit()
}

/// The effective quotas of a tenant (plan defaults plus overrides).
pub fn quotas(
    catalog: &Catalog,
    plans: &super::quota::Plans,
    tenant: &str,
) -> Result<super::quota::Quotas, SqlError> {
    super::quota::effective(&catalog.conn()?, plans, tenant)
}

/// Names and statuses of every tenant, for usage reports.
pub fn tenant_names(catalog: &Catalog) -> Result<Vec<(String, String)>, SqlError> {
    catalog
        .conn()?
        .query("SELECT name, status FROM tenant ORDER BY name", &[])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failed_step_leaves_tenant_failed_and_nothing_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let c = Catalog::open(dir.path()).unwrap();
        // Something already sits where the tenant folder goes.
        std::fs::write(c.tenant_dir("acme"), b"in the way").unwrap();
        let err = create(&c, "acme", &NewTenant::default(), &NewDb::File).unwrap_err();
        assert_eq!(err.code, "58030");
        let conn = c.conn().unwrap();
        let r = conn
            .query_one(
                "SELECT status, failure_reason FROM tenants WHERE tenant = 'acme'",
                &[],
            )
            .unwrap();
        let (status, reason): (String, String) = (r.get(0).unwrap(), r.get(1).unwrap());
        assert_eq!(status, "failed");
        assert!(reason.starts_with("create_folder:"), "{reason}");
        let envs: i64 = conn
            .query_one("SELECT count(*) FROM environment", &[])
            .unwrap()
            .get(0)
            .unwrap();
        assert_eq!(envs, 0);
        let steps: Vec<String> = conn
            .query(
                "SELECT step || '=' || status FROM provisioning_steps ORDER BY seq",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0).unwrap())
            .collect();
        assert_eq!(steps, ["register=done", "create_folder=failed"]);
        drop(conn);
        // The file in the way is not ours: it stays.
        assert!(c.tenant_dir("acme").is_file());
        assert_eq!(
            create(&c, "acme", &NewTenant::default(), &NewDb::File)
                .unwrap_err()
                .code,
            "42710"
        );
        assert_eq!(
            move_to(&c, "acme", Status::Active).unwrap_err().code,
            "55000"
        );
        move_to(&c, "acme", Status::Destroying).unwrap();
    }
}
