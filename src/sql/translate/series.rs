//! Set-returning functions in FROM, as derived tables SQLite runs:
//! `generate_series(start, stop[, step])` (numbers, or timestamps with an
//! interval step) as a recursive CTE, and `unnest(json_array)` over
//! `json_each`. PostgreSQL names the single column after the function, or
//! after the alias (`AS g`), or the alias's column list (`AS t(x)`).

use super::ast::{base_name, ident_name, plain_args, string_literal};
use super::error::{other, unsupported};
use super::literals::interval_modifiers;
use super::TranslateError;
use sqlparser::ast::{
    DataType, Expr, FunctionArg, FunctionArgExpr, Ident, Query, Select, SelectItem, TableAlias,
    TableFactor, TableWithJoins, Value,
};
use std::ops::ControlFlow;

/// Replaces a set-returning function in FROM by an equivalent subquery.
/// Returns `Ok(false)` when `factor` is not one.
pub(super) fn rewrite_table_function(factor: &mut TableFactor) -> Result<bool, TranslateError> {
    let (name, args, alias, ordinality) = match factor {
        TableFactor::Table {
            name,
            args: Some(args),
            alias,
            with_ordinality,
            ..
        } => {
            let base = base_name(name);
            let args: Option<Vec<Expr>> = if base == "jsonb_path_query" {
                Some(super::jsonpath::positional(&base, &args.args)?)
            } else {
                args.args
                    .iter()
                    .map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                        _ => None,
                    })
                    .collect()
            };
            let Some(args) = args else { return Ok(false) };
            (base, args, alias.clone(), *with_ordinality)
        }
        TableFactor::UNNEST {
            alias,
            array_exprs,
            with_offset: false,
            with_ordinality,
            ..
        } => (
            "unnest".to_string(),
            array_exprs.clone(),
            alias.clone(),
            *with_ordinality,
        ),
        _ => return Ok(false),
    };
    // A table that is not a partition is its own only ancestor (psql's \d
    // asks, WITH ORDINALITY, for a trigger's parent).
    // generate_subscripts(a, dim [, reverse]): the series of a's indexes,
    // its column named for the function still.
    let shown = name.clone();
    let (name, args) = match (name.as_str(), args.as_slice()) {
        ("pg_partition_ancestors", [relation]) => (
            "unnest".to_owned(),
            vec![super::ast::call("json_array", vec![relation.clone()])],
        ),
        ("generate_subscripts", [array, dim, rest @ ..]) if rest.len() <= 1 => {
            let length = super::ast::call("array_length", vec![array.clone(), dim.clone()]);
            let reverse = match rest {
                [] => false,
                [r] => match r {
                    Expr::Value(v) => matches!(v.value, Value::Boolean(true)),
                    _ => {
                        return Err(unsupported(
                            "generate_subscripts with a computed reverse flag",
                        ))
                    }
                },
                _ => unreachable!(),
            };
            let one = Expr::value(Value::Number("1".into(), false));
            let args = if reverse {
                let minus_one = Expr::value(Value::Number("-1".into(), false));
                vec![length, one, minus_one]
            } else {
                vec![one, length]
            };
            ("generate_series".to_owned(), args)
        }
        _ => (name, args),
    };
    let args: Vec<Expr> = if name == "unnest" {
        args.into_iter().map(super::arrays::stored).collect()
    } else {
        args
    };
    if ordinality && name == "jsonb_path_query" {
        let items = super::ast::call("jsonb_path_query_array", args);
        return zipped_elements(factor, &name, &[items], alias, ordinality);
    }
    if ordinality || (name == "unnest" && args.len() > 1) {
        return zipped_elements(factor, &name, &args, alias, ordinality);
    }
    if super::populate::set_form(&name).is_some() && !alias_columns_free(alias.as_ref()) {
        return Err(unsupported(format!("{name}() with column aliases")));
    }
    if let Some(sub) = super::populate::from_item(&name, &args)? {
        return Ok(replace_with(factor, sub, alias, &name));
    }
    if matches!(
        name.as_str(),
        "json_to_recordset" | "jsonb_to_recordset" | "json_to_record" | "jsonb_to_record"
    ) {
        let sub = to_record(&name, one_arg(&name, &args)?, alias.as_ref())?;
        return Ok(replace_with(factor, sub, alias, &name));
    }
    let column = match alias.as_ref() {
        // Their result column is a named OUT parameter: `value`, whatever the table alias.
        a if name.contains("array_elements") && alias_columns_free(a) => "value".to_owned(),
        _ => column_name(&shown, alias.as_ref())?,
    };
    let mut subquery = match name.as_str() {
        "generate_series" => generate_series(&args)?,
        "unnest" => match args.as_slice() {
            [array] => query(
                "SELECT value AS pg_col FROM json_each($1)",
                std::slice::from_ref(array),
            ),
            _ => unreachable!("several arrays are zipped above"),
        },
        // JSON set-returning functions over SQLite's json_each.
        "json_array_elements" | "jsonb_array_elements" => query(
            &format!("SELECT {JSON_VALUE} AS pg_col FROM json_each($1)"),
            one_arg(&name, &args)?,
        ),
        "json_array_elements_text" | "jsonb_array_elements_text" => query(
            &format!("SELECT {TEXT_VALUE} AS pg_col FROM json_each($1)"),
            one_arg(&name, &args)?,
        ),
        "json_object_keys" | "jsonb_object_keys" => query(
            "SELECT key AS pg_col FROM json_each($1)",
            one_arg(&name, &args)?,
        ),
        // The path's items, as the array jsonb_path_query_array collects.
        "jsonb_path_query" => query(
            &format!("SELECT {} AS pg_col FROM json_each($1)", path_item("")),
            &[super::ast::call("jsonb_path_query_array", args.clone())],
        ),
        // Storage options (`{fillfactor=70}`) as (option_name, option_value)
        // rows; pg_dump and psql read a relation's or column's this way.
        "pg_options_to_table" if alias_columns_free(alias.as_ref()) => {
            let sub = query(
                "SELECT CASE WHEN instr(value, '=') > 0 THEN substr(value, 1, instr(value, '=') - 1) \
                   ELSE value END AS option_name, \
                 CASE WHEN instr(value, '=') > 0 THEN substr(value, instr(value, '=') + 1) END \
                   AS option_value FROM json_each(coalesce($1, '[]'))",
                &[super::arrays::stored(one_arg(&name, &args)?[0].clone())],
            );
            return Ok(replace_with(factor, sub, alias, &name));
        }
        // (Plain `json_each` is SQLite's own, which the translator's templates use.)
        "jsonb_each" | "json_each_text" | "jsonb_each_text"
            if alias_columns_free(alias.as_ref()) =>
        {
            let value = if name.ends_with("_text") {
                TEXT_VALUE
            } else {
                JSON_VALUE
            };
            let sub = query(
                &format!("SELECT key, {value} AS value FROM json_each($1)"),
                one_arg(&name, &args)?,
            );
            return Ok(replace_with(factor, sub, alias, &name));
        }
        // One row per match (every match with the `g` flag), each a text[].
        "regexp_matches" => query(
            "SELECT value AS pg_col FROM json_each($1)",
            &[regexp_matches(&args)?],
        ),
        // The pieces of a split, one row each.
        "regexp_split_to_table" | "string_to_table" => query(
            "SELECT value AS pg_col FROM json_each($1)",
            &[super::ast::call(
                if name == "string_to_table" {
                    "string_to_array"
                } else {
                    "regexp_split_to_array"
                },
                args.clone(),
            )],
        ),
        // Other set-returning functions are not translated (refused by name).
        "generate_subscripts" | "json_each" | "json_tree" => return Ok(false),
        // A function returning one value, in FROM, is a one-row relation
        // (Grafana's `FROM string_to_array(current_setting(...), ',') s`).
        _ => query(
            "SELECT $1 AS pg_col",
            &[super::ast::call(&name, args.clone())],
        ),
    };
    name_output(&mut subquery, column);
    Ok(replace_with(factor, subquery, alias, &name))
}

