//! Environments of a tenant (each its own database file) and their
//! hostnames: canonical ones from the configured patterns, custom ones bound
//! with `pgtenant.set_hostname` (unique across the fleet).

use rusqlite::params;

use super::{now_text, Catalog, Exec};
use crate::backend::sqlite::open;
use crate::sql::errors::SqlError;
use crate::tenant::hostname::{valid_hostname, Patterns};
use crate::tenant::remote_db::{display_url, Location, NewDb};
use crate::tenant::resolve::{valid_name, DEFAULT_ENV};

/// Tables and the view of this module; the view is recreated so that it
/// follows the running version.
pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS custom_hostname (
    hostname    TEXT PRIMARY KEY,
    tenant      TEXT NOT NULL,
    environment TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    UNIQUE (tenant, environment),
    FOREIGN KEY (tenant, environment) REFERENCES environment (tenant, name) ON DELETE CASCADE
);
CREATE TABLE IF NOT EXISTS hostname_pattern (
    kind    TEXT PRIMARY KEY,
    pattern TEXT NOT NULL
);
DROP VIEW IF EXISTS environments;
CREATE VIEW environments AS
    SELECT e.tenant AS tenant, e.name AS environment,
           coalesce(h.hostname, c.canonical) AS hostname,
           CASE WHEN e.database_url LIKE '%://%' THEN e.database_url
                ELSE 'sqlite:' || e.database_url END AS database_url,
           e.created_at AS created_at,
           c.canonical AS canonical_hostname
    FROM environment e
    LEFT JOIN custom_hostname h ON h.tenant = e.tenant AND h.environment = e.name
    LEFT JOIN (SELECT e2.tenant AS tenant, e2.name AS name,
                      (SELECT replace(replace(p.pattern, '{tenant}', e2.tenant), '{env}', e2.name)
                       FROM hostname_pattern p
                       WHERE p.kind = CASE WHEN e2.name = 'prod' THEN 'prod' ELSE 'env' END) AS canonical
               FROM environment e2) c ON c.tenant = e.tenant AND c.name = e.name;
";

/// A row of `pgtenant.create_environment` / `set_hostname`.
#[derive(Debug, Clone)]
pub struct EnvRow {
    pub tenant: String,
    pub environment: String,
    /// The custom hostname if one is bound, else the canonical one.
    pub hostname: Option<String>,
    pub database_url: String,
    pub created_at: String,
}

/// What a TLS server name (SNI) points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostMatch {
    /// A custom hostname, or exactly one existing environment by pattern.
    Environment { tenant: String, env: String },
    /// Shaped like a tenant hostname, but no such environment (or several).
    Unknown,
    /// Neither a custom hostname nor a pattern's shape: names no tenant.
    None,
}

fn invalid_env(env: &str) -> SqlError {
    SqlError::new("22023", format!("invalid environment name \"{env}\"")).with_detail(
        "Environment names are 1 to 63 characters: lower-case letters, digits, '_' and '-', starting with a letter or digit.",
    )
}

fn no_env(tenant: &str, env: &str) -> SqlError {
    SqlError::new(
        "42704",
        format!("environment \"{env}\" of tenant \"{tenant}\" does not exist"),
    )
}

impl Catalog {
    /// Records the configured patterns so that `pgtenant.environments`
    /// shows canonical hostnames.
    pub fn sync_hostname_patterns(&self, patterns: &Patterns) -> Result<(), SqlError> {
        let tx = self.begin()?;
        tx.execute("DELETE FROM hostname_pattern", &[])?;
        for (kind, p) in [
            ("env", patterns.env.as_ref()),
            ("prod", patterns.for_env(DEFAULT_ENV)),
        ] {
            if let Some(p) = p {
                tx.execute(
                    "INSERT INTO hostname_pattern (kind, pattern) VALUES (?1, ?2)",
                    params![kind, p.as_str()],
                )?;
            }
        }
        tx.commit()
    }

