//! Result columns that are a serial or identity key read as the type the key
//! was declared with (see `sql::serial_key`): SQLite reports `INTEGER`, the
//! rowid alias's declaration, for all of them. The key's table and column
//! come from the result column's origin; what they hold is kept per
//! connection for one schema version, so only statements that return such
//! a key pay for a version check, and a lookup once per schema change.

use std::collections::HashMap;
use std::sync::Mutex;

use rusqlite::{Connection, Statement};

use crate::sql::pgtype::PgType;
use crate::sql::serial_key::ROWID_DECL;

#[derive(Default)]
pub struct KeyTypes {
    known: Mutex<Known>,
}

#[derive(Default)]
struct Known {
    schema_version: i64,
    by_column: HashMap<(Box<str>, Box<str>), PgType>,
}

/// Whether a declared type is the rowid alias's, whose real type must be
/// looked up.
pub fn is_rowid_decl(decl: Option<&str>) -> bool {
    decl == Some(ROWID_DECL)
}

impl KeyTypes {
    /// The real types of result columns `keys` (each declared `INTEGER`)
    /// of `stmt`, in the same order; int4 where nothing else is recorded.
    pub fn resolve(&self, db: &Connection, stmt: &Statement<'_>, keys: &[usize]) -> Vec<PgType> {
        let version = db
            .prepare_cached("PRAGMA schema_version")
            .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)))
            .unwrap_or(-1);
        let origins: Vec<Option<(String, String)>> = stmt
            .columns_with_metadata()
            .map(|c| Some((c.table_name()?.to_owned(), c.origin_name()?.to_owned())))
            .collect();
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        if known.schema_version != version || version == -1 {
            known.by_column.clear();
            known.schema_version = version;
        }
        keys.iter()
            .map(|&i| {
                let Some((table, column)) = origins.get(i).cloned().flatten() else {
                    return PgType::Int4;
                };
                let key = (table.into_boxed_str(), column.into_boxed_str());
                if let Some(t) = known.by_column.get(&key) {
                    return *t;
                }
                let t = super::exec::declared_type(db, &key.0, &key.1).unwrap_or(PgType::Int4);
                if known.by_column.len() >= 1024 {
                    known.by_column.clear();
                }
                known.by_column.insert(key, t);
                t
            })
            .collect()
    }
}
