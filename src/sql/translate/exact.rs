//! Exact numeric division and `avg` in a query's result columns.
//!
//! PostgreSQL's numeric division keeps at least 16 significant digits
//! (`10.0 / 3` is 3.3333333333333333, `avg(qty)` 2.2000000000000000); SQLite
//! divides doubles. Each result column of the outermost SELECT that divides
//! numerics or takes an `avg` is computed by pgtenant's exact functions
//! (`pg_numeric_div`, `pg_avg`, and `pg_numeric_add|sub|mul` around them),
//! which return the decimal as text; an integer literal beyond bigint is
//! sent as its text. Only result columns: text would compare
//! and sort wrongly anywhere else, so an ORDER BY that names such a column
//! sorts by the original expression.

use super::ast::{base_name, call, plain_args, string};
use super::column_dates::{column_lookup, when_type};
use super::columns::expr_type;
use super::params::Scope;
use super::scopes::Scopes;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{
    BinaryOperator, DuplicateTreatment, Expr, Function, FunctionArg, FunctionArgExpr,
    FunctionArguments, OrderByKind, Query, SelectItem, SetExpr, Statement, TableFactor,
    TableWithJoins, UnaryOperator, Value, With,
};

/// Rewrites the result columns of a query in place.
pub(super) fn prepare(statement: &mut Statement) {
    // An ORM's select list is bare column references, which no rewrite
    // below changes: no need to look up the statement's tables.
    let Statement::Query(query) = &*statement else {
        return;
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        return;
    };
    if select.projection.iter().all(|item| match item {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
            matches!(e, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
        }
        _ => true,
    }) {
        return;
    }
    let outer = Scope::of(statement);
    let Statement::Query(query) = statement else {
        return;
    };
    // The original expressions are kept only for an ORDER BY to sort by.
    let sorted = query.order_by.is_some();
    let Query { body, with, .. } = query.as_mut();
    let SetExpr::Select(select) = body.as_mut() else {
        return;
    };
    let mut scopes = Scopes::default();
    scopes.push_select(select);
    let derived = derived_relations(with.as_ref(), &select.from);
    let scope = Lookups {
        scope: outer,
        scopes,
        derived,
    };
    // (position, output name, original expression) of each rewritten column.
    let mut rewritten: Vec<(usize, Option<String>, Option<Expr>)> = Vec::new();
    for (i, item) in select.projection.iter_mut().enumerate() {
        let (expr, alias) = match item {
            SelectItem::UnnamedExpr(e) => (e, None),
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.value.clone())),
            _ => continue,
        };
        if matches!(expr, Expr::Identifier(_) | Expr::CompoundIdentifier(_)) {
            continue;
        }
        let original = sorted.then(|| expr.clone());
        if super::numeric_division::exact_by_column_types(expr, &scope.scopes)
            || exact(expr, &scope)
        {
            rewritten.push((i, alias, original));
        }
    }
    if rewritten.is_empty() {
        return;
    }
    let Some(order_by) = query.order_by.as_mut() else {
        return;
    };
    let OrderByKind::Expressions(items) = &mut order_by.kind else {
        return;
    };
    for item in items {
        let target = match &item.expr {
            Expr::Identifier(id) => rewritten
                .iter()
                .find(|(_, alias, _)| alias.as_deref().is_some_and(|a| a == id.value)),
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => n
                    .parse::<usize>()
                    .ok()
                    .and_then(|n| rewritten.iter().find(|(i, _, _)| i + 1 == n)),
                _ => None,
            },
            _ => None,
        };
        if let Some((_, _, Some(original))) = target {
            item.expr = original.clone();
        }
    }
}

/// The FROM items of the SELECT, to find a column's table.
struct Lookups {
    /// Table and column of a column reference, when the query says.
    scope: Scope,
    /// The candidate tables of a column, for a look-up when it runs.
    scopes: Scopes,
    /// The WITH queries and derived tables the SELECT reads.
    derived: Vec<Derived>,
}

/// A WITH query or derived table: its columns' defining expressions, and
/// the FROM items they read.
struct Derived {
    name: String,
    columns: Vec<(String, Expr)>,
    scopes: Scopes,
}

