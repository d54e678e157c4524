//! A view's PostgreSQL query, kept in its SQLite definition as a comment
//! (`CREATE VIEW v AS /* pgtenant view: ... */ SELECT ...`): SQLite
//! declares no type for a view's computed columns (`amount * 2`, `id > 1`),
//! and the executor types them from this query with the live schema, as it
//! types a statement's own computed columns. SQLite keeps the comment in
//! `sqlite_schema.sql`; a view made before it (or whose tables were renamed
//! since) has none that still parses, and its computed columns stay text.

const OPEN: &str = "/* pgtenant view: ";
const CLOSE: &str = " */ ";

/// The comment holding `query` (`%` and `*/` escaped so it cannot end early).
pub fn comment(query: &str) -> String {
    format!(
        "{OPEN}{}{CLOSE}",
        query.replace('%', "%25").replace("*/", "%2A/")
    )
}

/// The query a view's SQLite definition keeps, if any.
pub fn read(create_sql: &str) -> Option<String> {
    let start = create_sql.find(OPEN)? + OPEN.len();
    let len = create_sql[start..].find(CLOSE)?;
    Some(
        create_sql[start..start + len]
            .replace("%2A/", "*/")
            .replace("%25", "%"),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_a_query_with_comment_ends() {
        let q = "SELECT '*/ 100%' AS a, x FROM t";
        let sql = format!("CREATE VIEW v AS {}SELECT 1", super::comment(q));
        assert_eq!(super::read(&sql).as_deref(), Some(q));
        assert_eq!(super::read("CREATE VIEW v AS SELECT 1"), None);
    }
}
