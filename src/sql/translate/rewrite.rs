//! The AST pass that turns a (name-checked) PostgreSQL statement into one
//! SQLite accepts with the same meaning.

use super::column_dates::Scopes;
use super::expr::{rewrite_expr, rewrite_interval_arithmetic};
use super::query::{check_select, check_table_factor, rewrite_limits};
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

#[derive(Default)]
struct Rewriter {
    /// The FROM items in scope, for `column_dates`.
    scopes: Scopes,
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
        if let Err(e) = super::functions::extract_from_interval(expr) {
            return ControlFlow::Break(e);
        }
        super::column_dates::rewrite(expr, &self.scopes);
        super::column_text::rewrite(expr, &self.scopes);
        super::casts::rewrite_bool_text_cast(expr);
        super::catalog::rewrite_regclass_text_cast(expr);
        super::functions::json_builder_arguments(expr);
        super::typed_ops::rewrite(expr);
        brk(super::expr::check_array_subscript(expr)
            .and_then(|()| rewrite_interval_arithmetic(expr)))
    }

    fn post_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<TranslateError> {
        super::null_order::expr(expr);
        brk(rewrite_expr(expr))
    }

    fn post_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<TranslateError> {
        let replacement = match &value.value {
            // `$n` -> `?n`: same numbering, SQLite syntax.
            Value::Placeholder(p) => p
                .strip_prefix('$')
                .map(|n| Value::Placeholder(format!("?{n}"))),
            // Booleans are stored as 0/1.
            Value::Boolean(b) => Some(Value::Number(u8::from(*b).to_string(), false)),
            // E'..', $$..$$, N'..' are already unescaped; print as plain '..'.
            Value::EscapedStringLiteral(s) | Value::NationalStringLiteral(s) => {
                Some(Value::SingleQuotedString(s.clone()))
            }
            Value::DollarQuotedString(d) => Some(Value::SingleQuotedString(d.value.clone())),
            Value::UnicodeStringLiteral(_) => {
                return ControlFlow::Break(super::error::unsupported("U& string literals"))
            }
            _ => None,
        };
        if let Some(v) = replacement {
            value.value = v;
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<TranslateError> {
        if let Err(e) = super::grouping_sets::rewrite(query) {
            return ControlFlow::Break(e);
        }
        // ORDER BY is outside the SELECT but sees its FROM items.
        match query.body.as_ref() {
            SetExpr::Select(select) => self.scopes.push_select(select),
            _ => self.scopes.push_none(),
        }
        brk(super::lateral::rewrite(query).and_then(|()| super::distinct_on::rewrite(query)))
    }

    fn post_visit_query(&mut self, query: &mut Query) -> ControlFlow<TranslateError> {
        self.scopes.pop();
        super::null_order::query(query);
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
        brk(check_select(select)
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
