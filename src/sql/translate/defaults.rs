//! `DEFAULT` in an INSERT's VALUES rows or an UPDATE's SET list. SQLite
//! knows the keyword only as `DEFAULT VALUES`; a row may mix defaults and
//! values (Knex and ActiveRecord send `VALUES ($1, DEFAULT), (DEFAULT, $2)`
//! for multi-row inserts), so each becomes a call that evaluates the
//! column's declared default on the tenant's connection:
//! `pg_column_default('table', 'column')`, or by position when the INSERT
//! names no columns. A column without a default gets NULL, which a rowid
//! (serial) key turns into the next id, as PostgreSQL's sequence would.

use super::ast::{call, for_each_column_value, string};
use sqlparser::ast::{Expr, Statement};

/// Replaces DEFAULT markers in place.
pub(super) fn expand(statement: &mut Statement) {
    for_each_column_value(statement, |e, table, column| {
        if is_default(e) {
            *e = call("pg_column_default", vec![string(table), column]);
        }
    });
}

/// Whether `e` is what [`expand`] made of a DEFAULT.
pub(super) fn is_default_call(e: &Expr) -> bool {
    matches!(e, Expr::Function(f) if super::ast::base_name(&f.name) == "pg_column_default")
}

/// The bare keyword (a quoted "DEFAULT" is a column name).
fn is_default(e: &Expr) -> bool {
    matches!(e, Expr::Identifier(id) if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default"))
}
