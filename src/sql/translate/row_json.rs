//! A row of a derived table in the same FROM as JSON: `row_to_json(t)`,
//! `to_json(t)`, `json_agg(t)`, `jsonb_agg(t)`. The subquery's columns are
//! known, so the row becomes SQLite's `json_object('a', t.a, ...)`, whose
//! compact text is what PostgreSQL prints; a value that is a column of a
//! table inside the subquery is read as its declared type
//! (`pg_column_json`: booleans as true/false, json embedded). A real
//! table's row is read by its rowid when the statement runs
//! (`pg_table_row_json`), its columns typed by their declarations.

use super::ast::{base_name, call, ident_name, string};
use super::column_dates::column_lookup;
use super::scopes::Scopes;
use super::TranslateError;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{
    visit_expressions_mut, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, Query,
    Select, SelectItem, SetExpr, TableFactor,
};
use std::ops::ControlFlow;

/// Rewrites the row-to-JSON calls of the select list; runs before the
/// select's expressions are translated, while the subquery is PostgreSQL's.
pub(super) fn rewrite(select: &mut Select) -> Result<(), TranslateError> {
    let mut projection = std::mem::take(&mut select.projection);
    let mut result = Ok(());
    for item in &mut projection {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else {
            continue;
        };
        let _ = visit_expressions_mut(e, |x| match row_call(x, select) {
            Ok(()) => ControlFlow::Continue(()),
            Err(err) => {
                result = Err(err);
                ControlFlow::Break(())
            }
        });
    }
    select.projection = projection;
    result
}

/// One call, rewritten in place when its argument is a row.
fn row_call(e: &mut Expr, select: &Select) -> Result<(), TranslateError> {
    let Expr::Function(f) = e else { return Ok(()) };
    let name = base_name(&f.name);
    if !matches!(
        name.as_str(),
        "row_to_json" | "to_json" | "to_jsonb" | "json_agg" | "jsonb_agg"
    ) {
        return Ok(());
    }
    let FunctionArguments::List(list) = &mut f.args else {
        return Ok(());
    };
    // `t` or `t.*`: the row of FROM item t.
    let alias = match list.args.as_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Identifier(t)))] => ident_name(t),
        [FunctionArg::Unnamed(FunctionArgExpr::QualifiedWildcard(n))] if n.0.len() == 1 => {
            base_name(n)
        }
        _ => return Ok(()),
    };
    let Some(columns) = derived_columns(select, &alias) else {
        // A table's row: read by rowid, its columns as the schema declares
        // them, when the statement runs; anything else is a column.
        let Some(table) = table_of(select, &alias) else {
            return Ok(());
        };
        let rowid = Expr::CompoundIdentifier(vec![
            Ident::with_quote('"', alias.clone()),
            Ident::new("rowid"),
        ]);
        let jsonb = matches!(name.as_str(), "to_jsonb" | "jsonb_agg");
        let row = call(
            "pg_table_row_json",
            vec![string(table), rowid, super::ast::number(u8::from(jsonb))],
        );
        match name.as_str() {
            "row_to_json" | "to_json" | "to_jsonb" => *e = row,
            "json_agg" => {
                f.name = sqlparser::ast::ObjectName::from(vec![Ident::new("pg_json_agg_rows")]);
                list.args[0] = FunctionArg::Unnamed(FunctionArgExpr::Expr(row));
            }
            _ => list.args[0] = FunctionArg::Unnamed(FunctionArgExpr::Expr(row)),
        }
        return Ok(());
    };
    let mut args = Vec::new();
    for (column, ty, lookup) in columns {
        let value = Expr::CompoundIdentifier(vec![
            Ident::with_quote('"', alias.clone()),
            Ident::with_quote('"', column.clone()),
        ]);
        args.push(string(column));
        args.push(match lookup {
            Some([tables, name]) if ty.is_none() => {
                call("pg_column_json", vec![value, tables, name])
            }
            _ => super::functions::json_argument(value, ty),
        });
    }
    let object = call("json_object", args);
    match name.as_str() {
        "row_to_json" | "to_json" | "to_jsonb" => *e = object,
        // PostgreSQL starts each row of a json_agg on a new line.
        "json_agg" => {
            f.name = sqlparser::ast::ObjectName::from(vec![Ident::new("pg_json_agg_rows")]);
            list.args[0] = FunctionArg::Unnamed(FunctionArgExpr::Expr(object));
        }
        _ => list.args[0] = FunctionArg::Unnamed(FunctionArgExpr::Expr(object)),
    }
    Ok(())
}

/// The base table `alias` names in the FROM clause (not a catalog view).
fn table_of(select: &Select, alias: &str) -> Option<String> {
    select.from.iter().find_map(|twj| {
        std::iter::once(&twj.relation)
            .chain(twj.joins.iter().map(|j| &j.relation))
            .find_map(|r| match r {
                TableFactor::Table {
                    name,
                    alias: a,
                    args: None,
                    ..
                } => {
                    let shown = match a {
                        Some(a) => ident_name(&a.name),
                        None => base_name(name),
                    };
                    let table = base_name(name);
                    (shown == alias && crate::sql::catalog::relation(&table).is_none())
                        .then_some(table)
                }
                _ => None,
            })
    })
}

/// The named columns of the derived table `alias` in the FROM clause.
type Lookup = Option<[Expr; 2]>;

fn derived_columns(select: &Select, alias: &str) -> Option<Vec<(String, Option<PgType>, Lookup)>> {
    let (subquery, renamed) = select.from.iter().find_map(|twj| {
        std::iter::once(&twj.relation)
            .chain(twj.joins.iter().map(|j| &j.relation))
            .find_map(|r| match r {
                TableFactor::Derived {
                    subquery,
                    alias: Some(a),
                    ..
                } if ident_name(&a.name) == alias => Some((subquery, &a.columns)),
                _ => None,
            })
    })?;
    // `(VALUES ...) AS t(id, name)`: the alias names the columns.
    let names = match item_names(subquery) {
        _ if !renamed.is_empty() => {
            let mut names: Vec<String> = renamed.iter().map(|c| ident_name(&c.name)).collect();
            let width = super::columns::query_types(subquery).len();
            if names.len() > width {
                return None;
            }
            // Columns the list leaves unnamed keep their own names.
            let own = item_names(subquery).unwrap_or_default();
            for i in names.len()..width {
                names.push(own.get(i).cloned()?);
            }
            names
        }
        names => names?,
    };
    let types = super::columns::query_types(subquery);
    let lookups = item_lookups(subquery);
    Some(
        names
            .into_iter()
            .enumerate()
            .map(|(i, n)| {
                let lookup = lookups.get(i).cloned().flatten();
                (n, types.get(i).copied().flatten(), lookup)
            })
            .collect(),
    )
}

/// For each select item that is a column of a table in the subquery's
/// FROM: what `pg_column_json` needs to find its declaration.
fn item_lookups(query: &Query) -> Vec<Lookup> {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Vec::new();
    };
    let mut scopes = Scopes::default();
    scopes.push_select(select);
    select
        .projection
        .iter()
        .map(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                column_lookup(e, &scopes)
            }
            _ => None,
        })
        .collect()
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
