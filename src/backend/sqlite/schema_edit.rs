//! `ALTER TABLE ... DROP CONSTRAINT`, `RENAME CONSTRAINT` and `ALTER INDEX
//! ... RENAME TO`, which SQLite's ALTER has no form for, and `VALIDATE
//! CONSTRAINT`.
//!
//! A CHECK or FOREIGN KEY constraint is a clause of the table's CREATE
//! TABLE text (found by name with `sql::table_constraints`): dropping it
//! cuts the clause, renaming writes `CONSTRAINT name` before it, through
//! the same documented definition edit `add_constraint` makes. A UNIQUE or
//! PRIMARY KEY constraint added by ALTER TABLE is a unique index and is
//! dropped as one; one declared in CREATE TABLE is part of the table's
//! storage (SQLite's automatic index) and stays (0A000). An index is
//! renamed by creating it again under the new name.

use rusqlite::{Connection, OptionalExtension};

use super::guard::{self, Role};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::quote_ident;
use crate::sql::table_constraints::{constraints, tokens, Constraint, Kind};
use crate::sql::translate::SchemaEdit;

/// Applies `edit`, all or none.
pub fn apply(conn: &mut Connection, role: Role, edit: &SchemaEdit) -> Result<(), SqlError> {
    if role == Role::ReadOnly {
        return Err(guard::read_only_error());
    }
    use crate::sql::translate::comments;
    super::all_or_none(conn, "pgtenant_schema_edit", |c| {
        // The object's comment goes or follows (`translate::comments`).
        let comments = match edit {
            SchemaEdit::DropConstraint {
                table,
                name,
                if_exists,
            } => {
                drop_constraint(c, table, name, *if_exists)?;
                comments::dropped_constraint(table, name)
            }
            SchemaEdit::RenameConstraint { table, from, to } => {
                rename_constraint(c, table, from, to)?;
                comments::renamed_constraint(table, from, to)
            }
            SchemaEdit::RenameIndex { from, to } => {
                rename_index(c, from, to)?;
                comments::renamed_index(from, to)
            }
            SchemaEdit::ValidateConstraint { table, name } => {
                validate_constraint(c, table, name)?;
                Vec::new()
            }
        };
        c.execute_batch(&comments.join("; ")).map_err(sql_error)
    })
}

fn sql_error(e: rusqlite::Error) -> SqlError {
    from_sqlite(&e)
}

fn find(table: &str, create: &str, name: &str) -> Option<Constraint> {
    constraints(table, create)
        .into_iter()
        .find(|c| c.name.eq_ignore_ascii_case(name))
}

/// A unique index of `table` named `name` (what ADD CONSTRAINT UNIQUE /
/// PRIMARY KEY made).
fn table_index(conn: &Connection, table: &str, name: &str) -> Result<Option<String>, SqlError> {
    conn.query_row(
        "SELECT name FROM main.sqlite_schema WHERE type = 'index' AND sql IS NOT NULL \
         AND tbl_name = ?1 AND name = ?2 COLLATE NOCASE",
        [table, name],
        |r| r.get(0),
    )
    .optional()
    .map_err(sql_error)
}

fn missing(table: &str, name: &str) -> SqlError {
    SqlError::new(
        "42704",
        format!("constraint \"{name}\" of relation \"{table}\" does not exist"),
    )
}

fn edit_definition(conn: &mut Connection, table: &str, edited: &str) -> Result<(), SqlError> {
    guard::unguarded(conn, |c| super::add_constraint::edit(c, table, edited)).map_err(sql_error)
}

fn drop_constraint(
    conn: &mut Connection,
    table: &str,
    name: &str,
    if_exists: bool,
) -> Result<(), SqlError> {
    let (table, create) = super::alter_column::definition(conn, table)?;
    if let Some(c) = find(&table, &create, name) {
        return match c.kind {
            Kind::Check | Kind::ForeignKey => {
                let edited = format!("{}{}", &create[..c.range.start], &create[c.range.end..]);
                edit_definition(conn, &table, &edited)
            }
            Kind::PrimaryKey | Kind::Unique => Err(SqlError::new(
                "0A000",
                format!(
                    "cannot drop constraint \"{}\": a PRIMARY KEY or UNIQUE constraint \
                     declared in CREATE TABLE is part of the table's storage in SQLite",
                    c.name
                ),
            )
            .with_detail(
                "Constraints added later with ALTER TABLE ... ADD CONSTRAINT can be dropped.",
            )),
        };
    }
    if let Some(index) = table_index(conn, &table, name)? {
        return conn
            .execute_batch(&format!("DROP INDEX {}", quote_ident(&index)))
            .map_err(sql_error);
    }
    // An EXCLUDE constraint: its two triggers (`translate::exclusion`).
    let triggers = crate::sql::translate::exclusion_trigger_names(name);
    let found: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' \
             AND tbl_name = ?1 COLLATE NOCASE AND name = ?2)",
            [&table, &triggers[0]],
            |r| r.get(0),
        )
        .map_err(sql_error)?;
    if found {
        let drops: Vec<String> = triggers
            .iter()
            .map(|t| format!("DROP TRIGGER IF EXISTS {}", quote_ident(t)))
            .collect();
        return conn.execute_batch(&drops.join("; ")).map_err(sql_error);
    }
    if if_exists {
        // PostgreSQL's notice (pg_raise_notice queues it for the session).
        let message =
            format!("constraint \"{name}\" of relation \"{table}\" does not exist, skipping");
        return conn
            .query_row(
                "SELECT pg_raise_notice('notice', '00000', ?1)",
                [message],
                |_| Ok(()),
            )
            .map_err(sql_error);
    }
    Err(missing(&table, name))
}

