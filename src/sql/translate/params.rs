//! Parameter type hints from the context each `$n` appears in.
//!
//! Runs on the name-checked PostgreSQL AST (before rewriting), so casts and
//! column names are still as the client wrote them.

use super::ast::{base_name, ident_name, insert_target, placeholder_index};
use super::columns::expr_type;
use super::types::pg_type;
use super::ParamHint;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{
    AssignmentTarget, BinaryOperator, Expr, LimitClause, Query, SetExpr, Statement, TableFactor,
    TableObject, Value, ValueWithSpan, Visit, Visitor,
};
use std::ops::ControlFlow;

pub(super) fn infer(statement: &Statement) -> Vec<ParamHint> {
    let mut scope = Scope::of(statement);
    if let Statement::Insert(insert) = statement {
        if let TableObject::TableName(name) = &insert.table {
            let alias = insert.table_alias.as_ref().map(|a| ident_name(&a.alias));
            if scope.tables.is_empty() {
                scope.add(alias, base_name(name));
            } else {
                // `INSERT INTO t SELECT ... FROM s WHERE c = $1`: unqualified
                // names in the SELECT are the source's; `t.c` still resolves.
                let table = base_name(name);
                scope
                    .names
                    .push((alias.unwrap_or_else(|| table.clone()), table));
            }
        }
    }
    let mut hints = Hints {
        scope,
        hints: vec![],
        frames: vec![],
        routine_args: vec![],
    };
    let _ = statement.visit(&mut hints);
    hints.statement(statement);
    // Last, so no other rule is overruled: what is still unknown and an
    // argument of an unknown function may be a tenant function's.
    for (n, hint) in std::mem::take(&mut hints.routine_args) {
        hints.set(n, hint);
    }
    hints.hints
}

/// Tables in the statement and their aliases.
#[derive(Default)]
pub(super) struct Scope {
    /// (alias or table name, table name)
    names: Vec<(String, String)>,
    tables: Vec<String>,
}

impl Scope {
    /// The real tables of the statement's FROM clauses.
    pub(super) fn of(statement: &Statement) -> Scope {
        let mut scope = Scope::default();
        let _ = statement.visit(&mut scope);
        scope
    }

    fn add(&mut self, alias: Option<String>, table: String) {
        if !self.tables.contains(&table) {
            self.tables.push(table.clone());
        }
        self.names
            .push((alias.unwrap_or_else(|| table.clone()), table));
    }

    /// The column a reference names, if its table is unambiguous.
    fn column(&self, expr: &Expr) -> Option<ParamHint> {
        let (table, column) = self.column_of(expr)?;
        Some(ParamHint::Column { table, column })
    }

    /// (table, column) of a column reference whose table is unambiguous.
    pub(super) fn column_of(&self, expr: &Expr) -> Option<(String, String)> {
        Some(match expr {
            Expr::Identifier(id) => match self.tables.as_slice() {
                [only] => (only.clone(), ident_name(id)),
                _ => return None,
            },
            Expr::CompoundIdentifier(ids) if ids.len() == 2 => {
                let qualifier = ident_name(&ids[0]);
                let table = self
                    .names
                    .iter()
                    .find(|(name, _)| *name == qualifier)
                    .map(|(_, table)| table.clone())?;
                (table, ident_name(&ids[1]))
            }
            Expr::Nested(inner) => return self.column_of(inner),
            _ => return None,
        })
    }
}

impl Visitor for Scope {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } = factor
        {
            self.add(alias.as_ref().map(|a| ident_name(&a.name)), base_name(name));
        }
        ControlFlow::Continue(())
    }
}

struct Hints {
    scope: Scope,
    hints: Vec<ParamHint>,
    /// The tables of each query being visited, innermost last.
    frames: Vec<Vec<String>>,
    /// Parameters passed to functions the translator does not know (a
    /// tenant's?), in visiting order: applied after every other rule.
    routine_args: Vec<(usize, ParamHint)>,
}

impl Hints {
    /// Notes the parameters `func` takes when the translator knows no
    /// signature for it: the tenant may have defined it.
    fn note_routine_args(&mut self, func: &sqlparser::ast::Function) {
        let Some(args) = super::ast::plain_args(func) else {
            return;
        };
        let name = base_name(&func.name);
        if signature(&name, args.len()).is_some() {
            return;
        }
        for (index, arg) in args.iter().enumerate() {
            if let Some(n) = placeholder_index(arg) {
                let hint = ParamHint::Routine {
                    name: name.clone(),
                    nargs: args.len(),
                    index,
                };
                self.routine_args.push((n, hint));
            }
        }
    }

