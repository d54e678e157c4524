//! The control plane: tenants, their environments and users, in an SQLite
//! database under the data folder, or in a remote libSQL database shared by
//! several instances (`catalog_url`, see [`store`]). All methods block;
//! call them from the blocking pool.

use std::path::{Path, PathBuf};

use rusqlite::params;

use super::scram::Verifier;
use crate::backend::libsql::RemoteConfig;
use crate::sql::errors::SqlError;

mod environments;
mod local;
mod remote;
pub mod store;
pub use environments::{remove_db_files, EnvRow, HostMatch};
pub use store::{Exec, Row, Store, Tx};

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS tenant (
    name        TEXT PRIMARY KEY,
    status      TEXT NOT NULL,
    plan        TEXT NOT NULL DEFAULT 'free',
    created_at  TEXT NOT NULL,
    region      TEXT,
    backend     TEXT NOT NULL DEFAULT 'sqlite',
    failure_reason TEXT
);
CREATE TABLE IF NOT EXISTS environment (
    tenant       TEXT NOT NULL REFERENCES tenant(name) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    database_url TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);
CREATE TABLE IF NOT EXISTS tenant_user (
    tenant         TEXT NOT NULL REFERENCES tenant(name) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    role           TEXT NOT NULL DEFAULT 'owner',
    scram_verifier TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (tenant, name)
);
CREATE TABLE IF NOT EXISTS remote_credential (
    tenant      TEXT NOT NULL,
    environment TEXT NOT NULL,
    auth_token  TEXT NOT NULL,
    PRIMARY KEY (tenant, environment),
    FOREIGN KEY (tenant, environment) REFERENCES environment (tenant, name) ON DELETE CASCADE
);
CREATE VIEW IF NOT EXISTS tenants AS
    SELECT t.name AS tenant, t.status AS status, t.plan AS plan, t.created_at AS created_at,
           t.failure_reason AS failure_reason, t.region AS region, t.backend AS backend,
           (SELECT group_concat(e.name, ',') FROM environment e WHERE e.tenant = t.name) AS environments,
           (SELECT count(*) FROM tenant_user u WHERE u.tenant = t.name) AS users
    FROM tenant t;
CREATE VIEW IF NOT EXISTS users AS
    SELECT u.tenant AS tenant, u.name AS \"user\", u.role AS role, u.created_at AS created_at
    FROM tenant_user u;
";

/// Names that cannot be tenants: they mean something to the server.
pub(crate) const RESERVED: &[&str] = &["pgtenant", "postgres", "template0", "template1", "admin"];

/// What authentication needs to know about a tenant user.
#[derive(Debug, Clone)]
pub struct LoginRecord {
    pub verifier: Verifier,
    pub role: String,
    pub tenant_status: String,
    pub location: super::remote_db::Location,
}

/// A row of `create_tenant`'s result.
#[derive(Debug, Clone)]
pub struct TenantRow {
    pub tenant: String,
    pub environment: String,
    pub status: String,
    pub database_url: String,
    pub created_at: String,
}

#[derive(Debug, Clone)]
pub struct UserRow {
    pub tenant: String,
    pub user: String,
    pub role: String,
    pub created_at: String,
}

pub struct Catalog {
    store: Store,
    data_dir: PathBuf,
    /// The catalog file; None when the catalog is remote.
    path: Option<PathBuf>,
}

pub fn now_text() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S%.6f+00")
        .to_string()
}

/// A catalog failure as the admin sees it. A write the disk or a file-size
/// limit refused is 53100 like a tenant's (SQLite reports ENOSPC as FULL,
/// EFBIG/EDQUOT as a failed write or truncate): the catalog is unchanged and
/// reads go on. Anything else is an internal error, logged in full.
pub(crate) fn db_err(e: rusqlite::Error) -> SqlError {
    if refused_for_space(&e) {
        tracing::warn!(error = %e, "catalog write refused: no space");
        return SqlError::new("53100", "could not write to the catalog: disk full")
            .with_detail("The data folder's disk or file-size limit is full. Nothing was changed; reads and existing sessions go on.");
    }
    SqlError::internal("catalog", e)
}

/// Whether SQLite failed because a write found no space.
pub(crate) fn refused_for_space(e: &rusqlite::Error) -> bool {
    use rusqlite::ffi;
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::DiskFull
            || matches!(f.extended_code, ffi::SQLITE_IOERR_WRITE | ffi::SQLITE_IOERR_TRUNCATE))
}

