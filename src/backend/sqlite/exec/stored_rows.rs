//! RETURNING of a write to a table whose BEFORE triggers change NEW.
//!
//! SQLite cannot change NEW: a PL/pgSQL trigger's assignments are written
//! back by an AFTER trigger (`translate::plpgsql`), and SQLite computes a
//! RETURNING row before the row's AFTER triggers run, so it shows the row
//! without the function's changes. Such tables also have triggers noting
//! each row a write stores (`pgtenant_stored_row`), in the order the write
//! stored them, which is the order of the RETURNING rows: those rows are
//! read again, by rowid, with the RETURNING list as a SELECT's.

use rusqlite::types::Value;
use rusqlite::Connection;
use sqlparser::ast::{SelectItem, Statement, TableFactor, TableObject};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

/// A write's RETURNING list as a SELECT of one stored row.
pub(crate) struct Reread {
    /// `SELECT <returning list> FROM <table> WHERE rowid = ?n`, `n` one
    /// past the write's own parameters (the list may use those).
    pub select: String,
    /// The rows the write stored in its table, in order.
    pub rowids: Vec<i64>,
}

/// The re-read for `sql` (SQLite's text of an INSERT or UPDATE with
/// RETURNING, taking `params` parameters) after it stored `stored`; `None`
/// when none of those rows is the written table's or the RETURNING list
/// reads other tables (`UPDATE ... FROM`).
pub(crate) fn plan(sql: &str, params: usize, stored: Vec<(String, i64)>) -> Option<Reread> {
    crate::sql::stack::with_room_for_text(sql, || {
        if stored.is_empty() {
            return None;
        }
        let mut statements = Parser::parse_sql(&SQLiteDialect {}, sql).ok()?;
        let (table, alias, returning) = match statements.pop()? {
            Statement::Insert(insert) => match insert.table {
                TableObject::TableName(name) => {
                    (name, insert.table_alias.map(|a| a.alias), insert.returning?)
                }
                _ => return None,
            },
            Statement::Update(update) if update.from.is_none() && update.table.joins.is_empty() => {
                match update.table.relation {
                    TableFactor::Table { name, alias, .. } => {
                        (name, alias.map(|a| a.name), update.returning?)
                    }
                    _ => return None,
                }
            }
            _ => return None,
        };
        let table_name = table.0.last()?.as_ident()?.value.clone();
        let rowids: Vec<i64> = stored
            .into_iter()
            .filter(|(t, _)| t.eq_ignore_ascii_case(&table_name))
            .map(|(_, rowid)| rowid)
            .collect();
        if rowids.is_empty() {
            return None;
        }
        let items: Vec<String> = returning.iter().map(SelectItem::to_string).collect();
        let (from, qualifier) = match alias {
            Some(a) => (format!("{table} AS {a}"), a.to_string()),
            None => (table.to_string(), table.to_string()),
        };
        Some(Reread {
            select: format!(
                "SELECT {} FROM {from} WHERE {qualifier}.rowid = ?{}",
                items.join(", "),
                params + 1
            ),
            rowids,
        })
    })
}

/// Each stored row through `row`, the write's `params` bound as it had
/// them, or `None` when the SELECT does not prepare or does not find every
/// row (the written rows then stand).
pub(crate) fn each<T>(
    db: &Connection,
    reread: &Reread,
    params: &[Value],
    columns: usize,
    mut row: impl FnMut(&rusqlite::Row<'_>) -> Option<T>,
) -> Option<Vec<T>> {
    let mut stmt = db.prepare(&reread.select).ok()?;
    if stmt.column_count() != columns || stmt.parameter_count() != params.len() + 1 {
        return None;
    }
    let mut out = Vec::with_capacity(reread.rowids.len());
    for rowid in &reread.rowids {
        for (i, v) in params.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, v).ok()?;
        }
        stmt.raw_bind_parameter(params.len() + 1, rowid).ok()?;
        let mut rows = stmt.raw_query();
        out.push(row(rows.next().ok()??)?);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(rows: &[(&str, i64)]) -> Vec<(String, i64)> {
        rows.iter().map(|(t, r)| (t.to_string(), *r)).collect()
    }

    #[test]
    fn the_returning_list_reads_the_written_tables_rows() {
        let r = plan(
            "INSERT INTO \"acct\" (\"email\") VALUES (?1) RETURNING \"id\", ?1 AS \"e\"",
            1,
            stored(&[("acct", 7), ("audit", 1), ("acct", 8)]),
        )
        .expect("a plan");
        assert_eq!(
            r.select,
            "SELECT \"id\", ?1 AS \"e\" FROM \"acct\" WHERE \"acct\".rowid = ?2"
        );
        assert_eq!(r.rowids, [7, 8]);
        let r = plan(
            "UPDATE acct AS a SET n = 1 RETURNING a.id",
            0,
            stored(&[("acct", 3)]),
        )
        .expect("a plan");
        assert_eq!(r.select, "SELECT a.id FROM acct AS a WHERE a.rowid = ?1");
    }

    #[test]
    fn other_writes_keep_their_rows() {
        let rows = stored(&[("acct", 1)]);
        // No row of the written table, no rows at all, another table read.
        assert!(plan("INSERT INTO t VALUES (1) RETURNING *", 0, rows.clone()).is_none());
        assert!(plan("INSERT INTO acct VALUES (1) RETURNING *", 0, Vec::new()).is_none());
        assert!(plan(
            "UPDATE acct SET n = o.n FROM o WHERE o.id = acct.id RETURNING o.n",
            0,
            rows
        )
        .is_none());
    }
}