/// `unnest(a[, b ...]) [WITH ORDINALITY] [AS t(x[, y ...][, n])]` with
/// several arrays, or with ordinality, and the JSON array element functions
/// with ordinality: one json_each per array, zipped on the array index
/// (a shorter array pads with NULL, as in PostgreSQL); the index counted
/// from 1 is the ordinality.
fn zipped_elements(
    factor: &mut TableFactor,
    name: &str,
    args: &[Expr],
    alias: Option<TableAlias>,
    ordinality: bool,
) -> Result<bool, TranslateError> {
    let item = path_item("");
    let value = match name {
        "unnest" => "value",
        // (One json_each: its `json` and `fullkey` need no qualifier.)
        "jsonb_path_query" => item.as_str(),
        "json_array_elements" | "jsonb_array_elements" if args.len() == 1 => JSON_VALUE,
        "json_array_elements_text" | "jsonb_array_elements_text" if args.len() == 1 => TEXT_VALUE,
        _ => return Err(unsupported(format!("{name}() WITH ORDINALITY"))),
    };
    let outputs = args.len() + usize::from(ordinality);
    let names: Vec<String> = alias
        .as_ref()
        .map(|a| a.columns.iter().map(|c| ident_name(&c.name)).collect())
        .unwrap_or_default();
    if names.len() > outputs {
        return Err(other(
            "42P10",
            format!("too many column aliases specified for function {name}"),
        ));
    }
    let default_name = |i: usize| match (&alias, name) {
        _ if ordinality && i == args.len() => "ordinality".to_owned(),
        (Some(a), "unnest" | "jsonb_path_query") if args.len() == 1 => ident_name(&a.name),
        (_, "unnest" | "jsonb_path_query") => name.to_owned(),
        _ => "value".to_owned(),
    };
    let quote = |n: &str| format!("\"{}\"", n.replace('"', "\"\""));
    let column = |i: usize| quote(names.get(i).map_or(&default_name(i), |n| n));
    let mut select: Vec<String> = (0..args.len())
        .map(|i| {
            format!(
                "{} AS {}",
                value
                    .replace("value", &format!("e{i}.value"))
                    .replace("type", &format!("e{i}.type")),
                column(i)
            )
        })
        .collect();
    let index = (0..args.len())
        .map(|i| format!("e{i}.key"))
        .collect::<Vec<_>>()
        .join(", ");
    let index = if args.len() == 1 {
        index
    } else {
        format!("coalesce({index})")
    };
    if ordinality {
        select.push(format!("{index} + 1 AS {}", column(args.len())));
    }
    let mut from = String::from("json_each($1) AS e0");
    for i in 1..args.len() {
        from.push_str(&format!(
            " FULL JOIN json_each(${}) AS e{i} ON e{i}.key = e0.key",
            i + 1
        ));
    }
    let sub = query(
        &format!("SELECT {} FROM {from} ORDER BY {index}", select.join(", ")),
        args,
    );
    Ok(replace_with(factor, sub, alias, name))
}

