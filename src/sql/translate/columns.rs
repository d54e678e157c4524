//! Result column types knowable from the expression alone.

use super::ast::{base_name, plain_args};
use super::retype::TableColumns;
use super::types::pg_type;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{
    BinaryOperator, Expr, Function, Query, SelectItem, SelectItemQualifiedWildcardKind, SetExpr,
    Statement, UnaryOperator, Value,
};

/// One entry per output column, or empty when the count is unknown (`*`).
pub(super) fn infer(statement: &Statement) -> Vec<Option<PgType>> {
    let guard = ScopeGuard::new();
    let items = match statement {
        Statement::Query(query) => return query_columns(query),
        Statement::Insert(insert) => {
            if let sqlparser::ast::TableObject::TableName(name) = &insert.table {
                let table = base_name(name);
                let shown = insert
                    .table_alias
                    .as_ref()
                    .map_or_else(|| table.clone(), |a| a.alias.value.clone());
                guard.push(table_relation(shown, &table));
            }
            insert.returning.as_deref()
        }
        Statement::Update(update) => {
            push_from(&guard, std::slice::from_ref(&update.table));
            update.returning.as_deref()
        }
        Statement::Delete(delete) => {
            let (sqlparser::ast::FromTable::WithFromKeyword(t)
            | sqlparser::ast::FromTable::WithoutKeyword(t)) = &delete.from;
            push_from(&guard, t);
            delete.returning.as_deref()
        }
        _ => None,
    };
    items.map(select_items).unwrap_or_default()
}

/// The expression-only column types of a (sub)query.
pub(super) fn query_types(query: &Query) -> Vec<Option<PgType>> {
    query_columns(query)
}

/// A relation visible to a SELECT list: a CTE, a derived table or a table
/// function, with its columns' names and expression-only types.
struct Relation {
    name: String,
    columns: Vec<(String, Option<PgType>)>,
    kind: Kind,
    /// Declared numeric scales, parallel to `columns` (empty: unknown).
    scales: Vec<Option<u16>>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A WITH query: visible to FROM clauses by name, not to expressions.
    Cte,
    /// In the current FROM clause.
    From,
    /// A FROM item whose columns are unknown (a real table): an unqualified
    /// name may be one of its columns, so lookups stop here.
    Opaque,
}

