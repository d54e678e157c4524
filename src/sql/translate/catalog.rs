//! Catalog queries: `pg_catalog.X` / `information_schema.X` relations map to
//! the catalog views (see `crate::sql::catalog`), `reg*` casts and the
//! introspection functions become lookups in them, and SELECTs over catalogs
//! that are always empty (pg_inherits, pg_trigger, pg_policy, ...) are
//! reduced to an empty result so their PostgreSQL-only syntax never reaches
//! SQLite.

use super::ast::{
    base_name, call, ident_name, name_parts, null, number, plain_args, string_literal, template,
};
use super::ParamHint;
use crate::sql::catalog;
use crate::sql::pg_ident::relation_name;
use crate::sql::pgtype::{ArrayElem, PgType};
use sqlparser::ast::{
    DataType, Expr, Function, FunctionArguments, Ident, JoinOperator, ObjectName, Query, Select,
    SelectItem, SetExpr, Statement, TableAlias, TableFactor, TableWithJoins, VisitMut, VisitorMut,
};
use std::ops::ControlFlow;

/// The catalog view a relation name means, if any.
fn view_of(name: &ObjectName) -> Option<&'static str> {
    match name_parts(name).as_slice() {
        [rel] if rel.starts_with("pg_") => catalog::view_for(None, rel),
        [schema, rel] => catalog::view_for(Some(schema), rel),
        _ => None,
    }
}

/// Renames a catalog relation to its view; `true` when it was one.
pub(super) fn map_relation(name: &mut ObjectName) -> bool {
    match view_of(name) {
        Some(view) => {
            *name = ObjectName::from(vec![Ident::new(view)]);
            true
        }
        None => false,
    }
}

/// A catalog relation without an alias keeps its PostgreSQL name as alias,
/// so `pg_class.relname` still resolves after the rename.
pub(super) fn alias_relation(factor: &mut TableFactor) {
    if let TableFactor::Table { name, alias, .. } = factor {
        if alias.is_none() && view_of(name).is_some() {
            *alias = Some(TableAlias {
                explicit: true,
                at: None,
                name: Ident::new(base_name(name)),
                columns: vec![],
            });
        }
    }
}

/// Statement-level rewrites run before expressions are translated.
pub(super) fn prepare(statement: &mut Statement) {
    let _ = statement.visit(&mut Prepare);
}

struct Prepare;

impl VisitorMut for Prepare {
    type Break = ();

    fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
        prune_set_expr(&mut query.body);
        ControlFlow::Continue(())
    }

    fn pre_visit_select(&mut self, select: &mut Select) -> ControlFlow<()> {
        select_list_unnest(select);
        ControlFlow::Continue(())
    }

    /// `pg_catalog.pg_class.relname` (SQLAlchemy's reflection): the relation
    /// keeps its base name as alias, so the schema part goes.
    fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
        // `$1::regclass`: the parameter is a relation name (text), not an OID.
        if let Expr::Cast {
            expr: inner,
            data_type,
            ..
        } = expr
        {
            if reg_type(data_type).as_deref() == Some("regclass")
                && super::ast::placeholder_index(inner).is_some()
            {
                **inner = super::ast::cast((**inner).clone(), DataType::Text);
            }
        }
        // `(keys).x` over a column that `_pg_expandarray(...) AS keys` made
        // (pgjdbc): the column already holds the element.
        if let Expr::CompoundFieldAccess { root, access_chain } = expr {
            if let [sqlparser::ast::AccessExpr::Dot(Expr::Identifier(f))] = access_chain.as_slice()
            {
                let mut r = root.as_ref();
                while let Expr::Nested(inner) = r {
                    r = inner;
                }
                if ident_name(f) == "x"
                    && matches!(r, Expr::Identifier(_) | Expr::CompoundIdentifier(_))
                {
                    *expr = r.clone();
                }
            }
        }
        if let Expr::CompoundIdentifier(ids) = expr {
            if ids.len() == 3
                && matches!(
                    ident_name(&ids[0]).as_str(),
                    "pg_catalog" | "information_schema" | "public"
                )
            {
                ids.remove(0);
            }
        }
        ControlFlow::Continue(())
    }
}

