//! Domains: `CREATE DOMAIN year AS integer [DEFAULT ..] [NOT NULL]
//! [CONSTRAINT year_check CHECK (VALUE >= 1901)]`, `DROP DOMAIN`, and
//! columns of a domain type.
//!
//! A domain lives in the tenant's `pgcat__domain` table. The translator
//! sees no schema, so a CREATE TABLE or ADD COLUMN naming a type it does
//! not know is handed to the session with its parse
//! (`StmtKind::WithUserTypes`): the session reads the domains among those
//! names and translates the statement again with each such column
//! declared as the domain says (see [`with_domains`]): its base type, the
//! domain's NOT NULL and default unless the column has its own, and the
//! domain's checks with `VALUE` read as the column, under the domain
//! constraint's name. A value that breaks one is then 23514 or 23502, as
//! in PostgreSQL (whose message names the domain, where this names the
//! constraint). As in PostgreSQL's RowDescription, such a column is
//! described as its base type.
//!
//! Not done: casts to a domain (`x::year`), ALTER DOMAIN other than OWNER
//! TO, a domain's rows in pg_type.

use sqlparser::ast::{
    ColumnDef, ColumnOption, ColumnOptionDef, CreateDomain, DataType, Expr, Ident, Statement,
    TableConstraint,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::ast::{ident_name, name_parts};
use super::error::{other, unsupported};
use super::{StmtKind, TranslateError, Translation};
use crate::sql::quote_literal;

/// The tenant database's domains (hidden by the catalog's view prefix):
/// `checks` is a JSON array of `[name, expression]`, PostgreSQL text with
/// `VALUE` for the value.
pub const DOMAIN_TABLE: &str = "CREATE TABLE IF NOT EXISTS main.pgcat__domain (\
     name TEXT PRIMARY KEY, base TEXT NOT NULL, not_null INTEGER NOT NULL, \
     default_expr TEXT, checks TEXT NOT NULL)";

/// The name of the check a column of a NOT NULL domain carries, before
/// the domain's name (its violation is PostgreSQL's 23502 for the domain).
pub const NOT_NULL_PREFIX: &str = "pgtenant_not_null_";

/// A domain as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct Domain {
    pub name: String,
    /// The base type as PostgreSQL writes it (`integer`).
    pub base: String,
    pub not_null: bool,
    pub default: Option<String>,
    /// (constraint name, CHECK expression with VALUE).
    pub checks: Vec<(String, String)>,
}

