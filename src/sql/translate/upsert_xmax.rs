//! `INSERT ... ON CONFLICT DO UPDATE ... RETURNING (xmax = 0) AS inserted`,
//! the common way to tell an upsert's inserted rows from its updated ones:
//! PostgreSQL's `xmax` is 0 for a row this statement inserted and the
//! updating transaction for one it updated. SQLite has no such column, so
//! the statement keeps a per-connection mark (`backend::sqlite::pgfuncs::
//! upsert`): the DO UPDATE sets it (its first assignment goes through
//! `pg_upsert_mark(v)`), and RETURNING's first `xmax` takes it
//! (`pg_upsert_xmax(1)`; later ones of the row, `pg_upsert_xmax(n)`, read
//! the same). SQLite computes a row's RETURNING values right after writing
//! that row, so each row reads its own mark.

use std::ops::ControlFlow;

use sqlparser::ast::{
    visit_expressions_mut, Expr, Insert, OnConflictAction, OnInsert, SelectItem, Statement,
};

use super::ast::call;

/// Rewrites `statement` in place when it is an INSERT whose RETURNING
/// names `xmax`.
pub(super) fn rewrite(statement: &mut Statement) {
    let Statement::Insert(insert) = statement else {
        return;
    };
    let Some(returning) = insert.returning.as_mut() else {
        return;
    };
    let mut named = 0;
    for item in returning.iter_mut() {
        // A bare `xmax` keeps its name as the output column's.
        if let SelectItem::UnnamedExpr(e) = item {
            if is_xmax(e) {
                *item = SelectItem::ExprWithAlias {
                    expr: e.clone(),
                    alias: sqlparser::ast::Ident::new("xmax"),
                };
            }
        }
        let expr = match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => e,
            _ => continue,
        };
        let _ = visit_expressions_mut(expr, |e| {
            if is_xmax(e) {
                named += 1;
                *e = call("pg_upsert_xmax", vec![super::ast::number(named)]);
            }
            ControlFlow::<()>::Continue(())
        });
    }
    if named > 0 {
        mark_update(insert);
    }
}

/// `xmax` or `table.xmax`, unquoted or quoted in lower case.
fn is_xmax(e: &Expr) -> bool {
    let ident = match e {
        Expr::Identifier(i) => i,
        Expr::CompoundIdentifier(parts) if parts.len() == 2 => &parts[1],
        _ => return false,
    };
    if ident.quote_style.is_some() {
        ident.value == "xmax"
    } else {
        ident.value.eq_ignore_ascii_case("xmax")
    }
}

/// Sets the mark in the DO UPDATE.
fn mark_update(insert: &mut Insert) {
    if let Some(OnInsert::OnConflict(conflict)) = insert.on.as_mut() {
        if let OnConflictAction::DoUpdate(update) = &mut conflict.action {
            if let Some(first) = update.assignments.first_mut() {
                wrap(&mut first.value, "pg_upsert_mark");
            }
        }
    }
}

fn wrap(e: &mut Expr, function: &str) {
    let value = std::mem::replace(e, Expr::value(sqlparser::ast::Value::Null));
    *e = call(function, vec![value]);
}
