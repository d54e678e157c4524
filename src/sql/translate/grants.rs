//! `GRANT` and `REVOKE`: read here into a [`Grant`] the session applies
//! (it knows the tenant's users and tables; see `backend::sqlite::grant`).
//!
//! Table and sequence privileges are kept and enforced. Privileges on the
//! public schema, the database and functions mean nothing inside a tenant
//! (its users may always use them): those statements only check their
//! grantees. Column privileges are refused (0A000).

use sqlparser::ast::{
    Action, Grant as GrantStatement, GrantObjects, Grantee, GranteeName, GranteesType, ObjectName,
    Privileges, Revoke, Statement,
};

use super::ast::name_parts;
use super::error::{no_schema, other, unsupported};
use super::{StmtKind, TranslateError, Translation};
use crate::backend::sqlite::privileges::{self as privs, ACL_TABLE_DDL, ALL, SELECT, UPDATE};
use crate::sql::quote_literal;

/// A GRANT or REVOKE, checked and ready to apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Grant {
    /// REVOKE rather than GRANT.
    pub revoke: bool,
    /// What it is on.
    pub target: GrantTarget,
    /// Table privilege bits (`privileges::PRIVILEGES`); a sequence's are
    /// those of its table.
    pub privileges: u8,
    /// User names as written (folded), `PUBLIC`, or `CURRENT_USER`.
    pub grantees: Vec<String>,
}

/// The objects of a GRANT or REVOKE.
#[derive(Debug, Clone, PartialEq)]
pub enum GrantTarget {
    Tables(Vec<String>),
    /// `ALL TABLES IN SCHEMA public`.
    AllTables,
    Sequences(Vec<String>),
    /// `ALL SEQUENCES IN SCHEMA public`.
    AllSequences,
    /// The databases named (the session checks it is its own): nothing
    /// to keep.
    Databases(Vec<String>),
    /// `ALTER DEFAULT PRIVILEGES ... ON TABLES`: what tables created later
    /// give (the session checks the grantees' roles already give it).
    FutureTables,
    /// The public schema, functions: nothing to keep.
    Nothing,
    /// Schemas the tenant made: nothing to keep once the session has seen
    /// that they exist (3F000).
    Schemas(Vec<String>),
}

/// The grantee a session's own user is named by.
pub const CURRENT_USER: &str = "CURRENT_USER";

