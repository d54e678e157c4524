//! Range functions and operators where an operand is known to be a range
//! (`'[1,10)'::int4range`, `tstzrange(a, b)`, a WITH query's range column):
//! `lower` / `upper` (also text functions), `isempty` and the bound tests,
//! `@>`, `<@`, `&&` (also jsonb and array operators) become the range
//! functions of `backend::sqlite::pgfuncs::ranges`. A table's range column,
//! whose type the translation does not know, is read by the same
//! functions at run time: `lower(during)` in a select list, `during @> x`
//! (see `pg_json_contains`).

use sqlparser::ast::{BinaryOperator, Expr, ObjectNamePart, SelectItem};

use super::ast::{base, base_name, call, plain_args, template};
use super::column_dates::column_lookup;
use super::columns::expr_type;
use super::scopes::Scopes;
use crate::sql::pgtype::PgType;

fn is_range(e: &Expr) -> bool {
    matches!(expr_type(e), Some(PgType::Range(_)))
}

/// Runs before the operands are rewritten.
pub(super) fn rewrite(expr: &mut Expr) {
    match expr {
        Expr::BinaryOp { left, op, right }
            if matches!(
                op,
                BinaryOperator::AtArrow | BinaryOperator::ArrowAt | BinaryOperator::PGOverlap
            ) && (is_range(left) || is_range(right)) =>
        {
            let l = super::ast::take(left);
            let r = super::ast::take(right);
            *expr = match op {
                BinaryOperator::AtArrow => call("pg_range_contains", vec![l, r]),
                BinaryOperator::ArrowAt => call("pg_range_contains", vec![r, l]),
                _ => call("pg_range_overlaps", vec![l, r]),
            };
        }
        Expr::Function(f) => {
            // Checked before `base_name` allocates: most calls are others.
            let Some(ObjectNamePart::Identifier(last)) = f.name.0.last() else {
                return;
            };
            const NAMES: [&str; 7] = [
                "lower",
                "upper",
                "isempty",
                "lower_inc",
                "upper_inc",
                "lower_inf",
                "upper_inf",
            ];
            if !NAMES.iter().any(|n| last.value.eq_ignore_ascii_case(n)) {
                return;
            }
            let name = base(&f.name);
            // (isempty and the bound tests exist for ranges only.)
            let range_only = !matches!(name.as_ref(), "lower" | "upper");
            if matches!(plain_args(f).as_deref(), Some([arg]) if range_only || is_range(arg)) {
                f.name = super::ast::object_name(&format!("pg_range_{name}"));
            }
        }
        _ => {}
    }
}

/// `SELECT lower(during)` over a table's column of unknown type: the
/// bound's text when the column is a range, the text function otherwise
/// (decided once per statement; select lists only, so `WHERE
/// lower(email) = ...` keeps its expression index).
pub(super) fn projection(items: &mut [SelectItem], scopes: &Scopes) {
    for item in items {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else {
            continue;
        };
        // `lower(r)`, also under casts (`lower(r)::int`).
        let mut e = e;
        while let Expr::Cast { expr: inner, .. } | Expr::Nested(inner) = e {
            e = inner;
        }
        let Expr::Function(f) = e else { continue };
        let name = base_name(&f.name);
        if name != "lower" && name != "upper" {
            continue;
        }
        let Some(args) = plain_args(f) else { continue };
        let [column] = args.as_slice() else { continue };
        if expr_type(column).is_some() {
            continue;
        }
        let Some([tables, col]) = column_lookup(column, scopes) else {
            continue;
        };
        let column = (*column).clone();
        let original = e.clone();
        // `CASE <type> WHEN ...`, the form whose branch a remote tenant's
        // translation picks once the type is known (`libsql::portable`).
        let mut sql = String::from("CASE pg_column_type($1, $2)");
        for kind in crate::sql::textual::range::RangeKind::ALL {
            sql.push_str(&format!(" WHEN '{}' THEN $3", kind.name()));
        }
        sql.push_str(" ELSE $4 END");
        *e = template(
            &sql,
            [
                tables,
                col,
                call(&format!("pg_range_{name}_text"), vec![column]),
                original,
            ],
        );
    }
}
