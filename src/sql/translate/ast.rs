//! Small builders and accessors for sqlparser AST nodes.

use sqlparser::ast::{visit_expressions, visit_expressions_mut};
use sqlparser::ast::{
    AssignmentTarget, CastKind, DataType, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArgumentList, FunctionArguments, Ident, Insert, ObjectName, ObjectNamePart, SetExpr,
    Statement, TableFactor, TableObject, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use std::borrow::Cow;
use std::ops::ControlFlow;

/// An identifier as PostgreSQL resolves it: unquoted names fold to lower case.
pub(super) fn ident_name(ident: &Ident) -> String {
    folded(ident).into_owned()
}

/// The folded identifier parts of a qualified name (`a.b` -> `["a", "b"]`).
pub(super) fn name_parts(name: &ObjectName) -> Vec<String> {
    name.0
        .iter()
        .map(|part| match part {
            ObjectNamePart::Identifier(ident) => ident_name(ident),
            other => other.to_string(),
        })
        .collect()
}

/// The last (unqualified) part of a name, folded.
pub(super) fn base_name(name: &ObjectName) -> String {
    base(name).into_owned()
}

/// [`base_name`] without a copy where folding changes nothing (a quoted
/// name, or one in lower case already, as nearly all are): for the
/// rewrites that ask every call they meet for its name.
pub(super) fn base(name: &ObjectName) -> Cow<'_, str> {
    match name.0.last() {
        Some(ObjectNamePart::Identifier(ident)) => folded(ident),
        Some(other) => Cow::Owned(other.to_string()),
        None => Cow::Borrowed(""),
    }
}

/// [`ident_name`], borrowed when folding changes nothing.
pub(super) fn folded(ident: &Ident) -> Cow<'_, str> {
    let v = &ident.value;
    if ident.quote_style.is_some() || !v.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        Cow::Borrowed(v)
    } else {
        Cow::Owned(v.to_lowercase())
    }
}

pub(super) fn object_name(name: &str) -> ObjectName {
    ObjectName::from(vec![Ident::new(name)])
}

pub(super) fn string(s: impl Into<String>) -> Expr {
    Expr::value(Value::SingleQuotedString(s.into()))
}

pub(super) fn number(n: impl ToString) -> Expr {
    Expr::value(Value::Number(n.to_string(), false))
}

pub(super) fn null() -> Expr {
    Expr::value(Value::Null)
}

/// `(a, b, ...)`: plain positional arguments of a call.
pub(super) fn arg_list(args: Vec<Expr>) -> FunctionArguments {
    FunctionArguments::List(FunctionArgumentList {
        duplicate_treatment: None,
        args: args
            .into_iter()
            .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
            .collect(),
        clauses: vec![],
    })
}

pub(super) fn call(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(Function {
        name: object_name(name),
        uses_odbc_syntax: false,
        parameters: FunctionArguments::None,
        args: arg_list(args),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

/// `CAST(expr AS type)` with SQLite's storage-class type names.
pub(super) fn cast(expr: Expr, data_type: DataType) -> Expr {
    Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(expr),
        data_type,
        format: None,
    }
}

pub(super) fn nested(expr: Expr) -> Expr {
    Expr::Nested(Box::new(expr))
}

/// Moves an expression out of a tree that is about to replace it: a clone
/// would copy the whole subtree, once per level of a chain.
pub(super) fn take(e: &mut Expr) -> Expr {
    std::mem::replace(e, Expr::value(Value::Null))
}

/// The text of a decimal literal (`1.50`, `-0.5`) as numeric prints it,
/// written scale kept (SQLite would print the double).
pub(super) fn decimal_text(e: &Expr) -> Option<String> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) if n.contains('.') && !n.contains(['e', 'E']) => Some(n.clone()),
            _ => None,
        },
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Minus,
            expr,
        } => decimal_text(expr).map(|t| format!("-{t}")),
        _ => None,
    }
}

/// Builds an expression from a constant SQLite-ready template, substituting
/// `$1..$n` with `args`. Templates are fixed strings in this module, so a parse
/// failure is a programming error caught by the tests.
pub(super) fn template(sql: &str, args: impl Into<Vec<Expr>>) -> Expr {
    let args: Vec<Expr> = args.into();
    let n = args.len();
    let mut expr = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .unwrap_or_else(|e| panic!("bad internal SQL template {sql:?}: {e}"));
    let slot = |e: &Expr| match e {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p
                .strip_prefix('$')
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(1))
                .filter(|&i| i < n),
            _ => None,
        },
        _ => None,
    };
    // Each argument moves into its last place; earlier places get copies,
    // charged to the statement's budget.
    let mut uses = vec![0usize; n];
    let _ = visit_expressions(&expr, |e| {
        if let Some(i) = slot(e) {
            uses[i] += 1;
        }
        ControlFlow::<()>::Continue(())
    });
    let mut args: Vec<Option<Expr>> = args.into_iter().map(Some).collect();
    let _ = visit_expressions_mut(&mut expr, |e| {
        if let Some(i) = slot(e) {
            uses[i] -= 1;
            *e = match &args[i] {
                Some(arg) if uses[i] > 0 => super::budget::copy(arg),
                _ => args[i].take().unwrap_or(Expr::value(Value::Null)),
            };
        }
        ControlFlow::<()>::Continue(())
    });
    expr
}

/// Plain (unnamed, non-wildcard) argument expressions of a call, or `None`
/// when the call has named/wildcard arguments or extra clauses.
pub(super) fn plain_args(func: &Function) -> Option<Vec<&Expr>> {
    match &func.args {
        FunctionArguments::None => Some(vec![]),
        FunctionArguments::Subquery(_) => None,
        FunctionArguments::List(list) => list
            .args
            .iter()
            .map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            })
            .collect(),
    }
}

