//! An identifier as PostgreSQL prints it (its `quote_ident`): bare when a
//! plain lower-case name that is not one of its non-unreserved keywords,
//! else quoted. The
//! SQL function `quote_ident` and the catalog's printed definitions
//! (indexes, triggers) share it. And the other way: a possibly quoted,
//! possibly qualified name as regclass and regtype input read it.

/// PostgreSQL 15's keywords other than its unreserved ones (reserved,
/// column-name and type/function-name keywords): `quote_ident` quotes
/// these, as its `quote_identifier` does (`time`, `left`, `select`).
/// Sorted, for the binary search.
const KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

pub fn quote_ident(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && KEYWORDS.binary_search(&s).is_err();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_sorted_for_the_binary_search() {
        assert!(KEYWORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn quotes_as_postgresql_15() {
        for (name, want) in [
            ("time", "\"time\""),
            ("left", "\"left\""),
            ("between", "\"between\""),
            ("select", "\"select\""),
            ("name", "name"),
            ("value", "value"),
            ("system_user", "system_user"),
            ("Mixed", "\"Mixed\""),
        ] {
            assert_eq!(quote_ident(name), want, "{name}");
        }
    }
}
