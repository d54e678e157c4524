//! PostgreSQL functions the translator emits, beyond those in `functions.rs`:
//! casts with PostgreSQL's checks (`pg_to_int4`, `pg_to_bool`, ...) and
//! text/array/date functions SQLite lacks (`regexp_replace`, `repeat`,
//! `to_char`, ...). Registered on every tenant connection next to
//! `functions::register`.

mod arith;
mod array_order;
mod binary;
mod casts;
pub mod clock;
pub mod column_input;
mod column_sum;
mod column_text;
mod column_type;
mod defaults;
mod division;
mod drop_check;
pub use drop_check::dependent_views;
mod encodings;
mod enum_labels;
mod exact;
mod float_ops;
mod from_char;
mod group_check;
mod hashtext;
mod interval_sums;
mod intervals;
mod json_exact;
mod jsonbuild;
mod jsonops;
mod jsonpath;
mod network;
mod numeric_math;
mod ordered_set;
mod pgcrypto;
mod populate;
pub(super) mod quote;
mod ranges;
mod regexp_positions;
mod regression;
pub(crate) mod sequences;
mod series;
mod single_row;
mod stats;
#[cfg(test)]
mod tests;
mod text;
pub mod textsearch;
mod timezones;
mod to_char;
mod to_char_number;
mod trig;
pub mod triggers;
mod trigrams;
mod upsert;

use rusqlite::functions::FunctionFlags;
use rusqlite::Connection;

/// Flags for functions whose result depends only on their arguments.
fn pure() -> FunctionFlags {
    FunctionFlags::SQLITE_UTF8
        | FunctionFlags::SQLITE_DETERMINISTIC
        | FunctionFlags::SQLITE_INNOCUOUS
}

/// A PostgreSQL error raised from inside a function call. SQLite keeps
/// only an error's text, so the text carries the SQLSTATE (see
/// `errors::Carried`), which the server's error mapping reads back.
fn error(code: &'static str, message: impl Into<String>) -> rusqlite::Error {
    rusqlite::Error::UserFunctionError(Box::new(crate::sql::errors::Carried(
        crate::sql::errors::SqlError::new(code, message),
    )))
}

/// Registers every function of this module on `conn`.
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    array_order::register(conn)?;
    casts::register(conn)?;
    clock::register(conn, None)?;
    column_input::register(conn)?;
    defaults::register(conn)?;
    division::register(conn)?;
    drop_check::register(conn)?;
    encodings::register(conn)?;
    enum_labels::register(conn)?;
    hashtext::register(conn)?;
    exact::register(conn)?;
    numeric_math::register(conn)?;
    pgcrypto::register(conn)?;
    text::register(conn)?;
    regexp_positions::register(conn)?;
    binary::register(conn)?;
    arith::register(conn)?;
    quote::register(conn)?;
    sequences::register(conn)?;
    intervals::register(conn)?;
    interval_sums::register(conn)?;
    column_sum::register(conn)?;
    to_char::register(conn)?;
    trig::register(conn)?;
    from_char::register(conn)?;
    jsonops::register(conn)?;
    jsonpath::register(conn)?;
    ordered_set::register(conn)?;
    jsonbuild::register(conn)?;
    stats::register(conn)?;
    regression::register(conn)?;
    series::register(conn)?;
    single_row::register(conn)?;
    float_ops::register(conn)?;
    group_check::register(conn)?;
    timezones::register(conn)?;
    textsearch::register(conn)?;
    trigrams::register(conn)?;
    network::register(conn)?;
    ranges::register(conn)?;
    upsert::register(conn)?;
    triggers::register(conn, None)?;
    // A no-op outside a tenant session, which registers its own
    // (`server::notices`): a trigger's RAISE NOTICE, DROP IF EXISTS's notice.
    conn.create_scalar_function(
        "pg_raise_notice",
        3,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        |_| Ok(""),
    )?;
    Ok(())
}

/// Stored values as PostgreSQL's output functions print the declared
/// types `decls` (`None` for NULL), for error details that show a row.
pub fn output_texts(
    values: &[rusqlite::types::Value],
    decls: &[&str],
) -> rusqlite::Result<Vec<Option<String>>> {
    values
        .iter()
        .zip(decls)
        .map(|(v, decl)| populate::output(v, column_input::Column::of(decl)))
        .collect()
}

