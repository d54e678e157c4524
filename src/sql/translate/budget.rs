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

/// Expression nodes a statement's templates may copy: ordinary statements
/// copy a handful per use; this is a few megabytes of AST, and a bound on the work the copies then cost.
const MAX_COPIED: usize = 20_000;

thread_local! {
    static COPIED: Cell<usize> = const { Cell::new(0) };
}

/// Starts the count for a new statement.
pub(super) fn start() {
    COPIED.with(|c| c.set(0));
}

/// Charges a copy of `expr`; false (and no copy should be made) once the
/// statement is over budget.
pub(super) fn charge(expr: &Expr) -> bool {
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
/// then fails in [`check`], so the NULL never runs).
pub(super) fn copy(expr: &Expr) -> Expr {
    if charge(expr) {
        expr.clone()
    } else {
        Expr::value(sqlparser::ast::Value::Null)
    }
}

/// 54001 if the statement went over budget.
pub(super) fn check() -> Result<(), TranslateError> {
    if COPIED.with(Cell::get) > MAX_COPIED {
        return Err(other(
            "54001",
            "statement is too complex: its operators nest so that the translation \
             would copy more than 20000 expression nodes; compute the inner \
             values in a subquery or CTE",
        ));
    }
    Ok(())
}
