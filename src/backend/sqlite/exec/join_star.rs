//! `pg_join_star()` (the translation of `SELECT *` over USING/NATURAL
//! joins, see `translate::join_star`) spread into the columns in
//! PostgreSQL's order: each join's merged columns first (the left side's
//! value, the right side's for a RIGHT JOIN, their COALESCE for a FULL
//! JOIN), then the left side's other columns, then the right side's. Runs
//! before a statement holding the marker is prepared; where a table's
//! columns are unknown the marker goes back to `*` (SQLite's order).

use sqlparser::ast::{
    Expr, Ident, JoinConstraint, JoinOperator, ObjectName, Select, SelectItem, TableFactor,
    WildcardAdditionalOptions,
};

pub(super) const MARKER: &str = "pg_join_star(";

/// One output column: its value and its name.
struct Column {
    expr: Expr,
    name: String,
}

/// `sql` with every marker spread; `None` when there is nothing to spread.
pub(super) fn expand(
    sql: &str,
    columns_of: impl Fn(&str) -> Option<Vec<String>>,
) -> Option<String> {
    super::select_edit::edit_selects(sql, |select| {
        let Some(at) = select.projection.iter().position(is_marker) else {
            return false;
        };
        let spread = columns(select, &columns_of).map(|columns| {
            columns
                .into_iter()
                .map(|c| SelectItem::ExprWithAlias {
                    expr: c.expr,
                    alias: Ident::with_quote('"', c.name),
                })
                .collect::<Vec<_>>()
        });
        let items = spread
            .unwrap_or_else(|| vec![SelectItem::Wildcard(WildcardAdditionalOptions::default())]);
        select.projection.splice(at..=at, items);
        // (A select holds at most one `*` PostgreSQL spreads this way.)
        for item in &mut select.projection {
            if is_marker(item) {
                *item = SelectItem::Wildcard(WildcardAdditionalOptions::default());
            }
        }
        true
    })
}

fn is_marker(item: &SelectItem) -> bool {
    matches!(item, SelectItem::UnnamedExpr(Expr::Function(f))
        if f.name.to_string().eq_ignore_ascii_case(&MARKER[..MARKER.len() - 1]))
}

/// The select's columns in PostgreSQL's order; `None` when a relation is
/// not a table whose columns `columns_of` knows.
fn columns(
    select: &Select,
    columns_of: &impl Fn(&str) -> Option<Vec<String>>,
) -> Option<Vec<Column>> {
    let [from] = select.from.as_slice() else {
        return None;
    };
    let mut columns = relation(&from.relation, columns_of)?;
    for join in &from.joins {
        let right = relation(&join.relation, columns_of)?;
        let (constraint, side) = match &join.join_operator {
            JoinOperator::Join(c) | JoinOperator::Inner(c) => (c, Side::Left),
            JoinOperator::Left(c) | JoinOperator::LeftOuter(c) => (c, Side::Left),
            JoinOperator::Right(c) | JoinOperator::RightOuter(c) => (c, Side::Right),
            JoinOperator::FullOuter(c) => (c, Side::Both),
            _ => return None,
        };
        let merged: Vec<String> = match constraint {
            JoinConstraint::Using(names) => names
                .iter()
                .map(|n| {
                    n.0.last()
                        .and_then(|p| p.as_ident())
                        .map(|i| i.value.clone())
                })
                .collect::<Option<_>>()?,
            JoinConstraint::Natural => columns
                .iter()
                .filter(|c| right.iter().any(|r| r.name == c.name))
                .map(|c| c.name.clone())
                .collect(),
            _ => vec![],
        };
        let mut next = Vec::with_capacity(columns.len() + right.len());
        for name in &merged {
            let left = columns.iter().find(|c| &c.name == name)?.expr.clone();
            let right = right.iter().find(|c| &c.name == name)?.expr.clone();
            let expr = match side {
                Side::Left => left,
                Side::Right => right,
                Side::Both => coalesce(left, right),
            };
            next.push(Column {
                expr,
                name: name.clone(),
            });
        }
        next.extend(columns.into_iter().filter(|c| !merged.contains(&c.name)));
        next.extend(right.into_iter().filter(|c| !merged.contains(&c.name)));
        columns = next;
    }
    Some(columns)
}

fn coalesce(left: Expr, right: Expr) -> Expr {
    use sqlparser::ast::{
        Function, FunctionArg, FunctionArgExpr, FunctionArgumentList, FunctionArguments,
    };
    Expr::Function(Function {
        name: ObjectName::from(vec![Ident::new("coalesce")]),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: [left, right]
                .into_iter()
                .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

enum Side {
    Left,
    Right,
    Both,
}

/// A table's columns, qualified by its alias or its name.
fn relation(
    factor: &TableFactor,
    columns_of: &impl Fn(&str) -> Option<Vec<String>>,
) -> Option<Vec<Column>> {
    let TableFactor::Table {
        name,
        alias,
        args: None,
        ..
    } = factor
    else {
        return None;
    };
    let table = name.0.last()?.as_ident()?.value.clone();
    let qualifier: Vec<Ident> = match alias {
        Some(a) => vec![a.name.clone()],
        None => name
            .0
            .iter()
            .map(|p| p.as_ident().cloned())
            .collect::<Option<_>>()?,
    };
    Some(
        columns_of(&table)?
            .into_iter()
            .map(|c| {
                let mut path = qualifier.clone();
                path.push(Ident::with_quote('"', c.clone()));
                Column {
                    expr: Expr::CompoundIdentifier(path),
                    name: c,
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cols(t: &str) -> Option<Vec<String>> {
        let names: &[&str] = match t {
            "a" => &["id", "x", "name"],
            "b" => &["x", "v", "id"],
            _ => return None,
        };
        Some(names.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn merged_columns_come_first() {
        assert_eq!(
            expand("SELECT pg_join_star() FROM a JOIN b USING (x)", cols).unwrap(),
            "SELECT a.\"x\" AS \"x\", a.\"id\" AS \"id\", a.\"name\" AS \"name\", \
             b.\"v\" AS \"v\", b.\"id\" AS \"id\" FROM a JOIN b USING(x)"
        );
        assert_eq!(
            expand(
                "SELECT pg_join_star() FROM a AS l NATURAL FULL JOIN b",
                cols
            )
            .unwrap(),
            "SELECT coalesce(l.\"id\", b.\"id\") AS \"id\", coalesce(l.\"x\", b.\"x\") AS \"x\", \
             l.\"name\" AS \"name\", b.\"v\" AS \"v\" FROM a AS l NATURAL FULL JOIN b"
        );
    }

    #[test]
    fn unknown_tables_keep_sqlites_star() {
        assert_eq!(
            expand("SELECT pg_join_star(), 1 FROM a JOIN c USING (x)", cols).unwrap(),
            "SELECT *, 1 FROM a JOIN c USING(x)"
        );
    }
}
