//! Online backups of tenant databases with SQLite's backup API, and restores.
//!
//! A backup copies every page in a single step, inside one read transaction
//! on the tenant's database: in WAL mode writers carry on meanwhile and the
//! copy is exactly the state of one commit. It is written to a `.tmp` file,
//! checked, fsynced and renamed into `backups/<tenant>/`, and only then
//! recorded in the catalog: a listed backup is always complete.
//!
//! A restore copies the backup back with the same API into the live database
//! file. The tenant's database is in WAL mode, so the copy is one write
//! transaction: a kill halfway leaves the old state, never a mix, and no
//! stale `-wal` file can be replayed over a swapped-in file. All blocking.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::backup::{Backup, StepResult};
use rusqlite::{params, Connection, OpenFlags};

use super::catalog::{now_text, Catalog, Exec};
use crate::sql::errors::{from_sqlite, SqlError};

pub const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS backup (
    id          INTEGER PRIMARY KEY,
    tenant      TEXT NOT NULL REFERENCES tenant(name) ON DELETE CASCADE,
    environment TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    bytes       INTEGER NOT NULL,
    file        TEXT NOT NULL UNIQUE
);
CREATE VIEW IF NOT EXISTS backups AS
    SELECT id, tenant, environment, created_at, bytes, file FROM backup;
";

/// How long a restore waits for a write lock held by a session being closed.
const LOCK_WAIT: Duration = Duration::from_secs(10);

/// A row of `pgtenant.backups`. `file` is relative to the data folder.
#[derive(Debug, Clone)]
pub struct BackupRow {
    pub id: i64,
    pub tenant: String,
    pub environment: String,
    pub created_at: String,
    pub bytes: i64,
    pub file: String,
}

impl BackupRow {
    pub fn into_text(self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.tenant,
            self.environment,
            self.created_at,
            self.bytes.to_string(),
            self.file,
        ]
    }
}

/// A restore, checked and resolved to files, ready to run.
#[derive(Debug, Clone)]
pub struct RestorePlan {
    pub backup: BackupRow,
    pub environment: String,
    source: PathBuf,
    target: PathBuf,
}

fn no_tenant(tenant: &str) -> SqlError {
    SqlError::new("42704", format!("tenant \"{tenant}\" does not exist"))
}

/// The local database file of a tenant environment, if the tenant may be copied.
fn local_db(
    conn: &dyn Exec,
    catalog: &Catalog,
    tenant: &str,
    env: &str,
) -> Result<PathBuf, SqlError> {
    let status: Option<String> = conn
        .query_opt("SELECT status FROM tenant WHERE name = ?1", params![tenant])?
        .map(|r| r.get(0))
        .transpose()?;
    match status.as_deref() {
        None | Some("destroying") => return Err(no_tenant(tenant)),
        Some("provisioning") => {
            return Err(SqlError::new(
                "55000",
                format!("tenant \"{tenant}\" is still being provisioned"),
            ))
        }
        Some(_) => {}
    }
    let url: String = conn
        .query_opt(
            "SELECT database_url FROM environment WHERE tenant = ?1 AND name = ?2",
            params![tenant, env],
        )?
        .map(|r| r.get(0))
        .transpose()?
        .ok_or_else(|| {
            SqlError::new(
                "42704",
                format!("environment \"{env}\" of tenant \"{tenant}\" does not exist"),
            )
        })?;
    if url.contains("://") {
        return Err(SqlError::new(
            "0A000",
            format!("environment \"{env}\" of tenant \"{tenant}\" is a remote database: back it up on its own server"),
        ));
    }
    Ok(catalog.resolve_url(&url))
}

fn io(context: &'static str) -> impl Fn(std::io::Error) -> SqlError {
    move |e| SqlError::internal(context, e)
}

/// Copies all of `src` into `dst` in one step, waiting (bounded) for locks.
fn copy(src: &Connection, dst: &mut Connection) -> Result<(), SqlError> {
    let backup = Backup::new(src, dst).map_err(|e| from_sqlite(&e))?;
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        // -1: every page at once, so the copy is one consistent snapshot.
        match backup.step(-1).map_err(|e| from_sqlite(&e))? {
            StepResult::Done => return Ok(()),
            StepResult::More => {}
            StepResult::Busy | StepResult::Locked => {
                if Instant::now() >= deadline {
                    return Err(SqlError::new(
                        "55P03",
                        "could not obtain lock on the tenant's database: it is busy",
                    ));
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            _ => {}
        }
    }
}

fn open_plain(path: &Path) -> Result<Connection, SqlError> {
    let conn = crate::backend::sqlite::open::open_file(path).map_err(|e| from_sqlite(&e))?;
    conn.busy_timeout(Duration::from_secs(5))
        .map_err(|e| from_sqlite(&e))?;
    Ok(conn)
}

/// fsyncs a folder so a rename in it survives power loss.
fn sync_dir(dir: &Path) -> Result<(), SqlError> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io("syncing the backups folder"))
}

