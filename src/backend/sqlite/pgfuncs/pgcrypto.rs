//! pgcrypto beyond `digest`: `hmac(data, key, type)`,
//! `gen_random_bytes(n)`, and password hashing with `crypt(password,
//! salt)` / `gen_salt(type [, iter])` for Blowfish (`bf`, the type
//! PostgreSQL's documentation recommends; `$2a$` hashes). A stored hash is
//! its own salt, so `crypt(entered, stored) = stored` checks a password, as
//! with pgcrypto. The other salt types (md5, xdes, des) are refused.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use hmac::{KeyInit, Mac};
use rand::RngCore;
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::Connection;

use super::binary::bytes;
use super::{error, pure};

/// bcrypt's base64 (its own alphabet, no padding); the 22 characters of a
/// salt carry 132 bits for 16 bytes.
const BCRYPT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::BCRYPT,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone)
        .with_decode_allow_trailing_bits(true),
);

/// pgcrypto's default Blowfish cost.
const BF_DEFAULT_COST: u32 = 6;

fn mac<M: Mac + KeyInit>(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = <M as KeyInit>::new_from_slice(key).expect("HMAC takes a key of any length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

fn hmac(ctx: &Context<'_>) -> rusqlite::Result<Option<Vec<u8>>> {
    let (Some(data), Some(key), Some(kind)) = (
        bytes(ctx, 0)?,
        bytes(ctx, 1)?,
        ctx.get::<Option<String>>(2)?,
    ) else {
        return Ok(None);
    };
    use hmac::Hmac;
    Ok(Some(match kind.to_ascii_lowercase().as_str() {
        "md5" => mac::<Hmac<md5::Md5>>(key, data),
        "sha1" => mac::<Hmac<sha1::Sha1>>(key, data),
        "sha224" => mac::<Hmac<sha2::Sha224>>(key, data),
        "sha256" => mac::<Hmac<sha2::Sha256>>(key, data),
        "sha384" => mac::<Hmac<sha2::Sha384>>(key, data),
        "sha512" => mac::<Hmac<sha2::Sha512>>(key, data),
        _ => {
            return Err(error(
                "22023",
                format!("Cannot use \"{kind}\": No such hash algorithm"),
            ))
        }
    }))
}

fn gen_salt(kind: &str, rounds: Option<i64>) -> rusqlite::Result<String> {
    if !kind.eq_ignore_ascii_case("bf") {
        return Err(error(
            "0A000",
            format!("gen_salt: salt type \"{kind}\" is not supported (use \"bf\")"),
        ));
    }
    let cost = match rounds {
        None => BF_DEFAULT_COST,
        Some(r @ 4..=31) => r as u32,
        Some(_) => return Err(error("22023", "gen_salt: Incorrect number of rounds")),
    };
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    Ok(format!("$2a${cost:02}${}", BCRYPT_BASE64.encode(salt)))
}

/// `crypt(password, salt)`: the salt is `$2a$NN$` and 22 characters, or a
/// whole hash of that form.
fn crypt(password: &str, salt: &str) -> rusqlite::Result<String> {
    let invalid = || error("22023", "crypt: invalid salt");
    let rest = ["$2a$", "$2b$", "$2y$"]
        .iter()
        .find_map(|p| salt.strip_prefix(p))
        .ok_or_else(invalid)?;
    let (cost, encoded) = rest.split_once('$').ok_or_else(invalid)?;
    let cost: u32 = cost.parse().map_err(|_| invalid())?;
    let encoded = encoded.get(..22).ok_or_else(invalid)?;
    let decoded = BCRYPT_BASE64.decode(encoded).map_err(|_| invalid())?;
    let salt: [u8; 16] = decoded.try_into().map_err(|_| invalid())?;
    let parts = bcrypt::hash_with_salt(password, cost, salt).map_err(|_| invalid())?;
    Ok(parts.format_for_version(bcrypt::Version::TwoA))
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("hmac", 3, pure(), |ctx| hmac(ctx))?;
    // Random: SQLite must call them at every row.
    let random = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("gen_random_bytes", 1, random, |ctx| {
        let Some(n) = ctx.get::<Option<i64>>(0)? else {
            return Ok(None);
        };
        if !(1..=1024).contains(&n) {
            return Err(error("22023", "Length not in range"));
        }
        let mut b = vec![0u8; n as usize];
        rand::rng().fill_bytes(&mut b);
        Ok(Some(b))
    })?;
    for n in [1, 2] {
        conn.create_scalar_function("gen_salt", n, random, |ctx| {
            let Some(kind) = ctx.get::<Option<String>>(0)? else {
                return Ok(None);
            };
            let rounds = if ctx.len() > 1 {
                match ctx.get::<Option<i64>>(1)? {
                    Some(r) => Some(r),
                    None => return Ok(None),
                }
            } else {
                None
            };
            gen_salt(&kind, rounds).map(Some)
        })?;
    }
    conn.create_scalar_function("crypt", 2, pure(), |ctx| {
        let (Some(password), Some(salt)) =
            (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?)
        else {
            return Ok(None);
        };
        crypt(&password, &salt).map(Some)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blowfish_hashes_check_passwords_and_keep_their_salt() {
        let salt = gen_salt("bf", Some(4)).unwrap();
        assert!(salt.starts_with("$2a$04$") && salt.len() == 29, "{salt}");
        let stored = crypt("secret", &salt).unwrap();
        assert_eq!(stored.len(), 60);
        assert_eq!(crypt("secret", &stored).unwrap(), stored);
        assert_ne!(crypt("wrong", &stored).unwrap(), stored);
        // A hash PostgreSQL 15's pgcrypto made: crypt('pw', gen_salt('bf', 4)).
        let pg = "$2a$04$7t8E9e8xvSw73MjLXBkVf..8ArMIb5ycAq7HEjD1U5YO8dYVesEMq";
        assert_eq!(crypt("pw", pg).unwrap(), pg);
        assert_ne!(crypt("pW", pg).unwrap(), pg);
        assert!(gen_salt("md5", None).is_err());
        assert!(crypt("pw", "nonsense").is_err());
    }
}
