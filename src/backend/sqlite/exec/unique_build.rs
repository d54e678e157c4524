//! `CREATE UNIQUE INDEX` over rows that already repeat a key: PostgreSQL's
//! error names the index it could not build and the first key found twice
//! (`Key (code)=(a) is duplicated.`); SQLite's names only the columns.

use rusqlite::Connection;
use sqlparser::ast::Statement;
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;

use crate::sql::errors::SqlError;

/// The error for `sql` (SQLite's text, which failed with a unique
/// violation), if it creates a unique index.
pub(super) fn explain(db: &Connection, sql: &str) -> Option<SqlError> {
    crate::sql::stack::with_room_for_text(sql, || {
        if !sql.contains("UNIQUE INDEX") {
            return None;
        }
        let statements = Parser::parse_sql(&SQLiteDialect {}, sql).ok()?;
        let index = statements.iter().find_map(|s| match s {
            Statement::CreateIndex(i) if i.unique => Some(i),
            _ => None,
        })?;
        let name = index.name.as_ref()?.0.last()?.as_ident()?.value.clone();
        let table = index.table_name.0.last()?.as_ident()?.value.clone();
        let keys: Vec<String> = index
            .columns
            .iter()
            .map(|c| c.column.expr.to_string())
            .collect();
        // NULL keys never collide (in both engines).
        let mut filter: Vec<String> = keys.iter().map(|k| format!("({k}) IS NOT NULL")).collect();
        if let Some(p) = &index.predicate {
            filter.push(format!("({p})"));
        }
        let select = format!(
            "SELECT {} FROM {} WHERE {} GROUP BY {} HAVING count(*) > 1 LIMIT 1",
            keys.iter()
                .map(|k| format!("CAST(({k}) AS TEXT)"))
                .collect::<Vec<_>>()
                .join(", "),
            index.table_name,
            filter.join(" AND "),
            keys.join(", ")
        );
        let values: Vec<String> = db
            .query_row(&select, [], |r| {
                (0..keys.len())
                    .map(|i| r.get::<_, Option<String>>(i))
                    .map(|v| v.map(Option::unwrap_or_default))
                    .collect()
            })
            .ok()?;
        let names = super::super::index_def::parse(&index.to_string())?.key_names();
        let bare = crate::sql::translate::schemas::relation_parts(&table)
            .1
            .to_owned();
        Some(
            SqlError::new("23505", format!("could not create unique index \"{name}\""))
                .with_detail(format!(
                    "Key ({names})=({}) is duplicated.",
                    values.join(", ")
                ))
                .on(&bare, None, Some(&name)),
        )
    })
}