/// `GRANT ...` or `REVOKE ...` as a session command; `None` for other
/// statements.
pub(super) fn translate(statement: &Statement) -> Result<Option<Translation>, TranslateError> {
    let grant = match statement {
        Statement::Grant(GrantStatement {
            privileges,
            objects,
            grantees,
            ..
        }) => read(false, privileges, objects.as_ref(), grantees)?,
        Statement::Revoke(Revoke {
            privileges,
            objects,
            grantees,
            grant_option_for,
            ..
        }) => {
            if *grant_option_for {
                // No grant options are kept: there is none to take back.
                let mut g = read(true, privileges, objects.as_ref(), grantees)?;
                g.target = GrantTarget::Nothing;
                g
            } else {
                read(true, privileges, objects.as_ref(), grantees)?
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(Translation::command(StmtKind::Grant(Box::new(grant)))))
}

fn read(
    revoke: bool,
    privileges: &Privileges,
    objects: Option<&GrantObjects>,
    grantees: &[Grantee],
) -> Result<Grant, TranslateError> {
    let objects = objects.ok_or_else(|| unsupported("GRANT of a role"))?;
    let (target, kind) = match objects {
        GrantObjects::Tables(names) | GrantObjects::Views(names) => {
            (GrantTarget::Tables(relations(names)?), Kind::Table)
        }
        GrantObjects::AllTablesInSchema { schemas } => {
            public_schemas(schemas)?;
            (GrantTarget::AllTables, Kind::Table)
        }
        GrantObjects::Sequences(names) => {
            (GrantTarget::Sequences(relations(names)?), Kind::Sequence)
        }
        GrantObjects::AllSequencesInSchema { schemas } => {
            public_schemas(schemas)?;
            (GrantTarget::AllSequences, Kind::Sequence)
        }
        GrantObjects::Schemas(schemas) => {
            // USAGE / CREATE on a schema: checked, not kept, as on public.
            let mut made = Vec::new();
            for schema in schemas {
                match name_parts(schema).as_slice() {
                    [s] if s == "public" => {}
                    [s] if super::names::is_user_schema(s) => made.push(s.clone()),
                    parts => return Err(no_schema(&parts.join("."))),
                }
            }
            let target = if made.is_empty() {
                GrantTarget::Nothing
            } else {
                GrantTarget::Schemas(made)
            };
            (target, Kind::Schema)
        }
        GrantObjects::Databases(names) => (
            GrantTarget::Databases(names.iter().map(|n| name_parts(n).join(".")).collect()),
            Kind::Database,
        ),
        GrantObjects::Function { .. } | GrantObjects::AllFunctionsInSchema { .. } => {
            (GrantTarget::Nothing, Kind::Function)
        }
        GrantObjects::Procedure { .. } => (GrantTarget::Nothing, Kind::Function),
        _ => return Err(unsupported(format!("GRANT ON {objects}"))),
    };
    Ok(Grant {
        revoke,
        target,
        privileges: privilege_bits(privileges, kind)?,
        grantees: grantees.iter().map(grantee).collect::<Result<_, _>>()?,
    })
}

/// What kind of object a privilege list is checked against.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Table,
    Sequence,
    Schema,
    Database,
    Function,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Table => "table",
            Kind::Sequence => "sequence",
            Kind::Schema => "schema",
            Kind::Database => "database",
            Kind::Function => "function",
        }
    }

    /// The privileges PostgreSQL allows on the kind, as table bits.
    fn bits(self, keyword: &str) -> Option<u8> {
        match (self, keyword) {
            (Kind::Table, k) => privs::bit(k),
            (Kind::Sequence, "USAGE") => Some(SELECT | UPDATE),
            (Kind::Sequence, "SELECT") => Some(SELECT),
            (Kind::Sequence, "UPDATE") => Some(UPDATE),
            (Kind::Schema, "USAGE" | "CREATE") => Some(0),
            (Kind::Database, "CONNECT" | "CREATE" | "TEMPORARY" | "TEMP") => Some(0),
            (Kind::Function, "EXECUTE") => Some(0),
            _ => None,
        }
    }

    fn all(self) -> u8 {
        match self {
            Kind::Table => ALL,
            Kind::Sequence => SELECT | UPDATE,
            _ => 0,
        }
    }
}

fn privilege_bits(privileges: &Privileges, kind: Kind) -> Result<u8, TranslateError> {
    let actions = match privileges {
        Privileges::All { .. } => return Ok(kind.all()),
        Privileges::Actions(actions) => actions,
    };
    let mut bits = 0;
    for action in actions {
        if let Action::Select { columns: Some(_) }
        | Action::Insert { columns: Some(_) }
        | Action::Update { columns: Some(_) }
        | Action::References { columns: Some(_) } = action
        {
            return Err(unsupported("column privileges"));
        }
        let keyword = action.to_string();
        let keyword = keyword.split_whitespace().next().unwrap_or_default();
        bits |= kind.bits(keyword).ok_or_else(|| {
            other(
                "0LP01",
                format!("invalid privilege type {keyword} for {}", kind.name()),
            )
        })?;
    }
    Ok(bits)
}

/// Table or sequence names: `t` or `public.t`, folded.
fn relations(names: &[ObjectName]) -> Result<Vec<String>, TranslateError> {
    names
        .iter()
        .map(|name| super::schemas::relation_from_parts(&name_parts(name)))
        .collect()
}

/// Only the public schema exists in a tenant.
fn public_schemas(schemas: &[ObjectName]) -> Result<(), TranslateError> {
    for schema in schemas {
        let parts = name_parts(schema);
        if parts.as_slice() != ["public"] {
            return Err(no_schema(&parts.join(".")));
        }
    }
    Ok(())
}

fn grantee(g: &Grantee) -> Result<String, TranslateError> {
    if g.grantee_type == GranteesType::Public {
        return Ok(privs::PUBLIC.to_owned());
    }
    let Some(GranteeName::ObjectName(name)) = &g.name else {
        return Err(unsupported(format!("the grantee {g}")));
    };
    let parts = name_parts(name);
    let [n] = parts.as_slice() else {
        return Err(unsupported(format!("the grantee {g}")));
    };
    // PUBLIC is a keyword unless quoted ("public" is then a role's name).
    let quoted = name.0.iter().any(
        |p| matches!(p, sqlparser::ast::ObjectNamePart::Identifier(i) if i.quote_style.is_some()),
    );
    Ok(match (n.as_str(), quoted) {
        ("public", false) => privs::PUBLIC.to_owned(),
        ("current_user" | "session_user" | "current_role", false) => CURRENT_USER.to_owned(),
        _ => n.clone(),
    })
}

