//! The SQL functions behind the catalog views and the introspection
//! functions clients call (`format_type`, `pg_get_userbyid`, `version()`,
//! ...), and the lazy creation of the catalog views themselves.

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::Value;
use rusqlite::Connection;

use crate::sql::catalog;
use crate::sql::pgtype::PgType;

fn pure() -> FunctionFlags {
    FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS
}

/// Session-dependent: not deterministic, still harmless in views.
pub(super) fn session() -> FunctionFlags {
    FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS
}

/// What `version()` reports; SQLAlchemy parses the leading `PostgreSQL 15.x`.
pub const VERSION: &str =
    "PostgreSQL 15.8 (pgtenant 0.1.0) on x86_64-pc-linux-gnu, compiled by rustc, 64-bit";

/// Whether the database (`main`) has a table or view of that name.
pub fn has_relation(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT EXISTS (SELECT 1 FROM main.sqlite_schema WHERE name = ?1 COLLATE NOCASE \
         AND type IN ('table', 'view'))",
    )?
    .query_row([name], |r| r.get(0))
}

/// Whether any table, view, index or trigger of `schema` (`main` or
/// `temp`) has that name: they share one namespace.
pub fn name_taken(conn: &Connection, schema: &str, name: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(&format!(
        "SELECT EXISTS (SELECT 1 FROM {schema}.sqlite_schema WHERE name = ?1 COLLATE NOCASE)"
    ))?
    .query_row([name], |r| r.get(0))
}

/// Creates the catalog views on `conn` (idempotent).
pub fn install(conn: &Connection) -> rusqlite::Result<()> {
    // pg_type and pg_enum read the enum labels; a database without the
    // table (the admin's read-only catalog, a remote tenant's schema
    // mirror) gets an empty one for this connection.
    if !has_relation(conn, "pgcat__enum")? {
        conn.execute_batch(&catalog::ENUM_TABLE.replace("main.", "temp."))?;
    }
    // Likewise the comments (a remote tenant's mirror copies the server's
    // table when it has one: `libsql::mirror`).
    if !has_relation(conn, "pgcat__comment")? {
        conn.execute_batch(&catalog::COMMENT_TABLE.replace("main.", "temp."))?;
    }
    // And the user schemas (CREATE SCHEMA).
    if !has_relation(conn, "pgcat__schema")? {
        conn.execute_batch(
            &crate::sql::translate::schemas::SCHEMA_TABLE.replace("main.", "temp."),
        )?;
    }
    // And the table privileges (GRANT, REVOKE).
    if !has_relation(conn, "pgcat__acl")? {
        conn.execute_batch(&super::privileges::ACL_TABLE_DDL.replace("main.", "temp."))?;
    }
    // And the materialized views' definitions (pg_matviews), a table the
    // first CREATE MATERIALIZED VIEW makes (dropping this stand-in).
    if !has_relation(conn, "pgcat__matview")? {
        conn.execute_batch(&crate::sql::translate::MATVIEW_TABLE_DDL.replace("main.", "temp."))?;
    }
    conn.execute_batch(catalog::install_sql())
}

fn oid_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<u32>> {
    Ok(ctx
        .get::<Option<i64>>(i)?
        .and_then(|v| u32::try_from(v).ok()))
}

/// The session's identity, as the introspection functions report it.
pub fn set_session(
    conn: &Connection,
    user: &str,
    database: &str,
    pid: i32,
) -> rusqlite::Result<()> {
    let u = user.to_string();
    conn.create_scalar_function("pg_session_user", 0, session(), move |_| Ok(u.clone()))?;
    let u = user.to_string();
    conn.create_scalar_function("pg_get_userbyid", 1, session(), move |ctx| {
        Ok(match ctx.get::<Option<i64>>(0)? {
            None => None,
            Some(10) => Some(u.clone()),
            Some(6171) => Some("pg_database_owner".to_string()),
            Some(other) => Some(format!("unknown (OID={other})")),
        })
    })?;
    // A table's or sequence's default ACL: its owner's privileges, as
    // pg_class.relacl lists them (pg_dump compares the two to write GRANT
    // and REVOKE). Other objects keep no ACL: NULL, as before.
    let u = user.to_string();
    conn.create_scalar_function("acldefault", 2, session(), move |ctx| {
        let kind: Option<String> = ctx.get(0)?;
        Ok(match (kind.as_deref(), ctx.get::<Option<i64>>(1)?) {
            (Some("r" | "s"), Some(10)) => {
                Some(serde_json::Value::from(vec![format!("{u}=arwdDxt/{u}")]).to_string())
            }
            _ => None,
        })
    })?;
    let d = database.to_string();
    conn.create_scalar_function("pg_current_database", 0, session(), move |_| Ok(d.clone()))?;
    conn.create_scalar_function("pg_backend_pid", 0, session(), move |_| Ok(pid))?;
    Ok(())
}

