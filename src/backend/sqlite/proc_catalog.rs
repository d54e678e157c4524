//! pg_proc's rows for the tenant's own functions, and the signature
//! functions psql's `\df`, `\sf` and pg_dump read with them
//! (`pg_get_function_arguments`, `..._identity_arguments`, `..._result`).
//!
//! Two kinds live in the tenant's file: PL/pgSQL trigger functions
//! (`pgcat__function`, OID 7,000,000 + rowid: no arguments, returning
//! `trigger`) and functions with arguments and a result (`pgcat__routine`,
//! OID [`ROUTINE_OID`] + rowid). Their signatures are printed as
//! PostgreSQL's `format_type` prints types: without modifiers.

use rusqlite::functions::Context;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};
use serde_json::json;

use super::catalog::{has_relation, session};
use crate::sql::catalog as cat;
use crate::sql::translate::routines::RoutineDef;

const TRIGGER_OID: i64 = 7_000_000;
/// The first user-defined function's OID (after the trigger functions').
pub const ROUTINE_OID: i64 = 7_500_000;
/// PostgreSQL's OIDs of the `sql` and `plpgsql` languages.
const LANG_SQL: i64 = 14;
const LANG_PLPGSQL: i64 = 13002;

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    // The trigger functions as `[[rowid, name, source], ...]`.
    conn.create_scalar_function("pg_trigger_functions", 0, session(), |ctx| {
        // SAFETY: reads of the schema and the functions' table during the call.
        let conn = unsafe { ctx.get_connection()? };
        if !has_relation(&conn, "pgcat__function")? {
            return Ok("[]".to_owned());
        }
        conn.query_row(
            "SELECT coalesce(json_group_array(json_array(rowid, name, source)), '[]') \
             FROM main.pgcat__function",
            [],
            |r| r.get(0),
        )
    })?;
    // `[[oid, name, lang, nargs, rettype, argtypes, argnames, src], ...]`
    // for pg_proc; `[]` before the first CREATE FUNCTION made the table.
    conn.create_scalar_function("pg_routines", 0, session(), |ctx| {
        // SAFETY: reads of the schema and the functions' table during the call.
        let conn = unsafe { ctx.get_connection()? };
        routines_json(&conn)
    })?;
    // regproc / regprocedure input: `f`, `public.f`, `f(integer, text)`.
    conn.create_scalar_function("pg_regproc_oid", 1, session(), |ctx| {
        let Some(text) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        // SAFETY: the connection outlives the call; the queries only read.
        let conn = unsafe { ctx.get_connection()? };
        function_oid(&conn, &text)
    })?;
    // regproc output (the name) and regprocedure's (`f(integer,text)`).
    conn.create_scalar_function("pg_regproc_name", 2, session(), |ctx| {
        // A built-in function's name (pg_am.amhandler, kept as text) is
        // its own output.
        let oid = match ctx.get_raw(0) {
            ValueRef::Null => return Ok(None),
            ValueRef::Integer(oid) => oid,
            ValueRef::Text(t) => match std::str::from_utf8(t).ok().map(|t| (t, t.parse())) {
                Some((_, Ok(oid))) => oid,
                Some((name, Err(_))) => return Ok(Some(name.to_owned())),
                None => return Ok(None),
            },
            _ => return Ok(None),
        };
        let with_types = ctx.get::<i64>(1)? != 0;
        // SAFETY: as above.
        let conn = unsafe { ctx.get_connection()? };
        function_name(&conn, oid, with_types).map(Some)
    })?;
    for (name, what) in [
        ("pg_get_function_arguments", Part::Arguments),
        ("pg_get_function_identity_arguments", Part::Arguments),
        ("pg_get_function_result", Part::Result),
        ("pg_get_functiondef", Part::Definition),
    ] {
        conn.create_scalar_function(name, 1, session(), move |ctx| signature(ctx, what))?;
    }
    Ok(())
}

