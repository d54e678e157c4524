//! `pg_column_input(value, table, column)`: a literal written into a
//! column, read as PostgreSQL reads input for the column's declared type
//! (see `translate::column_input`). SQLite stores `'abc'` in an integer
//! column and `1.5` as a real; PostgreSQL raises 22P02, rounds to 2, and
//! raises 22003 for `40000` in a smallint, 22001 for a string longer than
//! a `varchar(n)`, and pads a `char(n)`. `column` is a name, or a 0-based
//! position when the INSERT named no columns.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rusqlite::functions::Context;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::casts::{to_bool, to_int, to_number};
use super::defaults::{column_field, Field};
use super::{error, pure};
use crate::sql::decode::decode_param;
use crate::sql::pgtype::PgType;

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    register_cached(conn, Arc::new(DeclCache::default()))
}

/// Registers the function with `cache` for the declarations it reads; the
/// owner of the connection keeps the cache valid ([`DeclCache::validate`]).
pub fn register_cached(conn: &Connection, cache: Arc<DeclCache>) -> rusqlite::Result<()> {
    super::column_type::register(conn, cache.clone())?;
    super::populate::register(conn, cache.clone())?;
    register_identity_check(conn, cache.clone())?;
    // A computed value (INSERT ... SELECT) stored into a numeric(p, s)
    // (or its array): rounded to `s`, as PostgreSQL's assignment cast does.
    let for_scaled = cache.clone();
    conn.create_scalar_function("pg_column_scaled", 3, pure(), move |ctx| {
        let v = ctx.get::<Value>(0)?;
        Ok(match declared(ctx, &for_scaled)? {
            Some(Column {
                ty,
                scale: Some(scale),
                ..
            }) => scaled_input(v, ty, scale),
            _ => v,
        })
    })?;
    let for_four = cache.clone();
    conn.create_scalar_function("pg_column_input", 3, pure(), move |ctx| input(ctx, &cache))?;
    let for_five = for_four.clone();
    conn.create_scalar_function("pg_column_input", 4, pure(), move |ctx| {
        input(ctx, &for_four)
    })?;
    // A fifth argument `'literal'`: the value is the statement's own text,
    // not a parameter the server already read.
    conn.create_scalar_function("pg_column_input", 5, pure(), move |ctx| {
        input(ctx, &for_five)
    })
}

