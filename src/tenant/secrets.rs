//! Secrets at rest (remote database auth tokens): AES-256-GCM under a
//! master key from `PGTENANT_MASTER_KEY` (or the config's `master_key`),
//! 32 bytes written as 64 hex digits or base64. The catalog stores only
//! `v1:<base64(nonce ‖ ciphertext ‖ tag)>`; the secret's owner (tenant,
//! purpose) is bound as associated data, so a sealed value copied to
//! another tenant's row does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rand::RngCore;

use crate::sql::errors::SqlError;

const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 12;

pub struct SecretBox {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretBox(..)")
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SecretError {
    #[error("the master key must be 32 bytes, as 64 hex digits or base64")]
    BadKey,
    #[error("no master key: set PGTENANT_MASTER_KEY or master_key in the config")]
    NoKey,
    #[error("the sealed secret is malformed")]
    Malformed,
    #[error("the secret does not open with this key (wrong key, owner, or tampered value)")]
    Rejected,
}

impl From<SecretError> for SqlError {
    fn from(e: SecretError) -> SqlError {
        SqlError::new("28000", e.to_string())
    }
}

fn decode_key(text: &str) -> Result<[u8; 32], SecretError> {
    let text = text.trim();
    let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        (0..32)
            .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
            .collect::<Result<Vec<u8>, _>>()
            .map_err(|_| SecretError::BadKey)?
    } else {
        B64.decode(text).map_err(|_| SecretError::BadKey)?
    };
    bytes.try_into().map_err(|_| SecretError::BadKey)
}

impl SecretBox {
    pub fn new(key_text: &str) -> Result<SecretBox, SecretError> {
        let key = decode_key(key_text)?;
        Ok(SecretBox {
            cipher: Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(&key)),
        })
    }

    /// The key from `PGTENANT_MASTER_KEY`, else `configured`.
    pub fn from_env_or(configured: Option<&str>) -> Result<SecretBox, SecretError> {
        match std::env::var("PGTENANT_MASTER_KEY") {
            Ok(k) if !k.is_empty() => SecretBox::new(&k),
            _ => SecretBox::new(configured.ok_or(SecretError::NoKey)?),
        }
    }

    /// A fresh random key in hex, for operators (`pgtenant --generate-key`).
    pub fn generate_key() -> String {
        let mut k = [0u8; 32];
        rand::rng().fill_bytes(&mut k);
        k.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Encrypts `secret` for `owner` (e.g. "acme/prod/libsql-token").
    pub fn seal(&self, owner: &str, secret: &str) -> String {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let ct = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: owner.as_bytes(),
                },
            )
            .expect("AES-GCM encryption of an in-memory buffer does not fail");
        let mut out = Vec::with_capacity(NONCE_LEN + ct.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        format!("{PREFIX}{}", B64.encode(out))
    }

    /// Decrypts what [`SecretBox::seal`] made for the same owner.
    pub fn open(&self, owner: &str, sealed: &str) -> Result<String, SecretError> {
        let raw = sealed
            .strip_prefix(PREFIX)
            .and_then(|b| B64.decode(b).ok())
            .filter(|r| r.len() > NONCE_LEN)
            .ok_or(SecretError::Malformed)?;
        let (nonce, ct) = raw.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ct,
                    aad: owner.as_bytes(),
                },
            )
            .map_err(|_| SecretError::Rejected)?;
        String::from_utf8(plain).map_err(|_| SecretError::Malformed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open() {
        let key = SecretBox::generate_key();
        let b = SecretBox::new(&key).unwrap();
        let sealed = b.seal("acme/prod", "tok-123");
        assert!(sealed.starts_with("v1:"));
        assert!(!sealed.contains("tok-123"));
        // Fresh nonce each time.
        assert_ne!(sealed, b.seal("acme/prod", "tok-123"));
        assert_eq!(b.open("acme/prod", &sealed).unwrap(), "tok-123");
        // Another owner, another key, or a flipped byte: refused.
        assert_eq!(
            b.open("beta/prod", &sealed).unwrap_err(),
            SecretError::Rejected
        );
        let other = SecretBox::new(&SecretBox::generate_key()).unwrap();
        assert_eq!(
            other.open("acme/prod", &sealed).unwrap_err(),
            SecretError::Rejected
        );
        let mut raw = B64.decode(&sealed[3..]).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 1;
        let tampered = format!("v1:{}", B64.encode(raw));
        assert_eq!(
            b.open("acme/prod", &tampered).unwrap_err(),
            SecretError::Rejected
        );
        assert_eq!(
            b.open("acme/prod", "plain").unwrap_err(),
            SecretError::Malformed
        );
    }

    #[test]
    fn keys_in_hex_or_base64() {
        let hex = "00".repeat(32);
        assert!(SecretBox::new(&hex).is_ok());
        assert!(SecretBox::new(&B64.encode([7u8; 32])).is_ok());
        assert_eq!(SecretBox::new("short").unwrap_err(), SecretError::BadKey);
        assert_eq!(
            SecretBox::new(&B64.encode([7u8; 16])).unwrap_err(),
            SecretError::BadKey
        );
    }
}
