//! Name checks that keep a tenant inside its own database.
//!
//! SQLite resolves `main.x`, `temp.x` and attached-database qualifiers, so no
//! schema qualifier ever reaches it: PostgreSQL's `public` is stripped, the
//! catalog schemas are left for the catalog module, and a schema the tenant
//! made (`CREATE SCHEMA cd`) becomes part of one quoted name: `cd.members` is
//! the table `"cd.members"` of the tenant's own file (see [`user_schema_name`]).
//! Functions and tables that reach files, extensions or engine internals are
//! refused.

use super::ast::{ident_name, name_parts};
use super::error::{forbidden, no_schema, other};
use super::TranslateError;
use sqlparser::ast::{Expr, ObjectName, Statement, VisitMut, VisitorMut};
use std::ops::ControlFlow;

/// Schemas that another module emulates; names in them pass through.
const CATALOG_SCHEMAS: [&str; 2] = ["pg_catalog", "information_schema"];

/// Whether `schema` (folded) names a schema a tenant may create: not
/// `public`, not a catalog schema, not the management schema and not one
/// with PostgreSQL's reserved `pg_` prefix.
pub fn is_user_schema(schema: &str) -> bool {
    !(schema == "public"
        || schema == "pgtenant"
        || schema.starts_with("pg_")
        || CATALOG_SCHEMAS.contains(&schema))
}

/// The SQLite name of `table` in the user schema `schema`: one identifier
/// holding both, so the qualifier never reaches SQLite's own schemas.
pub(crate) fn user_schema_name(schema: &str, table: &str) -> String {
    super::schemas::qualified(schema, table)
}

/// `name` as one quoted identifier.
fn single(name: String) -> ObjectName {
    ObjectName::from(vec![sqlparser::ast::Ident::with_quote('"', name)])
}

/// Functions that touch files, load code or expose engine internals.
const FORBIDDEN_FUNCTIONS: [&str; 6] = [
    "load_extension",
    "readfile",
    "writefile",
    "fts3_tokenizer",
    "fts5",
    "edit",
];