/// The WITH queries and FROM-clause subqueries (plain SELECTs) of a query.
/// (Only queries that have them pay for the copies.)
fn derived_relations(with: Option<&With>, from: &[TableWithJoins]) -> Vec<Derived> {
    let mut out = Vec::new();
    let mut add = |name: &str, query: &Query| {
        let SetExpr::Select(select) = query.body.as_ref() else {
            return;
        };
        let columns = select
            .projection
            .iter()
            .filter_map(|item| match item {
                SelectItem::ExprWithAlias { expr, alias } => Some((alias.value.clone(), expr)),
                SelectItem::UnnamedExpr(e @ Expr::Identifier(id)) => Some((id.value.clone(), e)),
                SelectItem::UnnamedExpr(e @ Expr::CompoundIdentifier(ids)) => {
                    Some((ids.last()?.value.clone(), e))
                }
                _ => None,
            })
            .map(|(n, e)| (n, e.clone()))
            .collect();
        let mut scopes = Scopes::default();
        scopes.push_select(select);
        out.push(Derived {
            name: name.to_owned(),
            columns,
            scopes,
        });
    };
    for cte in with.iter().flat_map(|w| &w.cte_tables) {
        add(&cte.alias.name.value, &cte.query);
    }
    for t in from {
        for factor in std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)) {
            if let TableFactor::Derived {
                subquery,
                alias: Some(alias),
                ..
            } = factor
            {
                add(&alias.name.value, subquery);
            }
        }
    }
    out
}

/// The type expression `pg_avg` takes for a column of a WITH query or
/// derived table (see `numeric_division::value_type`).
fn derived_type(arg: &Expr, scope: &Lookups) -> Option<Expr> {
    if scope.derived.is_empty() {
        return None;
    }
    let (qualifier, column) = match arg {
        Expr::Identifier(id) => (None, &id.value),
        Expr::CompoundIdentifier(ids) if ids.len() == 2 => (Some(&ids[0].value), &ids[1].value),
        _ => return None,
    };
    // The relations the column may come from: the one its qualifier names,
    // or (bare) every one read; a bare name that two could supply would
    // be ambiguous, so the first WITH query or derived table defining it
    // is the one.
    let definition = scope
        .scopes
        .innermost_items()
        .iter()
        .filter(|(visible, _)| qualifier.is_none_or(|q| visible.eq_ignore_ascii_case(q)))
        // A derived table is known by its alias.
        .find_map(|(visible, base)| {
            let base = base.as_ref().unwrap_or(visible);
            let d = scope
                .derived
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(base))?;
            let (_, def) = d
                .columns
                .iter()
                .find(|(c, _)| c.eq_ignore_ascii_case(column))?;
            Some((def, &d.scopes))
        })?;
    super::numeric_division::value_type(definition.0, definition.1)
}

