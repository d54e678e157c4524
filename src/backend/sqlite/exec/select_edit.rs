//! SQLite text re-printed after an edit of its SELECTs, for the markers the
//! executor spreads with the live schema (`join_star`, `populate`).

use sqlparser::ast::{Select, VisitMut, VisitorMut};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use std::ops::ControlFlow;

/// `sql` with `edit` applied to each of its SELECTs (it says whether it
/// changed one); `None` when none changed or the text does not parse.
pub(super) fn edit_selects(sql: &str, edit: impl FnMut(&mut Select) -> bool) -> Option<String> {
    crate::sql::stack::with_room_for_text(sql, || {
        let mut statements = Parser::parse_sql(&SQLiteDialect {}, sql).ok()?;
        struct Edit<F> {
            edit: F,
            changed: bool,
        }
        impl<F: FnMut(&mut Select) -> bool> VisitorMut for Edit<F> {
            type Break = ();
            fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
                self.changed |= (self.edit)(select);
                ControlFlow::Continue(())
            }
        }
        let mut visitor = Edit {
            edit,
            changed: false,
        };
        let _ = statements.visit(&mut visitor);
        visitor
            .changed
            .then(|| crate::sql::string_literals::sealed_text(&mut statements))
    })
}
