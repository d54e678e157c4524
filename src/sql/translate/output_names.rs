//! Result column names as PostgreSQL chooses them (its `FigureColname`).
//!
//! SQLite names an unaliased expression by its SQL text, so every unaliased
//! select item that is not a plain column reference gets `AS "name"` before
//! the statement is rewritten: function calls are named after the function,
//! casts after the cast column or the target type, `CASE` as `case`, and
//! anything else `?column?`. Runs on the PostgreSQL AST.

use super::ast::{base_name, ident_name, name_parts};
use sqlparser::ast::{
    DataType, Expr, Ident, Query, SelectItem, SetExpr, Statement, TrimWhereField,
};

/// Aliases the output columns of a statement's top-level select list and of
/// DML RETURNING lists.
pub(super) fn alias_outputs(statement: &mut Statement) {
    match statement {
        Statement::Query(query) => alias_query(query),
        Statement::Insert(insert) => alias_items(insert.returning.as_deref_mut()),
        Statement::Update(update) => alias_items(update.returning.as_deref_mut()),
        Statement::Delete(delete) => alias_items(delete.returning.as_deref_mut()),
        _ => {}
    }
}

/// Aliases the select list that names a query's columns (the leftmost one
/// of a set operation, as in PostgreSQL).
pub(super) fn alias_query(query: &mut Query) {
    let mut body = query.body.as_mut();
    loop {
        match body {
            SetExpr::Select(select) => return alias_items(Some(&mut select.projection)),
            SetExpr::Query(inner) => body = inner.body.as_mut(),
            SetExpr::SetOperation { left, .. } => body = left.as_mut(),
            _ => return,
        }
    }
}

fn alias_items(items: Option<&mut [SelectItem]>) {
    for item in items.into_iter().flatten() {
        if let SelectItem::UnnamedExpr(expr) = item {
            if matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) {
                continue; // SQLite already names these after the column.
            }
            let alias = Ident::with_quote('"', column_name(expr));
            // Moved, not cloned: a clone recurses as deep as the expression.
            let expr = super::ast::take(expr);
            *item = SelectItem::ExprWithAlias { expr, alias };
        }
    }
}

/// The name PostgreSQL gives an output column computed by `expr`.
pub(super) fn column_name(expr: &Expr) -> String {
    figure(expr)
        .map(|(name, _)| name)
        .unwrap_or_else(|| "?column?".into())
}

/// Name and strength: 2 for a real name (column, function), 1 for a
/// fallback a cast's type name may override (`case`, `array`).
fn figure(expr: &Expr) -> Option<(String, u8)> {
    let strong = |s: &str| Some((s.to_string(), 2));
    match expr {
        Expr::Identifier(ident) => Some((ident_name(ident), 2)),
        Expr::CompoundIdentifier(parts) => parts.last().map(|i| (ident_name(i), 2)),
        Expr::Nested(inner) | Expr::Collate { expr: inner, .. } => figure(inner),
        // `t.arr[1]`: the last field name in the chain, else the root's name.
        Expr::CompoundFieldAccess { root, access_chain } => access_chain
            .iter()
            .rev()
            .find_map(|a| match a {
                sqlparser::ast::AccessExpr::Dot(Expr::Identifier(i)) => Some((ident_name(i), 2)),
                _ => None,
            })
            .or_else(|| figure(root)),
        Expr::Function(func) => Some((base_name(&func.name), 2)),
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } => match figure(inner) {
            Some((name, 2)) => Some((name, 2)),
            _ if matches!(inner.as_ref(), Expr::Array(_)) => strong("array"),
            _ => Some((type_name(data_type), 1)),
        },
        Expr::TypedString(ts) => Some((type_name(&ts.data_type), 1)),
        Expr::Interval(_) => Some(("interval".into(), 1)),
        // The ELSE result's name, when it has a real one.
        Expr::Case { else_result, .. } => match else_result.as_deref().and_then(figure) {
            Some((name, 2)) => Some((name, 2)),
            _ => Some(("case".into(), 1)),
        },
        Expr::Array(_) => Some(("array".into(), 1)),
        Expr::Tuple(_) => Some(("row".into(), 1)),
        Expr::Exists { .. } => strong("exists"),
        Expr::Subquery(query) => subquery_name(query).map(|n| (n, 2)),
        Expr::Trim { trim_where, .. } => strong(match trim_where {
            Some(TrimWhereField::Leading) => "ltrim",
            Some(TrimWhereField::Trailing) => "rtrim",
            _ => "btrim",
        }),
        Expr::Substring {
            shorthand: true, ..
        } => strong("substr"),
        Expr::Substring { .. } => strong("substring"),
        Expr::Position { .. } => strong("position"),
        Expr::Extract { .. } => strong("extract"),
        Expr::Ceil { .. } => strong("ceil"),
        Expr::Floor { .. } => strong("floor"),
        Expr::Overlay { .. } => strong("overlay"),
        Expr::AtTimeZone { .. } => strong("timezone"),
        _ => None,
    }
}

/// A scalar subquery is named after its single output column, if named.
fn subquery_name(query: &Query) -> Option<String> {
    let mut body = query.body.as_ref();
    loop {
        match body {
            SetExpr::Select(select) => {
                return match select.projection.first()? {
                    SelectItem::ExprWithAlias { alias, .. } => Some(ident_name(alias)),
                    SelectItem::UnnamedExpr(e) => figure(e).filter(|f| f.1 == 2).map(|f| f.0),
                    _ => None,
                }
            }
            SetExpr::Query(inner) => body = inner.body.as_ref(),
            SetExpr::SetOperation { left, .. } => body = left.as_ref(),
            _ => return None,
        }
    }
}

/// PostgreSQL's internal name of a cast target (`int` -> `int4`).
fn type_name(data_type: &DataType) -> String {
    use DataType as D;
    match data_type {
        D::Array(sqlparser::ast::ArrayElemTypeDef::SquareBracket(elem, _)) => type_name(elem),
        D::Custom(name, _) => match name_parts(name).pop().unwrap_or_default().as_str() {
            "serial" | "serial4" => "int4".into(),
            "bigserial" | "serial8" => "int8".into(),
            "smallserial" | "serial2" => "int2".into(),
            "decimal" => "numeric".into(),
            "citext" => "text".into(),
            other => other.to_string(),
        },
        D::Regclass => "regclass".into(),
        _ => match super::types::pg_type(data_type) {
            Ok(pg) => pg.name().to_string(),
            Err(_) => "?column?".into(),
        },
    }
}