/// Registers the catalog functions (session ones with placeholder values
/// until [`set_session`] runs).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    set_session(conn, "postgres", "postgres", 0)?;
    super::pgfuncs::sequences::register_catalog(conn)?;
    super::pgfuncs::sequences::register_serial_last(conn)?;
    // Constraint names and CHECK constraints from a table's definition.
    use crate::sql::table_constraints as tc;
    use crate::sql::translate::schemas;
    conn.create_scalar_function("pg_fk_name", 3, pure(), |ctx| {
        let (table, sql): (String, String) = (ctx.get(0)?, ctx.get(1)?);
        let id = usize::try_from(ctx.get::<i64>(2)?).unwrap_or(0);
        Ok(tc::foreign_key_name(&table, &sql, id))
    })?;
    // pg_trigger_meta(sql, field): what a PL/pgSQL trigger's SQLite text
    // says of it (tgname, tgtype, pg_get_triggerdef's text).
    conn.create_scalar_function("pg_trigger_meta", 2, pure(), |ctx| {
        let (Some(sql), field) = (ctx.get::<Option<String>>(0)?, ctx.get::<String>(1)?) else {
            return Ok(rusqlite::types::Value::Null);
        };
        use rusqlite::types::Value as V;
        Ok(
            match crate::sql::translate::plpgsql::trigger_meta(&sql, &field) {
                Some(serde_json::Value::String(s)) => V::Text(s),
                Some(serde_json::Value::Number(n)) => n.as_i64().map_or(V::Null, V::Integer),
                _ => V::Null,
            },
        )
    })?;
    conn.create_scalar_function("pg_pk_name", 2, pure(), |ctx| {
        let (table, sql): (String, Option<String>) = (ctx.get(0)?, ctx.get(1)?);
        Ok(match sql {
            Some(sql) => tc::primary_key_name(&table, &sql),
            None => format!("{}_pkey", schemas::relation_parts(&table).1),
        })
    })?;
    // A generated column's expression, from the table's definition.
    conn.create_scalar_function("pg_generation_expr", 2, pure(), |ctx| {
        let (sql, column): (Option<String>, String) = (ctx.get(0)?, ctx.get(1)?);
        Ok(sql.and_then(|sql| crate::sql::table_constraints::generation_expression(&sql, &column)))
    })?;
    // pg_get_expr(expr, rel, pretty): pretty printing drops the
    // parentheses around the whole expression (psql's `\d` shows a
    // generated column's `a * 2`, pg_dump and information_schema `(a * 2)`).
    conn.create_scalar_function("pg_pretty_expr", 2, pure(), |ctx| {
        let (expr, pretty): (Option<String>, Option<bool>) = (ctx.get(0)?, ctx.get(1)?);
        Ok(expr.map(|e| match pretty {
            Some(true) => outer_parens_dropped(&e).to_owned(),
            _ => e,
        }))
    })?;
    // EXPLAIN: SQLite's plan of a translated statement, prepared (never
    // run) on this connection, as PostgreSQL-style indented lines.
    conn.create_scalar_function("pg_explain", -1, session(), |ctx| {
        let sql: String = ctx.get(0)?;
        // SAFETY: the statement is prepared and stepped during the call only.
        let conn = unsafe { ctx.get_connection()? };
        explain_lines(&conn, &sql).map(|lines| serde_json::Value::from(lines).to_string())
    })?;
    // A relation's schema and name within it, from its SQLite name (see
    // `translate::schemas`), and the name as PostgreSQL prints it.
    conn.create_scalar_function("pg_rel_schema", 1, pure(), |ctx| {
        let name: Option<String> = ctx.get(0)?;
        Ok(name.map(|n| schemas::relation_parts(&n).0.to_owned()))
    })?;
    conn.create_scalar_function("pg_rel_name", 1, pure(), |ctx| {
        let name: Option<String> = ctx.get(0)?;
        Ok(name.map(|n| schemas::relation_parts(&n).1.to_owned()))
    })?;
    conn.create_scalar_function("pg_rel_display", 1, pure(), |ctx| {
        let name: Option<String> = ctx.get(0)?;
        Ok(name.map(|n| schemas::display_name(&n)))
    })?;
    conn.create_scalar_function("pg_unique_name", 3, pure(), |ctx| {
        let (table, sql, cols): (String, String, String) = (ctx.get(0)?, ctx.get(1)?, ctx.get(2)?);
        Ok(tc::unique_name(&table, &sql, &cols))
    })?;
    super::proc_catalog::register(conn)?;
    super::relation_types::register(conn)?;
    // pg_view_body(create_view_sql): the view's query as pg_get_viewdef
    // gives it (a leading space, a closing semicolon, which pg_dump strips).
    conn.create_scalar_function("pg_view_body", 1, pure(), |ctx| {
        let Some(sql) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        // The PostgreSQL query as written (restorable by PostgreSQL),
        // rather than its SQLite translation.
        if let Some(source) = crate::sql::view_source::read(&sql) {
            return Ok(Some(format!(" {source};")));
        }
        Ok(crate::sql::stack::with_room_for_text(&sql, || {
            let statements =
                sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::SQLiteDialect {}, &sql);
            match statements.as_deref() {
                Ok([sqlparser::ast::Statement::CreateView(v)]) => Some(format!(" {};", v.query)),
                _ => None,
            }
        }))
    })?;
    // pg_index_part(create_index_sql, what): 0 the key list, -1 the WHERE
    // predicate, n > 0 the n-th key (see `index_def`).
    conn.create_scalar_function("pg_index_part", 2, pure(), |ctx| {
        let (Some(sql), what) = (ctx.get::<Option<String>>(0)?, ctx.get::<i64>(1)?) else {
            return Ok(None);
        };
        let Some(def) = super::index_def::parse(&sql) else {
            return Ok(None);
        };
        Ok(match what {
            0 => Some(def.key_list()),
            -1 => def.predicate,
            n => usize::try_from(n - 1)
                .ok()
                .and_then(|i| def.keys.into_iter().nth(i))
                .map(|k| k.expr),
        })
    })?;
    conn.create_scalar_function("pg_table_checks", 2, pure(), |ctx| {
        let (table, sql): (String, Option<String>) = (ctx.get(0)?, ctx.get(1)?);
        let Some(sql) = sql else {
            return Ok("[]".to_string());
        };
        // The columns' types, which decide the casts PostgreSQL prints.
        // SAFETY: a read of the schema during the call.
        let conn = unsafe { ctx.get_connection()? };
        // (Text only for `text` itself: an enum or another declared name
        // reads as text too, but PostgreSQL casts a constant to that type.)
        let types: std::collections::HashMap<String, PgType> = conn
            .prepare_cached("SELECT name, pg_decl(type, dflt_value) FROM pragma_table_xinfo(?1)")?
            .query_map([&table], |r| {
                let decl = r.get::<_, Option<String>>(1)?.unwrap_or_default();
                let ty = PgType::from_decl(&decl);
                let plain = ty != PgType::Text || decl.trim().eq_ignore_ascii_case("text");
                Ok((
                    r.get::<_, String>(0)?.to_ascii_lowercase(),
                    plain.then_some(ty),
                ))
            })?
            .filter_map(|r| match r {
                Ok((name, Some(ty))) => Some(Ok((name, ty))),
                Ok(_) => None,
                Err(e) => Some(Err(e)),
            })
            .collect::<rusqlite::Result<_>>()?;
        let column_type = |name: &str| types.get(&name.to_ascii_lowercase()).copied();
        let deparse = |e: &str| crate::sql::check_def::deparse(e, &column_type);
        Ok(tc::checks_json(&table, &sql, &deparse))
    })?;
    conn.create_scalar_function("pg_type_oid", 1, pure(), |ctx| {
        Ok(ctx
            .get::<Option<String>>(0)?
            .map(|d| i64::from(PgType::from_decl(&d).oid())))
    })?;
    conn.create_scalar_function("pg_type_mod", 1, pure(), |ctx| {
        Ok(ctx
            .get::<Option<String>>(0)?
            .map_or(-1, |d| catalog::type_mod(&d)))
    })?;
    conn.create_scalar_function("pg_type_collation", 1, pure(), |ctx| {
        Ok(oid_arg(ctx, 0)?.map_or(0, catalog::type_collation))
    })?;
    // Session-dependent, not pure: an enum's name is read from the tenant's
    // labels table.
    for n in [1, 2] {
        conn.create_scalar_function("format_type", n, session(), |ctx| {
            let typmod = if ctx.len() > 1 { ctx.get(1)? } else { None };
            let Some(oid) = oid_arg(ctx, 0)? else {
                return Ok(None);
            };
            // SAFETY: the connection outlives the call; the query only reads.
            let conn = unsafe { ctx.get_connection()? };
            if let Some(name) = enum_name(&conn, oid)? {
                return Ok(Some(crate::sql::pg_ident::quote_ident(&name)));
            }
            Ok(Some(catalog::format_type(oid, typmod)))
        })?;
    }
    conn.create_scalar_function("pg_info_data_type", 1, pure(), |ctx| {
        Ok(oid_arg(ctx, 0)?.map(catalog::info_data_type))
    })?;
    conn.create_scalar_function("pg_info_number", 3, pure(), |ctx| {
        let oid = oid_arg(ctx, 0)?.unwrap_or(0);
        let m = ctx.get::<Option<i64>>(1)?.unwrap_or(-1);
        let what: String = ctx.get(2)?;
        Ok(info_number(oid, m, &what))
    })?;
    conn.create_scalar_function("pg_default_text", 2, pure(), |ctx| {
        let dflt: Option<String> = ctx.get(0)?;
        let decl: Option<String> = ctx.get(1)?;
        Ok(dflt.map(|d| default_text(&d, decl.as_deref().unwrap_or(""))))
    })?;
    // attidentity from a column's `dflt_value` (see `serial_key`).
    conn.create_scalar_function("pg_identity", 1, pure(), |ctx| {
        let dflt: Option<String> = ctx.get(0)?;
        Ok(crate::sql::serial_key::identity(dflt.as_deref()))
    })?;
    // regclass input read from a computed text (`(schema || '.' || t)::regclass`).
    conn.create_scalar_function("pg_relation_name", 1, pure(), |ctx| {
        Ok(ctx
            .get::<Option<String>>(0)?
            .map(|t| crate::sql::pg_ident::relation_name(&t)))
    })?;
    // regtype input: a built-in type's name or an enum's, either possibly
    // quoted and qualified (`"pg_catalog"."int8"`, `public.mood`).
    conn.create_scalar_function("pg_to_regtype", 1, session(), |ctx| {
        let Some(text) = ctx.get::<Option<String>>(0)? else {
            return Ok(None);
        };
        let Some(name) = type_name(&text) else {
            return Ok(None);
        };
        if let Some(oid) = catalog::regtype_oid(&name) {
            return Ok(Some(i64::from(oid)));
        }
        // SAFETY: the connection outlives the call; the query only reads.
        let conn = unsafe { ctx.get_connection()? };
        enum_oid(&conn, &name)
    })?;
    // Session-dependent: a user schema's name is read from its table.
    conn.create_scalar_function("pg_regnamespace_name", 1, session(), |ctx| {
        let Some(oid) = ctx.get::<Option<i64>>(0)? else {
            return Ok(None);
        };
        Ok(Some(match oid {
            11 => "pg_catalog".to_string(),
            2200 => "public".to_string(),
            13000 => "information_schema".to_string(),
            other => {
                // SAFETY: the connection outlives the call; the query only reads.
                let conn = unsafe { ctx.get_connection()? };
                use rusqlite::OptionalExtension;
                let name: Option<String> = conn
                    .prepare_cached("SELECT name FROM pgcat__schema WHERE rowid = ?1 - 9000000")?
                    .query_row([other], |r| r.get(0))
                    .optional()?;
                name.unwrap_or_else(|| other.to_string())
            }
        }))
    })?;
    conn.create_scalar_function("pg_encoding_to_char", 1, pure(), |ctx| {
        Ok(match ctx.get::<Option<i64>>(0)? {
            Some(6) => Some("UTF8"),
            Some(0) => Some("SQL_ASCII"),
            Some(_) => Some(""),
            None => None,
        })
    })?;
    conn.create_scalar_function("version", 0, pure(), |_| Ok(VERSION))?;
    // The only encoding a session speaks (client_encoding accepts no other).
    conn.create_scalar_function("pg_client_encoding", 0, pure(), |_| Ok("UTF8"))?;
    conn.create_scalar_function("current_schemas", 1, pure(), |ctx| {
        Ok(if ctx.get::<Option<bool>>(0)?.unwrap_or(false) {
            r#"["pg_catalog","public"]"#
        } else {
            r#"["public"]"#
        })
    })?;
    conn.create_scalar_function("array_position", 2, pure(), |ctx| {
        let arr: Option<String> = ctx.get(0)?;
        let needle = ctx.get::<Value>(1)?;
        let Some(arr) = arr else { return Ok(None) };
        let items: Vec<serde_json::Value> = serde_json::from_str(&arr).unwrap_or_default();
        Ok(items
            .iter()
            .position(|v| json_eq(v, &needle))
            .map(|i| i as i64 + 1))
    })?;
    // array_positions(arr, x): every position of x, as an int[] (JSON).
    conn.create_scalar_function("array_positions", 2, pure(), |ctx| {
        let arr: Option<String> = ctx.get(0)?;
        let needle = ctx.get::<Value>(1)?;
        let Some(arr) = arr else { return Ok(None) };
        let items: Vec<serde_json::Value> = serde_json::from_str(&arr).unwrap_or_default();
        let found: Vec<i64> = items
            .iter()
            .enumerate()
            .filter(|(_, v)| json_eq(v, &needle))
            .map(|(i, _)| i as i64 + 1)
            .collect();
        Ok(Some(serde_json::Value::from(found).to_string()))
    })?;
    for n in [2, 3] {
        conn.create_scalar_function("array_to_string", n, pure(), |ctx| {
            let arr: Option<String> = ctx.get(0)?;
            let sep: Option<String> = ctx.get(1)?;
            let null: Option<String> = if ctx.len() > 2 { ctx.get(2)? } else { None };
            let (Some(arr), Some(sep)) = (arr, sep) else {
                return Ok(None);
            };
            let items: Vec<serde_json::Value> = serde_json::from_str(&arr).unwrap_or_default();
            let parts: Vec<String> = items
                .iter()
                .filter_map(|v| match v {
                    serde_json::Value::Null => null.clone(),
                    serde_json::Value::String(s) => Some(s.clone()),
                    other => Some(other.to_string()),
                })
                .collect();
            Ok(Some(parts.join(&sep)))
        })?;
    }
    // A no-op outside a tenant session (which registers its own: server::notify).
    conn.create_scalar_function("pg_notify", 2, pure(), |_| Ok(""))?;
    // The database's files: the SQLite file and its write-ahead log.
    let path = conn
        .path()
        .filter(|p| !p.is_empty())
        .map(std::path::PathBuf::from);
    conn.create_scalar_function("pg_database_size", 1, session(), move |_| {
        let size = |p: &std::path::Path| std::fs::metadata(p).map_or(0, |m| m.len() as i64);
        Ok(path.as_ref().map(|p| {
            let mut wal = p.clone().into_os_string();
            wal.push("-wal");
            size(p) + size(std::path::Path::new(&wal))
        }))
    })?;
    conn.create_scalar_function("pg_size_pretty", 1, pure(), |ctx| {
        Ok(ctx.get::<Option<i64>>(0)?.map(size_pretty))
    })?;
    // The bounds of a (JSON text) array: each dimension's length, from the
    // first element at each level; lower bounds are always 1 here.
    conn.create_scalar_function("array_upper", 2, pure(), |ctx| {
        let dim: Option<i64> = ctx.get(1)?;
        Ok(array_shape(ctx.get(0)?).and_then(|shape| {
            let d = usize::try_from(dim?).ok()?.checked_sub(1)?;
            shape.get(d).map(|&n| n as i64)
        }))
    })?;
    conn.create_scalar_function("array_lower", 2, pure(), |ctx| {
        let dim: Option<i64> = ctx.get(1)?;
        Ok(array_shape(ctx.get(0)?)
            .and_then(|shape| (dim? >= 1 && dim? as usize <= shape.len()).then_some(1)))
    })?;
    conn.create_scalar_function("array_ndims", 1, pure(), |ctx| {
        Ok(array_shape(ctx.get(0)?).map(|shape| shape.len() as i64))
    })?;
    conn.create_scalar_function("array_dims", 1, pure(), |ctx| {
        Ok(array_shape(ctx.get(0)?)
            .map(|shape| shape.iter().map(|n| format!("[1:{n}]")).collect::<String>()))
    })?;
    // Visible: a relation of `public`, or with a second argument (the
    // translation's search path, as a JSON list), of a schema it names.
    // psql's `\dt` lists only visible ones.
    for n in [1, 2] {
        conn.create_scalar_function("pg_table_is_visible", n, session(), |ctx| {
            let Some(oid) = ctx.get::<Option<i64>>(0)? else {
                return Ok(None);
            };
            let path: Vec<String> = if ctx.len() > 1 {
                serde_json::from_str(&ctx.get::<String>(1)?).unwrap_or_default()
            } else {
                vec!["public".to_owned()]
            };
            // SAFETY: the connection outlives the call; the query only reads.
            let conn = unsafe { ctx.get_connection()? };
            use rusqlite::OptionalExtension;
            let name: Option<String> = conn
                .prepare_cached("SELECT name FROM main.sqlite_schema WHERE rowid = ?1 - 16384")?
                .query_row([oid], |r| r.get(0))
                .optional()?;
            Ok(Some(name.is_none_or(|n| {
                let schema = crate::sql::translate::schemas::relation_parts(&n).0;
                path.iter().any(|p| p == schema)
            })))
        })?;
    }
    // Identity-like answers: objects other than relations live in one
    // schema and a tenant has no privileges system inside it (the tenant's
    // owner role may do everything).
    for (name, value) in [
        ("pg_type_is_visible", 1),
        ("pg_function_is_visible", 1),
        ("pg_collation_is_visible", 1),
        ("pg_operator_is_visible", 1),
        ("pg_opclass_is_visible", 1),
        ("pg_opfamily_is_visible", 1),
        ("pg_conversion_is_visible", 1),
        ("pg_statistics_obj_is_visible", 1),
        ("has_table_privilege", 1),
        ("has_schema_privilege", 1),
        ("has_database_privilege", 1),
        ("has_column_privilege", 1),
        ("has_any_column_privilege", 1),
        ("has_sequence_privilege", 1),
        ("pg_is_in_recovery", 0),
        ("pg_relation_is_publishable", 0),
    ] {
        conn.create_scalar_function(name, -1, pure(), move |_| Ok(value))?;
    }
    // obj_description and col_description read pg_description (the
    // translator rewrites them, `translate::catalog`); no shared object
    // has a comment.
    // No object has privileges other than its owner's defaults, which
    // pg_dump then does not write out (NULL: "the default").
    for name in [
        "acldefault",
        "pg_get_function_sqlbody",
        "shobj_description",
        "pg_get_statisticsobjdef_columns",
        "pg_get_triggerdef",
        "pg_get_partkeydef",
    ] {
        conn.create_scalar_function(name, -1, pure(), |_| Ok(None::<String>))?;
    }
    // No sessions until the server registers the tenant's own (server::activity).
    conn.create_scalar_function("pg_tenant_activity", 0, session(), |_| Ok("[]"))?;
    // A table that is not a partition has no ancestors but itself.
    conn.create_scalar_function("pg_partition_ancestors", 1, pure(), |ctx| {
        ctx.get::<Value>(0)
    })?;
    Ok(())
}

