//! `INSERT INTO t VALUES (1, 'a')` naming no columns, with fewer values than
//! the table has columns: PostgreSQL fills the remaining columns with their
//! defaults (the first columns take the values), SQLite refuses ("table t
//! has 3 columns but 2 values were supplied"). Translation does not know the
//! table, so a statement SQLite refused that way is written again here with
//! the first columns named, and SQLite fills the rest from their defaults.

use sqlparser::ast::{Ident, ObjectName, ObjectNamePart, Statement, TableObject};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

/// The columns and values SQLite counted, when `msg` says an INSERT without
/// a column list had fewer values than the table has columns.
pub(super) fn short_by(msg: &str) -> Option<(usize, usize)> {
    let (columns, values) = crate::sql::errors::unnamed_insert_counts(msg)?;
    (values < columns).then_some((columns, values))
}

/// `sql` with its INSERT's first `values` columns named, read from
/// `columns_of(table)`; `None` when it is not such an INSERT.
pub(super) fn name_columns(
    sql: &str,
    values: usize,
    columns_of: impl FnOnce(&str) -> Option<Vec<String>>,
) -> Option<String> {
    crate::sql::stack::with_room_for_text(sql, || {
        let mut statements = Parser::parse_sql(&SQLiteDialect {}, sql).ok()?;
        let [Statement::Insert(insert)] = statements.as_mut_slice() else {
            return None;
        };
        if !insert.columns.is_empty() {
            return None;
        }
        let TableObject::TableName(ObjectName(parts)) = &insert.table else {
            return None;
        };
        let table = match parts.last()? {
            ObjectNamePart::Identifier(id) => id.value.clone(),
            _ => return None,
        };
        let names = columns_of(&table)?;
        if names.len() < values {
            return None;
        }
        insert.columns = names
            .into_iter()
            .take(values)
            .map(|n| ObjectName(vec![ObjectNamePart::Identifier(Ident::with_quote('"', n))]))
            .collect();
        crate::sql::string_literals::seal(&mut statements);
        Some(statements[0].to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_counts_from_the_end() {
        assert_eq!(
            short_by("table t1 has 3 columns but 2 values were supplied"),
            Some((3, 2))
        );
        assert_eq!(
            short_by("table a has 9 b has 3 columns but 1 values were supplied"),
            Some((3, 1))
        );
        assert_eq!(
            short_by("table t has 2 columns but 3 values were supplied"),
            None
        );
        assert_eq!(short_by("no such table: t"), None);
    }

    #[test]
    fn names_the_first_columns() {
        let cols = |t: &str| {
            assert_eq!(t, "docs");
            Some(vec!["id".into(), "body".into(), "tsv".into()])
        };
        assert_eq!(
            name_columns("INSERT INTO docs VALUES (1, 'it''s'), (2, ?1)", 2, cols).as_deref(),
            Some(r#"INSERT INTO docs ("id", "body") VALUES (1, 'it''s'), (2, ?1)"#)
        );
        assert_eq!(
            name_columns("INSERT INTO docs (id) VALUES (1)", 1, |_| None),
            None
        );
    }
}