/// Checks and normalises every table and function name in `statement`.
pub(super) fn check_statement(statement: &mut Statement) -> Result<(), TranslateError> {
    match statement.visit(&mut NameGuard::default()) {
        ControlFlow::Break(err) => Err(err),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// Strips `public.` from a table-like name and rejects other schemas and
/// SQLite-internal names. Used for names the AST visitor does not reach
/// (DROP targets, REFERENCES, RENAME TO, index names).
pub(super) fn check_table_name(name: &mut ObjectName) -> Result<(), TranslateError> {
    let parts = name_parts(name);
    match parts.as_slice() {
        [table] => {
            if let Some(resolved) = super::schemas::resolve_unqualified(table) {
                *name = single(resolved);
                return Ok(());
            }
        }
        [schema, _] if schema == "public" => {
            name.0.remove(0);
        }
        [schema, _] if CATALOG_SCHEMAS.contains(&schema.as_str()) => return Ok(()),
        [schema, table] if is_user_schema(schema) => {
            *name = single(user_schema_name(schema, table));
            return Ok(());
        }
        [schema, _] => return Err(no_schema(schema)),
        _ => {
            return Err(other(
                "0A000",
                format!("cross-database references are not implemented: {name}"),
            ))
        }
    }
    // SQLite resolves names case-insensitively, quoted or not.
    let base = parts
        .last()
        .cloned()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if base.starts_with("sqlite_")
        || base.starts_with("pragma_")
        || base.starts_with(crate::sql::catalog::VIEW_PREFIX)
    {
        return Err(forbidden(format!("access to \"{base}\"")));
    }
    Ok(())
}

/// Rejects forbidden functions and strips `pg_catalog.`/`public.` from
/// function names (SQLite functions are unqualified).
fn check_function_name(name: &mut ObjectName) -> Result<(), TranslateError> {
    let parts = name_parts(name);
    match parts.as_slice() {
        [_] => {}
        [schema, _]
            if matches!(
                schema.as_str(),
                "public" | "pg_catalog" | "information_schema"
            ) =>
        {
            name.0.remove(0);
        }
        [schema, _] => return Err(no_schema(schema)),
        _ => {
            return Err(other(
                "0A000",
                format!("cross-database references are not implemented: {name}"),
            ))
        }
    }
    // SQLite resolves function names case-insensitively, quoted or not.
    let base = parts
        .last()
        .cloned()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if base.starts_with("sqlite_") || FORBIDDEN_FUNCTIONS.contains(&base.as_str()) {
        return Err(forbidden(format!("function {base}()")));
    }
    Ok(())
}

#[derive(Default)]
struct NameGuard {
    /// WITH query names seen: a reference to one is no table to look up
    /// in the search path.
    ctes: std::collections::HashSet<String>,
    /// `(schema, table)` of the user schemas' tables the statement reads
    /// or writes: `schema.table.column` may name only these.
    schema_tables: std::collections::HashSet<(String, String)>,
}

impl VisitorMut for NameGuard {
    type Break = TranslateError;

    fn pre_visit_statement(&mut self, statement: &mut Statement) -> ControlFlow<TranslateError> {
        let refused = match statement {
            Statement::AttachDatabase { .. } | Statement::AttachDuckDBDatabase { .. } => {
                Some("ATTACH")
            }
            Statement::DetachDuckDBDatabase { .. } => Some("DETACH"),
            Statement::Pragma { .. } => Some("PRAGMA"),
            Statement::Load { .. } | Statement::Install { .. } => Some("loading extensions"),
            _ => None,
        };
        match refused {
            Some(what) => ControlFlow::Break(forbidden(what)),
            None => ControlFlow::Continue(()),
        }
    }

    fn pre_visit_query(
        &mut self,
        query: &mut sqlparser::ast::Query,
    ) -> ControlFlow<TranslateError> {
        if let Some(with) = &query.with {
            for cte in &with.cte_tables {
                self.ctes.insert(ident_name(&cte.alias.name));
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_select(
        &mut self,
        select: &mut sqlparser::ast::Select,
    ) -> ControlFlow<TranslateError> {
        use sqlparser::ast::{SelectItem, SelectItemQualifiedWildcardKind as Kind};
        // The FROM list first: the select list, visited before it, may
        // name its tables with their schema.
        for from in &select.from {
            for factor in
                std::iter::once(&from.relation).chain(from.joins.iter().map(|j| &j.relation))
            {
                if let sqlparser::ast::TableFactor::Table { name, .. } = factor {
                    if let Some(key) = self.user_table_of(name) {
                        self.schema_tables.insert(key);
                    }
                }
            }
        }
        // `public.t.*`, `cd.members.*`: the table as the FROM list exposes
        // it (by its name within the schema, see `alias_user_schema_table`).
        for item in &mut select.projection {
            if let SelectItem::QualifiedWildcard(Kind::ObjectName(name), _) = item {
                if let [schema, table] = name_parts(name).as_slice() {
                    if is_user_schema(schema)
                        && !self
                            .schema_tables
                            .contains(&(schema.clone(), table.clone()))
                    {
                        return ControlFlow::Break(missing_from_entry(table));
                    }
                    if schema == "public" || is_user_schema(schema) {
                        *name =
                            ObjectName::from(vec![sqlparser::ast::Ident::with_quote('"', table)]);
                    } else if !CATALOG_SCHEMAS.contains(&schema.as_str()) {
                        return ControlFlow::Break(no_schema(schema));
                    }
                }
            }
        }
        ControlFlow::Continue(())
    }

    fn pre_visit_relation(&mut self, relation: &mut ObjectName) -> ControlFlow<TranslateError> {
        if super::catalog::map_relation(relation) {
            return ControlFlow::Continue(());
        }
        if let [name] = name_parts(relation).as_slice() {
            if self.ctes.contains(name) {
                return ControlFlow::Continue(());
            }
        }
        into_flow(check_table_name(relation))
    }

    fn pre_visit_table_factor(
        &mut self,
        factor: &mut sqlparser::ast::TableFactor,
    ) -> ControlFlow<TranslateError> {
        super::catalog::alias_relation(factor);
        self.alias_user_schema_table(factor);
        ControlFlow::Continue(())
    }

    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<TranslateError> {
        match expr {
            Expr::Function(func) => into_flow(check_function_name(&mut func.name)),
            // `schema.table.column`
            Expr::CompoundIdentifier(ids) if ids.len() >= 3 => {
                let schema = ident_name(&ids[0]);
                // `cd.members.memid`: the table is aliased by its own name
                // (see `alias_user_schema_table`).
                if ids.len() == 3 && is_user_schema(&schema) {
                    let table = ident_name(&ids[1]);
                    if !self.schema_tables.contains(&(schema, table.clone())) {
                        return ControlFlow::Break(missing_from_entry(&table));
                    }
                    ids.remove(0);
                    ControlFlow::Continue(())
                } else if ids.len() == 3 && schema == "public" {
                    ids.remove(0);
                    ControlFlow::Continue(())
                } else if ids.len() == 3 && CATALOG_SCHEMAS.contains(&schema.as_str()) {
                    ControlFlow::Continue(())
                } else if ids.len() == 3 {
                    ControlFlow::Break(no_schema(&schema))
                } else {
                    ControlFlow::Break(other(
                        "0A000",
                        format!("cross-database references are not implemented: {expr}"),
                    ))
                }
            }
            Expr::QualifiedWildcard(name, _) if name.0.len() >= 2 => {
                if let [schema, table] = name_parts(name).as_slice() {
                    if is_user_schema(schema) {
                        if !self
                            .schema_tables
                            .contains(&(schema.clone(), table.clone()))
                        {
                            return ControlFlow::Break(missing_from_entry(table));
                        }
                        *name = ObjectName::from(vec![sqlparser::ast::Ident::new(table)]);
                        return ControlFlow::Continue(());
                    }
                }
                into_flow(check_table_name(name))
            }
            _ => ControlFlow::Continue(()),
        }
    }
}

/// PostgreSQL's 42P01 for `schema.table.column` whose table the query
/// does not read.
fn missing_from_entry(table: &str) -> TranslateError {
    other(
        "42P01",
        format!("missing FROM-clause entry for table \"{table}\""),
    )
}

impl NameGuard {
    /// `(schema, table)` when `name` is a table of a user schema: written
    /// so, or unqualified and found there by the search path.
    fn user_table_of(&self, name: &ObjectName) -> Option<(String, String)> {
        match name_parts(name).as_slice() {
            [schema, table] if is_user_schema(schema) => Some((schema.clone(), table.clone())),
            [table] if !self.ctes.contains(table) => {
                let resolved = super::schemas::resolve_unqualified(table)?;
                let (schema, _) = super::schemas::split(&resolved)?;
                Some((schema.to_owned(), table.clone()))
            }
            _ => None,
        }
    }

    /// `FROM cd.members` (or `FROM members` with `cd` on the search path)
    /// exposes the name `members` in PostgreSQL: the SQLite table
    /// `"cd.members"` gets it as its alias, so `members.memid` (and
    /// `cd.members.memid`, stripped to that) still reach it.
    fn alias_user_schema_table(&mut self, factor: &mut sqlparser::ast::TableFactor) {
        let sqlparser::ast::TableFactor::Table { name, alias, .. } = factor else {
            return;
        };
        if alias.is_some() {
            return;
        }
        if let Some(key) = self.user_table_of(name) {
            self.schema_tables.insert(key);
        }
        let table = match name_parts(name).as_slice() {
            [schema, table] if is_user_schema(schema) => table.clone(),
            [table] if !self.ctes.contains(table) => {
                match super::schemas::resolve_unqualified(table) {
                    Some(resolved) => {
                        *name = single(resolved);
                        table.clone()
                    }
                    None => return,
                }
            }
            _ => return,
        };
        *alias = Some(sqlparser::ast::TableAlias {
            explicit: true,
            at: None,
            name: sqlparser::ast::Ident::with_quote('"', table),
            columns: vec![],
        });
    }
}

fn into_flow(result: Result<(), TranslateError>) -> ControlFlow<TranslateError> {
    match result {
        Ok(()) => ControlFlow::Continue(()),
        Err(e) => ControlFlow::Break(e),
    }
}