/// `pg_column_input`'s value, read as input for the column's type.
fn input(ctx: &Context<'_>, cache: &DeclCache) -> rusqlite::Result<Value> {
    let Some(column) = declared(ctx, cache)? else {
        return ctx.get::<Value>(0);
    };
    if column.always {
        let writing = Writing::of(ctx);
        if writing != Writing::System {
            return Err(refuse_always(&column_name(ctx), writing));
        }
    }
    if let Some(limit) = column.limit {
        return limited(ctx.get::<Value>(0)?, limit);
    }
    Ok(match column.ty {
        PgType::Int2 => to_int(ctx, 16)?.map_or(Value::Null, Value::Integer),
        PgType::Int4 => to_int(ctx, 32)?.map_or(Value::Null, Value::Integer),
        PgType::Int8 => to_int(ctx, 64)?.map_or(Value::Null, Value::Integer),
        // Checked, then stored as given, rounded to the declared scale
        // as PostgreSQL stores it (1.005 in a numeric(10,2) is 1.01, and
        // arithmetic on it later sees 1.01): the column's affinity keeps
        // digits a double cannot hold as text.
        PgType::Numeric => {
            let value = to_number(ctx, true)?;
            let given = ctx.get::<Value>(0)?;
            match (column.precision, column.scale) {
                (Some(p), Some(s)) => {
                    fits_precision(&value, p, s)?;
                    rounded_to_scale(given, s)
                }
                _ => given,
            }
        }
        // JSON text must parse (PostgreSQL checks it on input).
        PgType::Json | PgType::Jsonb => {
            if let ValueRef::Text(t) = ctx.get_raw(0) {
                if serde_json::from_slice::<serde::de::IgnoredAny>(t).is_err() {
                    return Err(error("22P02", "invalid input syntax for type json"));
                }
            }
            ctx.get::<Value>(0)?
        }
        // Stored in the one text form the search functions print.
        PgType::Tsvector | PgType::Tsquery => match ctx.get_raw(0) {
            ValueRef::Text(t) => Value::Text(super::textsearch::normalized(
                &String::from_utf8_lossy(t),
                column.ty == PgType::Tsvector,
            )?),
            _ => ctx.get::<Value>(0)?,
        },
        PgType::Float8 => to_number(ctx, false)?,
        // Kept as the float4 PostgreSQL stores (9.8 is 9.800000190734863),
        // so arithmetic and comparisons, done in double precision as in
        // PostgreSQL, see the same value; it prints as 9.8.
        PgType::Float4 => match to_number(ctx, false)? {
            Value::Real(f) => Value::Real(narrow_f32(f)?),
            other => other,
        },
        PgType::Bool => to_bool(ctx.get_raw(0))?.map_or(Value::Null, |b| Value::Integer(b.into())),
        // Text in PostgreSQL's input forms ('2024-01-01 10:00+02',
        // 'now', '1 day 2 hours', an upper-case uuid) is stored in the
        // one form the SQL functions and comparisons read: a
        // timestamptz in UTC without an offset, and so on.
        PgType::Date
        | PgType::Time
        | PgType::Timestamp
        | PgType::Timestamptz
        | PgType::Interval
        | PgType::Uuid
        | PgType::Inet
        | PgType::Cidr
        | PgType::Macaddr
        | PgType::Point
        | PgType::Range(_) => match ctx.get_raw(0) {
            ValueRef::Text(t) => {
                let now = relative_now(t, column.ty);
                // A parameter's zone-less timestamptz text is already in
                // storage form (UTC): the session's zone was applied where the
                // server read the client's text, and must not be applied
                // twice. A literal of the statement is read in the zone.
                let literal = ctx.len() == 5;
                let zone = if literal {
                    crate::sql::zone::current()
                } else {
                    crate::sql::zone::SessionZone::Utc
                };
                let value = crate::sql::zone::scoped(zone, || {
                    decode_param(Some(now.as_deref().unwrap_or(t)), column.ty, false)
                })
                .map_err(|e| error(e.code, e.message))?;
                // timestamp(3): rounded as PostgreSQL stores it.
                match (value, column.fraction_digits, stored_kind(column.ty)) {
                    (Value::Text(stored), Some(digits), Some(kind)) => Value::Text(
                        super::casts::round_stored(&stored, digits.into(), kind).unwrap_or(stored),
                    ),
                    (value, ..) => value,
                }
            }
            _ => ctx.get::<Value>(0)?,
        },
        // An array literal ('{a,b}') is stored as the JSON array the
        // array functions read; JSON text (ARRAY[...]) is already so.
        // '\x0a0b' (or the escape form) is the bytes it spells.
        PgType::Bytea => match ctx.get_raw(0) {
            ValueRef::Text(t) => {
                decode_param(Some(t), PgType::Bytea, false).map_err(|e| error(e.code, e.message))?
            }
            _ => ctx.get::<Value>(0)?,
        },
        PgType::Array(_) => {
            let stored = match ctx.get_raw(0) {
                ValueRef::Text(t) if t.trim_ascii_start().starts_with(b"{") => {
                    decode_param(Some(t), column.ty, false).map_err(|e| error(e.code, e.message))?
                }
                _ => ctx.get::<Value>(0)?,
            };
            match column.scale {
                Some(scale) => scaled_input(stored, column.ty, scale),
                None => stored,
            }
        }
        _ => ctx.get::<Value>(0)?,
    })
}

/// A double rounded to the nearest float4, as a double; 22003 past
/// float4's range (PostgreSQL's "value out of range: overflow").
pub(super) fn narrow_f32(f: f64) -> rusqlite::Result<f64> {
    let narrow = f as f32;
    if narrow.is_infinite() && f.is_finite() {
        return Err(error("22003", "value out of range: overflow"));
    }
    if narrow == 0.0 && f != 0.0 {
        return Err(error("22003", "value out of range: underflow"));
    }
    Ok(f64::from(narrow))
}

