//! Startup reconciliation. A kill in the middle of create_tenant, drop_tenant
//! or a backup can leave the catalog and the data folder disagreeing; this
//! pass runs before the server accepts connections so that afterwards every
//! tenant is either whole, cleanly `failed` (it cannot log in; drop it to
//! start over), or absent. Every repair is logged.
//!
//! The rules are conservative: files that may hold user data are moved aside
//! into `quarantine/`, never deleted, and a missing database is never
//! replaced by an empty one (that would hide the loss behind a working login).
//! - `destroying`: the drop was interrupted; it is finished (files, then rows).
//! - `provisioning`: the create was interrupted; the tenant becomes `failed`.
//! - `active`/`suspended`/`failed`: each local environment must have its
//!   database file; a tenant missing one becomes `failed`.
//! - Any other status is left alone, with a warning.
//! - A folder under `tenants/` no tenant owns, and a `*.db` file in a tenant's
//!   folder no environment names: deleted if it holds no table (a create that
//!   died before its catalog commit), else moved to `quarantine/`.
//! - Under `backups/`: `*.tmp` files (interrupted backups) are deleted, backup
//!   rows whose file is gone are forgotten, files no row names are quarantined.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::params;

use super::catalog::{Catalog, Exec};
use crate::sql::errors::SqlError;

/// What the pass did, for tests and the startup log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub drops_finished: Vec<String>,
    pub marked_failed: Vec<String>,
    pub quarantined: Vec<String>,
    pub deleted: Vec<String>,
}

impl Report {
    pub fn is_empty(&self) -> bool {
        *self == Report::default()
    }
}

struct TenantRow {
    name: String,
    status: String,
    /// environment name → stored database URL
    envs: Vec<(String, String)>,
}

/// A stored URL naming a remote database (`libsql://...`) has no local file.
fn is_remote(url: &str) -> bool {
    url.contains("://")
}

fn load(conn: &dyn Exec) -> Result<Vec<TenantRow>, SqlError> {
    let mut tenants: Vec<TenantRow> = conn
        .query("SELECT name, status FROM tenant ORDER BY name", &[])?
        .iter()
        .map(|r| {
            Ok(TenantRow {
                name: r.get(0)?,
                status: r.get(1)?,
                envs: Vec::new(),
            })
        })
        .collect::<Result<_, SqlError>>()?;
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, t) in tenants.iter().enumerate() {
        index.insert(t.name.clone(), i);
    }
    let envs: Vec<(String, String, String)> = conn
        .query("SELECT tenant, name, database_url FROM environment", &[])?
        .iter()
        .map(|r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .collect::<Result<_, SqlError>>()?;
    for (tenant, env, url) in envs {
        if let Some(&i) = index.get(&tenant) {
            tenants[i].envs.push((env, url));
        }
    }
    Ok(tenants)
}

fn mark_failed(conn: &dyn Exec, tenant: &str, reason: &str) -> Result<(), SqlError> {
    // The lifecycle's failure_reason column, where the catalog has it.
    let has_reason: bool = conn
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pragma_table_info('tenant') WHERE name = 'failure_reason')",
            &[],
        )?
        .get(0)?;
    if has_reason {
        conn.execute(
            "UPDATE tenant SET status = 'failed', failure_reason = ?2 WHERE name = ?1",
            params![tenant, reason],
        )
    } else {
        conn.execute(
            "UPDATE tenant SET status = 'failed' WHERE name = ?1",
            params![tenant],
        )
    }?;
    Ok(())
}

/// Whether an SQLite file provably holds no user data: it opens and has no table.
/// Anything else (tables, or not readable as a database) counts as data.
fn holds_no_table(path: &Path) -> bool {
    let Ok(conn) = crate::backend::sqlite::open::open_file(path) else {
        return false;
    };
    conn.query_row(
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'pgcat\\_%' ESCAPE '\\'",
        [],
        |r| r.get::<_, i64>(0),
    )
    .map(|n| n == 0)
    .unwrap_or(false)
}

/// The database file and its WAL companions.
fn with_companions(db: &Path) -> [PathBuf; 3] {
    let s = db.as_os_str().to_owned();
    let mut wal = s.clone();
    wal.push("-wal");
    let mut shm = s;
    shm.push("-shm");
    [db.to_owned(), PathBuf::from(wal), PathBuf::from(shm)]
}

struct Pass<'a> {
    data_dir: &'a Path,
    stamp: String,
    report: Report,
}

