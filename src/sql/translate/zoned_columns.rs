//! A timestamptz's calendar fields are those of the session's time zone:
//! `created_at::date`, `extract(hour from created_at)`, `to_char(...)` and
//! `date_trunc('day', created_at)` read the wall-clock time there. The
//! translation is shared by every session (and tenant), so the zone and,
//! for a column, whether it is a timestamptz at all are left to run time:
//! the value is wrapped in `pg_tz_local(x[, type])`, which shifts a stored
//! (UTC) timestamptz into the session's zone and leaves anything else as
//! it is. `date_trunc` gets the type as a third argument and shifts its
//! result back (see `functions::date_trunc`). Runs before the operands
//! are rewritten, while column references are still recognisable.

use sqlparser::ast::{
    DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, TimezoneInfo,
};

use super::ast::{base, base_name, call, plain_args, string, string_literal};
use super::column_dates::column_type_call;
use super::columns::expr_type;
use super::scopes::Scopes;
use crate::sql::pgtype::PgType;

pub(super) fn rewrite(expr: &mut Expr, scopes: &Scopes) {
    match expr {
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } if reads_calendar(data_type) => wrap(inner, scopes),
        Expr::Extract { field, expr: x, .. } if !is_instant_field(&field.to_string()) => {
            wrap(x, scopes)
        }
        Expr::Function(f) => {
            let name = base(&f.name);
            let Some(n) = plain_args(f).map(|a| a.len()) else {
                return;
            };
            let FunctionArguments::List(list) = &mut f.args else {
                return;
            };
            let args = &mut list.args;
            match (name.as_ref(), n) {
                ("date_part", 2) => {
                    let epoch = arg_mut(args, 0)
                        .and_then(|u| string_literal(u))
                        .is_some_and(is_instant_field);
                    if let (false, Some(x)) = (epoch, arg_mut(args, 1)) {
                        wrap(x, scopes)
                    }
                }
                ("to_char", 2) => {
                    // `TZ` in the template: the value's type goes along, so
                    // a timestamptz prints the session zone's abbreviation.
                    let tz = arg_mut(args, 1)
                        .and_then(|f| string_literal(f))
                        .is_some_and(|f| f.contains("TZ") || f.contains("tz"));
                    let ty = arg_mut(args, 0).and_then(|x| {
                        let ty = tz
                            .then(|| match expr_type(x) {
                                Some(PgType::Timestamptz) | None => zone_type(x, scopes),
                                // to_char(date) is to_char(timestamptz): its
                                // midnight in the session's zone.
                                Some(PgType::Date) => Some(string("timestamptz".to_owned())),
                                Some(_) => Some(string("timestamp".to_owned())),
                            })
                            .flatten();
                        wrap(x, scopes);
                        ty
                    });
                    if let Some(ty) = ty {
                        args.push(FunctionArg::Unnamed(FunctionArgExpr::Expr(ty)));
                    }
                }
                ("date_trunc", 2) => {
                    if let Some(ty) = arg_mut(args, 1).and_then(|x| zone_type(x, scopes)) {
                        args.push(FunctionArg::Unnamed(FunctionArgExpr::Expr(ty)));
                    }
                }
                _ => {}
            }
        }
        _ => {}
    }
}

/// Fields of the instant itself, not of its wall-clock reading.
fn is_instant_field(field: &str) -> bool {
    let f = field.to_ascii_lowercase();
    f == "epoch" || f.starts_with("timezone")
}

/// Casts that take a timestamptz's calendar day or clock.
fn reads_calendar(t: &DataType) -> bool {
    matches!(
        t,
        DataType::Date
            | DataType::Time(..)
            | DataType::Timestamp(_, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone)
    )
}

/// What tells, at run time, whether `x` is a timestamptz: the literal
/// type name when the translation knows it, a `pg_column_type` call for
/// a column; `None` when `x` cannot be one.
fn zone_type(x: &Expr, scopes: &Scopes) -> Option<Expr> {
    match expr_type(x) {
        Some(PgType::Timestamptz) => Some(string(PgType::Timestamptz.name())),
        Some(_) => None,
        None => column_type_call(x, scopes),
    }
}

fn wrap(x: &mut Expr, scopes: &Scopes) {
    // A timestamptz cast already reads it in the session's zone.
    if matches!(x, Expr::Function(f) if base_name(&f.name) == "pg_tz_local") {
        return;
    }
    match expr_type(x) {
        // The cast translation handles known timestamptz values itself.
        Some(PgType::Timestamptz) => {
            let inner = super::ast::take(x);
            *x = call("pg_tz_local", vec![inner]);
        }
        Some(_) => {}
        None => {
            if let Some(ty) = column_type_call(x, scopes) {
                let inner = super::ast::take(x);
                *x = call("pg_tz_local", vec![inner, ty]);
            }
        }
    }
}

fn arg_mut(args: &mut [FunctionArg], i: usize) -> Option<&mut Expr> {
    match args.get_mut(i)? {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
        _ => None,
    }
}
