//! The network address functions (`host`, `masklen`, `network`, ...), the
//! containment operators (`<<`, `<<=`, `>>`, `>>=`, `&&` on inet/cidr),
//! `point(x, y)`, and the run-time input check of a cast to one of the
//! types stored as canonical text (`sql::textual`).

use rusqlite::functions::Context;
use rusqlite::types::{Value, ValueRef};
use rusqlite::Connection;

use super::{error, pure};
use crate::sql::pgtype::PgType;
use crate::sql::textual::inet::Inet;

/// A non-NULL, non-blob value as input text (a number as its digits, as
/// the types' input would read it).
fn input_text(v: ValueRef<'_>) -> Option<String> {
    match v {
        ValueRef::Text(t) => Some(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Integer(i) => Some(i.to_string()),
        ValueRef::Real(f) => Some(f.to_string()),
        ValueRef::Null | ValueRef::Blob(_) => None,
    }
}

/// A stored inet or cidr argument (`None` for NULL).
fn inet_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Inet>> {
    let v = ctx.get_raw(i);
    if matches!(v, ValueRef::Null) {
        return Ok(None);
    }
    let text = input_text(v).ok_or_else(|| {
        error(
            "42883",
            "function does not exist for an argument of type bytea",
        )
    })?;
    Inet::parse_any(&text)
        .map(Some)
        .map_err(|m| error("22P02", m))
}

/// Registers `name(x)` computing `f` of a non-NULL inet.
fn unary<T: rusqlite::types::ToSql + 'static>(
    conn: &Connection,
    name: &str,
    f: fn(&Inet) -> T,
) -> rusqlite::Result<()> {
    conn.create_scalar_function(name, 1, pure(), move |ctx| {
        Ok(inet_arg(ctx, 0)?.map(|a| f(&a)))
    })
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    unary(conn, "pg_inet_host", Inet::host)?;
    unary(conn, "pg_inet_masklen", |a| i64::from(a.bits))?;
    unary(conn, "pg_inet_family", Inet::family)?;
    unary(conn, "pg_inet_network", |a| a.network().to_string())?;
    unary(conn, "pg_inet_broadcast", |a| a.broadcast().to_string())?;
    unary(conn, "pg_inet_netmask", |a| a.netmask(false).to_string())?;
    unary(conn, "pg_inet_hostmask", |a| a.netmask(true).to_string())?;
    // `text(inet)` and `inet::text`: the mask always shown.
    unary(conn, "pg_inet_text", Inet::with_mask)?;
    unary(conn, "pg_inet_abbrev", |a| a.to_string())?;
    conn.create_scalar_function("pg_inet_set_masklen", 2, pure(), |ctx| {
        let Some(a) = inet_arg(ctx, 0)? else {
            return Ok(None);
        };
        let bits: i64 = ctx.get(1)?;
        match u8::try_from(bits).ok().filter(|b| *b <= a.max_bits()) {
            Some(bits) => Ok(Some(Inet { bits, ..a }.to_string())),
            None => Err(error("22023", format!("invalid mask length: {bits}"))),
        }
    })?;
    // pg_inet_within(a, b, strict): `a << b` (strict) or `a <<= b`.
    conn.create_scalar_function("pg_inet_within", 3, pure(), |ctx| {
        let (Some(a), Some(b)) = (inet_arg(ctx, 0)?, inet_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(a.within(&b, ctx.get::<bool>(2)?)))
    })?;
    conn.create_scalar_function("pg_inet_overlaps", 2, pure(), |ctx| {
        let (Some(a), Some(b)) = (inet_arg(ctx, 0)?, inet_arg(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(a.overlaps(&b)))
    })?;
    conn.create_scalar_function("pg_point", 2, pure(), |ctx| {
        let (x, y): (Option<f64>, Option<f64>) = (ctx.get(0)?, ctx.get(1)?);
        Ok(x.zip(y).map(crate::sql::textual::point::format))
    })?;
    // pg_textual_in(x, type): `x::inet` (cidr, macaddr, point) of a value
    // known only when the statement runs, checked and normalized.
    conn.create_scalar_function("pg_textual_in", 2, pure(), |ctx| {
        let ty = PgType::from_decl(&ctx.get::<String>(1)?);
        let v = ctx.get_raw(0);
        if matches!(v, ValueRef::Null) {
            return Ok(Value::Null);
        }
        let text = input_text(v)
            .ok_or_else(|| error("42846", format!("cannot cast type bytea to {}", ty.name())))?;
        match crate::sql::textual::normalize(ty, &text) {
            Some(Ok(normalized)) => Ok(Value::Text(normalized)),
            Some(Err(message)) => {
                // An inet value cast to cidr drops its host bits.
                let inet = (ty == PgType::Cidr)
                    .then(|| Inet::parse(&text, false).ok())
                    .flatten();
                match inet {
                    Some(a) => Ok(Value::Text(a.network().to_string())),
                    None => Err(error(crate::sql::textual::code_of(&message), message)),
                }
            }
            None => Ok(Value::Text(text)),
        }
    })
}
