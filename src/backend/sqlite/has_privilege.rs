//! `has_table_privilege([user,] table, privilege)` for a session: what its
//! user may do by its role and grants (see `privileges`). Another user's
//! role is not known inside the tenant's database: it is answered from
//! what was granted to that user or PUBLIC over a read-only role's
//! defaults. The table is a name or an OID (`'t'::regclass`).

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};

use super::grant::privilege_bits;
use super::guard::Role;
use super::privileges::{Grants, Verdict};
use crate::sql::catalog::REL_OID_BASE;

/// The table a function argument names: its text, or the table whose OID it is.
fn table_name(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<String>> {
    match ctx.get_raw(i) {
        ValueRef::Text(t) => {
            let text = String::from_utf8_lossy(t);
            let name = text.strip_prefix("public.").unwrap_or(&text);
            Ok(Some(
                match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
                    Some(quoted) => quoted.replace("\"\"", "\""),
                    None => name.to_lowercase(),
                },
            ))
        }
        ValueRef::Integer(oid) => {
            // SAFETY: a read of the schema table during the call.
            let conn = unsafe { ctx.get_connection()? };
            let name = conn
                .prepare_cached("SELECT name FROM main.sqlite_schema WHERE rowid = ?1")?
                .query_row([oid - REL_OID_BASE], |r| r.get(0))
                .optional();
            name
        }
        _ => Ok(None),
    }
}

/// Registers the function for a session of `role` with `grants`.
pub fn register(conn: &Connection, role: Role, grants: Grants) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("has_table_privilege", -1, flags, move |ctx| {
        let (user, role, at) = match ctx.len() {
            2 => (grants.user.clone(), role, 0),
            3 => {
                let user: String = ctx.get(0)?;
                let role = if user == grants.user {
                    role
                } else {
                    Role::ReadOnly
                };
                (user, role, 1)
            }
            _ => {
                return Err(rusqlite::Error::UserFunctionError(
                    "has_table_privilege takes 2 or 3 arguments".into(),
                ))
            }
        };
        let Some(table) = table_name(ctx, at)? else {
            return Ok(None);
        };
        let text: String = ctx.get(at + 1)?;
        let bits = privilege_bits(&text).ok_or_else(|| {
            rusqlite::Error::UserFunctionError(
                format!("unrecognized privilege type: \"{text}\"").into(),
            )
        })?;
        // Any one of the listed privileges, as PostgreSQL.
        Ok(Some((0..8).map(|b| 1u8 << b).any(|b| {
            bits & b != 0 && grants.acl.check(role, &user, &table, b) == Verdict::Allowed
        })))
    })
}
