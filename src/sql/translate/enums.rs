//! Enum types: `CREATE TYPE mood AS ENUM ('sad', 'ok')`, `ALTER TYPE mood
//! ADD VALUE 'x' [BEFORE | AFTER 'y']`, `DROP TYPE mood`, and columns of
//! such a type. The labels live in the tenant's `pgcat__enum` table (which
//! pg_type and pg_enum read); a column keeps the type's name as its
//! declared type and reads as text; a trigger pair refuses a value that is
//! not a label (22P02), for every way a row is written.
//!
//! Enum columns are declared with a collation per type that orders labels
//! as declared (`backend::sqlite::enum_order`). Not done: RENAME of a type
//! or value.

use sqlparser::ast::{
    AlterType, AlterTypeAddValuePosition, AlterTypeOperation, DataType, ObjectName, Statement,
    UserDefinedTypeRepresentation,
};

use super::ast::name_parts;
use super::error::{other, unsupported};
use super::TranslateError;
use crate::sql::quote_literal;

const TABLE: &str = "main.pgcat__enum";

/// The collation an enum column is declared with (see
/// `backend::sqlite::enum_order`, which must agree).
pub(crate) const COLLATION_PREFIX: &str = "pgcat_enum_";

/// The name of a user-defined type a column or cast names: a type name
/// PostgreSQL does not have built in (`mood`, `public.mood`).
pub(super) fn user_type(data_type: &DataType) -> Option<String> {
    let DataType::Custom(name, modifiers) = data_type else {
        return None;
    };
    if !modifiers.is_empty() || super::types::pg_type(data_type).is_ok() {
        return None;
    }
    // A built-in type pgtenant refuses (see `types::custom`), not a user's.
    if matches!(super::types::pg_type(data_type), Err(e) if e.code == "0A000") {
        return None;
    }
    match name_parts(name).as_slice() {
        [n] => Some(n.clone()),
        [schema, n] if schema == "public" => Some(n.clone()),
        _ => None,
    }
}

/// A statement raising `code` unless `type` exists (or, `exists` false,
/// when it does).
fn require(type_name: &str, exists: bool) -> String {
    require_as(type_name, type_name, exists)
}

/// [`require`], the type named in the message as `shown` (`mood[]`).
fn require_as(type_name: &str, shown: &str, exists: bool) -> String {
    let (code, message, test) = if exists {
        (
            "42704",
            format!("type \"{shown}\" does not exist"),
            "NOT EXISTS",
        )
    } else {
        (
            "42710",
            format!("type \"{type_name}\" already exists"),
            "EXISTS",
        )
    };
    format!(
        "SELECT pg_raise('{code}', {}) WHERE {test} (SELECT 1 FROM {TABLE} WHERE type = {})",
        quote_literal(&message),
        quote_literal(type_name)
    )
}

/// The statements checking that every user type `columns` name exists.
pub(super) fn require_types<'a>(types: impl Iterator<Item = &'a DataType>) -> Vec<String> {
    // (name, as the message shows it: an array's with its brackets)
    let mut seen: Vec<(String, String)> = Vec::new();
    for t in types {
        let (t, brackets) = match t {
            DataType::Array(sqlparser::ast::ArrayElemTypeDef::SquareBracket(elem, _)) => {
                (elem.as_ref(), "[]")
            }
            t => (t, ""),
        };
        if let Some(name) = user_type(t) {
            if !seen.iter().any(|(n, _)| *n == name) {
                let shown = format!("{name}{brackets}");
                seen.push((name, shown));
            }
        }
    }
    seen.iter()
        .map(|(n, shown)| require_as(n, shown, true))
        .collect()
}

fn trigger_name(table: &str, column: &str, suffix: &str) -> String {
    format!(
        "\"pgcat__enum_{}_{}_{suffix}\"",
        table.replace('"', "\"\""),
        column.replace('"', "\"\"")
    )
}

/// Triggers refusing a value of `column` that is not a label of `type`.
pub(crate) fn label_triggers(table: &str, column: &str, type_name: &str) -> Vec<String> {
    let q_table = format!("\"{}\"", table.replace('"', "\"\""));
    let q_col = format!("\"{}\"", column.replace('"', "\"\""));
    let t = quote_literal(type_name);
    let message = quote_literal(&format!("invalid input value for enum {type_name}: \""));
    let check = format!(
        "FOR EACH ROW WHEN NEW.{q_col} IS NOT NULL AND NOT EXISTS (SELECT 1 FROM {TABLE} \
         WHERE type = {t} AND label = NEW.{q_col}) \
         BEGIN SELECT pg_raise('22P02', {message} || NEW.{q_col} || '\"'); END"
    );
    vec![
        format!(
            "CREATE TRIGGER {} BEFORE INSERT ON {q_table} {check}",
            trigger_name(table, column, "i")
        ),
        format!(
            "CREATE TRIGGER {} BEFORE UPDATE OF {q_col} ON {q_table} {check}",
            trigger_name(table, column, "u")
        ),
    ]
}