/// The one plain argument of a call (`f(x)`), to rewrite in place.
pub(super) fn only_arg_mut(func: &mut Function) -> Option<&mut Expr> {
    let FunctionArguments::List(list) = &mut func.args else {
        return None;
    };
    match list.args.as_mut_slice() {
        [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] => Some(arg),
        _ => None,
    }
}

/// A call's arguments, moved out of it: every one when [`plain_args`]
/// gave `Some` (the others are dropped).
pub(super) fn take_args(func: &mut Function) -> Vec<Expr> {
    let FunctionArguments::List(list) = &mut func.args else {
        return Vec::new();
    };
    std::mem::take(&mut list.args)
        .into_iter()
        .filter_map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
            _ => None,
        })
        .collect()
}

/// [`take_args`] undone.
pub(super) fn put_args(func: &mut Function, args: Vec<Expr>) {
    if let FunctionArguments::List(list) = &mut func.args {
        list.args = args
            .into_iter()
            .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
            .collect();
    }
}

/// The text of a string literal of any quoting style.
pub(super) fn string_literal(expr: &Expr) -> Option<&str> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::NationalStringLiteral(s)
            | Value::UnicodeStringLiteral(s) => Some(s),
            Value::DollarQuotedString(d) => Some(&d.value),
            _ => None,
        },
        _ => None,
    }
}

/// The `n` of a `$n` placeholder.
pub(super) fn placeholder_index(expr: &Expr) -> Option<usize> {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('$')?.parse().ok(),
            _ => None,
        },
        Expr::Nested(inner) => placeholder_index(inner),
        _ => None,
    }
}

/// An INSERT's table and its column list (empty when it names none).
/// Calls `f` on each value an INSERT's VALUES rows or an UPDATE's SET list
/// writes into a column, with the table's name and the column as an SQL
/// argument: its name, or its 0-based position when the INSERT names no
/// columns (what `pg_column_default` and `pg_column_input` take).
pub(super) fn for_each_column_value(
    statement: &mut Statement,
    mut f: impl FnMut(&mut Expr, &str, Expr),
) {
    match statement {
        Statement::Insert(insert) => {
            let Some((table, columns)) = insert_target(insert) else {
                return;
            };
            let Some(SetExpr::Values(values)) = insert.source.as_mut().map(|q| q.body.as_mut())
            else {
                return;
            };
            for row in &mut values.rows {
                for (i, e) in row.content.iter_mut().enumerate() {
                    let column = match columns.get(i) {
                        Some(c) => string(c.clone()),
                        None => number(i),
                    };
                    f(e, &table, column);
                }
            }
        }
        Statement::Update(update) => {
            let TableFactor::Table { name, .. } = &update.table.relation else {
                return;
            };
            let table = base_name(name);
            for a in &mut update.assignments {
                if let AssignmentTarget::ColumnName(col) = &a.target {
                    let column = string(base_name(col));
                    f(&mut a.value, &table, column);
                }
            }
        }
        _ => {}
    }
}

pub(super) fn insert_target(insert: &Insert) -> Option<(String, Vec<String>)> {
    let TableObject::TableName(name) = &insert.table else {
        return None;
    };
    Some((
        base_name(name),
        insert.columns.iter().map(base_name).collect(),
    ))
}

/// A query from constant SQL, as a template to fill in.
pub(super) fn parse_query(sql: &str) -> sqlparser::ast::Query {
    *Parser::new(&PostgreSqlDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_query())
        .expect("constant SQL parses")
}

/// `name(args) AS alias(columns)` in FROM: a table-valued function call
/// (`json_each(...)`, `generate_series(...)`).
pub fn table_function(
    name: &str,
    alias: &str,
    columns: Vec<sqlparser::ast::TableAliasColumnDef>,
    args: Vec<Expr>,
) -> sqlparser::ast::TableFactor {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, TableAlias, TableFunctionArgs};
    sqlparser::ast::TableFactor::Table {
        name: object_name(name),
        alias: Some(TableAlias {
            explicit: true,
            at: None,
            name: sqlparser::ast::Ident::new(alias),
            columns,
        }),
        args: Some(TableFunctionArgs {
            args: args
                .into_iter()
                .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                .collect(),
            settings: None,
        }),
        with_hints: vec![],
        version: None,
        with_ordinality: false,
        partitions: vec![],
        json_path: None,
        sample: None,
        index_hints: vec![],
    }
}

/// `=`, `<>`, `<`, `<=`, `>`, `>=`.
pub(super) fn is_comparison(op: &sqlparser::ast::BinaryOperator) -> bool {
    use sqlparser::ast::BinaryOperator as B;
    matches!(op, B::Eq | B::NotEq | B::Lt | B::LtEq | B::Gt | B::GtEq)
}

/// `+`, `-`, `*`, `/`, `%`.
pub(super) fn is_arithmetic(op: &sqlparser::ast::BinaryOperator) -> bool {
    use sqlparser::ast::BinaryOperator as B;
    matches!(op, B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo)
}

/// The items of a row value: `(a, b)` or `ROW(a, b)`.
pub(super) fn row_items(e: &Expr) -> Option<Vec<&Expr>> {
    match e {
        Expr::Tuple(items) => Some(items.iter().collect()),
        Expr::Nested(inner) => row_items(inner),
        Expr::Function(f) if base_name(&f.name) == "row" => plain_args(f),
        _ => None,
    }
}
