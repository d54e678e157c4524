//! The session's SQL-level prepared statements (`PREPARE` / `EXECUTE` /
//! `DEALLOCATE`), kept apart from protocol-level (Parse) statements as in
//! PostgreSQL, where both share one namespace only in pg_prepared_statements.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::sql::errors::SqlError;
use crate::sql::translate::{bind_prepared, Translation};

struct Prepared {
    statement: String,
    types: Vec<String>,
}

#[derive(Default)]
pub struct PreparedSql {
    map: Mutex<HashMap<String, Prepared>>,
}

impl PreparedSql {
    /// PREPARE: a name may be used once until deallocated (42P05).
    pub fn prepare(&self, name: &str, statement: &str, types: &[String]) -> Result<(), SqlError> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if map.contains_key(name) {
            return Err(SqlError::new(
                "42P05",
                format!("prepared statement \"{name}\" already exists"),
            ));
        }
        map.insert(
            name.to_owned(),
            Prepared {
                statement: statement.to_owned(),
                types: types.to_vec(),
            },
        );
        Ok(())
    }

    /// EXECUTE: the prepared statement with `args` bound.
    pub fn bind(&self, name: &str, args: &[String]) -> Result<Translation, SqlError> {
        let map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        let p = map.get(name).ok_or_else(|| missing(name))?;
        Ok(bind_prepared(&p.statement, &p.types, args)?)
    }

    /// DEALLOCATE name, or ALL (`None`).
    pub fn deallocate(&self, name: Option<&str>) -> Result<(), SqlError> {
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        match name {
            None => map.clear(),
            Some(n) => {
                map.remove(n).ok_or_else(|| missing(n))?;
            }
        }
        Ok(())
    }
}

fn missing(name: &str) -> SqlError {
    SqlError::new(
        "26000",
        format!("prepared statement \"{name}\" does not exist"),
    )
}
