//! `pg_nextval`, `pg_currval`, `pg_setval`, `pg_lastval`: PostgreSQL's
//! sequence functions over the one-row tables `CREATE SEQUENCE` makes (see
//! `translate::sequences`). A sequence is named by text (`'s'`,
//! `'public.s'`, `'"S"'`) or by its OID (`'s'::regclass`).
//!
//! currval/lastval remember what nextval returned on this connection, as
//! PostgreSQL does per session. The name `<table>_<column>_seq` of a
//! `serial` key (a rowid, which SQLite numbers itself) answers too:
//! nextval gives the next free id, setval sets where numbering goes on
//! (SQLite's `sqlite_sequence` counter of an AUTOINCREMENT key).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};

use super::error;
use crate::sql::catalog::REL_OID_BASE as OID_BASE;
use crate::sql::quote_ident;

/// What nextval returned in the session now using the connection: per
/// sequence, and the last; and the ids the serial keys of its inserts got.
/// The session's connection resets it when it binds the connection (see
/// `enforce::install`), so one session never sees another's values.
#[derive(Default)]
pub struct SequenceLog(Mutex<Seen>);

#[derive(Default)]
struct Seen {
    /// Per sequence: the value and when it was given (`tick`).
    by_name: HashMap<String, (i64, u64)>,
    /// The last value nextval (or setval) gave, and when.
    last: Option<(i64, u64)>,
    /// The last row id each table's inserts got, and when.
    inserted: HashMap<String, (i64, u64)>,
    tick: u64,
}

impl SequenceLog {
    /// Forgets everything: a new session uses the connection.
    pub fn reset(&self) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) = Seen::default();
    }

    /// Moves what the log holds out (a session releasing its connection).
    pub fn take(&self) -> SequenceLog {
        let seen = std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()));
        SequenceLog(Mutex::new(seen))
    }

    /// Takes over what `from` held (the session's next connection).
    pub fn restore(&self, from: SequenceLog) {
        *self.0.lock().unwrap_or_else(|p| p.into_inner()) =
            from.0.into_inner().unwrap_or_else(|p| p.into_inner());
    }

    /// A row of `table` was inserted with id `rowid` (SQLite's update
    /// hook): a serial key's sequence gave that value, as far as currval
    /// and lastval tell. (Without an allocation once the table was seen.)
    pub fn note_insert(&self, table: &str, rowid: i64) {
        // pgtenant's own tables (enum labels, comments, ...) and SQLite's
        // have no sequence a client could ask about.
        if table.starts_with(crate::sql::catalog::VIEW_PREFIX) || table.starts_with("sqlite_") {
            return;
        }
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.tick += 1;
        let tick = seen.tick;
        match seen.inserted.get_mut(table) {
            Some(v) => *v = (rowid, tick),
            None => {
                seen.inserted.insert(table.to_owned(), (rowid, tick));
            }
        }
    }

    /// Records a value nextval (or a called setval) gave for `name`.
    fn remember(&self, name: String, value: i64) {
        let mut seen = self.0.lock().unwrap_or_else(|p| p.into_inner());
        seen.tick += 1;
        let tick = seen.tick;
        seen.by_name.insert(name, (value, tick));
        seen.last = Some((value, tick));
    }
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    register_log(conn, Arc::default())
}