/// An array element compared with a value as array_position does: IS NOT
/// DISTINCT FROM (a NULL finds a NULL).
fn json_eq(v: &serde_json::Value, needle: &Value) -> bool {
    match (v, needle) {
        (serde_json::Value::Null, Value::Null) => true,
        (serde_json::Value::String(s), Value::Text(t)) => s == t,
        (serde_json::Value::Number(n), Value::Integer(i)) => n.as_i64() == Some(*i),
        (serde_json::Value::Number(n), Value::Real(r)) => n.as_f64() == Some(*r),
        (serde_json::Value::Bool(b), Value::Integer(i)) => i64::from(*b) == *i,
        _ => false,
    }
}

/// information_schema's numeric facts of a column type.
fn info_number(oid: u32, typmod: i64, what: &str) -> Option<i64> {
    let m = (typmod >= 4).then_some(typmod - 4);
    match (what, oid) {
        ("length", 1042 | 1043) => m,
        ("octets", 1042 | 1043) => m.map(|n| n * 4).or(Some(1_073_741_824)),
        ("octets", 25) => Some(1_073_741_824),
        ("precision", 21) => Some(16),
        ("precision", 23) => Some(32),
        ("precision", 20) => Some(64),
        ("precision", 700) => Some(24),
        ("precision", 701) => Some(53),
        ("precision", 1700) => m.map(|m| m >> 16),
        ("radix", 21 | 23 | 20 | 700 | 701) => Some(2),
        ("radix", 1700) => Some(10),
        ("scale", 21 | 23 | 20) => Some(0),
        ("scale", 1700) => m.map(|m| m & 0xffff),
        ("datetime", 1082) => Some(0),
        ("datetime", 1083 | 1114 | 1184) if typmod >= 0 => Some(typmod),
        ("datetime", 1083 | 1114 | 1184 | 1266 | 1186) => Some(6),
        _ => None,
    }
}

