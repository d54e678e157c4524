//! `ALTER <object> name ... OWNER TO role`, which pg_dump writes after
//! every object it restores (and sqlparser parses for a few kinds only).
//!
//! pgtenant keeps no owners: every object of a tenant database is the
//! tenant's, and what a user may do follows from its role. So the
//! statement changes nothing; as PostgreSQL, the session refuses a role
//! that does not exist (42704) and a user who may not own objects (42501),
//! and the object must exist (a relation: 42P01, a type: 42704, a schema
//! other than public: 3F000).

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::error::no_schema;
use super::tokens::Cursor;
use super::{StmtKind, TranslateError, Translation};
use crate::sql::quote_literal;

/// What the session checks and answers for one `OWNER TO`.
#[derive(Debug, Clone, PartialEq)]
pub struct AlterOwner {
    /// The command tag (`ALTER TABLE`).
    pub tag: String,
    /// The new owner as written (folded), or `CURRENT_USER` for
    /// CURRENT_USER / CURRENT_ROLE / SESSION_USER.
    pub role: String,
    /// A statement raising PostgreSQL's error when the object is missing.
    pub check: Option<String>,
}

/// The object kinds PostgreSQL's ALTER takes `OWNER TO` for, longest first.
const KINDS: &[&[&str]] = &[
    &["text", "search", "configuration"],
    &["text", "search", "dictionary"],
    &["foreign", "data", "wrapper"],
    &["materialized", "view"],
    &["foreign", "table"],
    &["large", "object"],
    &["operator", "class"],
    &["operator", "family"],
    &["event", "trigger"],
    &["procedural", "language"],
    &["table"],
    &["view"],
    &["sequence"],
    &["function"],
    &["procedure"],
    &["routine"],
    &["aggregate"],
    &["type"],
    &["domain"],
    &["schema"],
    &["database"],
    &["collation"],
    &["conversion"],
    &["language"],
    &["operator"],
    &["publication"],
    &["subscription"],
    &["server"],
    &["statistics"],
    &["tablespace"],
];

fn word(t: Option<&&TokenWithSpan>, w: &str) -> bool {
    matches!(t.map(|t| &t.token), Some(Token::Word(x))
        if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
}

/// Whether a statement's significant tokens are `ALTER ... OWNER TO role`.
pub(super) fn is_owner_to(tokens: &[&TokenWithSpan]) -> bool {
    let n = tokens.len();
    n >= 5
        && word(tokens.first(), "alter")
        && word(tokens.get(n - 3), "owner")
        && word(tokens.get(n - 2), "to")
        && matches!(tokens[n - 1].token, Token::Word(_))
}

pub(super) fn translate(chunk: Vec<TokenWithSpan>) -> Result<Translation, TranslateError> {
    let mut c = Cursor::new(chunk);
    c.pos = 1;
    let kind = KINDS
        .iter()
        .find(|kind| {
            kind.iter()
                .enumerate()
                .all(|(i, w)| word(c.tokens.get(1 + i).as_ref(), w))
        })
        .ok_or_else(|| c.unexpected())?;
    c.pos += kind.len();
    let tag = format!("ALTER {}", kind.join(" ").to_uppercase());
    let role = match c.tokens.last().map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_some() => w.value.clone(),
        Some(Token::Word(w)) => match w.value.to_lowercase().as_str() {
            "current_user" | "current_role" | "session_user" => super::GRANT_CURRENT_USER.into(),
            other => other.to_owned(),
        },
        _ => return Err(c.unexpected()),
    };
    let check = match kind[kind.len() - 1] {
        "table" | "view" | "sequence" => {
            let if_exists = c.eat_word("if") && c.eat_word("exists");
            c.eat_word("only");
            let name = qualified_name(&mut c)?;
            (!if_exists).then(|| relation_check(&name))
        }
        "type" | "domain" => Some(type_check(&qualified_name(&mut c)?)),
        "schema" => {
            let name = c.identifier()?;
            if name == "public" {
                None
            } else if super::names::is_user_schema(&name) {
                Some(super::schemas::require_schema(&name))
            } else {
                return Err(no_schema(&name));
            }
        }
        _ => None,
    };
    Ok(Translation::command(StmtKind::AlterOwner(Box::new(
        AlterOwner { tag, role, check },
    ))))
}

