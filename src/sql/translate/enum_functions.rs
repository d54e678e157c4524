//! `enum_first`, `enum_last` and `enum_range` of an enum type: its labels
//! in declaration order (`pg_enum_first`, `pg_enum_last`, `pg_enum_range`,
//! in `backend::sqlite::pgfuncs::enum_labels`). The type comes from an
//! argument's cast (`enum_range(null::mood)`), so the call is renamed, with
//! the type's name as its first argument, before the cast is rewritten to
//! a label's text; or from a column's declaration, read when the statement
//! runs (`enum_range(prio)`: `pg_column_decl`).

use sqlparser::ast::{CastKind, Expr};

use super::ast::{base, call, plain_args, string};
use super::column_dates::column_lookup;
use super::enums::user_type;
use super::error::other;
use super::scopes::Scopes;
use super::TranslateError;

/// Renames a call of one of the functions.
pub(super) fn rewrite(expr: &mut Expr, scopes: &Scopes) -> Result<(), TranslateError> {
    let Expr::Function(func) = expr else {
        return Ok(());
    };
    let name = base(&func.name);
    let single = match name.as_ref() {
        "enum_first" | "enum_last" => true,
        "enum_range" => false,
        _ => return Ok(()),
    };
    let Some(args) = plain_args(func) else {
        return Ok(());
    };
    let arity_ok = match args.len() {
        1 => true,
        2 => !single,
        _ => false,
    };
    if !arity_ok {
        return Err(other(
            "42883",
            format!(
                "function {name} with {} arguments does not exist",
                args.len()
            ),
        ));
    }
    let type_name = match args.iter().find_map(|a| enum_type(a)) {
        Some(name) => string(name),
        None => match args.iter().find_map(|a| column_lookup(a, scopes)) {
            Some(lookup) => call("pg_column_decl", lookup.into()),
            None => return Err(other("42804", "could not determine actual enum type")),
        },
    };
    // One argument only names the type: its value does not matter.
    let mut new_args = vec![type_name];
    if args.len() == 2 {
        new_args.extend(args.into_iter().cloned());
    }
    *expr = call(&format!("pg_{name}"), new_args);
    Ok(())
}

/// The enum type an argument is a cast to (`null::mood`, `'ok'::mood`).
fn enum_type(arg: &Expr) -> Option<String> {
    match arg {
        Expr::Cast {
            kind: CastKind::Cast | CastKind::DoubleColon,
            data_type,
            ..
        } => user_type(data_type),
        Expr::Nested(inner) => enum_type(inner),
        _ => None,
    }
}
