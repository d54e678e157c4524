//! The comment upkeep of the statements that rename or drop an object
//! (comments are keyed by name): plain SQL, appended by their translations
//! (or run by the session for the schema edits it applies itself).

use super::TABLE;
use crate::sql::catalog::COMMENT_TABLE;
use crate::sql::quote_literal as lit;

/// After `ALTER TABLE | SEQUENCE from RENAME TO to`: its comments and
/// those of its columns follow it.
pub(crate) fn renamed_relation(from: &str, to: &str) -> Vec<String> {
    vec![
        COMMENT_TABLE.to_owned(),
        format!(
            "UPDATE OR REPLACE {TABLE} SET obj = {} WHERE kind IN ('rel', 'col', 'con') AND obj = {}",
            lit(to),
            lit(from)
        ),
    ]
}

/// After `ALTER INDEX from RENAME TO to`.
pub(crate) fn renamed_index(from: &str, to: &str) -> Vec<String> {
    vec![
        COMMENT_TABLE.to_owned(),
        format!(
            "UPDATE OR REPLACE {TABLE} SET obj = {} WHERE kind = 'idx' AND obj = {}",
            lit(to),
            lit(from)
        ),
    ]
}

/// After `ALTER TABLE t RENAME COLUMN from TO to`.
pub(crate) fn renamed_column(table: &str, from: &str, to: &str) -> Vec<String> {
    vec![
        COMMENT_TABLE.to_owned(),
        format!(
            "UPDATE OR REPLACE {TABLE} SET sub = {} WHERE kind = 'col' AND obj = {} AND sub = {}",
            lit(to),
            lit(table),
            lit(from)
        ),
    ]
}

/// Before a table, view or sequence is dropped: its comments, its
/// columns', and its indexes' (SQLite's names, and the primary key's
/// PostgreSQL name) go with it.
pub(crate) fn dropped_relation(name: &str) -> Vec<String> {
    let n = lit(name);
    vec![
        COMMENT_TABLE.to_owned(),
        format!(
            "DELETE FROM {TABLE} WHERE (kind IN ('rel', 'col', 'con') AND obj = {n}) \
             OR (kind = 'idx' AND (obj = {} OR obj IN (SELECT s.name FROM main.sqlite_schema s \
             WHERE s.type = 'index' AND s.tbl_name = {n} COLLATE NOCASE)))",
            lit(&format!("{name}_pkey"))
        ),
    ]
}

/// With `DROP INDEX name`.
pub(crate) fn dropped_index(name: &str) -> Vec<String> {
    vec![
        COMMENT_TABLE.to_owned(),
        format!(
            "DELETE FROM {TABLE} WHERE kind = 'idx' AND obj = {}",
            lit(name)
        ),
    ]
}

/// With `ALTER TABLE t DROP COLUMN c`.
pub(crate) fn dropped_column(table: &str, column: &str) -> Vec<String> {
    vec![
        COMMENT_TABLE.to_owned(),
        format!(
            "DELETE FROM {TABLE} WHERE kind = 'col' AND obj = {} AND sub = {}",
            lit(table),
            lit(column)
        ),
    ]
}

/// With `DROP TYPE name`.
pub(crate) fn dropped_type(name: &str) -> Vec<String> {
    vec![
        COMMENT_TABLE.to_owned(),
        format!(
            "DELETE FROM {TABLE} WHERE kind = 'type' AND obj = {}",
            lit(name)
        ),
    ]
}

/// After `ALTER TABLE t RENAME CONSTRAINT from TO to`.
pub(crate) fn renamed_constraint(table: &str, from: &str, to: &str) -> Vec<String> {
    vec![
        COMMENT_TABLE.to_owned(),
        format!(
            "UPDATE OR REPLACE {TABLE} SET sub = {} WHERE kind = 'con' AND obj = {} AND sub = {}",
            lit(to),
            lit(table),
            lit(from)
        ),
    ]
}

/// With `ALTER TABLE t DROP CONSTRAINT name`.
pub(crate) fn dropped_constraint(table: &str, name: &str) -> Vec<String> {
    vec![
        COMMENT_TABLE.to_owned(),
        format!(
            "DELETE FROM {TABLE} WHERE kind = 'con' AND obj = {} AND sub = {}",
            lit(table),
            lit(name)
        ),
    ]
}
