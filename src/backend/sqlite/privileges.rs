//! Table privileges of a tenant's users (GRANT and REVOKE): kept in the
//! tenant's own `pgcat__acl` table, held in memory per open database
//! ([`TableAcl`]) and enforced by the authorizer (`guard`).
//!
//! A user's privileges on a table are its role's defaults (owner: all,
//! readwrite: SELECT, INSERT, UPDATE, DELETE, TRUNCATE, readonly: SELECT),
//! plus what was granted to it or to PUBLIC, minus what was revoked from
//! it. An owner-role user always has all of them, as a table's owner does.
//! A sequence is a one-row table here, so its USAGE is SELECT and UPDATE on
//! that table.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use rusqlite::Connection;

use super::guard::Role;

/// The tenant database's table of explicit privileges (hidden by the
/// `pgcat_` prefix). `granted` 0 records a REVOKE from a user of what its
/// role gives by default; rows for PUBLIC are always grants.
pub const ACL_TABLE_DDL: &str = "CREATE TABLE IF NOT EXISTS main.pgcat__acl (\
     grantee TEXT NOT NULL, rel TEXT NOT NULL COLLATE NOCASE, privilege TEXT NOT NULL, \
     granted INTEGER NOT NULL, grantor TEXT NOT NULL, PRIMARY KEY (grantee, rel, privilege))";

/// The grantee name PUBLIC is stored under (as information_schema shows it).
pub const PUBLIC: &str = "PUBLIC";

/// PostgreSQL's table privileges, one bit each, with their ACL letters.
pub const PRIVILEGES: [(&str, u8, char); 7] = [
    ("INSERT", 1 << 1, 'a'),
    ("SELECT", 1, 'r'),
    ("UPDATE", 1 << 2, 'w'),
    ("DELETE", 1 << 3, 'd'),
    ("TRUNCATE", 1 << 4, 'D'),
    ("REFERENCES", 1 << 5, 'x'),
    ("TRIGGER", 1 << 6, 't'),
];

pub const SELECT: u8 = 1;
pub const INSERT: u8 = 1 << 1;
pub const UPDATE: u8 = 1 << 2;
pub const DELETE: u8 = 1 << 3;
pub const ALL: u8 = 0x7f;

/// The bit of a privilege name (upper case), if it is a table privilege.
pub fn bit(name: &str) -> Option<u8> {
    PRIVILEGES
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, b, _)| *b)
}

/// What a role may do to every table without a grant.
pub fn role_default(role: Role) -> u8 {
    match role {
        Role::Owner => ALL,
        Role::ReadWrite => SELECT | INSERT | UPDATE | DELETE | (1 << 4),
        Role::ReadOnly => SELECT,
    }
}

/// One grantee's explicit privileges on one table.
#[derive(Debug, Clone, Default)]
struct Entry {
    grantee: String,
    granted: u8,
    revoked: u8,
}

/// The explicit privileges of one tenant database, shared by its sessions.
#[derive(Debug, Default)]
pub struct TableAcl {
    /// Per table (lower-cased name); `None` until first loaded.
    tables: RwLock<Option<HashMap<String, Vec<Entry>>>>,
}

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Not among the role's defaults and never granted.
    NotGranted,
    /// Revoked from the user.
    Revoked,
}

impl TableAcl {
    /// Reads `pgcat__acl` again (after a GRANT or REVOKE, or when a session
    /// starts on a database no session loaded yet).
    pub fn load(&self, conn: &Connection) -> rusqlite::Result<()> {
        let mut tables: HashMap<String, Vec<Entry>> = HashMap::new();
        if super::catalog::has_relation(conn, "pgcat__acl")? {
            let mut stmt =
                conn.prepare("SELECT grantee, rel, privilege, granted FROM main.pgcat__acl")?;
            let rows = stmt.query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                ))
            })?;
            for row in rows {
                let (grantee, rel, privilege, granted) = row?;
                let Some(b) = bit(&privilege) else { continue };
                let entries = tables.entry(rel.to_lowercase()).or_default();
                let i = match entries.iter().position(|e| e.grantee == grantee) {
                    Some(i) => i,
                    None => {
                        entries.push(Entry {
                            grantee,
                            ..Entry::default()
                        });
                        entries.len() - 1
                    }
                };
                if granted {
                    entries[i].granted |= b;
                } else {
                    entries[i].revoked |= b;
                }
            }
        }
        *self.tables.write().unwrap_or_else(|p| p.into_inner()) = Some(tables);
        Ok(())
    }

    /// Loads the table unless a session already did.
    pub fn ensure_loaded(&self, conn: &Connection) -> rusqlite::Result<()> {
        let loaded = self
            .tables
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .is_some();
        if loaded {
            Ok(())
        } else {
            self.load(conn)
        }
    }

    /// Whether `user` of `role` has privilege `bit` on `table`.
    pub fn check(&self, role: Role, user: &str, table: &str, bit: u8) -> Verdict {
        if role == Role::Owner {
            return Verdict::Allowed;
        }
        let mut have = role_default(role);
        let mut revoked = 0;
        let tables = self.tables.read().unwrap_or_else(|p| p.into_inner());
        if let Some(entries) = tables
            .as_ref()
            .and_then(|t| t.get(table.to_lowercase().as_str()))
        {
            for e in entries {
                if e.grantee == user {
                    have |= e.granted;
                    revoked = e.revoked;
                } else if e.grantee == PUBLIC {
                    have |= e.granted;
                }
            }
        }
        if revoked & bit != 0 {
            Verdict::Revoked
        } else if have & bit != 0 {
            Verdict::Allowed
        } else {
            Verdict::NotGranted
        }
    }
}

/// A session's view of its database's privileges: whose they are.
#[derive(Debug, Clone)]
pub struct Grants {
    pub acl: Arc<TableAcl>,
    pub user: String,
}
