//! `current_setting(name [, missing_ok])` and `set_config(name, value,
//! is_local)` as SQL functions on the session's SQLite connection, reading
//! and changing the same settings SET and SHOW use.

use std::sync::{Arc, Mutex};

use rusqlite::functions::FunctionFlags;

use super::settings::Settings;
use crate::backend::sqlite::exec::Conn;

fn flags() -> FunctionFlags {
    FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DIRECTONLY
}

fn user_error(e: crate::sql::errors::SqlError) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(e.message.into())
}

/// Registers both functions; they replace those of a previous session that
/// used the same pooled connection.
pub fn register(conn: &Conn, settings: Arc<Mutex<Settings>>) -> rusqlite::Result<()> {
    let db = conn.sqlite();
    for n in [1, 2] {
        let s = settings.clone();
        db.create_scalar_function("current_setting", n, flags(), move |ctx| {
            let name: String = ctx.get(0)?;
            let missing_ok = ctx.len() > 1 && ctx.get::<Option<bool>>(1)?.unwrap_or(false);
            let s = s.lock().unwrap_or_else(|p| p.into_inner());
            match s.show(&name) {
                Ok((_, v)) => Ok(Some(v)),
                Err(_) if missing_ok => Ok(None),
                Err(e) => Err(user_error(e)),
            }
        })?;
    }
    db.create_scalar_function("set_config", 3, flags(), move |ctx| {
        let name: String = ctx.get(0)?;
        let value: Option<String> = ctx.get(1)?;
        let mut s = settings.lock().unwrap_or_else(|p| p.into_inner());
        match value {
            Some(v) => s.set(&name, &v).map_err(user_error)?,
            None => s.reset(Some(&name)),
        }
        s.show(&name).map(|(_, v)| v).map_err(user_error)
    })
}
