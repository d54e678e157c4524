//! Where the catalog's rows live: the SQLite file under the data folder
//! ([`super::local`]) or a remote libSQL database shared by several
//! instances ([`super::remote`]). Every catalog query is written once
//! against [`Exec`] and runs on either.
//!
//! Parameters are rusqlite's `ToSql` (`params![...]`), so the local store
//! binds them as today with `prepare_cached`; the remote one converts them
//! to libsql values. Rows come back owned as [`Row`]s of rusqlite's owned
//! value enum (Null, Integer, Real, Text, Blob).

use std::sync::MutexGuard;

use rusqlite::types::{FromSql, ToSql, Value, ValueRef};
use rusqlite::Connection;

use super::local;
use super::remote::{Remote, RemoteConn};
use crate::sql::errors::SqlError;

/// Positional parameters (`?1`, `?2`, ...): `params![a, b]` or `&[]`.
pub type Params<'a> = &'a [&'a dyn ToSql];

/// One result row, its values owned.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub Vec<Value>);

impl Row {
    /// Column `i` as `T` (`String`, `Option<String>`, `i64`, `bool`, ...).
    pub fn get<T: FromSql>(&self, i: usize) -> Result<T, SqlError> {
        let v = self
            .0
            .get(i)
            .ok_or_else(|| SqlError::internal("catalog row", format!("no column {i}")))?;
        T::column_result(ValueRef::from(v)).map_err(|e| SqlError::internal("catalog row", e))
    }
}

/// Statements on the catalog: a connection or a transaction.
pub trait Exec {
    /// Runs one statement; the number of rows it changed.
    fn execute(&self, sql: &str, params: Params<'_>) -> Result<usize, SqlError>;
    /// Runs one statement and collects its rows.
    fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, SqlError>;
    /// Runs several statements without parameters (schema scripts).
    fn execute_batch(&self, sql: &str) -> Result<(), SqlError>;
    /// The rowid of the last row this connection inserted.
    fn last_insert_rowid(&self) -> i64;

    /// The first row, if any.
    fn query_opt(&self, sql: &str, params: Params<'_>) -> Result<Option<Row>, SqlError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row; none is an internal error (for aggregates).
    fn query_one(&self, sql: &str, params: Params<'_>) -> Result<Row, SqlError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| SqlError::internal("catalog", "a query returned no row"))
    }
}

/// The catalog database.
pub enum Store {
    Local(std::sync::Mutex<Connection>),
    Remote(Remote),
}

/// One connection to the catalog for a few statements. The local one holds
/// the catalog's lock; a remote one is a Hrana stream of its own.
pub enum Conn<'a> {
    Local(MutexGuard<'a, Connection>),
    Remote(RemoteConn<'a>),
}

impl Store {
    pub fn conn(&self) -> Result<Conn<'_>, SqlError> {
        Ok(match self {
            Store::Local(m) => Conn::Local(m.lock().unwrap_or_else(|p| p.into_inner())),
            Store::Remote(r) => Conn::Remote(r.conn()?),
        })
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE`: two instances sharing
    /// a remote catalog queue for its write lock instead of failing at
    /// their first write). It rolls back unless committed.
    pub fn begin(&self) -> Result<Tx<'_>, SqlError> {
        let conn = match self {
            Store::Local(_) => {
                let conn = self.conn()?;
                conn.execute_batch("BEGIN IMMEDIATE")?;
                conn
            }
            Store::Remote(r) => Conn::Remote(r.begin()?),
        };
        Ok(Tx { conn, done: false })
    }

    pub fn is_remote(&self) -> bool {
        matches!(self, Store::Remote(_))
    }

    /// Creates the catalog's tables and views: all scripts in one
    /// transaction, so two instances starting at once against one remote
    /// catalog take turns (the second finds everything there).
    pub fn apply_schema(&self, scripts: &[&str]) -> Result<(), SqlError> {
        let tx = self.begin()?;
        for s in scripts {
            tx.execute_batch(s)?;
        }
        tx.commit()
    }
}

impl Exec for Conn<'_> {
    fn execute(&self, sql: &str, params: Params<'_>) -> Result<usize, SqlError> {
        match self {
            Conn::Local(c) => local::execute(c, sql, params),
            Conn::Remote(c) => c.execute(sql, params),
        }
    }

    fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, SqlError> {
        match self {
            Conn::Local(c) => local::query(c, sql, params),
            Conn::Remote(c) => c.query(sql, params),
        }
    }

    fn execute_batch(&self, sql: &str) -> Result<(), SqlError> {
        match self {
            Conn::Local(c) => c.execute_batch(sql).map_err(local::error),
            Conn::Remote(c) => c.execute_batch(sql),
        }
    }

    fn last_insert_rowid(&self) -> i64 {
        match self {
            Conn::Local(c) => c.last_insert_rowid(),
            Conn::Remote(c) => c.last_insert_rowid(),
        }
    }
}

/// A write transaction; dropped without [`Tx::commit`], it rolls back.
pub struct Tx<'a> {
    conn: Conn<'a>,
    done: bool,
}

impl Tx<'_> {
    pub fn commit(mut self) -> Result<(), SqlError> {
        self.done = true;
        let r = self.conn.execute_batch("COMMIT");
        if r.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        r
    }
}

impl Drop for Tx<'_> {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        // A remote stream that was lost holds nothing to roll back (the
        // server drops its transaction with the stream).
        if let Conn::Remote(c) = &self.conn {
            if c.is_lost() {
                return;
            }
        }
        if let Err(e) = self.conn.execute_batch("ROLLBACK") {
            tracing::warn!(error = %e.message, "catalog rollback failed");
        }
    }
}

impl Exec for Tx<'_> {
    fn execute(&self, sql: &str, params: Params<'_>) -> Result<usize, SqlError> {
        self.conn.execute(sql, params)
    }

    fn query(&self, sql: &str, params: Params<'_>) -> Result<Vec<Row>, SqlError> {
        self.conn.query(sql, params)
    }

    fn execute_batch(&self, sql: &str) -> Result<(), SqlError> {
        self.conn.execute_batch(sql)
    }

    fn last_insert_rowid(&self) -> i64 {
        self.conn.last_insert_rowid()
    }
}

#[cfg(test)]
mod tests {
    use rusqlite::params;

    use super::*;

    fn local() -> Store {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT, c REAL, d BLOB)")
            .unwrap();
        Store::Local(std::sync::Mutex::new(conn))
    }

    #[test]
    fn rows_are_owned_values_read_as_rust_types() {
        let s = local();
        let c = s.conn().unwrap();
        let n = c
            .execute(
                "INSERT INTO t VALUES (?1, ?2, ?3, ?4)",
                params![1, "x", 2.5, vec![0u8, 255]],
            )
            .unwrap();
        assert_eq!(n, 1);
        assert_eq!(c.last_insert_rowid(), 1);
        let r = c.query_one("SELECT a, b, c, d, NULL FROM t", &[]).unwrap();
        assert_eq!(r.get::<i64>(0).unwrap(), 1);
        assert_eq!(r.get::<String>(1).unwrap(), "x");
        assert_eq!(r.get::<f64>(2).unwrap(), 2.5);
        assert_eq!(r.get::<Vec<u8>>(3).unwrap(), vec![0, 255]);
        assert_eq!(r.get::<Option<String>>(4).unwrap(), None);
        assert!(r.get::<i64>(1).is_err());
        assert!(r.get::<i64>(9).is_err());
        assert!(c
            .query_opt("SELECT a FROM t WHERE a = 2", &[])
            .unwrap()
            .is_none());
    }

    #[test]
    fn a_transaction_rolls_back_unless_committed() {
        let s = local();
        {
            let tx = s.begin().unwrap();
            tx.execute("INSERT INTO t (a) VALUES (1)", &[]).unwrap();
        }
        let count = |s: &Store| -> i64 {
            s.conn()
                .unwrap()
                .query_one("SELECT count(*) FROM t", &[])
                .unwrap()
                .get(0)
                .unwrap()
        };
        assert_eq!(count(&s), 0);
        let tx = s.begin().unwrap();
        tx.execute("INSERT INTO t (a) VALUES (1)", &[]).unwrap();
        tx.commit().unwrap();
        assert_eq!(count(&s), 1);
        // A constraint failure keeps its SQLSTATE.
        let e = s
            .conn()
            .unwrap()
            .execute("INSERT INTO t (a) VALUES (1)", &[])
            .unwrap_err();
        assert_eq!(e.code, "23505");
    }
}
