//! `COMMENT ON TABLE | VIEW | MATERIALIZED VIEW | SEQUENCE | INDEX | COLUMN
//! | TYPE | SCHEMA | CONSTRAINT c ON ... IS 'text' | NULL`: the text goes into the tenant's
//! `pgcat__comment` table (`sql::catalog::COMMENT_TABLE`), which
//! pg_description, `obj_description` and `col_description` read; `NULL` or
//! `''` removes it, as in PostgreSQL.
//!
//! Comments are keyed by name, so the statements that rename or drop an
//! object carry its comments along or delete them (`upkeep`, whose
//! statements their translations append). Every statement here is plain SQL over
//! `sqlite_schema` and `pragma_table_info`, so it runs on a remote libSQL
//! tenant too, except the checks raising PostgreSQL's errors, which call
//! `pg_raise` and read the catalog views: a remote session runs those on
//! its schema mirror (`libsql::portable::schema_checks`).

use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::error::{no_schema, other};
use super::tokens::Cursor;
use super::{TranslateError, Translation};
use crate::sql::catalog::COMMENT_TABLE;
use crate::sql::quote_literal as lit;

mod upkeep;
pub(crate) use upkeep::{
    dropped_column, dropped_constraint, dropped_index, dropped_relation, dropped_type,
    renamed_column, renamed_constraint, renamed_index, renamed_relation,
};

const TABLE: &str = "main.pgcat__comment";

/// What a comment is attached to: its key in `pgcat__comment`.
struct Key {
    kind: &'static str,
    obj: String,
    sub: String,
}

/// The object kinds a comment is stored for.
#[derive(Clone, Copy, PartialEq)]
enum Object {
    Table,
    View,
    MaterializedView,
    Sequence,
    Index,
    Column,
    Type,
    Schema,
    Constraint,
    /// A tenant's function (`f` or `f(integer, text)`: `sub` is its
    /// argument count, empty when the statement names none).
    Function,
}

/// Whether a statement's significant tokens start with COMMENT (read from
/// the tokens: sqlparser takes neither `$$...$$` texts nor `COMMENT ON
/// CONSTRAINT`).
pub(super) fn is_comment(tokens: &[&TokenWithSpan]) -> bool {
    matches!(tokens.first().map(|t| &t.token),
        Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("comment"))
}

/// `COMMENT ON ...`: its statements; on an object kind no comment is kept
/// for (a function, an extension, ...), accepted and not stored.
pub(super) fn translate(chunk: Vec<TokenWithSpan>) -> Result<Translation, TranslateError> {
    let mut c = Cursor::new(chunk);
    c.pos = 1;
    if !c.eat_word("on") {
        return Err(c.unexpected());
    }
    let words = [
        ("table", Object::Table),
        ("view", Object::View),
        ("sequence", Object::Sequence),
        ("index", Object::Index),
        ("column", Object::Column),
        ("type", Object::Type),
        ("schema", Object::Schema),
        ("constraint", Object::Constraint),
        ("function", Object::Function),
    ];
    let object = if c.eat_word("materialized") {
        if !c.eat_word("view") {
            return Err(c.unexpected());
        }
        Some(Object::MaterializedView)
    } else {
        words.iter().find(|(w, _)| c.eat_word(w)).map(|(_, o)| *o)
    };
    let Some(object) = object else {
        return Ok(Translation::command(super::StmtKind::Noop {
            tag: "COMMENT",
        }));
    };
    let mut constraint = None;
    if object == Object::Constraint {
        constraint = Some(c.identifier()?);
        if !c.eat_word("on") {
            return Err(c.unexpected());
        }
        if c.eat_word("domain") {
            return Err(super::error::unsupported(
                "COMMENT ON CONSTRAINT ... ON DOMAIN",
            ));
        }
    }
    let mut parts = vec![c.identifier()?];
    while c.eat(&Token::Period) {
        parts.push(c.identifier()?);
    }
    // A function's argument types: only their count is kept (functions
    // are one per name and count).
    let mut arity = None;
    if object == Object::Function && c.eat(&Token::LParen) {
        let (mut n, mut any, mut depth) = (0, false, 0);
        loop {
            match c.next() {
                None => return Err(c.unexpected()),
                Some(Token::RParen) if depth == 0 => break,
                Some(Token::LParen) => depth += 1,
                Some(Token::RParen) => depth -= 1,
                Some(Token::Comma) if depth == 0 => n += 1,
                Some(_) => any = true,
            }
        }
        arity = Some(if any { n + 1 } else { 0 });
    }
    if !c.eat_word("is") {
        return Err(c.unexpected());
    }
    let comment = match c.next() {
        Some(Token::Word(w)) if w.quote_style.is_none() && w.value.eq_ignore_ascii_case("null") => {
            None
        }
        Some(Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s)) => Some(s),
        Some(Token::DollarQuotedString(d)) => Some(d.value),
        _ => {
            c.pos -= 1;
            return Err(c.unexpected());
        }
    };
    if c.peek().is_some() {
        return Err(c.unexpected());
    }
    let sql = statements(
        object,
        &parts,
        constraint.as_deref(),
        arity,
        comment.as_deref(),
    )?;
    Ok(super::alter_sequence::query("COMMENT", sql.join("; ")))
}

