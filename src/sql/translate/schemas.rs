//! Schemas a tenant makes (`CREATE SCHEMA cd`), as PGExercises' `cd.members`
//! or an application's `billing.invoices` use them.
//!
//! A schema is a row of `main.pgcat__schema`; its objects are SQLite objects
//! of the tenant's one file whose name carries the schema: `cd.members` is
//! the table `"cd<US>members"`, [`SEPARATOR`] between the two (a dot would
//! be ambiguous: PGExercises names an index `"bookings.memid_facid"`). One
//! quoted identifier never reaches SQLite's own schemas or another file, so
//! a tenant stays inside its database. Messages show the separator as a dot
//! ([`readable`]). DROP SCHEMA needs the schema's objects
//! listed, which the session does (`StmtKind::DropSchema`).

use std::cell::RefCell;
use std::collections::HashSet;

use super::error::other;
use super::names::is_user_schema;
use super::TranslateError;
use crate::sql::quote_literal;

/// Between a user schema's name and an object's in the object's SQLite
/// name: ASCII unit separator, which no PostgreSQL client puts in a name.
pub const SEPARATOR: char = '\u{1f}';

/// The SQLite name of `name` in the user schema `schema`.
pub fn qualified(schema: &str, name: &str) -> String {
    format!("{schema}{SEPARATOR}{name}")
}