/// `'now'`, `'today'`, `'tomorrow'`, `'yesterday'` as date/time input:
/// the time of writing (UTC, as `now()`), in the column type's text form.
fn relative_now(text: &[u8], ty: PgType) -> Option<Vec<u8>> {
    if text.len() > 9
        || !matches!(
            ty,
            PgType::Date | PgType::Time | PgType::Timestamp | PgType::Timestamptz
        )
    {
        return None;
    }
    let word = std::str::from_utf8(text).ok()?.trim().to_ascii_lowercase();
    let now = chrono::Utc::now().naive_utc();
    let midnight = |days: i64| {
        now.date()
            .checked_add_signed(chrono::Duration::days(days))?
            .and_hms_opt(0, 0, 0)
    };
    let at = match word.as_str() {
        "now" => now,
        "today" => midnight(0)?,
        "tomorrow" => midnight(1)?,
        "yesterday" => midnight(-1)?,
        _ => return None,
    };
    let format = match ty {
        PgType::Date => "%Y-%m-%d",
        PgType::Time => "%H:%M:%S%.6f",
        _ => "%Y-%m-%d %H:%M:%S%.6f",
    };
    Some(at.format(format).to_string().into_bytes())
}

/// What the column's declaration says about its input.
#[derive(Clone, Copy)]
pub(super) struct Column {
    pub(super) ty: PgType,
    pub(super) limit: Option<Limit>,
    /// numeric(p, s): `s`.
    pub(super) scale: Option<u16>,
    /// numeric(p, s): `p`.
    pub(super) precision: Option<u16>,
    /// An identity column `GENERATED ALWAYS`: no value may be written into
    /// it but its default (see `serial_key`).
    pub(super) always: bool,
    /// `timestamp(p)` / `time(p)` with `p` < 6: the fractional digits kept.
    pub(super) fraction_digits: Option<u8>,
}

/// `varchar(n)` / `char(n)`: at most `chars` characters; `pad` for char(n).
#[derive(Clone, Copy)]
pub(super) struct Limit {
    chars: usize,
    pad: bool,
}

impl Column {
    pub(super) fn of(decl: &str) -> Column {
        let ty = PgType::from_decl(decl);
        let d = decl.trim().to_ascii_lowercase();
        let length = |prefix: &str| -> Option<usize> {
            d.strip_prefix(prefix)?
                .trim_start()
                .strip_prefix('(')?
                .strip_suffix(')')?
                .trim()
                .parse()
                .ok()
        };
        let limit = if let Some(n) = length("varchar").or_else(|| length("character varying")) {
            Some(Limit {
                chars: n,
                pad: false,
            })
        } else if let Some(n) = length("char").or_else(|| length("character")) {
            Some(Limit {
                chars: n,
                pad: true,
            })
        } else if d == "char" || d == "character" {
            Some(Limit {
                chars: 1,
                pad: true,
            })
        } else {
            None
        };
        let scale = PgType::numeric_scale(decl);
        let precision = PgType::numeric_precision(decl);
        Column {
            ty,
            limit,
            scale,
            precision,
            always: false,
            fraction_digits: fraction_digits(decl, ty),
        }
    }
}

/// The fractional digits a `timestamp(p)`, `timestamptz(p)` or `time(p)`
/// declaration keeps, when fewer than 6.
fn fraction_digits(decl: &str, ty: PgType) -> Option<u8> {
    stored_kind(ty)?;
    let (_, rest) = decl.split_once('(')?;
    let digits: u8 = rest.split_once(')')?.0.trim().parse().ok()?;
    (digits < 6).then_some(digits)
}

/// `pg_round_seconds`' name for a date-time type's stored form.
fn stored_kind(ty: PgType) -> Option<&'static str> {
    match ty {
        PgType::Time => Some("time"),
        PgType::Timestamp => Some("ts"),
        PgType::Timestamptz => Some("tz"),
        _ => None,
    }
}

/// `v` with at most `scale` decimals, rounded half away from zero on its
/// decimal digits (a double's shortest form: 2.675 is 2.68, as typed).
/// A value stored into a column of type `ty` with a declared scale: a
/// `numeric(p, s)` rounded to `s` places, a `numeric(p, s)[]`'s elements.
pub fn scaled_input(v: Value, ty: PgType, scale: u16) -> Value {
    match (ty, v) {
        (PgType::Array(crate::sql::pgtype::ArrayElem::Numeric), Value::Text(t)) => {
            match crate::sql::encode::array::rounded_elements(&t, scale) {
                Some(rounded) => Value::Text(rounded),
                None => Value::Text(t),
            }
        }
        (PgType::Numeric, v) => rounded_to_scale(v, scale),
        (_, v) => v,
    }
}

