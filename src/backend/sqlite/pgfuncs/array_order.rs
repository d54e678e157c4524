//! `pg_array_sort_key(array)`: a blob that sorts as PostgreSQL orders
//! arrays, element by element (`{1} < {1,2} < {1,10} < {2}`); arrays are
//! stored as JSON text, whose own order differs (`[1,2]` before `[1]`,
//! `[10]` before `[9]`). Used for ORDER BY of an array-typed expression.
//!
//! Each element is a tag byte and its payload; the array ends with 0x00,
//! below every tag, so a prefix sorts first. Numbers are order-preserving
//! big-endian doubles, strings their bytes (0x00 escaped) ended by
//! 0x00 0x00, NULL elements sort last as in PostgreSQL.

use rusqlite::functions::Context;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;
use serde_json::Value as Json;

use super::pure;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_array_sort_key", 1, pure(), |ctx| key(ctx))
}

fn key(ctx: &Context<'_>) -> rusqlite::Result<Value> {
    let ValueRef::Text(text) = ctx.get_raw(0) else {
        return ctx.get::<Value>(0);
    };
    match serde_json::from_slice::<Json>(text) {
        Ok(Json::Array(items)) => {
            let mut out = Vec::with_capacity(text.len() + 8);
            encode_array(&items, &mut out);
            Ok(Value::Blob(out))
        }
        // Not an array as stored: its own value.
        _ => ctx.get::<Value>(0),
    }
}

fn encode_array(items: &[Json], out: &mut Vec<u8>) {
    for item in items {
        encode(item, out);
    }
    out.push(0x00);
}

fn encode(item: &Json, out: &mut Vec<u8>) {
    match item {
        Json::Bool(b) => {
            out.push(0x10);
            out.push(u8::from(*b));
        }
        Json::Number(n) => {
            out.push(0x20);
            let f = n.as_f64().unwrap_or(0.0);
            let bits = f.to_bits();
            // Flip so that the bytes compare as the numbers do.
            let ordered = if f.is_sign_negative() {
                !bits
            } else {
                bits | (1 << 63)
            };
            out.extend_from_slice(&ordered.to_be_bytes());
        }
        Json::String(s) => {
            out.push(0x30);
            for &b in s.as_bytes() {
                out.push(b);
                if b == 0 {
                    out.push(0xff);
                }
            }
            out.extend_from_slice(&[0, 0]);
        }
        Json::Array(inner) => {
            out.push(0x40);
            encode_array(inner, out);
        }
        Json::Object(_) => {
            out.push(0x50);
            out.extend_from_slice(item.to_string().as_bytes());
            out.push(0x00);
        }
        Json::Null => out.push(0xf0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn k(json: &str) -> Vec<u8> {
        let Json::Array(items) = serde_json::from_str(json).unwrap() else {
            panic!("not an array")
        };
        let mut out = Vec::new();
        encode_array(&items, &mut out);
        out
    }

    #[test]
    fn keys_sort_as_postgres_orders_arrays() {
        let ordered = [
            "[]",
            "[-5]",
            "[1]",
            "[1,2]",
            "[1,2,null]",
            "[1,10]",
            "[1,null]",
            "[2]",
            "[9.5]",
            "[10]",
            "[null]",
        ];
        for pair in ordered.windows(2) {
            assert!(k(pair[0]) < k(pair[1]), "{} < {}", pair[0], pair[1]);
        }
        let text = [
            "[\"a\"]",
            "[\"a\",\"b\"]",
            "[\"a\\u0000\"]",
            "[\"ab\"]",
            "[\"b\"]",
        ];
        for pair in text.windows(2) {
            assert!(k(pair[0]) < k(pair[1]), "{} < {}", pair[0], pair[1]);
        }
    }
}
