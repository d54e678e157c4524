//! Quoting and small text functions: `quote_ident`, `quote_literal`,
//! `quote_nullable`, `starts_with`, `translate`, `to_hex`.

use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::pure;

pub use crate::sql::pg_ident::quote_ident;

/// `quote_literal`: doubled quotes, and the `E''` form when there are backslashes.
fn quote_literal(s: &str) -> String {
    let body = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", body.replace('\\', "\\\\"))
    } else {
        format!("'{body}'")
    }
}

/// A value's text as PostgreSQL would print it for quoting.
fn text_of(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Null => None,
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(crate::sql::encode::numeric::Numeric::from_f64(f).to_text()),
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t).into_owned()),
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("quote_ident", 1, pure(), |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.map(|s| quote_ident(&s)))
    })?;
    conn.create_scalar_function("quote_literal", 1, pure(), |ctx| {
        Ok(text_of(ctx.get_raw(0)).map(|s| quote_literal(&s)))
    })?;
    conn.create_scalar_function("quote_nullable", 1, pure(), |ctx| {
        Ok(text_of(ctx.get_raw(0)).map_or_else(|| "NULL".to_owned(), |s| quote_literal(&s)))
    })?;
    conn.create_scalar_function("starts_with", 2, pure(), |ctx| {
        let (Some(s), Some(p)) = (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        Ok(Some(s.starts_with(&p)))
    })?;
    // translate(s, from, to): each char of `from` becomes the char at the
    // same place in `to`, or is deleted when `to` is shorter.
    conn.create_scalar_function("translate", 3, pure(), |ctx| {
        let (Some(s), Some(from), Some(to)) = (
            ctx.get::<Option<String>>(0)?,
            ctx.get::<Option<String>>(1)?,
            ctx.get::<Option<String>>(2)?,
        ) else {
            return Ok(None);
        };
        let from: Vec<char> = from.chars().collect();
        let to: Vec<char> = to.chars().collect();
        Ok(Some(
            s.chars()
                .filter_map(|c| match from.iter().position(|&f| f == c) {
                    Some(i) => to.get(i).copied(),
                    None => Some(c),
                })
                .collect::<String>(),
        ))
    })?;
    // to_hex of a negative number is its two's complement, as in PostgreSQL
    // (int8; the translation masks a known int4 argument to 32 bits).
    conn.create_scalar_function("to_hex", 1, pure(), |ctx| {
        Ok(ctx.get::<Option<i64>>(0)?.map(|v| format!("{v:x}")))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting() {
        assert_eq!(quote_ident("hello"), "hello");
        assert_eq!(quote_ident("Hello"), "\"Hello\"");
        assert_eq!(quote_ident("a b\""), "\"a b\"\"\"");
        assert_eq!(quote_ident("select"), "\"select\"");
        assert_eq!(quote_ident("1a"), "\"1a\"");
        assert_eq!(quote_literal("it's"), "'it''s'");
        assert_eq!(quote_literal("a\\b"), "E'a\\\\b'");
    }
}
