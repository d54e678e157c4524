//! SQL cursors: `DECLARE name [BINARY] [NO SCROLL] CURSOR [WITH[OUT] HOLD]
//! FOR query`, `FETCH`/`MOVE` forward, `CLOSE name | ALL`. The server
//! materializes the query at DECLARE and hands out rows at each FETCH
//! (psycopg's and psycopg2's named cursors, SQLAlchemy's stream_results).

use super::ast::ident_name;
use super::error::{other, unsupported};
use super::split::Parsed;
use super::statement::translate_statement;
use super::{StmtKind, TranslateError};
use sqlparser::ast::{CloseCursor, DeclareType, FetchDirection, Statement, Value, ValueWithSpan};

/// The session command for a cursor statement, or `None`.
pub(super) fn translate(statement: &Statement) -> Result<Option<StmtKind>, TranslateError> {
    Ok(Some(match statement {
        Statement::Declare { stmts } => {
            let [d] = stmts.as_slice() else {
                return Err(unsupported("DECLARE of several names"));
            };
            let (Some(DeclareType::Cursor), Some(query), [name]) =
                (&d.declare_type, &d.for_query, d.names.as_slice())
            else {
                return Err(unsupported("this DECLARE form"));
            };
            if d.scroll == Some(true) {
                return Err(unsupported("SCROLL cursors"));
            }
            let query =
                translate_statement(Parsed::Statement(Box::new(Statement::Query(query.clone()))))?;
            if !query.steps.is_empty() {
                return Err(super::error::other(
                    "0A000",
                    "DECLARE CURSOR must not contain data-modifying statements in WITH",
                ));
            }
            StmtKind::Declare {
                name: ident_name(name),
                query: Box::new(query),
                binary: d.binary == Some(true),
                hold: d.hold == Some(true),
            }
        }
        Statement::Fetch {
            name,
            direction,
            into: None,
            ..
        } => StmtKind::Fetch {
            name: ident_name(name),
            count: fetch_count(direction)?,
            only_move: false,
        },
        Statement::Close { cursor } => StmtKind::CloseCursor {
            name: match cursor {
                CloseCursor::All => None,
                CloseCursor::Specific { name } => Some(ident_name(name)),
            },
        },
        _ => return Ok(None),
    }))
}

/// Rows a forward FETCH asks for; `None` is ALL.
fn fetch_count(direction: &FetchDirection) -> Result<Option<u64>, TranslateError> {
    let count = |v: &ValueWithSpan| match &v.value {
        Value::Number(n, _) => n
            .parse::<u64>()
            .map_err(|_| unsupported("FETCH with a negative or huge count")),
        _ => Err(other("42601", "FETCH count must be a number")),
    };
    Ok(match direction {
        FetchDirection::Next | FetchDirection::Forward { limit: None } => Some(1),
        FetchDirection::Count { limit } | FetchDirection::Forward { limit: Some(limit) } => {
            Some(count(limit)?)
        }
        FetchDirection::All | FetchDirection::ForwardAll => None,
        _ => {
            return Err(unsupported(
                "FETCH other than forward (cursors are NO SCROLL)",
            ))
        }
    })
}
