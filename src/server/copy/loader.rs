//! The blocking side of COPY FROM: resolves the target columns, cuts the
//! incoming bytes into rows, decodes each field with its column's type and
//! inserts in batches with one prepared multi-row INSERT.

use pgwire::error::ErrorInfo;
use rusqlite::types::Value;
use rusqlite::Connection;

use super::binary_format::{self, Step};
use super::csv_format::{self, CsvSpec, RecordScan};
use super::text_format::{self, LineScan};
use super::Fields;
use crate::backend::sqlite::pgfuncs::column_input::scaled_input;
use crate::sql::decode::decode_param;
use crate::sql::errors::{from_sqlite, from_sqlite_on, SqlError};
use crate::sql::pgtype::PgType;
use crate::sql::quote_ident;
use crate::sql::translate::{CopyFormat, CopyOptions};

/// Rows per INSERT, bounded by SQLite's limit of bound parameters.
const BATCH_ROWS: usize = 256;
const MAX_PARAMS: usize = 32766;

/// The table and columns a COPY loads.
pub struct Target {
    pub table: String,
    pub columns: Vec<String>,
    pub types: Vec<PgType>,
    /// numeric(p, s) columns' `s`: values are stored rounded to it.
    scales: Vec<Option<u16>>,
    force_not_null: Vec<bool>,
    force_null: Vec<bool>,
}

fn error_with_context(e: SqlError, context: String) -> Box<ErrorInfo> {
    let mut info = e.into_info();
    info.where_context = Some(context);
    Box::new(info)
}

/// Looks `table` and `columns` up in the live schema (42P01, 42703).
pub fn resolve(
    db: &Connection,
    table: &str,
    columns: &[String],
    opts: &CopyOptions,
) -> Result<Target, SqlError> {
    let mut stmt = db
        .prepare(
            "SELECT name, coalesce(pg_decl(type, dflt_value), '') FROM pragma_table_info(?1) \
             ORDER BY cid",
        )
        .map_err(|e| from_sqlite(&e))?;
    let all: Vec<(String, String)> = stmt
        .query_map([table], |r| Ok((r.get(0)?, r.get(1)?)))
        .and_then(|rows| rows.collect())
        .map_err(|e| from_sqlite(&e))?;
    if all.is_empty() {
        return Err(SqlError::new(
            "42P01",
            format!("relation \"{table}\" does not exist"),
        ));
    }
    let chosen: Vec<(String, String)> = if columns.is_empty() {
        all
    } else {
        let mut out: Vec<(String, String)> = Vec::with_capacity(columns.len());
        for c in columns {
            let found = all
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(c))
                .ok_or_else(|| {
                    SqlError::new(
                        "42703",
                        format!("column \"{c}\" of relation \"{table}\" does not exist"),
                    )
                })?;
            if out.iter().any(|(n, _)| n == &found.0) {
                return Err(SqlError::new(
                    "42701",
                    format!("column \"{c}\" specified more than once"),
                ));
            }
            out.push(found.clone());
        }
        out
    };
    let flags = |names: &[String], what: &str| -> Result<Vec<bool>, SqlError> {
        let mut v = vec![false; chosen.len()];
        for n in names {
            let i = chosen
                .iter()
                .position(|(c, _)| c.eq_ignore_ascii_case(n))
                .ok_or_else(|| {
                    SqlError::new(
                        "42P10",
                        format!("{what} column \"{n}\" not referenced by COPY"),
                    )
                })?;
            v[i] = true;
        }
        Ok(v)
    };
    Ok(Target {
        table: table.to_owned(),
        force_not_null: flags(&opts.force_not_null, "FORCE_NOT_NULL")?,
        force_null: flags(&opts.force_null, "FORCE_NULL")?,
        types: chosen.iter().map(|(_, t)| PgType::from_decl(t)).collect(),
        scales: chosen
            .iter()
            .map(|(_, t)| PgType::numeric_scale(t))
            .collect(),
        columns: chosen.into_iter().map(|(n, _)| n).collect(),
    })
}

/// Where a loader's multi-row INSERTs go.
pub trait Inserts {
    fn insert(&mut self, sql: &str, values: &[Value]) -> Result<(), SqlError>;
}

/// A local tenant: straight into its SQLite connection.
impl Inserts for &Connection {
    fn insert(&mut self, sql: &str, values: &[Value]) -> Result<(), SqlError> {
        let run = || -> Result<(), rusqlite::Error> {
            let mut stmt = self.prepare_cached(sql)?;
            for (i, v) in values.iter().enumerate() {
                stmt.raw_bind_parameter(i + 1, v)?;
            }
            stmt.raw_execute()?;
            Ok(())
        };
        // Integrity errors name their row or key as PostgreSQL's do.
        run().map_err(|e| {
            crate::backend::sqlite::exec::explain_violation(
                self,
                sql,
                values,
                from_sqlite_on(self, &e),
            )
        })
    }
}

