//! bytea functions: `encode(bytes, format)` / `decode(text, format)` for
//! PostgreSQL's `hex`, `base64` and `escape` formats, and the SHA-2 digests
//! `sha224`/`sha256`/`sha384`/`sha512` (bytea in, bytea out), and
//! pgcrypto's `digest(data, 'md5' | 'sha1' | 'sha224' | ... )`.

use base64::Engine;
use rusqlite::functions::Context;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use sha2::Digest;

use super::{error, pure};

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("encode", 2, pure(), |c| encode(c))?;
    conn.create_scalar_function("decode", 2, pure(), |c| decode(c))?;
    conn.create_scalar_function("sha224", 1, pure(), |c| digest::<sha2::Sha224>(c))?;
    conn.create_scalar_function("sha256", 1, pure(), |c| digest::<sha2::Sha256>(c))?;
    conn.create_scalar_function("sha384", 1, pure(), |c| digest::<sha2::Sha384>(c))?;
    conn.create_scalar_function("sha512", 1, pure(), |c| digest::<sha2::Sha512>(c))?;
    conn.create_scalar_function("digest", 2, pure(), |c| named_digest(c))?;
    Ok(())
}

/// A bytea argument: blobs as they are, text as its UTF-8 bytes.
pub(super) fn bytes<'a>(ctx: &'a Context<'_>, i: usize) -> rusqlite::Result<Option<&'a [u8]>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Blob(b) | ValueRef::Text(b) => Some(b),
        ValueRef::Integer(_) | ValueRef::Real(_) => {
            return Err(error(
                "42883",
                "function argument must be bytea: add an explicit cast",
            ))
        }
    })
}

fn format_arg(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    Ok(ctx
        .get::<Option<String>>(1)?
        .map(|f| f.to_ascii_lowercase()))
}

fn unknown_format(f: &str) -> rusqlite::Error {
    error("22023", format!("unrecognized encoding: \"{f}\""))
}

fn encode(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    let (Some(b), Some(f)) = (bytes(ctx, 0)?, format_arg(ctx)?) else {
        return Ok(None);
    };
    Ok(Some(match f.as_str() {
        "hex" => hex::encode(b),
        // PostgreSQL wraps base64 output at 76 characters.
        "base64" => {
            let s = base64::engine::general_purpose::STANDARD.encode(b);
            let lines: Vec<&str> = s
                .as_bytes()
                .chunks(76)
                .map(|c| std::str::from_utf8(c).unwrap_or_default())
                .collect();
            lines.join("\n")
        }
        "escape" => {
            let mut out = String::with_capacity(b.len());
            for &c in b {
                match c {
                    b'\\' => out.push_str("\\\\"),
                    0 | 0x80..=0xff => out.push_str(&format!("\\{c:03o}")),
                    _ => out.push(c as char),
                }
            }
            out
        }
        other => return Err(unknown_format(other)),
    }))
}

fn decode(ctx: &Context<'_>) -> rusqlite::Result<Option<Vec<u8>>> {
    let (Some(s), Some(f)) = (ctx.get::<Option<String>>(0)?, format_arg(ctx)?) else {
        return Ok(None);
    };
    let bad = |kind: &str| error("22023", format!("invalid {kind} data"));
    Ok(Some(match f.as_str() {
        "hex" => {
            let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            hex::decode(clean).map_err(|_| bad("hexadecimal"))?
        }
        "base64" => {
            let clean: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(clean)
                .map_err(|_| bad("base64"))?
        }
        "escape" => crate::sql::decode::text::bytea_escape(&s)
            .ok_or_else(|| error("22P02", "invalid input syntax for type bytea"))?,
        other => return Err(unknown_format(other)),
    }))
}

/// pgcrypto's `digest(data, type)`: the hash named by `type`.
fn named_digest(ctx: &Context<'_>) -> rusqlite::Result<Option<Vec<u8>>> {
    let (Some(b), Some(kind)) = (bytes(ctx, 0)?, format_arg(ctx)?) else {
        return Ok(None);
    };
    Ok(Some(match kind.as_str() {
        "md5" => {
            use md5::Digest as _;
            md5::Md5::digest(b).to_vec()
        }
        "sha1" => sha1::Sha1::digest(b).to_vec(),
        "sha224" => sha2::Sha224::digest(b).to_vec(),
        "sha256" => sha2::Sha256::digest(b).to_vec(),
        "sha384" => sha2::Sha384::digest(b).to_vec(),
        "sha512" => sha2::Sha512::digest(b).to_vec(),
        _ => {
            return Err(error(
                "22023",
                format!("Cannot use \"{kind}\": No such hash algorithm"),
            ))
        }
    }))
}

fn digest<D: Digest>(ctx: &Context<'_>) -> rusqlite::Result<Option<Vec<u8>>> {
    Ok(bytes(ctx, 0)?.map(|b| D::digest(b).to_vec()))
}
