//! `ALTER TABLE ... ADD FOREIGN KEY / CHECK`, which SQLite's ALTER cannot do.
//!
//! A foreign key or CHECK constraint lives only in the table's CREATE
//! TABLE text, not in how rows are stored, so SQLite documents editing that
//! text in `sqlite_schema` (with `writable_schema`) as the way to add one
//! ("Making Other Kinds Of Table Schema Changes" in lang_altertable). The
//! edit runs in a savepoint with the tenant's guard lifted for just these
//! server-written statements; the existing rows are then checked against
//! the new constraint (23503 / 23514, as PostgreSQL validates), and any
//! failure rolls the edit back.

use rusqlite::config::DbConfig;
use rusqlite::{params, Connection, OptionalExtension};

use super::guard::{self, Role};
use crate::sql::errors::{from_sqlite, SqlError};

/// Adds `constraint` (SQLite table-constraint text) to `table`; `check`
/// is the expression of a CHECK constraint, to validate existing rows.
pub fn add_constraint(
    conn: &mut Connection,
    role: Role,
    table: &str,
    constraint: &str,
    check: Option<&str>,
) -> Result<(), SqlError> {
    if role == Role::ReadOnly {
        return Err(guard::read_only_error());
    }
    let (name, create) = super::alter_column::definition(conn, table)?;
    if let Some(constraint_name) = constraint_name(constraint) {
        if constraint_names(&create).contains(&constraint_name) {
            return Err(SqlError::new(
                "42710",
                format!("constraint \"{constraint_name}\" for relation \"{name}\" already exists"),
            ));
        }
    }
    // The column and constraint list ends at the last ')': table options
    // after it (STRICT, WITHOUT ROWID) have no parentheses.
    let end = create
        .rfind(')')
        .ok_or_else(|| SqlError::internal("ALTER TABLE", "unexpected table definition"))?;
    let edited = format!("{}, {constraint}{}", &create[..end], &create[end..]);
    let mut refused = None;
    guard::unguarded(conn, |c| {
        c.execute_batch("SAVEPOINT pgtenant_add_constraint")?;
        let r = edit(c, &name, &edited).and_then(|_| {
            refused = violation(c, &name, check)?;
            Ok(())
        });
        if r.is_ok() && refused.is_none() {
            c.execute_batch("RELEASE pgtenant_add_constraint")
        } else {
            let _ = c.execute_batch(
                "ROLLBACK TO pgtenant_add_constraint; RELEASE pgtenant_add_constraint",
            );
            r
        }
    })
    .map_err(|e| from_sqlite(&e))?;
    refused.map_or(Ok(()), Err)
}

/// The name a `CONSTRAINT name ...` text gives its constraint.
fn constraint_name(constraint: &str) -> Option<String> {
    constraint_names(constraint).into_iter().next()
}

/// The names `CONSTRAINT name` gives in a table's definition (or in one
/// constraint's text), as PostgreSQL reads them: a table's constraint
/// names are its own, and a second one is 42710.
fn constraint_names(sql: &str) -> Vec<String> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let Ok(tokens) = Tokenizer::new(&sqlparser::dialect::PostgreSqlDialect {}, sql).tokenize()
    else {
        return vec![];
    };
    let mut words = tokens
        .into_iter()
        .filter(|t| !matches!(t, Token::Whitespace(_)));
    let mut out = Vec::new();
    while let Some(t) = words.next() {
        let Token::Word(w) = t else { continue };
        if w.quote_style.is_some() || !w.value.eq_ignore_ascii_case("constraint") {
            continue;
        }
        if let Some(Token::Word(name)) = words.next() {
            out.push(match name.quote_style {
                Some(_) => name.value,
                None => name.value.to_lowercase(),
            });
        }
    }
    out
}

/// Swaps the table's CREATE text and bumps the schema cookie so every
/// connection rereads the schema.
pub(super) fn edit(c: &Connection, name: &str, sql: &str) -> rusqlite::Result<()> {
    c.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, false)?;
    let r = (|| {
        let version: i64 = c.query_row("PRAGMA schema_version", [], |r| r.get(0))?;
        c.execute_batch("PRAGMA writable_schema = ON")?;
        c.execute(
            "UPDATE sqlite_schema SET sql = ?1 WHERE type = 'table' AND name = ?2",
            params![sql, name],
        )?;
        c.execute_batch(&format!(
            "PRAGMA schema_version = {}; PRAGMA writable_schema = RESET",
            version + 1
        ))?;
        // The new text must parse: preparing against the table proves it.
        c.prepare(&format!(
            "SELECT * FROM \"{}\" LIMIT 0",
            name.replace('"', "\"\"")
        ))
        .map(|_| ())
    })();
    let _ = c.execute_batch("PRAGMA writable_schema = OFF");
    c.set_db_config(DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)?;
    r
}

/// Existing rows must satisfy the new constraint, as PostgreSQL checks when
/// it adds one: the error to report if they do not.
fn violation(
    c: &Connection,
    table: &str,
    check: Option<&str>,
) -> rusqlite::Result<Option<SqlError>> {
    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
    Ok(match check {
        Some(expr) => c
            .query_row(
                &format!("SELECT 1 FROM {quoted} WHERE NOT ({expr}) LIMIT 1"),
                [],
                |_| Ok(()),
            )
            .optional()?
            .map(|_| {
                SqlError::new(
                    "23514",
                    format!("check constraint of relation \"{table}\" is violated by some row"),
                )
            }),
        None => c
            .query_row(
                "SELECT 1 FROM pragma_foreign_key_check(?1) LIMIT 1",
                params![table],
                |_| Ok(()),
            )
            .optional()?
            .map(|_| {
                SqlError::new(
                    "23503",
                    format!(
                        "insert or update on table \"{table}\" violates foreign key constraint"
                    ),
                )
                .with_detail("Existing rows reference keys that are not present.")
            }),
    })
}