thread_local! {
    /// Relations in scope while a query's column types are worked out, so
    /// `WITH t AS (SELECT 1 AS a) SELECT a FROM t` knows `a` is int4.
    static SCOPE: std::cell::RefCell<Vec<Relation>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Pops what a query pushed onto SCOPE when it is done.
struct ScopeGuard(usize);

impl ScopeGuard {
    fn new() -> ScopeGuard {
        ScopeGuard(SCOPE.with(|s| s.borrow().len()))
    }

    fn push(&self, r: Relation) {
        SCOPE.with(|s| s.borrow_mut().push(r));
    }
}

impl Drop for ScopeGuard {
    fn drop(&mut self) {
        SCOPE.with(|s| s.borrow_mut().truncate(self.0));
    }
}

/// A CTE's columns and their numeric scales.
type CteColumns = (Vec<(String, Option<PgType>)>, Vec<Option<u16>>);

fn lookup_relation(name: &str) -> Option<CteColumns> {
    SCOPE.with(|s| {
        s.borrow()
            .iter()
            .rev()
            .find(|r| r.kind == Kind::Cte && r.name.eq_ignore_ascii_case(name))
            .map(|r| (r.columns.clone(), r.scales.clone()))
    })
}

thread_local! {
    /// Real tables' declared column types, when the executor supplied them
    /// (see [`Retype`]); empty while translating, which needs no schema.
    static SCHEMA: std::cell::RefCell<Vec<(String, TableColumns)>> =
        const { std::cell::RefCell::new(Vec::new()) };
    /// The tenant's functions' return types, by name, supplied with SCHEMA.
    static FUNCTIONS: std::cell::RefCell<Vec<(String, PgType)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Whether the executor supplied the tables' columns (see [`with_schema`]).
fn schema_given() -> bool {
    SCHEMA.with(|s| !s.borrow().is_empty())
}

/// Runs `f` with SCHEMA holding `schema` (cleared after, even on a panic).
pub(super) fn with_schema<T>(
    schema: Vec<(String, TableColumns)>,
    functions: Vec<(String, PgType)>,
    f: impl FnOnce() -> T,
) -> T {
    struct Clear;
    impl Drop for Clear {
        fn drop(&mut self) {
            SCHEMA.with(|s| s.borrow_mut().clear());
            FUNCTIONS.with(|s| s.borrow_mut().clear());
        }
    }
    SCHEMA.with(|s| *s.borrow_mut() = schema);
    FUNCTIONS.with(|s| *s.borrow_mut() = functions);
    let _clear = Clear;
    f()
}

/// A column's type by name (optionally qualified) from the FROM relations
/// in scope, innermost first.
fn scoped_column(relation: Option<&str>, column: &str) -> Option<PgType> {
    scoped(relation, column, |r, i| r.columns[i].1)
}

/// A column's declared numeric scale, found as [`scoped_column`] finds its type.
pub(super) fn scoped_scale(relation: Option<&str>, column: &str) -> Option<u16> {
    scoped(relation, column, |r, i| r.scales.get(i).copied().flatten())
}

fn scoped<T>(
    relation: Option<&str>,
    column: &str,
    get: impl Fn(&Relation, usize) -> Option<T>,
) -> Option<T> {
    SCOPE.with(|s| {
        for r in s.borrow().iter().rev() {
            match (r.kind, relation) {
                (Kind::Cte, _) => continue,
                (Kind::Opaque, None) => return None,
                (Kind::Opaque, Some(q)) if r.name.eq_ignore_ascii_case(q) => return None,
                (Kind::Opaque, Some(_)) => continue,
                (Kind::From, Some(q)) if !r.name.eq_ignore_ascii_case(q) => continue,
                (Kind::From, _) => {
                    if let Some(i) = r
                        .columns
                        .iter()
                        .position(|(n, _)| n.eq_ignore_ascii_case(column))
                    {
                        return get(r, i);
                    }
                    // A one-column function's alias names its column too
                    // (`FROM jsonb_array_elements_text(..) t` reads `t`).
                    if relation.is_none()
                        && r.columns.len() == 1
                        && r.name.eq_ignore_ascii_case(column)
                    {
                        return get(r, 0);
                    }
                    if relation.is_some() {
                        return None;
                    }
                }
            }
        }
        None
    })
}

/// The output name PostgreSQL gives a SELECT list item.
pub(super) fn item_name(item: &SelectItem) -> String {
    match item {
        SelectItem::ExprWithAlias { alias, .. } => alias.value.clone(),
        SelectItem::UnnamedExpr(Expr::Identifier(i)) => i.value.clone(),
        SelectItem::UnnamedExpr(Expr::CompoundIdentifier(ids)) => {
            ids.last().map(|i| i.value.clone()).unwrap_or_default()
        }
        SelectItem::UnnamedExpr(Expr::Function(f)) => base_name(&f.name),
        _ => "?column?".to_owned(),
    }
}

fn relation_of(name: String, aliases: &[String], query: &Query, kind: Kind) -> Relation {
    let mut columns = query_named(query);
    // Unknown column count (a `*` inside): nothing can be said about it.
    if columns.is_empty() || aliases.len() > columns.len() {
        return Relation {
            name,
            columns: Vec::new(),
            kind: if kind == Kind::Cte {
                Kind::Cte
            } else {
                Kind::Opaque
            },
            scales: Vec::new(),
        };
    }
    for (c, alias) in columns.iter_mut().zip(aliases) {
        c.0 = alias.clone();
    }
    // Numeric scales pass through (`x.total` of a LATERAL subquery or CTE
    // over a numeric(12,2) column prints 253.00).
    let scales = if columns.iter().any(|c| c.1 == Some(PgType::Numeric)) {
        Some(query_scales(query))
            .filter(|s| s.len() == columns.len())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    Relation {
        name,
        columns,
        kind,
        scales,
    }
}

pub(super) fn query_columns(query: &Query) -> Vec<Option<PgType>> {
    query_named(query).into_iter().map(|(_, t)| t).collect()
}

/// [`query_named`], for the rewriter's WITH queries; a column the first
/// SELECT builds as an array (`ARRAY[id] AS path`) is an array even when
/// its elements' type needs the schema.
pub(super) fn query_named_columns(query: &Query) -> Vec<(String, Option<PgType>)> {
    let mut columns = query_named(query);
    let mut body = query.body.as_ref();
    loop {
        match body {
            SetExpr::SetOperation { left, .. } => body = left,
            SetExpr::Query(q) => body = q.body.as_ref(),
            _ => break,
        }
    }
    if let SetExpr::Select(select) = body {
        for ((_, ty), item) in columns.iter_mut().zip(&select.projection) {
            if let (
                None,
                SelectItem::UnnamedExpr(Expr::Array(_))
                | SelectItem::ExprWithAlias {
                    expr: Expr::Array(_),
                    ..
                },
            ) = (&ty, item)
            {
                *ty = Some(array_of(None));
            }
        }
    }
    columns
}

/// A query's output columns, named; empty when their number is unknown.
fn query_named(query: &Query) -> Vec<(String, Option<PgType>)> {
    let guard = ScopeGuard::new();
    push_ctes(&guard, query);
    set_expr_named(&query.body)
}

/// The numeric display scale of each output column of a query, where the
/// expression fixes it (see [`super::scale`]); empty when the columns are
/// not all plain expressions.
pub(super) fn query_scales(query: &Query) -> Vec<Option<u16>> {
    scales_with(query, super::scale::expr_scale)
}

/// A statement's result column scales, flagged where a zero prints plain
/// (see `scale::column_scale`).
pub(super) fn result_scales(query: &Query) -> Vec<Option<u16>> {
    scales_with(query, super::scale::column_scale)
}

fn scales_with(query: &Query, scale: fn(&Expr) -> Option<u16>) -> Vec<Option<u16>> {
    let guard = ScopeGuard::new();
    push_ctes(&guard, query);
    body_scales(&query.body, scale)
}

fn body_scales(body: &SetExpr, scale: fn(&Expr) -> Option<u16>) -> Vec<Option<u16>> {
    let select = match body {
        SetExpr::Select(select) => select,
        SetExpr::Query(q) => return scales_with(q, scale),
        // UNION / INTERSECT / EXCEPT: each side's values keep their scale.
        SetExpr::SetOperation { left, right, .. } => {
            let (l, r) = (body_scales(left, scale), body_scales(right, scale));
            if l.len() != r.len() {
                return Vec::new();
            }
            // One scale for the column only where both sides agree: the
            // rows of `SELECT 1.5 UNION SELECT 2.25` print their own.
            return l
                .into_iter()
                .zip(r)
                .map(|(a, b)| a.filter(|_| a == b))
                .collect();
        }
        // `(VALUES (1.10), (2.20))`: the column's scale where every value
        // (NULLs aside) has the same one.
        SetExpr::Values(values) => {
            let width = values.rows.first().map_or(0, |r| r.content.len());
            return (0..width)
                .map(|i| {
                    let cells = values.rows.iter().map(|row| row.content.get(i));
                    let mut known = None;
                    for cell in cells {
                        let cell = cell?;
                        if is_null(cell) {
                            continue;
                        }
                        let s = super::scale::expr_scale(cell)?;
                        if known.is_some_and(|k| k != s) {
                            return None;
                        }
                        known = Some(s);
                    }
                    known
                })
                .collect();
        }
        _ => return Vec::new(),
    };
    let inner = ScopeGuard::new();
    let star_known = push_from(&inner, &select.from).is_some();
    // The scales of the FROM relations' columns (`*`, `x.*`): a derived
    // table's own, none for a table's (its declared type gives them).
    let relation_scales = |name: Option<&str>| -> Option<Vec<Option<u16>>> {
        SCOPE.with(|s| {
            let s = s.borrow();
            let mut out = Vec::new();
            let mut found = false;
            for r in s.get(inner.0..).unwrap_or_default() {
                if name.is_some_and(|n| !r.name.eq_ignore_ascii_case(n)) {
                    continue;
                }
                if r.kind != Kind::From || (r.columns.is_empty() && name.is_some()) {
                    return None;
                }
                found = true;
                if r.scales.len() == r.columns.len() {
                    out.extend_from_slice(&r.scales);
                } else {
                    out.resize(out.len() + r.columns.len(), None);
                }
            }
            found.then_some(out)
        })
    };
    let join_star = spreads_star(select)
        .then(|| join_star(inner.0, &select.from))
        .flatten()
        .map(|columns| columns.into_iter().map(|c| c.1).collect::<Vec<_>>());
    let mut out = Vec::with_capacity(select.projection.len());
    for item in &select.projection {
        let columns = match item {
            SelectItem::UnnamedExpr(e) if is_join_star(e) => join_star.clone(),
            SelectItem::Wildcard(_) if join_star.is_some() => join_star.clone(),
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                match record_star(e) {
                    Some(star) => star.map(|(_, scales)| scales),
                    None => {
                        out.push(scale(e));
                        continue;
                    }
                }
            }
            SelectItem::Wildcard(_) if star_known => relation_scales(None),
            SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(n), _) => {
                n.0.last()
                    .and_then(|p| p.as_ident())
                    .and_then(|i| relation_scales(Some(&i.value)))
            }
            _ => None,
        };
        match columns {
            Some(c) => out.extend(c),
            None => return Vec::new(),
        }
    }
    out
}

fn push_ctes(guard: &ScopeGuard, query: &Query) {
    if let Some(with) = &query.with {
        for cte in &with.cte_tables {
            let aliases: Vec<String> = cte
                .alias
                .columns
                .iter()
                .map(|c| c.name.value.clone())
                .collect();
            let r = relation_of(
                cte.alias.name.value.clone(),
                &aliases,
                &cte.query,
                Kind::Cte,
            );
            guard.push(r);
        }
    }
}

/// Pushes the FROM clause's relations; returns all their columns when
/// every one is known (what `SELECT *` expands to).
fn push_from(
    guard: &ScopeGuard,
    from: &[sqlparser::ast::TableWithJoins],
) -> Option<Vec<(String, Option<PgType>)>> {
    use sqlparser::ast::TableFactor;
    let mut factors = Vec::new();
    // USING and NATURAL merge the join columns: `*` is then not the
    // concatenation of the relations' columns.
    let mut merged = false;
    for twj in from {
        factors.push(&twj.relation);
        factors.extend(twj.joins.iter().map(|j| &j.relation));
        merged |= twj.joins.iter().any(|j| merges_columns(&j.join_operator));
    }
    for f in &factors {
        let r = match f {
            TableFactor::Derived {
                subquery, alias, ..
            } => {
                let Some(alias) = alias else {
                    guard.push(opaque(String::new()));
                    continue;
                };
                let names: Vec<String> =
                    alias.columns.iter().map(|c| c.name.value.clone()).collect();
                relation_of(alias.name.value.clone(), &names, subquery, Kind::From)
            }
            TableFactor::UNNEST {
                array_exprs,
                alias,
                with_ordinality,
                ..
            } => element_relation("unnest", array_exprs, alias.as_ref(), *with_ordinality),
            // `LATERAL unnest(t.tags) WITH ORDINALITY AS x(tag, n)`.
            TableFactor::Function {
                name,
                args,
                alias,
                with_ordinality,
                ..
            } if base_name(name) == "unnest" => {
                let exprs = unnamed_exprs(args);
                element_relation("unnest", &exprs, alias.as_ref(), *with_ordinality)
            }
            TableFactor::Table {
                name,
                alias,
                args: Some(args),
                with_ordinality,
                ..
            } if matches!(
                base_name(name).as_str(),
                "unnest"
                    | "json_array_elements_text"
                    | "jsonb_array_elements_text"
                    | "json_array_elements"
                    | "jsonb_array_elements"
                    | "jsonb_path_query"
            ) =>
            {
                let mut exprs = unnamed_exprs(&args.args);
                // A path query's one column: its other arguments are no columns.
                if base_name(name) == "jsonb_path_query" {
                    exprs.truncate(1);
                }
                element_relation(&base_name(name), &exprs, alias.as_ref(), *with_ordinality)
            }
            TableFactor::Table {
                name,
                alias,
                args: Some(_),
                ..
            } if matches!(
                base_name(name).as_str(),
                "jsonb_each"
                    | "json_each_text"
                    | "jsonb_each_text"
                    | "json_object_keys"
                    | "jsonb_object_keys"
            ) =>
            {
                let base = base_name(name);
                let shown = alias
                    .as_ref()
                    .map_or(base.clone(), |a| a.name.value.clone());
                let mut columns = if base.ends_with("object_keys") {
                    vec![(shown.clone(), Some(PgType::Text))]
                } else {
                    let value = if base.ends_with("_text") {
                        PgType::Text
                    } else {
                        PgType::Jsonb
                    };
                    vec![
                        ("key".to_owned(), Some(PgType::Text)),
                        ("value".to_owned(), Some(value)),
                    ]
                };
                let names = alias.iter().flat_map(|a| a.columns.iter());
                for (c, n) in columns.iter_mut().zip(names) {
                    c.0 = n.name.value.clone();
                }
                Relation {
                    name: shown,
                    columns,
                    kind: Kind::From,
                    scales: Vec::new(),
                }
            }
            // `json[b]_populate_record[set](null::t, j)`: table t's columns,
            // known when the executor supplied the schema (see `retype`).
            TableFactor::Table {
                name,
                alias,
                args: Some(args),
                ..
            } if super::populate::set_form(&base_name(name)).is_some() => {
                let shown = alias
                    .as_ref()
                    .map_or_else(|| base_name(name), |a| a.name.value.clone());
                let table = args.args.first().and_then(|a| match a {
                    sqlparser::ast::FunctionArg::Unnamed(
                        sqlparser::ast::FunctionArgExpr::Expr(e),
                    ) => super::populate::row_type(e),
                    _ => None,
                });
                match table {
                    Some(t) => table_relation(shown, &t),
                    None => opaque(shown),
                }
            }
            // `json[b]_to_record[set](j) AS x(a int, ...)`: the declared columns.
            TableFactor::Table {
                name,
                alias: Some(alias),
                args: Some(_),
                ..
            } if matches!(
                base_name(name).as_str(),
                "json_to_record" | "jsonb_to_record" | "json_to_recordset" | "jsonb_to_recordset"
            ) =>
            {
                let (columns, scales) = alias
                    .columns
                    .iter()
                    .map(|c| {
                        let ty = c.data_type.as_ref();
                        (
                            (
                                c.name.value.clone(),
                                ty.and_then(|t| super::types::pg_type(t).ok()),
                            ),
                            ty.and_then(|t| PgType::numeric_scale(&t.to_string())),
                        )
                    })
                    .unzip();
                Relation {
                    name: alias.name.value.clone(),
                    columns,
                    kind: Kind::From,
                    scales,
                }
            }
            TableFactor::Table {
                name, alias, args, ..
            } => {
                let base = base_name(name);
                let shown = alias
                    .as_ref()
                    .map_or(base.clone(), |a| a.name.value.clone());
                if let Some(args) = args {
                    if !matches!(
                        base.as_str(),
                        "generate_series" | "generate_subscripts" | "regexp_matches"
                    ) {
                        guard.push(opaque(shown));
                        continue;
                    }
                    let ty = if base == "regexp_matches" {
                        Some(array_of(Some(PgType::Text)))
                    } else if base == "generate_subscripts" {
                        Some(PgType::Int4)
                    } else {
                        args.args
                            .iter()
                            .find_map(|a| match a {
                                sqlparser::ast::FunctionArg::Unnamed(
                                    sqlparser::ast::FunctionArgExpr::Expr(e),
                                ) => expr_type(e),
                                _ => None,
                            })
                            .map(series_type)
                    };
                    let col = alias
                        .as_ref()
                        .and_then(|a| a.columns.first().map(|c| c.name.value.clone()))
                        .unwrap_or_else(|| shown.clone());
                    Relation {
                        name: shown,
                        columns: vec![(col, ty)],
                        kind: Kind::From,
                        scales: Vec::new(),
                    }
                } else if let Some(r) = catalog_relation(name, &shown) {
                    r
                } else if name.0.len() == 1 {
                    match lookup_relation(&base) {
                        Some((columns, scales)) if !columns.is_empty() => Relation {
                            name: shown,
                            columns,
                            kind: Kind::From,
                            scales,
                        },
                        _ => table_relation(shown, &base),
                    }
                } else {
                    table_relation(shown, &base)
                }
            }
            _ => {
                guard.push(opaque(String::new()));
                continue;
            }
        };
        guard.push(r);
    }
    // Every FROM item's columns, in order, when all are known.
    SCOPE.with(|s| {
        let s = s.borrow();
        let mine = &s[guard.0..];
        let known = !merged && !mine.is_empty() && mine.iter().all(|r| r.kind == Kind::From);
        known.then(|| {
            mine.iter()
                .flat_map(|r| r.columns.iter().cloned())
                .collect()
        })
    })
}

fn is_join_star(e: &Expr) -> bool {
    matches!(e, Expr::Function(f) if base_name(&f.name) == super::join_star::MARKER)
}

/// Whether the select's `*` lists its columns in PostgreSQL's USING-join
/// order: it was (or, in the untranslated form the executor retypes, will
/// be) spread by `join_star`.
fn spreads_star(select: &sqlparser::ast::Select) -> bool {
    select.projection.iter().any(|item| match item {
        SelectItem::UnnamedExpr(e) => is_join_star(e),
        SelectItem::Wildcard(_) => super::join_star::spreads(&select.from, |t| {
            SCOPE.with(|s| {
                s.borrow()
                    .iter()
                    .any(|r| r.kind == Kind::Cte && r.name.eq_ignore_ascii_case(t))
            })
        }),
        _ => false,
    })
}

/// What `pg_join_star()` stands for (`*` over USING/NATURAL joins, see
/// `join_star`): each join's merged columns, then the left side's other
/// columns, then the right side's, with their scales; `None` unless every
/// relation pushed from `start` on is known.
#[allow(clippy::type_complexity)]
fn join_star(
    start: usize,
    from: &[sqlparser::ast::TableWithJoins],
) -> Option<Vec<((String, Option<PgType>), Option<u16>)>> {
    use sqlparser::ast::JoinConstraint;
    let [twj] = from else { return None };
    SCOPE.with(|s| {
        let s = s.borrow();
        let mine = s.get(start..)?;
        if mine.len() != 1 + twj.joins.len() || mine.iter().any(|r| r.kind != Kind::From) {
            return None;
        }
        let columns = |r: &Relation| -> Vec<((String, Option<PgType>), Option<u16>)> {
            r.columns
                .iter()
                .cloned()
                .zip(r.scales.iter().copied().chain(std::iter::repeat(None)))
                .collect()
        };
        let mut out = columns(&mine[0]);
        for (join, relation) in twj.joins.iter().zip(&mine[1..]) {
            let right = columns(relation);
            let merged: Vec<String> = match super::join_star::constraint(&join.join_operator) {
                Some(JoinConstraint::Using(names)) => names
                    .iter()
                    .map(|n| Some(n.0.last()?.as_ident()?.value.clone()))
                    .collect::<Option<_>>()?,
                Some(JoinConstraint::Natural) => out
                    .iter()
                    .filter(|c| right.iter().any(|r| r.0 .0 == c.0 .0))
                    .map(|c| c.0 .0.clone())
                    .collect(),
                _ => Vec::new(),
            };
            let mut next = Vec::with_capacity(out.len() + right.len());
            for name in &merged {
                next.push(out.iter().find(|c| &c.0 .0 == name)?.clone());
            }
            next.extend(out.into_iter().filter(|c| !merged.contains(&c.0 .0)));
            next.extend(right.into_iter().filter(|c| !merged.contains(&c.0 .0)));
            out = next;
        }
        Some(out)
    })
}

fn merges_columns(op: &sqlparser::ast::JoinOperator) -> bool {
    use sqlparser::ast::JoinConstraint;
    matches!(
        super::join_star::constraint(op),
        Some(JoinConstraint::Using(_) | JoinConstraint::Natural)
    )
}

/// The columns of `unnest(a, ...)` or a JSON array element function in
/// FROM: one per array (its element type), then `ordinality` (bigint).
fn element_relation(
    function: &str,
    arrays: &[Expr],
    alias: Option<&sqlparser::ast::TableAlias>,
    ordinality: bool,
) -> Relation {
    let mut types: Vec<Option<PgType>> = arrays
        .iter()
        .map(|a| match function {
            "unnest" => match expr_type(a) {
                Some(PgType::Array(elem)) => Some(elem.scalar()),
                _ => None,
            },
            f if f.ends_with("_text") => Some(PgType::Text),
            f if f.starts_with("jsonb") => Some(PgType::Jsonb),
            _ => Some(PgType::Json),
        })
        .collect();
    if ordinality {
        types.push(Some(PgType::Int8));
    }
    // A numeric array's elements share its scale.
    let mut scales: Vec<Option<u16>> = Vec::new();
    if function == "unnest" {
        scales = arrays.iter().map(super::scale::expr_scale).collect();
    }
    let shown = alias.map_or(function.to_owned(), |a| a.name.value.clone());
    let names: Vec<String> = alias
        .map(|a| a.columns.iter().map(|c| c.name.value.clone()).collect())
        .unwrap_or_default();
    let columns = types
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            let default = if ordinality && i == arrays.len() {
                "ordinality".to_owned()
            } else if function == "unnest" && arrays.len() == 1 || function == "jsonb_path_query" {
                shown.clone()
            } else if function == "unnest" {
                "unnest".to_owned()
            } else {
                "value".to_owned()
            };
            (names.get(i).cloned().unwrap_or(default), t)
        })
        .collect();
    Relation {
        name: shown,
        columns,
        kind: Kind::From,
        scales,
    }
}

