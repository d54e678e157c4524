//! Per-statement dispatch: classify, check names, infer hints, rewrite, print.

use super::error::unsupported;
use super::rewrite::rewrite_statement;
use super::split::Parsed;
use super::{columns, ddl, names, output_names, params, session};
use super::{Retype, StmtKind, TranslateError, Translation};
use sqlparser::ast::{
    Expr, FromTable, ObjectName, OnInsert, SetExpr, Statement, TableFactor, TableObject,
};

pub(super) fn translate_statement(parsed: Parsed) -> Result<Translation, TranslateError> {
    let statement = match parsed {
        Parsed::Maintenance(tag) => return Ok(noop(tag)),
        Parsed::Copy(tokens) => return super::copy::translate(tokens),
        Parsed::CreateLike(tokens) => return super::create_like::translate(tokens),
        Parsed::TsvectorTrigger(tokens) => return super::tsvector_trigger::translate(tokens),
        Parsed::AlterSequence(tokens) => return super::alter_sequence::translate(tokens),
        Parsed::IdentityAlter(tokens) => return super::identity_alter::translate(tokens),
        Parsed::OwnerTo(tokens) => return super::owner::translate(tokens),
        Parsed::CreateDomain(tokens) => return super::domains::create(tokens),
        Parsed::Comment(tokens) => return super::comments::translate(tokens),
        Parsed::DefaultPrivileges(tokens) => return super::default_privileges::translate(tokens),
        Parsed::Do(tokens) => return super::do_block::translate(&tokens),
        Parsed::SetConstraints(deferred) => {
            return Ok(Translation::command(StmtKind::SetConstraints { deferred }))
        }
        Parsed::Refresh(name) => {
            return Ok(Translation::command(StmtKind::RefreshMatview { name }))
        }
        Parsed::Statement(statement) => *statement,
        Parsed::OverridingInsert(statement) => return translate_parsed(*statement, true),
    };
    translate_parsed(statement, false)
}

/// A parsed statement's translation; `overriding`: an INSERT's OVERRIDING
/// SYSTEM VALUE.
fn translate_parsed(statement: Statement, overriding: bool) -> Result<Translation, TranslateError> {
    let statement = select_into_as_create(statement);
    // IF EXISTS decides whether anything runs: the session checks.
    if let Statement::AlterTable(alter) = &statement {
        if alter.if_exists {
            let mut alter = alter.clone();
            alter.if_exists = false;
            names::check_table_name(&mut alter.name)?;
            let table = super::ast::base_name(&alter.name);
            let then = translate_parsed(Statement::AlterTable(alter), overriding)?;
            return Ok(Translation::command(StmtKind::IfTableExists {
                table,
                then: Box::new(then),
            }));
        }
    }
    // Columns of types only the schema knows (domains, enums).
    if matches!(
        statement,
        Statement::CreateTable(_) | Statement::AlterTable(_)
    ) {
        return super::domains::translate_table_statement(statement, |s| {
            translate_plain(s, overriding)
        });
    }
    if let Statement::Drop {
        object_type: sqlparser::ast::ObjectType::Schema,
        names,
        if_exists,
        cascade,
        ..
    } = &statement
    {
        let names = names
            .iter()
            .map(super::ast::name_parts)
            .map(|mut p| p.pop().unwrap_or_default())
            .collect::<Vec<_>>();
        super::schemas::check_drop(&names)?;
        return Ok(Translation::command(StmtKind::DropSchema {
            names,
            if_exists: *if_exists,
            cascade: *cascade,
        }));
    }
    if let Statement::DropDomain(d) = &statement {
        return super::domains::drop(std::slice::from_ref(&d.name), d.if_exists);
    }
    translate_plain(statement, overriding)
}

