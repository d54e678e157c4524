//! Runs the checks the translator adds (21000 for a scalar subquery with
//! several rows, 22003 for float8 overflow, 42803 for an ungrouped column)
//! on an in-memory SQLite, and shows they leave the common plans alone.

use super::translate;
use rusqlite::types::Value;
use rusqlite::Connection;

fn db() -> Connection {
    let db = Connection::open_in_memory().unwrap();
    crate::backend::sqlite::functions::register(&db).unwrap();
    crate::backend::sqlite::pgfuncs::register(&db).unwrap();
    db.execute_batch(
        "CREATE TABLE users (id int4 PRIMARY KEY, name text, team int4);
         CREATE INDEX users_team ON users (team);
         INSERT INTO users VALUES (1, 'ann', 1), (2, 'bob', 1), (3, 'cid', 2);",
    )
    .unwrap();
    db
}

fn sql(pg: &str) -> String {
    translate(pg).unwrap().remove(0).sql
}

/// The first column of the first row, or the error.
fn outcome(db: &Connection, pg: &str) -> Result<Value, String> {
    db.query_row(&sql(pg), [], |r| r.get::<_, Value>(0))
        .map_err(|e| e.to_string())
}

fn text(s: &str) -> Result<Value, String> {
    Ok(Value::Text(s.into()))
}

#[test]
fn scalar_subqueries_with_several_rows_fail() {
    let db = db();
    assert_eq!(
        outcome(&db, "SELECT (SELECT name FROM users WHERE id = 2)"),
        text("bob")
    );
    assert_eq!(
        outcome(&db, "SELECT (SELECT name FROM users WHERE id = 9)"),
        Ok(Value::Null)
    );
    for several in [
        "SELECT (SELECT name FROM users WHERE team = 1)",
        "SELECT (SELECT name FROM users UNION ALL SELECT 'x')",
        "SELECT (SELECT DISTINCT team FROM users)",
        "SELECT (SELECT team FROM users GROUP BY team)",
        "SELECT (SELECT name FROM users ORDER BY id LIMIT 2)",
    ] {
        let e = outcome(&db, several).unwrap_err();
        assert!(
            e.contains("more than one row returned by a subquery"),
            "{several}: {e}"
        );
    }
    // One row by construction: left as written.
    for one in [
        "SELECT (SELECT name FROM users ORDER BY id LIMIT 1)",
        "SELECT (SELECT count(*) FROM users)",
        "SELECT (SELECT max(name) FROM users WHERE team = 1)",
    ] {
        assert!(!sql(one).contains("pgtenant_single"), "{one}");
        assert!(outcome(&db, one).is_ok(), "{one}");
    }
    // ANY/ALL and IN take sets.
    let pg = "SELECT count(*) FROM users WHERE id = ANY (SELECT id FROM users) AND id IN (SELECT id FROM users)";
    assert!(!sql(pg).contains("pgtenant_single"), "{}", sql(pg));
    // Correlated, per row of the outer query.
    let rows: Vec<String> = db
        .prepare(&sql("SELECT u.name || ':' || (SELECT count(*) FROM users t WHERE t.team = u.team) FROM users u ORDER BY u.id"))
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(rows, ["ann:2", "bob:2", "cid:1"]);
}

#[test]
fn the_checked_lookup_still_uses_the_index() {
    let db = db();
    let plan: Vec<String> = db
        .prepare(&format!(
            "EXPLAIN QUERY PLAN {}",
            sql("SELECT (SELECT name FROM users WHERE team = 2)")
        ))
        .unwrap()
        .query_map([], |r| r.get(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter().any(|p| p.contains("USING INDEX users_team")),
        "{plan:?}"
    );
}

#[test]
fn float8_overflow_is_22003() {
    let db = db();
    let e = outcome(&db, "SELECT 1e300::float8 * 1e300::float8").unwrap_err();
    assert!(e.contains("value out of range: overflow"), "{e}");
    let e = outcome(&db, "SELECT (1e308::float8 + 1e308::float8) - 1").unwrap_err();
    assert!(e.contains("value out of range: overflow"), "{e}");
    assert_eq!(
        outcome(&db, "SELECT 'Infinity'::float8 * 2"),
        Ok(Value::Real(f64::INFINITY))
    );
    assert_eq!(outcome(&db, "SELECT 1.5::float8 * 2"), Ok(Value::Real(3.0)));
    let e = outcome(&db, "SELECT 1::float8 / 0").unwrap_err();
    assert!(e.contains("division by zero"), "{e}");
}

#[test]
fn ungrouped_columns_are_42803_unless_the_key_is_grouped() {
    let db = db();
    let e = outcome(&db, "SELECT team, name FROM users GROUP BY team").unwrap_err();
    assert!(
        e.contains("column \"users.name\" must appear in the GROUP BY clause"),
        "{e}"
    );
    let e = outcome(
        &db,
        "SELECT u.team FROM users u GROUP BY u.team ORDER BY u.name",
    )
    .unwrap_err();
    assert!(e.contains("\"u.name\""), "{e}");
    for ok in [
        "SELECT id, name FROM users GROUP BY id",
        "SELECT u.* FROM users u GROUP BY u.id",
        "SELECT team, count(*) FROM users GROUP BY team ORDER BY 2",
        "SELECT upper(name) AS n FROM users GROUP BY upper(name) ORDER BY n",
        "SELECT upper(u.\"name\") FROM users u GROUP BY upper(name)",
        "SELECT team % 2 AS parity, max(name) FROM users GROUP BY 1",
    ] {
        assert!(outcome(&db, ok).is_ok(), "{ok}: {:?}", outcome(&db, ok));
    }
    // Fully grouped queries get no check at all.
    assert!(!sql("SELECT team, count(*) FROM users GROUP BY team").contains("pg_group_check"));
    // The check runs even when no row qualifies.
    let e = outcome(
        &db,
        "SELECT team, name FROM users WHERE id > 100 GROUP BY team",
    )
    .unwrap_err();
    assert!(e.contains("must appear in the GROUP BY clause"), "{e}");
}

#[test]
fn catalog_queries_are_not_checked() {
    // PostgreSQL's catalogs have keys (`GROUP BY c.oid`); the views here do not.
    let pg = "SELECT c.oid, c.relname, count(a.attnum) FROM pg_class c \
              JOIN pg_attribute a ON a.attrelid = c.oid GROUP BY c.oid";
    assert!(!sql(pg).contains("pg_group_check"), "{}", sql(pg));
    let pg = "SELECT (SELECT n.nspname FROM pg_namespace n WHERE n.oid = 2200)";
    assert!(!sql(pg).contains("pgtenant_single"), "{}", sql(pg));
}