/// `text` (an SQLite message or name) with user schemas' objects written
/// as PostgreSQL writes them: `cd.members`.
pub fn readable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains(SEPARATOR) {
        std::borrow::Cow::Owned(text.replace(SEPARATOR, "."))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// The schema registry, made when a database opens. A schema's OID is
/// [`OID_BASE`] + its rowid.
pub const SCHEMA_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS main.pgcat__schema (name TEXT PRIMARY KEY)";

/// Where user schemas' OIDs start (PostgreSQL's fixed ones are far below).
pub const OID_BASE: i64 = 9_000_000;

/// What `SELECT ... FROM main.pgcat__schema` tests for schema `name`.
fn exists(name: &str) -> String {
    format!(
        "SELECT 1 FROM main.pgcat__schema WHERE name = {}",
        quote_literal(name)
    )
}

/// The SQLite statements of `CREATE SCHEMA [IF NOT EXISTS] name`.
pub(super) fn create(name: &str, if_not_exists: bool) -> Result<Vec<String>, TranslateError> {
    let taken = || other("42P06", format!("schema \"{name}\" already exists"));
    // Two statements, so they run as a batch and the notice's SELECT
    // returns no row (the second raises nothing); neither touches the
    // schema table, which a remote tenant (restoring a pg_dump's `CREATE
    // SCHEMA IF NOT EXISTS public`) does not have, and a remote tenant,
    // which has no notices, leaves both out.
    let skipping = || {
        let notice = format!(
            "SELECT pg_raise_notice('notice', '00000', {})",
            quote_literal(&format!("schema \"{name}\" already exists, skipping"))
        );
        vec![notice.clone(), format!("{notice} WHERE 0")]
    };
    if matches!(
        name,
        "public" | "pg_catalog" | "information_schema" | "pgtenant"
    ) {
        return if if_not_exists {
            Ok(skipping())
        } else {
            Err(taken())
        };
    }
    if !is_user_schema(name) {
        return Err(other(
            "42939",
            format!("unacceptable schema name \"{name}\""),
        ));
    }
    if name.contains(SEPARATOR) {
        return Err(other(
            "42602",
            format!("invalid schema name \"{}\"", readable(name)),
        ));
    }
    let n = quote_literal(name);
    let check = if if_not_exists {
        format!(
            "SELECT pg_raise_notice('notice', '00000', {}) WHERE EXISTS ({})",
            quote_literal(&format!("schema \"{name}\" already exists, skipping")),
            exists(name)
        )
    } else {
        format!(
            "SELECT pg_raise('42P06', {}) WHERE EXISTS ({})",
            quote_literal(&format!("schema \"{name}\" already exists")),
            exists(name)
        )
    };
    Ok(vec![
        SCHEMA_TABLE.to_owned(),
        check,
        format!("INSERT OR IGNORE INTO main.pgcat__schema (name) VALUES ({n})"),
    ])
}

/// The statement that refuses to make `object` (an SQLite name) in a user
/// schema that does not exist: PostgreSQL's 3F000. `None` for an object of
/// `public`.
pub(super) fn require_schema_of(object: &str) -> Option<String> {
    let (schema, _) = split(object)?;
    Some(require_schema(schema))
}

/// The SQLite name of a relation written as `parts` (folded), for the
/// statements read outside the AST's relation visits (COMMENT ON, GRANT,
/// OWNER TO): `t` (through the search path), `public.t`, a user schema's
/// `s.t`; another qualifier is 3F000.
pub(super) fn relation_from_parts(parts: &[String]) -> Result<String, TranslateError> {
    match parts {
        [n] => Ok(resolve_unqualified(n).unwrap_or_else(|| n.clone())),
        [s, n] if s == "public" => Ok(n.clone()),
        [s, n] if is_user_schema(s) => Ok(qualified(s, n)),
        [s, _] => Err(super::error::no_schema(s)),
        _ => Err(other(
            "0A000",
            format!(
                "cross-database references are not implemented: {}",
                parts.join(".")
            ),
        )),
    }
}

/// Functions live in `public` only (SQLite's function names are one flat
/// space): `CREATE FUNCTION cd.f` is refused rather than made as `f`.
pub(super) fn function_in_public(name: &sqlparser::ast::ObjectName) -> Result<(), TranslateError> {
    match super::ast::name_parts(name).as_slice() {
        [_] => Ok(()),
        [s, _] if s == "public" || s == "pg_catalog" => Ok(()),
        [s, _] if is_user_schema(s) => Err(other(
            "0A000",
            format!("functions outside the public schema are not supported: {name}"),
        )),
        [s, _] => Err(super::error::no_schema(s)),
        _ => Err(other("0A000", format!("the function name {name}"))),
    }
}

/// The statement that raises 3F000 unless the user schema `name` exists.
pub fn require_schema(name: &str) -> String {
    format!(
        "SELECT pg_raise('3F000', {}) WHERE NOT EXISTS ({})",
        quote_literal(&format!("schema \"{name}\" does not exist")),
        exists(name)
    )
}

/// The user schema and the name within it of an SQLite object name, if it
/// is in one (`cd.members` -> `cd`, `members`).
pub fn split(object: &str) -> Option<(&str, &str)> {
    object.split_once(SEPARATOR)
}

/// `name` (unqualified, folded) as the object of `table`'s schema: an
/// index, or a table's new name, stays in the schema of its table.
pub(super) fn keep_in_schema_of(table: &str, name: &mut sqlparser::ast::ObjectName) {
    let bare = super::ast::base_name(name);
    if let (Some((schema, _)), None) = (split(table), split(&bare)) {
        *name = sqlparser::ast::ObjectName::from(vec![sqlparser::ast::Ident::with_quote(
            '"',
            qualified(schema, &bare),
        )]);
    }
}

/// The schema and the name within it of an SQLite object name: `public`
/// for one outside any user schema.
pub fn relation_parts(object: &str) -> (&str, &str) {
    split(object).unwrap_or(("public", object))
}

/// An SQLite object name as PostgreSQL prints a relation qualified where
/// it is not in `public` (regclass output, REFERENCES in a definition):
/// `cd.members`, `"Mixed"`.
pub fn display_name(object: &str) -> String {
    use crate::sql::pg_ident::quote_ident;
    match split(object) {
        Some((schema, name)) => format!("{}.{}", quote_ident(schema), quote_ident(name)),
        None => quote_ident(object),
    }
}

/// `DROP SCHEMA` of `names`, before the session lists their objects:
/// refuses what PostgreSQL refuses without looking at the database.
pub(super) fn check_drop(names: &[String]) -> Result<(), TranslateError> {
    for name in names {
        match name.as_str() {
            "pg_catalog" | "information_schema" => {
                return Err(other(
                    "2BP01",
                    format!(
                        "cannot drop schema {name} because it is required by the database system"
                    ),
                ))
            }
            "pgtenant" => {
                return Err(other("42501", "must be owner of schema pgtenant"));
            }
            "public" => return Err(other(
                "0A000",
                "DROP SCHEMA public is not supported: the public schema holds the tenant's tables",
            )),
            _ => {}
        }
    }
    Ok(())
}

/// The PostgreSQL statements that drop a schema's `objects` (`(kind,
/// SQLite name)`, kind `table` or `view`), run before its row goes: views
/// first, then tables, both with CASCADE (the schema goes as a whole).
pub fn drop_objects_sql(objects: &[(String, String)]) -> String {
    let names = |kind: &str| {
        objects
            .iter()
            .filter(|(k, _)| k == kind)
            .filter_map(|(_, n)| split(n))
            .map(|(s, n)| {
                format!(
                    "{}.{}",
                    crate::sql::quote_ident(s),
                    crate::sql::quote_ident(n)
                )
            })
            .collect::<Vec<_>>()
    };
    let mut sql = String::new();
    for (kind, keyword) in [
        ("view", "VIEW"),
        ("table", "TABLE"),
        ("sequence", "SEQUENCE"),
    ] {
        let names = names(kind);
        if !names.is_empty() {
            sql.push_str(&format!(
                "DROP {keyword} IF EXISTS {} CASCADE;",
                names.join(", ")
            ));
        }
    }
    sql
}

/// The statement that forgets schema `name` once its objects are gone.
pub fn forget_sql(name: &str) -> String {
    format!(
        "DELETE FROM main.pgcat__schema WHERE name = {}",
        quote_literal(name)
    )
}

/// What lists the objects of schema `name`: `(type, name)` rows.
pub fn objects_query(name: &str) -> String {
    let prefix = qualified(name, "");
    format!(
        "SELECT CASE WHEN type = 'table' AND sql LIKE '%(last_value BIGINT NOT NULL, \
         log_cnt BIGINT NOT NULL DEFAULT 0, is_called BOOLEAN%' THEN 'sequence' ELSE type END, \
         name FROM main.sqlite_schema WHERE type IN ('table', 'view') \
         AND substr(name, 1, {}) = {} ORDER BY rowid",
        prefix.chars().count(),
        quote_literal(&prefix)
    )
}

/// Whether schema `name` exists: the query returns a row.
pub fn exists_query(name: &str) -> String {
    exists(name)
}

/// A session's `search_path` naming a user schema, as translation reads
/// it: the schemas that exist, in order, and the tenant's relation names.
/// An unqualified name is the first schema's that has it; one no schema
/// has is the first schema's (where CREATE puts it).
#[derive(Debug, Default)]
pub struct SearchPath {
    /// Existing schemas of the path, `public` among them where it is.
    pub order: Vec<String>,
    /// Lower-cased SQLite names of the tenant's tables, views and sequences.
    pub names: HashSet<String>,
}

impl SearchPath {
    /// The SQLite name an unqualified relation name means, when it is in a
    /// user schema; `None` for `public`.
    fn resolve(&self, name: &str) -> Option<String> {
        let lower = name.to_lowercase();
        for schema in &self.order {
            if schema == "public" {
                if self.names.contains(&lower) {
                    return None;
                }
            } else if self.names.contains(&qualified(schema, &lower)) {
                return Some(qualified(schema, name));
            }
        }
        match self.order.first() {
            Some(schema) if schema != "public" => Some(qualified(schema, name)),
            _ => None,
        }
    }
}

/// The user schemas a `search_path` value names (`cd, public`,
/// `"Sales"`), in order, with `public` kept; `None` when it names none
/// (the default, `"$user", public`), so translation stays the shared one.
pub fn search_path_schemas(value: &str) -> Option<Vec<String>> {
    // Every statement of a session asks: the default path answers without
    // allocating.
    let plain = |s: &str| {
        let s = s.trim();
        match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
            Some(quoted) => matches!(quoted, "public" | "$user" | "pg_catalog" | "pg_temp"),
            None => {
                s.is_empty()
                    || s == "$user"
                    || ["public", "pg_catalog", "pg_temp"]
                        .iter()
                        .any(|p| s.eq_ignore_ascii_case(p))
            }
        }
    };
    if value.split(',').all(plain) {
        return None;
    }
    let schemas: Vec<String> = value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\"\"", "\""),
                None => s.to_lowercase(),
            },
        )
        .filter(|s| s == "public" || (is_user_schema(s) && s != "$user"))
        .collect();
    schemas.iter().any(|s| s != "public").then_some(schemas)
}