    /// Records a hint for `$n`; the first informative hint wins.
    fn set(&mut self, index: usize, hint: ParamHint) {
        if index == 0 {
            return;
        }
        if self.hints.len() < index {
            self.hints.resize(index, ParamHint::Unknown);
        }
        if self.hints[index - 1] == ParamHint::Unknown {
            self.hints[index - 1] = hint;
        }
    }

    /// What the other side of a comparison or assignment says about a parameter.
    fn hint_from(&self, other: &Expr) -> ParamHint {
        if let Some(column) = self.scope.column(other) {
            return column;
        }
        // `date_trunc('day', at) = $1`: the timestamp's own type.
        if let Some(source) = match other {
            Expr::Function(f) => super::columns::timestamp_source(f),
            _ => None,
        } {
            return match self.hint_from(source) {
                ParamHint::Unknown => ParamHint::Type(PgType::Timestamp),
                hint => hint,
            };
        }
        // An unqualified name in a query reading one table (`... IN (SELECT
        // user_id FROM orders WHERE amount > $1)`): most likely that table's
        // column; if not, the lookup finds nothing and nothing is lost.
        if let (Expr::Identifier(id), Some([only])) = (other, self.frames.last().map(Vec::as_slice))
        {
            return ParamHint::Column {
                table: only.clone(),
                column: ident_name(id),
            };
        }
        match expr_type(other) {
            Some(t) => ParamHint::Type(t),
            // `qty + delta <= $1`: arithmetic on columns is typed as its
            // operands are (an integer column plus an integer is one). Not
            // a difference of two columns: `ended - started` of
            // timestamps is an interval.
            None => match other {
                Expr::BinaryOp { left, op, right }
                    if matches!(
                        op,
                        sqlparser::ast::BinaryOperator::Plus
                            | sqlparser::ast::BinaryOperator::Multiply
                            | sqlparser::ast::BinaryOperator::Divide
                            | sqlparser::ast::BinaryOperator::Modulo
                    ) || matches!(op, sqlparser::ast::BinaryOperator::Minus)
                        && [left, right].iter().any(|e| {
                            matches!(&***e, Expr::Value(v)
                                if matches!(v.value, sqlparser::ast::Value::Number(..)))
                        }) =>
                {
                    match self.hint_from(left) {
                        ParamHint::Unknown => self.hint_from(right),
                        hint => hint,
                    }
                }
                Expr::Nested(inner) => self.hint_from(inner),
                _ => ParamHint::Unknown,
            },
        }
    }

    fn pair(&mut self, a: &Expr, b: &Expr) {
        // Row values (`(created_at, id) > ($1, $2)`, keyset pagination):
        // each item is compared with the other side's item in its place.
        if let (Some(xs), Some(ys)) = (super::ast::row_items(a), super::ast::row_items(b)) {
            if xs.len() == ys.len() {
                for (x, y) in xs.into_iter().zip(ys) {
                    self.pair(x, y);
                }
            }
            return;
        }
        if let Some(n) = placeholder_index(a) {
            let hint = self.hint_from(b);
            self.set(n, hint);
        }
        if let Some(n) = placeholder_index(b) {
            let hint = self.hint_from(a);
            self.set(n, hint);
        }
    }

    fn statement(&mut self, statement: &Statement) {
        match statement {
            Statement::Insert(insert) => {
                let Some((table, columns)) = insert_target(insert) else {
                    return;
                };
                let Some(source) = &insert.source else {
                    return;
                };
                if let SetExpr::Values(values) = source.body.as_ref() {
                    for row in &values.rows {
                        if columns.is_empty() {
                            // INSERT INTO t VALUES (...): values follow the table's column order.
                            for (index, value) in row.content.iter().enumerate() {
                                if let Some(n) = placeholder_index(value) {
                                    self.set(
                                        n,
                                        ParamHint::Position {
                                            table: table.clone(),
                                            index,
                                        },
                                    );
                                }
                            }
                        }
                        for (value, column) in row.content.iter().zip(&columns) {
                            if let Some(n) = placeholder_index(value) {
                                self.set(
                                    n,
                                    ParamHint::Column {
                                        table: table.clone(),
                                        column: column.clone(),
                                    },
                                );
                            }
                        }
                    }
                }
            }
            Statement::Update(update) => {
                let TableFactor::Table { name, .. } = &update.table.relation else {
                    return;
                };
                let table = base_name(name);
                for assignment in &update.assignments {
                    if let (AssignmentTarget::ColumnName(column), Some(n)) =
                        (&assignment.target, placeholder_index(&assignment.value))
                    {
                        self.set(
                            n,
                            ParamHint::Column {
                                table: table.clone(),
                                column: base_name(column),
                            },
                        );
                    }
                }
            }
            _ => {}
        }
    }
}