/// nextval, currval, lastval and setval over `log` (a tenant session's
/// connection registers its own, see `exec::Conn::for_session`).
pub fn register_log(conn: &Connection, log: Arc<SequenceLog>) -> rusqlite::Result<()> {
    let seen = log;
    // Not deterministic: every call may change the sequence. Innocuous, so
    // a column DEFAULT may call nextval (schemas are untrusted otherwise):
    // it only touches the sequence's table in the same database.
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    let s = seen.clone();
    conn.create_scalar_function("pg_nextval", 1, flags, move |ctx| {
        let Some(name) = sequence_name(ctx)? else {
            return Ok(None);
        };
        let value = nextval(ctx, &name)?;
        s.remember(name, value);
        Ok(Some(value))
    })?;
    // TRUNCATE ... RESTART IDENTITY: the table's serial key numbers from 1.
    conn.create_scalar_function("pg_restart_identity", 1, flags, |ctx| {
        let table: String = ctx.get(0)?;
        // SAFETY: as in nextval.
        let conn = unsafe { ctx.get_connection()? };
        if has_serial_counters(&conn)? {
            conn.prepare_cached("DELETE FROM main.sqlite_sequence WHERE name = ?1")?
                .execute([&table])?;
        }
        Ok(rusqlite::types::Null)
    })?;
    let s = seen.clone();
    conn.create_scalar_function("pg_currval", 1, flags, move |ctx| {
        let Some(name) = sequence_name(ctx)? else {
            return Ok(None);
        };
        let seen = s.0.lock().unwrap_or_else(|p| p.into_inner());
        let given = seen.by_name.get(&name).copied();
        // A serial key's sequence: the id the session's last insert into
        // its table got, when that came later.
        let inserted = if seen.inserted.is_empty() {
            None
        } else {
            // SAFETY: a read of the schema during the call.
            let conn = unsafe { ctx.get_connection()? };
            serial_key(&conn, &name)
                .ok()
                .and_then(|(table, _)| seen.inserted.get(&table).copied())
        };
        let newest = match (given, inserted) {
            (Some(g), Some(i)) => Some(if i.1 > g.1 { i } else { g }),
            (g, i) => g.or(i),
        };
        newest.map(|(v, _)| Some(v)).ok_or_else(|| {
            error(
                "55000",
                format!("currval of sequence \"{name}\" is not yet defined in this session"),
            )
        })
    })?;
    let s = seen.clone();
    conn.create_scalar_function("pg_lastval", 0, flags, move |ctx| {
        let seen = s.0.lock().unwrap_or_else(|p| p.into_inner());
        // The latest insert after the last nextval into a table whose key
        // is a serial one: its id.
        let since = seen.last.map_or(0, |(_, tick)| tick);
        let mut later: Vec<(&String, &(i64, u64))> = seen
            .inserted
            .iter()
            .filter(|(_, (_, tick))| *tick > since)
            .collect();
        later.sort_by_key(|(_, (_, tick))| std::cmp::Reverse(*tick));
        if !later.is_empty() {
            // SAFETY: a read of the schema during the call.
            let conn = unsafe { ctx.get_connection()? };
            for (table, (id, _)) in later {
                if has_serial_key(&conn, table)? {
                    return Ok(*id);
                }
            }
        }
        seen.last
            .map(|(v, _)| v)
            .ok_or_else(|| error("55000", "lastval is not yet defined in this session"))
    })?;
    for n in [2, 3] {
        let s = seen.clone();
        conn.create_scalar_function("pg_setval", n, flags, move |ctx| {
            // Strict, as in PostgreSQL: a NULL argument gives NULL.
            let (Some(name), Some(value)) = (sequence_name(ctx)?, ctx.get::<Option<i64>>(1)?)
            else {
                return Ok(None);
            };
            let called = n == 2 || ctx.get::<Option<bool>>(2)?.unwrap_or(true);
            setval(ctx, &name, value, called)?;
            if called {
                s.remember(name, value);
            }
            Ok(Some(value))
        })?;
    }
    Ok(())
}

/// `pg_sequence_field(name, field)`: one parameter of a sequence, for the
/// catalog views (pg_sequence, information_schema.sequences), which
/// `catalog::register` installs with the other catalog functions.
pub(crate) fn register_catalog(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("pg_sequence_field", 2, flags, |ctx| {
        let name: String = ctx.get(0)?;
        let field: String = ctx.get(1)?;
        const FIELDS: [&str; 7] = [
            "last_value",
            "start_value",
            "increment_by",
            "min_value",
            "max_value",
            "cache_size",
            "cycle",
        ];
        if !FIELDS.contains(&field.as_str()) {
            return Err(error("42703", format!("no sequence field \"{field}\"")));
        }
        // SAFETY: a read of the sequence's row during the call.
        let conn = unsafe { ctx.get_connection()? };
        // last_value: NULL until the first nextval, as pg_sequences shows.
        let column = match field.as_str() {
            "last_value" => "CASE WHEN is_called THEN last_value END",
            f => f,
        };
        let value: Option<i64> = conn
            .prepare_cached(&format!("SELECT {column} FROM main.{}", quote_ident(&name)))?
            .query_row([], |r| r.get(0))
            .optional()?
            .flatten();
        Ok(value)
    })
}

/// `pg_serial_last(name)`: the last id a serial key's sequence (`t_id_seq`)
/// handed out, 0 before the first: what reading the sequence as a relation
/// gives (`SELECT last_value, is_called FROM t_id_seq`, as pg_dump does).
pub(crate) fn register_serial_last(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS;
    conn.create_scalar_function("pg_serial_last", 1, flags, |ctx| {
        let name: String = ctx.get(0)?;
        // SAFETY: reads of the table and SQLite's counter during the call.
        let conn = unsafe { ctx.get_connection()? };
        serial_last(&conn, &name)
    })
}

/// Whether `name` is the sequence PostgreSQL would give a serial key here.
/// (Such names end in `_seq`: any other skips the scan of every table's
/// columns, as a table or CTE the schema does not know asks this.)
pub(crate) fn is_serial_sequence(conn: &Connection, name: &str) -> bool {
    name.ends_with("_seq") && serial_key(conn, name).is_ok()
}

