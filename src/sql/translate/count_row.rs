//! `count(t.*)`: PostgreSQL counts the rows where `t`'s row is not null,
//! which skips the rows an outer join found no match for (`accounts a LEFT
//! JOIN events e ... count(e.*)` is 0 for an account without events).
//! SQLite takes no `t.*` argument; a table's rowid is null exactly there.

use super::ast::name_parts;
use super::error::unsupported;
use super::scopes::Scopes;
use super::TranslateError;
use sqlparser::ast::{
    DuplicateTreatment, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident,
};

/// Rewrites `count(t.*)` where `t` is a table in scope (not a
/// WITH query or derived table, which have no rowid) to `count(t.rowid)`.
pub(super) fn rewrite(
    expr: &mut Expr,
    scopes: &Scopes,
    is_cte: impl Fn(&str) -> bool,
) -> Result<(), TranslateError> {
    let Expr::Function(f) = expr else {
        return Ok(());
    };
    if f.name.0.len() != 1 || super::ast::base(&f.name) != "count" {
        return Ok(());
    }
    // `count(DISTINCT t.*)` compares the rows' values, which rowids do not.
    let FunctionArguments::List(list) = &mut f.args else {
        return Ok(());
    };
    let [FunctionArg::Unnamed(arg)] = list.args.as_mut_slice() else {
        return Ok(());
    };
    let FunctionArgExpr::QualifiedWildcard(name) = arg else {
        return Ok(());
    };
    if matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)) {
        return Err(unsupported("count(DISTINCT t.*)"));
    }
    let parts = name_parts(name);
    let [qualifier] = parts.as_slice() else {
        return Ok(());
    };
    let Some(base) = scopes.base_of(qualifier) else {
        return Ok(());
    };
    if is_cte(&base) {
        return Ok(());
    }
    *arg = FunctionArgExpr::Expr(Expr::CompoundIdentifier(vec![
        Ident::with_quote('"', qualifier),
        Ident::new("rowid"),
    ]));
    Ok(())
}
