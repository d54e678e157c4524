//! `json[b]_populate_record[set](null::t, j)`: JSON objects read as rows of
//! table `t`. The translation sees no schema, so `t`'s columns are named
//! only when the statement runs: in FROM (and for `(f(...)).*`) the row is
//! `pg_populate_star('t', object, jsonb)`, which the executor spreads into
//! one `pg_populate_field` per column before preparing (see
//! `backend::sqlite::exec::populate`); in a select list the call is the
//! composite text `pg_populate_record(...)` and `(f(...)).col` one field.
//! The result types come from the schema through `Retype` (`columns.rs`).

use super::ast::{base, base_name, call, number, plain_args, string};
use super::error::unsupported;
use super::TranslateError;
use sqlparser::ast::{AccessExpr, DataType, Expr, Function, Query, SelectItem, Value};

/// The function names, and whether they read a set (an array of objects).
pub(super) fn set_form(name: &str) -> Option<bool> {
    match name {
        "json_populate_record" | "jsonb_populate_record" => Some(false),
        "json_populate_recordset" | "jsonb_populate_recordset" => Some(true),
        _ => None,
    }
}

/// The table whose row type `base` names: `null::t` (`NULL::public.t`).
pub(super) fn row_type(base: &Expr) -> Option<String> {
    match base {
        Expr::Nested(inner) => row_type(inner),
        Expr::Cast {
            expr,
            data_type: DataType::Custom(name, modifiers),
            ..
        } if modifiers.is_empty()
            && matches!(expr.as_ref(), Expr::Value(v) if v.value == Value::Null) =>
        {
            Some(base_name(name))
        }
        _ => None,
    }
}

/// The table whose rows `e` reads, when it is a populate call.
pub(super) fn call_table(e: &Expr) -> Option<String> {
    let Expr::Function(f) = e else { return None };
    set_form(&base(&f.name))?;
    row_type(plain_args(f)?.first()?)
}

/// The tables whose rows the statement's populate calls read, in FROM or
/// in expressions (for `Retype`, which looks their columns up).
pub(super) fn tables_read(statement: &sqlparser::ast::Statement) -> Vec<String> {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, TableFactor, Visit, Visitor};
    struct Tables(Vec<String>);
    impl Tables {
        fn add(&mut self, t: Option<String>) {
            if let Some(t) = t.filter(|t| !self.0.contains(t)) {
                self.0.push(t);
            }
        }
    }
    impl Visitor for Tables {
        type Break = ();
        fn pre_visit_expr(&mut self, e: &Expr) -> std::ops::ControlFlow<()> {
            self.add(call_table(e));
            std::ops::ControlFlow::Continue(())
        }
        fn pre_visit_table_factor(&mut self, f: &TableFactor) -> std::ops::ControlFlow<()> {
            if let TableFactor::Table {
                name,
                args: Some(args),
                ..
            } = f
            {
                if set_form(&base_name(name)).is_some() {
                    let base = match args.args.first() {
                        Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(e))) => row_type(e),
                        _ => None,
                    };
                    self.add(base);
                }
            }
            std::ops::ControlFlow::Continue(())
        }
    }
    let mut tables = Tables(Vec::new());
    let _ = statement.visit(&mut tables);
    tables.0
}

/// A populate call's table, JSON argument and whether it is jsonb.
fn parts(name: &str, args: &[Expr]) -> Result<(String, Expr, bool), TranslateError> {
    let [base, json] = args else {
        return Err(unsupported(format!(
            "{name}() with {} arguments",
            args.len()
        )));
    };
    let Some(table) = row_type(base) else {
        return Err(unsupported(format!(
            "{name}() with a base record other than NULL::table"
        )));
    };
    Ok((table, json.clone(), name.starts_with("jsonb")))
}

/// The FROM item `f(null::t, j)` as a subquery of one marker column (see
/// the module comment); `None` when `name` is no populate function.
pub(super) fn from_item(name: &str, args: &[Expr]) -> Result<Option<Query>, TranslateError> {
    let Some(set) = set_form(name) else {
        return Ok(None);
    };
    let (table, json, jsonb) = parts(name, args)?;
    let star = |object: Expr| {
        call(
            "pg_populate_star",
            vec![string(table.clone()), object, number(u8::from(jsonb))],
        )
    };
    let sql = if set {
        // The array's elements, each an object (checked by pg_populate_rows).
        let rows = call("pg_populate_rows", vec![json, string(name)]);
        let sub = format!(
            "(SELECT {} FROM json_each($1))",
            star(super::ast::template("value", []))
        );
        super::ast::template(&sub, [rows])
    } else {
        super::ast::template("(SELECT $1)", [star(json)])
    };
    match sql {
        Expr::Subquery(q) => Ok(Some(*q)),
        _ => unreachable!("a fixed subquery template"),
    }
}

/// Select-list forms, rewritten before their arguments are translated:
/// `f(null::t, j)` is the row's composite text, `(f(null::t, j)).col` a
/// field, `(alias).col` the FROM item's column.
pub(super) fn rewrite(expr: &mut Expr) -> Result<(), TranslateError> {
    match expr {
        Expr::Function(f) => {
            if let Some(e) = record(f)? {
                *expr = e;
            }
        }
        Expr::CompoundFieldAccess { root, access_chain } => {
            let [AccessExpr::Dot(Expr::Identifier(field))] = access_chain.as_slice() else {
                return Ok(());
            };
            let Expr::Nested(inner) = root.as_ref() else {
                return Ok(());
            };
            match inner.as_ref() {
                Expr::Identifier(alias) => {
                    *expr = Expr::CompoundIdentifier(vec![alias.clone(), field.clone()]);
                }
                Expr::Function(f) => {
                    let name = base_name(&f.name);
                    if set_form(&name) != Some(false) {
                        return Ok(());
                    }
                    let Some(args) = plain_args(f) else {
                        return Ok(());
                    };
                    let args: Vec<Expr> = args.into_iter().cloned().collect();
                    let (table, json, jsonb) = parts(&name, &args)?;
                    *expr = call(
                        "pg_populate_field",
                        vec![
                            json,
                            string(table),
                            string(super::ast::ident_name(field)),
                            number(u8::from(jsonb)),
                        ],
                    );
                }
                _ => {}
            }
        }
        _ => {}
    }
    Ok(())
}

