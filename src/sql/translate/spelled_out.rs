//! Spellings PostgreSQL reads as something plainer, replaced by it right
//! after parsing, in one walk, so every later pass sees only the plain form:
//! `OPERATOR(pg_catalog.~)` (psql, pg_dump) as the built-in operator, and
//! a type name called like a function (`text(x)`, `int4(x)`,
//! `pg_catalog.float8(x)`) as the cast it is.

use super::ast::{plain_args, take, take_args};
use sqlparser::ast::{
    CastKind, DataType, Expr, Function, FunctionArguments, Ident, Select, SelectItem, Statement,
    VisitMut, VisitorMut,
};
use std::ops::ControlFlow;

/// The type names PostgreSQL takes in call syntax (type keywords such as
/// `integer` or `numeric` do not parse there). `date(x)` has its own
/// translation.
const CALLABLE_TYPES: &[&str] = &[
    "text", "int2", "int4", "int8", "float4", "float8", "bool", "uuid", "json", "jsonb", "bytea",
    "inet", "cidr", "macaddr",
];

pub(super) fn normalize(statement: &mut Statement) {
    let _ = statement.visit(&mut Normalize);
}

struct Normalize;

impl VisitorMut for Normalize {
    type Break = ();

    /// A result column written `text(a)` is named `text`, as PostgreSQL
    /// names a call; the cast it becomes would be named `a`.
    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
        for item in &mut select.projection {
            if let SelectItem::UnnamedExpr(e) = item {
                let name = match e {
                    Expr::Function(f) => callable_type(f),
                    _ => None,
                };
                if let Some(name) = name {
                    let expr = take(e);
                    *item = SelectItem::ExprWithAlias {
                        expr,
                        alias: Ident::new(name),
                    };
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn post_visit_expr(&mut self, e: &mut Expr) -> ControlFlow<()> {
        match e {
            Expr::BinaryOp { op, .. } => super::expr::plain_operator(op),
            Expr::Function(f) => {
                if let Some(data_type) = callable_type(f).and_then(data_type) {
                    let [arg]: [Expr; 1] = take_args(f)
                        .try_into()
                        .expect("one plain argument, as callable_type checked");
                    *e = Expr::Cast {
                        kind: CastKind::Cast,
                        expr: Box::new(arg),
                        data_type,
                        format: None,
                    };
                }
            }
            _ => {}
        }
        ControlFlow::Continue(())
    }
}

/// The type a call of one plain argument names (as [`CALLABLE_TYPES`]
/// spells it).
fn callable_type(f: &Function) -> Option<&'static str> {
    let name = match f.name.0.as_slice() {
        [n] => n.as_ident()?,
        [schema, n] if schema.as_ident()?.value.eq_ignore_ascii_case("pg_catalog") => {
            n.as_ident()?
        }
        _ => return None,
    };
    if name.quote_style.is_some() {
        return None;
    }
    let name = CALLABLE_TYPES
        .iter()
        .find(|t| name.value.eq_ignore_ascii_case(t))?;
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let plain = f.over.is_none()
        && f.filter.is_none()
        && f.null_treatment.is_none()
        && f.within_group.is_empty()
        && list.duplicate_treatment.is_none()
        && list.clauses.is_empty()
        && plain_args(f).is_some_and(|a| a.len() == 1);
    plain.then_some(name)
}

/// The type `x::name` reads.
fn data_type(name: &str) -> Option<DataType> {
    sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
        .try_with_sql(name)
        .and_then(|mut p| p.parse_data_type())
        .ok()
}