/// Takes an online backup of one tenant environment.
pub fn take(catalog: &Catalog, tenant: &str, env: &str) -> Result<BackupRow, SqlError> {
    let source = {
        let conn = catalog.conn()?;
        local_db(&conn, catalog, tenant, env)?
    };
    let created_at = now_text();
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%.6fZ");
    let suffix = &uuid::Uuid::new_v4().simple().to_string()[..8];
    let rel = format!("backups/{tenant}/{env}-{stamp}-{suffix}.db");
    let dest = catalog.resolve_url(&rel);
    let dir = dest.parent().map(Path::to_owned).unwrap_or_default();
    std::fs::create_dir_all(&dir).map_err(io("creating the backups folder"))?;
    let tmp = dest.with_extension("db.tmp");
    let made = (|| {
        let src = open_plain(&source)?;
        let mut dst = Connection::open(&tmp).map_err(|e| from_sqlite(&e))?;
        copy(&src, &mut dst)?;
        drop(src);
        // A backup is one self-contained file: no WAL beside it.
        dst.pragma_update(None, "journal_mode", "DELETE")
            .map_err(|e| from_sqlite(&e))?;
        let check: String = dst
            .query_row("PRAGMA quick_check", [], |r| r.get(0))
            .map_err(|e| from_sqlite(&e))?;
        if check != "ok" {
            return Err(SqlError::internal("checking the backup", check));
        }
        drop(dst);
        std::fs::File::open(&tmp)
            .and_then(|f| f.sync_all())
            .map_err(io("syncing the backup"))?;
        std::fs::rename(&tmp, &dest).map_err(io("renaming the backup"))?;
        sync_dir(&dir)
    })();
    if let Err(e) = made {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    let bytes = std::fs::metadata(&dest)
        .map_err(io("reading the backup's size"))?
        .len() as i64;
    let conn = catalog.conn()?;
    let inserted = conn.execute(
        "INSERT INTO backup (tenant, environment, created_at, bytes, file) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![tenant, env, created_at, bytes, rel],
    );
    if let Err(e) = inserted {
        // The tenant was dropped meanwhile (foreign key), or the catalog failed.
        let _ = std::fs::remove_file(&dest);
        return Err(if e.code.starts_with("23") {
            no_tenant(tenant)
        } else {
            e
        });
    }
    Ok(BackupRow {
        id: conn.last_insert_rowid(),
        tenant: tenant.to_owned(),
        environment: env.to_owned(),
        created_at,
        bytes,
        file: rel,
    })
}

/// Finds a tenant's backup by id or file name and the database it goes back
/// into: `env`, or the environment it was taken from.
pub fn plan_restore(
    catalog: &Catalog,
    tenant: &str,
    backup: &str,
    env: Option<&str>,
) -> Result<RestorePlan, SqlError> {
    let conn = catalog.conn()?;
    let id: i64 = backup.trim().parse().unwrap_or(-1);
    let file = format!("backups/{tenant}/{backup}");
    let row = conn
        .query_opt(
            "SELECT id, tenant, environment, created_at, bytes, file FROM backup
             WHERE tenant = ?1 AND (id = ?2 OR file = ?3)",
            params![tenant, id, file],
        )?
        .map(|r| {
            Ok::<_, SqlError>(BackupRow {
                id: r.get(0)?,
                tenant: r.get(1)?,
                environment: r.get(2)?,
                created_at: r.get(3)?,
                bytes: r.get(4)?,
                file: r.get(5)?,
            })
        })
        .transpose()?;
    let Some(row) = row else {
        local_db(
            &conn,
            catalog,
            tenant,
            env.unwrap_or(super::resolve::DEFAULT_ENV),
        )?;
        return Err(SqlError::new(
            "42704",
            format!("backup \"{backup}\" of tenant \"{tenant}\" does not exist"),
        )
        .with_detail("See pgtenant.backups for the backups taken."));
    };
    let environment = env.unwrap_or(&row.environment).to_owned();
    let target = local_db(&conn, catalog, tenant, &environment)?;
    let source = catalog.resolve_url(&row.file);
    if !source.is_file() {
        return Err(SqlError::new(
            "58P01",
            format!("the file of backup {} is missing", row.id),
        ));
    }
    Ok(RestorePlan {
        backup: row,
        environment,
        source,
        target,
    })
}

impl RestorePlan {
    /// The database file the backup goes back into.
    pub fn target_path(&self) -> &Path {
        &self.target
    }
}

/// Copies the backup into the tenant's database as one transaction. The
/// caller has closed the tenant's sessions and pooled connections.
pub fn restore(plan: &RestorePlan) -> Result<(), SqlError> {
    let src = Connection::open_with_flags(
        &plan.source,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| from_sqlite(&e))?;
    let mut dst = open_plain(&plan.target)?;
    copy(&src, &mut dst)?;
    // Copying into a WAL database keeps it in WAL mode; make sure, then fold
    // the copy into the main file so the WAL does not stay backup-sized.
    dst.pragma_update(None, "journal_mode", "WAL")
        .map_err(|e| from_sqlite(&e))?;
    dst.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .map_err(|e| from_sqlite(&e))?;
    Ok(())
}

/// Removes a dropped tenant's backups folder (its rows went with the tenant).
pub fn forget_tenant(catalog: &Catalog, tenant: &str) -> Result<(), SqlError> {
    let dir = catalog.resolve_url("backups").join(tenant);
    match std::fs::remove_dir_all(&dir) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(SqlError::internal("removing the tenant's backups", e)),
    }
}