/// `SELECT unnest(c.conkey) AS attnum, generate_subscripts(c.conkey, 1)
/// AS ord FROM c` (SQLAlchemy's key reflection): the array becomes a
/// `json_each` joined to the FROM list (SQLite's table-valued functions may
/// refer to earlier tables), its value and 1-based key the two columns.
fn select_list_unnest(select: &mut Select) {
    if select.from.is_empty() {
        return;
    }
    // (is unnest, the array, the dimension of generate_subscripts, or 0
    // for `_pg_expandarray`'s ordinal)
    let srf_arg = |e: &Expr| -> Option<(bool, Expr, Option<Expr>)> {
        // pgjdbc: `(information_schema._pg_expandarray(a)).n` / `.x`.
        if let Some((f, field)) = expandarray_field(e) {
            let a = (*plain_args(f)?.first()?).clone();
            // `n` counts from 1 whatever the array's lower bound.
            return Some(match field.as_str() {
                "n" => (false, a, Some(number(0))),
                _ => (true, a, None),
            });
        }
        let Expr::Function(f) = e else { return None };
        let name = super::ast::base(&f.name);
        let args = plain_args(f)?;
        match (name.as_ref(), args.as_slice()) {
            ("unnest" | "_pg_expandarray", [a]) => Some((true, (*a).clone(), None)),
            ("generate_subscripts", [a, dim]) => Some((false, (*a).clone(), Some((*dim).clone()))),
            _ => None,
        }
    };
    // The first array drives the rows; others (zipped, as PostgreSQL does
    // for several in one select list) are read at the same position.
    let first_array = |select: &Select| {
        select.projection.iter().find_map(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                srf_arg(e).map(|(_, a, _)| a)
            }
            _ => None,
        })
    };
    if first_array(select).is_none() {
        return;
    }
    qualify_columns(select);
    let Some(array) = first_array(select) else {
        return;
    };
    for item in &mut select.projection {
        // The output keeps the function's name (`unnest`), not the rewrite's.
        if let SelectItem::UnnamedExpr(e) = item {
            if srf_arg(e).is_some() {
                let alias = Ident::with_quote('"', super::output_names::column_name(e));
                let expr = e.clone();
                *item = SelectItem::ExprWithAlias { expr, alias };
            }
        }
        if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
            if let Some((is_unnest, a, dim)) = srf_arg(e) {
                // Arrays here have one dimension: other dimensions have no subscripts.
                *e = match dim {
                    None if a == array => template("pg_unnest.value", []),
                    None => template(
                        &format!("json_extract({STORED_ARRAY}, '$[' || pg_unnest.key || ']')"),
                        [a],
                    ),
                    // generate_subscripts of an int2vector or oidvector
                    // (indkey) counts from 0.
                    Some(d) if !is_ordinal(&d) => template(
                        "(CASE WHEN $1 = 1 THEN pg_unnest.key + \
                         CASE WHEN substr($2, 1, 1) IN ('[', '{') THEN 1 ELSE 0 END END)",
                        [d, a],
                    ),
                    Some(_) => template("(pg_unnest.key + 1)", []),
                };
                let _ = is_unnest;
            }
        }
    }
    select.from.push(sqlparser::ast::TableWithJoins {
        relation: super::ast::table_function(
            "json_each",
            "pg_unnest",
            vec![],
            vec![template(STORED_ARRAY, [array])],
        ),
        joins: vec![],
    });
}

/// The dimension marker `_pg_expandarray(a).n` stands for: an ordinal
/// from 1, not a subscript.
fn is_ordinal(dim: &Expr) -> bool {
    matches!(dim, Expr::Value(v) if matches!(&v.value, sqlparser::ast::Value::Number(n, _) if n == "0"))
}

/// An array as JSON: stored JSON as it is, a PG array literal written into
/// the column (`'{a,b}'`) through `pg_array`, and int2vector/oidvector
/// columns (indkey), which hold `1 2`, as a JSON list.
pub(super) const STORED_ARRAY: &str =
    "CASE substr($1, 1, 1) WHEN '[' THEN $1 WHEN '{' THEN pg_array($1) \
     ELSE '[' || replace(trim($1), ' ', ',') || ']' END";

/// json_each's own columns (`id`, `key`, `value`, ...) would make the
/// row's unqualified column names ambiguous: with one relation in FROM they
/// are qualified with its name (not inside subqueries, which have their
/// own FROM). Plain column items keep their name as an alias.
pub(super) fn qualify_columns(select: &mut Select) {
    struct Qualify {
        relation: Ident,
        depth: usize,
    }
    impl VisitorMut for Qualify {
        type Break = ();
        fn pre_visit_query(&mut self, _: &mut Query) -> ControlFlow<()> {
            self.depth += 1;
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &mut Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
        fn pre_visit_expr(&mut self, expr: &mut Expr) -> ControlFlow<()> {
            if let (0, Expr::Identifier(column)) = (self.depth, &*expr) {
                *expr = Expr::CompoundIdentifier(vec![self.relation.clone(), column.clone()]);
            }
            ControlFlow::Continue(())
        }
    }
    let relation = match select.from.as_slice() {
        [TableWithJoins { relation, joins }] if joins.is_empty() => match relation {
            TableFactor::Table {
                alias: Some(a),
                args: None,
                ..
            }
            | TableFactor::Derived { alias: Some(a), .. } => a.name.clone(),
            TableFactor::Table {
                name,
                alias: None,
                args: None,
                ..
            } => match name.0.last().and_then(|p| p.as_ident()) {
                Some(i) => i.clone(),
                None => return,
            },
            _ => return,
        },
        _ => return,
    };
    // A grouping key that names an output column stays that column (the
    // aliases written, not those given to bare columns below).
    let outputs: Vec<String> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(ident_name(alias)),
            _ => None,
        })
        .collect();
    let mut q = Qualify { relation, depth: 0 };
    for item in &mut select.projection {
        if let SelectItem::UnnamedExpr(Expr::Identifier(column)) = item {
            let alias = Ident::with_quote('"', ident_name(column));
            let expr = Expr::Identifier(column.clone());
            *item = SelectItem::ExprWithAlias { expr, alias };
        }
        let _ = item.visit(&mut q);
    }
    if let Some(selection) = &mut select.selection {
        let _ = selection.visit(&mut q);
    }
    if let Some(having) = &mut select.having {
        let _ = having.visit(&mut q);
    }
    if let sqlparser::ast::GroupByExpr::Expressions(keys, _) = &mut select.group_by {
        for key in keys {
            if !matches!(key, Expr::Identifier(i) if outputs.contains(&ident_name(i))) {
                let _ = key.visit(&mut q);
            }
        }
    }
}

