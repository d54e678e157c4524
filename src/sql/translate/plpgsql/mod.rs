//! PL/pgSQL trigger functions: `CREATE FUNCTION f() RETURNS trigger ...
//! LANGUAGE plpgsql` keeps the function's source in the tenant's
//! `pgcat__function` table; `CREATE TRIGGER ... EXECUTE FUNCTION f()` asks
//! the connection (`pg_create_trigger`, in `backend::sqlite::plpgsql`) to
//! read it and create the SQLite triggers [`trigger_sql`] compiles (see
//! `compile`). The common uses run: stamping `updated_at`, deriving
//! columns, refusing rows with RAISE, skipping them with RETURN NULL,
//! writing audit rows. SQLite applies the function's changes to NEW just
//! after the row is written, so RETURNING reads such rows again.

pub(super) mod compile;
mod parse;

use sqlparser::ast::{
    CreateFunction, CreateFunctionBody, CreateTrigger, DataType, Expr, FunctionReturnType,
    Statement, TriggerEvent, TriggerExecBody, TriggerObjectKind, TriggerPeriod, Value,
};

use super::ast::base_name;
use super::error::{other, unsupported};
use super::TranslateError;
use crate::sql::{quote_ident, quote_literal};
use compile::Event;

/// The table keeping trigger functions' source.
pub const FUNCTION_TABLE: &str = "CREATE TABLE IF NOT EXISTS main.pgcat__function (\
     name TEXT PRIMARY KEY, source TEXT NOT NULL)";

/// Stands for `RAISE(IGNORE)` until the trigger's text is written (the
/// translator does not know SQLite's RAISE).
const SKIP_MARKER: &str = "pgtenant_raise_ignore";

/// A function's `AS '...'` / `AS $$...$$` body (`None`: another form).
pub(super) fn string_body(f: &CreateFunction) -> Result<Option<String>, TranslateError> {
    match &f.function_body {
        Some(CreateFunctionBody::AsBeforeOptions { body, .. })
        | Some(CreateFunctionBody::AsAfterOptions(body)) => match body {
            Expr::Value(v) => match &v.value {
                Value::SingleQuotedString(s) => Ok(Some(s.clone())),
                Value::DollarQuotedString(d) => Ok(Some(d.value.clone())),
                _ => Err(other("42601", "function body must be a string")),
            },
            _ => Err(other("42601", "function body must be a string")),
        },
        _ => Ok(None),
    }
}

/// Whether a CREATE FUNCTION makes a trigger function (`RETURNS trigger`).
pub(super) fn returns_trigger(f: &CreateFunction) -> bool {
    matches!(&f.return_type,
        Some(FunctionReturnType::DataType(DataType::Custom(name, _))) if base_name(name) == "trigger")
        || matches!(
            &f.return_type,
            Some(FunctionReturnType::DataType(DataType::Trigger))
        )
}

/// `CREATE [OR REPLACE] FUNCTION f() RETURNS trigger ... LANGUAGE plpgsql`:
/// the statements storing it, after its body parsed.
pub(super) fn create_function(f: &CreateFunction) -> Result<Vec<String>, TranslateError> {
    let language = f.language.as_ref().map(|l| l.value.to_ascii_lowercase());
    if language.as_deref() != Some("plpgsql") {
        return Err(unsupported(
            "trigger functions in a language other than PL/pgSQL",
        ));
    }
    if f.args.as_ref().is_some_and(|a| !a.is_empty()) {
        return Err(unsupported("trigger functions with arguments"));
    }
    let Some(source) = string_body(f)? else {
        return Err(other("42601", "no function body specified"));
    };
    parse::body(&source)?;
    super::schemas::function_in_public(&f.name)?;
    let name = base_name(&f.name);
    let mut out = vec![FUNCTION_TABLE.to_owned()];
    if !f.or_replace {
        out.push(format!(
            "SELECT pg_raise('42723', {}) WHERE EXISTS (SELECT 1 FROM main.pgcat__function WHERE name = {})",
            quote_literal(&format!("function \"{name}\" already exists with same argument types")),
            quote_literal(&name)
        ));
    }
    out.push(format!(
        "INSERT INTO main.pgcat__function (name, source) VALUES ({}, {}) \
         ON CONFLICT (name) DO UPDATE SET source = excluded.source",
        quote_literal(&name),
        quote_literal(&source)
    ));
    Ok(out)
}