/// A stored SQLite default as PostgreSQL would print it: booleans as
/// `true`/`false`, the translated `now()` as `now()`, string literals with
/// their type cast.
fn default_text(dflt: &str, decl: &str) -> String {
    let t = PgType::from_decl(decl);
    let d = dflt.trim();
    let mut inner = d
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(d);
    // An identity column: its sequence's nextval, cast to the type that
    // marks it (see `serial_key`).
    if let Some(value) = crate::sql::serial_key::unmarked(inner) {
        inner = value;
    }
    if let Some(spelling) = crate::sql::default_spelling::spelled(inner) {
        return spelling;
    }
    // (The second: the form tables created before pg_now() keep.)
    if inner == "pg_now()" || inner.starts_with("strftime('%Y-%m-%d %H:%M:%f', 'now')") {
        return "now()".into();
    }
    // (The second: the form tables created before session time zones keep.)
    if inner.starts_with("date(pg_tz_local(pg_now()))") || inner.starts_with("date('now')") {
        return "CURRENT_DATE".into();
    }
    // A sequence default, as PostgreSQL prints it.
    if let Some(name) = inner
        .strip_prefix("pg_nextval('")
        .and_then(|s| s.strip_suffix("')"))
    {
        // regclass prints the name quoted where it needs quotes.
        let name = crate::sql::translate::schemas::display_name(name);
        return format!("nextval('{name}'::regclass)");
    }
    // What gen_random_uuid() and uuid_generate_v4() become
    // (`translate::functions`): one expression, printed as the first.
    if is_uuid_v4(inner) {
        return "gen_random_uuid()".into();
    }
    match (t, d) {
        (PgType::Bool, "0") => "false".into(),
        (PgType::Bool, "1") => "true".into(),
        _ if t.is_numeric() => numeric_default(t, d),
        // A quoted literal of any non-numeric type prints with its cast
        // (`'{}'::jsonb`, `'active'::character varying`).
        _ if t == PgType::Unknown => d.to_string(),
        _ if d.starts_with('\'') => {
            let cast = catalog::format_type(t.oid(), None);
            match t {
                PgType::Array(_) => format!("{}::{cast}", array_literal(d, t)),
                _ => format!("{d}::{cast}"),
            }
        }
        _ => d.to_string(),
    }
}