fn serial_last(conn: &Connection, name: &str) -> rusqlite::Result<i64> {
    let (table, column) = serial_key(conn, name)?;
    let largest = format!(
        "SELECT coalesce(max({}), 0) FROM main.{}",
        quote_ident(&column),
        quote_ident(&table)
    );
    let counted: i64 = if has_serial_counters(conn)? {
        conn.query_row(
            "SELECT coalesce((SELECT seq FROM main.sqlite_sequence WHERE name = ?1), 0)",
            [&table],
            |r| r.get(0),
        )?
    } else {
        0
    };
    let largest: i64 = conn.query_row(&largest, [], |r| r.get(0))?;
    Ok(largest.max(counted))
}

/// The sequence's table name from the first argument (`None` for NULL).
fn sequence_name(ctx: &Context<'_>) -> rusqlite::Result<Option<String>> {
    match ctx.get_raw(0) {
        ValueRef::Integer(oid) => {
            // SAFETY: a read of the schema during the call.
            let conn = unsafe { ctx.get_connection()? };
            let name: Option<String> = conn
                .prepare_cached("SELECT name FROM main.sqlite_schema WHERE rowid = ?1")?
                .query_row([oid - OID_BASE], |r| r.get(0))
                .optional()?;
            name.map(Some)
                .ok_or_else(|| error("42P01", format!("relation with OID {oid} does not exist")))
        }
        ValueRef::Text(t) => Ok(Some(parse_name(&String::from_utf8_lossy(t)))),
        ValueRef::Null => Ok(None),
        _ => Err(error("42P01", "invalid sequence name")),
    }
}

/// `public.s` → `s`, `"S"` → `S`, `S` → `s`, `cd.s` → cd's `s`
/// (regclass text rules).
fn parse_name(text: &str) -> String {
    crate::sql::pg_ident::relation_name(text)
}

/// A sequence's row.
struct State {
    last: i64,
    called: bool,
    inc: i64,
    min: i64,
    max: i64,
    cycle: bool,
}

/// The sequence's state, or `None` when no table has the name.
fn state(conn: &Connection, name: &str) -> rusqlite::Result<Option<State>> {
    let sql = format!(
        "SELECT last_value, is_called, increment_by, min_value, max_value, cycle FROM main.{}",
        quote_ident(name)
    );
    let mut stmt = match conn.prepare_cached(&sql) {
        Ok(s) => s,
        Err(e) if e.to_string().contains("no such table") => return Ok(None),
        Err(e) if e.to_string().contains("no such column") => {
            return Err(error("42809", format!("\"{name}\" is not a sequence")))
        }
        Err(e) => return Err(e),
    };
    stmt.query_row([], |r| {
        Ok(State {
            last: r.get(0)?,
            called: r.get(1)?,
            inc: r.get(2)?,
            min: r.get(3)?,
            max: r.get(4)?,
            cycle: r.get(5)?,
        })
    })
    .optional()?
    .map(Some)
    .ok_or_else(|| error("42809", format!("\"{name}\" is not a sequence")))
}

fn nextval(ctx: &Context<'_>, name: &str) -> rusqlite::Result<i64> {
    // SAFETY: the connection outlives the call; the nested statements read
    // and update the sequence's own table.
    let conn = unsafe { ctx.get_connection()? };
    let Some(State {
        last,
        called,
        inc,
        min,
        max,
        cycle,
    }) = state(&conn, name)?
    else {
        return serial_next(&conn, name);
    };
    let next = if !called {
        last
    } else {
        match last.checked_add(inc).filter(|n| (min..=max).contains(n)) {
            Some(n) => n,
            None if cycle => {
                if inc > 0 {
                    min
                } else {
                    max
                }
            }
            None if inc > 0 => {
                return Err(error(
                    "2200H",
                    format!("nextval: reached maximum value of sequence \"{name}\" ({max})"),
                ))
            }
            None => {
                return Err(error(
                    "2200H",
                    format!("nextval: reached minimum value of sequence \"{name}\" ({min})"),
                ))
            }
        }
    };
    conn.prepare_cached(&format!(
        "UPDATE main.{} SET last_value = ?1, is_called = 1",
        quote_ident(name)
    ))?
    .execute([next])?;
    Ok(next)
}

fn setval(ctx: &Context<'_>, name: &str, value: i64, called: bool) -> rusqlite::Result<()> {
    // SAFETY: as in nextval.
    let conn = unsafe { ctx.get_connection()? };
    let Some(State { min, max, .. }) = state(&conn, name)? else {
        // A serial key's sequence: SQLite's counter of the table's ids (an
        // AUTOINCREMENT key numbers past both it and the largest id).
        let (table, _) = serial_key(&conn, name)?;
        return record_serial(&conn, &table, if called { value } else { value - 1 }, false);
    };
    if !(min..=max).contains(&value) {
        return Err(error(
            "22003",
            format!(
                "setval: value {value} is out of bounds for sequence \"{name}\" ({min}..{max})"
            ),
        ));
    }
    conn.prepare_cached(&format!(
        "UPDATE main.{} SET last_value = ?1, is_called = ?2",
        quote_ident(name)
    ))?
    .execute(rusqlite::params![value, called])?;
    Ok(())
}

