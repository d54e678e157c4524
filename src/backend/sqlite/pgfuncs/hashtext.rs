//! `hashtext(text)`: PostgreSQL's hash of a string. Applications derive
//! advisory lock keys from it (`pg_advisory_lock(hashtext('migrations'))`),
//! so the value must be PostgreSQL's own for locks taken by both to agree.

use rusqlite::Connection;

use super::pure;
use crate::sql::pg_hash::hash_bytes;

pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("hashtext", 1, pure(), |ctx| {
        Ok(ctx
            .get::<Option<String>>(0)?
            .map(|s| hash_bytes(s.as_bytes()) as i32))
    })
}

#[cfg(test)]
mod tests {
    use crate::sql::pg_hash::hash_bytes;

    /// Values from PostgreSQL 15 (`SELECT hashtext(...)`).
    #[test]
    fn matches_postgres() {
        for (s, want) in [
            ("", -1477818771),
            ("a", 1075015857),
            ("migrations", 331260518),
            ("hello world!", 1400155871),
            ("abcdefghijklmnopqrstuvwxyz", 167831483),
            ("héllo wörld ünïcode", -815073686),
        ] {
            assert_eq!(hash_bytes(s.as_bytes()) as i32, want, "{s:?}");
        }
    }
}