/// An array default stored as JSON text (`'[]'`, see the translation of
/// column defaults) as PostgreSQL's array literal, quoted (`'{}'`).
fn array_literal(quoted: &str, t: PgType) -> String {
    let Some(json) = quoted
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .map(|v| v.replace("''", "'"))
    else {
        return quoted.to_string();
    };
    let mut buf = bytes::BytesMut::new();
    let encoded = crate::sql::encode::encode_field(
        &mut buf,
        rusqlite::types::ValueRef::Text(json.as_bytes()),
        t,
        false,
    );
    // encode_field writes the wire form: a 4-byte length first.
    match (encoded, buf.get(4..).map(std::str::from_utf8)) {
        (Ok(()), Some(Ok(text))) => format!("'{}'", text.replace('\'', "''")),
        _ => quoted.to_string(),
    }
}

/// A type name as regtype input reads it: quoted parts keep their case,
/// others fold to lower case, and the `pg_catalog` or `public` schema goes
/// (`None`: another schema, which has no types here).
fn type_name(text: &str) -> Option<String> {
    match crate::sql::pg_ident::parse_qualified(text).as_slice() {
        [name] => Some(name.clone()),
        [schema, name] if schema == "pg_catalog" || schema == "public" => Some(name.clone()),
        _ => None,
    }
}

