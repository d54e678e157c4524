//! `convert_to(text, encoding)`, `convert_from(bytea, encoding)` and
//! `convert(bytea, from, to)`: text as bytes of another encoding. A tenant
//! database is UTF8 (as `server_encoding` says), so the encodings that mean
//! something here are UTF8 and the single-byte LATIN1 and SQL_ASCII.

use std::borrow::Cow;

use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::{error, pure};

#[derive(Clone, Copy, PartialEq)]
enum Encoding {
    Utf8,
    Latin1,
    Ascii,
}

impl Encoding {
    /// PostgreSQL's names (any case, `-` and `_` ignored, aliases too).
    fn named(name: &str) -> rusqlite::Result<Encoding> {
        let folded: String = name
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match folded.as_str() {
            "utf8" | "unicode" => Ok(Encoding::Utf8),
            "latin1" | "iso88591" => Ok(Encoding::Latin1),
            "sqlascii" => Ok(Encoding::Ascii),
            _ => Err(error(
                "22023",
                format!("invalid destination encoding name \"{name}\""),
            )),
        }
    }

    fn label(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF8",
            Encoding::Latin1 => "LATIN1",
            Encoding::Ascii => "SQL_ASCII",
        }
    }

    /// Text in this encoding; 22P05 for a character it has no byte for.
    fn encode(self, text: &str) -> rusqlite::Result<Vec<u8>> {
        match self {
            Encoding::Utf8 | Encoding::Ascii => Ok(text.as_bytes().to_vec()),
            Encoding::Latin1 => text
                .chars()
                .map(|c| {
                    u8::try_from(u32::from(c)).map_err(|_| {
                        let mut buf = [0u8; 4];
                        let hex: Vec<String> = c
                            .encode_utf8(&mut buf)
                            .bytes()
                            .map(|b| format!("{b:02x}"))
                            .collect();
                        error(
                            "22P05",
                            format!(
                                "character with byte sequence 0x{} in encoding \"UTF8\" has no equivalent in encoding \"LATIN1\"",
                                hex.join(" 0x")
                            ),
                        )
                    })
                })
                .collect(),
        }
    }

    /// Bytes of this encoding as text; 22021 for bytes that are not.
    fn decode(self, bytes: &[u8]) -> rusqlite::Result<String> {
        match self {
            Encoding::Latin1 => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
            Encoding::Utf8 | Encoding::Ascii => match std::str::from_utf8(bytes) {
                Ok(s) => Ok(s.to_owned()),
                Err(e) => {
                    let bad = bytes[e.valid_up_to()];
                    Err(error(
                        "22021",
                        format!(
                            "invalid byte sequence for encoding \"{}\": 0x{bad:02x}",
                            self.label()
                        ),
                    ))
                }
            },
        }
    }
}

/// A bytea argument: a blob, or text in bytea's input form (an untyped
/// literal, `'\xc3a9'`); 22P02 for text that is not.
fn bytes(v: ValueRef<'_>) -> rusqlite::Result<Option<Cow<'_, [u8]>>> {
    match v {
        ValueRef::Blob(b) => Ok(Some(Cow::Borrowed(b))),
        ValueRef::Text(t) => {
            let text = String::from_utf8_lossy(t);
            crate::sql::decode::text::bytea(&text)
                .map(|b| Some(Cow::Owned(b)))
                .ok_or_else(|| error("22P02", "invalid input syntax for type bytea"))
        }
        _ => Ok(None),
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("convert_to", 2, pure(), |ctx| {
        let (Some(text), Some(enc)) =
            (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(Value::Null);
        };
        Ok(Value::Blob(Encoding::named(&enc)?.encode(&text)?))
    })?;
    conn.create_scalar_function("convert_from", 2, pure(), |ctx| {
        let (Some(b), Some(enc)) = (bytes(ctx.get_raw(0))?, ctx.get::<Option<String>>(1)?) else {
            return Ok(Value::Null);
        };
        Ok(Value::Text(Encoding::named(&enc)?.decode(&b)?))
    })?;
    conn.create_scalar_function("convert", 3, pure(), |ctx| {
        let (Some(b), Some(from), Some(to)) = (
            bytes(ctx.get_raw(0))?,
            ctx.get::<Option<String>>(1)?,
            ctx.get::<Option<String>>(2)?,
        ) else {
            return Ok(Value::Null);
        };
        let text = Encoding::named(&from)?.decode(&b)?;
        Ok(Value::Blob(Encoding::named(&to)?.encode(&text)?))
    })
}