/// Whether a statement's significant tokens start with CREATE DOMAIN.
pub(super) fn is_create_domain(tokens: &[&TokenWithSpan]) -> bool {
    let word = |i: usize, w: &str| {
        matches!(tokens.get(i).map(|t| &t.token), Some(Token::Word(x))
            if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
    };
    word(0, "create") && word(1, "domain")
}

/// `CREATE DOMAIN`: its NOT NULL / NULL (which sqlparser does not take)
/// read from the tokens, the rest parsed.
pub(super) fn create(chunk: Vec<TokenWithSpan>) -> Result<Translation, TranslateError> {
    let mut tokens = super::tokens::significant(chunk);
    let mut not_null = false;
    let mut depth = 0usize;
    let mut i = 0;
    while i < tokens.len() {
        match &tokens[i].token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            Token::Word(w) if depth == 0 && w.quote_style.is_none() => {
                let next_is_null = matches!(tokens.get(i + 1).map(|t| &t.token),
                    Some(Token::Word(n)) if n.value.eq_ignore_ascii_case("null"));
                if w.value.eq_ignore_ascii_case("not") && next_is_null {
                    not_null = true;
                    tokens.drain(i..i + 2);
                    continue;
                }
                // A bare NULL (the default) after the type, not in DEFAULT NULL.
                let after_default = i > 0
                    && matches!(&tokens[i - 1].token,
                        Token::Word(d) if d.value.eq_ignore_ascii_case("default"));
                if w.value.eq_ignore_ascii_case("null") && !after_default && i > 3 {
                    tokens.remove(i);
                    continue;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let spaced = tokens.into_iter().flat_map(|t| {
        [
            t,
            TokenWithSpan::wrap(Token::Whitespace(sqlparser::tokenizer::Whitespace::Space)),
        ]
    });
    let mut parser =
        Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(spaced.collect());
    let Statement::CreateDomain(domain) = parser
        .parse_statement()
        .map_err(super::split::parse_error)?
    else {
        return Err(unsupported("this CREATE DOMAIN"));
    };
    if let Some(base) = super::enums::user_type(&domain.data_type) {
        // PostgreSQL takes a domain over an enum or a domain; pgtenant not.
        let n = quote_literal(&base);
        return Ok(command(
            "CREATE DOMAIN",
            vec![
                format!(
                    "SELECT pg_raise('42704', {}) WHERE NOT EXISTS (SELECT 1 FROM main.pgcat__enum \
                     WHERE type = {n}) AND NOT EXISTS (SELECT 1 FROM main.pgcat__domain WHERE name = {n})",
                    quote_literal(&format!("type \"{base}\" does not exist"))
                ),
                format!(
                    "SELECT pg_raise('0A000', {})",
                    quote_literal(&format!("a domain over type {base} is not supported"))
                ),
            ],
        ));
    }
    let domain = definition(&domain, not_null)?;
    let checks: Vec<serde_json::Value> = domain
        .checks
        .iter()
        .map(|(n, e)| serde_json::json!([n, e]))
        .collect();
    let statements = vec![
        DOMAIN_TABLE.to_owned(),
        format!(
            "SELECT pg_raise('42710', {}) WHERE EXISTS (SELECT 1 FROM main.pgcat__domain WHERE \
             name = {n}) OR EXISTS (SELECT 1 FROM main.pgcat__enum WHERE type = {n})",
            quote_literal(&format!("type \"{}\" already exists", domain.name)),
            n = quote_literal(&domain.name)
        ),
        format!(
            "INSERT INTO main.pgcat__domain VALUES ({}, {}, {}, {}, {})",
            quote_literal(&domain.name),
            quote_literal(&domain.base),
            u8::from(domain.not_null),
            domain
                .default
                .as_deref()
                .map_or("NULL".to_owned(), quote_literal),
            quote_literal(&serde_json::Value::Array(checks).to_string())
        ),
    ];
    Ok(command("CREATE DOMAIN", statements))
}

fn definition(d: &CreateDomain, not_null: bool) -> Result<Domain, TranslateError> {
    let name = type_name(&d.name)?;
    if super::types::pg_type(&d.data_type).is_err()
        || super::enums::user_type(&d.data_type).is_some()
    {
        return Err(unsupported(format!("a domain over type {}", d.data_type)));
    }
    let mut checks = Vec::new();
    for c in &d.constraints {
        let TableConstraint::Check(check) = c else {
            return Err(unsupported(format!("domain constraint {c}")));
        };
        let n = check
            .name
            .as_ref()
            .map(ident_name)
            .unwrap_or_else(|| format!("{name}_check"));
        checks.push((n, check.expr.to_string()));
    }
    Ok(Domain {
        name,
        base: d.data_type.to_string(),
        not_null,
        default: d.default.as_ref().map(ToString::to_string),
        checks,
    })
}

fn type_name(name: &sqlparser::ast::ObjectName) -> Result<String, TranslateError> {
    match name_parts(name).as_slice() {
        [n] => Ok(n.clone()),
        [schema, n] if schema == "public" => Ok(n.clone()),
        [schema, _] => Err(super::error::no_schema(schema)),
        _ => Err(unsupported(format!("domain name {name}"))),
    }
}

/// `DROP DOMAIN [IF EXISTS] name`.
pub(super) fn drop(
    names: &[sqlparser::ast::ObjectName],
    if_exists: bool,
) -> Result<Translation, TranslateError> {
    let mut statements = vec![DOMAIN_TABLE.to_owned()];
    for name in names {
        let name = type_name(name)?;
        let n = quote_literal(&name);
        let exists = format!("SELECT 1 FROM main.pgcat__domain WHERE name = {n}");
        statements.push(if if_exists {
            super::ddl::skipping_notice(&format!("type \"{name}\""), &exists)
        } else {
            format!(
                "SELECT pg_raise('42704', {}) WHERE NOT EXISTS ({exists})",
                quote_literal(&format!("type \"{name}\" does not exist"))
            )
        });
        statements.push(format!("DELETE FROM main.pgcat__domain WHERE name = {n}"));
    }
    Ok(command("DROP DOMAIN", statements))
}

/// The type names a CREATE TABLE or ALTER TABLE's columns use that
/// PostgreSQL does not have built in (domains or enums).
/// (Mutable only to share one column walker with [`with_domains`].)
fn user_types(statement: &mut Statement) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for column in column_defs_mut(statement) {
        if let Some(name) = super::enums::user_type(&column.data_type) {
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

fn column_defs_mut(statement: &mut Statement) -> Vec<&mut ColumnDef> {
    match statement {
        Statement::CreateTable(ct) => ct.columns.iter_mut().collect(),
        Statement::AlterTable(alter) => alter
            .operations
            .iter_mut()
            .filter_map(|op| match op {
                sqlparser::ast::AlterTableOperation::AddColumn { column_def, .. } => {
                    Some(column_def)
                }
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `statement` translated with each column of a domain type declared as
/// the domain says (see the module comment).
pub fn with_domains(
    statement: &Statement,
    domains: &[Domain],
) -> Result<Translation, TranslateError> {
    let mut statement = statement.clone();
    for column in column_defs_mut(&mut statement) {
        let Some(name) = super::enums::user_type(&column.data_type) else {
            continue;
        };
        let Some(domain) = domains.iter().find(|d| d.name == name) else {
            continue;
        };
        column.data_type = parse_type(&domain.base)?;
        let has = |column: &ColumnDef, f: fn(&ColumnOption) -> bool| {
            column.options.iter().any(|o| f(&o.option))
        };
        // A check, not the column's NOT NULL: PostgreSQL's column stays
        // nullable in the catalog, and the error names the domain.
        if domain.not_null {
            let expr = Expr::IsNotNull(Box::new(Expr::Identifier(column.name.clone())));
            column.options.push(option(
                Some(Ident::new(format!("{NOT_NULL_PREFIX}{}", domain.name))),
                ColumnOption::Check(sqlparser::ast::CheckConstraint {
                    name: None,
                    expr: Box::new(expr),
                    no_inherit: false,
                    enforced: None,
                }),
            ));
        }
        if let Some(default) = &domain.default {
            if !has(column, |o| matches!(o, ColumnOption::Default(_))) {
                column
                    .options
                    .push(option(None, ColumnOption::Default(parse_expr(default)?)));
            }
        }
        for (constraint, check) in &domain.checks {
            let mut expr = parse_expr(check)?;
            let value_of = column.name.clone();
            let _ = sqlparser::ast::visit_expressions_mut(&mut expr, |e| {
                if matches!(e, Expr::Identifier(id) if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("value"))
                {
                    *e = Expr::Identifier(value_of.clone());
                }
                std::ops::ControlFlow::<()>::Continue(())
            });
            column.options.push(option(
                Some(Ident::new(constraint)),
                ColumnOption::Check(sqlparser::ast::CheckConstraint {
                    name: None,
                    expr: Box::new(expr),
                    no_inherit: false,
                    enforced: None,
                }),
            ));
        }
    }
    super::statement::translate_statement(super::split::Parsed::Statement(Box::new(statement)))
}

/// Server-written statements run as one command under `tag`.
fn command(tag: &'static str, statements: Vec<String>) -> Translation {
    let mut t = Translation::command(StmtKind::Query {
        tag,
        returns_rows: false,
    });
    t.sql = statements.join("; ");
    t
}

fn option(name: Option<Ident>, option: ColumnOption) -> ColumnOptionDef {
    ColumnOptionDef { name, option }
}

fn parse_type(text: &str) -> Result<DataType, TranslateError> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_data_type())
        .map_err(|_| other("42704", format!("type \"{text}\" does not exist")))
}

fn parse_expr(text: &str) -> Result<Expr, TranslateError> {
    Parser::new(&PostgreSqlDialect {})
        .try_with_sql(text)
        .and_then(|mut p| p.parse_expr())
        .map_err(super::split::parse_error)
}

/// A CREATE TABLE or ALTER TABLE translated by `plain`, handed to the
/// session with its parse when its columns name types only the schema
/// knows; the statement is copied only then.
pub(super) fn translate_table_statement(
    mut statement: Statement,
    plain: impl FnOnce(Statement) -> Result<Translation, TranslateError>,
) -> Result<Translation, TranslateError> {
    let types = user_types(&mut statement);
    if types.is_empty() {
        return plain(statement);
    }
    let then = plain(statement.clone())?;
    Ok(Translation::command(StmtKind::WithUserTypes {
        statement: Box::new(statement),
        types,
        then: Box::new(then),
    }))
}

#[cfg(test)]
mod tests {
    use super::super::{translate, StmtKind};
    use super::*;

    #[test]
    fn create_reads_not_null_default_and_checks() {
        let t = translate("CREATE DOMAIN public.email AS varchar(80) NOT NULL DEFAULT 'a@b' CONSTRAINT has_at CHECK (VALUE LIKE '%@%') CHECK (length(VALUE) > 2)")
            .unwrap()
            .remove(0);
        assert!(matches!(
            t.kind,
            StmtKind::Query {
                tag: "CREATE DOMAIN",
                ..
            }
        ));
        assert!(t.sql.contains(
            r#"INSERT INTO main.pgcat__domain VALUES ('email', 'VARCHAR(80)', 1, '''a@b''', '[["has_at","VALUE LIKE ''%@%''"],["email_check","length(VALUE) > 2"]]')"#
        ), "{}", t.sql);
        let err = translate("CREATE DOMAIN other.d AS int").unwrap_err();
        assert_eq!(err.code, "3F000");
    }

    #[test]
    fn columns_of_a_domain_take_its_type_checks_and_default() {
        let t = translate("CREATE TABLE f (y year, z year DEFAULT 2000, n int)")
            .unwrap()
            .remove(0);
        let StmtKind::WithUserTypes {
            statement, types, ..
        } = &t.kind
        else {
            panic!("{:?}", t.kind);
        };
        assert_eq!(types, &["year".to_owned()]);
        let year = Domain {
            name: "year".into(),
            base: "integer".into(),
            not_null: true,
            default: Some("1999".into()),
            checks: vec![("year_check".into(), "VALUE >= 1901".into())],
        };
        let sql = with_domains(statement, &[year]).unwrap().sql;
        assert!(sql.contains("y int4 CONSTRAINT pgtenant_not_null_year CHECK (y IS NOT NULL) DEFAULT 1999 CONSTRAINT year_check CHECK (y >= 1901),"), "{sql}");
        // The column's own default wins over the domain's.
        assert!(sql.contains("z int4 DEFAULT 2000 CONSTRAINT"), "{sql}");
        assert!(sql.contains("n int4)"), "{sql}");
    }
}