#[derive(Clone, Copy)]
enum Part {
    Arguments,
    Result,
    /// `CREATE OR REPLACE FUNCTION ...` as `\\sf` prints it.
    Definition,
}

/// `a integer, b text`, as `pg_get_function_arguments` prints them.
fn arguments_text(r: &RoutineDef) -> rusqlite::Result<String> {
    let mut out = String::new();
    for (name, ty) in r.argument_texts() {
        if !out.is_empty() {
            out.push_str(", ");
        }
        if !name.is_empty() {
            out.push_str(&crate::sql::pg_ident::quote_ident(name));
            out.push(' ');
        }
        out.push_str(&type_text(ty)?);
    }
    Ok(out)
}

/// The OID a declared type names (a built-in, an array of one, or the
/// tenant's enum), text's when unknown.
fn type_oid(conn: &Connection, ty: &str) -> rusqlite::Result<i64> {
    if let Some(oid) = cat::regtype_oid(ty) {
        return Ok(i64::from(oid));
    }
    Ok(super::catalog::enum_oid(conn, &ty.to_ascii_lowercase())?.unwrap_or(25))
}

/// A declared type as `format_type` prints it, without its modifier.
fn type_text(ty: &str) -> rusqlite::Result<String> {
    if let Some(oid) = cat::regtype_oid(ty) {
        return Ok(cat::format_type(oid, None));
    }
    // An enum (or another name this catalog does not know): as written.
    Ok(crate::sql::pg_ident::quote_ident(&ty.to_ascii_lowercase()))
}