impl Pass<'_> {
    fn rel(&self, p: &Path) -> String {
        p.strip_prefix(self.data_dir)
            .unwrap_or(p)
            .display()
            .to_string()
    }

    /// Moves `path` (a file or folder) to `quarantine/<stamp>/<its relative path>`.
    fn quarantine(&mut self, path: &Path) -> Result<(), SqlError> {
        let rel = self.rel(path);
        let target = self
            .data_dir
            .join("quarantine")
            .join(&self.stamp)
            .join(&rel);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| SqlError::internal("creating the quarantine folder", e))?;
        }
        std::fs::rename(path, &target)
            .map_err(|e| SqlError::internal("moving a file to quarantine", e))?;
        tracing::warn!(
            file = %rel,
            moved_to = %self.rel(&target),
            "reconcile: no catalog entry owns this data; moved to quarantine"
        );
        self.report.quarantined.push(rel);
        Ok(())
    }

    fn delete(&mut self, path: &Path, why: &str) -> Result<(), SqlError> {
        let rel = self.rel(path);
        let r = if path.is_dir() {
            std::fs::remove_dir_all(path)
        } else {
            std::fs::remove_file(path)
        };
        match r {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(SqlError::internal("removing a leftover file", e)),
        }
        tracing::warn!(file = %rel, "reconcile: deleted {why}");
        self.report.deleted.push(rel);
        Ok(())
    }

    /// An unowned database: deleted with its companions if it holds no table, else quarantined.
    fn orphan_db(&mut self, db: &Path) -> Result<(), SqlError> {
        let files = with_companions(db);
        if holds_no_table(db) {
            for f in &files {
                if f.exists() {
                    self.delete(f, "an empty database no catalog entry owns")?;
                }
            }
        } else {
            for f in &files {
                if f.exists() {
                    self.quarantine(f)?;
                }
            }
        }
        Ok(())
    }

    /// A folder under `tenants/` no tenant owns.
    fn orphan_folder(&mut self, dir: &Path) -> Result<(), SqlError> {
        let entries = list(dir)?;
        let all_empty_dbs = entries.iter().all(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            if name.ends_with("-wal") || name.ends_with("-shm") {
                true
            } else {
                name.ends_with(".db") && p.is_file() && holds_no_table(p)
            }
        });
        if all_empty_dbs {
            self.delete(dir, "a half-made tenant folder holding no table")
        } else {
            self.quarantine(dir)
        }
    }
}

