//! The AST pass that turns a (name-checked) PostgreSQL statement into one
//! SQLite accepts with the same meaning.

use super::expr::{rewrite_expr, rewrite_interval_arithmetic};
use super::query::{check_select, check_table_factor, rewrite_limits};
use super::scopes::Scopes;
use super::series::{rewrite_select_list, rewrite_table_function};
use super::TranslateError;
use sqlparser::ast::{
    Expr, Query, Select, SetExpr, Statement, TableFactor, Value, ValueWithSpan, VisitMut,
    VisitorMut,
};
use std::ops::ControlFlow;

/// Rewrites every expression and query in `statement`.
pub(super) fn rewrite_statement(statement: &mut Statement) -> Result<(), TranslateError> {
    flow(statement.visit(&mut Rewriter::default()))
}

/// Rewrites a single expression (DDL defaults, index expressions).
pub(super) fn rewrite_expression(expr: &mut Expr) -> Result<(), TranslateError> {
    flow(expr.visit(&mut Rewriter::default()))
}

fn flow(result: ControlFlow<TranslateError>) -> Result<(), TranslateError> {
    match result {
        ControlFlow::Continue(()) => Ok(()),
        ControlFlow::Break(err) => Err(err),
    }
}

fn brk(result: Result<(), TranslateError>) -> ControlFlow<TranslateError> {
    match result {
        Ok(()) => ControlFlow::Continue(()),
        Err(err) => ControlFlow::Break(err),
    }
}

/// A column, a constant or a parenthesised expression: nodes the
/// expression rewrites leave alone (their parts are visited on their own).
fn is_leaf(expr: &Expr) -> bool {
    matches!(
        expr,
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) | Expr::Value(_) | Expr::Nested(_)
    )
}

#[derive(Default)]
struct Rewriter {
    /// The FROM items and WITH queries in scope, for the rewrites that
    /// depend on a column's type.
    scopes: Scopes,
}

impl Rewriter {
    /// The type of `alias.column` when `alias` names a WITH query in scope.
    fn cte_column_type(&self, e: &Expr) -> Option<crate::sql::pgtype::PgType> {
        // Most statements have no WITH: nothing to look up (this runs for
        // operands of every `||` and `-`).
        if !self.scopes.has_ctes() {
            return None;
        }
        let (bases, column) = match e {
            Expr::CompoundIdentifier(ids) => match ids.as_slice() {
                [qualifier, column] => (vec![self.scopes.base_of(&qualifier.value)?], column),
                _ => return None,
            },
            // A bare name: any WITH query the innermost FROM reads.
            Expr::Identifier(column) => (self.scopes.innermost_bases(), column),
            _ => return None,
        };
        bases
            .iter()
            .find_map(|base| self.scopes.cte_column_type(base, &column.value))
    }

    /// ORDER BY of an array: by its elements, as PostgreSQL compares
    /// arrays (the stored JSON text sorts otherwise).
    fn order_arrays(&self, query: &mut Query) {
        let Some(order_by) = &mut query.order_by else {
            return;
        };
        let sqlparser::ast::OrderByKind::Expressions(items) = &mut order_by.kind else {
            return;
        };
        for item in items {
            let ty =
                super::columns::expr_type(&item.expr).or_else(|| self.cte_column_type(&item.expr));
            if matches!(ty, Some(crate::sql::pgtype::PgType::Array(_))) {
                let e = super::ast::take(&mut item.expr);
                item.expr = super::ast::call("pg_array_sort_key", vec![e]);
            }
        }
    }
}

impl VisitorMut for Rewriter {
    type Break = TranslateError;

    fn pre_visit_statement(&mut self, statement: &mut Statement) -> ControlFlow<TranslateError> {
        self.scopes.push_statement(statement);
        ControlFlow::Continue(())
    }