/// `(f(...)).field` where `f` is `_pg_expandarray`: the call and the field.
fn expandarray_field(e: &Expr) -> Option<(&Function, String)> {
    let Expr::CompoundFieldAccess { root, access_chain } = e else {
        return None;
    };
    let [sqlparser::ast::AccessExpr::Dot(Expr::Identifier(field))] = access_chain.as_slice() else {
        return None;
    };
    let mut root = root.as_ref();
    while let Expr::Nested(inner) = root {
        root = inner;
    }
    match root {
        Expr::Function(f) if base_name(&f.name) == "_pg_expandarray" => {
            Some((f, ident_name(field)))
        }
        _ => None,
    }
}

fn is_aggregate(name: &str) -> bool {
    matches!(
        name,
        "count"
            | "sum"
            | "min"
            | "max"
            | "avg"
            | "every"
            | "bool_and"
            | "bool_or"
            | "array_agg"
            | "string_agg"
            | "json_agg"
            | "jsonb_agg"
            | "json_object_agg"
            | "jsonb_object_agg"
    )
}

fn is_empty_view(factor: &TableFactor) -> bool {
    match factor {
        TableFactor::Table { name, .. } => {
            catalog::relation(&base_name(name)).is_some_and(|r| r.empty)
        }
        _ => false,
    }
}

/// Whether every row source of the set expression is certainly empty; empty
/// SELECTs are rewritten to `SELECT NULL AS ... WHERE 0`.
fn prune_set_expr(body: &mut SetExpr) -> bool {
    match body {
        SetExpr::Select(select) => prune_select(select),
        SetExpr::SetOperation { left, right, .. } => {
            let l = prune_set_expr(left);
            let r = prune_set_expr(right);
            l && r
        }
        SetExpr::Query(q) => prune_set_expr(&mut q.body),
        _ => false,
    }
}

fn prune_select(select: &mut Select) -> bool {
    let inner_empty = select.from.iter().any(|t| {
        is_empty_view(&t.relation)
            || t.joins.iter().any(|j| {
                matches!(
                    j.join_operator,
                    JoinOperator::Join(_) | JoinOperator::Inner(_) | JoinOperator::CrossJoin(_)
                ) && is_empty_view(&j.relation)
            })
    });
    if !inner_empty || !select.group_by_is_empty() || select.having.is_some() {
        return false;
    }
    // An aggregate without GROUP BY has one row over no rows (pg_dump's
    // `SELECT count(*) FROM pg_subscription`).
    let aggregates = sqlparser::ast::visit_expressions(&select.projection, |e| match e {
        Expr::Function(f) if is_aggregate(&base_name(&f.name)) => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    });
    if aggregates.is_break() {
        return false;
    }
    // Placeholders of the dropped expressions stay referenced, so the
    // statement keeps its parameter count (simple-query literals are lifted
    // into parameters before translation).
    let mut kept: Vec<Expr> = vec![];
    let _ = sqlparser::ast::visit_expressions(&select.projection, |e| {
        if super::ast::placeholder_index(e).is_some() && !matches!(e, Expr::Nested(_)) {
            kept.push(e.clone());
        }
        ControlFlow::<()>::Continue(())
    });
    let mut items = Vec::with_capacity(select.projection.len());
    for (i, item) in select.projection.iter().enumerate() {
        let alias = match item {
            SelectItem::ExprWithAlias { alias, .. } => alias.clone(),
            SelectItem::UnnamedExpr(Expr::Identifier(id)) => id.clone(),
            SelectItem::UnnamedExpr(Expr::CompoundIdentifier(ids)) => ids[ids.len() - 1].clone(),
            SelectItem::UnnamedExpr(_) => Ident::with_quote('"', format!("column{}", i + 1)),
            // A wildcard keeps its columns; the rows go.
            _ => {
                items = select.projection.clone();
                break;
            }
        };
        items.push(SelectItem::ExprWithAlias {
            expr: null(),
            alias,
        });
    }
    select.projection = items;
    let mut condition = number(0);
    if let Some(w) = select.selection.take() {
        condition = template("$1 AND ($2)", [condition, w]);
    }
    if !kept.is_empty() {
        condition = template(
            "$1 AND $2 IS NOT NULL",
            [condition, call("json_array", kept)],
        );
    }
    select.selection = Some(condition);
    true
}

trait GroupByExt {
    fn group_by_is_empty(&self) -> bool;
}

impl GroupByExt for Select {
    fn group_by_is_empty(&self) -> bool {
        matches!(&self.group_by, sqlparser::ast::GroupByExpr::Expressions(e, _) if e.is_empty())
    }
}

