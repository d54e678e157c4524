//! Runs a statement with data-modifying WITH queries (see
//! `sql::translate::modifying_with`): each step runs first and its RETURNING
//! rows go into a connection-local TEMP table, which the main statement
//! reads. Steps, TEMP tables and main statement share one savepoint: an
//! error anywhere leaves neither changed rows nor tables behind, and the
//! tables are dropped when the statement succeeds.

use rusqlite::types::Value;

use super::exec::{stored_rows, ColumnInfo, Conn, Described, Finished, RowSink, Run};
use crate::sql::encode::type_of_value;
use crate::sql::errors::{from_sqlite, from_sqlite_on, SqlError};
use crate::sql::pgtype::PgType;
use crate::sql::quote_ident;
use crate::sql::translate::{ParamHint, ResultTypes, Retype, WithStep};

const SAVEPOINT: &str = "pgtenant_with";

/// What Parse learns of a statement with data-modifying WITH queries.
pub struct WithDescribed {
    pub described: Described,
    /// The result types worked out with the schema (see `Retype`).
    pub retyped: Vec<Option<PgType>>,
    /// The translator's parameter hints, resolved.
    pub param_types: Vec<Option<PgType>>,
}

/// A step's result: column names, their declared types, the rows.
struct Returned {
    names: Vec<String>,
    decls: Vec<String>,
    rows: Vec<Vec<Value>>,
}

impl Conn {
    /// Runs the steps, then the main statement into `sink`.
    pub fn run_with_steps(
        &self,
        steps: &[WithStep],
        run: &Run<'_>,
        sink: &mut dyn RowSink,
    ) -> Result<Finished, SqlError> {
        let supplied = run.params.len();
        let mismatch = |expected: usize| {
            SqlError::new(
                "08P01",
                format!(
                    "bind message supplies {supplied} parameters, but prepared statement requires {expected}"
                ),
            )
        };
        // Each part is prepared only once the tables it reads exist.
        self.in_savepoint(true, || {
            let mut expected = 0;
            for step in steps {
                let n = self.param_count(&step.run.sql)?;
                if n > supplied {
                    return Err(mismatch(n));
                }
                expected = expected.max(n);
                let returned = self.run_step(step, &run.params[..n])?;
                if let (Some(table), Some(returned)) = (&step.table, returned) {
                    self.keep_rows(table, &returned)?;
                }
            }
            let n = self.param_count(run.sql)?;
            let expected = expected.max(n);
            if expected != supplied {
                return Err(mismatch(expected));
            }
            let main = Run {
                params: &run.params[..n],
                ..*run
            };
            self.run(&main, sink)
        })
    }

    /// What Parse needs: the main statement's columns and the parameter
    /// count of all parts, learned with the TEMP tables created empty (and
    /// rolled back). `retype` is worked out meanwhile too, as the tables it
    /// reads exist only then.
    pub fn describe_with_steps(
        &self,
        steps: &[WithStep],
        sql: &str,
        retype: Option<&Retype>,
        hints: &[ParamHint],
    ) -> Result<WithDescribed, SqlError> {
        self.fresh_statements();
        let mut out = None;
        self.in_savepoint(false, || {
            let mut param_count = 0;
            for step in steps {
                param_count = param_count.max(self.param_count(&step.run.sql)?);
                let Some(table) = &step.table else { continue };
                let stmt = self.prepare(&step.run.sql).map_err(|e| from_sqlite(&e))?;
                let returned = returned(&stmt, step, Vec::new(), |r| self.retyped(r).types)?;
                drop(stmt);
                self.keep_rows(table, &returned)?;
            }
            let mut described = self.describe(sql)?;
            described.param_count = described.param_count.max(param_count);
            let retyped = retype.map(|r| self.retyped(r).types).unwrap_or_default();
            let param_types = hints
                .iter()
                .map(|hint| match hint {
                    ParamHint::Column { table, column } => self.column_type(table, column),
                    ParamHint::Position { table, index } => self.column_type_at(table, *index),
                    ParamHint::Routine { name, nargs, index } => {
                        self.routine_argument_type(name, *nargs, *index)
                    }
                    ParamHint::Type(t) => Some(*t),
                    ParamHint::Unknown => None,
                })
                .collect();
            out = Some(WithDescribed {
                described,
                retyped,
                param_types,
            });
            Ok(())
        })?;
        Ok(out.expect("set when the closure succeeded"))
    }

    /// SQLite wants exactly as many values as the highest `?n` a statement uses.
    fn param_count(&self, sql: &str) -> Result<usize, SqlError> {
        self.prepare(sql)
            .map(|s| s.parameter_count())
            .map_err(|e| from_sqlite(&e))
    }

    /// Runs `f` inside a savepoint; `keep` releases it on success, otherwise
    /// (and on any error) it is rolled back. Outside a transaction the
    /// savepoint is the transaction.
    fn in_savepoint<T>(
        &self,
        keep: bool,
        f: impl FnOnce() -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        let outer = self.is_autocommit();
        self.batch(&format!("SAVEPOINT {SAVEPOINT}"))?;
        let r = f().and_then(|v| {
            if keep {
                self.drop_tables()?;
                self.batch(&format!("RELEASE {SAVEPOINT}"))?;
            }
            Ok(v)
        });
        let undo = r.is_err() || !keep;
        if undo && !(outer && self.is_autocommit()) {
            // An interrupted write may already have rolled SQLite's
            // transaction back; then there is nothing left to undo.
            let _ = if outer {
                self.batch("ROLLBACK")
            } else {
                self.batch(&format!("ROLLBACK TO {SAVEPOINT}; RELEASE {SAVEPOINT}"))
            };
        }
        r
    }

