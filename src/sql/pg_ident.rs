//! An identifier as PostgreSQL prints it (its `quote_ident`): bare when a
//! plain lower-case name that is not a reserved keyword, else quoted. The
//! SQL function `quote_ident` and the catalog's printed definitions
//! (indexes, triggers) share it. And the other way: a possibly quoted,
//! possibly qualified name as regclass and regtype input read it.

/// PostgreSQL's reserved keywords: `quote_ident` quotes these too.
const RESERVED: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "both",
    "case",
    "cast",
    "check",
    "collate",
    "column",
    "constraint",
    "create",
    "current_catalog",
    "current_date",
    "current_role",
    "current_time",
    "current_timestamp",
    "current_user",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "false",
    "fetch",
    "for",
    "foreign",
    "from",
    "grant",
    "group",
    "having",
    "in",
    "initially",
    "intersect",
    "into",
    "lateral",
    "leading",
    "limit",
    "localtime",
    "localtimestamp",
    "not",
    "null",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "placing",
    "primary",
    "references",
    "returning",
    "select",
    "session_user",
    "some",
    "symmetric",
    "system_user",
    "table",
    "then",
    "to",
    "trailing",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "variadic",
    "when",
    "where",
    "window",
    "with",
];

pub fn quote_ident(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !RESERVED.contains(&s);
    if plain {
        s.to_owned()
    } else {
        format!("\"{}\"", s.replace('"', "\"\""))
    }
}

/// The parts of a dotted name as PostgreSQL's name input reads them
/// (`"User".x` is `User` and `x`): quoted parts keep their case (`""` is a
/// quote), the others fold to lower case.
pub fn parse_qualified(text: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut chars = text.trim().chars().peekable();
    let mut part = String::new();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                part.push('"');
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(std::mem::take(&mut part)),
            c if quoted => part.push(c),
            c => part.extend(c.to_lowercase()),
        }
    }
    parts.push(part);
    parts
}

/// A relation name as regclass input reads it: `"User"` keeps its case,
/// `Users` folds to `users`, a `public.` schema (or `db.public.`, which
/// only the current database can be) goes; a user schema's relation is its
/// SQLite name (`translate::schemas`); catalog qualifiers stay, joined
/// (`pg_catalog.pg_class`).
pub fn relation_name(text: &str) -> String {
    use crate::sql::translate::schemas;
    let parts = parse_qualified(text);
    match parts.as_slice() {
        [schema, name] | [_, schema, name] if schema == "public" => name.clone(),
        [schema, name] | [_, schema, name] if crate::sql::translate::is_user_schema(schema) => {
            schemas::qualified(schema, name)
        }
        _ => parts.join("."),
    }
}