/// Before a table, view or sequence is dropped: its privileges go, so a
/// later one of the same name starts without them.
pub(crate) fn dropped_relation(name: &str) -> Vec<String> {
    vec![
        ACL_TABLE_DDL.to_owned(),
        format!(
            "DELETE FROM main.pgcat__acl WHERE rel = {}",
            quote_literal(name)
        ),
    ]
}

/// After `ALTER TABLE | SEQUENCE from RENAME TO to`: its privileges follow.
pub(crate) fn renamed_relation(from: &str, to: &str) -> Vec<String> {
    vec![
        ACL_TABLE_DDL.to_owned(),
        format!(
            "UPDATE OR REPLACE main.pgcat__acl SET rel = {} WHERE rel = {}",
            quote_literal(to),
            quote_literal(from)
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::{Grant, GrantTarget};
    use crate::sql::translate::{translate, StmtKind};

    fn grant(sql: &str) -> Grant {
        match translate(sql).unwrap().remove(0).kind {
            StmtKind::Grant(g) => *g,
            other => panic!("{sql}: {other:?}"),
        }
    }

    fn code(sql: &str) -> &'static str {
        translate(sql).unwrap_err().code
    }

    #[test]
    fn reads_targets_privileges_and_grantees() {
        let t = |names: &[&str]| GrantTarget::Tables(names.iter().map(|n| n.to_string()).collect());
        for (sql, revoke, target, privileges, grantees) in [
            (
                "GRANT SELECT, INSERT ON t TO app_user",
                false,
                t(&["t"]),
                0b11,
                vec!["app_user"],
            ),
            (
                "GRANT ALL ON TABLE public.T, \"U\" TO PUBLIC",
                false,
                t(&["t", "U"]),
                0x7f,
                vec!["PUBLIC"],
            ),
            (
                "GRANT ALL ON ALL TABLES IN SCHEMA public TO x, \"Public\"",
                false,
                GrantTarget::AllTables,
                0x7f,
                vec!["x", "Public"],
            ),
            (
                "GRANT USAGE, SELECT ON SEQUENCE s TO x",
                false,
                GrantTarget::Sequences(vec!["s".into()]),
                0b101,
                vec!["x"],
            ),
            (
                "GRANT USAGE ON SCHEMA public TO CURRENT_USER",
                false,
                GrantTarget::Nothing,
                0,
                vec!["CURRENT_USER"],
            ),
            (
                "REVOKE ALL ON t FROM PUBLIC",
                true,
                t(&["t"]),
                0x7f,
                vec!["PUBLIC"],
            ),
            (
                "REVOKE DELETE ON t FROM rw CASCADE",
                true,
                t(&["t"]),
                0b1000,
                vec!["rw"],
            ),
            (
                "GRANT EXECUTE ON FUNCTION f(int) TO x",
                false,
                GrantTarget::Nothing,
                0,
                vec!["x"],
            ),
            (
                "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO ro",
                false,
                GrantTarget::FutureTables,
                1,
                vec!["ro"],
            ),
            (
                "ALTER DEFAULT PRIVILEGES FOR ROLE u GRANT USAGE ON SEQUENCES TO ro",
                false,
                GrantTarget::Nothing,
                0b101,
                vec!["ro"],
            ),
        ] {
            let g = grant(sql);
            assert_eq!(
                (g.revoke, &g.target, g.privileges),
                (revoke, &target, privileges),
                "{sql}"
            );
            assert_eq!(g.grantees, grantees, "{sql}");
        }
    }

    #[test]
    fn refuses_what_postgres_or_pgtenant_does_not_take() {
        for (sql, want) in [
            ("GRANT USAGE ON t TO x", "0LP01"),
            ("GRANT INSERT ON SEQUENCE s TO x", "0LP01"),
            ("GRANT SELECT ON pg_other.t TO x", "3F000"),
            ("GRANT USAGE ON SCHEMA pg_other TO x", "3F000"),
            ("GRANT SELECT (a) ON t TO x", "0A000"),
            (
                "ALTER DEFAULT PRIVILEGES IN SCHEMA other GRANT SELECT ON TABLES TO x",
                "3F000",
            ),
        ] {
            assert_eq!(code(sql), want, "{sql}");
        }
    }
}