impl Visitor for Hints {
    type Break = ();

    /// `json[b]_populate_record[set](null::t, $1)` in FROM: the JSON
    /// argument's type, as the signature gives it in a select list.
    fn pre_visit_table_factor(&mut self, factor: &TableFactor) -> ControlFlow<()> {
        if let TableFactor::Table {
            name,
            args: Some(args),
            ..
        } = factor
        {
            let name = base_name(name);
            let exprs: Vec<&Expr> = args
                .args
                .iter()
                .filter_map(|a| match a {
                    sqlparser::ast::FunctionArg::Unnamed(
                        sqlparser::ast::FunctionArgExpr::Expr(e),
                    ) => Some(e),
                    _ => None,
                })
                .collect();
            if let Some(types) = signature(&name, exprs.len()) {
                for (arg, ty) in exprs.iter().zip(types) {
                    if let (Some(n), Some(t)) = (placeholder_index(arg), ty) {
                        self.set(n, ParamHint::Type(*t));
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_value(&mut self, value: &ValueWithSpan) -> ControlFlow<()> {
        // Makes `params` as long as the highest `$n`, even without hints.
        if let Value::Placeholder(p) = &value.value {
            if let Some(n) = p.strip_prefix('$').and_then(|n| n.parse::<usize>().ok()) {
                self.set(n, ParamHint::Unknown);
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &Query) -> ControlFlow<()> {
        self.frames.push(query_tables(query));
        if let Some(LimitClause::LimitOffset { limit, offset, .. }) = &query.limit_clause {
            let exprs = limit.iter().chain(offset.as_ref().map(|o| &o.value));
            for n in exprs.filter_map(placeholder_index).collect::<Vec<_>>() {
                self.set(n, ParamHint::Type(PgType::Int8));
            }
        }
        if let Some(n) = query
            .fetch
            .as_ref()
            .and_then(|f| f.quantity.as_ref())
            .and_then(placeholder_index)
        {
            self.set(n, ParamHint::Type(PgType::Int8));
        }
        ControlFlow::Continue(())
    }

    fn post_visit_query(&mut self, _: &Query) -> ControlFlow<()> {
        self.frames.pop();
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &Expr) -> ControlFlow<()> {
        use BinaryOperator as B;
        if let Expr::Function(func) = expr {
            self.note_routine_args(func);
        }
        match expr {
            Expr::Cast {
                expr: inner,
                data_type,
                ..
            } => {
                if let (Some(n), Ok(t)) = (placeholder_index(inner), pg_type(data_type)) {
                    self.set(n, ParamHint::Type(t));
                }
            }
            Expr::BinaryOp { left, op, right } => match op {
                B::Eq
                | B::NotEq
                | B::Lt
                | B::LtEq
                | B::Gt
                | B::GtEq
                | B::Plus
                | B::Minus
                | B::Multiply
                | B::Divide
                | B::Modulo => self.pair(left, right),
                B::StringConcat => {
                    for side in [left, right] {
                        if let Some(n) = placeholder_index(side) {
                            self.set(n, ParamHint::Type(PgType::Text));
                        }
                    }
                }
                _ => {}
            },
            Expr::InList {
                expr: value, list, ..
            } => {
                for item in list {
                    self.pair(value, item);
                }
            }
            Expr::Between {
                expr: value,
                low,
                high,
                ..
            } => {
                self.pair(value, low);
                self.pair(value, high);
            }
            Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => self.pair(a, b),
            Expr::Function(func) => self.function_args(func),
            Expr::Like {
                expr: value,
                pattern,
                ..
            }
            | Expr::ILike {
                expr: value,
                pattern,
                ..
            } => {
                for side in [value, pattern] {
                    if let Some(n) = placeholder_index(side) {
                        self.set(n, ParamHint::Type(PgType::Text));
                    }
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

impl Hints {
    /// `$n` as a function's argument: the type its signature gives that
    /// position (`pg_advisory_lock($1)` bigint, `left(s, $1)` integer), or
    /// the other arguments' type for coalesce/nullif/greatest/least.
    fn function_args(&mut self, func: &sqlparser::ast::Function) {
        let Some(args) = super::ast::plain_args(func) else {
            return;
        };
        let name = base_name(&func.name);
        if matches!(name.as_str(), "coalesce" | "nullif" | "greatest" | "least") {
            for (i, a) in args.iter().enumerate() {
                for b in &args[i + 1..] {
                    self.pair(a, b);
                }
            }
            return;
        }
        let Some(types) = signature(&name, args.len()) else {
            return;
        };
        for (arg, ty) in args.iter().zip(types) {
            if let (Some(n), Some(t)) = (placeholder_index(arg), ty) {
                self.set(n, ParamHint::Type(*t));
            }
        }
    }
}

/// The advisory lock functions (their keys: see `signature`).
const ADVISORY: [&str; 10] = [
    "pg_advisory_lock",
    "pg_advisory_lock_shared",
    "pg_try_advisory_lock",
    "pg_try_advisory_lock_shared",
    "pg_advisory_xact_lock",
    "pg_advisory_xact_lock_shared",
    "pg_try_advisory_xact_lock",
    "pg_try_advisory_xact_lock_shared",
    "pg_advisory_unlock",
    "pg_advisory_unlock_shared",
];

/// Argument types of functions commonly called with parameters (`None`:
/// another rule, or the column, decides).
fn signature(name: &str, n: usize) -> Option<&'static [Option<PgType>]> {
    use PgType::{Bool, Float8, Int4, Int8, Text};
    Some(match (name, n) {
        // A bigint key, or two int keys.
        (name, 1) if ADVISORY.contains(&name) => &[Some(Int8)],
        (name, 2) if ADVISORY.contains(&name) => &[Some(Int4), Some(Int4)],
        ("pg_sleep" | "to_timestamp", 1) => &[Some(Float8)],
        ("left" | "right" | "repeat", 2) => &[Some(Text), Some(Int4)],
        ("lpad" | "rpad", _) => &[Some(Text), Some(Int4), Some(Text)],
        ("substr" | "substring", _) => &[Some(Text), Some(Int4), Some(Int4)],
        ("split_part", 3) => &[Some(Text), Some(Text), Some(Int4)],
        ("round" | "trunc", 2) => &[None, Some(Int4)],
        ("date_trunc" | "date_part", 2) => &[Some(Text), None],
        ("to_char", 2) => &[None, Some(Text)],
        ("to_date" | "to_timestamp", 2) => &[Some(Text), Some(Text)],
        ("current_setting", _) => &[Some(Text), Some(Bool)],
        ("set_config", 3) => &[Some(Text), Some(Text), Some(Bool)],
        ("nextval" | "currval", 1) => &[Some(Text)],
        ("setval", _) => &[Some(Text), Some(Int8), Some(Bool)],
        (
            "lower" | "upper" | "length" | "md5" | "initcap" | "btrim" | "ltrim" | "rtrim"
            | "reverse" | "quote_ident" | "quote_literal" | "hashtext",
            _,
        ) => &[Some(Text), Some(Text)],
        ("replace" | "translate" | "regexp_replace", _) => {
            &[Some(Text), Some(Text), Some(Text), Some(Text)]
        }
        ("strpos" | "starts_with" | "concat_ws", _) => &[Some(Text), Some(Text)],
        ("json_populate_record" | "json_populate_recordset", 2) => &[None, Some(PgType::Json)],
        ("jsonb_populate_record" | "jsonb_populate_recordset", 2) => &[None, Some(PgType::Jsonb)],
        _ => return None,
    })
}

/// The tables a query's own FROM clause reads (not its subqueries').
fn query_tables(query: &Query) -> Vec<String> {
    let SetExpr::Select(select) = query.body.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for t in &select.from {
        for factor in std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)) {
            match factor {
                TableFactor::Table {
                    name, args: None, ..
                } => out.push(base_name(name)),
                // A derived table or function: its columns are not a table's.
                _ => return Vec::new(),
            }
        }
    }
    out
}
