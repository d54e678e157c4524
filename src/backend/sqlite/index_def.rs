//! An index's key list and predicate as `pg_get_indexdef` prints them, read
//! back from the SQLite `CREATE INDEX` text the tenant's schema keeps
//! (`pragma_index_info` names no expression keys). As PostgreSQL's deparser
//! does: a column by its name (quoted where needed), a function call as
//! written, an operator expression in parentheses; in the key list an
//! expression that is not a function call is parenthesized once more; then
//! `DESC` and a NULLS order where not the direction's default.

use std::ops::ControlFlow;

use sqlparser::ast::{visit_expressions_mut, Expr, Ident, OrderBySort, Statement};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

use super::pgfuncs::quote::quote_ident;

/// One key: its expression as deparsed, whether it prints bare in the key
/// list (a column or a function call), and its ordering options.
pub struct Key {
    pub expr: String,
    bare: bool,
    order: &'static str,
    /// The SQLite expression over the row being written (`lower(NEW."slug")`),
    /// for a trigger to evaluate.
    pub over_new: String,
}

pub struct IndexDef {
    pub keys: Vec<Key>,
    pub predicate: Option<String>,
}

/// The parts of `sql`, a `CREATE INDEX` statement; `None` if it is not one.
pub fn parse(sql: &str) -> Option<IndexDef> {
    crate::sql::stack::with_room_for_text(sql, || {
        let statements = Parser::parse_sql(&SQLiteDialect {}, sql).ok()?;
        let [Statement::CreateIndex(index)] = statements.as_slice() else {
            return None;
        };
        let keys = index
            .columns
            .iter()
            .map(|c| {
                let desc = matches!(c.column.options.sort, Some(OrderBySort::Desc));
                // PostgreSQL's default: NULLS LAST ascending, NULLS FIRST descending.
                let order = match (desc, c.column.options.nulls_first) {
                    (false, Some(true)) => " NULLS FIRST",
                    (true, Some(false)) => " DESC NULLS LAST",
                    (true, _) => " DESC",
                    (false, _) => "",
                };
                let over_new = over_new(&c.column.expr).to_string();
                let expr = requoted(&c.column.expr);
                let expr = unnested(&expr);
                Key {
                    expr: deparse(expr),
                    bare: matches!(expr, Expr::Identifier(_) | Expr::Function(_)),
                    order,
                    over_new,
                }
            })
            .collect();
        Some(IndexDef {
            keys,
            predicate: index
                .predicate
                .as_ref()
                .map(|p| deparse(unnested(&requoted(p)))),
        })
    })
}

/// `e` with its names quoted only where PostgreSQL would quote them (the
/// translator quotes every name it writes).
fn requoted(e: &Expr) -> Expr {
    let mut e = e.clone();
    let _ = visit_expressions_mut(&mut e, |x| {
        let idents = match x {
            Expr::Identifier(id) => std::slice::from_mut(id),
            Expr::CompoundIdentifier(ids) => ids.as_mut_slice(),
            _ => return ControlFlow::<()>::Continue(()),
        };
        for id in idents {
            id.quote_style = quote_ident(&id.value).starts_with('"').then_some('"');
        }
        ControlFlow::Continue(())
    });
    e
}

/// `e` with its column names read from the row a trigger sees (`NEW.c`).
fn over_new(e: &Expr) -> Expr {
    let mut e = e.clone();
    let _ = visit_expressions_mut(&mut e, |x| {
        if let Expr::Identifier(id) = x {
            *x = Expr::CompoundIdentifier(vec![Ident::new("NEW"), id.clone()]);
        }
        ControlFlow::<()>::Continue(())
    });
    e
}

fn unnested(e: &Expr) -> &Expr {
    match e {
        Expr::Nested(inner) => unnested(inner),
        _ => e,
    }
}

fn deparse(e: &Expr) -> String {
    match e {
        Expr::Identifier(_) | Expr::Function(_) | Expr::Value(_) | Expr::CompoundIdentifier(_) => {
            e.to_string()
        }
        _ => format!("({e})"),
    }
}

impl IndexDef {
    /// The key list with orderings, as in `USING btree (...)`.
    pub fn key_list(&self) -> String {
        let keys: Vec<String> = self
            .keys
            .iter()
            .map(|k| match k.bare {
                true => format!("{}{}", k.expr, k.order),
                false => format!("({}){}", k.expr, k.order),
            })
            .collect();
        keys.join(", ")
    }

    /// The key list as a unique violation's DETAIL names it (no orderings).
    pub fn key_names(&self) -> String {
        let keys: Vec<&str> = self.keys.iter().map(|k| k.expr.as_str()).collect();
        keys.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_predicate() {
        let d = parse(
            "CREATE INDEX i ON t (lower(\"name\"), \"Mixed\" DESC, (a + b)) WHERE \"active\"",
        )
        .unwrap();
        assert_eq!(d.key_list(), "lower(name), \"Mixed\" DESC, ((a + b))");
        assert_eq!(d.keys[2].expr, "(a + b)");
        assert_eq!(d.key_names(), "lower(name), \"Mixed\", (a + b)");
        assert_eq!(d.keys[0].over_new, "lower(NEW.\"name\")");
        assert_eq!(d.predicate.as_deref(), Some("active"));
        let d = parse("CREATE INDEX i ON t (a) WHERE a > 0").unwrap();
        assert_eq!(d.predicate.as_deref(), Some("(a > 0)"));
        assert!(parse("CREATE TABLE t (a)").is_none());
    }
}