/// The OID pg_type gives the enum `name` (`catalog::ENUM_OID` plus its
/// first label's rowid), if the tenant has one.
pub(super) fn enum_oid(conn: &Connection, name: &str) -> rusqlite::Result<Option<i64>> {
    if !has_relation(conn, "pgcat__enum")? && !temp_relation(conn, "pgcat__enum")? {
        return Ok(None);
    }
    conn.prepare_cached("SELECT ?1 + min(rowid) FROM pgcat__enum WHERE type = ?2")?
        .query_row(rusqlite::params![catalog::ENUM_OID, name], |r| r.get(0))
}

/// The enum an OID from `enum_oid` stands for.
fn enum_name(conn: &Connection, oid: u32) -> rusqlite::Result<Option<String>> {
    let oid = i64::from(oid);
    if !(catalog::ENUM_OID..catalog::ENUM_LABEL_OID).contains(&oid)
        || (!has_relation(conn, "pgcat__enum")? && !temp_relation(conn, "pgcat__enum")?)
    {
        return Ok(None);
    }
    use rusqlite::OptionalExtension;
    conn.prepare_cached("SELECT type FROM pgcat__enum WHERE rowid = ?1")?
        .query_row([oid - catalog::ENUM_OID], |r| r.get(0))
        .optional()
}

