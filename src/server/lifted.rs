//! Date, time and boolean literals lifted out of a simple-protocol query (see
//! `sql::normalize`) are read as the type they meet, as PostgreSQL reads an
//! untyped literal: `date_trunc('day', t) = '2024-05-01'` compares with the
//! stored form `2024-05-01 00:00:00`, `created_at = '2024-01-03
//! 08:00+00'` with the UTC text a timestamptz column holds. Only text that
//! looks like a date, a time or a boolean is considered, so the hot path (numbers, plain
//! strings) pays one byte check; a column's type is looked up only then.

use std::collections::HashMap;
use std::sync::Arc;

use rusqlite::types::Value;

use super::session::Session;
use crate::sql::decode::{decode_param, looks_datetime};
use crate::sql::errors::SqlError;
use crate::sql::pgtype::PgType;
use crate::sql::translate::ParamHint;

/// The types whose input text is read here: dates and times, and booleans
/// (`WHERE active = 't'`: SQLite stores 1, which the text would not equal).
fn read_here(t: PgType) -> bool {
    matches!(
        t,
        PgType::Date | PgType::Time | PgType::Timestamp | PgType::Timestamptz | PgType::Bool
    )
}

/// Column types lifted literals compared with columns were read as, per
/// session: a literal compared with a column must be valid input for the
/// column's type (`int_col = 'abc'` is 22P02, as in PostgreSQL), and a
/// schema lookup per statement would cost every `name = 'bob'` a trip to
/// the connection. The session forgets them when it runs anything but a
/// query or DML (`Session::execute`); a type may still be stale after
/// another session changed the column: an error is raised only after a
/// fresh lookup confirms the type, and a stale text type only misses one.
/// (Table → column → type: a lookup by two `&str` allocates nothing.)
#[derive(Default)]
pub struct LiteralTypes(std::sync::Mutex<HashMap<String, HashMap<String, Option<PgType>>>>);

impl LiteralTypes {
    /// Forgets every type (the session changed the schema).
    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    fn get(&self, table: &str, column: &str) -> Option<Option<PgType>> {
        let map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        map.get(table)?.get(column).copied()
    }

    fn put(&self, table: &str, column: &str, ty: Option<PgType>) {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= 256 {
            map.clear();
        }
        let columns = map.entry(table.to_owned()).or_default();
        if columns.len() >= 256 {
            columns.clear();
        }
        columns.insert(column.to_owned(), ty);
    }
}

/// Rewrites the lifted `params` of one statement in place.
pub async fn canonical(
    session: &Arc<Session>,
    hints: &[ParamHint],
    params: &mut [Value],
) -> Result<(), SqlError> {
    let mut lookups = Vec::new();
    // Literals compared with a column whose type is remembered.
    let mut known = Vec::new();
    for (i, (hint, value)) in hints.iter().zip(params.iter_mut()).enumerate() {
        let Value::Text(s) = value else { continue };
        if let ParamHint::Column { table, column } = hint {
            match session.literal_types.get(table, column) {
                Some(ty) => known.push((i, ty)),
                None => lookups.push((i, hint.clone())),
            }
            continue;
        }
        if !looks_datetime(s) && !crate::sql::decode::looks_bool(s) {
            continue;
        }
        match hint {
            ParamHint::Type(t) if read_here(*t) => convert(session, value, *t),
            ParamHint::Position { .. } => lookups.push((i, hint.clone())),
            _ => {}
        }
    }
    let looked_up = session.column_types(lookups).await?;
    for &(i, ty) in &looked_up {
        if let Some(ParamHint::Column { table, column }) = hints.get(i) {
            session.literal_types.put(table, column, ty);
        }
    }
    let mut confirm = Vec::new();
    for (i, ty, fresh) in known
        .into_iter()
        .map(|(i, t)| (i, t, false))
        .chain(looked_up.into_iter().map(|(i, t)| (i, t, true)))
    {
        let Some(value) = params.get_mut(i) else {
            continue;
        };
        let Some(t) = ty else { continue };
        if matches!(hints.get(i), Some(ParamHint::Column { .. })) {
            match compared(session, value, t) {
                Err(_) if !fresh => confirm.push((i, hints[i].clone())),
                other => other?,
            }
        } else if read_here(t) {
            convert(session, value, t);
        }
    }
    // A remembered type said the literal is no input for it: look again.
    for (i, ty) in session.column_types(confirm).await? {
        if let Some(ParamHint::Column { table, column }) = hints.get(i) {
            session.literal_types.put(table, column, ty);
        }
        if let (Some(t), Some(value)) = (ty, params.get_mut(i)) {
            compared(session, value, t)?;
        }
    }
    Ok(())
}

/// A literal compared with a column of type `ty`, read as input for it
/// (see `decode::compared_literal`); an error is PostgreSQL's.
fn compared(session: &Session, value: &mut Value, ty: PgType) -> Result<(), SqlError> {
    let Value::Text(s) = value else { return Ok(()) };
    let read = crate::sql::zone::scoped(zone_for(session, ty), || {
        crate::sql::decode::compared_literal(s, ty)
    });
    match read {
        Some(Ok(read)) => *value = read,
        Some(Err(e)) => return Err(SqlError::new(e.code, e.message)),
        None => {}
    }
    Ok(())
}

/// Text PostgreSQL would not read as `ty` is left for the comparison as is.
fn convert(session: &Session, value: &mut Value, ty: PgType) {
    let Value::Text(s) = value else { return };
    let read = crate::sql::zone::scoped(zone_for(session, ty), || {
        decode_param(Some(s.as_bytes()), ty, false)
    });
    if let Ok(v) = read {
        *value = v;
    }
}

/// The zone a literal of type `ty` is read in: only a timestamptz's
/// reading depends on it (and only then is the setting looked at).
fn zone_for(session: &Session, ty: PgType) -> crate::sql::zone::SessionZone {
    if ty == PgType::Timestamptz {
        session.zone()
    } else {
        crate::sql::zone::SessionZone::Utc
    }
}

/// A `timestamp` parameter written into (or compared with) a timestamptz
/// column is wall-clock time in the session's zone, as PostgreSQL's
/// timestamp-to-timestamptz cast reads it (psycopg sends a naive datetime as
/// timestamp). Looked at only when the session's zone is not UTC and a
/// parameter is a timestamp, so the common path pays one comparison.
pub async fn timestamps_into_zone(
    session: &Arc<Session>,
    hints: &[ParamHint],
    types: &[PgType],
    params: &mut [Value],
) -> Result<(), SqlError> {
    let zone = session.zone();
    if zone.is_utc() {
        return Ok(());
    }
    let lookups: Vec<(usize, ParamHint)> = types
        .iter()
        .enumerate()
        .filter(|(i, t)| {
            **t == PgType::Timestamp
                && matches!(
                    hints.get(*i),
                    Some(ParamHint::Column { .. } | ParamHint::Position { .. })
                )
        })
        .map(|(i, _)| (i, hints[i].clone()))
        .collect();
    for (i, ty) in session.column_types(lookups).await? {
        let Some(Value::Text(stored)) = params.get_mut(i) else {
            continue;
        };
        if ty == Some(PgType::Timestamptz) {
            let utc = crate::sql::zone::scoped(zone, || {
                decode_param(Some(stored.as_bytes()), PgType::Timestamptz, false)
            });
            if let Ok(v) = utc {
                params[i] = v;
            }
        }
    }
    Ok(())
}