/// A remote tenant: batches kept for the caller to send (it is async).
#[derive(Default)]
pub struct Pending(pub Vec<(String, Vec<Value>)>);

impl Inserts for Pending {
    fn insert(&mut self, sql: &str, values: &[Value]) -> Result<(), SqlError> {
        self.0.push((sql.to_owned(), values.to_vec()));
        Ok(())
    }
}

/// Parses and inserts rows as bytes arrive.
pub struct Loader<I: Inserts> {
    out: I,
    target: Target,
    opts: CopyOptions,
    buf: Vec<u8>,
    lines: LineScan,
    records: RecordScan,
    fields: Fields,
    quoted: Vec<bool>,
    line: u64,
    rows: u64,
    /// `\.` (or the binary trailer) seen: the rest of the data is ignored.
    ended: bool,
    header_pending: bool,
    /// Binary format: the file header was read.
    binary_header_seen: bool,
    batch: Vec<Value>,
    batch_rows: usize,
    max_batch: usize,
    full_sql: String,
}

impl<I: Inserts> Loader<I> {
    pub fn new(out: I, target: Target, opts: CopyOptions) -> Loader<I> {
        let ncols = target.columns.len().max(1);
        let max_batch = BATCH_ROWS.min(MAX_PARAMS / ncols).max(1);
        let full_sql = insert_sql(&target, max_batch);
        Loader {
            out,
            header_pending: opts.header,
            target,
            opts,
            buf: Vec::new(),
            lines: LineScan::default(),
            records: RecordScan::default(),
            fields: Fields::default(),
            quoted: Vec::new(),
            line: 0,
            rows: 0,
            ended: false,
            binary_header_seen: false,
            batch: Vec::new(),
            batch_rows: 0,
            max_batch,
            full_sql,
        }
    }

    /// The batches a [`Pending`] loader holds so far.
    pub fn out(&mut self) -> &mut I {
        &mut self.out
    }

    fn context(&self) -> String {
        format!("COPY {}, line {}", self.target.table, self.line)
    }

    /// Takes one CopyData chunk; complete rows are inserted.
    pub fn feed(&mut self, chunk: &[u8]) -> Result<(), Box<ErrorInfo>> {
        if self.ended {
            return Ok(());
        }
        if self.opts.format == CopyFormat::Binary {
            return self.feed_binary(chunk);
        }
        self.buf.extend_from_slice(chunk);
        let buf = std::mem::take(&mut self.buf);
        let mut start = 0;
        let result = loop {
            let end = match self.opts.format {
                CopyFormat::Csv => {
                    self.records
                        .record_end(&buf[start..], self.opts.quote, self.opts.escape)
                }
                _ => self.lines.line_end(&buf[start..]),
            };
            let Some(end) = end else { break Ok(()) };
            if let Err(e) = self.record(&buf[start..start + end]) {
                break Err(e);
            }
            start += end + 1;
            if self.ended {
                break Ok(());
            }
        };
        self.buf = buf;
        self.buf.drain(..start);
        result
    }

    /// Binary rows are cut by their lengths, not by line ends.
    fn feed_binary(&mut self, chunk: &[u8]) -> Result<(), Box<ErrorInfo>> {
        self.buf.extend_from_slice(chunk);
        let buf = std::mem::take(&mut self.buf);
        let mut start = 0;
        let result = loop {
            match binary_format::step(&buf[start..], self.binary_header_seen, &mut self.fields) {
                Err(m) => {
                    break Err(error_with_context(
                        SqlError::new("22P04", m),
                        self.context(),
                    ))
                }
                Ok(Step::Incomplete) => break Ok(()),
                Ok(Step::Header(n)) => {
                    self.binary_header_seen = true;
                    start += n;
                }
                Ok(Step::Row(n)) => {
                    start += n;
                    self.line += 1;
                    if let Err(e) = self.insert_fields(b"") {
                        break Err(e);
                    }
                }
                Ok(Step::End(n)) => {
                    start += n;
                    self.ended = true;
                    break Ok(());
                }
            }
        };
        self.buf = buf;
        self.buf.drain(..start);
        result
    }