/// A JSON value of json_each as PostgreSQL's json/jsonb element text.
const JSON_VALUE: &str = "CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' \
     WHEN 'null' THEN 'null' WHEN 'text' THEN json_quote(value) ELSE value END";
/// A path item (an element of `json_each` over the items' array, columns
/// read through `p`): as `JSON_VALUE`, except that a fraction a double
/// would print otherwise (4.2500000000000000, 1.0), or an integer past
/// 64 bits, is its JSON text.
fn path_item(p: &str) -> String {
    format!(
        "CASE WHEN {p}type = 'real' AND {p}value = CAST({p}value AS INTEGER) \
         OR {p}type IN ('real', 'integer') AND CAST({p}value AS TEXT) <> ({p}json -> {p}fullkey) \
         THEN {p}json -> {p}fullkey \
         WHEN {p}type = 'text' THEN json_quote({p}value) \
         WHEN {p}type IN ('true', 'false', 'null') THEN {p}type ELSE {p}value END"
    )
}
/// Stands for [`path_item`] where a template is chosen (its columns are
/// qualified in its own way).
const PATH_ITEM: &str = "path item";
/// The `_text` variants: strings unquoted, JSON null as SQL NULL.
const TEXT_VALUE: &str =
    "CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE value END";

/// `pg_regexp_matches(s, pattern[, flags])`: the rows of `regexp_matches`
/// as a JSON array (see `backend::sqlite::pgfuncs::text`).
fn regexp_matches(args: &[Expr]) -> Result<Expr, TranslateError> {
    if !(2..=3).contains(&args.len()) {
        return Err(other(
            "42883",
            format!(
                "function regexp_matches with {} arguments does not exist",
                args.len()
            ),
        ));
    }
    Ok(super::ast::call("pg_regexp_matches", args.to_vec()))
}

fn one_arg<'a>(name: &str, args: &'a [Expr]) -> Result<&'a [Expr], TranslateError> {
    match args {
        [_] => Ok(args),
        _ => Err(unsupported(format!(
            "{name}() with {} arguments",
            args.len()
        ))),
    }
}

fn alias_columns_free(alias: Option<&TableAlias>) -> bool {
    alias.is_none_or(|a| a.columns.is_empty())
}

/// The FROM item becomes `(subquery) AS alias` (the function's name when unaliased).
fn replace_with(
    factor: &mut TableFactor,
    subquery: sqlparser::ast::Query,
    alias: Option<TableAlias>,
    name: &str,
) -> bool {
    let table_alias = alias.unwrap_or_else(|| TableAlias {
        explicit: true,
        at: None,
        name: Ident::new(name),
        columns: vec![],
    });
    *factor = TableFactor::Derived {
        lateral: false,
        subquery: Box::new(subquery),
        alias: Some(TableAlias {
            columns: vec![],
            ..table_alias
        }),
        sample: None,
    };
    true
}

/// The select-list form `SELECT generate_series(1, 3)` / `SELECT unnest(a)`
/// without FROM: the call becomes a column of the same subquery in FROM.
/// Several calls run side by side, as PostgreSQL runs them: row i holds
/// each one's i-th value, NULL past its end (see [`zip`]).
pub(super) fn rewrite_select_list(select: &mut Select) -> Result<(), TranslateError> {
    if !select.from.is_empty() {
        return rewrite_select_list_over_rows(select);
    }
    let mut found: Vec<(TableFactor, String)> = Vec::new();
    let mut exprs: Vec<&mut Expr> = Vec::new();
    for item in &mut select.projection {
        let (mut expr, alias) = match item {
            SelectItem::UnnamedExpr(e) => (e, None),
            SelectItem::ExprWithAlias { expr, alias } => (expr, Some(alias.clone())),
            _ => continue,
        };
        // `generate_series(...)::date`, `generate_series(1, 3) * 2`: the
        // call inside the item.
        let Some(slot) = srf_slot(expr, expands_in_select_list) else {
            continue;
        };
        expr = slot;
        let Expr::Function(func) = expr else { continue };
        let name = base_name(&func.name);
        super::jsonpath::normalize(func)?;
        let Some(args) = plain_args(func) else {
            continue;
        };
        let column = alias
            .map(|a| ident_name(&a))
            .unwrap_or_else(|| name.clone());
        let mut factor = super::ast::table_function(
            &name,
            "pg_srf",
            vec![sqlparser::ast::TableAliasColumnDef::from_name(
                column.clone(),
            )],
            args.into_iter().cloned().collect(),
        );
        rewrite_table_function(&mut factor)?;
        found.push((factor, column));
        exprs.push(expr);
    }
    if found.len() > 1 {
        for (i, (expr, (_, column))) in exprs.into_iter().zip(&found).enumerate() {
            *expr = Expr::CompoundIdentifier(vec![
                Ident::new(format!("pg_srf{}", i + 1)),
                Ident::with_quote('"', column.clone()),
            ]);
        }
        select.from = vec![zip(found.into_iter().map(|(f, _)| f).collect())?];
    } else if let (Some((relation, column)), Some(expr)) = (found.pop(), exprs.pop()) {
        *expr =
            Expr::CompoundIdentifier(vec![Ident::new("pg_srf"), Ident::with_quote('"', column)]);
        select.from = vec![TableWithJoins {
            relation,
            joins: vec![],
        }];
    }
    Ok(())
}