/// [`translate_parsed`] once IF EXISTS and user types are seen to.
fn translate_plain(statement: Statement, overriding: bool) -> Result<Translation, TranslateError> {
    if super::modifying_with::applies(&statement) {
        return super::modifying_with::translate(statement);
    }
    if let Statement::Merge(merge) = statement {
        return super::merge::translate(merge);
    }
    let mut statement = super::modifying_with::insert_with_inside(statement);
    if let Some(translation) = session::translate(&statement)? {
        return Ok(translation);
    }
    if let Some(translation) = super::grants::translate(&statement)? {
        return Ok(translation);
    }
    if let Some(kind) =
        super::prepared::translate(&statement)?.or(super::cursor::translate(&statement)?)
    {
        // DECLARE takes its query's parameters.
        let params = match &kind {
            StmtKind::Declare { query, .. } => query.params.clone(),
            _ => vec![],
        };
        return Ok(Translation {
            kind,
            sql: String::new(),
            params,
            columns: vec![],
            retype: None,
            scales: vec![],
            steps: Vec::new(),
            locks_rows: false,
        });
    }
    if let Some(translation) = super::explain::translate(&statement)? {
        return Ok(translation);
    }
    names::check_statement(&mut statement)?;
    match &statement {
        Statement::Analyze(_) => return Ok(noop("ANALYZE")),
        Statement::Vacuum(_) => return Ok(noop("VACUUM")),
        _ => {}
    }
    super::catalog::prepare(&mut statement);
    let mut params = params::infer(&statement);
    super::catalog::param_types(&mut params);
    let mut columns = columns::infer(&statement);
    super::catalog::result_types(&statement, &mut columns);
    let retype = Retype::for_statement(&mut statement, &columns);
    let scales = match &statement {
        Statement::Query(q) => columns::result_scales(q),
        _ => Vec::new(),
    };
    // Read before the rewrite, which drops the clause SQLite lacks.
    let locks_rows = matches!(&statement, Statement::Query(q) if !q.locks.is_empty());
    if let Statement::Delete(delete) = &mut statement {
        delete_using_as_exists(delete);
    }
    explicit_target_alias(&mut statement);
    let (tag, returns_rows) = match &statement {
        // `WITH ... UPDATE | DELETE` (see `modifying_with`).
        Statement::Query(q) => match q.body.as_ref() {
            SetExpr::Update(Statement::Update(u)) => ("UPDATE", u.returning.is_some()),
            SetExpr::Delete(Statement::Delete(d)) => ("DELETE", d.returning.is_some()),
            SetExpr::Insert(Statement::Insert(i)) => ("INSERT", i.returning.is_some()),
            _ => ("SELECT", true),
        },
        Statement::Insert(insert) => {
            check_insert(insert)?;
            ("INSERT", insert.returning.is_some())
        }
        Statement::Update(update) => {
            if update.limit.is_some() || !update.order_by.is_empty() || update.or.is_some() {
                return Err(unsupported("UPDATE with ORDER BY, LIMIT or OR"));
            }
            ("UPDATE", update.returning.is_some())
        }
        Statement::Delete(delete) => {
            if !delete.tables.is_empty()
                || delete.using.is_some()
                || delete.limit.is_some()
                || !delete.order_by.is_empty()
                || matches!(&delete.from, FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) if t.len() != 1 || !t[0].joins.is_empty())
            {
                return Err(unsupported(
                    "DELETE with USING, several tables, ORDER BY or LIMIT",
                ));
            }
            ("DELETE", delete.returning.is_some())
        }
        _ => {
            let description = statement_name(&statement);
            if let Some((table, constraint, check)) = ddl::added_constraint(&statement)? {
                return Ok(Translation::command(StmtKind::AddConstraint {
                    table,
                    constraint: Box::new(constraint),
                    check,
                }));
            }
            if let Some(create) = ddl::create_table_as(&statement)? {
                return Ok(Translation::command(StmtKind::CreateTableAs(Box::new(
                    create,
                ))));
            }
            if let Some(edit) = ddl::schema_edit(&statement)? {
                return Ok(Translation::command(StmtKind::EditSchema(edit)));
            }
            if let Some((table, changes)) = ddl::altered_columns(&statement)? {
                return Ok(Translation::command(StmtKind::AlterColumns {
                    table,
                    changes,
                }));
            }
            if let Some((kind, deletes)) = ddl::truncate(&statement)? {
                return Ok(Translation {
                    sql: deletes.join("; "),
                    ..Translation::command(kind)
                });
            }
            let Some(ddl) = ddl::translate(statement)? else {
                return Err(unsupported(description));
            };
            if ddl.statements.is_empty() {
                return Ok(noop(ddl.tag));
            }
            let drops = Translation {
                kind: StmtKind::Query {
                    tag: ddl.tag,
                    returns_rows: false,
                },
                sql: ddl.statements.join("; "),
                params: vec![],
                columns: vec![],
                retype: None,
                scales: vec![],
                steps: Vec::new(),
                locks_rows: false,
            };
            if ddl.cascades.is_empty() {
                return Ok(drops);
            }
            return Ok(Translation::command(StmtKind::DropTablesCascade {
                tables: ddl.cascades,
                then: Box::new(drops),
            }));
        }
    };
    if let Statement::Insert(insert) = &mut statement {
        guard_upsert_select(insert);
    }
    output_names::alias_outputs(&mut statement);
    super::defaults::expand(&mut statement);
    super::column_input::wrap(&mut statement, overriding);
    super::upsert_xmax::rewrite(&mut statement);
    super::time_zone::prepare(&mut statement);
    // Before the exact rewrite changes result columns: a grouped
    // expression (`GROUP BY x / 3`) must still match its result column.
    super::group_check::add_checks(&mut statement);
    super::exact::prepare(&mut statement);
    super::catalog::regclass_results(&mut statement, &mut columns);
    super::scalar_subquery::guard(&mut statement);
    rewrite_statement(&mut statement)?;
    crate::sql::string_literals::seal(&mut statement);
    Ok(Translation {
        kind: StmtKind::Query { tag, returns_rows },
        sql: statement.to_string(),
        params,
        retype: if returns_rows { retype } else { None },
        columns: if returns_rows { columns } else { vec![] },
        scales,
        steps: Vec::new(),
        locks_rows,
    })
}

