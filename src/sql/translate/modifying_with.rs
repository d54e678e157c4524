//! Data-modifying WITH: `WITH moved AS (DELETE ... RETURNING *) SELECT ... FROM moved`.
//!
//! SQLite has no INSERT/UPDATE/DELETE inside WITH, so the statement is split:
//! each data-modifying query becomes a [`WithStep`] that the executor runs
//! first, in order, keeping its RETURNING rows in a connection-local TEMP
//! table; the main statement then reads that table where it named the WITH
//! query. The executor runs the steps and the main statement inside one
//! savepoint, so the statement stays atomic.
//!
//! Where SQLite differs from PostgreSQL: in PostgreSQL every part of the
//! statement sees the same snapshot, so the main statement (and the other
//! WITH queries) do not see the changes a data-modifying WITH query makes.
//! Here they run after it and do see them. The common uses (read the
//! RETURNING rows, move them into another table, upsert then select) only
//! read the WITH query's rows and give PostgreSQL's answer; a main statement
//! that reads the modified table itself sees the table after the change.

use super::ast::{ident_name, parse_query};
use super::error::{other, unsupported};
use super::split::Parsed;
use super::statement::translate_statement;
use super::{ParamHint, TranslateError, Translation, WithStep};
use sqlparser::ast::{
    Cte, Ident, ObjectName, Query, SetExpr, Statement, TableAlias, TableFactor, VisitMut,
    VisitorMut, With,
};
use std::collections::HashMap;
use std::ops::ControlFlow;

/// Prefix of the TEMP tables holding RETURNING rows; the executor drops them
/// when the statement ends.
pub const TEMP_PREFIX: &str = "pgtenant_with_";

/// Whether a WITH query's body is INSERT, UPDATE, DELETE or MERGE.
fn modifies(cte: &Cte) -> bool {
    matches!(
        cte.query.body.as_ref(),
        SetExpr::Insert(_) | SetExpr::Update(_) | SetExpr::Delete(_) | SetExpr::Merge(_)
    )
}

