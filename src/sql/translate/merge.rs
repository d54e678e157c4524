//! MERGE (PostgreSQL 15): run as steps (see `modifying_with`), in the
//! statement's savepoint:
//!
//! 1. the source joined to the target, each source row's WHEN clause
//!    chosen before anything changes (PostgreSQL tests the conditions on
//!    the rows as they were), kept in a TEMP table with the target row's
//!    rowid (`pg_trow`, NULL when not matched) and the clause (`pg_clause`);
//! 2. PostgreSQL's 21000 when two source rows would change one target row
//!    (its HINT travels after a mark, see `errors::carried`);
//! 3. one UPDATE, DELETE or INSERT per clause, reading that table under
//!    the source's name, so the clause's expressions are written as they
//!    were (`s.qty`, `t.qty + s.qty`).
//!
//! The main statement deletes the rows that took an action from the TEMP
//! table: its count is MERGE's (each such row changed one target row).

use sqlparser::ast::{
    Merge, MergeAction, MergeClauseKind, MergeInsertKind, MergeUpdateKind, Statement, TableFactor,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::ast::base_name;
use super::error::{other, unsupported};
use super::modifying_with::{merge_params, TEMP_PREFIX};
use super::split::Parsed;
use super::statement::translate_statement;
use super::{StmtKind, TranslateError, Translation, WithStep};

pub(super) fn translate(merge: Merge) -> Result<Translation, TranslateError> {
    if merge.output.is_some() {
        return Err(unsupported("MERGE ... OUTPUT"));
    }
    let (target, target_alias) = match &merge.table {
        TableFactor::Table {
            name,
            alias,
            args: None,
            ..
        } => (name.to_string(), alias.as_ref().map(|a| a.name.to_string())),
        _ => return Err(unsupported("MERGE into anything but a table")),
    };
    let target_ref = target_alias.clone().unwrap_or_else(|| target.clone());
    let alias_clause = target_alias
        .as_ref()
        .map(|a| format!(" AS {a}"))
        .unwrap_or_default();
    let source_ref = match &merge.source {
        TableFactor::Table { name, alias, .. } => alias
            .as_ref()
            .map(|a| a.name.to_string())
            .unwrap_or_else(|| crate::sql::quote_ident(&base_name(name))),
        TableFactor::Derived { alias: Some(a), .. } => a.name.to_string(),
        TableFactor::Derived { alias: None, .. } => {
            return Err(other("42601", "subquery in FROM must have an alias"))
        }
        _ => return Err(unsupported("this MERGE source")),
    };
    let staging = format!("{TEMP_PREFIX}merge");
    let mut choices = Vec::new();
    let mut actions = Vec::new();
    let mut matched_actions = Vec::new();
    let mut changes = Vec::new();
    for (i, clause) in merge.clauses.iter().enumerate() {
        let k = i + 1;
        let matched = match clause.clause_kind {
            MergeClauseKind::Matched => true,
            MergeClauseKind::NotMatched | MergeClauseKind::NotMatchedByTarget => false,
            MergeClauseKind::NotMatchedBySource => {
                return Err(unsupported("WHEN NOT MATCHED BY SOURCE"))
            }
        };
        let found = if matched { "IS NOT NULL" } else { "IS NULL" };
        let mut test = format!("{target_ref}.rowid {found}");
        if let Some(p) = &clause.predicate {
            test = format!("{test} AND ({p})");
        }
        choices.push(format!("WHEN {test} THEN {k}"));
        let change = match (&clause.action, matched) {
            (MergeAction::DoNothing { .. }, _) => continue,
            (MergeAction::Delete { .. }, true) => format!(
                "DELETE FROM {target} WHERE rowid IN (SELECT pg_trow FROM {staging} WHERE pg_clause = {k})"
            ),
            (MergeAction::Update(u), true) => {
                let MergeUpdateKind::Set(assignments) = &u.kind else {
                    return Err(unsupported("UPDATE SET * in MERGE"));
                };
                if u.update_predicate.is_some() || u.delete_predicate.is_some() {
                    return Err(unsupported("MERGE UPDATE ... WHERE"));
                }
                let set: Vec<String> = assignments.iter().map(ToString::to_string).collect();
                format!(
                    "UPDATE {target}{alias_clause} SET {} FROM {staging} AS {source_ref} \
                     WHERE {target_ref}.rowid = {source_ref}.pg_trow AND {source_ref}.pg_clause = {k}",
                    set.join(", ")
                )
            }
            (MergeAction::Insert(insert), false) => {
                let MergeInsertKind::Values(values) = &insert.kind else {
                    return Err(unsupported("INSERT DEFAULT VALUES in MERGE"));
                };
                let [row] = values.rows.as_slice() else {
                    return Err(other(
                        "42601",
                        "MERGE's INSERT takes exactly one row of VALUES",
                    ));
                };
                let columns = if insert.columns.is_empty() {
                    String::new()
                } else {
                    let names: Vec<String> =
                        insert.columns.iter().map(ToString::to_string).collect();
                    format!(" ({})", names.join(", "))
                };
                let exprs: Vec<String> = row.iter().map(ToString::to_string).collect();
                format!(
                    "INSERT INTO {target}{columns} SELECT {} FROM {staging} AS {source_ref} \
                     WHERE {source_ref}.pg_clause = {k}",
                    exprs.join(", ")
                )
            }
            (_, true) => {
                return Err(other(
                    "42601",
                    "syntax error: WHEN MATCHED takes UPDATE, DELETE or DO NOTHING",
                ))
            }
            (_, false) => {
                return Err(other(
                    "42601",
                    "syntax error: WHEN NOT MATCHED takes INSERT or DO NOTHING",
                ))
            }
        };
        actions.push(k.to_string());
        if matched {
            matched_actions.push(k.to_string());
        }
        changes.push(change);
    }
    let mut steps = Vec::new();
    // The source's rows with their target row's rowid and chosen clause.
    let choose = format!(
        "SELECT {target_ref}.rowid AS pg_trow, {source_ref}.*, CASE {} END AS pg_clause \
         FROM {} LEFT JOIN {target}{alias_clause} ON {}",
        choices.join(" "),
        merge.source,
        merge.on
    );
    steps.push(WithStep {
        table: Some(staging.clone()),
        columns: Vec::new(),
        run: translate_text(&choose)?,
    });
    let table = format!("temp.{}", crate::sql::quote_ident(&staging));
    if !matched_actions.is_empty() {
        let ks = matched_actions.join(", ");
        steps.push(WithStep {
            table: None,
            columns: Vec::new(),
            run: raw(format!(
                "DELETE FROM {table} WHERE CASE WHEN pg_trow IN (SELECT pg_trow FROM {table} \
                 WHERE pg_clause IN ({ks}) GROUP BY pg_trow HAVING count(*) > 1) \
                 THEN pg_raise('21000', 'MERGE command cannot affect row a second time' \
                 || char(1) || 'HEnsure that not more than one source row matches any one target row.') \
                 ELSE 0 END"
            )),
        });
    }
    for change in changes {
        steps.push(WithStep {
            table: None,
            columns: Vec::new(),
            run: translate_text(&change)?,
        });
    }
    let done = if actions.is_empty() {
        "0".to_owned()
    } else {
        format!("pg_clause IN ({})", actions.join(", "))
    };
    let mut main = raw(format!("DELETE FROM {table} WHERE {done}"));
    main.kind = StmtKind::Query {
        tag: "MERGE",
        returns_rows: false,
    };
    for step in &steps {
        merge_params(&mut main.params, &step.run.params);
    }
    main.steps = steps;
    Ok(main)
}

/// One of MERGE's parts, written as PostgreSQL, translated as any statement.
fn translate_text(sql: &str) -> Result<Translation, TranslateError> {
    let mut statements = Parser::parse_sql(&PostgreSqlDialect {}, sql)
        .map_err(|e| other("42601", format!("MERGE: {e}")))?;
    let statement: Statement = statements
        .pop()
        .ok_or_else(|| other("42601", "MERGE: empty part"))?;
    translate_statement(Parsed::Statement(Box::new(statement)))
}

/// SQLite text that needs no translation.
fn raw(sql: String) -> Translation {
    Translation {
        sql,
        ..Translation::command(StmtKind::Query {
            tag: "DELETE",
            returns_rows: false,
        })
    }
}