/// `DELETE FROM t USING a, b WHERE cond` (SQLite has no USING) becomes
/// `DELETE FROM t WHERE EXISTS (SELECT 1 FROM a, b WHERE cond)`: the same
/// rows, since `cond` may name `t`'s columns from inside the subquery.
fn delete_using_as_exists(delete: &mut sqlparser::ast::Delete) {
    use sqlparser::ast::{Expr, SetExpr};
    let Some(using) = delete.using.take() else {
        return;
    };
    let mut query = sqlparser::parser::Parser::new(&sqlparser::dialect::PostgreSqlDialect {})
        .try_with_sql("SELECT 1")
        .and_then(|mut p| p.parse_query())
        .expect("constant SQL parses");
    if let SetExpr::Select(select) = query.body.as_mut() {
        select.from = using;
        select.selection = delete.selection.take();
    }
    delete.selection = Some(Expr::Exists {
        subquery: query,
        negated: false,
    });
}

/// SQLite's UPDATE and DELETE name their table's alias only after `AS`
/// (`UPDATE orders AS o`); PostgreSQL lets the keyword go.
fn explicit_target_alias(statement: &mut Statement) {
    if let Statement::Query(q) = statement {
        if let SetExpr::Update(s) | SetExpr::Delete(s) = q.body.as_mut() {
            explicit_target_alias(s);
        }
        return;
    }
    // `INSERT INTO w AS x ... RETURNING x.*`: SQLite's RETURNING takes no
    // qualified wildcard either.
    if let Statement::Insert(insert) = statement {
        if let (Some(items), sqlparser::ast::TableObject::TableName(name)) =
            (insert.returning.as_mut(), &insert.table)
        {
            let qualifier = insert
                .table_alias
                .as_ref()
                .map_or_else(|| super::ast::base_name(name), |a| a.alias.value.clone());
            unqualify_returning(items, &qualifier);
        }
        return;
    }
    let target = match statement {
        Statement::Update(update) => Some(&mut update.table.relation),
        Statement::Delete(delete) => match &mut delete.from {
            FromTable::WithFromKeyword(t) | FromTable::WithoutKeyword(t) => {
                t.first_mut().map(|t| &mut t.relation)
            }
        },
        _ => None,
    };
    let Some(TableFactor::Table { name, alias, .. }) = target else {
        return;
    };
    let qualifier = match alias {
        Some(alias) => {
            alias.explicit = true;
            alias.name.value.clone()
        }
        None => super::ast::base_name(name),
    };
    let returning = match statement {
        Statement::Update(update) => update.returning.as_mut(),
        Statement::Delete(delete) => delete.returning.as_mut(),
        _ => None,
    };
    if let Some(items) = returning {
        unqualify_returning(items, &qualifier);
    }
}

