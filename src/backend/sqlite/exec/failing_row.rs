//! The `Failing row contains (...)` DETAIL of a NOT NULL (23502) or CHECK
//! (23514) violation, worked out after the fact as `key_values` does for a
//! unique key: SQLite names the column or constraint, not the row. The
//! failed statement runs again (`rerun::last_row_seen`) with temporary
//! BEFORE triggers handing each new row (SQLite runs them before it checks
//! the constraints) to a function; the last row seen is the one that
//! failed. Only the error path pays.
//!
//! Values print as PostgreSQL's output functions print the columns'
//! declared types (`t`/`f`, a numeric with its scale, a timestamptz with
//! its offset), NULL as `null`, each cut at 64 bytes with `...` as
//! PostgreSQL's `ExecBuildSlotValueDescription` does.

use rusqlite::types::Value;
use rusqlite::Connection;

use crate::sql::quote_ident;

/// PostgreSQL's longest value text in the description, in bytes.
const MAX_FIELD: usize = 64;

/// The DETAIL for the row of `table` that made `sql` fail, or `None`
/// when the second run does not tell.
pub(super) fn explain(db: &Connection, sql: &str, params: &[Value], table: &str) -> Option<String> {
    let columns = columns(db, table)?;
    let values = rerun(db, sql, params, table, &columns)?;
    let decls: Vec<&str> = columns.iter().map(|c| c.decl.as_str()).collect();
    let texts = crate::backend::sqlite::pgfuncs::output_texts(&values, &decls).ok()?;
    let described: Vec<String> = texts
        .into_iter()
        .map(|t| t.map_or_else(|| "null".to_owned(), clipped))
        .collect();
    Some(format!("Failing row contains ({}).", described.join(", ")))
}

struct Column {
    name: String,
    decl: String,
    /// The table's rowid alias (a serial key).
    rowid: bool,
}

fn columns(db: &Connection, table: &str) -> Option<Vec<Column>> {
    let mut stmt = db
        .prepare_cached(
            "SELECT name, pg_decl(type, dflt_value), type, pk, \
             (SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0) \
             FROM pragma_table_info(?1) ORDER BY cid",
        )
        .ok()?;
    let columns: Vec<Column> = stmt
        .query_map([table], |r| {
            let declared: String = r.get(2)?;
            let (pk, keys): (i64, i64) = (r.get(3)?, r.get(4)?);
            Ok(Column {
                name: r.get(0)?,
                decl: r.get(1)?,
                rowid: pk == 1 && keys == 1 && declared.eq_ignore_ascii_case("INTEGER"),
            })
        })
        .ok()?
        .collect::<rusqlite::Result<_>>()
        .ok()?;
    (!columns.is_empty()).then_some(columns)
}

/// The failing row's values: the second run's last row reached.
fn rerun(
    db: &Connection,
    sql: &str,
    params: &[Value],
    table: &str,
    columns: &[Column],
) -> Option<Vec<Value>> {
    // Unqualified, as the statement named it: a TEMP table first.
    let target = quote_ident(table);
    // An AUTOINCREMENT key numbers past SQLite's counter of it too.
    let counted = crate::backend::sqlite::pgfuncs::sequences::has_serial_counters(db);
    let next_id = if counted.unwrap_or(false) {
        format!(
            "(SELECT max(coalesce((SELECT max(rowid) FROM {target}), 0), \
             coalesce((SELECT seq FROM main.sqlite_sequence WHERE name = {}), 0)) + 1)",
            crate::sql::quote_literal(table)
        )
    } else {
        format!("(SELECT coalesce(max(rowid), 0) + 1 FROM {target})")
    };
    let news = |insert: bool| -> Vec<String> {
        columns
            .iter()
            .map(|c| {
                let new = format!("NEW.{}", quote_ident(&c.name));
                // A BEFORE INSERT trigger sees -1 for a rowid SQLite has
                // yet to choose: the next one.
                if insert && c.rowid {
                    format!("CASE WHEN {new} = -1 THEN {next_id} ELSE {new} END")
                } else {
                    new
                }
            })
            .collect()
    };
    super::rerun::last_row_seen(db, sql, params, &target, &news(true), &news(false))
}

/// A value's text as the description shows it: at most [`MAX_FIELD`]
/// bytes (cut at a character boundary), then `...`.
fn clipped(text: String) -> String {
    if text.len() <= MAX_FIELD {
        return text;
    }
    let mut end = MAX_FIELD;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}...", &text[..end])
}

#[cfg(test)]
mod tests {
    use super::clipped;

    #[test]
    fn long_values_are_cut_as_postgres_cuts_them() {
        assert_eq!(clipped("abc".into()), "abc");
        let long = "x".repeat(70);
        assert_eq!(clipped(long), format!("{}...", "x".repeat(64)));
        let wide = "é".repeat(40);
        assert_eq!(clipped(wide), format!("{}...", "é".repeat(32)));
    }
}