/// A function's positional arguments (named ones are no element columns).
fn unnamed_exprs(args: &[sqlparser::ast::FunctionArg]) -> Vec<Expr> {
    args.iter()
        .filter_map(|a| match a {
            sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(e)) => {
                Some(e.clone())
            }
            _ => None,
        })
        .collect()
}

/// A catalog relation (`pg_type`, `pg_catalog.pg_attribute`,
/// `information_schema.columns`): its columns' types are pgtenant's own, so
/// arithmetic over them is typed (`8 * typlen` is an int4, as GORM reads it).
fn catalog_relation(name: &sqlparser::ast::ObjectName, shown: &str) -> Option<Relation> {
    let parts = super::ast::name_parts(name);
    let (schema, table) = match parts.as_slice() {
        [t] => (None, t),
        [s, t] => (Some(s.as_str()), t),
        _ => return None,
    };
    // (Already renamed to its view, `pgcat_pg_type`, or as written.)
    let view = if table.starts_with(crate::sql::catalog::VIEW_PREFIX) {
        table.as_str()
    } else {
        crate::sql::catalog::view_for(schema, table)?
    };
    let relation = crate::sql::catalog::relation(view)?;
    Some(Relation {
        name: shown.to_owned(),
        columns: relation
            .columns
            .iter()
            .map(|(n, t)| ((*n).to_owned(), Some(*t)))
            .collect(),
        kind: Kind::From,
        scales: Vec::new(),
    })
}

