//! `EXCLUDE USING gist (room WITH =, during WITH &&)`: no two rows whose
//! columns all match under the operators (the booking table's "no double
//! booking"). SQLite has no exclusion constraints, so each becomes two
//! triggers, after INSERT and after UPDATE, that look for another row in
//! conflict and fail the statement with PostgreSQL's 23P01 (undoing it).
//! After, not before: the row has then taken its serial number, which a
//! failed INSERT uses up in PostgreSQL too (see `exec::serial_gaps`). (Not in the
//! catalog's constraint list, so a tenant's pg_dump leaves it out.)

use sqlparser::ast::{ExcludeConstraint, ExcludeConstraintOperator, Expr};

use super::error::unsupported;
use super::TranslateError;
use crate::sql::{quote_ident, quote_literal};

/// The constraint's name as PostgreSQL chooses it: `<table>_<columns>_excl`.
fn name(table: &str, c: &ExcludeConstraint, columns: &[String]) -> String {
    match &c.name {
        Some(n) => n.value.clone(),
        None => format!("{table}_{}_excl", columns.join("_")),
    }
}

/// The constraint's columns and operators (`=`, `<>`, `&&`).
fn elements(c: &ExcludeConstraint) -> Result<Vec<(String, &'static str)>, TranslateError> {
    if c.where_clause.is_some() {
        return Err(unsupported("EXCLUDE constraint with a WHERE predicate"));
    }
    c.elements
        .iter()
        .map(|element| {
            let column = match &element.column.column.expr {
                Expr::Identifier(id) => id.value.clone(),
                other => {
                    return Err(unsupported(format!(
                        "EXCLUDE constraint on the expression {other}"
                    )))
                }
            };
            let op = match &element.operator {
                ExcludeConstraintOperator::Token(t) => t.as_str(),
                ExcludeConstraintOperator::PGOperator(parts) => {
                    parts.last().map(String::as_str).unwrap_or_default()
                }
            };
            let op = match op {
                "=" => "=",
                "<>" => "<>",
                "&&" => "&&",
                other => return Err(unsupported(format!("EXCLUDE constraint operator {other}"))),
            };
            Ok((column, op))
        })
        .collect()
}

/// Rows `a` and `b` conflict: every element's operator holds.
fn conflict(elements: &[(String, &str)], a: &str, b: &str) -> String {
    elements
        .iter()
        .map(|(column, op)| {
            let (x, y) = (
                format!("{a}.{}", quote_ident(column)),
                format!("{b}.{}", quote_ident(column)),
            );
            match *op {
                "&&" => format!("pg_range_overlaps({x}, {y})"),
                op => format!("{x} {op} {y}"),
            }
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The triggers enforcing `c` on `table`; with `existing`, first a check
/// that the rows already there do not conflict (ALTER TABLE ADD).
pub(super) fn triggers(
    table: &str,
    c: &ExcludeConstraint,
    existing: bool,
) -> Result<Vec<String>, TranslateError> {
    let elements = elements(c)?;
    let columns: Vec<String> = elements.iter().map(|(c, _)| c.clone()).collect();
    let name = name(table, c, &columns);
    let q_table = quote_ident(table);
    let conflict = conflict(&elements, "pg_x", "NEW");
    // PostgreSQL's DETAIL names both rows' keys; the table and constraint
    // travel as the error's fields (see `errors::carried_code`).
    let shown = columns
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let key = |row: &str| {
        columns
            .iter()
            .map(|c| format!("coalesce({row}.{}, 'null')", quote_ident(c)))
            .collect::<Vec<_>>()
            .join(" || ', ' || ")
    };
    // The 23P01 raised: message, then the marked DETAIL, table and
    // constraint; `first` and `second` are SQL giving the two keys' text.
    let raise = |message: &str, conflicts: &str, first: &str, second: &str| {
        let mark = |tag: char, text: &str| format!("char(1) || '{tag}' || {}", quote_literal(text));
        format!(
            "pg_raise('23P01', {} || {} || {first} || {} || {second} || ').' || {} || {})",
            quote_literal(message),
            mark('D', &format!("Key ({shown})=(")),
            quote_literal(&format!(") {conflicts} ({shown})=(")),
            mark('T', table),
            mark('C', &name),
        )
    };
    let mut out = Vec::with_capacity(3);
    if existing {
        out.push(format!(
            "SELECT {} FROM {q_table} AS pg_x JOIN {q_table} AS pg_y \
             ON pg_x.rowid < pg_y.rowid AND {} LIMIT 1",
            raise(
                &format!("could not create exclusion constraint \"{name}\""),
                "conflicts with key",
                &key("pg_x"),
                &key("pg_y"),
            ),
            self::conflict(&elements, "pg_x", "pg_y"),
        ));
    }
    let existing_key = format!(
        "(SELECT {} FROM {q_table} AS pg_x WHERE pg_x.rowid <> NEW.rowid AND {conflict} LIMIT 1)",
        key("pg_x")
    );
    let on_conflict = raise(
        &format!("conflicting key value violates exclusion constraint \"{name}\""),
        "conflicts with existing key",
        &key("NEW"),
        &existing_key,
    );
    for (event, trigger) in ["INSERT", "UPDATE"].into_iter().zip(trigger_names(&name)) {
        out.push(format!(
            "CREATE TRIGGER {} AFTER {event} ON {q_table} FOR EACH ROW WHEN EXISTS \
             (SELECT 1 FROM {q_table} AS pg_x WHERE pg_x.rowid <> NEW.rowid AND {conflict}) \
             BEGIN SELECT {on_conflict}; END",
            quote_ident(&trigger)
        ));
    }
    Ok(out)
}

/// The INSERT and UPDATE triggers of the constraint `name` (DROP
/// CONSTRAINT finds and drops them by these names).
pub(crate) fn trigger_names(name: &str) -> [String; 2] {
    [format!("pg_excl_{name}_i"), format!("pg_excl_{name}_u")]
}
