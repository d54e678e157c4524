//! Seed rows: each row becomes a PostgreSQL INSERT run through the
//! translator, so values are stored exactly as a tenant's INSERT stores them.

use serde_json::Value;

use crate::deploy::canonical::quote;
use crate::deploy::tenant_db::Db;
use crate::sql::errors::SqlError;
use crate::sql::translate::{self, StmtKind};

fn literal(v: &Value) -> String {
    let text = |s: &str| format!("'{}'", s.replace('\'', "''"));
    match v {
        Value::Null => "NULL".into(),
        Value::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => text(s),
        other => text(&other.to_string()),
    }
}

/// Inserts `rows` into `table`; returns how many.
pub fn insert(
    db: &dyn Db,
    table: &str,
    rows: &[serde_json::Map<String, Value>],
) -> Result<usize, SqlError> {
    for row in rows {
        let cols: Vec<String> = row.keys().map(|k| quote(k)).collect();
        let vals: Vec<String> = row.values().map(literal).collect();
        let pg = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            quote(table),
            cols.join(", "),
            vals.join(", ")
        );
        let t = translate::translate(&pg)?;
        let [t] = t.as_slice() else {
            return Err(SqlError::new(
                "XX000",
                "internal error: seed row translation",
            ));
        };
        if !matches!(t.kind, StmtKind::Query { tag: "INSERT", .. }) {
            return Err(SqlError::new(
                "XX000",
                "internal error: seed row translation",
            ));
        }
        db.execute_batch(&t.sql).map_err(|mut err| {
            err.message = format!("seeding {table}: {}", err.message);
            err
        })?;
    }
    Ok(rows.len())
}