/// PostgreSQL accepts a data-modifying WITH only on the top-level statement
/// (0A000 elsewhere, as there).
pub(super) fn check_nesting(statement: &mut Statement) -> Result<(), TranslateError> {
    struct Find {
        depth: usize,
    }
    impl VisitorMut for Find {
        type Break = ();
        fn pre_visit_query(&mut self, query: &mut Query) -> ControlFlow<()> {
            self.depth += 1;
            let modifying = query.with.iter().flat_map(|w| &w.cte_tables).any(modifies);
            if modifying && self.depth > 1 {
                return ControlFlow::Break(());
            }
            ControlFlow::Continue(())
        }
        fn post_visit_query(&mut self, _: &mut Query) -> ControlFlow<()> {
            self.depth -= 1;
            ControlFlow::Continue(())
        }
    }
    // The top level is the statement's own query; an INSERT's source is not.
    let mut find = Find {
        depth: usize::from(!matches!(statement, Statement::Query(_))),
    };
    match statement.visit(&mut find) {
        ControlFlow::Break(()) => Err(other(
            "0A000",
            "WITH clause containing a data-modifying statement must be at the top level",
        )),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// Whether the statement is a top-level WITH with a data-modifying query.
pub(super) fn applies(statement: &Statement) -> bool {
    matches!(statement, Statement::Query(q) if q.with.iter().flat_map(|w| &w.cte_tables).any(modifies))
}

/// Splits a statement for which [`applies`] holds into its steps and main
/// statement, and translates each.
pub(super) fn translate(statement: Statement) -> Result<Translation, TranslateError> {
    let Statement::Query(mut query) = statement else {
        unreachable!("checked by applies");
    };
    let with = query.with.take().expect("checked by applies");
    let mut renames: HashMap<String, Rename> = HashMap::new();
    let mut plain: Vec<Cte> = Vec::new();
    let mut steps = Vec::new();
    for mut cte in with.cte_tables {
        rename_tables(&mut cte.query, &renames)?;
        let name = ident_name(&cte.alias.name);
        if !modifies(&cte) {
            // A later plain WITH query of the same name hides a step's table.
            renames.remove(&name);
            plain.push(cte);
            continue;
        }
        let body = std::mem::replace(cte.query.body.as_mut(), SetExpr::Values(empty_values()));
        let dml = match body {
            SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => s,
            _ => return Err(unsupported("MERGE in WITH")),
        };
        let returns = returning(&dml);
        let table = returns.then(|| format!("{TEMP_PREFIX}{}", steps.len()));
        let dml = with_plain(dml, &plain, with.recursive);
        let run = translate_statement(Parsed::Statement(Box::new(dml)))?;
        renames.insert(
            name.clone(),
            Rename {
                table: table.clone(),
                name: cte.alias.name.clone(),
            },
        );
        steps.push(WithStep {
            table,
            columns: cte
                .alias
                .columns
                .iter()
                .map(|c| ident_name(&c.name))
                .collect(),
            run,
        });
    }
    rename_tables(&mut query, &renames)?;
    let main = match *query.body {
        SetExpr::Insert(s) | SetExpr::Update(s) | SetExpr::Delete(s) => {
            with_plain(s, &plain, with.recursive)
        }
        body => {
            query.body = Box::new(body);
            if !plain.is_empty() {
                query.with = Some(With {
                    with_token: with.with_token,
                    recursive: with.recursive,
                    cte_tables: plain,
                });
            }
            Statement::Query(query)
        }
    };
    let mut main = translate_statement(Parsed::Statement(Box::new(main)))?;
    for step in &steps {
        merge_params(&mut main.params, &step.run.params);
    }
    main.steps = steps;
    Ok(main)
}

/// `WITH src AS (...) INSERT INTO t SELECT ... FROM src` becomes
/// `INSERT INTO t WITH src AS (...) SELECT ...`, the same statement in the
/// shape the INSERT passes (defaults, column input, upsert) work on.
pub(super) fn insert_with_inside(statement: Statement) -> Statement {
    match statement {
        Statement::Query(query)
            if query.with.is_some() && matches!(query.body.as_ref(), SetExpr::Insert(_)) =>
        {
            let Query { with, body, .. } = *query;
            let (Some(with), SetExpr::Insert(insert)) = (with, *body) else {
                unreachable!("matched above");
            };
            with_plain(insert, &with.cte_tables, with.recursive)
        }
        other => other,
    }
}

/// Where a WITH name now points.
struct Rename {
    /// The step's TEMP table; `None` when the query has no RETURNING.
    table: Option<String>,
    /// The name as written, kept as the alias so `moved.label` still resolves.
    name: Ident,
}

fn returning(dml: &Statement) -> bool {
    match dml {
        Statement::Insert(i) => i.returning.is_some(),
        Statement::Update(u) => u.returning.is_some(),
        Statement::Delete(d) => d.returning.is_some(),
        _ => false,
    }
}

/// Puts the plain WITH queries before a data-modifying statement: into an
/// INSERT's source query, else as `WITH ... UPDATE | DELETE`.
fn with_plain(mut dml: Statement, plain: &[Cte], recursive: bool) -> Statement {
    if plain.is_empty() {
        return dml;
    }
    if let Statement::Insert(insert) = &mut dml {
        if let Some(source) = &mut insert.source {
            match &mut source.with {
                Some(own) => {
                    let mut ctes = plain.to_vec();
                    ctes.append(&mut own.cte_tables);
                    own.cte_tables = ctes;
                    own.recursive |= recursive;
                }
                None => source.with = Some(with_clause(plain.to_vec(), recursive)),
            }
            return dml;
        }
    }
    let mut query = select_one();
    query.with = Some(with_clause(plain.to_vec(), recursive));
    *query.body = match dml {
        Statement::Insert(_) => SetExpr::Insert(dml),
        Statement::Update(_) => SetExpr::Update(dml),
        _ => SetExpr::Delete(dml),
    };
    Statement::Query(Box::new(query))
}

fn with_clause(cte_tables: Vec<Cte>, recursive: bool) -> With {
    let mut with = select_one_with();
    with.cte_tables = cte_tables;
    with.recursive = recursive;
    with
}

fn select_one() -> Query {
    parse_query("SELECT 1")
}

fn select_one_with() -> With {
    parse_query("WITH x AS (SELECT 1) SELECT 1")
        .with
        .expect("constant SQL has WITH")
}

fn empty_values() -> sqlparser::ast::Values {
    match *parse_query("VALUES (1)").body {
        SetExpr::Values(v) => v,
        _ => unreachable!("VALUES parses as values"),
    }
}

/// Points references to data-modifying WITH queries at their TEMP tables.
fn rename_tables(
    query: &mut Query,
    renames: &HashMap<String, Rename>,
) -> Result<(), TranslateError> {
    struct Renamer<'a>(&'a HashMap<String, Rename>);
    impl VisitorMut for Renamer<'_> {
        type Break = TranslateError;
        fn pre_visit_table_factor(&mut self, factor: &mut TableFactor) -> ControlFlow<Self::Break> {
            let TableFactor::Table {
                name,
                alias,
                args: None,
                ..
            } = factor
            else {
                return ControlFlow::Continue(());
            };
            let [sqlparser::ast::ObjectNamePart::Identifier(ident)] = name.0.as_slice() else {
                return ControlFlow::Continue(());
            };
            let Some(rename) = self.0.get(&ident_name(ident)) else {
                return ControlFlow::Continue(());
            };
            let Some(table) = &rename.table else {
                return ControlFlow::Break(other(
                    "42601",
                    format!(
                        "WITH query \"{}\" does not have a RETURNING clause",
                        ident_name(&rename.name)
                    ),
                ));
            };
            *name = ObjectName::from(vec![Ident::with_quote('"', table)]);
            if alias.is_none() {
                *alias = Some(TableAlias {
                    explicit: true,
                    name: rename.name.clone(),
                    columns: vec![],
                    at: None,
                });
            }
            ControlFlow::Continue(())
        }
    }
    if renames.is_empty() {
        return Ok(());
    }
    match query.visit(&mut Renamer(renames)) {
        ControlFlow::Break(e) => Err(e),
        ControlFlow::Continue(()) => Ok(()),
    }
}