/// Drops a column's label triggers (before the column goes).
pub(crate) fn drop_label_triggers(table: &str, column: &str) -> Vec<String> {
    ["i", "u"]
        .iter()
        .map(|s| format!("DROP TRIGGER IF EXISTS {}", trigger_name(table, column, s)))
        .collect()
}

fn type_name(name: &ObjectName) -> Result<String, TranslateError> {
    match name_parts(name).as_slice() {
        [n] => Ok(n.clone()),
        [schema, n] if schema == "public" => Ok(n.clone()),
        _ => Err(unsupported(format!(
            "type {name} outside the public schema"
        ))),
    }
}

/// `CREATE TYPE ... AS ENUM`, `ALTER TYPE`, `DROP TYPE`: their tag and
/// SQLite statements, or `None` for other statements.
pub(super) fn translate(
    statement: &Statement,
) -> Result<Option<(&'static str, Vec<String>)>, TranslateError> {
    Ok(Some(match statement {
        Statement::CreateType {
            name,
            representation,
        } => {
            let Some(UserDefinedTypeRepresentation::Enum { labels }) = representation else {
                return Err(unsupported("CREATE TYPE other than AS ENUM"));
            };
            let type_name = type_name(name)?;
            if super::types::pg_type(&DataType::Custom(name.clone(), vec![])).is_ok() {
                return Err(other(
                    "42710",
                    format!("type \"{type_name}\" already exists"),
                ));
            }
            let mut out = vec![require(&type_name, false)];
            if !labels.is_empty() {
                let rows: Vec<String> = labels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| {
                        format!(
                            "({}, {}, {})",
                            quote_literal(&type_name),
                            quote_literal(&l.value),
                            i + 1
                        )
                    })
                    .collect();
                out.push(format!(
                    "INSERT INTO {TABLE} (type, label, sort) VALUES {}",
                    rows.join(", ")
                ));
            }
            ("CREATE TYPE", out)
        }
        Statement::AlterType(AlterType { name, operation }) => {
            let type_name = type_name(name)?;
            let AlterTypeOperation::AddValue(add) = operation else {
                return Err(unsupported("ALTER TYPE other than ADD VALUE"));
            };
            let (t, label) = (quote_literal(&type_name), quote_literal(&add.value.value));
            let exists =
                format!("EXISTS (SELECT 1 FROM {TABLE} WHERE type = {t} AND label = {label})");
            let mut out = vec![require(&type_name, true)];
            if !add.if_not_exists {
                out.push(format!(
                    "SELECT pg_raise('42710', {}) WHERE {exists}",
                    quote_literal(&format!(
                        "enum label \"{}\" already exists",
                        add.value.value
                    ))
                ));
            }
            let sort = match &add.position {
                None => format!("(SELECT max(sort) + 1 FROM {TABLE} WHERE type = {t})"),
                Some(
                    AlterTypeAddValuePosition::Before(n) | AlterTypeAddValuePosition::After(n),
                ) => {
                    let before = matches!(add.position, Some(AlterTypeAddValuePosition::Before(_)));
                    let n = quote_literal(&n.value);
                    let at = format!("(SELECT sort FROM {TABLE} WHERE type = {t} AND label = {n})");
                    out.push(format!(
                        "SELECT pg_raise('22023', {}) WHERE {at} IS NULL",
                        quote_literal(&format!(
                            "\"{}\" is not an existing enum label",
                            n.trim_matches('\'')
                        ))
                    ));
                    let (agg, cmp, step) = if before {
                        ("max", "<", "- 1")
                    } else {
                        ("min", ">", "+ 1")
                    };
                    format!(
                        "(({at} + coalesce((SELECT {agg}(sort) FROM {TABLE} WHERE type = {t} \
                         AND sort {cmp} {at}), {at} {step})) / 2.0)"
                    )
                }
            };
            out.push(format!(
                "INSERT INTO {TABLE} (type, label, sort) SELECT {t}, {label}, {sort} WHERE NOT {exists}"
            ));
            ("ALTER TYPE", out)
        }
        Statement::Drop {
            object_type: sqlparser::ast::ObjectType::Type,
            if_exists,
            names,
            cascade,
            ..
        } => {
            let mut out = Vec::new();
            for name in names {
                let type_name = type_name(name)?;
                // Not while a column is declared with it (2BP01). (CASCADE
                // drops the type and leaves such columns reading as text.)
                if !*cascade {
                    out.push(format!(
                        "SELECT pg_drop_type_check({})",
                        quote_literal(&type_name)
                    ));
                }
                if *if_exists {
                    out.push(super::ddl::skipping_notice(
                        &format!("type \"{type_name}\""),
                        &format!(
                            "SELECT 1 FROM {TABLE} WHERE type = {}",
                            quote_literal(&type_name)
                        ),
                    ));
                } else {
                    out.push(require(&type_name, true));
                }
                out.push(format!(
                    "DELETE FROM {TABLE} WHERE type = {}",
                    quote_literal(&type_name)
                ));
                out.extend(super::comments::dropped_type(&type_name));
            }
            ("DROP TYPE", out)
        }
        _ => return Ok(None),
    }))
}
