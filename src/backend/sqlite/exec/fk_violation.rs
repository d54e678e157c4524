//! PostgreSQL's foreign key violation message, worked out after the fact.
//!
//! SQLite says only "FOREIGN KEY constraint failed": not which constraint,
//! nor which key. PostgreSQL names both (`insert or update on table "book"
//! violates foreign key constraint "book_author_id_fkey"`, `Key
//! (author_id)=(99) is not present in table "author".`), and a person needs
//! them to act. So when a statement fails that way, it runs again inside a
//! savepoint with the tenant's foreign keys deferred, SQLite's own
//! `foreign_key_check` names the offending row and key, and the savepoint
//! is rolled back: nothing of the second run remains. Only the error path
//! pays (the check reads the tables that have foreign keys).

use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension};
use sqlparser::ast::{FromTable, Statement, TableFactor, TableObject};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

use super::rerun;
use crate::backend::sqlite::guard;
use crate::sql::errors::SqlError;
use crate::sql::quote_ident;

/// Runs `sql` (which failed with a foreign key violation, and was rolled
/// back) again with the keys checked at its end rather than row by row,
/// as PostgreSQL checks them at the end of a statement: `DROP TABLE
/// parent, child` fails in SQLite, which empties the parent first. True
/// when it ran and no row is left referring to a missing one; on false
/// the caller rolls the second run back.
pub(super) fn holds_at_end(db: &Connection, sql: &str) -> bool {
    guard::deferring_foreign_keys(db, || {
        db.execute_batch(sql).ok()?;
        let clean: bool = db
            .query_row(
                "SELECT NOT EXISTS (SELECT 1 FROM pragma_foreign_key_check)",
                [],
                |r| r.get(0),
            )
            .ok()?;
        clean.then_some(())
    })
    .is_some()
}

/// One violating row, as `foreign_key_check` reports it.
struct Violation {
    child: String,
    parent: String,
    constraint: String,
    /// (child column, parent column) pairs of the key.
    columns: Vec<(String, String)>,
    /// The child row's key values, as text.
    values: Vec<String>,
}

