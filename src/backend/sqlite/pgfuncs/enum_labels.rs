//! `pg_enum_first(type)`, `pg_enum_last(type)` and `pg_enum_range(type
//! [, from, to])`: PostgreSQL's `enum_first`, `enum_last` and `enum_range`
//! (see `translate::enum_functions`, which names the type), over the
//! labels in the tenant's `pgcat__enum` in declaration order. A range is a
//! JSON array, as arrays are stored; a NULL bound leaves its end open.
//! `pg_enum_in(value, type)`: a cast to an enum type (`'happy'::mood`),
//! 22P02 for a value that is not one of its labels; a cast to a type name
//! the tenant does not have is 42704.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::Connection;

use super::error;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    // They read the tenant's labels, which ALTER TYPE changes.
    let flags = FunctionFlags::SQLITE_UTF8;
    conn.create_scalar_function("pg_enum_first", 1, flags, |ctx| {
        Ok(labels(ctx)?.into_iter().next())
    })?;
    conn.create_scalar_function("pg_enum_last", 1, flags, |ctx| Ok(labels(ctx)?.pop()))?;
    conn.create_scalar_function("pg_enum_in", 2, flags, |ctx| enum_in(ctx))?;
    conn.create_scalar_function("pg_enum_range", 1, flags, |ctx| {
        Ok(serde_json::Value::from(labels(ctx)?).to_string())
    })?;
    conn.create_scalar_function("pg_enum_range", 3, flags, |ctx| {
        let labels = labels(ctx)?;
        let at = |i: usize| -> rusqlite::Result<Option<usize>> {
            let Some(label) = ctx.get::<Option<String>>(i)? else {
                return Ok(None);
            };
            match labels.iter().position(|l| *l == label) {
                Some(at) => Ok(Some(at)),
                None => Err(error(
                    "22P02",
                    format!(
                        "invalid input value for enum {}: \"{label}\"",
                        ctx.get::<Option<String>>(0)?.unwrap_or_default()
                    ),
                )),
            }
        };
        let from = at(1)?.unwrap_or(0);
        let to = at(2)?.map_or(labels.len(), |i| i + 1);
        let range = labels.get(from..to.max(from)).unwrap_or_default();
        Ok(serde_json::Value::from(range).to_string())
    })
}

/// `pg_enum_in(value, type)`: the value, if it is a label of the type (a
/// domain or a table's row type lets the value through as text); 42704
/// when the tenant has no such type.
fn enum_in(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let Some(value) = ctx.get::<Option<String>>(0)? else {
        return Ok(None);
    };
    let type_name = ctx.get::<String>(1)?;
    // SAFETY: the connection outlives the call, which only reads.
    let conn = unsafe { ctx.get_connection()? };
    let known = |sql: &str, args: &[&str]| -> bool {
        conn.prepare_cached(sql)
            .and_then(|mut s| s.exists(rusqlite::params_from_iter(args)))
            // No enum type was ever created: no labels table.
            .unwrap_or(false)
    };
    let labelled = known(
        "SELECT 1 FROM main.pgcat__enum WHERE type = ?1 AND label = ?2",
        &[&type_name, &value],
    );
    if labelled {
        return Ok(Some(value));
    }
    if !known(
        "SELECT 1 FROM main.pgcat__enum WHERE type = ?1",
        &[&type_name],
    ) {
        // A built-in type kept as text (inet, macaddr, point, ...), a domain
        // (its checks are not applied to a cast) or a table's row type
        // passes; any other name is no type at all.
        let built_in = crate::sql::catalog::is_built_in_type(&type_name);
        let other_type = built_in
            || known(
                "SELECT 1 FROM main.pgcat__domain WHERE name = ?1",
                &[&type_name],
            )
            || known(
                "SELECT 1 FROM main.sqlite_schema WHERE type IN ('table', 'view') \
             AND name = ?1 COLLATE NOCASE",
                &[&type_name],
            );
        if other_type {
            return Ok(Some(value));
        }
        return Err(error(
            "42704",
            format!("type \"{type_name}\" does not exist"),
        ));
    }
    Err(error(
        "22P02",
        format!("invalid input value for enum {type_name}: \"{value}\""),
    ))
}

/// The labels of the type named by argument 0, in declaration order.
fn labels(ctx: &Context<'_>) -> rusqlite::Result<Vec<String>> {
    // A column's declaration may be unknown (no such column).
    let Some(type_name) = ctx.get::<Option<String>>(0)? else {
        return Err(error("42804", "could not determine actual enum type"));
    };
    // SAFETY: the connection outlives the call, which only reads.
    let conn = unsafe { ctx.get_connection()? };
    let labels = conn
        .prepare_cached("SELECT label FROM main.pgcat__enum WHERE type = ?1 ORDER BY sort")
        .and_then(|mut s| {
            s.query_map([&type_name], |r| r.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        // No enum type was ever created: no labels table.
        .unwrap_or_default();
    if labels.is_empty() {
        return Err(error(
            "42704",
            format!("type \"{type_name}\" does not exist"),
        ));
    }
    Ok(labels)
}