/// A call [`rewrite_select_list`] expands as a table function.
fn expands_in_select_list(func: &sqlparser::ast::Function) -> bool {
    let elements = matches!(
        base_name(&func.name).as_str(),
        "generate_subscripts" | "unnest"
    );
    json_srf(func) || elements && func.over.is_none()
}

/// The set-returning call in a select-list item: the item itself, or
/// inside its operators, casts and other functions' arguments (not in a
/// subquery, which expands on its own).
fn srf_slot(expr: &mut Expr, expands: fn(&sqlparser::ast::Function) -> bool) -> Option<&mut Expr> {
    if matches!(expr, Expr::Function(f) if expands(f)) {
        return Some(expr);
    }
    match expr {
        Expr::Cast { expr, .. } | Expr::Nested(expr) | Expr::UnaryOp { expr, .. } => {
            srf_slot(expr, expands)
        }
        Expr::BinaryOp { left, right, .. } => match srf_slot(left, expands) {
            Some(found) => Some(found),
            None => srf_slot(right, expands),
        },
        Expr::Function(f) => match &mut f.args {
            sqlparser::ast::FunctionArguments::List(list) => {
                list.args.iter_mut().find_map(|a| match a {
                    sqlparser::ast::FunctionArg::Unnamed(
                        sqlparser::ast::FunctionArgExpr::Expr(e),
                    ) => srf_slot(e, expands),
                    _ => None,
                })
            }
            _ => None,
        },
        _ => None,
    }
}

/// Whether [`srf_slot`] finds a call (without the `&mut` it needs).
fn holds_srf(expr: &Expr, expands: fn(&sqlparser::ast::Function) -> bool) -> bool {
    match expr {
        Expr::Function(f) if expands(f) => true,
        Expr::Cast { expr, .. } | Expr::Nested(expr) | Expr::UnaryOp { expr, .. } => {
            holds_srf(expr, expands)
        }
        Expr::BinaryOp { left, right, .. } => holds_srf(left, expands) || holds_srf(right, expands),
        Expr::Function(f) => match &f.args {
            sqlparser::ast::FunctionArguments::List(list) => list.args.iter().any(|a| {
                matches!(a, sqlparser::ast::FunctionArg::Unnamed(
                    sqlparser::ast::FunctionArgExpr::Expr(e),
                ) if holds_srf(e, expands))
            }),
            _ => false,
        },
        _ => false,
    }
}

/// Several set-returning calls side by side: each one's rows numbered in
/// order (`pg_srfK`), joined to the union of all the numbers.
fn zip(factors: Vec<TableFactor>) -> Result<TableWithJoins, TranslateError> {
    use sqlparser::ast::{VisitMut, VisitorMut};
    let numbers: Vec<String> = (1..=factors.len())
        .map(|k| format!("SELECT pg_i FROM (SELECT row_number() OVER () AS pg_i FROM pg_f{k})"))
        .collect();
    let joins: Vec<String> = (1..=factors.len())
        .map(|k| {
            format!(
                "LEFT JOIN (SELECT row_number() OVER () AS pg_i, * FROM pg_f{k}) AS pg_srf{k} \
                 ON pg_srf{k}.pg_i = pg_rows.pg_i"
            )
        })
        .collect();
    let sql = format!(
        "SELECT 1 FROM ({}) AS pg_rows {}",
        numbers.join(" UNION "),
        joins.join(" ")
    );
    let parsed =
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, &sql)
            .ok()
            .and_then(|mut s| s.pop());
    let Some(sqlparser::ast::Statement::Query(mut query)) = parsed else {
        return Err(unsupported(
            "several set-returning functions in a select list",
        ));
    };
    struct Place(Vec<TableFactor>);
    impl VisitorMut for Place {
        type Break = ();
        fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<()> {
            if let TableFactor::Table { name, .. } = factor {
                let k = name
                    .to_string()
                    .strip_prefix("pg_f")
                    .and_then(|k| k.parse::<usize>().ok());
                if let Some(k) = k {
                    *factor = self.0[k - 1].clone();
                }
            }
            ControlFlow::Continue(())
        }
    }
    let _ = query.visit(&mut Place(factors));
    let sqlparser::ast::SetExpr::Select(select) = *query.body else {
        return Err(unsupported(
            "several set-returning functions in a select list",
        ));
    };
    select
        .from
        .into_iter()
        .next()
        .ok_or_else(|| unsupported("several set-returning functions in a select list"))
}