    /// Creates an environment with its own database: a file, or for a
    /// libSQL tenant a remote database.
    pub fn create_environment(
        &self,
        tenant: &str,
        env: &str,
        hostname: Option<&str>,
        patterns: &Patterns,
        new_db: &NewDb<'_>,
    ) -> Result<EnvRow, SqlError> {
        if !valid_name(env) {
            return Err(invalid_env(env));
        }
        let tx = self.begin()?;
        Self::require_tenant(&tx, tenant)?;
        let created_at = now_text();
        let url = match new_db {
            NewDb::File => Self::relative_url(tenant, env),
            NewDb::Remote { url, .. } => url.clone(),
        };
        let n = tx.execute(
            "INSERT INTO environment (tenant, name, database_url, created_at)
             VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING",
            params![tenant, env, url, created_at],
        )?;
        if n == 0 {
            return Err(SqlError::new(
                "42710",
                format!("environment \"{env}\" of tenant \"{tenant}\" already exists"),
            ));
        }
        if let Some(h) = hostname {
            bind_hostname(&tx, tenant, env, h, patterns)?;
        }
        if let NewDb::Remote {
            sealed_token,
            create,
            ..
        } = new_db
        {
            if let Some(token) = sealed_token {
                tx.execute(
                    "INSERT INTO remote_credential (tenant, environment, auth_token) VALUES (?1, ?2, ?3)",
                    params![tenant, env, token],
                )?;
            }
            // The remote database exists before the row commits.
            let settled = create()?;
            if let Some(m) = &settled {
                crate::tenant::provision::settle_remote(&tx, tenant, env, m)?;
            }
            tx.commit()?;
            return Ok(EnvRow {
                tenant: tenant.to_owned(),
                environment: env.to_owned(),
                hostname: hostname
                    .map(str::to_ascii_lowercase)
                    .or_else(|| patterns.canonical(tenant, env)),
                database_url: settled.map_or(url, |m| m.url),
                created_at,
            });
        }
        // The file exists before the row commits; a failure rolls both back.
        let path = self.resolve_url(&url);
        let made = std::fs::create_dir_all(self.tenant_dir(tenant))
            .map_err(|e| SqlError::internal("creating the tenant folder", e))
            .and_then(|_| {
                open::create(&path)
                    .map_err(|e| SqlError::internal("creating the environment database", e))
            });
        if let Err(e) = made.and_then(|_| tx.commit()) {
            remove_db_files(&path);
            return Err(e);
        }
        Ok(EnvRow {
            tenant: tenant.to_owned(),
            environment: env.to_owned(),
            hostname: hostname
                .map(str::to_ascii_lowercase)
                .or_else(|| patterns.canonical(tenant, env)),
            database_url: format!("sqlite:{url}"),
            created_at,
        })
    }

    /// Removes an environment from the catalog (new logins to it fail from
    /// here on) and returns its database file for the caller to delete once
    /// its sessions are closed. `prod` cannot be dropped: it goes with the tenant.
    pub fn drop_environment(&self, tenant: &str, env: &str) -> Result<Location, SqlError> {
        if env == DEFAULT_ENV {
            return Err(SqlError::new(
                "2BP01",
                format!("cannot drop environment \"prod\" of tenant \"{tenant}\": every tenant has one"),
            )
            .with_detail(format!("Use pgtenant.drop_tenant('{tenant}') to remove the tenant with all its environments.")));
        }
        let tx = self.begin()?;
        Self::require_tenant(&tx, tenant)?;
        // Explicit deletes rather than ON DELETE CASCADE: a remote catalog's
        // connections may not enforce foreign keys.
        for table in ["custom_hostname", "remote_credential"] {
            tx.execute(
                &format!("DELETE FROM {table} WHERE tenant = ?1 AND environment = ?2"),
                params![tenant, env],
            )?;
        }
        let url: Option<String> = tx
            .query_opt(
                "DELETE FROM environment WHERE tenant = ?1 AND name = ?2 RETURNING database_url",
                params![tenant, env],
            )?
            .map(|r| r.get(0))
            .transpose()?;
        tx.commit()?;
        match url {
            Some(url) => Ok(self.location(url, None)),
            None => Err(no_env(tenant, env)),
        }
    }

    /// Binds (or with `None`, unbinds) an environment's custom hostname.
    pub fn set_hostname(
        &self,
        tenant: &str,
        env: &str,
        hostname: Option<&str>,
        patterns: &Patterns,
    ) -> Result<EnvRow, SqlError> {
        let tx = self.begin()?;
        Self::require_tenant(&tx, tenant)?;
        let found = tx.query_opt(
            "SELECT database_url, created_at FROM environment WHERE tenant = ?1 AND name = ?2",
            params![tenant, env],
        )?;
        let row = found.ok_or_else(|| no_env(tenant, env))?;
        let (url, created_at): (String, String) = (row.get(0)?, row.get(1)?);
        tx.execute(
            "DELETE FROM custom_hostname WHERE tenant = ?1 AND environment = ?2",
            params![tenant, env],
        )?;
        if let Some(h) = hostname {
            bind_hostname(&tx, tenant, env, h, patterns)?;
        }
        tx.commit()?;
        Ok(EnvRow {
            tenant: tenant.to_owned(),
            environment: env.to_owned(),
            hostname: hostname
                .map(str::to_ascii_lowercase)
                .or_else(|| patterns.canonical(tenant, env)),
            database_url: display_url(&url),
            created_at,
        })
    }

