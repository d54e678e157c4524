//! Applying a GRANT or REVOKE to a tenant database: the named tables and
//! sequences must exist (42P01), then `pgcat__acl` changes, the schema
//! version moves (so every connection's cached statements are authorized
//! again) and the sessions' shared [`TableAcl`] is read anew.

use rusqlite::Connection;

use super::guard::{self, Role};
use super::pgfuncs::sequences::is_serial_sequence;
use super::privileges::{role_default, TableAcl, ACL_TABLE_DDL, PRIVILEGES};
use crate::sql::errors::{from_sqlite, SqlError};
use crate::sql::translate::{Grant, GrantTarget};

/// A grantee, resolved by the session: PUBLIC (no role) or a user of the
/// tenant with its role.
pub struct Grantee {
    pub name: String,
    pub role: Option<Role>,
}

/// The tenant's tables and views (`sequences` false) or sequences.
const RELATIONS: &str = "SELECT s.name, EXISTS (SELECT 1 FROM pragma_table_info(s.name) c \
     WHERE c.name = 'increment_by') AND EXISTS (SELECT 1 FROM pragma_table_info(s.name) c \
     WHERE c.name = 'is_called') FROM main.sqlite_schema s WHERE s.type IN ('table', 'view') \
     AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND s.name NOT LIKE 'pgcat\\_%' ESCAPE '\\'";

/// The relations a grant is on, by their stored names.
fn relations(conn: &Connection, target: &GrantTarget) -> Result<Vec<String>, SqlError> {
    let sql = |e: rusqlite::Error| from_sqlite(&e);
    let all: Vec<(String, bool)> = conn
        .prepare(RELATIONS)
        .map_err(sql)?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(sql)?
        .collect::<Result<_, _>>()
        .map_err(sql)?;
    let named = |names: &[String], sequences: bool| {
        let mut out = Vec::new();
        for n in names {
            match all.iter().find(|(name, _)| name.eq_ignore_ascii_case(n)) {
                // A serial key's sequence is its table's rowid: numbering
                // follows the right to INSERT, with nothing to keep.
                None if sequences && is_serial_sequence(conn, n) => {}
                None => {
                    return Err(SqlError::new(
                        "42P01",
                        format!(
                            "relation \"{}\" does not exist",
                            crate::sql::translate::schemas::readable(n)
                        ),
                    ))
                }
                Some((_, false)) if sequences => {
                    return Err(SqlError::new("42809", format!("\"{n}\" is not a sequence")))
                }
                Some((name, _)) => out.push(name.clone()),
            }
        }
        Ok(out)
    };
    let every = |sequences: bool| {
        all.iter()
            .filter(|(_, s)| *s == sequences)
            .map(|(n, _)| n.clone())
            .collect()
    };
    match target {
        GrantTarget::Tables(names) => named(names, false),
        GrantTarget::Sequences(names) => named(names, true),
        GrantTarget::AllTables => Ok(every(false)),
        GrantTarget::AllSequences => Ok(every(true)),
        GrantTarget::Databases(_)
        | GrantTarget::FutureTables
        | GrantTarget::Nothing
        | GrantTarget::Schemas(_) => Ok(Vec::new()),
    }
}

/// Applies `grant` for `grantees` (resolved by the session), granted by
/// `grantor`, and refreshes `acl`.
pub fn apply(
    conn: &mut Connection,
    grant: &Grant,
    grantees: &[Grantee],
    grantor: &str,
    acl: &TableAcl,
) -> Result<(), SqlError> {
    let relations = relations(conn, &grant.target)?;
    if relations.is_empty() {
        return Ok(());
    }
    let sql = |e: rusqlite::Error| from_sqlite(&e);
    guard::unguarded(conn, |c| {
        c.execute_batch(ACL_TABLE_DDL)?;
        let mut upsert = c.prepare(
            "INSERT INTO main.pgcat__acl (grantee, rel, privilege, granted, grantor) \
             VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (grantee, rel, privilege) \
             DO UPDATE SET granted = excluded.granted, grantor = excluded.grantor",
        )?;
        let mut delete = c.prepare(
            "DELETE FROM main.pgcat__acl WHERE grantee = ?1 AND rel = ?2 AND privilege = ?3",
        )?;
        for rel in &relations {
            for g in grantees {
                for (name, bit, _) in PRIVILEGES {
                    if grant.privileges & bit == 0 {
                        continue;
                    }
                    // A REVOKE is kept only against what the user's role
                    // gives by default; otherwise the grant simply goes.
                    let by_default = g.role.is_some_and(|r| role_default(r) & bit != 0);
                    if !grant.revoke {
                        upsert.execute(rusqlite::params![g.name, rel, name, true, grantor])?;
                    } else if by_default {
                        upsert.execute(rusqlite::params![g.name, rel, name, false, grantor])?;
                    } else {
                        delete.execute(rusqlite::params![g.name, rel, name])?;
                    }
                }
            }
        }
        // Statements prepared before are authorized again: SQLite checks
        // privileges when it prepares, and re-prepares on a schema change.
        c.execute_batch(
            "CREATE VIEW main.pgcat__acl_changed AS SELECT 1; DROP VIEW main.pgcat__acl_changed",
        )?;
        acl.load(c)
    })
    .map_err(sql)
}

/// The grants of a user (or PUBLIC) as `information_schema` lists them are
/// read by the catalog views; this is what `has_table_privilege` asks.
pub fn privilege_bits(text: &str) -> Option<u8> {
    let mut bits = 0;
    for part in text.split(',') {
        let word = part.split_whitespace().next()?.to_ascii_uppercase();
        bits |= super::privileges::bit(&word)?;
    }
    Some(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn privilege_lists() {
        assert_eq!(privilege_bits("select"), Some(1));
        assert_eq!(privilege_bits("SELECT, insert"), Some(3));
        assert_eq!(privilege_bits("INSERT WITH GRANT OPTION"), Some(2));
        assert_eq!(privilege_bits("usage"), None);
    }
}
