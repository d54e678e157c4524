//! `pg_populate_star(table, object, jsonb)` (the translation of
//! `json[b]_populate_record[set](null::t, j)` in FROM and of
//! `(f(...)).*`, see `translate::populate`) spread into one
//! `pg_populate_field(object, table, column, jsonb) AS column` per column
//! of the table, which only the live schema knows. Runs before a statement
//! holding the marker is prepared; a table that does not exist keeps the
//! marker, whose call then fails as PostgreSQL does (42704).

use sqlparser::ast::{
    Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident, SelectItem, Value,
};

pub(super) const MARKER: &str = "pg_populate_star(";

/// `sql` with every marker spread; `None` when there is nothing to spread.
pub(super) fn expand(
    sql: &str,
    columns_of: impl Fn(&str) -> Option<Vec<String>>,
) -> Option<String> {
    super::select_edit::edit_selects(sql, |select| {
        let mut changed = false;
        let mut items = Vec::with_capacity(select.projection.len());
        for item in std::mem::take(&mut select.projection) {
            match spread(&item, &columns_of) {
                Some(columns) => {
                    items.extend(columns);
                    changed = true;
                }
                None => items.push(item),
            }
        }
        select.projection = items;
        changed
    })
}

/// The columns one marker item stands for.
fn spread(
    item: &SelectItem,
    columns_of: &impl Fn(&str) -> Option<Vec<String>>,
) -> Option<Vec<SelectItem>> {
    let SelectItem::UnnamedExpr(Expr::Function(f)) = item else {
        return None;
    };
    if !f.name.to_string().eq_ignore_ascii_case("pg_populate_star") {
        return None;
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let args: Vec<&Expr> = list
        .args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let [Expr::Value(table), object, jsonb] = args.as_slice() else {
        return None;
    };
    let Value::SingleQuotedString(table) = &table.value else {
        return None;
    };
    let columns = columns_of(table)?;
    let text = |s: &str| Expr::value(Value::SingleQuotedString(s.to_owned()));
    Some(
        columns
            .into_iter()
            .map(|c| SelectItem::ExprWithAlias {
                expr: Expr::Function(sqlparser::ast::Function {
                    args: FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
                        duplicate_treatment: None,
                        args: [(*object).clone(), text(table), text(&c), (*jsonb).clone()]
                            .into_iter()
                            .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                            .collect(),
                        clauses: vec![],
                    }),
                    name: sqlparser::ast::ObjectName::from(vec![Ident::new("pg_populate_field")]),
                    ..f.clone()
                }),
                alias: Ident::with_quote('"', c),
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spreads_the_marker_into_the_columns() {
        let cols = |t: &str| (t == "t").then(|| vec!["id".to_owned(), "it's".to_owned()]);
        assert_eq!(
            expand(
                "SELECT * FROM (SELECT pg_populate_star('t', value, 1) FROM json_each(?1)) AS r",
                cols
            )
            .as_deref(),
            Some(
                "SELECT * FROM (SELECT pg_populate_field(value, 't', 'id', 1) AS \"id\", \
                 pg_populate_field(value, 't', 'it''s', 1) AS \"it's\" FROM json_each(?1)) AS r"
            )
        );
        assert_eq!(
            expand("SELECT pg_populate_star('nosuch', ?1, 0)", cols),
            None
        );
    }
}