/// The last part of a type name, for the `reg*` pseudo-types.
/// `nextval('s'::regclass)` (how PostgreSQL prints a serial default, and
/// pg_dump writes it): the sequence functions take the name, so the
/// literal's cast goes (an OID lookup would be a subquery, which SQLite
/// refuses in a column DEFAULT).
pub(super) fn regclass_literal_as_name(expr: &mut Expr) {
    let Expr::Function(func) = expr else {
        return;
    };
    if !matches!(
        super::ast::base(&func.name).as_ref(),
        "nextval" | "currval" | "setval"
    ) {
        return;
    }
    let sqlparser::ast::FunctionArguments::List(list) = &mut func.args else {
        return;
    };
    let Some(sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(arg))) =
        list.args.first_mut()
    else {
        return;
    };
    if let Expr::Cast {
        expr, data_type, ..
    } = arg
    {
        if reg_type(data_type).as_deref() == Some("regclass") {
            if let Some(text) = string_literal(expr) {
                // `public.` is the search path's: the default prints without it.
                let name = text
                    .strip_prefix("public.")
                    .or_else(|| text.strip_prefix("\"public\"."))
                    .unwrap_or(text);
                *arg = super::ast::string(name);
            }
        }
    }
    // An unqualified name under a search path naming a user schema: the
    // sequence there (the functions read the name at run time, without
    // the path).
    if let Some(name) = string_literal(arg).and_then(super::schemas::path_literal) {
        *arg = super::ast::string(&name);
    }
}

fn reg_type(data_type: &DataType) -> Option<String> {
    match data_type {
        DataType::Regclass => Some("regclass".into()),
        DataType::Custom(name, _) => {
            let n = base_name(name);
            matches!(
                n.as_str(),
                "regclass" | "regtype" | "regnamespace" | "regproc" | "regprocedure" | "regrole"
            )
            .then_some(n)
        }
        _ => None,
    }
}

/// Before children are rewritten: `'t'::regclass::text` is the relation's
/// name, as regclass output is (the literal alone becomes its OID, for
/// comparisons with oid columns), and `'int8'::regtype::text` the type's
/// (`bigint`); likewise for a computed name (`(s || '.' || t)::regtype`).
/// The text cast becomes a reg cast of the OID, which reads the name back.
pub(super) fn rewrite_regclass_text_cast(expr: &mut Expr) {
    let Some((inner, data_type)) = super::casts::text_cast(expr) else {
        return;
    };
    let mut of = inner.as_ref();
    while let Expr::Nested(e) = of {
        of = e;
    }
    let Expr::Cast {
        expr: name,
        data_type: t,
        ..
    } = of
    else {
        return;
    };
    if !is_text_input(name) {
        return;
    }
    match reg_type(t).as_deref() {
        Some("regclass") => *data_type = DataType::Regclass,
        Some("regtype" | "regproc" | "regprocedure") => *data_type = t.clone(),
        _ => {}
    }
}

/// A result column `'t'::regclass` (or a computed name cast so) prints
/// the relation's name, as regclass output does; elsewhere the cast is
/// the OID, which comparisons with oid columns need. Only the outermost
/// query's columns: a subquery's feed comparisons (`attrelid IN (SELECT
/// 't'::regclass)`). Such columns are described as text, as a regclass
/// cast of an oid column is.
pub(super) fn regclass_results(statement: &mut Statement, columns: &mut [Option<PgType>]) {
    let Statement::Query(query) = statement else {
        return;
    };
    let sqlparser::ast::SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    for (i, item) in select.projection.iter_mut().enumerate() {
        let (SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) = item else {
            continue;
        };
        let mut of = &*e;
        while let Expr::Nested(inner) = of {
            of = inner;
        }
        let Expr::Cast {
            expr: name,
            data_type,
            ..
        } = of
        else {
            continue;
        };
        let named = matches!(
            reg_type(data_type).as_deref(),
            Some("regclass" | "regproc" | "regprocedure")
        );
        if named && is_text_input(name) {
            let cast = super::ast::take(e);
            *e = super::ast::cast(cast, DataType::Text);
            if let Some(t) = columns.get_mut(i) {
                *t = Some(PgType::Text);
            }
        }
    }
}

/// Whether a reg cast's operand is a name (text), not an OID: a string
/// literal, a text cast, a concatenation, a text column.
fn is_text_input(expr: &Expr) -> bool {
    match expr {
        Expr::Nested(e) => is_text_input(e),
        Expr::BinaryOp {
            op: sqlparser::ast::BinaryOperator::StringConcat,
            ..
        } => true,
        _ => {
            string_literal(expr).is_some()
                || super::columns::expr_type(expr).is_some_and(PgType::is_string)
        }
    }
}

