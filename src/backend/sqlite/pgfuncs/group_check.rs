//! `pg_group_check(table, range, grouped, column)`: PostgreSQL's 42803 for
//! a column neither grouped nor aggregated, decided with the schema (see
//! `translate::group_check`). The column may stay ungrouped when the
//! grouped columns of its table (`grouped`, comma-separated) include the
//! table's whole primary key: PostgreSQL's functional dependence. `column`
//! `*` stands for every column of the table (`SELECT * ... GROUP BY id`).
//! Returns 1 (it is a WHERE term) or raises.

use rusqlite::Connection;

use super::{error, pure};

pub(super) const NOT_GROUPED: &str =
    "must appear in the GROUP BY clause or be used in an aggregate function";

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_group_check", 4, pure(), |ctx| {
        let table: String = ctx.get(0)?;
        let range: String = ctx.get(1)?;
        let grouped: String = ctx.get(2)?;
        let column: String = ctx.get(3)?;
        // SAFETY: a read of the schema during the call.
        let conn = unsafe { ctx.get_connection()? };
        let columns: Vec<(String, bool)> = conn
            .prepare_cached("SELECT name, pk > 0 FROM pragma_table_xinfo(?1) ORDER BY cid")?
            .query_map([&table], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<Result<_, _>>()?;
        let grouped: Vec<String> = grouped.split(',').map(str::to_lowercase).collect();
        let is_grouped = |c: &str| grouped.iter().any(|g| *g == c.to_lowercase());
        let keyed = columns.iter().any(|(_, pk)| *pk)
            && columns
                .iter()
                .filter(|(_, pk)| *pk)
                .all(|(c, _)| is_grouped(c));
        let offending = if keyed {
            None
        } else if column == "*" {
            columns
                .iter()
                .map(|(c, _)| c.clone())
                .find(|c| !is_grouped(c))
        } else {
            Some(column)
        };
        match offending {
            // A missing table fails the statement elsewhere.
            Some(c) if !columns.is_empty() => Err(error(
                "42803",
                format!("column \"{range}.{c}\" {NOT_GROUPED}"),
            )),
            _ => Ok(1),
        }
    })
}

#[cfg(test)]
mod tests {
    fn check(db: &rusqlite::Connection, args: &str) -> Result<i64, String> {
        db.query_row(&format!("SELECT pg_group_check({args})"), [], |r| r.get(0))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn grouped_primary_key_covers_the_other_columns() {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        super::register(&db).unwrap();
        db.execute_batch(
            "CREATE TABLE sales (id int PRIMARY KEY, region text, qty int);
             CREATE TABLE pairs (a int, b int, c int, PRIMARY KEY (a, b));
             CREATE TABLE heap (x int, y int)",
        )
        .unwrap();
        assert_eq!(check(&db, "'sales', 's', 'id', 'qty'"), Ok(1));
        assert_eq!(check(&db, "'sales', 'sales', 'id', '*'"), Ok(1));
        let e = check(&db, "'sales', 'sales', 'region', 'qty'").unwrap_err();
        assert!(e.contains("column \"sales.qty\" must appear"), "{e}");
        assert!(check(&db, "'pairs', 'pairs', 'a', 'c'").is_err());
        assert_eq!(check(&db, "'pairs', 'pairs', 'a,b', 'c'"), Ok(1));
        let e = check(&db, "'heap', 'h', 'x', '*'").unwrap_err();
        assert!(e.contains("\"h.y\""), "{e}");
    }
}
