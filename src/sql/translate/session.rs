//! Session and transaction commands: these never reach SQLite as SQL; the
//! server acts on the returned [`StmtKind`].

use super::ast::{ident_name, name_parts};
use super::error::{forbidden, other, unsupported};
use super::{StmtKind, TranslateError, Translation};
use sqlparser::ast::{
    ContextModifier, DiscardObject, Expr, ObjectName, Reset, ResetStatement, Set, Statement,
    TransactionAccessMode, TransactionMode, Value,
};

/// The translation of a session command, or `None` if `statement` is not one.
pub(super) fn translate(statement: &Statement) -> Result<Option<Translation>, TranslateError> {
    let kind = match statement {
        Statement::StartTransaction {
            statements,
            begin,
            modes,
            ..
        } => {
            if !statements.is_empty() {
                return Err(unsupported("a transaction block with statements"));
            }
            StmtKind::Begin {
                tag: if *begin { "BEGIN" } else { "START TRANSACTION" },
                read_only: access_mode(modes),
            }
        }
        Statement::Commit { chain: true, .. } | Statement::Rollback { chain: true, .. } => {
            return Err(unsupported("AND CHAIN"));
        }
        Statement::Commit { .. } => StmtKind::Commit,
        Statement::Rollback {
            savepoint: Some(name),
            ..
        } => StmtKind::RollbackTo(ident_name(name)),
        Statement::Rollback {
            savepoint: None, ..
        } => StmtKind::Rollback,
        Statement::Savepoint { name } => StmtKind::Savepoint(ident_name(name)),
        Statement::ReleaseSavepoint { name } => StmtKind::Release(ident_name(name)),
        Statement::Set(set) => set_kind(set)?,
        Statement::ShowVariable { variable } => StmtKind::Show {
            name: show_name(variable.iter().map(ident_name).collect()),
        },
        Statement::Reset(ResetStatement { reset }) => StmtKind::Reset {
            name: match reset {
                Reset::ALL => None,
                Reset::ConfigurationParameter(name) => Some(setting_name(name)),
                Reset::SessionAuthorization => {
                    return Err(unsupported("RESET SESSION AUTHORIZATION"))
                }
            },
        },
        Statement::Discard { object_type } => StmtKind::Noop {
            tag: match object_type {
                DiscardObject::ALL => "DISCARD ALL",
                DiscardObject::PLANS => "DISCARD PLANS",
                DiscardObject::SEQUENCES => "DISCARD SEQUENCES",
                DiscardObject::TEMP => "DISCARD TEMP",
            },
        },
        Statement::LISTEN { channel } => StmtKind::Listen {
            channel: Some(ident_name(channel)),
            on: true,
        },
        // (sqlparser spells `UNLISTEN *` as an unquoted `*`.)
        Statement::UNLISTEN { channel } => StmtKind::Listen {
            channel: (channel.quote_style.is_some() || channel.value != "*")
                .then(|| ident_name(channel)),
            on: false,
        },
        Statement::NOTIFY { channel, payload } => StmtKind::Notify {
            channel: ident_name(channel),
            payload: payload.clone().unwrap_or_default(),
        },
        // The tenant's writes are serialized (one SQLite writer): a table
        // lock adds nothing the first write of the block does not take.
        Statement::Lock(_) => StmtKind::Noop { tag: "LOCK TABLE" },
        _ => return Ok(None),
    };
    Ok(Some(Translation::command(kind)))
}

/// READ ONLY (true) or READ WRITE (false) among transaction modes.
fn access_mode(modes: &[TransactionMode]) -> Option<bool> {
    modes.iter().rev().find_map(|m| match m {
        TransactionMode::AccessMode(TransactionAccessMode::ReadOnly) => Some(true),
        TransactionMode::AccessMode(TransactionAccessMode::ReadWrite) => Some(false),
        TransactionMode::IsolationLevel(_) => None,
    })
}