/// The statements storing (or removing) one comment, after the checks.
fn statements(
    object: Object,
    parts: &[String],
    constraint: Option<&str>,
    arity: Option<usize>,
    comment: Option<&str>,
) -> Result<Vec<String>, TranslateError> {
    let mut out = vec![COMMENT_TABLE.to_owned()];
    let (key, exists) = match object {
        Object::Table
        | Object::View
        | Object::MaterializedView
        | Object::Sequence
        | Object::Index => {
            let (written, rel) = relation(parts)?;
            let is_index = object == Object::Index;
            out.push(missing_relation(&written, &rel));
            out.push(wrong_kind(object, &rel));
            let exists = if is_index {
                // PostgreSQL's names of key indexes are the catalog's, not
                // SQLite's: checked above only.
                "1".to_owned()
            } else {
                format!(
                    "EXISTS (SELECT 1 FROM main.sqlite_schema WHERE type IN ('table', 'view') \
                     AND name = {} COLLATE NOCASE)",
                    lit(&rel)
                )
            };
            let kind = if is_index { "idx" } else { "rel" };
            (key(kind, &rel, ""), exists)
        }
        Object::Constraint => {
            let (written, table) = relation(parts)?;
            let name = constraint.unwrap_or_default();
            out.push(missing_relation(&written, &table));
            out.push(format!(
                "SELECT pg_raise('42704', {}) WHERE NOT EXISTS (SELECT 1 FROM pgcat__con k \
                 JOIN pgcat__rel r ON r.oid = k.conrelid WHERE r.name = {} COLLATE NOCASE \
                 AND k.conname = {} COLLATE NOCASE)",
                lit(&format!(
                    "constraint \"{name}\" for table \"{table}\" does not exist"
                )),
                lit(&table),
                lit(name)
            ));
            (key("con", &table, name), "1".to_owned())
        }
        Object::Column => {
            let (written, table, column) = match parts {
                [_] => return Err(other("42601", "column name must be qualified")),
                [t, c] => (
                    t.clone(),
                    super::schemas::relation_from_parts(std::slice::from_ref(t))?,
                    c.clone(),
                ),
                [s, t, c] => (
                    format!("{s}.{t}"),
                    super::schemas::relation_from_parts(&[s.clone(), t.clone()])?,
                    c.clone(),
                ),
                _ => return Err(cross_database(parts)),
            };
            out.push(missing_relation(&written, &table));
            // As PostgreSQL names the table in messages: without its schema.
            let shown = super::schemas::relation_parts(&table).1;
            out.push(format!(
                "SELECT pg_raise('42809', {}) WHERE EXISTS (SELECT 1 FROM pgcat__lookup \
                 WHERE pgcat_kind = 'rel' AND pgcat_name = {t} COLLATE NOCASE) AND NOT EXISTS \
                 (SELECT 1 FROM pgcat__rel WHERE name = {t} COLLATE NOCASE AND type <> 'sequence')",
                lit(&format!("cannot set comment on relation \"{shown}\"")),
                t = lit(&table)
            ));
            let has_column = format!(
                "EXISTS (SELECT 1 FROM pragma_table_info({}) WHERE name = {} COLLATE NOCASE)",
                lit(&table),
                lit(&column)
            );
            out.push(format!(
                "SELECT pg_raise('42703', {}) WHERE NOT {has_column}",
                lit(&format!(
                    "column \"{column}\" of relation \"{shown}\" does not exist"
                ))
            ));
            (key("col", &table, &column), has_column)
        }
        Object::Type => {
            let type_name = match parts {
                [n] => n.clone(),
                [s, n] if s == "public" => n.clone(),
                [s, _] => return Err(no_schema(s)),
                _ => return Err(cross_database(parts)),
            };
            // Enum types are the only ones a tenant makes (and local-only).
            out.push(format!(
                "SELECT pg_raise('42704', {}) WHERE NOT EXISTS \
                 (SELECT 1 FROM main.pgcat__enum WHERE type = {})",
                lit(&format!("type \"{type_name}\" does not exist")),
                lit(&type_name)
            ));
            (key("type", &type_name, ""), "1".to_owned())
        }
        Object::Function => {
            let name = match parts {
                [n] => n.clone(),
                [s, n] if s == "public" => n.clone(),
                [s, _] => return Err(no_schema(s)),
                _ => return Err(cross_database(parts)),
            };
            let nargs = arity
                .map(|n| format!(" AND pronargs = {n}"))
                .unwrap_or_default();
            let exists = format!(
                "EXISTS (SELECT 1 FROM pgcat_pg_proc WHERE proname = {}{nargs})",
                lit(&name)
            );
            let missing = match arity {
                Some(_) => format!("function {name} does not exist"),
                None => format!("could not find a function named \"{name}\""),
            };
            out.push(format!(
                "SELECT pg_raise('42883', {}) WHERE NOT {exists}",
                lit(&missing)
            ));
            let sub = arity.map(|n| n.to_string()).unwrap_or_default();
            (key("func", &name, &sub), exists)
        }
        Object::Schema => match parts {
            [s] if s == "public" => (key("schema", s, ""), "1".to_owned()),
            [s] if s == "pg_catalog" || s == "information_schema" => {
                return Err(other("42501", format!("must be owner of schema {s}")))
            }
            [s] if super::names::is_user_schema(s) => {
                out.push(super::schemas::require_schema(s));
                (key("schema", s, ""), "1".to_owned())
            }
            [s] => return Err(no_schema(s)),
            _ => return Err(other("42601", "schema name cannot be qualified")),
        },
    };
    if object == Object::MaterializedView {
        // Which tables are materialized views (local-only, as they are).
        out.extend(super::matview::table_ddl());
        out.push(format!(
            "SELECT pg_raise('42809', {}) WHERE NOT EXISTS \
             (SELECT 1 FROM main.pgcat__matview WHERE name = {} COLLATE NOCASE)",
            lit(&format!("\"{}\" is not a materialized view", key.obj)),
            lit(&key.obj)
        ));
    }
    let at = format!(
        "kind = '{}' AND obj = {} AND sub = {}",
        key.kind,
        lit(&key.obj),
        lit(&key.sub)
    );
    // The public schema's comment is PostgreSQL's built-in one unless a
    // row says otherwise: removing it stores an empty text.
    let removed = match object {
        Object::Schema => Some(""),
        _ => None,
    };
    out.push(match comment.filter(|c| !c.is_empty()).or(removed) {
        None => format!("DELETE FROM {TABLE} WHERE {at}"),
        Some(text) => format!(
            "INSERT OR REPLACE INTO {TABLE} (kind, obj, sub, description) \
             SELECT '{}', {}, {}, {} WHERE {exists}",
            key.kind,
            lit(&key.obj),
            lit(&key.sub),
            lit(text)
        ),
    });
    Ok(out)
}

