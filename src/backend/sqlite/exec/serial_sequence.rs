//! A serial key's sequence read as a relation: `SELECT last_value,
//! is_called FROM t_id_seq` (pg_dump reads every sequence so). A serial key
//! is SQLite's AUTOINCREMENT here, with no table behind its sequence, so a
//! statement SQLite refused with "no such table: t_id_seq" is written again
//! with that relation as a one-row derived table (the columns PostgreSQL's
//! sequence relation has), when the name is a serial key's sequence.
//! Translation does not know the schema; only such a refusal costs this.

use std::ops::ControlFlow;

use sqlparser::ast::{Ident, ObjectNamePart, TableAlias, TableFactor, VisitMut, VisitorMut};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

/// The relation SQLite found missing, when `msg` says one was.
pub(super) fn missing_relation(msg: &str) -> Option<&str> {
    let name = msg.strip_prefix("no such table: ")?;
    Some(name.strip_prefix("main.").unwrap_or(name))
}

/// `sql` with each reference to `sequence` read from the serial key's
/// counter; `None` when it does not parse or names it nowhere.
pub(super) fn read_as_relation(sql: &str, sequence: &str) -> Option<String> {
    crate::sql::stack::with_room_for_text(sql, || {
        let mut statements = Parser::parse_sql(&SQLiteDialect {}, sql).ok()?;
        let mut swap = Swap {
            sequence,
            swapped: false,
        };
        let _ = statements.visit(&mut swap);
        if !swap.swapped {
            return None;
        }
        Some(crate::sql::string_literals::sealed_text(&mut statements))
    })
}

struct Swap<'a> {
    sequence: &'a str,
    swapped: bool,
}

impl VisitorMut for Swap<'_> {
    type Break = ();

    fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
        let TableFactor::Table { name, alias, .. } = factor else {
            return ControlFlow::Continue(());
        };
        let Some(ObjectNamePart::Identifier(id)) = name.0.last() else {
            return ControlFlow::Continue(());
        };
        if !id.value.eq_ignore_ascii_case(self.sequence) {
            return ControlFlow::Continue(());
        }
        let literal = format!("'{}'", self.sequence.replace('\'', "''"));
        // (Typed by `Conn::table_columns`, which knows these columns.)
        let sql = format!(
            "SELECT CASE WHEN s.v > 0 THEN s.v ELSE 1 END AS last_value, 0 AS log_cnt, \
             s.v > 0 AS is_called FROM (SELECT pg_serial_last({literal}) AS v) AS s"
        );
        let Ok(query) = Parser::new(&SQLiteDialect {})
            .try_with_sql(&sql)
            .and_then(|mut p| p.parse_query())
        else {
            return ControlFlow::Continue(());
        };
        let alias = alias.take().unwrap_or_else(|| TableAlias {
            explicit: true,
            at: None,
            name: Ident::with_quote('"', self.sequence),
            columns: vec![],
        });
        *factor = TableFactor::Derived {
            lateral: false,
            subquery: query,
            alias: Some(alias),
            sample: None,
        };
        self.swapped = true;
        ControlFlow::Continue(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_the_missing_relation() {
        assert_eq!(
            missing_relation("no such table: t_id_seq"),
            Some("t_id_seq")
        );
        assert_eq!(
            missing_relation("no such table: main.t_id_seq"),
            Some("t_id_seq")
        );
        assert_eq!(missing_relation("no such column: x"), None);
    }

    #[test]
    fn reads_the_sequence_from_its_counter() {
        let sql =
            read_as_relation("SELECT last_value, is_called FROM t_id_seq", "t_id_seq").unwrap();
        assert!(sql.contains("pg_serial_last('t_id_seq')"), "{sql}");
        assert!(sql.ends_with("AS \"t_id_seq\""), "{sql}");
        assert_eq!(read_as_relation("SELECT 1 FROM other", "t_id_seq"), None);
    }
}