/// SQLite's RETURNING reads the modified row by bare column names only:
/// `RETURNING o.id` becomes `RETURNING id` (its output name stays `id`).
fn unqualify_returning(items: &mut Vec<sqlparser::ast::SelectItem>, qualifier: &str) {
    use sqlparser::ast::{
        visit_expressions_mut, Expr, SelectItem, SelectItemQualifiedWildcardKind,
    };
    for item in items.iter_mut() {
        if let SelectItem::QualifiedWildcard(
            SelectItemQualifiedWildcardKind::ObjectName(n),
            options,
        ) = item
        {
            if super::ast::base_name(n).eq_ignore_ascii_case(qualifier) {
                *item = SelectItem::Wildcard(options.clone());
            }
        }
    }
    let _ = visit_expressions_mut(items, |e| {
        if let Expr::CompoundIdentifier(parts) = e {
            if parts.len() == 2 && parts[0].value.eq_ignore_ascii_case(qualifier) {
                *e = Expr::Identifier(parts[1].clone());
            }
        }
        std::ops::ControlFlow::<()>::Continue(())
    });
}

fn noop(tag: &'static str) -> Translation {
    Translation::command(StmtKind::Noop { tag })
}

fn check_insert(insert: &sqlparser::ast::Insert) -> Result<(), TranslateError> {
    if !matches!(insert.table, TableObject::TableName(_)) {
        return Err(unsupported("INSERT into a table function"));
    }
    if insert.or.is_some() || insert.ignore || insert.overwrite || insert.replace_into {
        return Err(unsupported("this INSERT form"));
    }
    match &insert.on {
        None | Some(OnInsert::OnConflict(_)) => {}
        Some(_) => return Err(unsupported("ON DUPLICATE KEY")),
    }
    Ok(())
}

/// SQLite cannot tell `INSERT ... SELECT ... ON CONFLICT` apart from a join
/// constraint unless the SELECT has a WHERE clause; `WHERE 1` is neutral.
fn guard_upsert_select(insert: &mut sqlparser::ast::Insert) {
    // `ON CONFLICT ON CONSTRAINT name`: SQLite names no constraint, and its
    // last ON CONFLICT clause may omit the target (any uniqueness conflict).
    if let Some(OnInsert::OnConflict(conflict)) = &mut insert.on {
        if matches!(
            conflict.conflict_target,
            Some(sqlparser::ast::ConflictTarget::OnConstraint(_))
        ) {
            conflict.conflict_target = None;
        }
    }
    if insert.on.is_none() {
        return;
    }
    if let Some(source) = &mut insert.source {
        if let SetExpr::Select(select) = source.body.as_mut() {
            if select.selection.is_none() {
                select.selection = Some(super::ast::number(1));
            }
        }
    }
}

/// The leading keywords of a statement, for "... is not supported" messages.
pub(super) fn statement_name(statement: &Statement) -> String {
    let text = statement.to_string();
    let words: Vec<&str> = text
        .split_whitespace()
        .take_while(|w| w.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
        // `CREATE OR REPLACE FUNCTION`: what is created names it.
        .filter(|w| !matches!(*w, "OR" | "REPLACE"))
        .take(3)
        .collect();
    if words.is_empty() {
        "this statement".into()
    } else {
        words.join(" ")
    }
}

/// `SELECT ... INTO [TEMP] t FROM ...` is PostgreSQL's older spelling of
/// `CREATE [TEMP] TABLE t AS SELECT ... FROM ...`.
fn select_into_as_create(statement: Statement) -> Statement {
    let Statement::Query(mut query) = statement else {
        return statement;
    };
    let SetExpr::Select(select) = query.body.as_mut() else {
        return Statement::Query(query);
    };
    let name = match select.into.as_ref().map(|into| into.targets.as_slice()) {
        Some([Expr::Identifier(id)]) => ObjectName::from(vec![id.clone()]),
        Some([Expr::CompoundIdentifier(ids)]) => ObjectName::from(ids.clone()),
        // (Anything else stays, and is refused as this SELECT's clause.)
        _ => return Statement::Query(query),
    };
    let temporary = select.into.take().is_some_and(|into| into.temporary);
    Statement::CreateTable(
        sqlparser::ast::helpers::stmt_create_table::CreateTableBuilder::new(name)
            .temporary(temporary)
            .query(Some(query))
            .build(),
    )
}