/// `x::regclass`, `'todo'::regclass`, `x::regtype`, ... (children translated).
pub(super) fn rewrite_reg_cast(inner: &Expr, data_type: &DataType) -> Option<Expr> {
    let kind = reg_type(data_type)?;
    let literal = string_literal(inner).map(str::to_string);
    Some(match (kind.as_str(), literal) {
        (_, Some(text)) if text.trim().parse::<i64>().is_ok() => number(text.trim()),
        // The catalogs pg_description's classoid names.
        ("regclass", Some(text)) if catalog::catalog_oid(&relation_name(&text)).is_some() => {
            number(catalog::catalog_oid(&relation_name(&text)).unwrap_or(0))
        }
        // A name that finds no relation is an error, as regclass input is.
        ("regclass", Some(text)) => {
            let name = relation_name(&text);
            let missing = format!("relation \"{}\" does not exist", text.trim());
            // (A literal that is no catalog's name needs no catalog arms.)
            template(
                &format!("coalesce({RELATION_OID}, pg_raise('42P01', $2))"),
                [super::ast::string(name), super::ast::string(missing)],
            )
        }
        // A computed name, read as regclass input reads it at run time.
        ("regclass", None) if is_text_input(inner) => {
            regclass_lookup(call("pg_relation_name", vec![inner.clone()]))
        }
        ("regtype", Some(text)) => call("pg_to_regtype", vec![super::ast::string(text)]),
        ("regtype", None) if is_text_input(inner) => call("pg_to_regtype", vec![inner.clone()]),
        ("regnamespace", Some(text)) => template(
            "(SELECT oid FROM pgcat_pg_namespace WHERE nspname = $1)",
            [super::ast::string(text)],
        ),
        ("regclass", None) => {
            let catalogs = catalog_case(|name, oid| format!(" WHEN {oid} THEN '{name}'"), "");
            template(
                &format!(
                    "coalesce(pg_rel_display((SELECT pgcat_name FROM pgcat__lookup \
                     WHERE pgcat_kind = 'rel' AND pgcat_key = $1)), {catalogs}, \
                     CAST($1 AS TEXT))"
                ),
                [inner.clone()],
            )
        }
        ("regtype", None) => call("format_type", vec![inner.clone(), null()]),
        // A function's name (`regproc`) or signature (`regprocedure`): the
        // tenant's functions are looked up at run time. Built-in functions
        // are not in pg_proc (whose `typinput` and the like hold their
        // names): any other name stands for itself, without its argument
        // types (`typinput = 'array_in(cstring,oid,integer)'::regprocedure`).
        ("regproc" | "regprocedure", Some(text)) => template(
            "coalesce(pg_regproc_oid($1), $2)",
            [
                super::ast::string(&text),
                super::ast::string(text.split('(').next().unwrap_or_default().trim()),
            ],
        ),
        ("regproc" | "regprocedure", None) if is_text_input(inner) => {
            call("pg_regproc_oid", vec![inner.clone()])
        }
        ("regproc", None) => call("pg_regproc_name", vec![inner.clone(), number("0")]),
        ("regprocedure", None) => call("pg_regproc_name", vec![inner.clone(), number("1")]),
        ("regnamespace", None) => call("pg_regnamespace_name", vec![inner.clone()]),
        (_, _) => inner.clone(),
    })
}

/// `CASE $1 <arm per catalog><tail> END` over the catalogs
/// pg_description's `classoid` names (`catalog::CATALOG_OIDS`).
fn catalog_case(arm: impl Fn(&str, i64) -> String, tail: &str) -> String {
    let arms: String = catalog::CATALOG_OIDS
        .iter()
        .map(|(name, oid)| arm(name, *oid))
        .collect();
    format!("CASE $1{arms}{tail} END")
}

/// The OID of the catalog a (non-literal) name names, or 0.
fn catalog_oid_of(name: &Expr) -> Expr {
    let case = catalog_case(|name, oid| format!(" WHEN '{name}' THEN {oid}"), " ELSE 0");
    template(&format!("({case})"), [name.clone()])
}

/// The OID of a relation named by a (possibly `public.`-qualified) text,
/// or of a catalog pg_description's `classoid` names (a parameter such as
/// SQLAlchemy's `CAST($1 AS REGCLASS)` with `pg_catalog.pg_class`).
fn regclass_lookup(name: Expr) -> Expr {
    let catalogs = catalog_case(
        |name, oid| format!(" WHEN '{name}' THEN {oid} WHEN 'pg_catalog.{name}' THEN {oid}"),
        "",
    );
    template(&format!("coalesce({RELATION_OID}, {catalogs})"), [name])
}

/// The OID of the tenant's relation named `$1` (bare or `public.`).
const RELATION_OID: &str = "(SELECT pgcat_key FROM pgcat__lookup WHERE pgcat_kind = 'rel' \
     AND (pgcat_name = $1 OR 'public.' || pgcat_name = $1))";