/// A set-returning function over JSON in the select list of a query with
/// FROM (`SELECT id, unnest(tags) FROM posts`): each row of the FROM
/// repeats once per element, and a row whose set is empty goes away, as in
/// PostgreSQL. SQLite's `json_each` joins in FROM with the row's values
/// (`FROM posts, json_each(tags) AS pg_srf`); the call becomes the
/// element. Not under grouping or DISTINCT, where PostgreSQL expands the
/// set after grouping.
fn rewrite_select_list_over_rows(select: &mut Select) -> Result<(), TranslateError> {
    let srf = over_rows_srf;
    match select.projection.iter().filter(|i| srf(i)).count() {
        0 => return Ok(()),
        1 => {}
        _ => {
            return Err(unsupported(
                "several set-returning functions in a select list",
            ))
        }
    }
    if !expands_before_grouping(select) {
        return Err(unsupported(
            "a set-returning function expanded after grouping (over aggregates or \
             not a grouping key)",
        ));
    }
    // json_each's own columns (`id`, `key`, `value`, ...) must not capture
    // the row's unqualified names.
    super::catalog::qualify_columns(select);
    let Some(SelectItem::UnnamedExpr(item) | SelectItem::ExprWithAlias { expr: item, .. }) =
        select.projection.iter_mut().find(|i| srf(i))
    else {
        return Ok(());
    };
    let Some(expr) = srf_slot(item, json_srf) else {
        return Ok(());
    };
    let Expr::Function(func) = expr else {
        return Ok(());
    };
    super::jsonpath::normalize(func)?;
    let name = base_name(&func.name);
    let Some(args) = plain_args(func) else {
        return Ok(());
    };
    let args: Vec<Expr> = args.into_iter().cloned().collect();
    let (source, element) = json_rows(&name, &args)?;
    let call = std::mem::replace(expr, super::ast::template(&element, []));
    // `GROUP BY jsonb_object_keys(doc)`: the same element.
    if let sqlparser::ast::GroupByExpr::Expressions(keys, _) = &mut select.group_by {
        for key in keys.iter_mut().filter(|k| **k == call) {
            *key = super::ast::template(&element, []);
        }
    }
    select.from.push(TableWithJoins {
        relation: super::ast::table_function("json_each", "pg_srf", vec![], vec![source]),
        joins: vec![],
    });
    Ok(())
}

/// A set-returning call as a JSON array `json_each` reads (`source`) and
/// the SQL reading one element through `pg_srf` (`element`).
fn json_rows(name: &str, args: &[Expr]) -> Result<(Expr, String), TranslateError> {
    let (source, element) = match (name, args) {
        ("json_array_elements" | "jsonb_array_elements", [json]) => ((*json).clone(), JSON_VALUE),
        ("json_array_elements_text" | "jsonb_array_elements_text", [json]) => {
            ((*json).clone(), TEXT_VALUE)
        }
        ("json_object_keys" | "jsonb_object_keys", [json]) => ((*json).clone(), "key"),
        ("regexp_matches", _) => (regexp_matches(args)?, "value"),
        ("regexp_split_to_table", [_, _] | [_, _, _]) => (
            super::ast::call("regexp_split_to_array", args.to_vec()),
            TEXT_VALUE,
        ),
        ("string_to_table", [_, _] | [_, _, _]) => (
            super::ast::call("string_to_array", args.to_vec()),
            TEXT_VALUE,
        ),
        // The row's series as a JSON array (`pg_series_array`): json_each
        // may read the row's columns, a recursive CTE could not.
        ("generate_series", [_, _] | [_, _, _]) => {
            let mut args = args.to_vec();
            if let Some(step) = args.get_mut(2) {
                if let Some(text) = interval_step(step) {
                    *step = Expr::value(Value::SingleQuotedString(text));
                } else if is_zero(step) {
                    return Err(other("22023", "step size cannot equal zero"));
                }
            }
            (super::ast::call("pg_series_array", args), "value")
        }
        ("jsonb_path_query", _) => (
            super::ast::call("jsonb_path_query_array", args.to_vec()),
            PATH_ITEM,
        ),
        _ => return Err(unsupported(format!("{name}() with these arguments"))),
    };
    let element = if element == PATH_ITEM {
        path_item("pg_srf.")
    } else {
        element
            .replace("value", "pg_srf.value")
            .replace("type", "pg_srf.type")
            .replace("key", "pg_srf.key")
    };
    Ok((source, element))
}

/// Whether the select list's set-returning call yields its rows before
/// grouping, as a join in FROM does: always without GROUP BY, HAVING or
/// DISTINCT; with DISTINCT (which reads the expanded rows) or grouping by
/// the call's own column (its name, position or expression), when its
/// arguments hold no aggregate. Otherwise PostgreSQL expands the set after
/// grouping (`generate_series(1, count(*))`), which a join cannot.
fn expands_before_grouping(select: &Select) -> bool {
    let Some(position) = select.projection.iter().position(over_rows_srf) else {
        return false;
    };
    let (SelectItem::UnnamedExpr(call) | SelectItem::ExprWithAlias { expr: call, .. }) =
        &select.projection[position]
    else {
        return false;
    };
    let keys: &[Expr] = match &select.group_by {
        sqlparser::ast::GroupByExpr::Expressions(keys, modifiers) if modifiers.is_empty() => keys,
        _ => return false,
    };
    if keys.is_empty() && select.having.is_none() {
        return select.distinct.is_none() || !super::aggregates::contains_aggregate(call);
    }
    let name = match &select.projection[position] {
        SelectItem::ExprWithAlias { alias, .. } => ident_name(alias),
        _ => super::output_names::column_name(call),
    };
    let grouped_by_it = keys.iter().any(|k| match k {
        Expr::Identifier(i) => ident_name(i) == name,
        Expr::Value(v) => {
            matches!(&v.value, Value::Number(n, _) if n.parse::<usize>() == Ok(position + 1))
        }
        other => other == call,
    });
    grouped_by_it && !super::aggregates::contains_aggregate(call)
}