/// A real table: opaque unless the executor supplied its columns (SCHEMA).
fn table_relation(name: String, table: &str) -> Relation {
    let columns = SCHEMA.with(|s| {
        s.borrow()
            .iter()
            .find(|(t, _)| t == table)
            .map(|(_, cols)| {
                let columns = cols.iter().map(|c| (c.name.clone(), Some(c.ty))).collect();
                let scales = cols.iter().map(|c| c.scale).collect();
                (columns, scales)
            })
    });
    match columns {
        Some((columns, scales)) => Relation {
            name,
            columns,
            kind: Kind::From,
            scales,
        },
        None => opaque(name),
    }
}

fn opaque(name: String) -> Relation {
    Relation {
        name,
        columns: Vec::new(),
        kind: Kind::Opaque,
        scales: Vec::new(),
    }
}

fn set_expr_named(body: &SetExpr) -> Vec<(String, Option<PgType>)> {
    match body {
        SetExpr::Select(select) => {
            let guard = ScopeGuard::new();
            let mut star = push_from(&guard, &select.from);
            if spreads_star(select) {
                star = join_star(guard.0, &select.from)
                    .map(|columns| columns.into_iter().map(|c| c.0).collect());
            }
            select_named(&select.projection, star.as_deref())
        }
        SetExpr::Query(query) => query_named(query),
        // Names from the first branch; each column's type resolved over
        // all of them, as PostgreSQL does (`SELECT 1 UNION SELECT 2.5` is
        // numeric).
        SetExpr::SetOperation { left, right, .. } => {
            let mut columns = set_expr_named(left);
            let other = set_expr_named(right);
            if other.len() == columns.len() {
                for (column, (_, ty)) in columns.iter_mut().zip(other) {
                    if let Some(wider) = arithmetic(column.1, ty) {
                        column.1 = Some(wider);
                    }
                }
            }
            columns
        }
        SetExpr::Values(values) => {
            let Some((first, rest)) = values.rows.split_first() else {
                return Vec::new();
            };
            let mut columns: Vec<_> = first
                .content
                .iter()
                .enumerate()
                .map(|(i, e)| (format!("column{}", i + 1), expr_type(e)))
                .collect();
            // `VALUES (1), (2.5)`: numeric, as for a UNION.
            for row in rest {
                for (column, e) in columns.iter_mut().zip(&row.content) {
                    if let (Some(_), Some(wider)) = (column.1, arithmetic(column.1, expr_type(e))) {
                        column.1 = Some(wider);
                    }
                }
            }
            columns
        }
        _ => vec![],
    }
}

fn select_items(items: &[SelectItem]) -> Vec<Option<PgType>> {
    select_named(items, None)
        .into_iter()
        .map(|(_, t)| t)
        .collect()
}

/// A SELECT list's names and types; `star` is what `*` expands to, when
/// known. Empty when a wildcard's columns are unknown.
fn select_named(
    items: &[SelectItem],
    star: Option<&[(String, Option<PgType>)]>,
) -> Vec<(String, Option<PgType>)> {
    let mut out = Vec::with_capacity(items.len());
    for item in items {
        match item {
            SelectItem::UnnamedExpr(e) if is_join_star(e) => match star {
                Some(columns) => out.extend_from_slice(columns),
                None => return vec![],
            },
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => {
                match record_star(e) {
                    Some(Some((columns, _))) => out.extend(columns),
                    // An unknown number of columns.
                    Some(None) => return vec![],
                    None => out.push((item_name(item), expr_type(e))),
                }
            }
            SelectItem::Wildcard(_) => match star {
                Some(columns) => out.extend_from_slice(columns),
                None => return vec![],
            },
            SelectItem::QualifiedWildcard(kind, _) => {
                let name = match kind {
                    SelectItemQualifiedWildcardKind::ObjectName(n) => {
                        n.0.last()
                            .and_then(|p| p.as_ident())
                            .map(|i| i.value.clone())
                    }
                    SelectItemQualifiedWildcardKind::Expr(_) => None,
                };
                let Some(name) = name else { return vec![] };
                let columns = SCOPE.with(|s| {
                    s.borrow()
                        .iter()
                        .rev()
                        .find(|r| r.kind != Kind::Cte && r.name.eq_ignore_ascii_case(&name))
                        .filter(|r| r.kind == Kind::From)
                        .map(|r| r.columns.clone())
                });
                match columns {
                    Some(c) => out.extend(c),
                    // An unknown number of columns.
                    None => return vec![],
                }
            }
            _ => return vec![],
        }
    }
    out
}

/// `(x).*` (parsed as `pg_record_star(x)`, see `populate`): the columns
/// (and their scales) of the populate call's table or of FROM item `x`,
/// `Some(None)` when unknown; `None` for any other expression.
fn record_star(e: &Expr) -> Option<Option<CteColumns>> {
    let Expr::Function(f) = e else { return None };
    match base_name(&f.name).as_str() {
        "pg_record_star" => {}
        // `*` over USING joins: the executor knows the columns.
        super::join_star::MARKER => return Some(None),
        _ => return None,
    }
    let mut arg = *plain_args(f)?.first()?;
    while let Expr::Nested(inner) = arg {
        arg = inner;
    }
    let relation = match arg {
        Expr::Identifier(r) => SCOPE.with(|s| {
            s.borrow()
                .iter()
                .rev()
                .find(|x| x.kind == Kind::From && x.name.eq_ignore_ascii_case(&r.value))
                .map(|x| (x.columns.clone(), x.scales.clone()))
        }),
        Expr::Function(call) => plain_args(call)
            .and_then(|a| a.first().and_then(|b| super::populate::row_type(b)))
            .map(|t| table_relation(t.clone(), &t))
            .filter(|r| r.kind == Kind::From)
            .map(|r| (r.columns, r.scales)),
        _ => None,
    };
    Some(relation.map(|(columns, mut scales)| {
        scales.resize(columns.len(), None);
        (columns, scales)
    }))
}

/// The timestamp `date_trunc(field, ts)` / `date_bin(stride, ts, origin)`
/// works on, whose type (timestamp or timestamptz) is the result's.
pub(super) fn timestamp_source(func: &Function) -> Option<&Expr> {
    if !matches!(base_name(&func.name).as_str(), "date_trunc" | "date_bin") {
        return None;
    }
    plain_args(func)?.get(1).copied()
}