    /// Runs one step; its rows when it has a table to fill.
    fn run_step(&self, step: &WithStep, params: &[Value]) -> Result<Option<Returned>, SqlError> {
        let mut stmt = self.prepare(&step.run.sql).map_err(|e| from_sqlite(&e))?;
        for (i, v) in params.iter().enumerate() {
            stmt.raw_bind_parameter(i + 1, v)
                .map_err(|e| from_sqlite(&e))?;
        }
        let ncols = stmt.column_count();
        if step.table.is_none() || ncols == 0 {
            stmt.raw_execute()
                .map_err(|e| from_sqlite_on(self.sqlite(), &e))?;
            return Ok(None);
        }
        let values = |row: &rusqlite::Row<'_>| -> rusqlite::Result<Vec<Value>> {
            (0..ncols).map(|i| row.get::<_, Value>(i)).collect()
        };
        let mut rows = Vec::new();
        self.note_stored_rows();
        {
            let mut q = stmt.raw_query();
            while let Some(row) = q.next().map_err(|e| from_sqlite_on(self.sqlite(), &e))? {
                rows.push(values(row).map_err(|e| from_sqlite(&e))?);
            }
        }
        // Rows a trigger changed after RETURNING saw them: as stored.
        if let Some(r) = self
            .stored_rows(&step.run.sql, params.len())
            .filter(|r| r.rowids.len() == rows.len())
        {
            if let Some(stored) =
                stored_rows::each(self.sqlite(), &r, params, ncols, |row| values(row).ok())
            {
                rows = stored;
            }
        }
        returned(&stmt, step, rows, |r| self.retyped(r).types).map(Some)
    }

    /// Creates the step's TEMP table and fills it.
    fn keep_rows(&self, table: &str, returned: &Returned) -> Result<(), SqlError> {
        let columns: Vec<String> = returned
            .names
            .iter()
            .zip(&returned.decls)
            .map(|(n, d)| format!("{} {d}", quote_ident(n)))
            .collect();
        let table = quote_ident(table);
        self.batch(&format!(
            "DROP TABLE IF EXISTS temp.{table}; CREATE TEMP TABLE {table} ({})",
            columns.join(", ")
        ))?;
        if returned.rows.is_empty() {
            return Ok(());
        }
        let marks = vec!["?"; columns.len()].join(", ");
        let mut insert = self
            .sqlite()
            .prepare(&format!("INSERT INTO temp.{table} VALUES ({marks})"))
            .map_err(|e| from_sqlite(&e))?;
        for row in &returned.rows {
            insert
                .execute(rusqlite::params_from_iter(row))
                .map_err(|e| from_sqlite_on(self.sqlite(), &e))?;
        }
        Ok(())
    }

    /// Drops the steps' TEMP tables (all of them: names are per statement).
    fn drop_tables(&self) -> Result<(), SqlError> {
        let names: Vec<String> = {
            let mut stmt = self
                .sqlite()
                .prepare_cached(
                    "SELECT name FROM temp.sqlite_master WHERE type = 'table' AND name GLOB ?1",
                )
                .map_err(|e| from_sqlite(&e))?;
            let pattern = format!("{}*", crate::sql::translate::WITH_TABLE_PREFIX);
            let names = stmt
                .query_map([pattern], |r| r.get(0))
                .map_err(|e| from_sqlite(&e))?
                .collect::<Result<_, _>>()
                .map_err(|e| from_sqlite(&e))?;
            names
        };
        for name in names {
            self.batch(&format!("DROP TABLE temp.{}", quote_ident(&name)))?;
        }
        Ok(())
    }
}

/// Names and declared types of a step's result: the WITH query's column
/// list where given, else the RETURNING names; a table column's own
/// declaration (so OIDs and numeric scales carry over), else the
/// translator's type, else the first row's storage class.
fn returned(
    stmt: &rusqlite::Statement<'_>,
    step: &WithStep,
    rows: Vec<Vec<Value>>,
    retyped: impl FnOnce(&Retype) -> Vec<Option<PgType>>,
) -> Result<Returned, SqlError> {
    let columns: Vec<(ColumnInfo, Option<String>)> = stmt
        .columns()
        .map(|c| {
            let decl = c.decl_type().map(str::to_owned);
            (
                ColumnInfo {
                    name: c.name().to_owned(),
                    decl: decl.as_deref().map(PgType::from_decl),
                },
                decl,
            )
        })
        .collect();
    let n = columns.len();
    if step.columns.len() > n {
        return Err(SqlError::new(
            "42P10",
            format!(
                "table \"{}\" has {n} columns available but {} columns specified",
                step.table.as_deref().unwrap_or_default(),
                step.columns.len()
            ),
        ));
    }
    let choose = ResultTypes::new(n, &step.run.columns, step.run.retype.as_ref());
    let schema = choose
        .wants_schema(|i| columns[i].0.decl)
        .map(retyped)
        .unwrap_or_default();
    let decls = (0..n)
        .map(|i| {
            if let Some(decl) = &columns[i].1 {
                return decl.clone();
            }
            let ty = choose
                .pick(i, None, &schema)
                .or_else(|| rows.first().map(|r| type_of_value((&r[i]).into())))
                .unwrap_or(PgType::Text);
            declared_name(ty).to_owned()
        })
        .collect();
    let names = (0..n)
        .map(|i| {
            step.columns
                .get(i)
                .cloned()
                .unwrap_or_else(|| columns[i].0.name.clone())
        })
        .collect();
    Ok(Returned { names, decls, rows })
}

/// A declared type that `PgType::from_decl` reads back as `ty`.
fn declared_name(ty: PgType) -> &'static str {
    match ty {
        PgType::Char => "\"char\"",
        PgType::Unknown | PgType::Void => "text",
        other => other.name(),
    }
}
