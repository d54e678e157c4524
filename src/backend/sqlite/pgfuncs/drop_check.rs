//! `pg_drop_check(table, also_dropped...)`: PostgreSQL refuses to drop a
//! table that another table's foreign key references (2BP01) unless the
//! statement says CASCADE or drops the referencing table too. SQLite drops
//! it, and only fails later, per row, if the child has rows. A view that
//! reads the table refuses it too: SQLite would drop the table and keep a
//! view that no longer compiles, after which every ALTER TABLE of the
//! tenant fails ("error in view ...").

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_drop_check", -1, FunctionFlags::SQLITE_UTF8, |ctx| {
        let table: String = ctx.get(0)?;
        let dropped: Vec<String> = (1..ctx.len())
            .map(|i| ctx.get::<String>(i))
            .collect::<rusqlite::Result<_>>()?;
        // SAFETY: a read of the schema during the call.
        let conn = unsafe { ctx.get_connection()? };
        // Each referencing foreign key with its constraint name, as
        // pg_constraint names it.
        let mut stmt = conn.prepare_cached(
            "SELECT m.name, m.sql, f.id, group_concat(f.\"from\", '_') \
             FROM sqlite_schema m, pragma_foreign_key_list(m.name) f \
             WHERE m.type = 'table' AND f.\"table\" = ?1 COLLATE NOCASE \
             AND m.name <> ?1 COLLATE NOCASE GROUP BY m.name, f.id",
        )?;
        let referencing: Vec<(String, String)> = stmt
            .query_map([&table], |r| {
                let (child, sql): (String, String) = (r.get(0)?, r.get(1)?);
                let id = usize::try_from(r.get::<_, i64>(2)?).unwrap_or(0);
                let columns: String = r.get(3)?;
                let name = crate::sql::table_constraints::foreign_key_name(&child, &sql, id)
                    .unwrap_or_else(|| format!("{child}_{columns}_fkey"));
                Ok((child, name))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut dependents: Vec<String> = referencing
            .iter()
            .filter(|(t, _)| !dropped.iter().any(|d| d.eq_ignore_ascii_case(t)))
            .map(|(t, fk)| format!("constraint {fk} on table {t} depends on table {table}"))
            .collect();
        dependents.extend(
            dependent_views(&conn, &table)?
                .into_iter()
                .map(|v| format!("view {v} depends on table {table}")),
        );
        refuse_if_depended_on(&format!("table {table}"), dependents)
    })?;
    // pg_drop_type_check(type): DROP TYPE without CASCADE refuses a type
    // a column is declared with (SQLite would keep the column, declared
    // with a type name that no longer means anything).
    conn.create_scalar_function("pg_drop_type_check", 1, FunctionFlags::SQLITE_UTF8, |ctx| {
        let type_name: String = ctx.get(0)?;
        // SAFETY: a read of the schema during the call.
        let conn = unsafe { ctx.get_connection()? };
        let mut stmt = conn.prepare_cached(
            "SELECT m.name, p.name FROM main.sqlite_schema m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'pgcat\\_%' ESCAPE '\\' \
             AND (p.type = ?1 COLLATE NOCASE OR p.type = ?1 || '[]' COLLATE NOCASE)",
        )?;
        let dependents: Vec<String> = stmt
            .query_map([&type_name], |r| {
                Ok(format!(
                    "column {} of table {} depends on type {type_name}",
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(0)?
                ))
            })?
            .collect::<rusqlite::Result<_>>()?;
        refuse_if_depended_on(&format!("type {type_name}"), dependents)
    })
}

/// PostgreSQL's 2BP01 for a DROP without CASCADE of `what` (`table t`)
/// that `dependents` (one DETAIL line each) depend on.
fn refuse_if_depended_on(
    what: &str,
    dependents: Vec<String>,
) -> rusqlite::Result<rusqlite::types::Value> {
    if dependents.is_empty() {
        return Ok(rusqlite::types::Value::Null);
    }
    let e = crate::sql::errors::SqlError::new(
        "2BP01",
        format!("cannot drop {what} because other objects depend on it"),
    )
    .with_detail(dependents.join("\n"))
    .with_hint("Use DROP ... CASCADE to drop the dependent objects too.");
    Err(rusqlite::Error::UserFunctionError(Box::new(
        crate::sql::errors::Carried(e),
    )))
}

/// The views whose definitions read `table`.
pub fn dependent_views(conn: &Connection, table: &str) -> rusqlite::Result<Vec<String>> {
    use sqlparser::ast::visit_relations;
    use std::ops::ControlFlow;
    let mut stmt =
        conn.prepare_cached("SELECT name, sql FROM main.sqlite_schema WHERE type = 'view'")?;
    let views: Vec<(String, String)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(views
        .into_iter()
        .filter(|(_, sql)| {
            let Ok(statements) =
                sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, sql)
            else {
                return false;
            };
            visit_relations(&statements, |name| {
                let reads = name
                    .0
                    .last()
                    .and_then(|part| part.as_ident())
                    .is_some_and(|id| id.value.eq_ignore_ascii_case(table));
                if reads {
                    ControlFlow::Break(())
                } else {
                    ControlFlow::Continue(())
                }
            })
            .is_break()
        })
        .map(|(name, _)| name)
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn views_reading_a_table_depend_on_it() {
        let c = Connection::open_in_memory().unwrap();
        c.execute_batch(
            "CREATE TABLE posts (id INTEGER, title TEXT); CREATE TABLE tags (id INTEGER);
             CREATE VIEW published AS SELECT id, title FROM posts WHERE id > 0;
             CREATE VIEW joined AS SELECT t.id FROM tags t JOIN (SELECT id FROM \"POSTS\") p USING (id);
             CREATE VIEW other AS SELECT id AS posts FROM tags;",
        )
        .unwrap();
        let mut views = dependent_views(&c, "posts").unwrap();
        views.sort();
        assert_eq!(views, ["joined", "published"]);
        assert_eq!(dependent_views(&c, "tags").unwrap().len(), 2);
        assert!(dependent_views(&c, "nothing").unwrap().is_empty());
    }
}
