//! Literals and parameters written into columns are read as PostgreSQL
//! reads input for the column's type: `pg_column_input(value, 'table',
//! 'column')` checks and converts them on the tenant's connection, where the
//! declared type is known (SQLite would keep `'abc'` in an integer column,
//! store `1.5` there as a real and `40000` in a smallint). Covers the items
//! of INSERT ... VALUES rows and the values of UPDATE's SET list that are
//! literals or parameters (the simple protocol lifts literals into
//! parameters).

use super::ast::{call, for_each_column_value, string};
use sqlparser::ast::{BinaryOperator, Expr, SelectItem, SetExpr, Statement, UnaryOperator, Value};

/// Wraps the values written into columns in place. `overriding`: the
/// INSERT said `OVERRIDING SYSTEM VALUE`.
///
/// A fourth argument says how the value is written, for identity columns
/// `GENERATED ALWAYS`, which refuse any value but their default (428C9):
/// `'update'` for UPDATE's SET list, `'system'` for a value they take anyway
/// (the column's DEFAULT, or under OVERRIDING SYSTEM VALUE); none for an
/// INSERT's value.
pub(super) fn wrap(statement: &mut Statement, overriding: bool) {
    if !overriding {
        check_selected(statement);
    }
    let update = matches!(statement, Statement::Update(_));
    // UPDATE's other values (`SET id = other_column`, a subquery): checked
    // once for the statement (see `check_selected`).
    let mut unwrapped: Vec<String> = Vec::new();
    for_each_column_value(statement, |e, table, column| {
        if update && !is_input(e) && !super::defaults::is_default_call(e) {
            if let Some(name) = super::ast::string_literal(&column) {
                unwrapped.push(name.to_owned());
            }
        }
        if is_input(e) {
            let system = overriding || super::defaults::is_default_call(e);
            let value = std::mem::replace(e, Expr::value(Value::Null));
            // A literal's timestamptz text is read in the session's zone.
            let literal =
                super::ast::string_literal(&value).is_some() || is_timestamp_literal(&value);
            let mut args = vec![value, string(table), column];
            if system {
                args.push(string("system"));
            } else if update {
                args.push(string("update"));
            } else if literal {
                args.push(string("insert"));
            }
            if literal {
                args.push(string("literal"));
            }
            *e = call("pg_column_input", args);
        }
    });
    if let (Statement::Update(u), false) = (&mut *statement, unwrapped.is_empty()) {
        if let sqlparser::ast::TableFactor::Table { name, .. } = &u.table.relation {
            let check = call(
                "pg_identity_check",
                vec![
                    string(super::ast::base_name(name)),
                    string(unwrapped.join(",")),
                    string("update"),
                ],
            );
            and_where(&mut u.selection, check);
        }
    }
}

/// Adds a term to a WHERE clause.
fn and_where(selection: &mut Option<Expr>, term: Expr) {
    *selection = Some(match selection.take() {
        Some(w) => Expr::BinaryOp {
            left: Box::new(Expr::Nested(Box::new(w))),
            op: BinaryOperator::And,
            right: Box::new(term),
        },
        None => term,
    });
}

/// A string literal, a number, a parameter (the simple
/// protocol's lifted literals are parameters too), arithmetic, or a
/// function call or cast.
/// `'text'::timestamp` (psycopg2's naive datetime) or `timestamp 'text'`
/// (without time zone).
fn is_timestamp_literal(e: &Expr) -> bool {
    use sqlparser::ast::{DataType, TimezoneInfo};
    let plain = |t: &DataType| {
        matches!(
            t,
            DataType::Timestamp(_, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone)
        )
    };
    match e {
        Expr::Cast {
            expr, data_type, ..
        } => plain(data_type) && super::ast::string_literal(expr).is_some(),
        Expr::TypedString(t) => plain(&t.data_type),
        _ => false,
    }
}