/// Every constraint here is valid: ADD CONSTRAINT checks the existing rows
/// even when NOT VALID, and SQLite enforces it from then on. What is left
/// to check is that it exists.
fn validate_constraint(conn: &mut Connection, table: &str, name: &str) -> Result<(), SqlError> {
    let (table, create) = super::alter_column::definition(conn, table)?;
    let checked = match find(&table, &create, name) {
        Some(c) => matches!(c.kind, Kind::Check | Kind::ForeignKey),
        None if table_index(conn, &table, name)?.is_some() => false,
        None => return Err(missing(&table, name)),
    };
    if checked {
        return Ok(());
    }
    Err(SqlError::new(
        "42809",
        format!("constraint \"{name}\" of relation \"{table}\" is not a foreign key or check constraint"),
    ))
}

fn rename_constraint(
    conn: &mut Connection,
    table: &str,
    from: &str,
    to: &str,
) -> Result<(), SqlError> {
    let (table, create) = super::alter_column::definition(conn, table)?;
    let taken = find(&table, &create, to).is_some() || table_index(conn, &table, to)?.is_some();
    if taken {
        return Err(SqlError::new(
            "42710",
            format!("constraint \"{to}\" for relation \"{table}\" already exists"),
        ));
    }
    if let Some(c) = find(&table, &create, from) {
        let edited = match c.name_range {
            Some(r) => format!(
                "{}{}{}",
                &create[..r.start],
                quote_ident(to),
                &create[r.end..]
            ),
            None => format!(
                "{}CONSTRAINT {} {}",
                &create[..c.clause_start],
                quote_ident(to),
                &create[c.clause_start..]
            ),
        };
        return edit_definition(conn, &table, &edited);
    }
    if let Some(index) = table_index(conn, &table, from)? {
        return rename_index(conn, &index, to);
    }
    Err(missing(&table, from))
}

fn rename_index(conn: &mut Connection, from: &str, to: &str) -> Result<(), SqlError> {
    let found: Option<(String, Option<String>)> = conn
        .query_row(
            "SELECT name, sql FROM main.sqlite_schema WHERE type = 'index' AND name = ?1 COLLATE NOCASE",
            [from],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(sql_error)?;
    let (name, create) = match found {
        Some((name, Some(create))) => (name, create),
        Some(_) => {
            return Err(SqlError::new(
                "0A000",
                format!("cannot rename index \"{from}\": it belongs to a constraint declared in CREATE TABLE"),
            ))
        }
        // A constraint's index is named after its table (`t_pkey`), so
        // after `ALTER TABLE posts RENAME TO articles` it already is
        // `articles_pkey`: Rails' rename_table then renames `posts_pkey`
        // to that name, which has nothing left to do.
        None if constraint_index_named(conn, to)? => return Ok(()),
        None => {
            return Err(SqlError::new(
                "42P01",
                format!("relation \"{from}\" does not exist"),
            ))
        }
    };
    if super::catalog::name_taken(conn, "main", to).map_err(sql_error)? {
        return Err(SqlError::new(
            "42P07",
            format!("relation \"{to}\" already exists"),
        ));
    }
    // `CREATE [UNIQUE] INDEX [IF NOT EXISTS] name ON ...`: the name is the
    // word before ON.
    let toks = tokens(&create).unwrap_or_default();
    let on = toks
        .iter()
        .position(|t| t.is(sqlparser::keywords::Keyword::ON))
        .filter(|&i| i > 0)
        .ok_or_else(|| SqlError::internal("ALTER INDEX", "unexpected index definition"))?;
    let r = &toks[on - 1];
    let renamed = format!(
        "{}{}{}",
        &create[..r.start],
        quote_ident(to),
        &create[r.end..]
    );
    conn.execute_batch(&format!("DROP INDEX {}; {renamed}", quote_ident(&name)))
        .map_err(sql_error)
}

/// Whether `name` is the name pg_class gives a constraint's index (one
/// declared in CREATE TABLE, which has no index of its own name in SQLite).
fn constraint_index_named(conn: &Connection, name: &str) -> Result<bool, SqlError> {
    // (The catalog views are made on a connection's first catalog read.)
    super::catalog::install(conn).map_err(sql_error)?;
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM pgcat_pg_class WHERE relname = ?1 AND relkind = 'i') \
         AND NOT EXISTS (SELECT 1 FROM main.sqlite_schema WHERE name = ?1 COLLATE NOCASE)",
        [name],
        |r| r.get(0),
    )
    .map_err(sql_error)
}