/// A trigger as `pg_create_trigger` receives it.
pub struct TriggerSpec {
    pub name: String,
    pub table: String,
    pub before: bool,
    /// `i`, `u`, `d` for the events.
    pub events: String,
    /// `UPDATE OF` columns, comma-separated (empty: any).
    pub update_of: String,
    /// The WHEN condition's PostgreSQL text.
    pub when: Option<String>,
    pub function: String,
    pub replace: bool,
    /// The table's columns (filled by the connection).
    pub columns: Vec<String>,
}

/// `CREATE TRIGGER ... EXECUTE FUNCTION f()`: the statement asking the
/// connection to create it.
pub(super) fn create_trigger(t: &CreateTrigger) -> Result<Vec<String>, TranslateError> {
    let before = match t.period {
        Some(TriggerPeriod::Before) => true,
        Some(TriggerPeriod::After) => false,
        _ => return Err(unsupported("INSTEAD OF triggers")),
    };
    if !matches!(
        t.trigger_object,
        Some(TriggerObjectKind::ForEach(
            sqlparser::ast::TriggerObject::Row
        )) | Some(TriggerObjectKind::For(sqlparser::ast::TriggerObject::Row))
    ) {
        return Err(unsupported("FOR EACH STATEMENT triggers"));
    }
    if t.is_constraint || !t.referencing.is_empty() {
        return Err(unsupported("constraint triggers and REFERENCING"));
    }
    let mut events = String::new();
    let mut update_of = Vec::new();
    for e in &t.events {
        match e {
            TriggerEvent::Insert => events.push('i'),
            TriggerEvent::Update(cols) => {
                events.push('u');
                update_of.extend(cols.iter().map(|c| c.value.clone()));
            }
            TriggerEvent::Delete => events.push('d'),
            TriggerEvent::Truncate => return Err(unsupported("TRUNCATE triggers")),
        }
    }
    let Some(TriggerExecBody { func_desc, .. }) = &t.exec_body else {
        return Err(unsupported("triggers without EXECUTE FUNCTION"));
    };
    if func_desc.args.as_ref().is_some_and(|a| !a.is_empty()) {
        return Err(unsupported("trigger function arguments"));
    }
    let arg = |s: &str| quote_literal(s);
    // Two statements: run as a batch, the call's row is not a result.
    Ok(vec![
        FUNCTION_TABLE.to_owned(),
        format!(
            "SELECT pg_create_trigger({}, {}, {}, {}, {}, {}, {}, {})",
            arg(&base_name(&t.name)),
            arg(&base_name(&t.table_name)),
            u8::from(before),
            arg(&events),
            arg(&update_of.join(",")),
            t.condition
                .as_ref()
                .map_or("NULL".to_owned(), |c| quote_literal(&c.to_string())),
            arg(&base_name(&func_desc.name)),
            u8::from(t.or_replace),
        ),
    ])
}

/// The SQLite trigger names one PostgreSQL trigger may have.
pub fn sqlite_names(table: &str, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    for event in ['i', 'u', 'd'] {
        for when in ['b', 'a', 'r'] {
            out.push(quote_ident(&format!(
                "pgtenant_trg__{table}__{name}__{event}{when}"
            )));
        }
    }
    out
}