/// The (table, column) of the serial key whose sequence PostgreSQL would
/// name `name`.
fn serial_key(conn: &Connection, name: &str) -> rusqlite::Result<(String, String)> {
    conn.prepare_cached(
        "SELECT m.name, p.name FROM main.sqlite_schema m, pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND p.pk = 1 AND lower(p.type) = 'integer' \
           AND m.name || '_' || p.name || '_seq' = ?1",
    )?
    .query_row([name], |r| Ok((r.get(0)?, r.get(1)?)))
    .optional()?
    .ok_or_else(|| error("42P01", format!("relation \"{name}\" does not exist")))
}

/// Whether `table`'s primary key is a serial one (SQLite's rowid).
fn has_serial_key(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT count(*) = 1 AND max(lower(type) = 'integer') FROM pragma_table_info(?1) \
         WHERE pk > 0",
    )?
    .query_row([table], |r| r.get::<_, Option<bool>>(0))
    .map(|b| b == Some(true))
}

/// The next id of a serial key: past the largest and past SQLite's counter
/// of an AUTOINCREMENT key, which then counts it as handed out.
fn serial_next(conn: &Connection, name: &str) -> rusqlite::Result<i64> {
    let (table, column) = serial_key(conn, name)?;
    let next: i64 = conn
        .query_row(
            &format!(
                "SELECT max(coalesce(max({}), 0), coalesce((SELECT seq FROM main.sqlite_sequence \
             WHERE name = ?1), 0)) + 1 FROM main.{}",
                quote_ident(&column),
                quote_ident(&table)
            ),
            [&table],
            |r| r.get(0),
        )
        .or_else(|_| {
            // No AUTOINCREMENT table yet: no sqlite_sequence either.
            conn.query_row(
                &format!(
                    "SELECT coalesce(max({}), 0) + 1 FROM main.{}",
                    quote_ident(&column),
                    quote_ident(&table)
                ),
                [],
                |r| r.get(0),
            )
        })?;
    record_serial(conn, &table, next, false)?;
    Ok(next)
}

/// Whether SQLite keeps AUTOINCREMENT counters here: `sqlite_sequence`
/// exists once a table with such a key was created.
pub(crate) fn has_serial_counters(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row(
        "SELECT count(*) FROM main.sqlite_schema WHERE name = 'sqlite_sequence'",
        [],
        |r| r.get(0),
    )
}

/// Whether `table` has an AUTOINCREMENT key: a serial key, whose counter
/// is its row of `sqlite_sequence`.
pub(crate) fn is_autoincrement(conn: &Connection, table: &str) -> rusqlite::Result<bool> {
    conn.prepare_cached(
        "SELECT count(*) FROM main.sqlite_schema WHERE type = 'table' AND name = ?1 \
         AND sql LIKE '%AUTOINCREMENT%'",
    )?
    .query_row([table], |r| r.get(0))
}

/// Sets SQLite's counter of an AUTOINCREMENT key to `value`, or with
/// `raise_only` moves it up to `value` only (nothing for a table without
/// one: SQLite then numbers from the largest id).
pub(crate) fn record_serial(
    conn: &Connection,
    table: &str,
    value: i64,
    raise_only: bool,
) -> rusqlite::Result<()> {
    if !is_autoincrement(conn, table)? {
        return Ok(());
    }
    let update = if raise_only {
        "UPDATE main.sqlite_sequence SET seq = ?2 WHERE name = ?1 AND seq < ?2"
    } else {
        "UPDATE main.sqlite_sequence SET seq = ?2 WHERE name = ?1"
    };
    let updated = conn
        .prepare_cached(update)?
        .execute(rusqlite::params![table, value])?;
    if updated == 0 {
        conn.prepare_cached(
            "INSERT INTO main.sqlite_sequence (name, seq) SELECT ?1, ?2 \
             WHERE NOT EXISTS (SELECT 1 FROM main.sqlite_sequence WHERE name = ?1)",
        )?
        .execute(rusqlite::params![table, value])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::parse_name;

    #[test]
    fn names_follow_regclass_text_rules() {
        assert_eq!(parse_name("s"), "s");
        assert_eq!(parse_name("Order_Seq"), "order_seq");
        assert_eq!(parse_name("public.s"), "s");
        assert_eq!(parse_name("\"MySeq\""), "MySeq");
        assert_eq!(parse_name("\"public\".\"a\"\"b\""), "a\"b");
    }
}