fn make_data_dir(data_dir: &Path) -> Result<(), SqlError> {
    std::fs::create_dir_all(data_dir.join("tenants"))
        .map_err(|e| SqlError::internal("creating the data folder", e))
}

fn valid_user_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 63
        && name
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
}

const ROLES: &[&str] = &["owner", "readwrite", "readonly"];

impl Catalog {
    /// Opens (creating if needed) the catalog under `data_dir`.
    pub fn open(data_dir: &Path) -> Result<Catalog, SqlError> {
        make_data_dir(data_dir)?;
        let path = data_dir.join("catalog.db");
        let conn = local::open(&path)?;
        Self::with_store(
            Store::Local(std::sync::Mutex::new(conn)),
            data_dir,
            Some(path),
        )
    }

    /// Opens the catalog on a remote libSQL database (`catalog_url`) and
    /// creates its tables if needed; fails at once if it does not answer.
    /// Until [`Catalog::started`], statements may wait longer than the
    /// configured deadline for another instance starting at the same time.
    pub fn open_remote(data_dir: &Path, cfg: RemoteConfig) -> Result<Catalog, SqlError> {
        make_data_dir(data_dir)?;
        let remote = remote::Remote::open(cfg)?;
        Self::with_store(Store::Remote(remote), data_dir, None)
    }

    fn with_store(
        store: Store,
        data_dir: &Path,
        path: Option<PathBuf>,
    ) -> Result<Catalog, SqlError> {
        store.apply_schema(&[
            SCHEMA,
            environments::SCHEMA,
            super::quota::SCHEMA,
            super::provision::SCHEMA,
            super::backup::SCHEMA,
        ])?;
        Ok(Catalog {
            store,
            data_dir: data_dir.to_owned(),
            path,
        })
    }

    /// The catalog file, for the admin role's read-only queries and the
    /// deployment history; 0A000 when the catalog is remote.
    pub fn local_path(&self) -> Result<&Path, SqlError> {
        self.path.as_deref().ok_or_else(|| {
            SqlError::new(
                "0A000",
                "this operation is not available with a remote catalog (catalog_url)",
            )
        })
    }

    /// The remote catalog's connection settings, if it is remote.
    pub fn remote_config(&self) -> Option<&RemoteConfig> {
        match &self.store {
            Store::Remote(r) => Some(r.config()),
            Store::Local(_) => None,
        }
    }

    /// Startup is over: a remote catalog's statements get the configured
    /// deadline again (see [`Catalog::open_remote`]).
    pub fn started(&self) {
        if let Store::Remote(r) = &self.store {
            r.set_startup(false);
        }
    }

    /// Whether several instances may share this catalog.
    pub fn is_remote(&self) -> bool {
        self.store.is_remote()
    }

