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

/// A stored inet or cidr argument (`None` for NULL).
fn inet_arg(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<Inet>> {
    let text = match ctx.get_raw(i) {
        ValueRef::Null => return Ok(None),
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        // A number is read as text, as inet input would read it.
        ValueRef::Integer(i) => i.to_string(),
        ValueRef::Real(f) => f.to_string(),
        ValueRef::Blob(_) => {
            return Err(error(
                "42883",
                "function does not exist for an argument of type bytea",
            ))
        }
    };
    Inet::parse(&text, false)
        .or_else(|_| Inet::parse(&text, true))
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
        let text = match ctx.get_raw(0) {
            ValueRef::Null => return Ok(Value::Null),
            ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
            ValueRef::Integer(i) => i.to_string(),
            ValueRef::Real(f) => f.to_string(),
            ValueRef::Blob(_) => {
                return Err(error(
                    "42846",
                    format!("cannot cast type bytea to {}", ty.name()),
                ))
            }
        };
        match crate::sql::textual::normalize(ty, &text) {
            Some(Ok(normalized)) => Ok(Value::Text(normalized)),
            // An inet value cast to cidr drops its host bits.
            Some(Err(_)) if ty == PgType::Cidr && Inet::parse(&text, false).is_ok() => {
                Ok(Value::Text(
                    Inet::parse(&text, false)
                        .map_err(|m| error("22P02", m))?
                        .network()
                        .to_string(),
                ))
            }
            Some(Err(message)) => Err(error(crate::sql::textual::code_of(&message), message)),
            None => Ok(Value::Text(text)),
        }
    })
}