fn list(dir: &Path) -> Result<Vec<PathBuf>, SqlError> {
    match std::fs::read_dir(dir) {
        Ok(rd) => Ok(rd.filter_map(|e| e.ok().map(|e| e.path())).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(SqlError::internal("listing the data folder", e)),
    }
}

/// Runs the pass over the catalog and the data folder. Call before accepting.
pub fn run(catalog: &Catalog, data_dir: &Path) -> Result<Report, SqlError> {
    let mut pass = Pass {
        data_dir,
        stamp: chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ").to_string(),
        report: Report::default(),
    };
    let conn = catalog.conn()?;
    let tenants = load(&conn)?;

    // Catalog → files.
    for t in &tenants {
        match t.status.as_str() {
            "destroying" => {
                let dir = catalog.tenant_dir(&t.name);
                if dir.exists() {
                    std::fs::remove_dir_all(&dir)
                        .map_err(|e| SqlError::internal("removing the tenant's files", e))?;
                }
                conn.execute("DELETE FROM tenant WHERE name = ?1", params![t.name])?;
                tracing::warn!(tenant = %t.name, "reconcile: finished an interrupted drop_tenant");
                pass.report.drops_finished.push(t.name.clone());
            }
            "provisioning" => {
                mark_failed(
                    &conn,
                    &t.name,
                    "provisioning was interrupted by a server restart",
                )?;
                tracing::warn!(tenant = %t.name, "reconcile: interrupted provisioning; tenant marked failed");
                pass.report.marked_failed.push(t.name.clone());
            }
            "active" | "suspended" | "failed" => {
                let missing: Vec<&str> = t
                    .envs
                    .iter()
                    .filter(|(_, url)| !is_remote(url) && !catalog.resolve_url(url).is_file())
                    .map(|(env, _)| env.as_str())
                    .collect();
                if !missing.is_empty() && t.status != "failed" {
                    let reason = format!(
                        "database file missing at startup for environment {}",
                        missing.join(", ")
                    );
                    mark_failed(&conn, &t.name, &reason)?;
                    tracing::error!(tenant = %t.name, environments = %missing.join(","), "reconcile: database file missing; tenant marked failed");
                    pass.report.marked_failed.push(t.name.clone());
                }
            }
            other => {
                tracing::warn!(tenant = %t.name, status = other, "reconcile: unknown tenant status left as is");
            }
        }
    }

    // Files → catalog: tenant folders and their databases.
    let owned: HashMap<&str, HashSet<PathBuf>> = tenants
        .iter()
        .filter(|t| t.status != "destroying")
        .map(|t| {
            let files = t
                .envs
                .iter()
                .filter(|(_, url)| !is_remote(url))
                .map(|(_, url)| catalog.resolve_url(url))
                .collect();
            (t.name.as_str(), files)
        })
        .collect();
    for dir in list(&data_dir.join("tenants"))? {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or("");
        match owned.get(name) {
            None if !dir.is_dir() => pass.quarantine(&dir)?,
            None => pass.orphan_folder(&dir)?,
            Some(files) => {
                for f in list(&dir)? {
                    let is_db = f.extension().is_some_and(|e| e == "db") && f.is_file();
                    if is_db && !files.contains(&f) {
                        pass.orphan_db(&f)?;
                    }
                }
            }
        }
    }

    // Backups: rows without files, files without rows, interrupted copies.
    let has_backups: bool = conn
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'backup')",
            &[],
        )?
        .get(0)?;
    if has_backups {
        let rows: Vec<(i64, String)> = conn
            .query("SELECT id, file FROM backup", &[])?
            .iter()
            .map(|r| Ok((r.get(0)?, r.get(1)?)))
            .collect::<Result<_, SqlError>>()?;
        let mut known = HashSet::new();
        for (id, file) in rows {
            let path = data_dir.join(&file);
            if path.is_file() {
                known.insert(path);
            } else {
                conn.execute("DELETE FROM backup WHERE id = ?1", params![id])?;
                tracing::warn!(backup = id, file = %file, "reconcile: backup file missing; catalog entry removed");
            }
        }
        for dir in list(&data_dir.join("backups"))? {
            for f in list(&dir)? {
                if known.contains(&f) {
                    continue;
                }
                if f.extension().is_some_and(|e| e == "tmp") {
                    pass.delete(&f, "an interrupted backup")?;
                } else {
                    pass.quarantine(&f)?;
                }
            }
        }
    }
    drop(conn);
    if !pass.report.is_empty() {
        tracing::warn!(report = ?pass.report, "reconcile: startup repairs done");
    }
    Ok(pass.report)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table_db(path: &Path) {
        let c = rusqlite::Connection::open(path).unwrap();
        c.execute_batch("CREATE TABLE t (x int); INSERT INTO t VALUES (1);")
            .unwrap();
    }

    #[test]
    fn repairs_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path();
        let c = Catalog::open(data).unwrap();
        for t in ["whole", "lost", "going", "coming"] {
            c.create_tenant(t).unwrap();
        }
        std::fs::remove_file(data.join("tenants/lost/prod.db")).unwrap();
        {
            let conn = c.conn().unwrap();
            conn.execute_batch(
                "UPDATE tenant SET status = 'destroying' WHERE name = 'going';
                 UPDATE tenant SET status = 'provisioning' WHERE name = 'coming';",
            )
            .unwrap();
        }
        std::fs::create_dir_all(data.join("tenants/ghost")).unwrap();
        table_db(&data.join("tenants/ghost/prod.db"));
        std::fs::create_dir_all(data.join("tenants/half")).unwrap();
        crate::backend::sqlite::open::create(&data.join("tenants/half/prod.db")).unwrap();
        table_db(&data.join("tenants/whole/stray.db"));

        let r = run(&c, data).unwrap();
        assert_eq!(r.drops_finished, vec!["going"]);
        assert_eq!(r.marked_failed, vec!["coming", "lost"]);
        assert!(r.deleted.contains(&"tenants/half".to_owned()), "{r:?}");
        assert!(r.quarantined.contains(&"tenants/ghost".to_owned()), "{r:?}");
        assert!(
            r.quarantined.contains(&"tenants/whole/stray.db".to_owned()),
            "{r:?}"
        );
        assert!(!data.join("tenants/going").exists());
        assert!(!data.join("tenants/half").exists());
        assert!(data.join("tenants/whole/prod.db").exists());
        let status = |t: &str| -> Option<String> {
            c.conn()
                .unwrap()
                .query_opt("SELECT status FROM tenant WHERE name = ?1", params![t])
                .unwrap()
                .map(|r| r.get(0).unwrap())
        };
        assert_eq!(status("whole").as_deref(), Some("active"));
        assert_eq!(status("lost").as_deref(), Some("failed"));
        assert_eq!(status("coming").as_deref(), Some("failed"));
        assert_eq!(status("going"), None);
        // A second pass finds nothing left to do.
        assert!(run(&c, data).unwrap().is_empty());
    }
}