/// Whether this connection has a temporary table of that name.
fn temp_relation(conn: &Connection, name: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached("SELECT EXISTS (SELECT 1 FROM temp.sqlite_schema WHERE name = ?1)")?
        .query_row([name], |r| r.get(0))
}

/// Whether a stored default is the translation of a random UUID.
fn is_uuid_v4(expr: &str) -> bool {
    let squeeze = |s: &str| -> String {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_lowercase)
            .collect()
    };
    squeeze(expr) == squeeze(crate::sql::translate::UUID_V4_SQL)
}

/// A number default as PostgreSQL prints the constant (ruleutils'
/// get_const_expr): the literal is the column's type when quoted
/// (`'5'::bigint`, but an integer's `'0'` prints `0` and a numeric's
/// `'1.5'` prints `1.5`), else an integer (a bigint past int4) or a
/// numeric, whose cast to the column's type does not print; a negative
/// integer or numeric is quoted and cast.
fn numeric_default(t: PgType, d: &str) -> String {
    let quoted = d
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .map(|v| v.replace("''", "'"));
    let (value, of) = match &quoted {
        Some(v) => (v.trim().to_owned(), t),
        None => match d.parse::<i64>() {
            Ok(n) if i32::try_from(n).is_ok() => (n.to_string(), PgType::Int4),
            Ok(n) => (n.to_string(), PgType::Int8),
            Err(_) => (d.to_owned(), PgType::Numeric),
        },
    };
    let labelled = |v: &str| format!("'{v}'::{}", catalog::format_type(of.oid(), None));
    match of {
        PgType::Int4 => match value.parse::<i32>() {
            Ok(n) if n >= 0 => n.to_string(),
            Ok(n) => labelled(&n.to_string()),
            Err(_) => d.to_owned(),
        },
        PgType::Numeric
            if value.starts_with(|c: char| c.is_ascii_digit())
                && value.contains(['.', 'e', 'E']) =>
        {
            value
        }
        PgType::Int2 | PgType::Int8 => match value.parse::<i64>() {
            Ok(n) => labelled(&n.to_string()),
            Err(_) => d.to_owned(),
        },
        _ => labelled(&value),
    }
}

/// PostgreSQL's `pg_size_pretty(bigint)`: bytes below 10 kB, then the
/// largest unit that keeps the number under 10240, rounded half up.
fn size_pretty(size: i64) -> String {
    const LIMIT: i64 = 10 * 1024;
    const LIMIT2: i64 = LIMIT * 2 - 1;
    let half_rounded = |x: i64| (x + if x < 0 { -1 } else { 1 }) / 2;
    if size.abs() < LIMIT {
        return format!("{size} bytes");
    }
    // One extra bit kept for the rounding.
    let mut size = size >> 9;
    for unit in ["kB", "MB", "GB", "TB"] {
        if size.abs() < LIMIT2 {
            return format!("{} {unit}", half_rounded(size));
        }
        size >>= 10;
    }
    format!("{} PB", half_rounded(size))
}

