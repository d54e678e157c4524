//! Literals and parameters written into columns are read as PostgreSQL
//! reads input for the column's type: `pg_column_input(value, 'table',
//! 'column')` checks and converts them on the tenant's connection, where the
//! declared type is known (SQLite would keep `'abc'` in an integer column,
//! store `1.5` there as a real and `40000` in a smallint). Covers the items
//! of INSERT ... VALUES rows and the values of UPDATE's SET list that are
//! literals or parameters (the simple protocol lifts literals into
//! parameters).

use super::ast::{base_name, call, insert_target, number, string};
use sqlparser::ast::{
    AssignmentTarget, Expr, SetExpr, Statement, TableFactor, UnaryOperator, Value,
};

/// Wraps the values written into columns in place.
pub(super) fn wrap(statement: &mut Statement) {
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
                    if is_input(e) {
                        let column = match columns.get(i) {
                            Some(c) => string(c.clone()),
                            None => number(i),
                        };
                        let value = std::mem::replace(e, Expr::value(Value::Null));
                        *e = call(
                            "pg_column_input",
                            vec![value, string(table.clone()), column],
                        );
                    }
                }
            }
        }
        Statement::Update(update) => {
            let TableFactor::Table { name, .. } = &update.table.relation else {
                return;
            };
            let table = base_name(name);
            for a in &mut update.assignments {
                let AssignmentTarget::ColumnName(col) = &a.target else {
                    continue;
                };
                if is_input(&a.value) {
                    let value = std::mem::replace(&mut a.value, Expr::value(Value::Null));
                    a.value = call(
                        "pg_column_input",
                        vec![value, string(table.clone()), string(base_name(col))],
                    );
                }
            }
        }
        _ => {}
    }
}

/// A string literal, a number that an integer column might not take as
/// is (a fraction, or beyond smallint), or a parameter (the simple
/// protocol's lifted literals are parameters too).
fn is_input(e: &Expr) -> bool {
    match e {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(_)
            | Value::EscapedStringLiteral(_)
            | Value::NationalStringLiteral(_)
            | Value::DollarQuotedString(_) => true,
            Value::Number(n, _) => n.parse::<i16>().is_err(),
            Value::Placeholder(_) => true,
            _ => false,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => matches!(expr.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..))),
        _ => false,
    }
}
