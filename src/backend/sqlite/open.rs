//! Opening a tenant's SQLite file with the settings every session relies on.

use std::ffi::CStr;
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::config::Synchronous;

/// Settings applied to every tenant connection.
#[derive(Debug, Clone, Copy)]
pub struct OpenOptions {
    pub synchronous: Synchronous,
    /// Durability of `Full` through [`super::group_commit`]: the session
    /// waits for the WAL fsync after its commit instead of SQLite inside it.
    pub group_commit: bool,
    pub busy_timeout: Duration,
    /// Bytes of each database file read through mmap (0 = off).
    pub mmap_size: i64,
    /// Test only: register `pgtenant_debug_panic()` (see `debug`).
    pub debug_panic_function: bool,
}

impl OpenOptions {
    /// Whether `Full` durability comes from [`super::group_commit`]'s
    /// shared fsync rather than SQLite's own in every COMMIT.
    pub fn syncs_by_group_commit(&self) -> bool {
        self.group_commit && self.synchronous == Synchronous::Full
    }

    /// Whether SQLite itself fsyncs the WAL inside every COMMIT.
    pub fn commit_syncs(&self) -> bool {
        !self.group_commit && self.synchronous == Synchronous::Full
    }
}

/// SQLite's VFS for tenant files: the server process takes one exclusive
/// lock on the file when it first opens it and its connections then
/// coordinate in memory (the WAL index lives on the heap, no `-shm` file).
/// The "unix" VFS instead takes and drops POSIX locks on the file and the
/// shared-memory file at every transaction start and end: two `fcntl`
/// calls per autocommit statement, a fifth of the server's CPU time in
/// `pgbench -S`. Only one process may open a tenant file while the server
/// holds it, which the server assumes anyway (a data folder has one owner).
pub const TENANT_VFS: &CStr = c"unix-excl";

/// Opens a tenant file read-write through [`TENANT_VFS`], as every
/// connection of the server to a tenant file must: one opened through
/// another VFS would make the file's locking in this process inconsistent.
pub fn open_file(path: &Path) -> rusqlite::Result<Connection> {
    Connection::open_with_flags_and_vfs(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        TENANT_VFS,
    )
}

/// Creates a tenant database file: WAL mode is persistent, so it is set once here.
pub fn create(path: &Path) -> rusqlite::Result<()> {
    let conn = Connection::open_with_flags_and_vfs(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        TENANT_VFS,
    )?;
    // No fsyncs while the empty file is converted to WAL: the caller makes
    // the finished file durable with one fsync (see `tenant::provision`).
    conn.pragma_update(None, "synchronous", "OFF")?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    Ok(())
}

/// Opens an existing tenant database for one session.
pub fn open(path: &Path, opts: OpenOptions) -> rusqlite::Result<Connection> {
    // NO_MUTEX: a connection is used by one thread at a time (it moves between
    // blocking-pool threads but is never shared), so SQLite's own mutex is waste.
    let mut conn = open_file(path)?;
    shrink_lookaside(&conn);
    conn.busy_timeout(opts.busy_timeout)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    let sync = match opts.synchronous {
        // NORMAL writes the commit to the WAL without an fsync (checkpoints
        // still sync): the session waits for group commit's fsync before
        // acknowledging, so an acknowledged COMMIT survives power loss.
        _ if opts.syncs_by_group_commit() => "NORMAL",
        // FULL in WAL mode fsyncs the WAL at every commit.
        Synchronous::Full => "FULL",
        Synchronous::Normal => "NORMAL",
    };
    conn.pragma_update(None, "synchronous", sync)?;
    // Read database pages through a shared memory map instead of a pread per
    // page miss: sessions of one tenant then share the OS page cache.
    conn.pragma_update(None, "mmap_size", opts.mmap_size)?;
    conn.set_prepared_statement_cache_capacity(256);
    // Enum types' labels (CREATE TYPE ... AS ENUM), read by pg_type/pg_enum
    // and the enum collations; written once, the first time a database
    // opens. A database that cannot take the write (a full disk) still
    // opens: the catalog views fall back to an empty table.
    if let Err(e) = conn.execute_batch(crate::sql::catalog::ENUM_TABLE) {
        tracing::warn!(error = %e, "could not create the enum label table");
    }
    // Domains (CREATE DOMAIN), the same way.
    if let Err(e) = conn.execute_batch(crate::sql::translate::DOMAIN_TABLE) {
        tracing::warn!(error = %e, "could not create the domain table");
    }
    // Schemas (CREATE SCHEMA), the same way.
    if let Err(e) = conn.execute_batch(crate::sql::translate::schemas::SCHEMA_TABLE) {
        tracing::warn!(error = %e, "could not create the schema table");
    }
    // `COMMENT ON` texts (pg_description), the same way.
    if let Err(e) = conn.execute_batch(crate::sql::catalog::COMMENT_TABLE) {
        tracing::warn!(error = %e, "could not create the comment table");
    }
    // GRANT and REVOKE's table privileges, the same way.
    if let Err(e) = conn.execute_batch(super::privileges::ACL_TABLE_DDL) {
        tracing::warn!(error = %e, "could not create the privilege table");
    }
    super::enum_order::install(&conn)?;
    super::enum_order::load(&conn)?;
    super::functions::register(&conn)?;
    super::pgfuncs::register(&conn)?;
    super::catalog::register(&conn)?;
    if opts.debug_panic_function {
        super::debug::register(&conn)?;
    }
    super::guard::install(&mut conn)?;
    Ok(conn)
}

/// Bytes and number of SQLite's per-connection lookaside slots. SQLite's
/// default (1200 x 100: 120 KB, all touched when the connection opens) was
/// most of what an idle session cost the server (benches/load.rs `idle`);
/// a few slots keep the fast path for the small allocations of a statement.
const LOOKASIDE_SLOT: i32 = 1200;
const LOOKASIDE_SLOTS: i32 = 16;

fn shrink_lookaside(conn: &Connection) {
    // SAFETY: the handle is valid for the life of `conn`; SQLite allocates
    // the buffer itself (NULL), and refuses (SQLITE_BUSY) only while
    // lookaside memory is in use, which it is not on a fresh connection.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_db_config(
            conn.handle(),
            rusqlite::ffi::SQLITE_DBCONFIG_LOOKASIDE,
            std::ptr::null_mut::<std::ffi::c_void>(),
            LOOKASIDE_SLOT,
            LOOKASIDE_SLOTS,
        )
    };
    if rc != rusqlite::ffi::SQLITE_OK {
        tracing::debug!(rc, "could not resize SQLite lookaside; keeping the default");
    }
}

/// Process-wide SQLite setting, before the first connection opens: no bulk
/// page-cache allocation per connection (SQLite's default preallocates 20
/// pages, about 85 KB, for every connection, idle or not); pages are
/// allocated as a connection actually reads them. And no memory statistics:
/// with them on, every SQLite allocation takes a process-wide mutex (about
/// 500 instructions of a point query's 38,000); nothing here reads them.
pub fn configure_process() {
    // SAFETY: sqlite3_config is only allowed before SQLite initialises; it
    // returns SQLITE_MISUSE (ignored) when a connection was opened already.
    unsafe {
        rusqlite::ffi::sqlite3_config(
            rusqlite::ffi::SQLITE_CONFIG_PAGECACHE,
            std::ptr::null_mut::<std::ffi::c_void>(),
            0 as std::ffi::c_int,
            0 as std::ffi::c_int,
        );
        rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0 as std::ffi::c_int);
    }
}
