//! Isolation enforced in the engine: the SQLite authorizer and connection
//! flags that keep tenant SQL inside its own database file.
//!
//! The translator already refuses these statements with clear messages; this
//! is the layer that holds even if a statement slips past it (a view, a
//! trigger body, a default expression).

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};
use rusqlite::Connection;

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

fn authorize(ctx: AuthContext<'_>) -> Authorization {
    match ctx.action {
        AuthAction::Attach { .. } | AuthAction::Detach { .. } => Authorization::Deny,
        AuthAction::Pragma { pragma_name, .. } => {
            let name = pragma_name.to_ascii_lowercase();
            if READ_ONLY_PRAGMAS.contains(&name.as_str()) {
                Authorization::Allow
            } else {
                Authorization::Deny
            }
        }
        AuthAction::Function { function_name } => {
            let lower = function_name.to_ascii_lowercase();
            if FORBIDDEN_FUNCTIONS.contains(&lower.as_str()) {
                Authorization::Deny
            } else {
                Authorization::Allow
            }
        }
        // Only the tenant's own `main` database (and the per-connection temp
        // schema SQLite uses for CTE materialisation) may be touched.
        _ => match ctx.database_name {
            None | Some("main") | Some("temp") => Authorization::Allow,
            Some(_) => Authorization::Deny,
        },
    }
}

/// Installs the authorizer and hardening flags on a tenant connection.
/// Call after the connection's own setup pragmas have run.
pub fn install(conn: &mut Connection) -> rusqlite::Result<()> {
    use rusqlite::config::DbConfig;
    // No writable_schema, no shadow-table writes, no corruption-by-SQL.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    // Functions in views, triggers and defaults must be marked innocuous.
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_TRUSTED_SCHEMA, false)?;
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
    fn refuses_escape_hatches() {
        let c = conn();
        for sql in [
            "ATTACH DATABASE '/tmp/x.db' AS x",
            "ATTACH ':memory:' AS m",
            "DETACH x",
            "PRAGMA journal_mode = DELETE",
            "PRAGMA writable_schema = ON",
            "PRAGMA main.synchronous = OFF",
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