/// `json[b]_populate_record(null::t, j)` as a value: `pg_populate_record`.
fn record(f: &Function) -> Result<Option<Expr>, TranslateError> {
    let name = base(&f.name);
    match set_form(&name) {
        None => return Ok(None),
        Some(true) => return Err(unsupported(format!("{name}() in a select list"))),
        Some(_) => {}
    }
    let Some(args) = plain_args(f) else {
        return Ok(None);
    };
    let args: Vec<Expr> = args.into_iter().cloned().collect();
    let (table, json, jsonb) = parts(&name, &args)?;
    Ok(Some(call(
        "pg_populate_record",
        vec![string(table), json, number(u8::from(jsonb))],
    )))
}

/// `(x).*` reaches the parser as `pg_record_star(x)` (see `pre_parse`):
/// a populate call's columns (`pg_populate_star`, spread by the executor),
/// or a FROM item's (`alias.*`).
pub(super) fn expand_star(item: &mut SelectItem) -> Result<(), TranslateError> {
    // (Output names may have aliased it already: the columns name themselves.)
    let (SelectItem::UnnamedExpr(Expr::Function(f))
    | SelectItem::ExprWithAlias {
        expr: Expr::Function(f),
        ..
    }) = item
    else {
        return Ok(());
    };
    if base_name(&f.name) != "pg_record_star" {
        return Ok(());
    }
    let arg = match plain_args(f).as_deref() {
        Some([a]) => (*a).clone(),
        _ => return Err(unsupported("(expression).*")),
    };
    let mut inner = arg;
    while let Expr::Nested(e) = inner {
        inner = *e;
    }
    match inner {
        Expr::Identifier(alias) => {
            *item = SelectItem::QualifiedWildcard(
                sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(
                    sqlparser::ast::ObjectName::from(vec![alias]),
                ),
                sqlparser::ast::WildcardAdditionalOptions::default(),
            );
            Ok(())
        }
        Expr::Function(f) if set_form(&base_name(&f.name)) == Some(false) => {
            let name = base_name(&f.name);
            let Some(args) = plain_args(&f) else {
                return Err(unsupported("(expression).*"));
            };
            let args: Vec<Expr> = args.into_iter().cloned().collect();
            let (table, json, jsonb) = parts(&name, &args)?;
            *item = SelectItem::UnnamedExpr(call(
                "pg_populate_star",
                vec![string(table), json, number(u8::from(jsonb))],
            ));
            Ok(())
        }
        _ => Err(unsupported("(expression).*")),
    }
}

#[cfg(test)]
mod tests {
    use super::super::translate;

    fn sql(pg: &str) -> String {
        let mut out = translate(pg).unwrap_or_else(|e| panic!("{pg}: {} {}", e.code, e.message));
        out.remove(0).sql
    }

    #[test]
    fn rows_in_from_become_a_marker_the_executor_spreads() {
        assert_eq!(
            sql("SELECT * FROM jsonb_populate_recordset(null::t, $1) AS r"),
            "SELECT * FROM (SELECT pg_populate_star('t', value, 1) FROM \
             json_each(pg_populate_rows(?1, 'jsonb_populate_recordset'))) AS r"
        );
        assert_eq!(
            sql("SELECT * FROM json_populate_record(NULL::public.t, $1)"),
            "SELECT * FROM (SELECT pg_populate_star('t', ?1, 0)) AS json_populate_record"
        );
    }

    #[test]
    fn select_list_forms() {
        let t = sql(
            "SELECT jsonb_populate_record(null::t, $1), (jsonb_populate_record(null::t, $1)).a",
        );
        assert!(t.contains("pg_populate_record('t', ?1, 1)"), "{t}");
        assert!(t.contains("pg_populate_field(?1, 't', 'a', 1)"), "{t}");
        let t = sql("SELECT (json_populate_record(null::t, $1)).*");
        assert!(t.starts_with("SELECT pg_populate_star('t', ?1, 0)"), "{t}");
        let t = sql("SELECT (r).a, (r).* FROM t AS r");
        assert!(t.contains("r.a") && t.contains("r.*"), "{t}");
    }

    #[test]
    fn other_base_records_are_refused() {
        let e = translate("SELECT * FROM jsonb_populate_record(row(1, 2), '{}')").unwrap_err();
        assert_eq!(e.code, "0A000");
        let e = translate("SELECT jsonb_populate_recordset(null::t, '[]')").unwrap_err();
        assert_eq!(e.code, "0A000");
        // Columns known only at run time: no renaming, no LATERAL packing.
        let e =
            translate("SELECT * FROM jsonb_populate_record(null::t, '{}') AS r(a)").unwrap_err();
        assert_eq!(e.code, "0A000");
        let e =
            translate("SELECT x.a FROM s, jsonb_populate_record(null::t, s.doc) AS x").unwrap_err();
        assert_eq!(e.code, "0A000");
    }
}
