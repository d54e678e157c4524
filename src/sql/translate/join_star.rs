//! `SELECT *` over joins with USING or NATURAL. PostgreSQL lists each
//! join's merged columns first, then the left side's other columns, then
//! the right side's; SQLite keeps the left side's order and drops the
//! right side's copies. Which columns the tables have only the live schema
//! knows, so `*` becomes the marker `pg_join_star()`, which the executor
//! spreads into the columns in PostgreSQL's order before preparing
//! (`backend::sqlite::exec::join_star`), or back into `*` where it cannot.

use super::ast::{base_name, call};
use sqlparser::ast::{
    JoinConstraint, JoinOperator, Select, SelectItem, TableFactor, TableWithJoins,
};

pub(super) const MARKER: &str = "pg_join_star";

/// Replaces the `*` of a select over USING/NATURAL joins of plain tables
/// (none of them named like a WITH query `ctes` holds) by the marker.
pub(super) fn mark(select: &mut Select, ctes: &[&str]) {
    if !spreads(&select.from, |t| ctes.contains(&t)) {
        return;
    }
    for item in &mut select.projection {
        if let SelectItem::Wildcard(options) = item {
            if options.opt_exclude.is_none()
                && options.opt_except.is_none()
                && options.opt_rename.is_none()
                && options.opt_replace.is_none()
            {
                *item = SelectItem::UnnamedExpr(call(MARKER, vec![]));
            }
        }
    }
}

/// Whether `*` over `from` is spread by the executor: one FROM item whose
/// joins merge columns, over tables only (`is_cte` tells a WITH query's
/// name, which the executor could not look up).
pub(super) fn spreads(from: &[TableWithJoins], is_cte: impl Fn(&str) -> bool) -> bool {
    let [TableWithJoins { relation, joins }] = from else {
        return false;
    };
    let merges = joins.iter().any(|j| {
        matches!(
            constraint(&j.join_operator),
            Some(JoinConstraint::Using(_) | JoinConstraint::Natural)
        )
    });
    let plain = |f: &TableFactor| match f {
        TableFactor::Table {
            name, args: None, ..
        } => !is_cte(&base_name(name)),
        _ => false,
    };
    merges && plain(relation) && joins.iter().all(|j| plain(&j.relation))
}

/// The join's constraint, for the joins that merge columns.
pub(crate) fn constraint(op: &JoinOperator) -> Option<&JoinConstraint> {
    match op {
        JoinOperator::Join(c)
        | JoinOperator::Inner(c)
        | JoinOperator::Left(c)
        | JoinOperator::LeftOuter(c)
        | JoinOperator::Right(c)
        | JoinOperator::RightOuter(c)
        | JoinOperator::FullOuter(c) => Some(c),
        _ => None,
    }
}