/// Introspection functions (arguments already translated).
pub(super) fn rewrite_function(name: &str, func: &Function) -> Option<Expr> {
    if name == "array" {
        return match &func.args {
            FunctionArguments::Subquery(q) => Some(array_of_subquery(q)),
            _ => None,
        };
    }
    // Borrowed: this runs for every call, and copying the arguments made
    // nested calls cost the square of their depth.
    let args: Vec<&Expr> = plain_args(func)?;
    Some(match (name, args.as_slice()) {
        ("pg_get_expr", [expr, _, pretty]) => template("pg_pretty_expr($1, $2)", [(*expr).clone(), (*pretty).clone()]),
        ("pg_get_expr", [expr, ..]) => (*expr).clone(),
        // With a column number: that key's column or expression (pgjdbc's
        // getIndexInfo, SQLAlchemy's expression indexes).
        ("pg_get_indexdef", [oid, column, ..]) => template(
            "(CASE WHEN $2 = 0 THEN (SELECT pgcat_def FROM pgcat__lookup WHERE pgcat_kind = 'idx' \
             AND pgcat_key = $1) ELSE coalesce((SELECT pg_index_part(x.xsql, $2) FROM pgcat__idx x \
             WHERE x.oid = $1), (SELECT a.attname FROM pgcat_pg_index i \
             JOIN pgcat_pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = \
             json_extract('[' || replace(trim(i.indkey), ' ', ',') || ']', '$[' || ($2 - 1) || ']') \
             WHERE i.indexrelid = $1)) END)",
            [(*oid).clone(), (*column).clone()],
        ),
        // Pretty: the table without its (visible) schema, as psql shows it.
        ("pg_get_triggerdef", [oid, pretty]) => template(
            "(SELECT CASE WHEN $2 THEN replace(pgcat_def, ' ON public.', ' ON ') ELSE pgcat_def END \
             FROM pgcat__lookup WHERE pgcat_kind = 'trg' AND pgcat_key = $1)",
            [(*oid).clone(), (*pretty).clone()],
        ),
        ("pg_get_triggerdef", [oid, ..]) => template(
            "(SELECT pgcat_def FROM pgcat__lookup WHERE pgcat_kind = 'trg' AND pgcat_key = $1)",
            [(*oid).clone()],
        ),
        ("pg_get_viewdef", [view, ..]) => {
            // (A view is never a catalog: no catalog arms.)
            let oid = match string_literal(view) {
                Some(name) => template(RELATION_OID, [super::ast::string(relation_name(name))]),
                None => (*view).clone(),
            };
            template(
                "(SELECT pg_view_body(r.sql) FROM pgcat__rel r WHERE r.type = 'view' AND r.oid = $1)",
                [oid],
            )
        }
        ("pg_get_indexdef", [oid, ..]) => template(
            "(SELECT pgcat_def FROM pgcat__lookup WHERE pgcat_kind = 'idx' AND pgcat_key = $1)",
            [(*oid).clone()],
        ),
        ("pg_get_constraintdef", [oid]) => template(
            "(SELECT pgcat_def FROM pgcat__lookup WHERE pgcat_kind = 'con' AND pgcat_key = $1)",
            [(*oid).clone()],
        ),
        // The pretty form (psql's `\d`, SQLAlchemy's reflection).
        ("pg_get_constraintdef", [oid, pretty]) => template(
            "(SELECT pgcat_def FROM pgcat__lookup WHERE pgcat_kind = CASE WHEN $2 THEN 'conp' ELSE 'con' END AND pgcat_key = $1)",
            [(*oid).clone(), (*pretty).clone()],
        ),
        // Comments (pg_description, see `translate::comments`).
        ("obj_description", [oid, catalog]) => {
            let class = match string_literal(catalog) {
                Some(name) => number(catalog::catalog_oid(name).unwrap_or(0)),
                None => catalog_oid_of(catalog),
            };
            template(
                "(SELECT description FROM pgcat_pg_description WHERE objoid = $1 \
                 AND classoid = $2 AND objsubid = 0)",
                [(*oid).clone(), class],
            )
        }
        // The deprecated one-argument form: any catalog's.
        ("obj_description", [oid]) => template(
            "(SELECT description FROM pgcat_pg_description WHERE objoid = $1 \
             AND objsubid = 0 LIMIT 1)",
            [(*oid).clone()],
        ),
        ("col_description", [table, column]) => template(
            "(SELECT description FROM pgcat_pg_description WHERE objoid = $1 \
             AND classoid = 1259 AND objsubid = $2)",
            [(*table).clone(), (*column).clone()],
        ),
        ("current_user" | "session_user" | "user" | "current_role", []) => {
            call("pg_session_user", vec![])
        }
        ("current_database" | "current_catalog", []) => call("pg_current_database", vec![]),
        // The search path's first schema that exists (a session whose path
        // names a user schema translates under it: `schemas`).
        ("current_schema", []) => super::ast::string(&super::schemas::current_schemas()[0]),
        // Visible: in a schema of the path (the function reads the list).
        ("pg_table_is_visible", [oid]) if super::schemas::current_schemas() != ["public"] => {
            let listed = serde_json::Value::from(super::schemas::current_schemas()).to_string();
            call(
                "pg_table_is_visible",
                vec![(*oid).clone(), super::ast::string(&listed)],
            )
        }
        ("current_schemas", [implicit]) if super::schemas::current_schemas().len() > 1
            || super::schemas::current_schemas()[0] != "public" =>
        {
            let listed = serde_json::Value::from(super::schemas::current_schemas()).to_string();
            let with_catalog = serde_json::Value::from(
                std::iter::once("pg_catalog".to_owned())
                    .chain(super::schemas::current_schemas())
                    .collect::<Vec<_>>(),
            )
            .to_string();
            template(
                "CASE WHEN $1 THEN $2 ELSE $3 END",
                [
                    (*implicit).clone(),
                    super::ast::string(&with_catalog),
                    super::ast::string(&listed),
                ],
            )
        }
        ("to_regclass", [text]) => match string_literal(text) {
            Some(t) => regclass_lookup(super::ast::string(relation_name(t))),
            None => regclass_lookup((*text).clone()),
        },
        // A serial column (an INTEGER PRIMARY KEY) owns `<table>_<column>_seq`
        // (quoted when it needs to be: `public."Users_id_seq"`).
        // (In the table's schema: `cd.members_memid_seq`.)
        ("pg_get_serial_sequence", [table, column]) => {
            let table = match string_literal(table).and_then(super::schemas::path_literal) {
                Some(name) => super::ast::string(&name),
                None => (*table).clone(),
            };
            template(
                "(SELECT quote_ident(pg_rel_schema(c.relname)) || '.' \
                 || quote_ident(pg_rel_name(c.relname) || '_' || c.attname || '_seq') FROM pgcat__col c \
                 WHERE c.dflt LIKE 'nextval(%' AND c.attname = $2 \
                 AND c.relname = pg_relation_name($1) COLLATE NOCASE)",
                [table, (*column).clone()],
            )
        }
        ("to_regtype", [text]) => call(
            "format_type",
            vec![call("pg_to_regtype", vec![(*text).clone()]), null()],
        ),
        _ => return None,
    })
}

