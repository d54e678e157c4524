//! `pgtenant_single(x)`: the value of a scalar subquery's only row (NULL for
//! none). SQLite takes the first row of a scalar subquery silently; the
//! translator wraps scalar subqueries that may return several rows in this
//! aggregate (see `translate::scalar_subquery`) so the second row raises
//! PostgreSQL's 21000 instead.

use rusqlite::functions::{Aggregate, Context};
use rusqlite::types::Value;
use rusqlite::Connection;

use super::{error, pure};

pub(super) const MORE_THAN_ONE_ROW: &str =
    "more than one row returned by a subquery used as an expression";

struct Single;

impl Aggregate<Option<Value>, Value> for Single {
    fn init(&self, _: &mut Context<'_>) -> rusqlite::Result<Option<Value>> {
        Ok(None)
    }

    fn step(&self, ctx: &mut Context<'_>, seen: &mut Option<Value>) -> rusqlite::Result<()> {
        if seen.is_some() {
            return Err(error("21000", MORE_THAN_ONE_ROW));
        }
        *seen = Some(ctx.get::<Value>(0)?);
        Ok(())
    }

    fn finalize(
        &self,
        _: &mut Context<'_>,
        seen: Option<Option<Value>>,
    ) -> rusqlite::Result<Value> {
        Ok(seen.flatten().unwrap_or(Value::Null))
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_aggregate_function("pgtenant_single", 1, pure(), Single)
}

#[cfg(test)]
mod tests {
    fn db() -> rusqlite::Connection {
        let db = rusqlite::Connection::open_in_memory().unwrap();
        super::register(&db).unwrap();
        db
    }

    #[test]
    fn one_row_is_its_value_and_none_is_null() {
        let db = db();
        let v: Option<i64> = db
            .query_row(
                "SELECT pgtenant_single(column1) FROM (VALUES (7))",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(v, Some(7));
        let v: Option<i64> = db
            .query_row(
                "SELECT pgtenant_single(column1) FROM (VALUES (7)) WHERE 0",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(v, None);
    }

    #[test]
    fn a_second_row_is_21000() {
        let db = db();
        let err = db
            .query_row(
                "SELECT pgtenant_single(column1) FROM (VALUES (1), (2))",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_err();
        assert!(err.to_string().contains(super::MORE_THAN_ONE_ROW), "{err}");
    }
}
