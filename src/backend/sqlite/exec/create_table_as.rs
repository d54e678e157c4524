//! `CREATE TABLE AS` / `CREATE MATERIALIZED VIEW` with PostgreSQL's column
//! types. SQLite's CREATE TABLE AS declares each column by its expression's
//! affinity (`INT`, `NUM`, `TEXT`, or nothing), which loses what pgtenant
//! reads types from: booleans would read 0/1, arrays and jsonb as JSON,
//! timestamptz without its zone. The query's result types are worked out
//! as a run would describe them, the table is declared with them, and the
//! rows are inserted; values keep SQLite's storage form, as in any table.

use super::super::all_or_none;
use super::super::catalog::name_taken;
use super::{create_like, key_types, Conn};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::pgtype::PgType;
use crate::sql::quote_ident;
use crate::sql::translate::{CreateTableAs, ResultTypes};

impl Conn {
    /// Creates and fills the table, all or none: the rows inserted, or
    /// `None` when IF NOT EXISTS found it.
    pub fn create_table_as(&mut self, spec: &CreateTableAs) -> Result<Option<u64>, SqlError> {
        let sql = |e: rusqlite::Error| from_sqlite(&e);
        let schema = if spec.temporary { "temp" } else { "main" };
        if spec.if_not_exists && name_taken(&self.db, schema, &spec.table).map_err(sql)? {
            return Ok(None);
        }
        let table = format!("{schema}.{}", quote_ident(&spec.table));
        if let Some(like) = &spec.like {
            let statements = create_like::statements(&self.db, schema, &spec.table, like)?;
            return all_or_none(&mut self.db, "pgtenant_create_table_as", |db| {
                for statement in &statements {
                    db.execute_batch(statement).map_err(sql)?;
                }
                Ok(Some(0))
            });
        }
        let declared = self.result_declarations(spec)?;
        let create = format!("CREATE TABLE {table} ({})", declared.join(", "));
        all_or_none(&mut self.db, "pgtenant_create_table_as", |db| {
            db.execute_batch(&create).map_err(sql)?;
            let n = db
                .execute(&format!("INSERT INTO {table} {}", spec.query.sql), [])
                .map_err(sql)?;
            for statement in &spec.after {
                db.execute_batch(statement).map_err(sql)?;
            }
            Ok(Some(n as u64))
        })
    }

    /// `"name" type` for each result column of the query.
    fn result_declarations(&self, spec: &CreateTableAs) -> Result<Vec<String>, SqlError> {
        let q = &spec.query;
        let stmt = self.prepare(&q.sql).map_err(|e| from_sqlite(&e))?;
        // A column read straight from a table keeps its declaration as
        // written (`numeric(12, 2)`, `varchar(20)`), but not a rowid key's.
        let written: Vec<Option<String>> = stmt
            .columns()
            .map(|c| {
                c.decl_type()
                    .filter(|d| !key_types::is_rowid_decl(Some(d)))
                    .map(str::to_owned)
            })
            .collect();
        let (columns, _) = self.column_infos(&stmt);
        drop(stmt);
        let n = columns.len();
        if !spec.columns.is_empty() && spec.columns.len() > n {
            return Err(SqlError::new(
                "42601",
                "too many column names were specified",
            ));
        }
        let choose = ResultTypes::new(n, &q.columns, q.retype.as_ref());
        let retyped = match choose.wants_schema(|i| columns[i].decl) {
            Some(r) => self.retyped(r),
            None => Default::default(),
        };
        Ok((0..n)
            .map(|i| {
                let name = spec.columns.get(i).unwrap_or(&columns[i].name);
                let ty = choose.pick(i, columns[i].decl, &retyped.types);
                let decl = match (&written[i], ty) {
                    (Some(w), Some(t)) if PgType::from_decl(w) == t => w.clone(),
                    (_, Some(PgType::Numeric)) => {
                        // (A least scale leaves the values their own.)
                        let scale = crate::sql::translate::pick_scale(i, None, &q.scales, &retyped)
                            .filter(|s| s & crate::sql::encode::SCALE_AT_LEAST == 0)
                            .map(|s| s & !crate::sql::encode::SCALE_ZERO_PLAIN);
                        // PostgreSQL's widest precision: only the scale,
                        // which values print with, matters here.
                        scale.map_or("numeric".to_string(), |s| format!("numeric(1000, {s})"))
                    }
                    (_, Some(t)) => declaration(t),
                    (Some(w), None) => w.clone(),
                    (None, None) => String::new(),
                };
                format!("{} {decl}", quote_ident(name))
            })
            .collect())
    }
}

/// The type name pgtenant's own DDL would declare for `t`.
fn declaration(t: PgType) -> String {
    match t {
        PgType::Array(e) => format!("{}[]", e.scalar().name()),
        PgType::Unknown | PgType::Void => "text".to_string(),
        other => other.name().to_string(),
    }
}