/// Rewrites `e` to exact functions where it divides numerics or averages;
/// true when it now yields exact text.
#[recursive::recursive]
fn exact(e: &mut Expr, scope: &Lookups) -> bool {
    match e {
        Expr::Nested(inner) => exact(inner, scope),
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => {
            if !exact(expr, scope) {
                return false;
            }
            let inner = std::mem::replace(expr.as_mut(), Expr::value(Value::Null));
            *e = call(
                "pg_numeric_sub",
                vec![Expr::value(Value::Number("0".into(), false)), inner],
            );
            true
        }
        Expr::BinaryOp { left, op, right } => {
            let name = match op {
                BinaryOperator::Plus => "pg_numeric_add",
                BinaryOperator::Minus => "pg_numeric_sub",
                BinaryOperator::Multiply => "pg_numeric_mul",
                BinaryOperator::Divide => "pg_numeric_div",
                _ => return false,
            };
            // int / int stays integer division.
            let (lt, rt) = (expr_type(left), expr_type(right));
            let numeric_division = *op == BinaryOperator::Divide
                && is_exact_type(lt)
                && is_exact_type(rt)
                && (lt == Some(PgType::Numeric) || rt == Some(PgType::Numeric));
            let (l, r) = (exact(left, scope), exact(right, scope));
            if !(numeric_division || l || r) {
                // `x / n`, and a share of a total: `x / sum(x) OVER ()`.
                let share = || {
                    column_of_value(left).is_some_and(|l| {
                        column_of_value(right)
                            .or_else(|| subquery_value(right))
                            .is_some_and(|r| l == r)
                    })
                };
                // (A divisor of unknown type may be a numeric expression,
                // `initialoutlay / (sum(x) / 3 - monthlymaintenance)`:
                // the dividend's column type decides, as for `x / n`.)
                if *op == BinaryOperator::Divide
                    && lt.is_none()
                    && (is_exact_type(rt) || rt.is_none() || share())
                {
                    divide_by_column_type(e, scope);
                }
                return false;
            }
            let null = || Expr::value(Value::Null);
            let args = vec![
                std::mem::replace(left.as_mut(), null()),
                std::mem::replace(right.as_mut(), null()),
            ];
            *e = call(name, args);
            true
        }
        Expr::Function(f) => {
            if average(f, scope) || spread(f, scope) || numeric_math(f) || exact_sum(f, scope) {
                return true;
            }
            numeric_math_by_column_types(e, scope)
        }
        // `CASE WHEN d = 0 THEN NULL ELSE x / d END`: each result as a
        // result column would be.
        Expr::Case {
            conditions,
            else_result,
            ..
        } => {
            let mut any = false;
            for result in conditions
                .iter_mut()
                .map(|c| &mut c.result)
                .chain(else_result.as_deref_mut())
            {
                any |= super::numeric_division::exact_by_column_types(result, &scope.scopes)
                    || exact(result, scope);
            }
            any
        }
        // Text (or a JSON number) read as an unconstrained numeric keeps its
        // written digits (`(body->>'price')::numeric` of "5.0" is 5.0, not
        // the double 5):
        // the exact sum with zero gives its decimal text (22P02 if none).
        Expr::Cast {
            expr: inner,
            data_type,
            format: None,
            ..
        } if is_plain_numeric(data_type)
            && (is_json_member(inner)
                || matches!(
                    expr_type(inner),
                    Some(PgType::Text | PgType::Json | PgType::Jsonb)
                )) =>
        {
            let inner = std::mem::replace(inner.as_mut(), Expr::value(Value::Null));
            *e = call("pg_numeric_add", vec![inner, super::ast::number(0)]);
            true
        }
        // An integer beyond bigint is a numeric: as text it keeps its digits.
        Expr::Value(v) => match &v.value {
            Value::Number(n, _)
                if n.bytes().all(|b| b.is_ascii_digit()) && n.parse::<i64>().is_err() =>
            {
                *e = string(n.clone());
                true
            }
            _ => false,
        },
        _ => false,
    }
}

/// `x / n` where `x` is a column (or the sum, min or max of one) whose type
/// only the schema knows: exact when the column is a numeric, SQLite's
/// division otherwise: `CASE pg_column_type(..) WHEN 'numeric' THEN
/// pg_numeric_div(x, n) ELSE x / n END` (the type is looked up once per run).
fn divide_by_column_type(e: &mut Expr, scope: &Lookups) {
    let Expr::BinaryOp { left, right, .. } = &*e else {
        return;
    };
    let Some(lookup) = column_of_value(left).and_then(|c| column_lookup(c, &scope.scopes)) else {
        return;
    };
    let exact = call("pg_numeric_div", vec![(**left).clone(), (**right).clone()]);
    let native = std::mem::replace(e, Expr::value(Value::Null));
    *e = when_type(
        call("pg_column_type", lookup.into()),
        "numeric",
        exact,
        native,
    );
}

