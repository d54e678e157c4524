//! `DEFAULT` in an INSERT's VALUES rows or an UPDATE's SET list. SQLite
//! knows the keyword only as `DEFAULT VALUES`; a row may mix defaults and
//! values (Knex and ActiveRecord send `VALUES ($1, DEFAULT), (DEFAULT, $2)`
//! for multi-row inserts), so each becomes a call that evaluates the
//! column's declared default on the tenant's connection:
//! `pg_column_default('table', 'column')`, or by position when the INSERT
//! names no columns. A column without a default gets NULL, which a rowid
//! (serial) key turns into the next id, as PostgreSQL's sequence would.

use super::ast::{base_name, call, insert_target, number, string};
use sqlparser::ast::{Expr, SetExpr, Statement};

/// Replaces DEFAULT markers in place.
pub(super) fn expand(statement: &mut Statement) {
    match statement {
        Statement::Insert(insert) => {
            let Some((table, columns)) = insert_target(insert) else {
                return;
            };
            let Some(SetExpr::Values(values)) = insert.source.as_mut().map(|q| q.body.as_mut())
            else {
                return;
            };
            for row in &mut values.rows {
                for (i, e) in row.content.iter_mut().enumerate() {
                    if is_default(e) {
                        let column = match columns.get(i) {
                            Some(c) => string(c.clone()),
                            None => number(i),
                        };
                        *e = call("pg_column_default", vec![string(table.clone()), column]);
                    }
                }
            }
        }
        Statement::Update(update) => {
            let sqlparser::ast::TableFactor::Table { name, .. } = &update.table.relation else {
                return;
            };
            let table = base_name(name);
            for a in &mut update.assignments {
                let sqlparser::ast::AssignmentTarget::ColumnName(col) = &a.target else {
                    continue;
                };
                if is_default(&a.value) {
                    a.value = call(
                        "pg_column_default",
                        vec![string(table.clone()), string(base_name(col))],
                    );
                }
            }
        }
        _ => {}
    }
}

/// The bare keyword (a quoted "DEFAULT" is a column name).
fn is_default(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(id) if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default"))
}