/// Integer literals are int4 when they fit, else int8; decimals are numeric.
pub(super) fn number_type(n: &str) -> PgType {
    if n.contains(['.', 'e', 'E']) {
        PgType::Numeric
    } else if n.parse::<i32>().is_ok() {
        PgType::Int4
    } else if n.parse::<i64>().is_ok() {
        PgType::Int8
    } else {
        PgType::Numeric
    }
}

/// A quoted literal, whose type PostgreSQL takes from the other operand.
fn is_string_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, Value::SingleQuotedString(_)))
}

/// `(r).col` of a FROM item, `(json[b]_populate_record(null::t, j)).col`
/// of table t (known when the executor supplied the schema).
fn field_type(root: &Expr, chain: &[sqlparser::ast::AccessExpr]) -> Option<PgType> {
    field(root, chain, |r, i| r.columns[i].1)
}

/// The declared numeric scale of such a field (see [`field_type`]).
pub(super) fn field_scale(root: &Expr, chain: &[sqlparser::ast::AccessExpr]) -> Option<u16> {
    field(root, chain, |r, i| r.scales.get(i).copied().flatten())
}

fn field<T>(
    root: &Expr,
    chain: &[sqlparser::ast::AccessExpr],
    get: impl Fn(&Relation, usize) -> Option<T>,
) -> Option<T> {
    let [sqlparser::ast::AccessExpr::Dot(Expr::Identifier(field))] = chain else {
        return None;
    };
    let Expr::Nested(inner) = root else {
        return None;
    };
    match inner.as_ref() {
        Expr::Identifier(r) => scoped(Some(&r.value), &field.value, get),
        Expr::Function(f) if super::populate::set_form(&base_name(&f.name)).is_some() => {
            let table = plain_args(f)?
                .first()
                .and_then(|e| super::populate::row_type(e))?;
            let relation = table_relation(table.clone(), &table);
            let i = relation
                .columns
                .iter()
                .position(|(c, _)| c.eq_ignore_ascii_case(&field.value))?;
            get(&relation, i)
        }
        _ => None,
    }
}

/// The PostgreSQL type of an expression, when it does not depend on the schema.
#[recursive::recursive]
pub(super) fn expr_type(expr: &Expr) -> Option<PgType> {
    match expr {
        Expr::Identifier(id) => scoped_column(None, &id.value),
        Expr::CompoundIdentifier(ids) if ids.len() == 2 => {
            scoped_column(Some(&ids[0].value), &ids[1].value)
        }
        Expr::Cast { data_type, .. } => pg_type(data_type).ok(),
        Expr::TypedString(ts) => pg_type(&ts.data_type).ok(),
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => Some(number_type(n)),
            Value::Boolean(_) => Some(PgType::Bool),
            Value::SingleQuotedString(_)
            | Value::EscapedStringLiteral(_)
            | Value::DollarQuotedString(_)
            | Value::NationalStringLiteral(_)
            | Value::UnicodeStringLiteral(_) => Some(PgType::Text),
            _ => None,
        },
        Expr::Nested(inner) => expr_type(inner),
        // ceil/floor (parsed apart from other calls) have numeric and
        // float8 forms; an integer goes to float8, the preferred type.
        Expr::Ceil { expr, .. } | Expr::Floor { expr, .. } => match expr_type(expr)? {
            PgType::Numeric => Some(PgType::Numeric),
            _ => Some(PgType::Float8),
        },
        Expr::BinaryOp { left, op, right } => binary_type(left, op, right),
        Expr::UnaryOp { op, expr } => match op {
            UnaryOperator::Not => Some(PgType::Bool),
            // `|/` and `||/` are float8 operators.
            UnaryOperator::PGSquareRoot | UnaryOperator::PGCubeRoot => Some(PgType::Float8),
            _ => expr_type(expr),
        },
        Expr::IsNull(_)
        | Expr::IsNotNull(_)
        | Expr::IsTrue(_)
        | Expr::IsNotTrue(_)
        | Expr::IsFalse(_)
        | Expr::IsNotFalse(_)
        | Expr::IsUnknown(_)
        | Expr::IsNotUnknown(_)
        | Expr::IsDistinctFrom(..)
        | Expr::IsNotDistinctFrom(..)
        | Expr::InList { .. }
        | Expr::InSubquery { .. }
        | Expr::Between { .. }
        | Expr::Like { .. }
        | Expr::ILike { .. }
        | Expr::SimilarTo { .. }
        | Expr::Exists { .. }
        | Expr::AnyOp { .. }
        | Expr::AllOp { .. } => Some(PgType::Bool),
        Expr::Interval(_) => Some(PgType::Interval),
        Expr::AtTimeZone { timestamp, .. } => match expr_type(timestamp) {
            Some(PgType::Timestamptz) => Some(PgType::Timestamp),
            Some(PgType::Timestamp | PgType::Date) => Some(PgType::Timestamptz),
            _ => None,
        },
        Expr::Position { .. } => Some(PgType::Int4),
        // bytea in, bytea out; unknown while the value's type is (a
        // column's comes from the schema when the result is typed again).
        Expr::Substring { expr, .. } | Expr::Trim { expr, .. } | Expr::Overlay { expr, .. } => {
            match expr_type(expr)? {
                PgType::Bytea => Some(PgType::Bytea),
                _ => Some(PgType::Text),
            }
        }
        Expr::Extract { .. } => Some(PgType::Numeric),
        Expr::Case {
            conditions,
            else_result,
            ..
        } => typed_branches(
            conditions
                .iter()
                .map(|c| &c.result)
                .chain(else_result.as_deref())
                .collect(),
        )
        .into_iter()
        .find_map(expr_type),
        Expr::Function(func) => function_type(func),
        // A scalar subquery: its one column's type.
        Expr::Subquery(q) => match query_columns(q).as_slice() {
            [t] => *t,
            _ => None,
        },
        // ARRAY[...] (stored as a JSON array) prints in array form.
        // (Only with a known element type, as for array_agg.)
        Expr::Array(array) => Some(array_of(Some(array.elem.iter().find_map(expr_type)?))),
        // `arr[i]`: the element type (`t.arr[i]` is a column reference first).
        Expr::CompoundFieldAccess { root, access_chain }
            if field_type(root, access_chain).is_some() =>
        {
            field_type(root, access_chain)
        }
        Expr::CompoundFieldAccess { root, access_chain } => {
            use sqlparser::ast::{AccessExpr, Subscript};
            let (last, dots) = access_chain.split_last()?;
            if let ([], AccessExpr::Subscript(Subscript::Slice { .. })) = (dots, last) {
                return expr_type(root).filter(|t| matches!(t, PgType::Array(_)));
            }
            let AccessExpr::Subscript(Subscript::Index { .. }) = last else {
                return None;
            };
            let array = match (root.as_ref(), dots) {
                (_, []) => expr_type(root)?,
                (Expr::Identifier(t), [AccessExpr::Dot(Expr::Identifier(c))]) => {
                    scoped_column(Some(&t.value), &c.value)?
                }
                _ => return None,
            };
            match array {
                PgType::Array(elem) => Some(elem.scalar()),
                _ => None,
            }
        }
        _ => None,
    }
}

/// The type of generate_series's values from its start's: dates step by an
/// interval as timestamptz (there is no date form of generate_series).
fn series_type(start: PgType) -> PgType {
    match start {
        PgType::Date => PgType::Timestamptz,
        other => other,
    }
}

/// The array type with elements of `elem` (text when unknown or unsupported).
fn array_of(elem: Option<PgType>) -> PgType {
    PgType::Array(
        elem.and_then(crate::sql::pgtype::ArrayElem::from_scalar)
            .unwrap_or(crate::sql::pgtype::ArrayElem::Text),
    )
}