thread_local! {
    /// The search path of the translation running on this thread.
    static SEARCH_PATH: RefCell<Option<SearchPath>> = const { RefCell::new(None) };
}

/// Runs `f` (a translation) with unqualified relation names read through
/// `path`. Such a translation depends on the session and its schema, so
/// it is not one to cache by text.
pub fn with_search_path<T>(path: SearchPath, f: impl FnOnce() -> T) -> T {
    SEARCH_PATH.with(|p| *p.borrow_mut() = Some(path));
    let r = f();
    SEARCH_PATH.with(|p| *p.borrow_mut() = None);
    r
}

/// The schemas of the running translation's search path that exist, in
/// order (`["public"]` without one): what `current_schemas(false)` lists.
pub(super) fn current_schemas() -> Vec<String> {
    SEARCH_PATH.with(|p| match p.borrow().as_ref() {
        Some(path) if !path.order.is_empty() => path.order.clone(),
        _ => vec!["public".to_owned()],
    })
}

/// A relation name given as text (`nextval('items_id_seq')`,
/// `pg_get_serial_sequence('items', 'id')`) as the running translation's
/// search path reads it, schema-qualified (`app.items_id_seq`), when it is
/// unqualified and stands for a user schema's; `None` otherwise.
pub(super) fn path_literal(text: &str) -> Option<String> {
    use crate::sql::pg_ident::{parse_qualified, quote_ident};
    let parts = parse_qualified(text);
    let [name] = parts.as_slice() else {
        return None;
    };
    let resolved = resolve_unqualified(name)?;
    let (schema, name) = split(&resolved)?;
    Some(format!("{}.{}", quote_ident(schema), quote_ident(name)))
}