/// The column a value is, or sums (min, max) over, as an aggregate or a
/// window function.
fn column_of_value(e: &Expr) -> Option<&Expr> {
    match e {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => Some(e),
        Expr::Nested(inner) => column_of_value(inner),
        Expr::Function(f) if matches!(base_name(&f.name).as_str(), "sum" | "min" | "max") => {
            match &f.args {
                FunctionArguments::List(list) => match list.args.as_slice() {
                    [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] => column_of_value(arg),
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}

/// The column `(SELECT sum(x) FROM ...)` sums (min, max, or is).
fn subquery_value(e: &Expr) -> Option<&Expr> {
    let Expr::Subquery(q) = e else { return None };
    let SetExpr::Select(select) = q.body.as_ref() else {
        return None;
    };
    match select.projection.as_slice() {
        [SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }] => {
            column_of_value(e)
        }
        _ => None,
    }
}

/// Integers and numerics divide exactly; floats, and operands of unknown
/// type (a column: it may be a float), are left to SQLite.
fn is_exact_type(t: Option<PgType>) -> bool {
    matches!(
        t,
        Some(PgType::Int2 | PgType::Int4 | PgType::Int8 | PgType::Numeric)
    )
}

/// `avg(x)` → `pg_avg(x, 'table.column')` unless `x` is known to be a float
/// or an interval.
fn average(f: &mut Function, scope: &Lookups) -> bool {
    if base_name(&f.name) != "avg" {
        return false;
    }
    let FunctionArguments::List(list) = &mut f.args else {
        return false;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_slice() else {
        return false;
    };
    if matches!(
        expr_type(arg),
        Some(PgType::Float4 | PgType::Float8 | PgType::Interval)
    ) {
        return false;
    }
    // DISTINCT aggregates take one argument in SQLite.
    let distinct = matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct));
    if !distinct {
        let column = type_reference(arg, scope);
        list.args
            .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(column)));
    }
    f.name = super::ast::object_name("pg_avg");
    true
}

/// `sum(x)` of an exact expression (`sum((body->>'amt')::numeric)`, a sum
/// of quotients) → `pg_numeric_sum(x)`: SQLite's sum would read the
/// decimal texts as doubles. DISTINCT sums stay SQLite's.
fn exact_sum(f: &mut Function, scope: &Lookups) -> bool {
    if base_name(&f.name) != "sum" {
        return false;
    }
    let FunctionArguments::List(list) = &mut f.args else {
        return false;
    };
    if list.duplicate_treatment.is_some() {
        return false;
    }
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_mut_slice() else {
        return false;
    };
    if !exact(arg, scope) {
        return false;
    }
    f.name = super::ast::object_name("pg_numeric_sum");
    true
}

/// `stddev(x)`, `variance(x)` and kin → `pg_spread(x, 'table.column', kind)`
/// unless `x` is known to be a float: numeric results with PostgreSQL's
/// digits. Window calls and DISTINCT stay SQLite's (double) aggregates.
fn spread(f: &mut Function, scope: &Lookups) -> bool {
    let name = base_name(&f.name);
    if !matches!(
        name.as_str(),
        "stddev" | "stddev_samp" | "stddev_pop" | "variance" | "var_samp" | "var_pop"
    ) || f.over.is_some()
        || f.filter.is_some()
    {
        return false;
    }
    let FunctionArguments::List(list) = &mut f.args else {
        return false;
    };
    if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
        return false;
    }
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(arg))] = list.args.as_slice() else {
        return false;
    };
    if matches!(expr_type(arg), Some(PgType::Float4 | PgType::Float8)) {
        return false;
    }
    let column = type_reference(arg, scope);
    list.args
        .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(column)));
    list.args
        .push(FunctionArg::Unnamed(FunctionArgExpr::Expr(string(name))));
    f.name = super::ast::object_name("pg_spread");
    true
}