/// The lengths of an array's dimensions (JSON text: nested arrays are the
/// inner dimensions); `None` for NULL and for an empty array, which has no
/// dimensions in PostgreSQL.
fn array_shape(array: Option<String>) -> Option<Vec<usize>> {
    let value: serde_json::Value = serde_json::from_str(&array?).ok()?;
    let mut shape = Vec::new();
    let mut level = &value;
    while let serde_json::Value::Array(items) = level {
        if items.is_empty() {
            break;
        }
        shape.push(items.len());
        level = &items[0];
    }
    (!shape.is_empty()).then_some(shape)
}

/// `EXPLAIN QUERY PLAN` of `sql` as lines: a node under another is
/// indented and marked `->`, as PostgreSQL draws its plan tree.
fn explain_lines(conn: &Connection, sql: &str) -> rusqlite::Result<Vec<String>> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
    // Its parameters stay unbound: a plan does not read them.
    let mut rows = stmt.raw_query();
    let mut depths: Vec<(i64, usize)> = Vec::new();
    let mut lines = Vec::new();
    while let Some(row) = rows.next()? {
        let (id, parent, detail): (i64, i64, String) = (row.get(0)?, row.get(1)?, row.get(3)?);
        let depth = depths
            .iter()
            .rev()
            .find(|(i, _)| *i == parent)
            .map_or(0, |(_, d)| d + 1);
        depths.push((id, depth));
        lines.push(match depth {
            0 => detail,
            d => format!("{}->  {detail}", " ".repeat(6 * (d - 1) + 2)),
        });
    }
    if lines.is_empty() {
        lines.push("Result".to_owned());
    }
    Ok(lines)
}

/// `(a * 2)` without its enclosing parentheses; other text as it is
/// (`(a) + (b)` keeps them: the first one closes early).
fn outer_parens_dropped(expr: &str) -> &str {
    let bytes = expr.as_bytes();
    if bytes.first() != Some(&b'(') || bytes.last() != Some(&b')') {
        return expr;
    }
    let (mut depth, mut quoted) = (0usize, false);
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'\'' => quoted = !quoted,
            b'(' if !quoted => depth += 1,
            b')' if !quoted => {
                depth = depth.saturating_sub(1);
                if depth == 0 && i + 1 < bytes.len() {
                    return expr;
                }
            }
            _ => {}
        }
    }
    &expr[1..expr.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conn() -> Connection {
        let mut c = Connection::open_in_memory().unwrap();
        crate::backend::sqlite::functions::register(&c).unwrap();
        crate::backend::sqlite::pgfuncs::register(&c).unwrap();
        register(&c).unwrap();
        crate::backend::sqlite::guard::install(&mut c).unwrap();
        c
    }

    #[test]
    fn views_install_under_the_guard_and_stay_live() {
        let c = conn();
        c.execute_batch(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, email varchar(100) NOT NULL UNIQUE);
             CREATE TABLE todo (id INTEGER PRIMARY KEY, title text NOT NULL, done boolean DEFAULT 0,
               owner_id int4 REFERENCES users (id));
             CREATE INDEX todo_title_idx ON todo (title);",
        )
        .unwrap();
        install(&c).unwrap();
        install(&c).unwrap();
        let names: Vec<String> = c
            .prepare("SELECT relname || ':' || relkind FROM pgcat_pg_class ORDER BY relname")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        // A serial key's sequence is listed, as PostgreSQL lists it.
        assert_eq!(
            names,
            [
                "todo:r",
                "todo_id_seq:S",
                "todo_pkey:i",
                "todo_title_idx:i",
                "users:r",
                "users_email_key:i",
                "users_id_seq:S",
                "users_pkey:i",
            ]
        );
        let fk: String = c
            .query_row(
                "SELECT condef FROM pgcat__con WHERE contype = 'f'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(fk, "FOREIGN KEY (owner_id) REFERENCES users(id)");
        c.execute_batch("CREATE TABLE later (x int)").unwrap();
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM pgcat_pg_class WHERE relname = 'later'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1);
        for rel in catalog::relations() {
            c.prepare(&format!("SELECT * FROM {}", rel.view))
                .and_then(|mut s| s.query([]).map(|_| ()))
                .unwrap_or_else(|e| panic!("{}: {e}", rel.view));
        }
    }

    #[test]
    fn defaults_print_as_postgresql() {
        assert_eq!(default_text("0", "boolean"), "false");
        assert_eq!(
            default_text("(strftime('%Y-%m-%d %H:%M:%f', 'now'))", "timestamp"),
            "now()"
        );
        assert_eq!(default_text("(pg_now())", "timestamptz"), "now()");
        assert_eq!(default_text("'x'", "text"), "'x'::text");
    }
}