fn is_input(e: &Expr) -> bool {
    match e {
        // `timestamp '...'`: read in the session's zone when the column is
        // a timestamptz.
        Expr::TypedString { .. } => is_timestamp_literal(e),
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(_)
            | Value::EscapedStringLiteral(_)
            | Value::NationalStringLiteral(_)
            | Value::UnicodeStringLiteral(_)
            | Value::DollarQuotedString(_) => true,
            // (Even a small integer: numeric(3, 3) holds no 1.)
            Value::Number(..) => true,
            Value::Placeholder(_) => true,
            _ => false,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => matches!(expr.as_ref(), Expr::Value(v) if matches!(v.value, Value::Number(..))),
        // Arithmetic and concatenation may leave the column's range or
        // length (`SET n = n + 1` at int4's maximum is 22003 in PostgreSQL;
        // SQLite would store 2147483648, or a real past int8's).
        Expr::BinaryOp { op, .. } => {
            super::ast::is_arithmetic(op) || *op == BinaryOperator::StringConcat
        }
        Expr::Nested(inner) => is_input(inner),
        // A computed value may be too long for a varchar(n) or too large
        // for a numeric(p, s) (`repeat('x', 51)`, `round(x * 1e6, 2)`);
        // a clock reading is a timestamp, which a date column truncates.
        // (The key generators are already in the stored form.)
        Expr::Function(f) => !matches!(
            super::ast::base_name(&f.name).as_str(),
            "nextval" | "gen_random_uuid" | "uuid_generate_v4"
        ),
        Expr::Cast { .. } => true,
        // `ARRAY[3.456]` into a numeric(6,2)[]: rounded as it is stored.
        Expr::Array(_) => true,
        _ => false,
    }
}

/// `INSERT INTO t (a, b) SELECT ...`: the column list is checked for
/// identity columns `GENERATED ALWAYS` by a constant WHERE term of the
/// SELECT, `pg_identity_check('t', 'a,b')`, which SQLite evaluates once,
/// before the first row (an UPDATE's values that `pg_column_input` does not
/// wrap get such a term too, with a third argument `'update'`). (An INSERT naming no columns, or whose query is
/// not a plain SELECT, is not checked.)
fn check_selected(statement: &mut Statement) {
    let Statement::Insert(insert) = statement else {
        return;
    };
    let Some((table, columns)) = super::ast::insert_target(insert) else {
        return;
    };
    let Some(SetExpr::Select(select)) = insert.source.as_mut().map(|q| q.body.as_mut()) else {
        return;
    };
    // Each selected value is stored at its column's numeric scale (not
    // under DISTINCT or GROUP BY 1, which would then see rounded values).
    let positional_group = match &select.group_by {
        sqlparser::ast::GroupByExpr::Expressions(exprs, _) => exprs
            .iter()
            .any(|e| matches!(e, Expr::Value(v) if matches!(v.value, Value::Number(..)))),
        sqlparser::ast::GroupByExpr::All(_) => true,
    };
    let items = if select.distinct.is_some() || positional_group {
        &mut [][..]
    } else {
        &mut select.projection[..]
    };
    for (i, item) in items.iter_mut().enumerate() {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else {
            continue;
        };
        // A set-returning call stays where the select-list expansion
        // (`series.rs`) finds it: `INSERT ... SELECT generate_series(1, 5)`.
        if matches!(e, Expr::Value(_)) || super::series::returns_set(e) {
            continue;
        }
        let column = match columns.get(i) {
            Some(name) => string(name.clone()),
            None if columns.is_empty() => super::ast::number(i),
            None => continue,
        };
        let value = std::mem::replace(e, Expr::value(Value::Null));
        *e = call(
            "pg_column_scaled",
            vec![value, string(table.clone()), column],
        );
    }
    if columns.is_empty() {
        return;
    }
    let check = call(
        "pg_identity_check",
        vec![string(table), string(columns.join(","))],
    );
    and_where(&mut select.selection, check);
}
