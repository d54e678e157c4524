//! `ALTER DEFAULT PRIVILEGES [FOR ROLE r, ...] [IN SCHEMA public] GRANT |
//! REVOKE ... ON TABLES | SEQUENCES | FUNCTIONS | ROUTINES | TYPES | SCHEMAS
//! ...`, which sqlparser does not parse: the prefix is read from the tokens
//! and the GRANT or REVOKE after it by sqlparser, its object word taken
//! for the kind of future objects.
//!
//! A tenant user's role already gives it its privileges on every table
//! created later; the session accepts a default that asks for no more than
//! that (and checks its grantees), and refuses one that does (0A000).

use sqlparser::ast::{GrantObjects, ObjectName, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan};

use super::error::{no_schema, unsupported};
use super::grants::{self, GrantTarget};
use super::tokens::Cursor;
use super::{StmtKind, TranslateError, Translation};

/// Whether a statement's significant tokens start with ALTER DEFAULT PRIVILEGES.
pub(super) fn is_default_privileges(tokens: &[&TokenWithSpan]) -> bool {
    let word = |i: usize, w: &str| {
        matches!(tokens.get(i).map(|t| &t.token), Some(Token::Word(x))
            if x.quote_style.is_none() && x.value.eq_ignore_ascii_case(w))
    };
    word(0, "alter") && word(1, "default") && word(2, "privileges")
}

pub(super) fn translate(chunk: Vec<TokenWithSpan>) -> Result<Translation, TranslateError> {
    let mut c = Cursor::new(chunk);
    c.pos = 3;
    loop {
        if c.eat_word("for") {
            if !(c.eat_word("role") || c.eat_word("user")) {
                return Err(c.unexpected());
            }
            names(&mut c)?;
        } else if c.eat_word("in") {
            if !c.eat_word("schema") {
                return Err(c.unexpected());
            }
            for schema in names(&mut c)? {
                if schema != "public" {
                    return Err(no_schema(&schema));
                }
            }
        } else {
            break;
        }
    }
    let rest = c.tokens.split_off(c.pos);
    let mut parser = Parser::new(&PostgreSqlDialect {}).with_tokens_with_locations(rest);
    let mut statement = parser
        .parse_statement()
        .map_err(super::split::parse_error)?;
    let objects = match &mut statement {
        Statement::Grant(g) => &mut g.objects,
        Statement::Revoke(r) => &mut r.objects,
        _ => {
            return Err(unsupported(
                "ALTER DEFAULT PRIVILEGES other than GRANT or REVOKE",
            ))
        }
    };
    // sqlparser reads `ON TABLES` as a table named "tables".
    let kind = match objects {
        Some(GrantObjects::Tables(t)) if t.len() == 1 => super::ast::base_name(&t[0]),
        _ => String::new(),
    };
    let public = || vec![ObjectName::from(vec![sqlparser::ast::Ident::new("public")])];
    *objects = Some(match kind.as_str() {
        "tables" => GrantObjects::AllTablesInSchema { schemas: public() },
        "sequences" => GrantObjects::AllSequencesInSchema { schemas: public() },
        "functions" | "routines" => GrantObjects::AllFunctionsInSchema { schemas: public() },
        "types" | "schemas" => GrantObjects::Schemas(public()),
        _ => return Err(c.unexpected()),
    });
    let Some(Translation {
        kind: StmtKind::Grant(mut grant),
        ..
    }) = grants::translate(&statement)?
    else {
        return Err(unsupported("this ALTER DEFAULT PRIVILEGES"));
    };
    grant.target = match grant.target {
        GrantTarget::AllTables => GrantTarget::FutureTables,
        _ => GrantTarget::Nothing,
    };
    Ok(Translation::command(StmtKind::Grant(grant)))
}

/// `a, b, c`: names, folded.
fn names(c: &mut Cursor) -> Result<Vec<String>, TranslateError> {
    let mut out = vec![c.identifier()?];
    while c.eat(&Token::Comma) {
        out.push(c.identifier()?);
    }
    Ok(out)
}
