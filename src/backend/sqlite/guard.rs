//! Isolation enforced in the engine: the SQLite authorizer and connection
//! flags that keep tenant SQL inside its own database file.
//!
//! The translator already refuses these statements with clear messages; this
//! is the layer that holds even if a statement slips past it (a view, a
//! trigger body, a default expression).

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::Connection;

use super::privileges::{self, Grants, Verdict};
use crate::sql::errors::SqlError;

/// Pragmas that only read the tenant's own schema; catalog emulation needs
/// them (through `pragma_table_info(...)` and friends).
const READ_ONLY_PRAGMAS: &[&str] = &[
    "table_info",
    "table_xinfo",
    "table_list",
    "index_list",
    "index_info",
    "index_xinfo",
    "foreign_key_list",
    "foreign_key_check",
    "collation_list",
    "function_list",
    // SQLite's own `ALTER TABLE ADD COLUMN ... CHECK (...)` runs it to test
    // the existing rows; it only reads the database.
    "quick_check",
];

/// Functions that reach outside the database or the engine's configuration.
const FORBIDDEN_FUNCTIONS: &[&str] = &[
    "load_extension",
    "fts3_tokenizer",
    "readfile",
    "writefile",
    "edit",
    "sqlite_compileoption_get",
    "sqlite_compileoption_used",
];

/// What a tenant user may do to the schema and data (`tenant_user.role`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Everything: DDL and DML.
    Owner,
    /// DML, no DDL (42501).
    ReadWrite,
    /// Reads only; any write is 25006, as in a read-only transaction.
    ReadOnly,
}

impl Role {
    pub fn parse(role: &str) -> Role {
        match role {
            "readwrite" => Role::ReadWrite,
            "readonly" => Role::ReadOnly,
            // Unknown roles cannot be stored (the catalog checks); owner is
            // what the catalog defaults to.
            _ => Role::Owner,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Role::Owner => "owner",
            Role::ReadWrite => "readwrite",
            Role::ReadOnly => "readonly",
        }
    }
}

/// Why the authorizer last refused, for the error the client gets. SQLite
/// reports every refusal as SQLITE_AUTH; the refusal and the error mapping
/// happen on the same thread, inside one prepare.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Denial {
    EscapeHatch,
    ReadOnly,
    NoDdl(Role),
    /// A table privilege the user lacks (see `privileges`).
    Table(String),
}

thread_local! {
    /// The table a DROP TABLE being prepared on this thread names: SQLite
    /// checks DELETE on it next, and IGNORE there would skip the drop.
    static DROPPING: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    static DENIED: std::cell::RefCell<Denial> = const { std::cell::RefCell::new(Denial::EscapeHatch) };
    /// Set while the server runs its own statements (see [`unguarded`]).
    static UNGUARDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn deny(why: Denial) -> Authorization {
    DENIED.with(|d| *d.borrow_mut() = why);
    Authorization::Deny
}

/// The client error for the authorizer's last refusal on this thread.
/// What a read-only role gets for a write the server runs itself.
pub fn read_only_error() -> SqlError {
    SqlError::new(
        "25006",
        "cannot execute this statement in a read-only transaction",
    )
    .with_detail("This user's role is readonly: it may only read.")
}

pub fn denial_error() -> SqlError {
    match DENIED.with(|d| d.replace(Denial::EscapeHatch)) {
        Denial::Table(table) => {
            SqlError::new("42501", format!("permission denied for table {table}"))
        }
        Denial::EscapeHatch => SqlError::new(
            "42501",
            "permission denied: ATTACH, DETACH, PRAGMA, VACUUM INTO and extension loading are not available",
        ),
        Denial::ReadOnly => read_only_error(),
        Denial::NoDdl(role) => SqlError::new(
            "42501",
            format!("permission denied: role {} may not change the schema", role.name()),
        )
        .with_detail("Only users with role owner may run CREATE, ALTER and DROP."),
    }
}

/// Schema changes to the tenant's own (main) database. TEMP objects stay
/// allowed for every role: the catalog views are TEMP views.
fn is_ddl(action: &AuthAction<'_>) -> bool {
    matches!(
        action,
        AuthAction::CreateIndex { .. }
            | AuthAction::CreateTable { .. }
            | AuthAction::CreateTrigger { .. }
            | AuthAction::CreateView { .. }
            | AuthAction::DropIndex { .. }
            | AuthAction::DropTable { .. }
            | AuthAction::DropTrigger { .. }
            | AuthAction::DropView { .. }
            | AuthAction::AlterTable { .. }
            | AuthAction::Reindex { .. }
            | AuthAction::CreateVtable { .. }
            | AuthAction::DropVtable { .. }
    )
}

fn is_main(db: Option<&str>) -> bool {
    matches!(db, None | Some("main"))
}

/// The database an action is on. For ALTER TABLE, SQLite passes the
/// database in the action and, for DROP COLUMN, the column name where the
/// database name usually is.
fn database_of<'a>(ctx: &AuthContext<'a>) -> Option<&'a str> {
    match ctx.action {
        AuthAction::AlterTable { database_name, .. } => Some(database_name),
        _ => ctx.database_name,
    }
}