/// A select-list item [`rewrite_select_list_over_rows`] turns into a
/// `json_each` join.
fn over_rows_srf(item: &SelectItem) -> bool {
    let (SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. }) = item else {
        return false;
    };
    holds_srf(expr, json_srf)
}

/// A set-returning call [`json_rows`] reads as a JSON array.
fn json_srf(func: &sqlparser::ast::Function) -> bool {
    func.over.is_none()
        && func.filter.is_none()
        && matches!(
            base_name(&func.name).as_str(),
            "generate_series"
                | "json_array_elements"
                | "jsonb_array_elements"
                | "json_array_elements_text"
                | "jsonb_array_elements_text"
                | "json_object_keys"
                | "jsonb_object_keys"
                | "regexp_matches"
                | "regexp_split_to_table"
                | "string_to_table"
                | "jsonb_path_query"
        )
}

/// The set-returning call of a select-list item, under casts too
/// (`generate_series(...)::date`).
fn srf_in(expr: &Expr) -> Option<&sqlparser::ast::Function> {
    match expr {
        Expr::Cast { expr, .. } | Expr::Nested(expr) => srf_in(expr),
        Expr::Function(f) if json_srf(f) => Some(f),
        _ => None,
    }
}

/// [`srf_in`], to change the call.
fn item_srf(expr: &mut Expr) -> Option<&mut sqlparser::ast::Function> {
    match expr {
        Expr::Cast { expr, .. } | Expr::Nested(expr) => item_srf(expr),
        Expr::Function(f) if json_srf(f) => Some(f),
        _ => None,
    }
}

/// A set-returning call over aggregates in a select list (`SELECT
/// generate_series(min(day), max(day), '1 day') FROM t`), which PostgreSQL
/// expands after grouping: the grouped select becomes the derived table
/// `pg_g`, whose column holds the set as a JSON array, joined to
/// `json_each` over it. ORDER BY (output names or positions) and LIMIT
/// apply to the outer select.
pub(super) fn expand_after_grouping(query: &mut Query) -> Result<(), TranslateError> {
    let sqlparser::ast::SetExpr::Select(select) = query.body.as_mut() else {
        return Ok(());
    };
    if select.from.is_empty() || select.distinct.is_some() {
        return Ok(());
    }
    let over_aggregates = |item: &SelectItem| match item {
        SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => srf_in(e)
            .is_some_and(|f| {
                plain_args(f)
                    .is_some_and(|a| a.iter().any(|x| super::aggregates::contains_aggregate(x)))
            }),
        _ => false,
    };
    let Some(k) = select.projection.iter().position(over_aggregates) else {
        return Ok(());
    };
    let mut inner = select.as_ref().clone();
    let what = "a set-returning function over aggregates beside another, a `*`, or \
                ORDER BY an expression";
    let mut names = Vec::with_capacity(inner.projection.len());
    for item in &inner.projection {
        names.push(match item {
            SelectItem::ExprWithAlias { alias, .. } => ident_name(alias),
            SelectItem::UnnamedExpr(e) => super::output_names::column_name(e),
            _ => return Err(unsupported(what)),
        });
    }
    if let Some(order_by) = &query.order_by {
        let sqlparser::ast::OrderByKind::Expressions(items) = &order_by.kind else {
            return Err(unsupported(what));
        };
        let by_output = |e: &Expr| match e {
            Expr::Identifier(i) => names.contains(&ident_name(i)),
            Expr::Value(v) => matches!(v.value, Value::Number(..)),
            _ => false,
        };
        if !items.iter().all(|i| by_output(&i.expr)) {
            return Err(unsupported(what));
        }
    }
    let mut outer_items = Vec::with_capacity(names.len());
    for (i, (item, name)) in inner.projection.iter_mut().zip(&names).enumerate() {
        let (SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. }) = item else {
            return Err(unsupported(what));
        };
        let column = format!("pg_c{}", i + 1);
        let mut shown = Expr::CompoundIdentifier(vec![Ident::new("pg_g"), Ident::new(&column)]);
        if i == k {
            let mut outer = expr.clone();
            let Some(f) = item_srf(&mut outer) else {
                return Err(unsupported(what));
            };
            let args: Vec<Expr> = plain_args(f)
                .unwrap_or_default()
                .into_iter()
                .cloned()
                .collect();
            let (source, element) = json_rows(&base_name(&f.name), &args)?;
            let element = super::ast::template(&element, []);
            match &mut outer {
                Expr::Function(_) => outer = element,
                _ => {
                    if let Some(Expr::Cast { expr, .. } | Expr::Nested(expr)) =
                        cast_holding_srf(&mut outer)
                    {
                        **expr = element;
                    }
                }
            }
            shown = outer;
            *expr = source;
        } else if item_srf(expr).is_some() {
            return Err(unsupported(what));
        }
        *item = SelectItem::ExprWithAlias {
            expr: super::ast::take(expr),
            alias: Ident::new(column),
        };
        outer_items.push(SelectItem::ExprWithAlias {
            expr: shown,
            alias: Ident::with_quote('"', name.clone()),
        });
    }
    let mut outer = query_template(&format!(
        "SELECT 1 FROM (SELECT 1) AS pg_g, json_each(pg_g.pg_c{}) AS pg_srf",
        k + 1
    ));
    let sqlparser::ast::SetExpr::Select(outer_select) = outer.body.as_mut() else {
        return Err(unsupported(what));
    };
    outer_select.projection = outer_items;
    if let Some(TableWithJoins {
        relation: TableFactor::Derived { subquery, .. },
        ..
    }) = outer_select.from.first_mut()
    {
        *subquery.body = sqlparser::ast::SetExpr::Select(Box::new(inner));
    }
    query.body = outer.body;
    Ok(())
}