/// The stored routines (all, or the one of that rowid), with their rowids.
fn read(conn: &Connection, rowid: Option<i64>) -> rusqlite::Result<Vec<(i64, RoutineDef)>> {
    if !has_relation(conn, "pgcat__routine")? {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare_cached(
        "SELECT rowid, name, language, args, returns, body FROM main.pgcat__routine \
         WHERE ?1 IS NULL OR rowid = ?1 ORDER BY rowid",
    )?;
    let rows = stmt.query_map([rowid], |r| {
        let def = RoutineDef {
            name: r.get(1)?,
            language: r.get(2)?,
            args: r.get(3)?,
            returns: r.get(4)?,
            body: r.get(5)?,
        };
        Ok((r.get(0)?, def))
    })?;
    rows.collect()
}

fn routines_json(conn: &Connection) -> rusqlite::Result<String> {
    let mut out = Vec::new();
    for (rowid, r) in read(conn, None)? {
        let mut types = Vec::new();
        for (_, ty) in r.argument_texts() {
            types.push(type_oid(conn, ty)?.to_string());
        }
        let names: Vec<&str> = r.argument_texts().map(|(n, _)| n).collect();
        // proargnames (text[], kept as JSON like every array) is NULL when
        // no argument has a name.
        let names = names.iter().any(|n| !n.is_empty()).then_some(names);
        let rettype = type_oid(conn, &r.returns)?;
        let lang = if r.language == "plpgsql" {
            LANG_PLPGSQL
        } else {
            LANG_SQL
        };
        out.push(json!([
            ROUTINE_OID + rowid,
            r.name,
            lang,
            types.len(),
            rettype,
            types.join(" "),
            names,
            r.body
        ]));
    }
    Ok(serde_json::Value::Array(out).to_string())
}

fn signature(ctx: &Context<'_>, part: Part) -> rusqlite::Result<Option<String>> {
    let Some(oid) = ctx.get::<Option<i64>>(0)? else {
        return Ok(None);
    };
    // SAFETY: the connection outlives the call; the queries only read.
    let conn = unsafe { ctx.get_connection()? };
    if (TRIGGER_OID..ROUTINE_OID).contains(&oid) {
        return Ok(match part {
            Part::Arguments => Some(String::new()),
            Part::Result => Some("trigger".into()),
            Part::Definition => trigger_function(&conn, oid - TRIGGER_OID)?
                .map(|(name, src)| definition(&name, "", "trigger", "plpgsql", &src)),
        });
    }
    if oid <= ROUTINE_OID {
        return Ok(None);
    }
    let Some((_, r)) = read(&conn, Some(oid - ROUTINE_OID))?.pop() else {
        return Ok(None);
    };
    Ok(Some(match part {
        Part::Arguments => arguments_text(&r)?,
        Part::Result => type_text(&r.returns)?,
        Part::Definition => definition(
            &r.name,
            &arguments_text(&r)?,
            &type_text(&r.returns)?,
            &r.language,
            &r.body,
        ),
    }))
}

fn trigger_function(conn: &Connection, rowid: i64) -> rusqlite::Result<Option<(String, String)>> {
    if !has_relation(conn, "pgcat__function")? {
        return Ok(None);
    }
    conn.query_row(
        "SELECT name, source FROM main.pgcat__function WHERE rowid = ?1",
        [rowid],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
    .optional()
}

/// `pg_get_functiondef`'s text.
fn definition(name: &str, args: &str, result: &str, language: &str, body: &str) -> String {
    format!(
        "CREATE OR REPLACE FUNCTION public.{}({args})\n RETURNS {result}\n LANGUAGE {language}\nAS $function${body}$function$\n",
        crate::sql::pg_ident::quote_ident(name)
    )
}

/// The OID a `regproc` / `regprocedure` literal names: a trigger function
/// or a routine of that name (and those argument types, when given).
fn function_oid(conn: &Connection, text: &str) -> rusqlite::Result<Option<i64>> {
    let text = text.trim();
    let (name, types) = match text.split_once('(') {
        Some((name, rest)) => (name.trim(), Some(rest.trim_end().trim_end_matches(')'))),
        None => (text, None),
    };
    let name = name
        .strip_prefix("public.")
        .or_else(|| name.strip_prefix("pg_catalog."))
        .unwrap_or(name);
    let name = match name.strip_prefix('"').and_then(|n| n.strip_suffix('"')) {
        Some(quoted) => quoted.to_owned(),
        None => name.to_lowercase(),
    };
    let wanted: Option<Vec<i64>> = match types {
        Some(list) => Some(
            list.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(|t| type_oid(conn, t))
                .collect::<rusqlite::Result<_>>()?,
        ),
        None => None,
    };
    for (rowid, r) in read(conn, None)? {
        if r.name != name {
            continue;
        }
        let mut types = Vec::new();
        for (_, ty) in r.argument_texts() {
            types.push(type_oid(conn, ty)?);
        }
        if wanted.as_ref().is_none_or(|w| *w == types) {
            return Ok(Some(ROUTINE_OID + rowid));
        }
    }
    if wanted.as_ref().is_none_or(Vec::is_empty) && has_relation(conn, "pgcat__function")? {
        return conn
            .query_row(
                "SELECT ?1 + rowid FROM main.pgcat__function WHERE name = ?2",
                (TRIGGER_OID, &name),
                |r| r.get(0),
            )
            .optional();
    }
    Ok(None)
}

/// regproc's and regprocedure's output; an OID of no function prints as
/// the number, as PostgreSQL's does.
fn function_name(conn: &Connection, oid: i64, with_types: bool) -> rusqlite::Result<String> {
    let quote = crate::sql::pg_ident::quote_ident;
    if (TRIGGER_OID..ROUTINE_OID).contains(&oid) {
        if let Some((name, _)) = trigger_function(conn, oid - TRIGGER_OID)? {
            return Ok(if with_types {
                format!("{}()", quote(&name))
            } else {
                quote(&name)
            });
        }
    } else if oid > ROUTINE_OID {
        if let Some((_, r)) = read(conn, Some(oid - ROUTINE_OID))?.pop() {
            if !with_types {
                return Ok(quote(&r.name));
            }
            let types: Vec<String> = r
                .argument_texts()
                .map(|(_, ty)| type_text(ty))
                .collect::<rusqlite::Result<_>>()?;
            return Ok(format!("{}({})", quote(&r.name), types.join(",")));
        }
    }
    Ok(oid.to_string())
}