pub fn rounded_to_scale(v: Value, scale: u16) -> Value {
    use crate::sql::encode::numeric::Numeric;
    let exact = match &v {
        Value::Real(f) => Numeric::from_f64_decimal(*f),
        Value::Text(t) => match Numeric::parse(t) {
            Some(n) => n,
            None => return v,
        },
        _ => return v,
    };
    let Numeric::Finite(d) = &exact else {
        return v;
    };
    if d.frac.len() <= usize::from(scale) {
        return v;
    }
    let text = exact.with_scale(usize::from(scale)).to_text();
    match v {
        // A double stays one (the nearest to the rounded decimal).
        Value::Real(_) => text.parse::<f64>().map_or(Value::Text(text), Value::Real),
        _ => Value::Text(text),
    }
}

/// numeric(p, s) holds values that round (to `s` places) below 10^(p-s)
/// in magnitude; others are 22003, as PostgreSQL's numeric input.
pub(super) fn fits_precision(value: &Value, precision: u16, scale: u16) -> rusqlite::Result<()> {
    let v = match value {
        Value::Integer(n) => *n as f64,
        Value::Real(f) => *f,
        // NaN and the infinities, which numeric(p, s) refuses too.
        Value::Text(_) => f64::INFINITY,
        _ => return Ok(()),
    };
    let digits = i32::from(precision) - i32::from(scale);
    let factor = 10f64.powi(i32::from(scale));
    let rounded = (v.abs() * factor).round() / factor;
    if rounded.is_finite() && rounded < 10f64.powi(digits) {
        return Ok(());
    }
    let bound = if digits > 0 {
        format!("10^{digits}")
    } else {
        "1".to_owned()
    };
    let detail = format!(
        "A field with precision {precision}, scale {scale} must round to an absolute value less than {bound}."
    );
    Err(rusqlite::Error::UserFunctionError(Box::new(
        crate::sql::errors::SqlError::new("22003", "numeric field overflow").with_detail(detail),
    )))
}

/// PostgreSQL's length rule for character types: too long is 22001
/// unless only spaces are cut; char(n) is padded with spaces.
pub(super) fn limited(v: Value, limit: Limit) -> rusqlite::Result<Value> {
    let Value::Text(s) = v else { return Ok(v) };
    let count = s.chars().count();
    if count > limit.chars {
        let (keep, cut) = s.split_at(
            s.char_indices()
                .nth(limit.chars)
                .map_or(s.len(), |(i, _)| i),
        );
        if cut.chars().any(|c| c != ' ') {
            let name = if limit.pad {
                "character"
            } else {
                "character varying"
            };
            return Err(super::error(
                "22001",
                format!("value too long for type {name}({})", limit.chars),
            ));
        }
        return Ok(Value::Text(keep.to_owned()));
    }
    if limit.pad && count < limit.chars {
        let mut padded = s;
        padded.extend(std::iter::repeat_n(' ', limit.chars - count));
        return Ok(Value::Text(padded));
    }
    Ok(Value::Text(s))
}

/// Column declarations read on one connection, valid for one schema
/// version. Reading one costs a prepare and a `pragma_table_info` scan
/// (the connection a function gets has no statement cache), which was most
/// of an INSERT's cost; SQLite's auxdata only lasts one execution.
#[derive(Default)]
pub struct DeclCache {
    decls: Mutex<Decls>,
}

#[derive(Default)]
struct Decls {
    schema_version: i64,
    /// By [`write_key`]'s key: the table and column names lower-cased.
    by_column: HashMap<Box<[u8]>, Option<Column>>,
    /// The key being looked up, reused so a lookup does not allocate (a
    /// write's every value is looked up).
    key: Vec<u8>,
}

/// A column named, or its 0-based position (an INSERT without a column list).
#[derive(Clone, Copy)]
enum ColumnRef<'a> {
    Position(i64),
    Name(&'a str),
}