    /// The data ended: the last line may lack its newline. Returns the row count.
    pub fn finish(&mut self) -> Result<u64, Box<ErrorInfo>> {
        if self.opts.format == CopyFormat::Binary && !self.ended {
            let message = if self.binary_header_seen {
                "unexpected EOF in COPY data"
            } else {
                "COPY file signature not recognized"
            };
            // (No bytes at all after the last whole row is a clean end.)
            if !self.binary_header_seen || !self.buf.is_empty() {
                return Err(error_with_context(
                    SqlError::new("22P04", message),
                    self.context(),
                ));
            }
        }
        if !self.ended && !self.buf.is_empty() {
            if self.opts.format == CopyFormat::Csv && self.records.in_quote() {
                self.line += 1;
                return Err(error_with_context(
                    SqlError::new("22P04", "unterminated CSV quoted field"),
                    self.context(),
                ));
            }
            let rest = std::mem::take(&mut self.buf);
            self.record(&rest)?;
        }
        self.flush()?;
        Ok(self.rows)
    }

    fn record(&mut self, rec: &[u8]) -> Result<(), Box<ErrorInfo>> {
        self.line += 1;
        let bare = rec.strip_suffix(b"\r").unwrap_or(rec);
        if bare == b"\\." {
            self.ended = true;
            return Ok(());
        }
        if self.header_pending {
            self.header_pending = false;
            return Ok(());
        }
        let null = self.opts.null.as_bytes();
        match self.opts.format {
            CopyFormat::Csv => {
                let spec = CsvSpec {
                    delimiter: self.opts.delimiter,
                    quote: self.opts.quote,
                    escape: self.opts.escape,
                    null,
                };
                csv_format::parse_record(rec, &spec, &mut self.fields, &mut self.quoted)
                    .map_err(|m| error_with_context(SqlError::new("22P04", m), self.context()))?;
            }
            _ => text_format::parse_line(rec, self.opts.delimiter, null, &mut self.fields),
        }
        self.insert_fields(bare)
    }

    /// Decodes the parsed fields of one row (`bare`: its text, for errors)
    /// into the batch.
    fn insert_fields(&mut self, bare: &[u8]) -> Result<(), Box<ErrorInfo>> {
        let binary = self.opts.format == CopyFormat::Binary;
        let null = self.opts.null.as_bytes();
        let ncols = self.target.columns.len();
        if binary && self.fields.len() != ncols {
            return Err(error_with_context(
                SqlError::new(
                    "22P04",
                    format!("row field count is {}, expected {ncols}", self.fields.len()),
                ),
                self.context(),
            ));
        }
        if self.fields.len() != ncols {
            let message = if self.fields.len() > ncols {
                "extra data after last expected column".to_owned()
            } else {
                format!(
                    "missing data for column \"{}\"",
                    self.target.columns[self.fields.len()]
                )
            };
            let context = format!("{}: \"{}\"", self.context(), String::from_utf8_lossy(bare));
            return Err(error_with_context(SqlError::new("22P04", message), context));
        }
        for i in 0..ncols {
            let mut raw = self.fields.get(i);
            if self.opts.format == CopyFormat::Csv {
                if raw.is_none() && self.target.force_not_null[i] {
                    raw = Some(b"");
                } else if self.target.force_null[i] && raw == Some(null) {
                    raw = None;
                }
            }
            match decode_param(raw, self.target.types[i], binary) {
                Ok(v) => self.batch.push(match self.target.scales[i] {
                    Some(scale) => scaled_input(v, self.target.types[i], scale),
                    None => v,
                }),
                Err(e) => {
                    let context = if binary {
                        format!("{}, column {}", self.context(), self.target.columns[i])
                    } else {
                        format!(
                            "{}, column {}: \"{}\"",
                            self.context(),
                            self.target.columns[i],
                            String::from_utf8_lossy(raw.unwrap_or_default())
                        )
                    };
                    return Err(error_with_context(
                        SqlError::new(e.code, e.message),
                        context,
                    ));
                }
            }
        }
        self.batch_rows += 1;
        if self.batch_rows >= self.max_batch {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), Box<ErrorInfo>> {
        if self.batch_rows == 0 {
            return Ok(());
        }
        let sql = if self.batch_rows == self.max_batch {
            std::borrow::Cow::Borrowed(self.full_sql.as_str())
        } else {
            std::borrow::Cow::Owned(insert_sql(&self.target, self.batch_rows))
        };
        let context = self.context();
        self.out
            .insert(&sql, &self.batch)
            .map_err(|e| error_with_context(e, context))?;
        self.rows += self.batch_rows as u64;
        self.batch.clear();
        self.batch_rows = 0;
        Ok(())
    }
}

/// `INSERT INTO "t" ("a", "b") VALUES (?, ?), ...` for `rows` rows.
fn insert_sql(target: &Target, rows: usize) -> String {
    let cols: Vec<String> = target.columns.iter().map(|c| quote_ident(c)).collect();
    let one = format!("({})", vec!["?"; cols.len()].join(","));
    format!(
        "INSERT INTO {} ({}) VALUES {}",
        quote_ident(&target.table),
        cols.join(","),
        vec![one; rows].join(",")
    )
}