/// The PostgreSQL error for `sql` (which failed with a foreign key
/// violation), or `None` when the second run does not tell.
pub(super) fn explain(db: &Connection, sql: &str, params: &[Value]) -> Option<SqlError> {
    let (target, written) = target_table(sql)?;
    let v = rerun::rolled_back(db, || {
        guard::deferring_foreign_keys(db, || {
            rerun::run_again(db, sql, params).ok()?;
            first_violation(db)
        })
    })?;
    let key = |side: fn(&(String, String)) -> &String| {
        v.columns
            .iter()
            .map(|c| side(c).as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let values = v.values.join(", ");
    // Tables as PostgreSQL names them: a user schema's by its name in it.
    let bare = |t: &str| {
        crate::sql::translate::schemas::relation_parts(t)
            .1
            .to_owned()
    };
    let (child, parent) = (bare(&v.child), bare(&v.parent));
    // A table referring to itself is the child and the parent of the
    // violation: a DELETE, or an UPDATE of the referenced key alone, can
    // only leave a row referring to a removed key.
    let removes_key = match &written {
        Written::Deleted => true,
        Written::Columns(set) => {
            let sets = |c: &String| set.iter().any(|s| s.eq_ignore_ascii_case(c));
            v.columns.iter().any(|c| sets(&c.1)) && !v.columns.iter().any(|c| sets(&c.0))
        }
        Written::Inserted => false,
    };
    let error = if v.child.eq_ignore_ascii_case(&target) && !removes_key {
        SqlError::new(
            "23503",
            format!(
                "insert or update on table \"{}\" violates foreign key constraint \"{}\"",
                child, v.constraint
            ),
        )
        .with_detail(format!(
            "Key ({})=({values}) is not present in table \"{}\".",
            key(|c| &c.0),
            parent
        ))
    } else {
        SqlError::new(
            "23503",
            format!(
                "update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\"",
                parent, v.constraint, child
            ),
        )
        .with_detail(format!(
            "Key ({})=({values}) is still referenced from table \"{}\".",
            key(|c| &c.1),
            child
        ))
    };
    Some(error.on(&v.child, None, Some(&v.constraint)))
}

/// What a statement does to the rows of its table.
enum Written {
    Inserted,
    /// An UPDATE, with the columns it sets.
    Columns(Vec<String>),
    Deleted,
}

/// The table an INSERT, UPDATE or DELETE writes, and how.
fn target_table(sql: &str) -> Option<(String, Written)> {
    crate::sql::stack::with_room_for_text(sql, || {
        let statement = Parser::parse_sql(&SQLiteDialect {}, sql).ok()?.pop()?;
        let name = match &statement {
            Statement::Insert(i) => match &i.table {
                TableObject::TableName(n) => n,
                _ => return None,
            },
            Statement::Update(u) => match &u.table.relation {
                TableFactor::Table { name, .. } => name,
                _ => return None,
            },
            Statement::Delete(d) => {
                let (FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t)) = &d.from;
                match &t.first()?.relation {
                    TableFactor::Table { name, .. } => name,
                    _ => return None,
                }
            }
            _ => return None,
        };
        let written = match &statement {
            Statement::Delete(_) => Written::Deleted,
            Statement::Update(u) => Written::Columns(
                u.assignments
                    .iter()
                    .filter_map(|a| match &a.target {
                        sqlparser::ast::AssignmentTarget::ColumnName(c) => {
                            Some(c.0.last()?.as_ident()?.value.clone())
                        }
                        _ => None,
                    })
                    .collect(),
            ),
            _ => Written::Inserted,
        };
        Some((name.0.last()?.as_ident()?.value.clone(), written))
    })
}

/// The first row `foreign_key_check` reports, with its constraint and key.
fn first_violation(db: &Connection) -> Option<Violation> {
    let (child, rowid, parent, fk): (String, Option<i64>, String, i64) = db
        .query_row(
            "SELECT \"table\", rowid, parent, fkid FROM pragma_foreign_key_check LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .ok()??;
    let mut list = db
        .prepare(
            "SELECT \"from\", \"to\" FROM pragma_foreign_key_list(?1) WHERE id = ?2 ORDER BY seq",
        )
        .ok()?;
    // A key naming no parent columns references the parent's primary key,
    // column for column.
    let primary_key: Vec<String> = db
        .prepare("SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk")
        .ok()?
        .query_map([&parent], |r| r.get(0))
        .ok()?
        .filter_map(Result::ok)
        .collect();
    let columns: Vec<(String, String)> = list
        .query_map(rusqlite::params![child, fk], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .ok()?
        .filter_map(Result::ok)
        .enumerate()
        .map(|(i, (from, to))| {
            let to = to
                .or_else(|| primary_key.get(i).cloned())
                .unwrap_or_else(|| from.clone());
            (from, to)
        })
        .collect();
    if columns.is_empty() {
        return None;
    }
    let constraint: String = db
        .query_row(
            "SELECT pg_fk_name(name, sql, ?2) FROM main.sqlite_schema WHERE type = 'table' AND name = ?1",
            rusqlite::params![child, fk],
            |r| r.get::<_, Option<String>>(0),
        )
        .ok()
        .flatten()
        .unwrap_or_else(|| {
            let cols: Vec<&str> = columns.iter().map(|c| c.0.as_str()).collect();
            format!("{child}_{}_fkey", cols.join("_"))
        });
    let select: Vec<String> = columns
        .iter()
        .map(|c| format!("coalesce(CAST({} AS TEXT), 'null')", quote_ident(&c.0)))
        .collect();
    let values: Vec<String> = match rowid {
        Some(rowid) => db
            .query_row(
                &format!(
                    "SELECT {} FROM main.{} WHERE rowid = ?1",
                    select.join(", "),
                    quote_ident(&child)
                ),
                [rowid],
                |r| (0..columns.len()).map(|i| r.get::<_, String>(i)).collect(),
            )
            .ok()?,
        None => return None,
    };
    Some(Violation {
        child,
        parent,
        constraint,
        columns,
        values,
    })
}
