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
use sqlparser::ast::{Ident, TableConstraint};

use super::guard::{self, Role};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::table_constraints::PRIMARY_KEY_INDEX;

/// Adds `constraint` to `table`; `check` is the expression of a CHECK
/// constraint, to validate existing rows.
pub fn add_constraint(
    conn: &mut Connection,
    role: Role,
    table: &str,
    constraint: &TableConstraint,
    check: Option<&str>,
) -> Result<(), SqlError> {
    if role == Role::ReadOnly {
        return Err(guard::read_only_error());
    }
    let constraint = &with_parent_key(conn, constraint)?;
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
            refused = violation(c, &name, constraint_name(constraint).as_deref(), check)?;
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

/// The constraint's SQLite text, a FOREIGN KEY naming its parent key
/// columns: `REFERENCES parent` alone means the parent's primary key (as
/// PostgreSQL reads it, and as pg_dump writes it), which SQLite resolves
/// only to a key declared in the parent's CREATE TABLE, not to the unique
/// index `ALTER TABLE ... ADD PRIMARY KEY` makes.
fn with_parent_key(conn: &Connection, constraint: &TableConstraint) -> Result<String, SqlError> {
    let TableConstraint::ForeignKey(fk) = constraint else {
        return Ok(constraint.to_string());
    };
    if !fk.referred_columns.is_empty() {
        return Ok(constraint.to_string());
    }
    let parent = match fk.foreign_table.0.last().and_then(|p| p.as_ident()) {
        Some(id) if id.quote_style.is_some() => id.value.clone(),
        Some(id) => id.value.to_lowercase(),
        None => fk.foreign_table.to_string(),
    };
    let columns = primary_key_columns(conn, &parent)?.ok_or_else(|| {
        SqlError::new(
            "42704",
            format!("there is no primary key for referenced table \"{parent}\""),
        )
    })?;
    let mut fk = fk.clone();
    fk.referred_columns = columns
        .into_iter()
        .map(|c| Ident::with_quote('"', c))
        .collect();
    Ok(TableConstraint::ForeignKey(fk).to_string())
}

/// The columns of `table`'s primary key, in key order: declared in its
/// CREATE TABLE, or the unique index `ADD PRIMARY KEY` made (marked
/// [`PRIMARY_KEY_INDEX`]). None when it has none (or is no table).
pub(super) fn primary_key_columns(
    conn: &Connection,
    table: &str,
) -> Result<Option<Vec<String>>, SqlError> {
    let sql = |e: rusqlite::Error| from_sqlite(&e);
    let declared: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")
        .and_then(|mut s| {
            s.query_map([table], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(sql)?;
    if !declared.is_empty() {
        return Ok(Some(declared));
    }
    let index: Option<String> = conn
        .query_row(
            "SELECT name FROM main.sqlite_schema WHERE type = 'index' AND tbl_name = ?1 \
             COLLATE NOCASE AND sql LIKE '%' || ?2",
            params![table, PRIMARY_KEY_INDEX],
            |r| r.get(0),
        )
        .optional()
        .map_err(sql)?;
    let Some(index) = index else { return Ok(None) };
    conn.prepare("SELECT name FROM pragma_index_info(?1) ORDER BY seqno")
        .and_then(|mut s| {
            s.query_map([index], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()
        })
        .map(Some)
        .map_err(sql)
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
    constraint: Option<&str>,
    check: Option<&str>,
) -> rusqlite::Result<Option<SqlError>> {
    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
    // The constraint's name in the message, when it has one.
    let named = constraint.map_or(String::new(), |n| format!(" \"{n}\""));
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
                    format!("check constraint{named} of relation \"{table}\" is violated by some row"),
                )
                .on(table, None, constraint)
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
                        "insert or update on table \"{table}\" violates foreign key constraint{named}"
                    ),
                )
                .on(table, None, constraint)
                .with_detail("Existing rows reference keys that are not present.")
            }),
    })
}