/// The SQLite statements creating `spec` running the function `source`.
pub fn trigger_sql(spec: &TriggerSpec, source: &str) -> Result<Vec<String>, TranslateError> {
    let stmts = parse::body(source)?;
    let _rows = super::scopes::TriggerRows::on(&spec.table);
    let q_table = quote_ident(&spec.table);
    let mut when = match &spec.when {
        Some(text) => {
            let mut e = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
                .try_with_sql(text)
                .and_then(|mut p| p.parse_expr())
                .map_err(|e| other("42601", e.to_string()))?;
            super::rewrite::rewrite_expression(&mut e)?;
            format!(" AND ({e})")
        }
        None => String::new(),
    };
    when.insert_str(0, " WHEN pgtenant_applying() = 0");
    // Each SQLite trigger carries the PostgreSQL trigger it stands for, for
    // pg_trigger and pg_get_triggerdef (SQLite keeps comments in its text).
    let marker = marker(spec);
    let mut out = Vec::new();
    if spec.replace {
        out.extend(
            sqlite_names(&spec.table, &spec.name)
                .into_iter()
                .map(|n| format!("DROP TRIGGER IF EXISTS {n}")),
        );
    }
    // Whether the function changes NEW before the row is written.
    let mut rewrites_rows = false;
    for (letter, event) in [
        ('i', Event::Insert),
        ('u', Event::Update),
        ('d', Event::Delete),
    ] {
        if !spec.events.contains(letter) {
            continue;
        }
        let compiled = compile::compile(&stmts, &spec.table, &spec.columns, event, spec.before)?;
        let of = match (event, spec.update_of.is_empty()) {
            (Event::Update, false) => {
                let cols: Vec<String> = spec.update_of.split(',').map(quote_ident).collect();
                format!(" OF {}", cols.join(", "))
            }
            _ => String::new(),
        };
        let name = |w: char| {
            quote_ident(&format!(
                "pgtenant_trg__{}__{}__{letter}{w}",
                spec.table, spec.name
            ))
        };
        let ev = event.keyword();
        if !compiled.before.is_empty() {
            let body = compiled
                .before
                .into_iter()
                .map(translated)
                .collect::<Result<Vec<_>, _>>()?;
            let timing = if spec.before { "BEFORE" } else { "AFTER" };
            out.push(format!(
                "CREATE TRIGGER {} {timing} {ev}{of} ON {q_table} FOR EACH ROW{when} BEGIN {marker} {}; END",
                name(if spec.before { 'b' } else { 'a' }),
                body.join("; ")
            ));
        }
        rewrites_rows |= spec.before && event != Event::Delete && !compiled.assigned.is_empty();
        if !compiled.assigned.is_empty() {
            // The row as stored is NEW: its columns by their bare names are
            // typed by the table (numeric scales, booleans print right).
            let sets: Vec<String> = compiled
                .assigned
                .into_iter()
                .map(|(c, v)| format!("{} = {}", quote_ident(&c), own_columns(v)))
                .collect();
            let update = format!(
                "UPDATE {q_table} SET {} WHERE rowid = NEW.rowid",
                sets.join(", ")
            );
            let update = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
                .try_with_sql(&update)
                .and_then(|mut p| p.parse_statement())
                .map_err(|e| other("42601", e.to_string()))?;
            out.push(format!(
                "CREATE TRIGGER {} AFTER {ev}{of} ON {q_table} FOR EACH ROW{when} BEGIN {marker} \
                 SELECT pgtenant_applying(1); {}; SELECT pgtenant_applying(-1); END",
                name('a'),
                translated(update)?
            ));
        }
    }
    if rewrites_rows {
        // SQLite's RETURNING shows a row before its write-back: the rows
        // noted here are read again for it (`exec::stored_rows`). Inserts
        // and updates both, as one upsert may do either.
        for (letter, ev) in [('i', "INSERT"), ('u', "UPDATE")] {
            out.push(format!(
                "CREATE TRIGGER {} AFTER {ev} ON {q_table} FOR EACH ROW WHEN pgtenant_applying() = 0 \
                 BEGIN SELECT pgtenant_stored_row({}, NEW.rowid); END",
                quote_ident(&format!(
                    "pgtenant_trg__{}__{}__{letter}r",
                    spec.table, spec.name
                )),
                quote_literal(&spec.table)
            ));
        }
    }
    if !out.iter().any(|s| s.starts_with("CREATE TRIGGER")) {
        // Nothing to run (the function only returns): the trigger still
        // exists, for pg_trigger and DROP TRIGGER.
        let letter = spec.events.chars().next().unwrap_or('i');
        let ev = match letter {
            'u' => "UPDATE",
            'd' => "DELETE",
            _ => "INSERT",
        };
        out.push(format!(
            "CREATE TRIGGER {} AFTER {ev} ON {q_table} FOR EACH ROW WHEN 0 BEGIN {marker} SELECT 1; END",
            quote_ident(&format!("pgtenant_trg__{}__{}__{letter}a", spec.table, spec.name))
        ));
    }
    Ok(out)
}

