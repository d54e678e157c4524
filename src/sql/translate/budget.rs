//! Bounds the copies a translation makes of the statement's own expressions.
//!
//! Some PostgreSQL operations have no SQLite form that names an operand once
//! (`a # b` is `(a | b) - (a & b)`, `j ->> k` reads `j -> k` twice), so their
//! templates copy it. Nested or chained, each level doubles the one below:
//! forty levels of `->>` asked for 2^40 copies and the process ran out of
//! memory, and `x + (SELECT x + (SELECT ...))` (whose date-or-number
//! reading names the subquery in two branches) took minutes at fifteen
//! levels. Every copy beyond an operand's first is charged here; past the
//! budget the copies stop and the statement fails with 54001.
//!
//! Translation of one statement runs start to finish on one thread, so the
//! meter is a thread-local reset per statement rather than a parameter
//! threaded through every rewrite.

use super::error::other;
use super::TranslateError;
use sqlparser::ast::{visit_expressions, Expr};
use std::cell::Cell;
use std::ops::ControlFlow;

/// Expression nodes a statement's translation may copy: ordinary statements
/// copy a handful per use; this is a few megabytes of AST, and bounds the
/// work the copies then cost.
const MAX_COPIED: usize = 20_000;

thread_local! {
    static COPIED: Cell<usize> = const { Cell::new(0) };
}

/// Runs the translation of one statement on a fresh count; 54001 if it
/// went over budget.
pub(super) fn metered<T>(
    translate: impl FnOnce() -> Result<T, TranslateError>,
) -> Result<T, TranslateError> {
    COPIED.with(|c| c.set(0));
    let t = translate()?;
    check()?;
    Ok(t)
}

/// Charges a copy of `expr`; false (and no copy should be made) once the
/// statement is over budget.
fn charge(expr: &Expr) -> bool {
    let spent = COPIED.with(Cell::get);
    if spent > MAX_COPIED {
        return false;
    }
    let mut nodes = 0usize;
    let _ = visit_expressions(expr, |_| {
        nodes += 1;
        // Stop counting once the answer is known.
        if spent + nodes > MAX_COPIED {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    });
    COPIED.with(|c| c.set(spent + nodes));
    spent + nodes <= MAX_COPIED
}

/// A charged copy of `expr`, or NULL once the statement is over budget (it
/// then fails in [`metered`], so the NULL never runs).
pub(super) fn copy(expr: &Expr) -> Expr {
    if charge(expr) {
        expr.clone()
    } else {
        Expr::value(sqlparser::ast::Value::Null)
    }
}

fn check() -> Result<(), TranslateError> {
    if COPIED.with(Cell::get) > MAX_COPIED {
        return Err(other(
            "54001",
            format!(
                "statement is too complex: its operators nest so that the translation \
                 would copy more than {MAX_COPIED} expression nodes; compute the inner \
                 values in a subquery or CTE"
            ),
        ));
    }
    Ok(())
}
