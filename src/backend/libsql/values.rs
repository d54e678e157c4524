//! Values between the SQLite engine's vocabulary (rusqlite) and the libsql
//! client's: parameters go out as libsql values, result values are encoded
//! through the same `encode_field` as local rows.

use rusqlite::types::{Value as SqlValue, ValueRef};

/// A bound parameter as the libsql client sends it.
pub fn to_remote(v: &SqlValue) -> libsql::Value {
    match v {
        SqlValue::Null => libsql::Value::Null,
        SqlValue::Integer(i) => libsql::Value::Integer(*i),
        SqlValue::Real(f) => libsql::Value::Real(*f),
        SqlValue::Text(t) => libsql::Value::Text(t.clone()),
        SqlValue::Blob(b) => libsql::Value::Blob(b.clone()),
    }
}

/// A result value owned as rusqlite's.
pub fn from_remote(v: &libsql::Value) -> SqlValue {
    match v {
        libsql::Value::Null => SqlValue::Null,
        libsql::Value::Integer(i) => SqlValue::Integer(*i),
        libsql::Value::Real(f) => SqlValue::Real(*f),
        libsql::Value::Text(t) => SqlValue::Text(t.clone()),
        libsql::Value::Blob(b) => SqlValue::Blob(b.clone()),
    }
}

/// A result value borrowed as rusqlite's, for the shared encoders.
pub fn as_value_ref(v: &libsql::Value) -> ValueRef<'_> {
    match v {
        libsql::Value::Null => ValueRef::Null,
        libsql::Value::Integer(i) => ValueRef::Integer(*i),
        libsql::Value::Real(f) => ValueRef::Real(*f),
        libsql::Value::Text(t) => ValueRef::Text(t.as_bytes()),
        libsql::Value::Blob(b) => ValueRef::Blob(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_storage_class() {
        let vals = [
            SqlValue::Null,
            SqlValue::Integer(-7),
            SqlValue::Real(2.5),
            SqlValue::Text("é".into()),
            SqlValue::Blob(vec![0, 255]),
        ];
        for v in &vals {
            let r = to_remote(v);
            let back =
                <SqlValue as rusqlite::types::FromSql>::column_result(as_value_ref(&r)).unwrap();
            assert_eq!(back, *v);
            assert_eq!(from_remote(&r), *v);
        }
    }
}
