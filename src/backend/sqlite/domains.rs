//! The tenant's domains (`translate::domains`), read for a statement whose
//! columns name types the translator does not know.

use rusqlite::{Connection, OptionalExtension};

use crate::sql::translate::Domain;

/// The domains among `names` (a database without the table has none).
pub fn read(conn: &Connection, names: &[String]) -> rusqlite::Result<Vec<Domain>> {
    if !super::catalog::has_relation(conn, "pgcat__domain")? {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT name, base, not_null, default_expr, checks FROM main.pgcat__domain WHERE name = ?1",
    )?;
    let mut out = Vec::new();
    for name in names {
        let found = stmt
            .query_row([name], |r| {
                let checks: String = r.get(4)?;
                Ok(Domain {
                    name: r.get(0)?,
                    base: r.get(1)?,
                    not_null: r.get::<_, i64>(2)? != 0,
                    default: r.get(3)?,
                    checks: serde_json::from_str(&checks).unwrap_or_default(),
                })
            })
            .optional()?;
        out.extend(found);
    }
    Ok(out)
}

/// The domain whose CHECK constraint `name` is, if any: a column of a
/// domain carries the domain's checks under their names.
pub fn of_check(conn: &Connection, name: &str) -> Option<String> {
    conn.query_row(
        "SELECT d.name FROM main.pgcat__domain d, json_each(d.checks) c \
         WHERE json_extract(c.value, '$[0]') = ?1 LIMIT 1",
        [name],
        |r| r.get(0),
    )
    .ok()
}