/// `[schema.]name`, folded, as its SQLite name (see `schemas`).
fn qualified_name(c: &mut Cursor) -> Result<String, TranslateError> {
    let mut parts = vec![c.identifier()?];
    if c.eat(&Token::Period) {
        parts.push(c.identifier()?);
    }
    super::schemas::relation_from_parts(&parts)
}

fn relation_check(name: &str) -> String {
    format!(
        "SELECT pg_raise('42P01', {}) WHERE NOT EXISTS (SELECT 1 FROM main.sqlite_schema \
         WHERE type IN ('table', 'view') AND name = {} COLLATE NOCASE) AND NOT EXISTS \
         (SELECT 1 FROM temp.sqlite_schema WHERE type IN ('table', 'view') AND name = {} \
         COLLATE NOCASE)",
        quote_literal(&format!(
            "relation \"{}\" does not exist",
            super::schemas::readable(name)
        )),
        quote_literal(name),
        quote_literal(name)
    )
}

fn type_check(name: &str) -> String {
    format!(
        "SELECT pg_raise('42704', {}) WHERE NOT EXISTS (SELECT 1 FROM main.pgcat__enum \
         WHERE type = {n}) AND NOT EXISTS (SELECT 1 FROM main.pgcat__domain WHERE name = {n})",
        quote_literal(&format!("type \"{name}\" does not exist")),
        n = quote_literal(name)
    )
}

#[cfg(test)]
mod tests {
    use super::super::{translate, StmtKind, TranslateError, Translation};
    use super::AlterOwner;

    fn translate_one(sql: &str) -> Result<Translation, TranslateError> {
        translate(sql).map(|mut v| v.remove(0))
    }

    fn owner(sql: &str) -> AlterOwner {
        match translate_one(sql).unwrap().kind {
            StmtKind::AlterOwner(o) => *o,
            other => panic!("{sql}: {other:?}"),
        }
    }

    #[test]
    fn reads_what_pg_dump_writes() {
        let t = owner("ALTER TABLE public.film OWNER TO postgres");
        assert_eq!(
            (t.tag.as_str(), t.role.as_str()),
            ("ALTER TABLE", "postgres")
        );
        assert!(t
            .check
            .unwrap()
            .contains("relation \"film\" does not exist"));
        let f =
            owner("ALTER FUNCTION public.last_day(timestamp with time zone) OWNER TO \"Admin\"");
        assert_eq!(
            (f.tag.as_str(), f.role.as_str(), f.check),
            ("ALTER FUNCTION", "Admin", None)
        );
        let v = owner("ALTER MATERIALIZED VIEW IF EXISTS mv OWNER TO CURRENT_USER");
        assert_eq!(v.tag, "ALTER MATERIALIZED VIEW");
        assert_eq!((v.role.as_str(), v.check), ("CURRENT_USER", None));
        assert!(owner("ALTER TYPE public.mpaa_rating OWNER TO postgres")
            .check
            .is_some());
        assert_eq!(
            owner("ALTER SCHEMA public OWNER TO pg_database_owner").tag,
            "ALTER SCHEMA"
        );
        assert_eq!(
            owner("ALTER AGGREGATE group_concat(text) OWNER TO u").tag,
            "ALTER AGGREGATE"
        );
    }

    #[test]
    fn refuses_other_schemas_and_kinds() {
        let code = |sql: &str| translate_one(sql).err().map(|e| e.code);
        assert_eq!(code("ALTER SCHEMA pg_other OWNER TO u"), Some("3F000"));
        assert_eq!(code("ALTER TABLE pg_other.t OWNER TO u"), Some("3F000"));
        assert_eq!(code("ALTER NOTHING x OWNER TO u"), Some("42601"));
    }
}