/// `sqrt`, `exp`, `ln`, `log` and `power` of numeric arguments (integers
/// and numerics, at least one numeric; `log(b, x)` exists for numerics
/// only) → `pg_numeric_*`: PostgreSQL's digits, not a double's.
fn numeric_math(f: &mut Function) -> bool {
    if f.over.is_some() || f.filter.is_some() {
        return false;
    }
    let name = base_name(&f.name);
    let FunctionArguments::List(list) = &f.args else {
        return false;
    };
    if list.duplicate_treatment.is_some() || !list.clauses.is_empty() {
        return false;
    }
    let types: Option<Vec<PgType>> = list
        .args
        .iter()
        .map(|a| match a {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => expr_type(e),
            _ => None,
        })
        .collect();
    let Some(types) = types else {
        return false;
    };
    if !types.iter().all(|t| is_exact_type(Some(*t))) {
        return false;
    }
    let numeric = types.contains(&PgType::Numeric);
    let target = match (name.as_str(), types.len()) {
        ("sqrt", 1) if numeric => "pg_numeric_sqrt",
        ("exp", 1) if numeric => "pg_numeric_exp",
        ("ln", 1) if numeric => "pg_numeric_ln",
        ("log" | "log10", 1) if numeric => "pg_numeric_log10",
        ("log", 2) => "pg_numeric_log",
        ("power" | "pow", 2) if numeric => "pg_numeric_power",
        _ => return false,
    };
    f.name = super::ast::object_name(target);
    true
}

/// `sqrt(x)`, `exp`, `ln`, `log` or `power` of columns whose type only the
/// schema knows: `CASE WHEN <a column is numeric, none a float> THEN
/// pg_numeric_sqrt(x) ELSE sqrt(x) END`.
fn numeric_math_by_column_types(e: &mut Expr, scope: &Lookups) -> bool {
    let Expr::Function(f) = &*e else {
        return false;
    };
    if f.over.is_some() || f.filter.is_some() {
        return false;
    }
    let target = match (base_name(&f.name).as_str(), plain_args(f).map(|a| a.len())) {
        ("sqrt", Some(1)) => "pg_numeric_sqrt",
        ("exp", Some(1)) => "pg_numeric_exp",
        ("ln", Some(1)) => "pg_numeric_ln",
        ("log" | "log10", Some(1)) => "pg_numeric_log10",
        ("power" | "pow", Some(2)) => "pg_numeric_power",
        _ => return false,
    };
    let Some(args) = plain_args(f) else {
        return false;
    };
    let Some(condition) = super::numeric_division::numeric_values(&args, &scope.scopes) else {
        return false;
    };
    let mut exact = f.clone();
    exact.name = super::ast::object_name(target);
    let native = std::mem::replace(e, Expr::value(Value::Null));
    *e = Expr::Case {
        case_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        end_token: sqlparser::ast::helpers::attached_token::AttachedToken::empty(),
        operand: None,
        conditions: vec![sqlparser::ast::CaseWhen {
            condition,
            result: Expr::Function(exact),
        }],
        else_result: Some(Box::new(native)),
    };
    true
}

/// What tells `pg_avg`/`pg_spread` that doubles of `arg` are numeric values:
/// `'table.column'` of a column (its declared type is looked up), or
/// `'numeric'` for an expression known to be numeric.
fn type_reference(arg: &Expr, scope: &Lookups) -> Expr {
    if let Some(derived) = derived_type(arg, scope) {
        return derived;
    }
    match scope.scope.column_of(arg) {
        Some((table, column)) => string(format!("{table}.{column}")),
        None if expr_type(arg) == Some(PgType::Numeric) => string("numeric"),
        // A column of one of several tables: its type name when it runs.
        None => match column_lookup(arg, &scope.scopes) {
            Some(lookup) => call("pg_column_type", lookup.into()),
            None => Expr::value(Value::Null),
        },
    }
}

/// `doc -> 'key'` / `doc #> path`: JSON, whatever `doc`'s column type.
fn is_json_member(e: &Expr) -> bool {
    match e {
        Expr::Nested(inner) => is_json_member(inner),
        Expr::BinaryOp { op, .. } => {
            matches!(op, BinaryOperator::Arrow | BinaryOperator::HashArrow)
        }
        _ => false,
    }
}

/// `numeric` / `decimal` without precision or scale.
fn is_plain_numeric(data_type: &sqlparser::ast::DataType) -> bool {
    use sqlparser::ast::{DataType, ExactNumberInfo};
    matches!(
        data_type,
        DataType::Numeric(ExactNumberInfo::None)
            | DataType::Decimal(ExactNumberInfo::None)
            | DataType::Dec(ExactNumberInfo::None)
    )
}