thread_local! {
    /// Set while the server itself defers foreign key checks (see
    /// [`deferring_foreign_keys`]); tenant SQL never runs meanwhile.
    static DEFERRING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` with the connection's foreign key checks deferred to the end of
/// the transaction (`PRAGMA defer_foreign_keys`, which tenant SQL may not
/// set), for the server's own second run of a failed statement.
pub fn deferring_foreign_keys<T>(db: &Connection, f: impl FnOnce() -> Option<T>) -> Option<T> {
    DEFERRING.with(|d| d.set(true));
    let on = db.execute_batch("PRAGMA defer_foreign_keys = ON");
    DEFERRING.with(|d| d.set(false));
    let r = on.ok().and_then(|_| f());
    DEFERRING.with(|d| d.set(true));
    let _ = db.execute_batch("PRAGMA defer_foreign_keys = OFF");
    DEFERRING.with(|d| d.set(false));
    r
}

/// Sets the connection's `defer_foreign_keys` for the rest of the
/// transaction (SET CONSTRAINTS ALL DEFERRED / IMMEDIATE; SQLite turns it
/// off again at COMMIT or ROLLBACK).
pub fn defer_foreign_keys(db: &Connection, on: bool) -> rusqlite::Result<()> {
    DEFERRING.with(|d| d.set(true));
    let r = db.execute_batch(if on {
        "PRAGMA defer_foreign_keys = ON"
    } else {
        "PRAGMA defer_foreign_keys = OFF"
    });
    DEFERRING.with(|d| d.set(false));
    r
}

fn authorize(ctx: AuthContext<'_>) -> Authorization {
    if UNGUARDED.with(|u| u.get()) {
        return Authorization::Allow;
    }
    match ctx.action {
        AuthAction::Attach { .. } | AuthAction::Detach { .. } => deny(Denial::EscapeHatch),
        AuthAction::Pragma {
            pragma_name,
            pragma_value: Some(_),
        } if pragma_name.eq_ignore_ascii_case("defer_foreign_keys")
            && DEFERRING.with(|d| d.get()) =>
        {
            Authorization::Allow
        }
        AuthAction::Pragma {
            pragma_name,
            pragma_value,
        } => {
            let name = pragma_name.to_ascii_lowercase();
            // Reading schema_version is harmless; setting it corrupts.
            let read_version = name == "schema_version" && pragma_value.is_none();
            if read_version || READ_ONLY_PRAGMAS.contains(&name.as_str()) {
                Authorization::Allow
            } else {
                deny(Denial::EscapeHatch)
            }
        }
        AuthAction::Function { function_name } => {
            let lower = function_name.to_ascii_lowercase();
            if FORBIDDEN_FUNCTIONS.contains(&lower.as_str()) {
                deny(Denial::EscapeHatch)
            } else {
                Authorization::Allow
            }
        }
        // Only the tenant's own `main` database (and the per-connection temp
        // schema SQLite uses for CTE materialisation) may be touched.
        _ => match database_of(&ctx) {
            None | Some("main") | Some("temp") => Authorization::Allow,
            Some(_) => deny(Denial::EscapeHatch),
        },
    }
}

/// The authorizer for a role. `COUNT_DELETES`: answer DELETE with IGNORE,
/// which (per SQLite's documentation) still deletes but row by row, so the
/// update hook sees every row the row quota must stop counting.
fn authorize_as<const ROLE: u8, const COUNT_DELETES: bool>(ctx: AuthContext<'_>) -> Authorization {
    let role = match ROLE {
        0 => Role::Owner,
        1 => Role::ReadWrite,
        _ => Role::ReadOnly,
    };
    authorize_role(role, COUNT_DELETES, None, ctx)
}

/// The table privilege an action needs, and its table, when the action is
/// on one of the tenant's own tables from top-level SQL. A view reads with
/// its owner's privileges, as in PostgreSQL; a trigger's statements are not
/// checked either (SQLite names only the innermost view or trigger in
/// `accessor`). The server's own tables (`sqlite_`, `pgcat_`) need none.
fn table_privilege<'a>(ctx: &AuthContext<'a>) -> Option<(&'a str, u8)> {
    if ctx.accessor.is_some() {
        return None;
    }
    let (table, bit) = match ctx.action {
        AuthAction::Read { table_name, .. } => (table_name, privileges::SELECT),
        AuthAction::Insert { table_name } => (table_name, privileges::INSERT),
        AuthAction::Update { table_name, .. } => (table_name, privileges::UPDATE),
        AuthAction::Delete { table_name } => (table_name, privileges::DELETE),
        _ => return None,
    };
    let lower = table.to_ascii_lowercase();
    if lower.starts_with("sqlite_") || lower.starts_with("pgcat_") {
        return None;
    }
    Some((table, bit))
}

fn authorize_role(
    role: Role,
    count_deletes: bool,
    grants: Option<&Grants>,
    ctx: AuthContext<'_>,
) -> Authorization {
    if UNGUARDED.with(|u| u.get()) {
        return Authorization::Allow;
    }
    let main = is_main(database_of(&ctx));
    if main && role != Role::Owner && is_ddl(&ctx.action) {
        return deny(if role == Role::ReadOnly {
            Denial::ReadOnly
        } else {
            Denial::NoDdl(role)
        });
    }
    // A grant lifts the read-only role's refusal of writes for its table;
    // a view's or trigger's own statements are not checked (see
    // `table_privilege`).
    let mut granted = grants.is_some() && ctx.accessor.is_some();
    if let (Some(g), true) = (grants, main) {
        if let Some((table, bit)) = table_privilege(&ctx) {
            match g.acl.check(role, &g.user, table, bit) {
                Verdict::Allowed => granted = true,
                Verdict::NotGranted if role == Role::ReadOnly && bit != privileges::SELECT => {
                    return deny(Denial::ReadOnly)
                }
                Verdict::NotGranted | Verdict::Revoked => {
                    return deny(Denial::Table(table.to_owned()))
                }
            }
        }
    }
    match ctx.action {
        AuthAction::Insert { .. } | AuthAction::Update { .. } | AuthAction::Delete { .. }
            if main && role == Role::ReadOnly && !granted =>
        {
            deny(Denial::ReadOnly)
        }
        AuthAction::Analyze { .. } if main && role == Role::ReadOnly => deny(Denial::ReadOnly),
        AuthAction::DropTable { table_name } if count_deletes && main => {
            DROPPING.with(|d| *d.borrow_mut() = Some(table_name.to_owned()));
            authorize(ctx)
        }
        AuthAction::Delete { table_name }
            if count_deletes && main && !table_name.starts_with("sqlite_") =>
        {
            let dropping = DROPPING.with(|d| d.borrow_mut().take_if(|t| t == table_name).is_some());
            if dropping {
                authorize(ctx)
            } else {
                Authorization::Ignore
            }
        }
        _ => authorize(ctx),
    }
}

/// Sets the authorizer for a session's role. Setting an authorizer expires
/// the connection's prepared statements, so a statement cached by an
/// earlier session of a pooled connection is authorized again for this one.
pub fn set_role(conn: &mut Connection, role: Role, count_deletes: bool) -> rusqlite::Result<()> {
    set_guard(conn, role, count_deletes, None)
}

/// [`set_role`] with the table privileges of the session's user (GRANT and
/// REVOKE), which an owner does not need.
pub fn set_guard(
    conn: &mut Connection,
    role: Role,
    count_deletes: bool,
    grants: Option<Grants>,
) -> rusqlite::Result<()> {
    if let (Some(g), false) = (grants, role == Role::Owner) {
        return conn.authorizer(Some(move |ctx: AuthContext<'_>| {
            authorize_role(role, count_deletes, Some(&g), ctx)
        }));
    }
    let f: fn(AuthContext<'_>) -> Authorization = match (role, count_deletes) {
        (Role::Owner, false) => authorize_as::<0, false>,
        (Role::Owner, true) => authorize_as::<0, true>,
        (Role::ReadWrite, false) => authorize_as::<1, false>,
        (Role::ReadWrite, true) => authorize_as::<1, true>,
        (Role::ReadOnly, false) => authorize_as::<2, false>,
        (Role::ReadOnly, true) => authorize_as::<2, true>,
    };
    conn.authorizer(Some(f))
}

/// Runs server-side setup that the authorizer would refuse (the quota
/// pragmas, schema rewrites), keeping the session's authorizer in place
/// for what follows. Never with tenant SQL. A statement `f` prepares is
/// authorized as the server's: it may be cached (`prepare_cached`) only if
/// every role may run it (reads of `sqlite_schema`, say), since a later
/// session's identical text would reuse it unchecked.
pub fn unguarded<T>(
    conn: &mut Connection,
    f: impl FnOnce(&Connection) -> rusqlite::Result<T>,
) -> rusqlite::Result<T> {
    /// Restores the flag even if `f` panics.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            UNGUARDED.with(|u| u.set(self.0));
        }
    }
    let _restore = Restore(UNGUARDED.with(|u| u.replace(true)));
    f(conn)
}

/// Installs the authorizer and hardening flags on a tenant connection.
/// Call after the connection's own setup pragmas have run.
pub fn install(conn: &mut Connection) -> rusqlite::Result<()> {
    use rusqlite::config::DbConfig;
    // No writable_schema, no shadow-table writes, no corruption-by-SQL.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    // Functions in views, triggers and defaults must be marked innocuous.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
    // A double-quoted name is an identifier, never a string: with SQLite's
    // fallback `SELECT "nope"` would answer 'nope' where PostgreSQL
    // reports 42703, and a typo would be stored as text.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DML, false)?;
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DQS_DDL, false)?;
    // Extension loading stays off: rusqlite is built without it and SQLite
    // disables it per connection by default.
    conn.authorizer(Some(authorize))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        install(&mut c).unwrap();
        c
    }

    #[test]
    fn drop_column_is_ddl_on_main() {
        let mut c = conn();
        c.execute_batch("CREATE TABLE t (a int, b int, c int)")
            .unwrap();
        c.execute_batch("ALTER TABLE t DROP COLUMN b").unwrap();
        for role in [Role::ReadWrite, Role::ReadOnly] {
            set_role(&mut c, role, false).unwrap();
            let err = c.execute_batch("ALTER TABLE t DROP COLUMN c").unwrap_err();
            assert!(err.to_string().contains("not authorized"), "{err}");
        }
        set_role(&mut c, Role::Owner, false).unwrap();
        c.execute_batch("ALTER TABLE t DROP COLUMN c").unwrap();
    }

    #[test]
    fn grants_lift_the_role_and_revokes_refuse() {
        use super::super::privileges::{TableAcl, ACL_TABLE_DDL};
        let mut c = conn();
        c.execute_batch(&format!(
            "{ACL_TABLE_DDL}; CREATE TABLE a (x int); CREATE TABLE b (x int); \
             INSERT INTO main.pgcat__acl VALUES ('ro', 'a', 'INSERT', 1, 'u'), \
             ('rw', 'B', 'DELETE', 0, 'u')"
        ))
        .unwrap();
        let acl = std::sync::Arc::new(TableAcl::default());
        acl.load(&c).unwrap();
        let grants = |user: &str| {
            Some(Grants {
                acl: acl.clone(),
                user: user.into(),
            })
        };
        set_guard(&mut c, Role::ReadOnly, false, grants("ro")).unwrap();
        c.execute_batch("INSERT INTO a VALUES (1)").unwrap();
        assert!(c.execute_batch("INSERT INTO b VALUES (1)").is_err());
        assert_eq!(denial_error().code, "25006");
        assert!(c.execute_batch("DELETE FROM a").is_err());
        assert_eq!(denial_error().code, "25006");
        set_guard(&mut c, Role::ReadWrite, false, grants("rw")).unwrap();
        c.execute_batch("DELETE FROM a; SELECT x FROM b").unwrap();
        assert!(c.execute_batch("DELETE FROM b WHERE x = 1").is_err());
        let e = denial_error();
        assert_eq!(
            (e.code, e.message.as_str()),
            ("42501", "permission denied for table b")
        );
        // The server's own statements pass, and the guard stays.
        unguarded(&mut c, |c| c.execute_batch("DELETE FROM b")).unwrap();
        assert!(c.execute_batch("DELETE FROM b").is_err());
    }

    #[test]
    fn refuses_escape_hatches() {
        let c = conn();
        for sql in [
            "ATTACH DATABASE '/tmp/x.db' AS x",
            "ATTACH ':memory:' AS m",
            "DETACH x",
            "PRAGMA journal_mode = DELETE",
            "PRAGMA writable_schema = ON",
            "PRAGMA main.synchronous = OFF",
            "PRAGMA schema_version = 7",
            "PRAGMA main.schema_version = 7",
            "SELECT load_extension('x')",
            "SELECT fts3_tokenizer('simple')",
        ] {
            let err = c.execute_batch(sql).unwrap_err();
            assert!(
                err.to_string().contains("not authorized")
                    || err.to_string().contains("no such function"),
                "{sql}: {err}"
            );
        }
        c.execute_batch("CREATE TABLE t (a int); SELECT * FROM pragma_table_info('t');")
            .unwrap();
        // Reading the schema version is allowed (column input checks use it).
        c.execute_batch("PRAGMA schema_version").unwrap();
    }

    #[test]
    fn refuses_escape_hatches_stored_for_later() {
        // Even SQL the translator never lets through stays refused here:
        // pragma table functions, quoted upper-case names, code in schema
        // (refused when created or, at the latest, when it would run).
        let c = conn();
        c.execute_batch("CREATE TABLE t (a int)").unwrap();
        for (create, run) in [
            ("SELECT * FROM pragma_journal_mode", ""),
            ("SELECT * FROM pragma_cache_size", ""),
            ("SELECT * FROM \"PRAGMA_DATABASE_LIST\"", ""),
            ("SELECT * FROM pragma_database_list", ""),
            ("SELECT \"LOAD_EXTENSION\"('x')", ""),
            (
                "CREATE TRIGGER tr AFTER INSERT ON t BEGIN SELECT load_extension('x'); END",
                "INSERT INTO t VALUES (1)",
            ),
            (
                "CREATE VIEW v AS SELECT fts3_tokenizer('simple')",
                "SELECT * FROM v",
            ),
            (
                "CREATE TABLE d (a DEFAULT (load_extension('x')))",
                "INSERT INTO d DEFAULT VALUES",
            ),
        ] {
            let created = c.execute_batch(create);
            let err = match created {
                Err(e) => e,
                Ok(()) => c
                    .execute_batch(run)
                    .err()
                    .unwrap_or_else(|| panic!("{create} then {run:?} was not refused")),
            };
            let text = err.to_string();
            assert!(
                text.contains("not authorized")
                    || text.contains("unsafe use")
                    || text.contains("no such function")
                    || text.contains("prohibited"),
                "{create}: {text}"
            );
        }
    }
}