/// The SQLite name an unqualified relation name stands for under the
/// running translation's search path, if it is in a user schema. A name
/// already carrying its schema (`cd.members`) stays as it is.
pub(super) fn resolve_unqualified(name: &str) -> Option<String> {
    if name.contains(SEPARATOR) {
        return None;
    }
    SEARCH_PATH.with(|p| p.borrow().as_ref().and_then(|p| p.resolve(name)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_names_are_refused() {
        assert_eq!(create("pg_x", false).unwrap_err().code, "42939");
        assert_eq!(create("public", false).unwrap_err().code, "42P06");
        assert!(create("public", true).unwrap()[0].contains("skipping"));
        assert!(create("a.b", false).is_ok());
        assert_eq!(
            create(&qualified("a", "b"), false).unwrap_err().code,
            "42602"
        );
        assert_eq!(
            check_drop(&["pg_catalog".into()]).unwrap_err().code,
            "2BP01"
        );
    }

    #[test]
    fn search_path_resolution() {
        assert_eq!(search_path_schemas("\"$user\", public"), None);
        assert_eq!(search_path_schemas("pg_catalog, \"public\""), None);
        assert_eq!(
            search_path_schemas("\"Public\""),
            Some(vec!["Public".to_owned()])
        );
        assert_eq!(
            search_path_schemas("cd, public"),
            Some(vec!["cd".to_owned(), "public".to_owned()])
        );
        let path = SearchPath {
            order: vec!["public".into(), "cd".into()],
            names: [
                "t".to_owned(),
                qualified("cd", "members"),
                qualified("cd", "t"),
            ]
            .into_iter()
            .collect(),
        };
        assert_eq!(path.resolve("t"), None);
        assert_eq!(path.resolve("members"), Some(qualified("cd", "members")));
        assert_eq!(path.resolve("new"), None);
        let path = SearchPath {
            order: vec!["cd".into()],
            names: path.names,
        };
        assert_eq!(path.resolve("t"), Some(qualified("cd", "t")));
        assert_eq!(path.resolve("new"), Some(qualified("cd", "new")));
    }

    #[test]
    fn objects_of_a_schema() {
        assert_eq!(require_schema_of("members"), None);
        assert_eq!(require_schema_of("bookings.memid_facid"), None);
        assert!(require_schema_of(&qualified("cd", "members"))
            .unwrap()
            .contains("schema \"cd\" does not exist"));
        let sql = drop_objects_sql(&[
            ("table".into(), qualified("cd", "members")),
            ("view".into(), qualified("cd", "v")),
        ]);
        assert_eq!(
            sql,
            "DROP VIEW IF EXISTS \"cd\".\"v\" CASCADE;DROP TABLE IF EXISTS \"cd\".\"members\" CASCADE;"
        );
    }
}
