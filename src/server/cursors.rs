//! The session's SQL cursors (`DECLARE` / `FETCH` / `CLOSE`).
//!
//! DECLARE runs the query to completion and keeps its values (not encoded
//! rows): each FETCH encodes its share in the format that FETCH asks for,
//! since drivers choose text or binary per FETCH. Cursors without HOLD end
//! with their transaction, as in PostgreSQL.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;

use bytes::BytesMut;
use futures::stream;
use pgwire::api::portal::Format;
use pgwire::api::results::QueryResponse;
use pgwire::messages::data::DataRow;
use rusqlite::types::Value;

use super::session::field_infos;
use crate::backend::sqlite::exec::{ColumnInfo, Conn};
use crate::sql::encode::{encode_field, type_of_value};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::pgtype::PgType;
use crate::sql::translate::{ResultTypes, Retype};

/// A materialized result waiting to be fetched.
pub struct Cursor {
    pub columns: Vec<ColumnInfo>,
    pub types: Vec<PgType>,
    rows: VecDeque<Vec<Value>>,
    pub binary: bool,
    hold: bool,
}

#[derive(Default)]
pub struct Cursors {
    map: Mutex<HashMap<String, Cursor>>,
}

/// Runs `sql` and keeps every row (on a blocking-pool thread).
pub fn materialize(
    conn: &Conn,
    sql: &str,
    params: &[Value],
    hints: &[Option<PgType>],
    retype: Option<&Retype>,
    binary: bool,
    hold: bool,
) -> Result<Cursor, SqlError> {
    // describe() installs the catalog views on first use and caches the statement.
    let described = conn.describe(sql)?;
    conn.statement_begins();
    // Populated rows spread into their table's columns, as `describe` did.
    let spread = conn.spread_rows(sql);
    let mut stmt = conn
        .sqlite()
        .prepare_cached(spread.as_deref().unwrap_or(sql))
        .map_err(|e| from_sqlite(&e))?;
    for (i, v) in params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, v)
            .map_err(|e| from_sqlite(&e))?;
    }
    let n = described.columns.len();
    let mut rows = VecDeque::new();
    let mut raw = stmt.raw_query();
    while let Some(row) = raw.next().map_err(|e| from_sqlite(&e))? {
        let values: Result<Vec<Value>, _> = (0..n).map(|i| row.get::<_, Value>(i)).collect();
        rows.push_back(values.map_err(|e| from_sqlite(&e))?);
    }
    let choose = ResultTypes::new(n, hints, retype);
    let retyped = match choose.wants_schema(|i| described.columns[i].decl) {
        Some(r) => conn.retyped(r).types,
        None => Vec::new(),
    };
    Ok(Cursor::new(
        described.columns,
        &choose,
        &retyped,
        rows,
        binary,
        hold,
    ))
}

impl Cursor {
    /// A cursor over rows already read; each column's type is what
    /// `choose` knows (declared, hinted, or `retyped` from the schema),
    /// else the first row's value's.
    pub fn new(
        columns: Vec<ColumnInfo>,
        choose: &ResultTypes<'_>,
        retyped: &[Option<PgType>],
        rows: VecDeque<Vec<Value>>,
        binary: bool,
        hold: bool,
    ) -> Cursor {
        let types = (0..columns.len())
            .map(|i| {
                choose
                    .pick(i, columns[i].decl, retyped)
                    .or_else(|| {
                        rows.front()
                            .map(|r: &Vec<Value>| type_of_value((&r[i]).into()))
                    })
                    .unwrap_or(PgType::Text)
            })
            .collect();
        Cursor {
            columns,
            types,
            rows,
            binary,
            hold,
        }
    }
}

impl Cursors {
    pub fn declare(&self, name: &str, cursor: Cursor) -> Result<(), SqlError> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.contains_key(name) {
            return Err(SqlError::new(
                "42P03",
                format!("cursor \"{name}\" already exists"),
            ));
        }
        map.insert(name.to_owned(), cursor);
        Ok(())
    }

    /// Up to `count` (None: all) next rows, encoded as `format` asks unless
    /// the cursor is BINARY. `only_move` skips them (MOVE) and returns none.
    pub fn fetch(
        &self,
        name: &str,
        count: Option<u64>,
        format: &Format,
        only_move: bool,
    ) -> Result<(QueryResponse, usize), SqlError> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let c = map.get_mut(name).ok_or_else(|| missing(name))?;
        let take = count
            .map(|n| (n as usize).min(c.rows.len()))
            .unwrap_or(c.rows.len());
        let format = if c.binary {
            Format::UnifiedBinary
        } else {
            format.clone()
        };
        let fields = std::sync::Arc::new(field_infos(&c.columns, &c.types, &format));
        let mut out = Vec::with_capacity(if only_move { 0 } else { take });
        let mut buf = BytesMut::new();
        for row in c.rows.drain(..take) {
            if only_move {
                continue;
            }
            for (i, (v, ty)) in row.iter().zip(&c.types).enumerate() {
                encode_field(&mut buf, v.into(), *ty, format.is_binary(i))
                    .map_err(|e| SqlError::new(e.code, e.message))?;
            }
            out.push(Ok(DataRow::new(buf.split(), row.len() as i16)));
        }
        Ok((QueryResponse::new(fields, stream::iter(out)), take))
    }

    /// The row description of a cursor (Describe of a portal by its name).
    pub fn describe(&self, name: &str) -> Option<(Vec<ColumnInfo>, Vec<PgType>, bool)> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.get(name)
            .map(|c| (c.columns.clone(), c.types.clone(), c.binary))
    }

    /// CLOSE name, or CLOSE ALL (`None`).
    pub fn close(&self, name: Option<&str>) -> Result<(), SqlError> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        match name {
            None => map.clear(),
            Some(n) => {
                map.remove(n).ok_or_else(|| missing(n))?;
            }
        }
        Ok(())
    }

    /// The transaction ended: only WITH HOLD cursors survive (and only a commit).
    pub fn end_transaction(&self, commit: bool) {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, c| c.hold && commit);
    }
}

fn missing(name: &str) -> SqlError {
    SqlError::new("34000", format!("cursor \"{name}\" does not exist"))
}