impl<'a> ColumnRef<'a> {
    fn of(value: ValueRef<'a>) -> Option<ColumnRef<'a>> {
        match value {
            ValueRef::Integer(i) => Some(ColumnRef::Position(i)),
            ValueRef::Text(t) => std::str::from_utf8(t).ok().map(ColumnRef::Name),
            _ => None,
        }
    }
}

/// `key` made the cache key of `table`'s `column`: names lower-cased, a
/// byte no identifier holds between them, a position marked apart from a
/// name.
fn write_key(key: &mut Vec<u8>, table: &str, column: ColumnRef<'_>) {
    key.clear();
    key.extend_from_slice(table.as_bytes());
    match column {
        ColumnRef::Name(name) => {
            key.push(1);
            key.extend_from_slice(name.as_bytes());
            key.make_ascii_lowercase();
        }
        ColumnRef::Position(i) => {
            // (Lower-cased before the position's bytes, which are no text.)
            key.make_ascii_lowercase();
            key.push(2);
            key.extend_from_slice(&i.to_le_bytes());
        }
    }
}

impl DeclCache {
    /// Forgets what it holds if the schema changed since it was read. Called
    /// before each statement that uses the function, on its connection.
    pub fn validate(&self, conn: &Connection) {
        let version = conn
            .prepare_cached("PRAGMA schema_version")
            .and_then(|mut s| s.query_row([], |r| r.get::<_, i64>(0)));
        let mut d = self.decls.lock().unwrap_or_else(|p| p.into_inner());
        match version {
            Ok(v) if v == d.schema_version => {}
            Ok(v) => {
                d.by_column.clear();
                d.schema_version = v;
            }
            // Unknown: never trust what was read before.
            Err(_) => {
                d.by_column.clear();
                d.schema_version = -1;
            }
        }
    }

    /// The declaration of `table.column` (`None`: no such column).
    pub(super) fn column_of(
        &self,
        conn: &Connection,
        table: &str,
        column: &str,
    ) -> rusqlite::Result<Option<Column>> {
        let name = ColumnRef::Name(column);
        if let Some(known) = self.get(table, name) {
            return Ok(known);
        }
        let found = read_column(conn, table, ValueRef::Text(column.as_bytes()))?;
        self.put(table, name, found);
        Ok(found)
    }

    fn get(&self, table: &str, column: ColumnRef<'_>) -> Option<Option<Column>> {
        let mut d = self.decls.lock().unwrap_or_else(|p| p.into_inner());
        let Decls { by_column, key, .. } = &mut *d;
        write_key(key, table, column);
        by_column.get(key.as_slice()).copied()
    }

    fn put(&self, table: &str, column: ColumnRef<'_>, found: Option<Column>) {
        let mut d = self.decls.lock().unwrap_or_else(|p| p.into_inner());
        if d.schema_version == -1 {
            return;
        }
        if d.by_column.len() >= 4096 {
            d.by_column.clear();
        }
        let Decls { by_column, key, .. } = &mut *d;
        write_key(key, table, column);
        by_column.insert(key.as_slice().into(), found);
    }
}

/// The column's declaration, from `cache` (a lookup costs less than
/// SQLite's per-statement auxdata, which would be set again at every
/// execution of a single-row write).
fn declared(ctx: &Context<'_>, cache: &DeclCache) -> rusqlite::Result<Option<Column>> {
    let table = ctx.get_raw(1).as_str()?;
    let column_ref = ColumnRef::of(ctx.get_raw(2));
    if let Some(column) = column_ref.and_then(|c| cache.get(table, c)) {
        return Ok(column);
    }
    // SAFETY: a read of the schema during the call.
    let conn = unsafe { ctx.get_connection()? };
    let column = read_column(&conn, table, ctx.get_raw(2))?;
    if let Some(c) = column_ref {
        cache.put(table, c, column);
    }
    Ok(column)
}

/// A column's declaration and whether it is an identity `GENERATED ALWAYS`
/// (`column`: its name, or its 0-based position).
fn read_column(
    conn: &Connection,
    table: &str,
    column: ValueRef<'_>,
) -> rusqlite::Result<Option<Column>> {
    let Some(decl) = column_field(conn, table, column, Field::Type)?.flatten() else {
        return Ok(None);
    };
    let mut read = Column::of(&decl);
    let dflt = column_field(conn, table, column, Field::Default)?.flatten();
    read.always = crate::sql::serial_key::is_always(dflt.as_deref());
    Ok(Some(read))
}

/// How a value comes to be written into a column: `pg_column_input`'s
/// optional fourth argument.
#[derive(Clone, Copy, PartialEq)]
enum Writing {
    /// An INSERT's value (no fourth argument).
    Insert,
    /// An UPDATE's SET value (`'update'`).
    Update,
    /// A value an identity `GENERATED ALWAYS` column takes anyway: under
    /// `OVERRIDING SYSTEM VALUE`, or the column's own DEFAULT (`'system'`).
    System,
}

impl Writing {
    fn of(ctx: &Context<'_>) -> Writing {
        if ctx.len() < 4 {
            return Writing::Insert;
        }
        Writing::of_word(ctx.get_raw(3))
    }

