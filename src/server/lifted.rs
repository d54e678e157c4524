//! Date, time and boolean literals lifted out of a simple-protocol query (see
//! `sql::normalize`) are read as the type they meet, as PostgreSQL reads an
//! untyped literal: `date_trunc('day', t) = '2024-05-01'` compares with the
//! stored form `2024-05-01 00:00:00`, `created_at = '2024-01-03
//! 08:00+00'` with the UTC text a timestamptz column holds. Only text that
//! looks like a date, a time or a boolean is considered, so the hot path (numbers, plain
//! strings) pays one byte check; a column's type is looked up only then.

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

/// Rewrites the lifted `params` of one statement in place.
pub async fn canonical(
    session: &Arc<Session>,
    hints: &[ParamHint],
    params: &mut [Value],
) -> Result<(), SqlError> {
    let mut lookups = Vec::new();
    for (i, (hint, value)) in hints.iter().zip(params.iter_mut()).enumerate() {
        let Value::Text(s) = value else { continue };
        if !looks_datetime(s) && !crate::sql::decode::looks_bool(s) {
            continue;
        }
        match hint {
            ParamHint::Type(t) if read_here(*t) => convert(value, *t),
            ParamHint::Column { .. } | ParamHint::Position { .. } => {
                lookups.push((i, hint.clone()));
            }
            _ => {}
        }
    }
    for (i, ty) in session.column_types(lookups).await? {
        if let (Some(t), Some(value)) = (ty.filter(|t| read_here(*t)), params.get_mut(i)) {
            convert(value, t);
        }
    }
    Ok(())
}

/// Text PostgreSQL would not read as `ty` is left for the comparison as is.
fn convert(value: &mut Value, ty: PgType) {
    let Value::Text(s) = value else { return };
    if let Ok(v) = decode_param(Some(s.as_bytes()), ty, false) {
        *value = v;
    }
}
