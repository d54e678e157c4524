//! `row_to_json(t)` where `t` is a derived table in the same FROM: its
//! columns are known from the subquery, so the row becomes SQLite's
//! `json_object('a', t.a, ...)`, whose compact text is what PostgreSQL
//! prints. Rows of real tables need the schema and stay unsupported.

use super::ast::{base_name, ident_name, plain_args, string};
use super::error::unsupported;
use super::TranslateError;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{Expr, Ident, Query, Select, SelectItem, SetExpr, TableFactor};

/// Rewrites `row_to_json(alias)` select items; runs before the select's
/// expressions are translated, while the subquery is PostgreSQL's.
pub(super) fn rewrite(select: &mut Select) -> Result<(), TranslateError> {
    for i in 0..select.projection.len() {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) =
            &select.projection[i]
        else {
            continue;
        };
        let Some(alias) = row_argument(e) else {
            continue;
        };
        let Some(columns) = derived_columns(select, &alias) else {
            return Err(unsupported("row_to_json() of a table's rows"));
        };
        let mut args = Vec::new();
        for (name, ty) in columns {
            let value = Expr::CompoundIdentifier(vec![
                Ident::with_quote('"', alias.clone()),
                Ident::with_quote('"', name.clone()),
            ]);
            args.push(string(name));
            args.push(super::functions::json_argument(value, ty));
        }
        let object = super::ast::call("json_object", args);
        match &mut select.projection[i] {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => *e = object,
            _ => unreachable!("matched above"),
        }
    }
    Ok(())
}

/// The relation name in `row_to_json(name)`.
fn row_argument(e: &Expr) -> Option<String> {
    let Expr::Function(f) = e else { return None };
    if base_name(&f.name) != "row_to_json" {
        return None;
    }
    match plain_args(f)?.as_slice() {
        [Expr::Identifier(t)] => Some(ident_name(t)),
        _ => None,
    }
}

/// The named columns of the derived table `alias` in the FROM clause.
fn derived_columns(select: &Select, alias: &str) -> Option<Vec<(String, Option<PgType>)>> {
    let subquery = select.from.iter().find_map(|twj| {
        std::iter::once(&twj.relation)
            .chain(twj.joins.iter().map(|j| &j.relation))
            .find_map(|r| match r {
                TableFactor::Derived {
                    subquery,
                    alias: Some(a),
                    ..
                } if ident_name(&a.name) == alias && a.columns.is_empty() => Some(subquery),
                _ => None,
            })
    })?;
    let names = item_names(subquery)?;
    let types = super::columns::query_types(subquery);
    Some(
        names
            .into_iter()
            .enumerate()
            .map(|(i, n)| (n, types.get(i).copied().flatten()))
            .collect(),
    )
}

/// Output names of a plain SELECT whose items are all aliased or columns.
fn item_names(query: &Query) -> Option<Vec<String>> {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return None;
    };
    select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(ident_name(alias)),
            SelectItem::UnnamedExpr(Expr::Identifier(i)) => Some(ident_name(i)),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(ids)) => ids.last().map(ident_name),
            _ => None,
        })
        .collect()
}