    /// Which environment a TLS server name points at: an exact custom
    /// hostname first (one primary-key lookup), then the patterns.
    pub fn lookup_host(&self, host: &str, patterns: &Patterns) -> Result<HostMatch, SqlError> {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        let conn = self.conn()?;
        let custom = conn.query_opt(
            "SELECT tenant, environment FROM custom_hostname WHERE hostname = ?1",
            params![host],
        )?;
        if let Some(r) = custom {
            return Ok(HostMatch::Environment {
                tenant: r.get(0)?,
                env: r.get(1)?,
            });
        }
        let candidates = patterns.candidates(&host);
        if candidates.is_empty() {
            return Ok(HostMatch::None);
        }
        let mut existing = Vec::new();
        for (t, e) in candidates {
            if conn
                .query_one(
                    "SELECT EXISTS (SELECT 1 FROM environment WHERE tenant = ?1 AND name = ?2)",
                    params![t, e],
                )?
                .get::<bool>(0)?
            {
                existing.push((t, e));
            }
        }
        Ok(match existing.len() {
            1 => {
                let (tenant, env) = existing.pop().expect("one candidate");
                HostMatch::Environment { tenant, env }
            }
            0 => HostMatch::Unknown,
            _ => {
                tracing::warn!(%host, ?existing, "hostname matches several environments; bind a custom hostname to disambiguate");
                HostMatch::Unknown
            }
        })
    }
}

/// Inserts a custom hostname row, refusing one bound elsewhere or one that is
/// (by pattern) the canonical hostname of a different environment.
fn bind_hostname(
    conn: &dyn Exec,
    tenant: &str,
    env: &str,
    hostname: &str,
    patterns: &Patterns,
) -> Result<(), SqlError> {
    let host = hostname.to_ascii_lowercase();
    if !valid_hostname(&host) {
        return Err(SqlError::new("22023", format!("invalid hostname \"{hostname}\""))
            .with_detail("A hostname is dot-separated labels of letters, digits and '-', each 1 to 63 characters, 253 in all."));
    }
    let taken = conn.query_opt(
        "SELECT tenant, environment FROM custom_hostname WHERE hostname = ?1",
        params![host],
    )?;
    if let Some(r) = taken {
        let (t, e): (String, String) = (r.get(0)?, r.get(1)?);
        return Err(SqlError::new(
            "23505",
            format!(
                "hostname \"{host}\" is already bound to environment \"{e}\" of tenant \"{t}\""
            ),
        )
        .with_detail("Key (hostname) already exists: hostnames are unique across all tenants."));
    }
    let canonical = patterns.candidates(&host);
    if !canonical.is_empty() && !canonical.iter().any(|(t, e)| t == tenant && e == env) {
        let (t, e) = &canonical[0];
        return Err(SqlError::new(
            "23505",
            format!("hostname \"{host}\" is the canonical hostname of environment \"{e}\" of tenant \"{t}\""),
        )
        .with_detail("Hostnames matching hostname_pattern or prod_hostname_pattern are reserved for the environment they name."));
    }
    conn.execute(
        "INSERT INTO custom_hostname (hostname, tenant, environment, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![host, tenant, env, now_text()],
    )?;
    Ok(())
}

/// Deletes a database file with its WAL and shared-memory files.
pub fn remove_db_files(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        match std::fs::remove_file(&p) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => tracing::warn!(file = ?p, error = %e, "could not remove a database file"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_lookup_order() {
        let dir = tempfile::tempdir().unwrap();
        let c = Catalog::open(dir.path()).unwrap();
        let p = Patterns::from_config(Some("{tenant}-{env}.db.test"), Some("{tenant}.db.test"))
            .unwrap();
        c.create_tenant("my").unwrap();
        c.create_tenant("my-app").unwrap();
        c.create_environment("my-app", "dev", None, &p, &NewDb::File)
            .unwrap();
        let env = |t: &str, e: &str| HostMatch::Environment {
            tenant: t.into(),
            env: e.into(),
        };
        assert_eq!(c.lookup_host("my.db.test", &p).unwrap(), env("my", "prod"));
        assert_eq!(
            c.lookup_host("My-App-Dev.db.test.", &p).unwrap(),
            env("my-app", "dev")
        );
        assert_eq!(
            c.lookup_host("ghost.db.test", &p).unwrap(),
            HostMatch::Unknown
        );
        assert_eq!(c.lookup_host("localhost", &p).unwrap(), HostMatch::None);
        // (my, app-dev) and (my-app, dev) both existing: ambiguous, refused
        c.create_environment("my", "app-dev", None, &p, &NewDb::File)
            .unwrap();
        assert_eq!(
            c.lookup_host("my-app-dev.db.test", &p).unwrap(),
            HostMatch::Unknown
        );
        // a custom hostname wins over the patterns
        c.set_hostname("my", "app-dev", Some("x.example.org"), &p)
            .unwrap();
        assert_eq!(
            c.lookup_host("x.example.org", &p).unwrap(),
            env("my", "app-dev")
        );
        // removing the environment frees its hostname
        c.drop_environment("my", "app-dev").unwrap();
        assert_eq!(c.lookup_host("x.example.org", &p).unwrap(), HostMatch::None);
        assert_eq!(
            c.lookup_host("my-app-dev.db.test", &p).unwrap(),
            env("my-app", "dev")
        );
    }
}