fn cross_database(parts: &[String]) -> TranslateError {
    other(
        "0A000",
        format!(
            "cross-database references are not implemented: {}",
            parts.join(".")
        ),
    )
}

fn key(kind: &'static str, obj: &str, sub: &str) -> Key {
    Key {
        kind,
        obj: obj.to_owned(),
        sub: sub.to_owned(),
    }
}

/// A relation's name as written (for the error) and as stored (its
/// SQLite name: a user schema's carries it, see `schemas`).
fn relation(parts: &[String]) -> Result<(String, String), TranslateError> {
    match parts {
        [_] | [_, _] => Ok((parts.join("."), super::schemas::relation_from_parts(parts)?)),
        _ => Err(cross_database(parts)),
    }
}

/// 42P01 unless a relation (table, view, sequence or index) is so named.
/// (A user schema's relation: 3F000 first when the schema is missing.)
fn missing_relation(written: &str, rel: &str) -> String {
    let relation = format!(
        "SELECT pg_raise('42P01', {}) WHERE NOT EXISTS (SELECT 1 FROM pgcat__lookup \
         WHERE pgcat_kind = 'rel' AND pgcat_name = {} COLLATE NOCASE)",
        lit(&format!("relation \"{written}\" does not exist")),
        lit(rel)
    );
    match super::schemas::require_schema_of(rel) {
        Some(schema) => format!("{schema}; {relation}"),
        None => relation,
    }
}

/// 42809 when the relation is not of the kind the statement names (a
/// materialized view is a table here).
fn wrong_kind(object: Object, rel: &str) -> String {
    let (noun, test) = match object {
        Object::View => ("a view", "type = 'view'"),
        Object::Sequence => ("a sequence", "type = 'sequence'"),
        Object::MaterializedView => ("a materialized view", "type = 'table'"),
        Object::Index => {
            return format!(
                "SELECT pg_raise('42809', {}) WHERE NOT EXISTS (SELECT 1 FROM pgcat__idx \
                 WHERE name = {} COLLATE NOCASE)",
                lit(&format!("\"{rel}\" is not an index")),
                lit(rel)
            )
        }
        _ => ("a table", "type = 'table'"),
    };
    format!(
        "SELECT pg_raise('42809', {}) WHERE NOT EXISTS (SELECT 1 FROM pgcat__rel \
         WHERE name = {} COLLATE NOCASE AND {test})",
        lit(&format!("\"{rel}\" is not {noun}")),
        lit(rel)
    )
}