/// Starts the comment naming the PostgreSQL trigger (see [`trigger_meta`]).
pub const MARKER: &str = "/* pgtenant:trigger ";

/// `/* pgtenant:trigger {"name":..,"type":..,"def":..} */`: tgname, tgtype
/// (row 1, before 2, insert 4, delete 8, update 16) and pg_get_triggerdef's text.
fn marker(spec: &TriggerSpec) -> String {
    let mut events = Vec::new();
    let mut tgtype = 1;
    if spec.before {
        tgtype |= 2;
    }
    for (letter, bit, word) in [('i', 4, "INSERT"), ('d', 8, "DELETE"), ('u', 16, "UPDATE")] {
        if spec.events.contains(letter) {
            tgtype |= bit;
            events.push(match (letter, spec.update_of.is_empty()) {
                ('u', false) => format!("UPDATE OF {}", spec.update_of.replace(',', ", ")),
                _ => word.to_owned(),
            });
        }
    }
    let when = spec
        .when
        .as_ref()
        .map_or(String::new(), |w| format!(" WHEN ({w})"));
    let def = format!(
        "CREATE TRIGGER {} {} {} ON public.{} FOR EACH ROW{when} EXECUTE FUNCTION {}()",
        crate::sql::pg_ident::quote_ident(&spec.name),
        if spec.before { "BEFORE" } else { "AFTER" },
        events.join(" OR "),
        crate::sql::pg_ident::quote_ident(&spec.table),
        crate::sql::pg_ident::quote_ident(&spec.function),
    );
    let json = serde_json::json!({"name": spec.name, "type": tgtype, "def": def}).to_string();
    // A `*/` inside would end the comment: JSON may escape the slash.
    format!("{MARKER}{} */", json.replace("*/", "*\\/"))
}

/// A field of the trigger a SQLite trigger's text names (see [`marker`]).
pub fn trigger_meta(sql: &str, field: &str) -> Option<serde_json::Value> {
    let start = sql.find(MARKER)? + MARKER.len();
    let end = start + sql[start..].find(" */")?;
    let meta: serde_json::Value = serde_json::from_str(&sql[start..end]).ok()?;
    meta.get(field).cloned()
}

/// `NEW.col` as the updated row's own `col`.
fn own_columns(mut e: Expr) -> Expr {
    let _ = sqlparser::ast::visit_expressions_mut(&mut e, |x| {
        if let Expr::CompoundIdentifier(ids) = x {
            if ids.len() == 2 && ids[0].value.eq_ignore_ascii_case("new") {
                *x = Expr::Identifier(ids[1].clone());
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
    e
}

/// One statement of a trigger body in SQLite's terms.
fn translated(statement: Statement) -> Result<String, TranslateError> {
    let t = super::statement::translate_statement(super::split::Parsed::Statement(Box::new(
        statement,
    )))?;
    if !t.steps.is_empty() || !matches!(t.kind, super::StmtKind::Query { .. }) || t.sql.is_empty() {
        return Err(unsupported("this statement inside a trigger function"));
    }
    Ok(t.sql.replace(&format!("{SKIP_MARKER}()"), "RAISE(IGNORE)"))
}