/// The type of `left op right`. Each operand's type is computed once: the
/// guards below would otherwise re-walk the operands at every level, which
/// is exponential in the nesting depth (`1 + + + ...` found by fuzzing).
fn binary_type(left: &Expr, op: &BinaryOperator, right: &Expr) -> Option<PgType> {
    use BinaryOperator as B;
    // tsquery `&&` (see text_search); `||` below.
    if matches!(op, B::PGOverlap)
        && (expr_type(left) == Some(PgType::Tsquery) || expr_type(right) == Some(PgType::Tsquery))
    {
        return Some(PgType::Tsquery);
    }
    if matches!(op, B::Custom(o) if o == "<<=" || o == ">>=") {
        return Some(PgType::Bool);
    }
    // inet containment (`ip << '10.0.0.0/8'`), as `expr::binary_op` reads it.
    if matches!(op, B::PGBitwiseShiftLeft | B::PGBitwiseShiftRight)
        && (super::expr::is_network_literal(left) || super::expr::is_network_literal(right))
    {
        return Some(PgType::Bool);
    }
    if matches!(
        op,
        B::Eq
            | B::NotEq
            | B::Lt
            | B::LtEq
            | B::Gt
            | B::GtEq
            | B::And
            | B::Or
            | B::Xor
            | B::PGRegexMatch
            | B::PGStartsWith
            | B::PGRegexIMatch
            | B::PGRegexNotMatch
            | B::PGRegexNotIMatch
            | B::AtArrow
            | B::AtAt
            | B::AtQuestion
            | B::ArrowAt
            | B::PGOverlap
            | B::Question
            | B::QuestionAnd
            | B::QuestionPipe
    ) {
        return Some(PgType::Bool);
    }
    if matches!(op, B::LongArrow | B::HashLongArrow) {
        return Some(PgType::Text);
    }
    if matches!(op, B::HashMinus) {
        return Some(PgType::Jsonb);
    }
    let (lt, rt) = (expr_type(left), expr_type(right));
    // pg_trgm's `text % text` (see text_search).
    if matches!(op, B::Modulo)
        && (lt.is_some_and(PgType::is_string) || rt.is_some_and(PgType::is_string))
    {
        return Some(PgType::Bool);
    }
    if matches!(op, B::StringConcat) {
        return Some(match (lt, rt) {
            (Some(PgType::Tsquery), _) | (_, Some(PgType::Tsquery)) => PgType::Tsquery,
            (Some(t @ PgType::Array(_)), _) | (_, Some(t @ PgType::Array(_))) => t,
            (Some(PgType::Jsonb), Some(PgType::Jsonb | PgType::Json)) => PgType::Jsonb,
            (Some(PgType::Tsvector), Some(PgType::Tsvector)) => PgType::Tsvector,
            (Some(PgType::Jsonb | PgType::Json), _) | (_, Some(PgType::Jsonb | PgType::Json))
                if is_string_literal(left) || is_string_literal(right) =>
            {
                PgType::Jsonb
            }
            // A column's type decides (jsonb merges): the schema tells.
            (None, _) | (_, None) => return None,
            _ => PgType::Text,
        });
    }
    // jsonb - 'key', jsonb - n, jsonb - text[].
    if matches!(op, B::Minus)
        && lt == Some(PgType::Jsonb)
        && matches!(
            rt,
            Some(PgType::Text | PgType::Int2 | PgType::Int4 | PgType::Int8 | PgType::Array(_))
        )
    {
        return Some(PgType::Jsonb);
    }
    let is_ts = |t: Option<PgType>| matches!(t, Some(PgType::Timestamp | PgType::Timestamptz));
    let arith = matches!(op, B::Plus | B::Minus | B::Multiply | B::Divide | B::Modulo);
    match op {
        B::Arrow | B::HashArrow => match lt {
            Some(PgType::Json) => Some(PgType::Json),
            Some(PgType::Jsonb) => Some(PgType::Jsonb),
            _ => None,
        },
        B::PGBitwiseXor
        | B::BitwiseAnd
        | B::BitwiseOr
        | B::PGBitwiseShiftLeft
        | B::PGBitwiseShiftRight => arithmetic(lt, rt),
        // An untyped literal beside an interval is one.
        B::Plus | B::Minus
            if lt == Some(PgType::Interval) && super::expr::untyped_interval(right).is_some()
                || rt == Some(PgType::Interval)
                    && super::expr::untyped_interval(left).is_some() =>
        {
            Some(PgType::Interval)
        }
        // timestamp +/- interval keeps the timestamp's type; a date becomes a timestamp.
        B::Plus | B::Minus
            if rt == Some(PgType::Interval)
                || matches!(op, B::Plus)
                    && lt != Some(PgType::Interval)
                    && super::expr::untyped_interval(right).is_some() =>
        {
            match lt {
                Some(PgType::Date) => Some(PgType::Timestamp),
                other => other,
            }
        }
        // interval + timestamp/date/time, the same the other way round.
        B::Plus if lt == Some(PgType::Interval) && rt != Some(PgType::Interval) => match rt {
            Some(PgType::Date) => Some(PgType::Timestamp),
            other => other,
        },
        B::Minus if is_ts(lt) && is_ts(rt) => Some(PgType::Interval),
        // A date meets a timestamp as midnight of that day.
        B::Minus
            if is_ts(lt) && rt == Some(PgType::Date) || lt == Some(PgType::Date) && is_ts(rt) =>
        {
            Some(PgType::Interval)
        }
        B::Minus if lt == Some(PgType::Time) && rt == Some(PgType::Time) => Some(PgType::Interval),
        B::Multiply | B::Divide if lt == Some(PgType::Interval) || rt == Some(PgType::Interval) => {
            Some(PgType::Interval)
        }
        B::Minus if lt == Some(PgType::Date) && rt == Some(PgType::Date) => Some(PgType::Int4),
        B::Plus
            if matches!(
                (lt, rt),
                (Some(PgType::Date), Some(PgType::Time)) | (Some(PgType::Time), Some(PgType::Date))
            ) =>
        {
            Some(PgType::Timestamp)
        }
        // A literal takes the other side's type: `due_on - '2024-01-01'`
        // is days, `at - '2024-01-01 10:00'` an interval.
        B::Minus if lt == Some(PgType::Date) && is_date_literal(right) => Some(PgType::Int4),
        B::Minus if is_ts(lt) && is_date_literal(right) => Some(PgType::Interval),
        // `current_date - due_on` is days, `current_date - n` a date: the
        // schema decides (see `retype`).
        B::Minus if lt == Some(PgType::Date) && rt.is_none() && !is_null(right) => None,
        B::Plus | B::Minus if lt == Some(PgType::Date) => Some(PgType::Date),
        // An untyped NULL takes the other operand's type (`1 + NULL` is int4).
        _ if arith && is_null(left) => rt,
        _ if arith && is_null(right) => lt,
        _ if arith => arithmetic(lt, rt),
        // `^` is double precision unless a side is numeric and none is float.
        B::PGExp => {
            let float = |t| matches!(t, Some(PgType::Float4 | PgType::Float8));
            let numeric = lt == Some(PgType::Numeric) || rt == Some(PgType::Numeric);
            Some(if numeric && !float(lt) && !float(rt) {
                PgType::Numeric
            } else {
                PgType::Float8
            })
        }
        _ => None,
    }
}

fn is_null(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if v.value == Value::Null)
}

/// The branches of a CASE or COALESCE whose types decide its type: an
/// untyped string literal (`coalesce(meta, '{}')`) takes the others' type,
/// so it counts only when every branch is one; NULLs never count.
fn typed_branches(branches: Vec<&Expr>) -> Vec<&Expr> {
    let untyped = |e: &Expr| {
        matches!(e, Expr::Value(v) if matches!(&v.value,
            Value::SingleQuotedString(_)
            | Value::EscapedStringLiteral(_)
            | Value::DollarQuotedString(_)
            | Value::NationalStringLiteral(_)
            | Value::UnicodeStringLiteral(_)))
    };
    let known: Vec<&Expr> = branches.iter().copied().filter(|e| !is_null(e)).collect();
    if known.iter().all(|e| untyped(e)) {
        return known;
    }
    known.into_iter().filter(|e| !untyped(e)).collect()
}

fn arithmetic(left: Option<PgType>, right: Option<PgType>) -> Option<PgType> {
    let rank = |t: PgType| match t {
        PgType::Int2 => Some(1),
        PgType::Int4 => Some(2),
        PgType::Int8 => Some(3),
        PgType::Numeric => Some(4),
        PgType::Float4 => Some(5),
        PgType::Float8 => Some(6),
        _ => None,
    };
    let (l, r) = (left?, right?);
    let (rl, rr) = (rank(l)?, rank(r)?);
    // real with anything but real resolves to double precision, the
    // numeric category's preferred type (`1::float4 / 3` is float8).
    if (l == PgType::Float4) != (r == PgType::Float4) {
        return Some(PgType::Float8);
    }
    // int2 + int2 stays int2 (int2pl); otherwise the wider operand's type.
    Some(if rl >= rr { l } else { r })
}