    fn of_word(word: ValueRef<'_>) -> Writing {
        match word {
            ValueRef::Text(b"update") => Writing::Update,
            ValueRef::Text(b"insert") => Writing::Insert,
            _ => Writing::System,
        }
    }
}

/// The name of `pg_column_input`'s column (its third argument: a name, or
/// a position when the INSERT named no columns).
fn column_name(ctx: &Context<'_>) -> String {
    match ctx.get_raw(2) {
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        position => {
            // SAFETY: a read of the schema during the call.
            let named = ctx.get::<String>(1).ok().and_then(|table| {
                let conn = unsafe { ctx.get_connection() }.ok()?;
                conn.prepare_cached("SELECT name FROM pragma_table_xinfo(?1) WHERE cid = ?2")
                    .and_then(|mut s| {
                        s.query_row(rusqlite::params![table, position.as_i64().ok()], |r| {
                            r.get::<_, String>(0)
                        })
                    })
                    .ok()
            });
            named.unwrap_or_default()
        }
    }
}

/// `pg_identity_check(table, 'a,b')`: an INSERT ... SELECT's column list,
/// checked once before its first row (a constant WHERE term, see
/// `translate::column_input`): 428C9 if it names an identity column
/// `GENERATED ALWAYS`, as PostgreSQL refuses such a statement whatever
/// rows it would write.
pub(super) fn register_identity_check(
    conn: &Connection,
    cache: Arc<DeclCache>,
) -> rusqlite::Result<()> {
    let check = move |ctx: &Context<'_>| -> rusqlite::Result<bool> {
        let table: String = ctx.get(0)?;
        let columns: String = ctx.get(1)?;
        let writing = if ctx.len() > 2 {
            Writing::of_word(ctx.get_raw(2))
        } else {
            Writing::Insert
        };
        // SAFETY: a read of the schema during the call.
        let conn = unsafe { ctx.get_connection()? };
        for column in columns.split(',') {
            if cache
                .column_of(&conn, &table, column)?
                .is_some_and(|c| c.always)
            {
                return Err(refuse_always(column, writing));
            }
        }
        Ok(true)
    };
    let with_mode = check.clone();
    conn.create_scalar_function("pg_identity_check", 2, pure(), move |ctx| check(ctx))?;
    conn.create_scalar_function("pg_identity_check", 3, pure(), move |ctx| with_mode(ctx))
}

/// PostgreSQL's 428C9 for a value written into identity column `name`
/// (`GENERATED ALWAYS`).
fn refuse_always(name: &str, writing: Writing) -> rusqlite::Error {
    let message = match writing {
        Writing::Update => format!("column \"{name}\" can only be updated to DEFAULT"),
        _ => format!("cannot insert a non-DEFAULT value into column \"{name}\""),
    };
    let mut e = crate::sql::errors::SqlError::new("428C9", message).with_detail(format!(
        "Column \"{name}\" is an identity column defined as GENERATED ALWAYS."
    ));
    if writing == Writing::Insert {
        e = e.with_hint("Use OVERRIDING SYSTEM VALUE to override.");
    }
    rusqlite::Error::UserFunctionError(crate::sql::errors::carried(&e).into())
}

#[cfg(test)]
mod tests {
    use super::{write_key, ColumnRef};

    #[test]
    fn keys_fold_names_but_not_positions() {
        let key = |table: &str, column: ColumnRef<'_>| {
            let mut k = Vec::new();
            write_key(&mut k, table, column);
            k
        };
        assert_eq!(
            key("T", ColumnRef::Name("Ab")),
            key("t", ColumnRef::Name("aB"))
        );
        assert_ne!(
            key("t", ColumnRef::Position(65)),
            key("t", ColumnRef::Position(97))
        );
        assert_eq!(
            key("T", ColumnRef::Position(3)),
            key("t", ColumnRef::Position(3))
        );
        assert_ne!(
            key("t", ColumnRef::Name("a")),
            key("ta", ColumnRef::Name(""))
        );
    }
}