    /// A connection for a few statements.
    pub fn conn(&self) -> Result<store::Conn<'_>, SqlError> {
        self.store.conn()
    }

    /// A write transaction; it rolls back unless committed.
    pub fn begin(&self) -> Result<Tx<'_>, SqlError> {
        self.store.begin()
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Relative database location of an environment, as stored in the catalog.
    pub(crate) fn relative_url(tenant: &str, env: &str) -> String {
        format!("tenants/{tenant}/{env}.db")
    }

    /// Resolves a stored database URL to a file under the data folder.
    pub fn resolve_url(&self, url: &str) -> PathBuf {
        self.data_dir.join(url)
    }

    /// Where a stored database URL points: a file under the data folder or
    /// a remote libSQL database.
    pub fn location(
        &self,
        url: String,
        sealed_token: Option<String>,
    ) -> super::remote_db::Location {
        use super::remote_db::Location;
        if crate::backend::libsql::config::is_remote_url(&url) {
            Location::Remote { url, sealed_token }
        } else {
            Location::File(self.resolve_url(&url))
        }
    }

    /// The tenant's environments and their stored `database_url`s.
    pub fn environment_urls(&self, tenant: &str) -> Result<Vec<(String, String)>, SqlError> {
        self.conn()?
            .query(
                "SELECT name, database_url FROM environment WHERE tenant = ?1",
                params![tenant],
            )?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .collect()
    }

    /// The backend a tenant was created with (`sqlite` or `libsql`).
    pub fn backend_of(&self, tenant: &str) -> Result<String, SqlError> {
        self.conn()?
            .query_opt(
                "SELECT backend FROM tenant WHERE name = ?1",
                params![tenant],
            )?
            .ok_or_else(|| SqlError::new("42704", format!("tenant \"{tenant}\" does not exist")))?
            .get(0)
    }

    pub fn tenant_dir(&self, tenant: &str) -> PathBuf {
        self.data_dir.join("tenants").join(tenant)
    }

    /// Looks up a tenant user for authentication.
    pub fn lookup_login(
        &self,
        tenant: &str,
        env: &str,
        user: &str,
    ) -> Result<Option<LoginRecord>, SqlError> {
        // No cache: with a shared catalog, what another instance did
        // (created, suspended, dropped) counts from the next login on.
        let row = self.conn()?.query_opt(
            "SELECT u.scram_verifier, u.role, t.status, e.database_url, r.auth_token
             FROM tenant_user u
             JOIN tenant t ON t.name = u.tenant
             JOIN environment e ON e.tenant = u.tenant AND e.name = ?2
             LEFT JOIN remote_credential r ON r.tenant = e.tenant AND r.environment = e.name
             WHERE u.tenant = ?1 AND u.name = ?3",
            params![tenant, env, user],
        )?;
        let row = match row {
            Some(r) => Some((
                r.get::<String>(0)?,
                r.get::<String>(1)?,
                r.get::<String>(2)?,
                r.get::<String>(3)?,
                r.get::<Option<String>>(4)?,
            )),
            None => None,
        };
        Ok(row.and_then(|(v, role, status, url, token)| {
            Some(LoginRecord {
                verifier: Verifier::decode(&v)?,
                role,
                tenant_status: status,
                location: self.location(url, token),
            })
        }))
    }

    /// The role of a tenant's user, if the user exists (GRANT's grantees).
    pub fn user_role(&self, tenant: &str, user: &str) -> Result<Option<String>, SqlError> {
        let row = self.conn()?.query_opt(
            "SELECT role FROM tenant_user WHERE tenant = ?1 AND name = ?2",
            params![tenant, user],
        )?;
        row.map(|r| r.get::<String>(0)).transpose()
    }

    /// Creates a tenant with its `prod` environment and database file on the
    /// free plan (see [`super::provision::create`] for the steps).
    pub fn create_tenant(&self, name: &str) -> Result<TenantRow, SqlError> {
        super::provision::create(
            self,
            name,
            &super::provision::NewTenant::default(),
            &super::remote_db::NewDb::File,
        )
    }

    /// Marks a tenant `destroying`; the caller closes its sessions, then
    /// calls [`Catalog::finish_drop_tenant`].
    pub fn begin_drop_tenant(&self, name: &str) -> Result<(), SqlError> {
        super::provision::move_to(self, name, super::lifecycle::Status::Destroying).map(|_| ())
    }

    /// Removes the tenant's files, then its catalog rows.
    pub fn finish_drop_tenant(&self, name: &str) -> Result<(), SqlError> {
        let dir = self.tenant_dir(name);
        if dir.exists() {
            std::fs::remove_dir_all(&dir)
                .map_err(|e| SqlError::internal("removing the tenant's files", e))?;
        }
        // Explicit deletes rather than ON DELETE CASCADE: a remote catalog's
        // connections may not enforce foreign keys.
        let tx = self.begin()?;
        for table in [
            "remote_credential WHERE tenant = ?1",
            "custom_hostname WHERE tenant = ?1",
            "tenant_user WHERE tenant = ?1",
            "tenant_quota WHERE tenant = ?1",
            "provisioning_step WHERE tenant = ?1",
            "backup WHERE tenant = ?1",
            "environment WHERE tenant = ?1",
            "tenant WHERE name = ?1",
        ] {
            tx.execute(&format!("DELETE FROM {table}"), params![name])?;
        }
        tx.commit()
    }

    fn require_tenant(conn: &dyn Exec, tenant: &str) -> Result<(), SqlError> {
        let exists: bool = conn
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM tenant WHERE name = ?1 AND status <> 'destroying')",
                params![tenant],
            )?
            .get(0)?;
        if exists {
            Ok(())
        } else {
            Err(SqlError::new(
                "42704",
                format!("tenant \"{tenant}\" does not exist"),
            ))
        }
    }

    pub fn create_user(
        &self,
        tenant: &str,
        user: &str,
        password: &str,
        role: &str,
    ) -> Result<UserRow, SqlError> {
        if !valid_user_name(user) {
            return Err(
                SqlError::new("22023", format!("invalid user name \"{user}\"")).with_detail(
                    "User names are 1 to 63 characters: letters, digits, '_', '-' and '.'.",
                ),
            );
        }
        if !ROLES.contains(&role) {
            return Err(SqlError::new("22023", format!("invalid role \"{role}\""))
                .with_detail("Roles are owner, readwrite and readonly."));
        }
        if password.is_empty() {
            return Err(SqlError::new("22023", "password must not be empty"));
        }
        // Derive the verifier before taking the lock: it costs 4096 HMAC rounds.
        let verifier = Verifier::new(password).encode();
        let tx = self.begin()?;
        Self::require_tenant(&tx, tenant)?;
        let created_at = now_text();
        let n = tx.execute(
            "INSERT INTO tenant_user (tenant, name, role, scram_verifier, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
            params![tenant, user, role, verifier, created_at],
        )?;
        tx.commit()?;
        if n == 0 {
            return Err(SqlError::new(
                "42710",
                format!("user \"{user}\" already exists in tenant \"{tenant}\""),
            ));
        }
        Ok(UserRow {
            tenant: tenant.to_owned(),
            user: user.to_owned(),
            role: role.to_owned(),
            created_at,
        })
    }

    pub fn drop_user(&self, tenant: &str, user: &str) -> Result<(), SqlError> {
        let tx = self.begin()?;
        Self::require_tenant(&tx, tenant)?;
        let n = tx.execute(
            "DELETE FROM tenant_user WHERE tenant = ?1 AND name = ?2",
            params![tenant, user],
        )?;
        tx.commit()?;
        if n == 0 {
            return Err(SqlError::new(
                "42704",
                format!("user \"{user}\" does not exist in tenant \"{tenant}\""),
            ));
        }
        Ok(())
    }

    pub fn set_password(&self, tenant: &str, user: &str, password: &str) -> Result<(), SqlError> {
        if password.is_empty() {
            return Err(SqlError::new("22023", "password must not be empty"));
        }
        let verifier = Verifier::new(password).encode();
        let tx = self.begin()?;
        Self::require_tenant(&tx, tenant)?;
        let n = tx.execute(
            "UPDATE tenant_user SET scram_verifier = ?3 WHERE tenant = ?1 AND name = ?2",
            params![tenant, user, verifier],
        )?;
        tx.commit()?;
        if n == 0 {
            return Err(SqlError::new(
                "42704",
                format!("user \"{user}\" does not exist in tenant \"{tenant}\""),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle() {
        let dir = tempfile::tempdir().unwrap();
        let c = Catalog::open(dir.path()).unwrap();
        let row = c.create_tenant("acme").unwrap();
        assert_eq!(row.environment, "prod");
        assert!(dir.path().join("tenants/acme/prod.db").exists());
        assert_eq!(c.create_tenant("acme").unwrap_err().code, "42710");
        assert_eq!(c.create_tenant("../x").unwrap_err().code, "22023");
        assert_eq!(c.create_tenant("pgtenant").unwrap_err().code, "22023");
        c.create_user("acme", "alice", "pw", "owner").unwrap();
        assert_eq!(
            c.create_user("acme", "alice", "pw", "owner")
                .unwrap_err()
                .code,
            "42710"
        );
        assert_eq!(
            c.create_user("nope", "bob", "pw", "owner")
                .unwrap_err()
                .code,
            "42704"
        );
        let rec = c.lookup_login("acme", "prod", "alice").unwrap().unwrap();
        assert!(rec.verifier.matches("pw"));
        assert!(c
            .lookup_login("acme", "staging", "alice")
            .unwrap()
            .is_none());
        c.set_password("acme", "alice", "pw2").unwrap();
        let rec = c.lookup_login("acme", "prod", "alice").unwrap().unwrap();
        assert!(rec.verifier.matches("pw2"));
        c.begin_drop_tenant("acme").unwrap();
        c.finish_drop_tenant("acme").unwrap();
        assert!(!dir.path().join("tenants/acme").exists());
        assert!(c.lookup_login("acme", "prod", "alice").unwrap().is_none());
    }
}
