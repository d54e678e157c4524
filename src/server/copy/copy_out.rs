//! COPY TO STDOUT: runs the SELECT through the session like any query (rows
//! arrive as DataRows, already in PostgreSQL's output form) and re-frames
//! each row as one CopyData line in text or CSV format, or as one binary
//! tuple (a binary DataRow's fields are already length-prefixed).

use std::fmt::Debug;
use std::sync::Arc;

use bytes::{Buf, Bytes};
use futures::{Sink, SinkExt, StreamExt};
use pgwire::api::portal::Format;
use pgwire::api::results::Tag;
use pgwire::error::{ErrorInfo, PgWireError, PgWireResult};
use pgwire::messages::copy::{CopyData, CopyDone, CopyOutResponse};
use pgwire::messages::data::DataRow;
use pgwire::messages::PgWireBackendMessage;

use super::binary_format;
use super::csv_format::{self, CsvSpec};
use super::text_format;
use crate::server::session::{Outcome, Session};
use crate::sql::errors::SqlError;
use crate::sql::translate::{CopyFormat, CopyOptions, ForceQuote, StmtKind, Translation};

/// Writes one row's fields as a line.
struct LineWriter<'a> {
    opts: &'a CopyOptions,
    force: Vec<bool>,
}

impl LineWriter<'_> {
    fn line(&self, fields: &[Option<&[u8]>]) -> Vec<u8> {
        let mut out = Vec::with_capacity(64);
        let spec = CsvSpec {
            delimiter: self.opts.delimiter,
            quote: self.opts.quote,
            escape: self.opts.escape,
            null: self.opts.null.as_bytes(),
        };
        for (i, f) in fields.iter().enumerate() {
            if i > 0 {
                out.push(self.opts.delimiter);
            }
            match self.opts.format {
                CopyFormat::Csv => csv_format::write_field(
                    &mut out,
                    *f,
                    &spec,
                    self.force.get(i).copied().unwrap_or(false),
                ),
                _ => text_format::write_field(&mut out, *f, spec.delimiter, spec.null),
            }
        }
        out.push(b'\n');
        out
    }
}

/// The fields of a DataRow: 4-byte length (-1 for NULL) then the bytes.
fn split_row(row: &DataRow) -> Vec<Option<&[u8]>> {
    let mut data: &[u8] = &row.data;
    let mut out = Vec::with_capacity(row.field_count.max(0) as usize);
    for _ in 0..row.field_count {
        if data.len() < 4 {
            break;
        }
        let len = data.get_i32();
        if len < 0 {
            out.push(None);
        } else {
            let (v, rest) = data.split_at((len as usize).min(data.len()));
            out.push(Some(v));
            data = rest;
        }
    }
    out
}

/// Runs `t` (a CopyOut) and streams it. `Ok(Some(info))` is an error to
/// report with the connection still usable (before or during the rows).
pub async fn send<C>(
    client: &mut C,
    session: &Arc<Session>,
    t: &Translation,
) -> PgWireResult<Option<Box<ErrorInfo>>>
where
    C: Sink<PgWireBackendMessage> + Unpin + Send,
    C::Error: Debug,
    PgWireError: From<<C as Sink<PgWireBackendMessage>>::Error>,
{
    let StmtKind::CopyOut { options, .. } = &t.kind else {
        return Ok(Some(Box::new(
            SqlError::internal("COPY", "not a COPY TO").into_info(),
        )));
    };
    let binary = options.format == CopyFormat::Binary;
    let format = if binary {
        Format::UnifiedBinary
    } else {
        Format::UnifiedText
    };
    let query = Translation {
        kind: StmtKind::Query {
            tag: "SELECT",
            returns_rows: true,
        },
        sql: t.sql.clone(),
        params: t.params.clone(),
        columns: t.columns.clone(),
        retype: t.retype.clone(),
        scales: t.scales.clone(),
        steps: Vec::new(),
        locks_rows: false,
    };
    let mut resp = match session.execute(&query, Vec::new(), &format, None).await {
        Ok(Outcome::Rows(resp)) => resp,
        Ok(_) => {
            let e = SqlError::internal("COPY", "the query returned no result set");
            return Ok(Some(Box::new(e.into_info())));
        }
        Err(e) => return Ok(Some(Box::new(e.into_info()))),
    };
    let schema = resp.row_schema();
    let names: Vec<String> = schema.iter().map(|f| f.name().to_owned()).collect();
    let force = match &options.force_quote {
        ForceQuote::None => vec![false; names.len()],
        ForceQuote::All => vec![true; names.len()],
        ForceQuote::Columns(cols) => names
            .iter()
            .map(|n| cols.iter().any(|c| c.eq_ignore_ascii_case(n)))
            .collect(),
    };
    let writer = LineWriter {
        opts: options,
        force,
    };
    let ncols = names.len();
    client
        .feed(PgWireBackendMessage::CopyOutResponse(CopyOutResponse::new(
            binary as i8,
            ncols as i16,
            vec![binary as i16; ncols],
        )))
        .await?;
    // Binary: the file header goes with the first row, as PostgreSQL sends it.
    let mut header = binary.then(binary_format::header);
    if options.header {
        let header: Vec<Option<&[u8]>> = names.iter().map(|n| Some(n.as_bytes())).collect();
        // FORCE_QUOTE quotes values, not the header's names.
        let plain = LineWriter {
            opts: options,
            force: vec![false; ncols],
        };
        let line = plain.line(&header);
        client
            .feed(PgWireBackendMessage::CopyData(CopyData::new(Bytes::from(
                line,
            ))))
            .await?;
    }
    let mut count = 0usize;
    while let Some(row) = resp.data_rows().next().await {
        match row {
            Ok(row) if binary => {
                let mut tuple = header.take().unwrap_or_default();
                tuple.extend_from_slice(&row.field_count.to_be_bytes());
                tuple.extend_from_slice(&row.data);
                client
                    .feed(PgWireBackendMessage::CopyData(CopyData::new(Bytes::from(
                        tuple,
                    ))))
                    .await?;
                count += 1;
            }
            Ok(row) => {
                let line = writer.line(&split_row(&row));
                client
                    .feed(PgWireBackendMessage::CopyData(CopyData::new(Bytes::from(
                        line,
                    ))))
                    .await?;
                count += 1;
            }
            Err(PgWireError::UserError(info)) => return Ok(Some(info)),
            Err(e) => return Err(e),
        }
    }
    if binary {
        let mut tail = header.take().unwrap_or_default();
        tail.extend_from_slice(&binary_format::TRAILER);
        client
            .feed(PgWireBackendMessage::CopyData(CopyData::new(Bytes::from(
                tail,
            ))))
            .await?;
    }
    client
        .feed(PgWireBackendMessage::CopyDone(CopyDone::new()))
        .await?;
    client
        .feed(PgWireBackendMessage::CommandComplete(
            Tag::new("COPY").with_rows(count).into(),
        ))
        .await?;
    Ok(None)
}