fn set_kind(set: &Set) -> Result<StmtKind, TranslateError> {
    Ok(match set {
        Set::SingleAssignment {
            scope,
            variable,
            values,
            ..
        } => {
            let name = setting_name(variable);
            // `SET x TO DEFAULT` is PostgreSQL's spelling of `RESET x`.
            if let [Expr::Identifier(id)] = values.as_slice() {
                if id.quote_style.is_none() && id.value.eq_ignore_ascii_case("default") {
                    return Ok(StmtKind::Reset { name: Some(name) });
                }
            }
            StmtKind::Set {
                name,
                value: values
                    .iter()
                    .map(setting_value)
                    .collect::<Result<Vec<_>, _>>()?
                    .join(", "),
                local: matches!(scope, Some(ContextModifier::Local)),
            }
        }
        Set::SetTimeZone { local, value } => match value {
            Expr::Identifier(id)
                if id.quote_style.is_none()
                    && (id.value.eq_ignore_ascii_case("local")
                        || id.value.eq_ignore_ascii_case("default")) =>
            {
                StmtKind::Reset {
                    name: Some("timezone".into()),
                }
            }
            _ => StmtKind::Set {
                name: "timezone".into(),
                value: match value {
                    // `INTERVAL '+05:30' HOUR TO MINUTE` (Sequelize sends
                    // it): hours east of UTC, as a number.
                    Expr::Interval(iv) => interval_hours(&iv.value).ok_or_else(|| {
                        other("22023", format!("invalid time zone interval: {value}"))
                    })?,
                    _ => setting_value(value)?,
                },
                local: *local,
            },
        },
        Set::SetNames { charset_name, .. } => StmtKind::Set {
            name: "client_encoding".into(),
            value: charset_name.value.clone(),
            local: false,
        },
        Set::SetNamesDefault {} => StmtKind::Reset {
            name: Some("client_encoding".into()),
        },
        // SQLite transactions are always serializable: isolation levels
        // are accepted and ignored; the access mode is kept.
        Set::SetTransaction { modes, session, .. } => StmtKind::SetTransaction {
            read_only: access_mode(modes),
            session: *session,
        },
        Set::MultipleAssignments { .. } | Set::ParenthesizedAssignments { .. } => {
            return Err(unsupported("SET with several assignments"))
        }
        // A tenant session's identity is fixed at login.
        Set::SetRole { .. } => return Err(forbidden("SET ROLE")),
        Set::SetSessionAuthorization(_) => return Err(forbidden("SET SESSION AUTHORIZATION")),
        Set::SetSessionParam(_) => return Err(unsupported("this SET form")),
    })
}

fn setting_name(name: &ObjectName) -> String {
    name_parts(name).join(".").to_lowercase()
}

/// A setting value as PostgreSQL stores it: literals unquoted, names as written.
/// An interval literal's `[+-]HH[:MM[:SS]]` as hours (`5.5`, `-8`).
fn interval_hours(e: &Expr) -> Option<String> {
    let text = super::ast::string_literal(e)?.trim();
    let (sign, rest) = match text.as_bytes().first()? {
        b'-' => (-1.0, &text[1..]),
        b'+' => (1.0, &text[1..]),
        _ => (1.0, text),
    };
    let mut hours = 0.0;
    for (i, part) in rest.split(':').enumerate().take(3) {
        let n: f64 = part.trim().parse().ok()?;
        hours += n / 60f64.powi(i as i32);
    }
    Some(format!("{}", sign * hours))
}

fn setting_value(expr: &Expr) -> Result<String, TranslateError> {
    match expr {
        Expr::Value(v) => Ok(match &v.value {
            Value::SingleQuotedString(s)
            | Value::EscapedStringLiteral(s)
            | Value::NationalStringLiteral(s) => s.clone(),
            Value::DollarQuotedString(d) => d.value.clone(),
            Value::Number(n, _) => n.clone(),
            Value::Boolean(b) => if *b { "on" } else { "off" }.into(),
            other => other.to_string(),
        }),
        Expr::Identifier(id) => Ok(ident_name(id)),
        Expr::CompoundIdentifier(ids) => {
            Ok(ids.iter().map(ident_name).collect::<Vec<_>>().join("."))
        }
        Expr::UnaryOp { op, expr } => Ok(format!("{op}{}", setting_value(expr)?)),
        Expr::Interval(_) => Ok(expr.to_string()),
        _ => Err(other(
            "22023",
            format!("invalid value for a setting: {expr}"),
        )),
    }
}

fn show_name(parts: Vec<String>) -> String {
    match parts.as_slice() {
        [t, i, l] if t == "transaction" && i == "isolation" && l == "level" => {
            "transaction_isolation".into()
        }
        [t, z] if t == "time" && z == "zone" => "timezone".into(),
        _ => parts.join("."),
    }
}
