//! `ts AT TIME ZONE zone` and `timezone(zone, ts)` become
//! `pg_at_time_zone(ts, zone, kind)` before the rest of the translation
//! (which rewrites `ts` into its stored text and loses its type). Which way
//! to convert depends on whether `ts` is a timestamptz: `kind` is 1 or 0
//! when the expression says so (a cast, now()), `'table.column'` for a
//! column (the function reads its declared type once per statement), else
//! NULL (the function looks for a zone in the value).

use super::ast::{base_name, call, null, number, string};
use super::columns::expr_type;
use super::params::Scope;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{visit_expressions, visit_expressions_mut, Expr, Statement};
use std::ops::ControlFlow;

/// Rewrites the time zone conversions of `statement` in place.
pub(super) fn prepare(statement: &mut Statement) {
    // Most statements convert no time zone: no need to look for tables.
    let converts = visit_expressions(&*statement, |e| match e {
        Expr::AtTimeZone { .. } => ControlFlow::Break(()),
        Expr::Function(f) if base_name(&f.name) == "timezone" => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    });
    if converts.is_continue() {
        return;
    }
    let scope = Scope::of(statement);
    let _ = visit_expressions_mut(statement, |e| {
        let (ts, zone) = match e {
            Expr::AtTimeZone {
                timestamp,
                time_zone,
            } => ((**timestamp).clone(), (**time_zone).clone()),
            Expr::Function(f) if base_name(&f.name) == "timezone" => {
                match super::ast::plain_args(f).as_deref() {
                    Some([zone, ts]) => ((*ts).clone(), (*zone).clone()),
                    _ => return ControlFlow::<()>::Continue(()),
                }
            }
            _ => return ControlFlow::Continue(()),
        };
        let kind = kind_of(&ts, &scope);
        *e = call("pg_at_time_zone", vec![ts, zone, kind]);
        ControlFlow::Continue(())
    });
}

fn kind_of(ts: &Expr, scope: &Scope) -> Expr {
    match expr_type(ts) {
        Some(PgType::Timestamptz) => number(1),
        Some(PgType::Timestamp | PgType::Date) => number(0),
        _ => match scope.column_of(ts) {
            Some((table, column)) => string(format!("{table}.{column}")),
            None => null(),
        },
    }
}