/// The SQLSTATE of an error message raised by a function of this module.
///
/// SQLite keeps only the text of an error raised inside a function (a step
/// fails with SQLITE_ERROR and that message), so the server's SQLite error
/// mapping should call this for SQLITE_ERROR messages it does not know.
pub fn sqlstate(message: &str) -> Option<&'static str> {
    const PREFIXES: [(&str, &str); 56] = [
        ("Cannot use \"", "22023"),
        ("input is out of range", "22003"),
        ("cannot use \"V\" and decimal point together", "42601"),
        ("multiple decimal points", "42601"),
        (single_row::MORE_THAN_ONE_ROW, "21000"),
        ("a negative number raised to a non-integer power", "2201F"),
        ("zero raised to a negative power", "2201F"),
        ("value overflows numeric format", "22003"),
        ("regexp_match() does not support", "22023"),
        ("value out of range: ", "22003"),
        ("numeric field overflow", "22003"),
        ("unrecognized encoding", "22023"),
        ("invalid hexadecimal data", "22023"),
        ("invalid base64 data", "22023"),
        ("factorial of a negative number", "2201E"),
        ("count must be greater than zero", "2201G"),
        ("lower bound cannot equal upper bound", "2201G"),
        ("date field value out of range", "22008"),
        ("time field value out of range", "22008"),
        ("timestamp out of range", "22008"),
        ("malformed array literal", "22P02"),
        // Date/time input is 22007 (invalid_datetime_format), the rest 22P02.
        ("invalid input syntax for type timestamp", "22007"),
        ("invalid input syntax for type date", "22007"),
        ("invalid input syntax for type time", "22007"),
        ("invalid input syntax for type ", "22P02"),
        ("invalid regular expression option", "22023"),
        ("invalid regular expression:", "2201B"),
        ("too few arguments for format()", "22023"),
        ("unrecognized format() type specifier", "22023"),
        ("unterminated format() type specifier", "22023"),
        ("format specifies argument 0", "22023"),
        (
            "null values cannot be formatted as an SQL identifier",
            "22004",
        ),
        ("requested length too large", "54000"),
        ("nextval: reached ", "2200H"),
        ("setval: value ", "22003"),
        ("currval of sequence ", "55000"),
        ("lastval is not yet defined", "55000"),
        ("cannot drop table ", "2BP01"),
        ("percentile value ", "22003"),
        ("value too long for type ", "22001"),
        ("invalid value \"", "22007"),
        ("date/time field value out of range", "22008"),
        // Enum types (translate::enums, through pg_raise).
        ("invalid input value for enum ", "22P02"),
        ("enum label \"", "42710"),
        ("syntax error in tsquery: ", "42601"),
        ("no operand in tsquery: ", "42601"),
        ("syntax error in tsvector: ", "42601"),
        ("wrong position info in tsvector", "42601"),
        ("unrecognized weight: ", "XX000"),
        ("weight out of range", "22023"),
        ("ts_headline with MaxFragments is not supported", "0A000"),
        ("MinWords should be", "22023"),
        ("ShortWord should be", "22023"),
        ("unrecognized headline parameter", "22023"),
        ("invalid value for integer option", "22023"),
        ("distance in phrase operator must be", "22023"),
    ];
    if let Some((_, code)) = PREFIXES.iter().find(|(p, _)| message.starts_with(p)) {
        return Some(code);
    }
    if let Some(code) = jsonpath::sqlstate(message) {
        return Some(code);
    }
    // Column defaults (defaults), sequences and time zones.
    if message.starts_with("relation ") && message.ends_with(" does not exist") {
        return Some("42P01");
    }
    if message.starts_with("time zone \"") && message.ends_with("\" not recognized") {
        return Some("22023");
    }
    if message.starts_with("type \"") && message.ends_with("\" already exists") {
        return Some("42710");
    }
    if message.starts_with("type \"") && message.ends_with("\" does not exist") {
        return Some("42704");
    }
    if message.starts_with("trigger \"") && message.ends_with("\" does not exist") {
        return Some("42704");
    }
    // COMMENT ON's checks (translate::comments, through pg_raise).
    if message.starts_with("constraint \"") && message.ends_with("\" does not exist") {
        return Some("42704");
    }
    let wrong_kind = [
        "a table",
        "a view",
        "a sequence",
        "an index",
        "a materialized view",
    ]
    .iter()
    .any(|kind| message.ends_with(&format!("\" is not {kind}")));
    if (message.starts_with('"') && wrong_kind)
        || message.starts_with("cannot set comment on relation \"")
    {
        return Some("42809");
    }
    if message.starts_with("text search configuration \"") {
        return Some(if message.ends_with("does not exist") {
            "42704"
        } else {
            "0A000"
        });
    }
    // json[b]_populate_record[set] of something other than objects.
    if message.starts_with("cannot call ") && message.contains(" on a")
        || message.starts_with("argument of ") && message.ends_with(" must be an array of objects")
    {
        return Some("22023");
    }
    if message.ends_with("\" is not an existing enum label") {
        return Some("22023");
    }
    if message.ends_with("\" is not a sequence") {
        return Some("42809");
    }
    if message.starts_with("column \"") && message.ends_with(group_check::NOT_GROUPED) {
        return Some("42803");
    }
    if message.starts_with("column \"") && message.ends_with("\" does not exist") {
        return Some("42703");
    }
    let out_of_range = message.ends_with(" out of range")
        && message.split_whitespace().count() == 4
        || message.starts_with("value \"") && message.contains("\" is out of range for type ");
    out_of_range.then_some("22003")
}