    fn post_visit_statement(&mut self, statement: &mut Statement) -> ControlFlow<TranslateError> {
        if matches!(statement, Statement::Update(_) | Statement::Delete(_)) {
            self.scopes.pop();
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<TranslateError> {
        // Most nodes are columns and constants, which none of the rewrites
        // below (nor `post_visit_expr`'s) changes: each matches operators,
        // calls, casts and the like. A rewrite of a leaf goes above this.
        if is_leaf(expr) {
            return ControlFlow::Continue(());
        }
        if let Err(e) = super::overlaps::rewrite(expr) {
            return ControlFlow::Break(e);
        }
        if let Err(e) = super::populate::rewrite(expr) {
            return ControlFlow::Break(e);
        }
        if let Err(e) = super::enum_functions::rewrite(expr, &self.scopes) {
            return ControlFlow::Break(e);
        }
        if let Err(e) = super::functions::extract_from_interval(expr) {
            return ControlFlow::Break(e);
        }
        if let Err(e) = super::range_frames::rewrite_call(expr) {
            return ControlFlow::Break(e);
        }
        let is_cte = |name: &str| self.scopes.cte(name).is_some();
        if let Err(e) = super::count_row::rewrite(expr, &self.scopes, is_cte) {
            return ControlFlow::Break(e);
        }
        super::zoned_columns::rewrite(expr, &self.scopes);
        super::casts::float4_to_numeric(expr, &self.scopes);
        super::column_dates::type_untyped_literal(expr);
        super::column_dates::rewrite(expr, &self.scopes);
        super::column_bools::rewrite(expr, &self.scopes);
        super::interval_sums::rewrite_known(expr);
        // `t.path || c.id` over a WITH query's array column: an array
        // append, decided before `column_text` reads `t.path` as a table's
        // column of unknown type.
        if let Expr::BinaryOp {
            left,
            op: sqlparser::ast::BinaryOperator::StringConcat,
            right,
        } = expr
        {
            if self.cte_column_type(left).is_some() || self.cte_column_type(right).is_some() {
                super::typed_ops::rewrite(expr, &|e| self.cte_column_type(e));
            }
        }
        super::text_search::rewrite(expr, &self.scopes);
        super::range_ops::rewrite(expr);
        super::column_text::rewrite(expr, &self.scopes);
        super::casts::rewrite_bool_text_cast(expr);
        super::casts::rewrite_array_text_cast(expr);
        super::casts::rewrite_numeric_text_cast(expr);
        super::catalog::rewrite_regclass_text_cast(expr);
        super::catalog::regclass_literal_as_name(expr);
        super::functions::json_builder_arguments(expr);
        super::functions::to_hex_width(expr);
        super::typed_ops::rewrite(expr, &|e| self.cte_column_type(e));
        let done = super::expr::check_array_subscript(expr)
            .and_then(|()| rewrite_interval_arithmetic(expr));
        if done.is_ok() {
            super::column_dates::rewrite_scaled(expr, &self.scopes);
            super::numeric_division::rewrite(expr, &self.scopes);
        }
        brk(done)
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<TranslateError> {
        if is_leaf(expr) {
            return ControlFlow::Continue(());
        }
        super::null_order::expr(expr);
        super::interval_sums::rewrite_column(expr, &self.scopes);
        let done = rewrite_expr(expr);
        // After the call's own rewrite (its SQLite name), which the
        // branches it makes are not visited for.
        super::bpchar_length::rewrite(expr, &self.scopes);
        brk(done)
    }

    fn post_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<TranslateError> {
        let replacement = match &value.value {
            // `$n` -> `?n`: same numbering, SQLite syntax.
            Value::Placeholder(p) => p
                .strip_prefix('$')
                .map(|n| Value::Placeholder(format!("?{n}"))),
            // Booleans are stored as 0/1.
            Value::Boolean(b) => Some(Value::Number(u8::from(*b).to_string(), false)),
            // E'..', $$..$$, N'..', U&'..' are already unescaped; print as plain '..'.
            Value::EscapedStringLiteral(s) | Value::NationalStringLiteral(s) => {
                Some(Value::SingleQuotedString(s.clone()))
            }
            Value::DollarQuotedString(d) => Some(Value::SingleQuotedString(d.value.clone())),
            // U&'\0041': the tokenizer has read the escapes.
            Value::UnicodeStringLiteral(s) => Some(Value::SingleQuotedString(s.clone())),
            _ => None,
        };
        if let Some(v) = replacement {
            value.value = v;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<TranslateError> {
        if let Err(e) = super::ties::rewrite(query) {
            return ControlFlow::Break(e);
        }
        if let Err(e) = super::set_all::rewrite(query) {
            return ControlFlow::Break(e);
        }
        super::set_members::rewrite(&mut query.body);
        if let Err(e) = super::series::expand_after_grouping(query) {
            return ControlFlow::Break(e);
        }
        super::series::qualify_order_by(query);
        if let Err(e) = super::grouping_sets::rewrite(query) {
            return ControlFlow::Break(e);
        }
        self.scopes.push_ctes(query);
        // ORDER BY is outside the SELECT but sees its FROM items.
        match query.body.as_ref() {
            SetExpr::Select(select) => self.scopes.push_select(select),
            _ => self.scopes.push_none(),
        }
        self.order_arrays(query);
        brk(super::lateral::rewrite(query).and_then(|()| super::distinct_on::rewrite(query)))
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<TranslateError> {
        self.scopes.pop();
        self.scopes.pop_ctes();
        super::null_order::query(query);
        super::query::sorted_values(query);
        brk(rewrite_limits(query))
    }

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<TranslateError> {
        self.scopes.push_select(select);
        super::null_order::select(select);
        // `EXISTS (SELECT FROM t WHERE ...)`: PostgreSQL allows no columns,
        // SQLite needs one.
        if select.projection.is_empty() {
            select
                .projection
                .push(sqlparser::ast::SelectItem::UnnamedExpr(super::ast::null()));
        }
        super::range_ops::projection(&mut select.projection, &self.scopes);
        let ctes: Vec<&str> = self.scopes.cte_names().collect();
        super::join_star::mark(select, &ctes);
        for item in &mut select.projection {
            if let Err(e) = super::populate::expand_star(item) {
                return ControlFlow::Break(e);
            }
        }
        brk(check_select(select)
            .and_then(|()| super::range_frames::rewrite_named(select))
            .and_then(|()| rewrite_select_list(select))
            .and_then(|()| super::row_json::rewrite(select)))
    }

    fn post_visit_select(&mut self, select: &mut Select) -> ControlFlow<TranslateError> {
        self.scopes.pop();
        super::keyword_aliases::quote(select);
        ControlFlow::Continue(())
    }

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<TranslateError> {
        if let Err(e) = super::derived_aliases::rewrite(factor) {
            return ControlFlow::Break(e);
        }
        brk(match rewrite_table_function(factor) {
            Ok(true) => Ok(()),
            Ok(false) => check_table_factor(factor),
            Err(e) => Err(e),
        })
    }
}
