//! A view's PostgreSQL query, kept in its SQLite definition as a comment
//! (`CREATE VIEW v AS /* pgtenant view: ... #fingerprint */ SELECT ...`):
//! SQLite declares no type for a view's computed columns (`amount * 2`,
//! `id > 1`), so the executor and the catalog type them from this query
//! with the live schema; `pg_get_viewdef` (and so pg_dump) prints it.
//!
//! The fingerprint is a hash of the SQLite query after the comment. SQLite
//! rewrites that query when a table or column it reads is renamed, but not
//! the comment: a query whose fingerprint no longer matches is stale and
//! not read (its computed columns are text then, as for a view made before
//! the comment existed, or one whose comment has no fingerprint).

use super::pg_hash::hash_bytes;

const OPEN: &str = "/* pgtenant view: ";
const CLOSE: &str = " */ ";

/// The comment holding `query` (`%`, `#` and `*/` escaped so it cannot end
/// early nor hold a fingerprint mark), fingerprinting `sqlite_query`, the
/// text that follows it.
pub fn comment(query: &str, sqlite_query: &str) -> String {
    format!(
        "{OPEN}{} #{:08x}{CLOSE}",
        query
            .replace('%', "%25")
            .replace('#', "%23")
            .replace("*/", "%2A/"),
        hash_bytes(sqlite_query.as_bytes())
    )
}

/// The query a view's SQLite definition keeps, if any and still current.
pub fn read(create_sql: &str) -> Option<String> {
    let start = create_sql.find(OPEN)? + OPEN.len();
    let len = create_sql[start..].find(CLOSE)?;
    let mut kept = &create_sql[start..start + len];
    if let Some((query, mark)) = kept.rsplit_once(" #") {
        let sqlite_query = &create_sql[start + len + CLOSE.len()..];
        if u32::from_str_radix(mark, 16).ok()? != hash_bytes(sqlite_query.as_bytes()) {
            return None;
        }
        kept = query;
    }
    Some(
        kept.replace("%2A/", "*/")
            .replace("%23", "#")
            .replace("%25", "%"),
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn round_trips_a_query_with_comment_ends() {
        let q = "SELECT '*/ 100% #1' AS a, x #> '{a}' FROM t";
        let sql = format!("CREATE VIEW v AS {}SELECT 1", super::comment(q, "SELECT 1"));
        assert_eq!(super::read(&sql).as_deref(), Some(q));
        assert_eq!(super::read("CREATE VIEW v AS SELECT 1"), None);
    }

    #[test]
    fn a_renamed_query_is_stale() {
        let sql = format!(
            "CREATE VIEW v AS {}SELECT b FROM t2",
            super::comment("SELECT a FROM t", "SELECT a FROM t")
        );
        assert_eq!(super::read(&sql), None);
        // A comment from before fingerprints is read as it is.
        let old = "CREATE VIEW v AS /* pgtenant view: SELECT a FROM t */ SELECT a FROM t";
        assert_eq!(super::read(old).as_deref(), Some("SELECT a FROM t"));
    }
}