fn function_type(func: &Function) -> Option<PgType> {
    let name = super::ast::base(&func.name);
    // The first argument's type only: `round(x, 2)` is not an int4
    // because its second argument is.
    let first_arg_type = || plain_args(func)?.first().and_then(|e| expr_type(e));
    Some(match name.as_ref() {
        "count" => PgType::Int8,
        // ARRAY(SELECT x ...): an array of x's type (text when unknown).
        "array" => match &func.args {
            // (Unknown until the schema says: the statement is typed again.)
            sqlparser::ast::FunctionArguments::Subquery(q) => {
                array_of(Some(query_columns(q).first().copied().flatten()?))
            }
            _ => return None,
        },
        "sum" => match first_arg_type()? {
            PgType::Int2 | PgType::Int4 => PgType::Int8,
            PgType::Int8 => PgType::Numeric,
            other => other,
        },
        "avg" => match first_arg_type() {
            Some(PgType::Float4 | PgType::Float8) => PgType::Float8,
            Some(PgType::Interval) => PgType::Interval,
            // A column's average is an interval when the column is one:
            // unknown until the schema is asked.
            None if !schema_given() => return None,
            _ => PgType::Numeric,
        },
        "stddev" | "stddev_samp" | "stddev_pop" | "variance" | "var_samp" | "var_pop" => {
            match first_arg_type()? {
                PgType::Float4 | PgType::Float8 => PgType::Float8,
                _ => PgType::Numeric,
            }
        }
        "regr_count" => PgType::Int8,
        "bit_and" | "bit_or" | "bit_xor" => first_arg_type()?,
        "corr" | "covar_pop" | "covar_samp" | "regr_sxx" | "regr_syy" | "regr_sxy"
        | "regr_avgx" | "regr_avgy" | "regr_r2" | "regr_slope" | "regr_intercept" => PgType::Float8,
        // Window functions.
        "row_number" | "rank" | "dense_rank" => PgType::Int8,
        "ntile" => PgType::Int4,
        "percent_rank" | "cume_dist" => PgType::Float8,
        // The value argument's type (not a later offset or default).
        "lag" | "lead" | "first_value" | "last_value" | "nth_value" => {
            plain_args(func)?.first().and_then(|e| expr_type(e))?
        }
        // log(b, x) exists for numerics only.
        "log" if plain_args(func).is_some_and(|a| a.len() == 2) => PgType::Numeric,
        // power(int, numeric) resolves to the numeric form.
        "power" | "pow"
            if plain_args(func).is_some_and(|a| {
                a.iter().any(|e| expr_type(e) == Some(PgType::Numeric))
                    && a.iter().all(|e| {
                        matches!(
                            expr_type(e),
                            Some(PgType::Int2 | PgType::Int4 | PgType::Int8 | PgType::Numeric)
                        )
                    })
            }) =>
        {
            PgType::Numeric
        }
        // Math: numeric in, numeric out; anything else is double precision.
        "sqrt" | "cbrt" | "exp" | "ln" | "log" | "log10" | "power" | "pow" | "ceil" | "ceiling"
        | "floor" | "sign" => match first_arg_type() {
            Some(PgType::Numeric) if name != "cbrt" => PgType::Numeric,
            // A column's type comes from the schema (see `retype`).
            None if name != "cbrt" => return None,
            _ => PgType::Float8,
        },
        "pi" | "degrees" | "radians" | "sin" | "cos" | "tan" | "asin" | "acos" | "atan"
        | "atan2" | "cot" | "sind" | "cosd" | "tand" | "cotd" | "asind" | "acosd" | "atand"
        | "atan2d" | "sinh" | "cosh" | "tanh" | "asinh" | "acosh" | "atanh" => PgType::Float8,
        "jsonb_array_length"
        | "json_array_length"
        | "array_length"
        | "cardinality"
        | "array_position"
        | "array_upper"
        | "array_ndims"
        | "bit_length"
        | "num_nulls"
        | "num_nonnulls"
        | "generate_subscripts" => PgType::Int4,
        "array_dims" => PgType::Text,
        "trim_scale" => PgType::Numeric,
        // Integer bounds take the wider one's type (int4 and int8: int8).
        "generate_series" => {
            let start = first_arg_type()?;
            let stop = plain_args(func)?.get(1).and_then(|e| expr_type(e));
            match (start, stop) {
                (PgType::Int2 | PgType::Int4, Some(PgType::Int8)) => PgType::Int8,
                (PgType::Int2 | PgType::Int4, Some(PgType::Numeric)) => PgType::Numeric,
                _ => series_type(start),
            }
        }
        "unnest" => match first_arg_type()? {
            PgType::Array(elem) => elem.scalar(),
            _ => return None,
        },
        // round and trunc have float8 and numeric forms: real rounds as float8.
        "round" | "trunc" => match first_arg_type()? {
            PgType::Float4 => PgType::Float8,
            other => other,
        },
        // PostgreSQL has no varchar min/max: the text ones take it.
        "min" | "max" => match first_arg_type()? {
            PgType::Varchar => PgType::Text,
            other => other,
        },
        "nullif" | "abs" => first_arg_type()?,
        // The arguments' common type: unknown while any of them is.
        "coalesce" | "greatest" | "least" => {
            let types = typed_branches(plain_args(func)?)
                .into_iter()
                .map(expr_type)
                .collect::<Option<Vec<_>>>()?;
            let mut it = types.into_iter();
            let first = it.next()?;
            it.try_fold(first, |acc, t| match arithmetic(Some(acc), Some(t)) {
                Some(wider) => Some(wider),
                None if acc == t => Some(acc),
                // An untyped literal ('x') adopts the other's type.
                None => Some(acc),
            })?
        }
        "now"
        | "current_timestamp"
        | "transaction_timestamp"
        | "statement_timestamp"
        | "clock_timestamp"
        | "pg_postmaster_start_time" => PgType::Timestamptz,
        "localtimestamp" => PgType::Timestamp,
        // xid8 for pg_current_xact_id, printed alike.
        "txid_current" | "pg_current_xact_id" => PgType::Int8,
        // An enum's labels (an enum value is described as text).
        "enum_first" | "enum_last" | "pg_enum_first" | "pg_enum_last" => PgType::Text,
        "enum_range" | "pg_enum_range" => array_of(Some(PgType::Text)),
        "current_date" => PgType::Date,
        "current_time" | "localtime" => PgType::Time,
        "length" | "char_length" | "character_length" | "octet_length" | "strpos" | "ascii"
        | "hashtext" => PgType::Int4,
        "substr" | "substring" | "ltrim" | "rtrim" | "btrim"
            if first_arg_type() == Some(PgType::Bytea) =>
        {
            PgType::Bytea
        }
        "lower" | "upper" if matches!(first_arg_type(), Some(PgType::Range(_))) => {
            match first_arg_type()? {
                PgType::Range(k) => k.element(),
                _ => return None,
            }
        }
        "lower" | "upper" | "concat" | "concat_ws" | "substr" | "substring" | "left" | "right"
        | "lpad" | "rpad" | "trim" | "btrim" | "ltrim" | "rtrim" | "replace" | "split_part"
        | "initcap" | "md5" | "string_agg" | "chr" | "version" | "current_user"
        | "current_database" => PgType::Text,
        "current_schema" | "pg_client_encoding" => PgType::Name,
        "gen_random_uuid" | "uuid_generate_v4" => PgType::Uuid,
        "host" | "abbrev" | "pg_inet_host" | "pg_inet_abbrev" | "pg_inet_text" => PgType::Text,
        "masklen" | "family" | "pg_inet_masklen" | "pg_inet_family" => PgType::Int4,
        "network" | "pg_inet_network" => PgType::Cidr,
        "broadcast" | "netmask" | "hostmask" => PgType::Inet,
        "set_masklen" => first_arg_type()?,
        "point" | "pg_point" => PgType::Point,
        "int4range" | "int8range" | "numrange" | "daterange" | "tsrange" | "tstzrange" => {
            PgType::from_decl(&name)
        }
        "pg_range_lower" | "pg_range_upper" => match first_arg_type()? {
            PgType::Range(k) => k.element(),
            _ => return None,
        },
        "isempty" | "lower_inc" | "upper_inc" | "lower_inf" | "upper_inf" | "pg_range_isempty"
        | "pg_range_lower_inc" | "pg_range_upper_inc" | "pg_range_lower_inf"
        | "pg_range_upper_inf" | "pg_range_contains" | "pg_range_overlaps" => PgType::Bool,
        "to_tsvector" | "setweight" | "strip" | "pg_tsvector_concat" => PgType::Tsvector,
        "to_tsquery"
        | "plainto_tsquery"
        | "phraseto_tsquery"
        | "websearch_to_tsquery"
        | "pg_tsquery_or"
        | "pg_tsquery_and"
        | "pg_tsquery_not" => PgType::Tsquery,
        "ts_rank" | "ts_rank_cd" | "similarity" | "word_similarity" | "strict_word_similarity" => {
            PgType::Float4
        }
        "show_trgm" => PgType::Array(crate::sql::pgtype::ArrayElem::Text),
        "pg_trgm_match" | "overlaps" => PgType::Bool,
        "numnode" | "pg_tsvector_length" => PgType::Int4,
        "ts_headline" => PgType::Text,
        "tsvector_to_array" => PgType::Array(crate::sql::pgtype::ArrayElem::Text),
        "pg_ts_match" => PgType::Bool,
        "pg_backend_pid" => PgType::Int4,
        "pg_sleep"
        | "pg_advisory_lock"
        | "pg_advisory_lock_shared"
        | "pg_advisory_xact_lock"
        | "pg_advisory_xact_lock_shared"
        | "pg_advisory_unlock_all" => PgType::Void,
        "pg_try_advisory_lock"
        | "pg_try_advisory_lock_shared"
        | "pg_try_advisory_xact_lock"
        | "pg_try_advisory_xact_lock_shared"
        | "pg_advisory_unlock"
        | "pg_advisory_unlock_shared" => PgType::Bool,
        "nextval" | "currval" | "setval" | "lastval" => PgType::Int8,
        "bool_and" | "bool_or" | "every" => PgType::Bool,
        "random" => PgType::Float8,
        "date_part" => PgType::Float8,
        // date_trunc and date_bin keep a timestamptz a timestamptz. (Unknown
        // until the argument's type is: a column's comes from the schema
        // when the executor retypes the result.)
        "date_trunc" | "date_bin" => match expr_type(timestamp_source(func)?)? {
            // A date is cast to timestamptz, as PostgreSQL picks.
            PgType::Timestamptz | PgType::Date => PgType::Timestamptz,
            PgType::Interval => PgType::Interval,
            _ => PgType::Timestamp,
        },
        "div" => match first_arg_type()? {
            PgType::Int2 | PgType::Int4 | PgType::Int8 | PgType::Numeric => PgType::Numeric,
            other => other,
        },
        "mod" => first_arg_type()?,
        "json_build_object" | "json_object" | "json_build_array" | "json_agg"
        | "json_object_agg" | "to_json" | "array_to_json" | "row_to_json" | "pg_json_agg_rows" => {
            PgType::Json
        }
        "to_jsonb" | "jsonb_set" | "jsonb_insert" | "jsonb_extract_path" | "jsonb_strip_nulls" => {
            PgType::Jsonb
        }
        "jsonb_path_query" | "jsonb_path_query_array" | "jsonb_path_query_first" => PgType::Jsonb,
        "jsonb_path_exists" | "jsonb_path_match" => PgType::Bool,
        "json_extract_path" => PgType::Json,
        "jsonb_extract_path_text" | "json_extract_path_text" => PgType::Text,
        "jsonb_pretty" => PgType::Text,
        // A row of a table, printed as PostgreSQL prints a composite.
        "json_populate_record" | "jsonb_populate_record" => PgType::Text,
        // Only with a known element type: a text[] of what are really
        // booleans or numbers would mislead clients (0 is a true string).
        // Arrays aggregate into one more dimension of the same type.
        "array_agg" => match first_arg_type()? {
            array @ PgType::Array(_) => array,
            elem => array_of(Some(elem)),
        },
        "string_to_array" | "regexp_split_to_array" | "regexp_match" | "regexp_matches" => {
            array_of(Some(PgType::Text))
        }
        "current_schemas" => array_of(Some(PgType::Name)),
        "to_hex" | "quote_ident" | "quote_literal" | "quote_nullable" | "translate" | "encode"
        | "repeat" | "reverse" | "regexp_replace" | "format" => PgType::Text,
        "decode" | "sha224" | "sha256" | "sha384" | "sha512" | "digest" | "hmac"
        | "gen_random_bytes" | "convert_to" | "convert" => PgType::Bytea,
        "convert_from" => PgType::Text,
        "crypt" | "gen_salt" => PgType::Text,
        "inet_client_port" | "inet_server_port" => PgType::Int4,
        "starts_with"
        | "isfinite"
        | "has_table_privilege"
        | "has_schema_privilege"
        | "has_database_privilege"
        | "has_column_privilege"
        | "has_any_column_privilege"
        | "has_sequence_privilege"
        | "pg_table_is_visible"
        | "pg_is_in_recovery" => PgType::Bool,
        "pg_notify" => PgType::Void,
        // A table row as json (row_to_json) or jsonb (to_jsonb), as
        // `row_json` rewrote it: the flag says which.
        "pg_table_row_json" => match plain_args(func)?.get(2) {
            Some(Expr::Value(v)) if v.value == Value::Number("1".into(), false) => PgType::Jsonb,
            _ => PgType::Json,
        },
        "pg_relation_size"
        | "pg_table_size"
        | "pg_indexes_size"
        | "pg_total_relation_size"
        | "pg_database_size" => PgType::Int8,
        "pg_size_pretty" => PgType::Text,
        "age" | "justify_hours" | "justify_days" | "justify_interval" => PgType::Interval,
        "make_date" | "to_date" => PgType::Date,
        "make_time" => PgType::Time,
        "make_interval" => PgType::Interval,
        "make_timestamp" => PgType::Timestamp,
        "make_timestamptz" => PgType::Timestamptz,
        // An array of fractions gives an array of answers.
        "percentile_cont" => match first_arg_type() {
            Some(PgType::Array(_)) => array_of(Some(PgType::Float8)),
            _ => PgType::Float8,
        },
        "percentile_disc" | "mode" => match func.within_group.as_slice() {
            [order]
                if name == "percentile_disc"
                    && matches!(first_arg_type(), Some(PgType::Array(_))) =>
            {
                array_of(Some(expr_type(&order.expr)?))
            }
            [order] => expr_type(&order.expr)?,
            _ => return None,
        },
        "to_number" => PgType::Numeric,
        "to_char" => PgType::Text,
        "array_positions" => array_of(Some(PgType::Int4)),
        "array_fill" => array_of(Some(first_arg_type()?)),
        "regexp_count" | "regexp_instr" => PgType::Int4,
        "regexp_like" => PgType::Bool,
        "regexp_substr" => PgType::Text,
        "array_append" | "array_cat" | "array_remove" | "array_replace" => {
            match first_arg_type()? {
                t @ PgType::Array(_) => t,
                _ => return None,
            }
        }
        "array_prepend" => match plain_args(func)?.get(1).and_then(|e| expr_type(e))? {
            t @ PgType::Array(_) => t,
            _ => return None,
        },
        "array_lower" => PgType::Int4,
        "jsonb_typeof" | "json_typeof" => PgType::Text,
        "jsonb_array_elements" => PgType::Jsonb,
        "json_array_elements" => PgType::Json,
        "jsonb_array_elements_text"
        | "json_array_elements_text"
        | "jsonb_object_keys"
        | "json_object_keys" => PgType::Text,
        "to_timestamp" => PgType::Timestamptz,
        // What `time_zone::prepare` made of AT TIME ZONE: typed when the
        // direction was known there.
        "pg_at_time_zone" => match plain_args(func)?.get(2)? {
            Expr::Value(v) if v.value == Value::Number("1".into(), false) => PgType::Timestamp,
            Expr::Value(v) if v.value == Value::Number("0".into(), false) => PgType::Timestamptz,
            _ => return None,
        },
        "timezone" => match plain_args(func)?.get(1).and_then(|e| expr_type(e))? {
            PgType::Timestamptz => PgType::Timestamp,
            PgType::Timestamp | PgType::Date => PgType::Timestamptz,
            _ => return None,
        },
        "gcd" | "lcm" => first_arg_type()?,
        "factorial" => PgType::Numeric,
        "width_bucket" | "scale" | "min_scale" | "grouping" => PgType::Int4,
        "jsonb_build_object" | "jsonb_object" | "jsonb_build_array" | "jsonb_agg"
        | "jsonb_object_agg" => PgType::Jsonb,
        // A tenant's own function, when the executor told its type.
        other => {
            FUNCTIONS.with(|f| f.borrow().iter().find(|(n, _)| n == other).map(|(_, t)| *t))?
        }
    })
}

/// A string literal that reads as a date or timestamp (`'2024-01-01'`,
/// `'July 4, 1996'`), not an interval (`'1 day'`).
fn is_date_literal(e: &Expr) -> bool {
    super::ast::string_literal(e).is_some_and(|t| super::literals::date(t).is_ok())
}