/// The innermost cast (or parenthesis) whose operand is the set-returning call.
fn cast_holding_srf(expr: &mut Expr) -> Option<&mut Expr> {
    let holds = match expr {
        Expr::Cast { expr: inner, .. } | Expr::Nested(inner) => {
            matches!(inner.as_ref(), Expr::Function(f) if json_srf(f))
        }
        _ => return None,
    };
    if holds {
        return Some(expr);
    }
    match expr {
        Expr::Cast { expr: inner, .. } | Expr::Nested(inner) => cast_holding_srf(inner),
        _ => None,
    }
}

/// ORDER BY of a query whose select list [`rewrite_select_list_over_rows`]
/// rewrites: the joined `json_each` brings columns (`id`, `key`, `value`)
/// that would make the row's unqualified names ambiguous there, so input
/// columns are qualified with the FROM relation (a bare output name stays).
pub(super) fn qualify_order_by(query: &mut Query) {
    let (sqlparser::ast::SetExpr::Select(select), Some(order_by)) =
        (query.body.as_ref(), &mut query.order_by)
    else {
        return;
    };
    if select.from.is_empty() || !select.projection.iter().any(over_rows_srf) {
        return;
    }
    let sqlparser::ast::OrderByKind::Expressions(items) = &mut order_by.kind else {
        return;
    };
    let outputs: Vec<String> = select
        .projection
        .iter()
        .filter_map(|item| match item {
            SelectItem::ExprWithAlias { alias, .. } => Some(ident_name(alias)),
            SelectItem::UnnamedExpr(Expr::Identifier(i)) => Some(ident_name(i)),
            SelectItem::UnnamedExpr(Expr::Function(f)) => Some(base_name(&f.name)),
            _ => None,
        })
        .collect();
    // The same qualification the select list gets, through a select that
    // holds only the ORDER BY terms.
    let mut terms = select.as_ref().clone();
    terms.projection = items
        .iter()
        .map(|item| SelectItem::UnnamedExpr(item.expr.clone()))
        .collect();
    terms.selection = None;
    super::catalog::qualify_columns(&mut terms);
    for (item, term) in items.iter_mut().zip(terms.projection) {
        if matches!(&item.expr, Expr::Identifier(i) if outputs.contains(&ident_name(i))) {
            continue;
        }
        match term {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => item.expr = e,
            _ => {}
        }
    }
}

fn column_name(function: &str, alias: Option<&TableAlias>) -> Result<String, TranslateError> {
    Ok(match alias {
        None => function.to_string(),
        Some(a) => match a.columns.as_slice() {
            [] => ident_name(&a.name),
            [c] => ident_name(&c.name),
            _ => {
                return Err(other(
                    "42P10",
                    format!("too many column aliases specified for function {function}"),
                ))
            }
        },
    })
}

/// Names the template's single output column (`pg_col`) `column`.
fn name_output(query: &mut Query, column: String) {
    if let sqlparser::ast::SetExpr::Select(select) = query.body.as_mut() {
        if let Some(SelectItem::ExprWithAlias { alias, .. }) = select.projection.first_mut() {
            *alias = Ident::with_quote('"', column);
        }
    }
}

fn generate_series(args: &[Expr]) -> Result<Query, TranslateError> {
    let col = "pg_col";
    match args {
        [start, stop] => Ok(query(
            &format!(
                "WITH RECURSIVE pg_series(v) AS (SELECT $1 WHERE $1 <= $2 \
                 UNION ALL SELECT v + 1 FROM pg_series WHERE v + 1 <= CAST($2 AS REAL)) \
                 SELECT v AS {col} FROM pg_series"
            ),
            &[start.clone(), stop.clone()],
        )),
        [start, stop, step] => {
            if let Some(text) = interval_step(step) {
                return timestamp_series(start, stop, &text, col);
            }
            // Numbers compare as numbers below (CAST): a series of text
            // must end, never loop on SQLite's text-above-numbers order.
            if is_zero(step) {
                return Err(other("22023", "step size cannot equal zero"));
            }
            Ok(query(
                &format!(
                    "WITH RECURSIVE pg_series(v) AS (SELECT $1 WHERE \
                     ($3 > 0 AND $1 <= $2) OR ($3 < 0 AND $1 >= $2) \
                     UNION ALL SELECT v + $3 FROM pg_series WHERE \
                     (CAST($3 AS REAL) > 0 AND v + $3 <= CAST($2 AS REAL)) \
                     OR (CAST($3 AS REAL) < 0 AND v + $3 >= CAST($2 AS REAL))) \
                     SELECT v AS {col} FROM pg_series"
                ),
                &[start.clone(), stop.clone(), step.clone()],
            ))
        }
        _ => Err(other(
            "42883",
            format!(
                "function generate_series with {} arguments does not exist",
                args.len()
            ),
        )),
    }
}