/// `ARRAY(SELECT x ...)`: a JSON array of the subquery's single column.
fn array_of_subquery(q: &Query) -> Expr {
    let mut q = q.clone();
    if let SetExpr::Select(s) = q.body.as_mut() {
        if let Some(SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. }) =
            s.projection.first().cloned()
        {
            s.projection = vec![SelectItem::ExprWithAlias {
                expr: e,
                alias: Ident::new("pg_col"),
            }];
        }
    }
    let mut out = template(
        "(SELECT json_group_array(pg_elem.pg_col) FROM (SELECT 1 AS pg_col) AS pg_elem)",
        [],
    );
    if let Expr::Subquery(outer) = &mut out {
        if let SetExpr::Select(sel) = outer.body.as_mut() {
            if let Some(TableFactor::Derived { subquery, .. }) =
                sel.from.first_mut().map(|t| &mut t.relation)
            {
                **subquery = q;
            }
        }
    }
    out
}

/// Result column types of catalog columns the expression-only pass left unknown.
pub(super) fn result_types(statement: &Statement, columns: &mut Vec<Option<PgType>>) {
    let Statement::Query(query) = statement else {
        return;
    };
    if let Some(cols) = query_types(query, columns, &Vec::new()) {
        *columns = cols.into_iter().map(|(_, t)| t).collect();
    }
}

/// A relation in scope: its alias and its named, typed columns.
type Scope = Vec<(String, Vec<(String, Option<PgType>)>)>;