/// All parts share one parameter list: a hint any part knows applies.
pub(super) fn merge_params(into: &mut Vec<ParamHint>, from: &[ParamHint]) {
    if into.len() < from.len() {
        into.resize(from.len(), ParamHint::Unknown);
    }
    for (slot, hint) in into.iter_mut().zip(from) {
        if *slot == ParamHint::Unknown {
            *slot = hint.clone();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::{translate, ParamHint, StmtKind, Translation};

    fn one(sql: &str) -> Translation {
        translate(sql).unwrap().remove(0)
    }

    #[test]
    fn steps_run_first_and_the_main_statement_reads_their_tables() {
        let t = one(
            "WITH moved AS (DELETE FROM inbox WHERE urgent RETURNING *), \
             kept AS (INSERT INTO archive SELECT * FROM moved RETURNING id) \
             SELECT moved.id FROM moved JOIN kept ON kept.id = moved.id",
        );
        assert_eq!(t.steps.len(), 2);
        assert_eq!(t.steps[0].table.as_deref(), Some("pgtenant_with_0"));
        assert_eq!(
            t.steps[0].run.sql,
            "DELETE FROM inbox WHERE urgent RETURNING *"
        );
        assert_eq!(
            t.steps[1].run.sql,
            "INSERT INTO archive SELECT * FROM \"pgtenant_with_0\" AS moved RETURNING id"
        );
        assert!(
            t.sql
                .contains("FROM \"pgtenant_with_0\" AS moved JOIN \"pgtenant_with_1\" AS kept"),
            "{}",
            t.sql
        );
        assert!(!t.reads_only());
    }

    #[test]
    fn plain_with_queries_go_where_they_are_read() {
        let t = one(
            "WITH src AS (SELECT 1 AS id), d AS (DELETE FROM t WHERE id IN (SELECT id FROM src) RETURNING id) \
             INSERT INTO log (id) SELECT id FROM d",
        );
        assert!(
            t.steps[0].run.sql.starts_with("WITH src AS"),
            "{}",
            t.steps[0].run.sql
        );
        assert!(matches!(
            t.kind,
            StmtKind::Query {
                tag: "INSERT",
                returns_rows: false
            }
        ));
        assert_eq!(
            t.sql,
            "INSERT INTO log (id) WITH src AS (SELECT 1 AS id) SELECT pg_column_scaled(id, 'log', 'id') FROM \"pgtenant_with_0\" AS d WHERE pg_identity_check('log', 'id')"
        );
    }

    #[test]
    fn parameters_of_every_part_are_known() {
        let t = one(
            "WITH d AS (DELETE FROM inbox WHERE urgent = $1 RETURNING id) \
             SELECT id FROM d WHERE id <> $2",
        );
        assert!(matches!(&t.params[0], ParamHint::Column { table, .. } if table == "inbox"));
        assert!(
            matches!(&t.params[1], ParamHint::Column { table, .. } if table == "pgtenant_with_0")
        );
    }

    #[test]
    fn refused_where_postgresql_refuses() {
        for (sql, code) in [
            (
                "SELECT (WITH d AS (DELETE FROM t RETURNING id) SELECT id FROM d)",
                "0A000",
            ),
            (
                "INSERT INTO t WITH d AS (DELETE FROM s RETURNING id) SELECT id FROM d",
                "0A000",
            ),
            ("WITH d AS (DELETE FROM t) SELECT * FROM d", "42601"),
        ] {
            assert_eq!(translate(sql).unwrap_err().code, code, "{sql}");
        }
    }
}