/// Timestamps step by an interval literal; values are timestamp text.
fn timestamp_series(
    start: &Expr,
    stop: &Expr,
    interval: &str,
    col: &str,
) -> Result<Query, TranslateError> {
    let backwards = interval.trim_start().starts_with('-');
    let modifiers = interval_modifiers(interval, false)?
        .into_iter()
        .map(|m| format!("'{}'", m.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ");
    let cmp = if backwards { ">=" } else { "<=" };
    let next = format!("strftime('%Y-%m-%d %H:%M:%S', v, {modifiers})");
    Ok(query(
        &format!(
            "WITH RECURSIVE pg_series(v) AS (SELECT strftime('%Y-%m-%d %H:%M:%S', $1) \
             WHERE julianday($1) {cmp} julianday($2) \
             UNION ALL SELECT {next} FROM pg_series WHERE julianday({next}) {cmp} julianday($2)) \
             SELECT v AS {col} FROM pg_series"
        ),
        &[start.clone(), stop.clone()],
    ))
}

fn interval_step(step: &Expr) -> Option<String> {
    match step {
        Expr::Interval(interval) if interval.leading_field.is_none() => {
            string_literal(&interval.value).map(str::to_string)
        }
        Expr::Cast {
            expr,
            data_type: DataType::Interval { .. },
            ..
        } => string_literal(expr).map(str::to_string),
        Expr::Nested(inner) => interval_step(inner),
        // An untyped '1 day': PostgreSQL picks the timestamp form for it
        // (a number in quotes stays a number step).
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) if s.trim().parse::<f64>().is_err() => Some(s.clone()),
            _ => None,
        },
        _ => None,
    }
}

fn is_zero(expr: &Expr) -> bool {
    matches!(expr, Expr::Value(v) if matches!(&v.value, Value::Number(n, _) if n.parse::<f64>() == Ok(0.0)))
}

/// Parses a fixed query template and substitutes `$n` with `args`.
/// Templates are fixed strings of this module (user text only enters as
/// substituted expressions), so they always parse as a subquery.
fn query_template(sql: &str) -> Query {
    query(sql, &[])
}

fn query(sql: &str, args: &[Expr]) -> Query {
    match super::ast::template(&format!("({sql})"), args) {
        Expr::Subquery(q) => *q,
        other_expr => panic!("internal template is not a subquery: {other_expr}"),
    }
}

/// `json[b]_to_record[set](j) AS x(a int, b text, ...)`: each object's keys
/// read as the columns the alias declares (a missing key is NULL), cast as
/// PostgreSQL casts the JSON text; json/jsonb columns take the value as
/// JSON. The set form reads the array's elements through `json_each`.
fn to_record(
    name: &str,
    json: &[Expr],
    alias: Option<&TableAlias>,
) -> Result<Query, TranslateError> {
    let no_definitions = || {
        other(
            "42601",
            "a column definition list is required for functions returning \"record\"",
        )
    };
    let columns = alias.map(|a| a.columns.as_slice()).unwrap_or_default();
    if columns.is_empty() {
        return Err(no_definitions());
    }
    let mut items = Vec::with_capacity(columns.len());
    for c in columns {
        let Some(data_type) = &c.data_type else {
            return Err(no_definitions());
        };
        let json_typed = matches!(
            super::types::pg_type(data_type),
            Ok(crate::sql::pgtype::PgType::Json | crate::sql::pgtype::PgType::Jsonb)
        );
        let key = c.name.value.replace('\'', "''");
        let field = if json_typed {
            format!("value -> '{key}'")
        } else {
            let jsonb = u8::from(name.starts_with("jsonb"));
            format!("pg_json_field(value, '{key}', {jsonb})")
        };
        items.push(format!(
            "CAST({field} AS {data_type}) AS {}",
            Ident::with_quote('"', &c.name.value)
        ));
    }
    let from = if name.ends_with("recordset") {
        "json_each($1)"
    } else {
        "(SELECT $1 AS value) AS pg_record"
    };
    Ok(query(
        &format!("SELECT {} FROM {from}", items.join(", ")),
        json,
    ))
}

/// PostgreSQL's set-returning functions that a query may call.
fn is_set_returning(name: &str) -> bool {
    matches!(
        name,
        "generate_series"
            | "generate_subscripts"
            | "unnest"
            | "json_each"
            | "jsonb_each"
            | "json_each_text"
            | "jsonb_each_text"
            | "json_array_elements"
            | "jsonb_array_elements"
            | "json_array_elements_text"
            | "jsonb_array_elements_text"
            | "json_object_keys"
            | "jsonb_object_keys"
            | "jsonb_path_query"
            | "regexp_matches"
            | "regexp_split_to_table"
            | "string_to_table"
    )
}

/// Whether the expression calls a set-returning function outside a
/// subquery (so a select list holding it may yield many rows, or none).
pub(super) fn returns_set(expr: &Expr) -> bool {
    let mut found = false;
    let _ = sqlparser::ast::visit_expressions(expr, |e| {
        match e {
            Expr::Function(f) if f.over.is_none() && is_set_returning(&base_name(&f.name)) => {
                found = true;
                return ControlFlow::Break(());
            }
            _ => {}
        }
        ControlFlow::Continue(())
    });
    found
}