/// The output columns of a query over catalog views, through derived tables
/// (ORMs' reflection queries nest them); `None` when nothing is catalog.
fn query_types(
    query: &Query,
    hints: &[Option<PgType>],
    outer_ctes: &Scope,
) -> Option<Vec<(String, Option<PgType>)>> {
    // CTEs (asyncpg's recursive type introspection): typed by their first branch.
    let mut ctes: Scope = outer_ctes.clone();
    if let Some(with) = &query.with {
        for cte in &with.cte_tables {
            let inner_hints = super::columns::query_types(&cte.query);
            let Some(mut cols) = query_types(&cte.query, &inner_hints, &ctes) else {
                continue;
            };
            for (c, def) in cols.iter_mut().zip(&cte.alias.columns) {
                c.0 = ident_name(&def.name);
            }
            ctes.push((ident_name(&cte.alias.name), cols));
        }
    }
    let mut body = query.body.as_ref();
    while let SetExpr::SetOperation { left, .. } = body {
        body = left;
    }
    let SetExpr::Select(select) = body else {
        return None;
    };
    let mut scope: Scope = vec![];
    // Whether every FROM item is known (a wildcard then expands correctly).
    let mut complete = true;
    for t in &select.from {
        for f in std::iter::once(&t.relation).chain(t.joins.iter().map(|j| &j.relation)) {
            let before = scope.len();
            match f {
                TableFactor::Table { name, alias, .. } => {
                    let cte = (name.0.len() == 1)
                        .then(|| ctes.iter().find(|(n, _)| *n == base_name(name)))
                        .flatten();
                    if let Some((n, cols)) = cte {
                        let a = alias
                            .as_ref()
                            .map(|a| ident_name(&a.name))
                            .unwrap_or(n.clone());
                        scope.push((a, cols.clone()));
                    } else if let Some(rel) = catalog::relation(&base_name(name)) {
                        let a = alias
                            .as_ref()
                            .map(|a| ident_name(&a.name))
                            .unwrap_or_else(|| base_name(name));
                        let cols = rel
                            .columns
                            .iter()
                            .map(|(c, t)| (c.to_string(), Some(*t)))
                            .collect();
                        scope.push((a, cols));
                    }
                }
                TableFactor::Derived {
                    subquery,
                    alias: Some(alias),
                    ..
                } => {
                    let inner_hints = super::columns::query_types(subquery);
                    if let Some(cols) = query_types(subquery, &inner_hints, &ctes) {
                        scope.push((ident_name(&alias.name), cols));
                    }
                }
                _ => {}
            }
            complete &= scope.len() > before;
        }
    }
    if scope.is_empty() {
        return None;
    }
    let find = |alias: Option<&str>, c: &str| -> Option<PgType> {
        scope
            .iter()
            .filter(|(a, _)| alias.is_none_or(|x| x == a))
            .find_map(|(_, cols)| cols.iter().find(|(n, _)| n == c).and_then(|(_, t)| *t))
    };
    fn lookup(e: &Expr, find: &dyn Fn(Option<&str>, &str) -> Option<PgType>) -> Option<PgType> {
        match e {
            Expr::Identifier(id) => find(None, &ident_name(id)),
            Expr::CompoundIdentifier(ids) if ids.len() == 2 => {
                find(Some(&ident_name(&ids[0])), &ident_name(&ids[1]))
            }
            Expr::Nested(inner) => lookup(inner, find),
            Expr::Function(f) => match base_name(&f.name).as_str() {
                "array" | "acldefault" => Some(PgType::Array(ArrayElem::Text)),
                "pg_get_userbyid" | "current_user" | "session_user" | "current_database"
                | "current_schema" => Some(PgType::Name),
                "format_type"
                | "pg_get_expr"
                | "pg_get_indexdef"
                | "pg_get_viewdef"
                | "pg_get_triggerdef"
                | "pg_get_constraintdef"
                | "obj_description"
                | "col_description"
                | "shobj_description"
                | "pg_encoding_to_char"
                | "array_to_string" => Some(PgType::Text),
                "pg_table_is_visible"
                | "pg_collation_is_visible"
                | "pg_type_is_visible"
                | "has_table_privilege"
                | "has_schema_privilege"
                | "pg_is_in_recovery"
                | "bool_and"
                | "bool_or" => Some(PgType::Bool),
                "min" | "max" => lookup(plain_args(f)?.first()?, find),
                "array_agg" => match lookup(plain_args(f)?.first()?, find) {
                    Some(PgType::Int2) => Some(PgType::Array(ArrayElem::Int2)),
                    Some(PgType::Int4) => Some(PgType::Array(ArrayElem::Int4)),
                    Some(PgType::Int8 | PgType::Oid) => Some(PgType::Array(ArrayElem::Int8)),
                    Some(PgType::Bool) => Some(PgType::Array(ArrayElem::Bool)),
                    // name[] (Sequelize's index listing parses its text).
                    Some(PgType::Name) => Some(PgType::Array(ArrayElem::Name)),
                    _ => Some(PgType::Array(ArrayElem::Text)),
                },
                _ => None,
            },
            Expr::Cast { data_type, .. } => match reg_type(data_type) {
                Some(k) if k == "regclass" || k == "regtype" || k == "regnamespace" => {
                    Some(PgType::Text)
                }
                _ => None,
            },
            _ => None,
        }
    }
    let output_name = |e: &Expr| match e {
        Expr::Identifier(id) => ident_name(id),
        Expr::CompoundIdentifier(ids) => ids.last().map(ident_name).unwrap_or_default(),
        _ => String::new(),
    };
    let mut out = Vec::new();
    for (i, item) in select.projection.iter().enumerate() {
        match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                let reg =
                    matches!(e, Expr::Cast { data_type, .. } if reg_type(data_type).is_some());
                let known = hints.get(i).copied().flatten().filter(|_| !reg);
                let name = match item {
                    SelectItem::ExprWithAlias { alias, .. } => ident_name(alias),
                    _ => output_name(e),
                };
                // A scalar subquery over the catalogs has its column's type
                // (`(SELECT array_agg(e.enumlabel) FROM pg_enum e ...)`: name[]).
                let sub = match e {
                    Expr::Subquery(q) => query_types(q, &super::columns::query_types(q), &ctes)
                        .and_then(|c| c.first()?.1),
                    _ => None,
                };
                out.push((name, sub.or(known).or_else(|| lookup(e, &find))))
            }
            SelectItem::Wildcard(_) => {
                if !complete {
                    return None;
                }
                for (_, cols) in &scope {
                    out.extend(cols.iter().cloned());
                }
            }
            SelectItem::QualifiedWildcard(kind, _) => {
                let a = match kind {
                    sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(n) => {
                        ident_name(n.0.last()?.as_ident()?)
                    }
                    _ => return None,
                };
                out.extend(
                    scope
                        .iter()
                        .find(|(alias, _)| *alias == a)?
                        .1
                        .iter()
                        .cloned(),
                );
            }
            _ => return None,
        }
    }
    Some(out)
}

/// Parameters compared with catalog columns take the column's type.
pub(super) fn param_types(params: &mut [ParamHint]) {
    for p in params {
        if let ParamHint::Column { table, column } = p {
            if let Some(t) = catalog::column_type(table, column) {
                *p = ParamHint::Type(t);
            }
        }
    }
}
