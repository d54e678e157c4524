//! Function calls: PostgreSQL built-ins mapped to SQLite built-ins or SQL
//! templates. Calls left as-is that SQLite lacks must be registered by the
//! server: `md5`, `lpad`, `rpad`, `split_part`, `initcap`, `floor`, `ceil`,
//! `power`, `trunc`, `sqrt` (plus `regexp` and `pg_like` from `expr.rs`), and
//! from `pgfuncs.rs`: `regexp_replace`, `repeat`, `reverse`, `format`,
//! `string_to_array`, `to_char`, `age`, `pg_to_*` casts.
use super::ast::{
    base_name, call, object_name, plain_args, put_args, string, string_literal, take_args, template,
};
use super::columns::expr_type;
use super::error::{other, unsupported};
use super::TranslateError;
use crate::sql::pgtype::PgType;
use sqlparser::ast::{Expr, Function};

/// The transaction's start time, UTC, in microseconds (`pgfuncs::clock`).
pub(super) fn now_expr() -> Expr {
    template("pg_now()", [])
}

/// A random v4 UUID in lower-case hyphenated text form (inline SQL, so a
/// column default works on any SQLite; the catalog prints it back as
/// `gen_random_uuid()`).
pub const UUID_V4_SQL: &str = "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || \
     substr(hex(randomblob(2)), 2) || '-' || substr('89ab', 1 + (abs(random()) % 4), 1) || \
     substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";

fn uuid_v4_expr() -> Expr {
    template(UUID_V4_SQL, [])
}

/// Functions that set-return, use types we do not store, or have no SQLite
/// equivalent yet.
const UNSUPPORTED: &[&str] = &["regexp_matches", "overlay"];

/// Arguments of the JSON builders whose type is known: booleans become
/// JSON `true`/`false` (SQLite stores them as 1/0, which would build
/// numbers), json and jsonb values are marked to be embedded as JSON rather
/// than as strings. Runs before the arguments are rewritten, while their
/// type is still known.
pub(super) fn json_builder_arguments(expr: &mut Expr) {
    let Expr::Function(func) = expr else {
        return;
    };
    let name = super::ast::base(&func.name);
    if !matches!(
        name.as_ref(),
        "json_build_object"
            | "jsonb_build_object"
            | "json_build_array"
            | "jsonb_build_array"
            | "json_agg"
            | "jsonb_agg"
            | "json_object_agg"
            | "jsonb_object_agg"
            | "to_json"
            | "to_jsonb"
            | "array_to_json"
    ) {
        return;
    }
    let sqlparser::ast::FunctionArguments::List(list) = &mut func.args else {
        return;
    };
    for arg in &mut list.args {
        if let sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(e)) = arg
        {
            if let Some(digits) = decimal_literal(e) {
                // `1.10` keeps its written scale, as a numeric does.
                *e = template("json($1)", [super::ast::string(digits)]);
                continue;
            }
            let ty = super::columns::expr_type(e);
            *e = json_argument(e.clone(), ty);
        }
    }
}

/// `to_hex` of an int2/int4 argument: PostgreSQL's int4 form, whose
/// negative values print 32 bits of two's complement (`ffffffff`); the
/// registered function sees an i64 and prints 64. Before the argument is
/// rewritten, while its type is known (a column's needs the schema and
/// keeps the int8 form).
pub(super) fn to_hex_width(expr: &mut Expr) {
    let Expr::Function(func) = expr else {
        return;
    };
    if super::ast::base(&func.name) != "to_hex" {
        return;
    }
    let Some(arg) = super::ast::only_arg_mut(func) else {
        return;
    };
    if matches!(expr_type(arg), Some(PgType::Int2 | PgType::Int4)) {
        let x = super::ast::take(arg);
        *arg = template("($1) & 4294967295", [x]);
    }
}

/// The digits of a decimal literal (`1.10`, `-0.5`), a numeric whose JSON
/// form is those digits; SQLite would read it as a double.
fn decimal_literal(e: &Expr) -> Option<String> {
    let (negative, value) = match e {
        Expr::UnaryOp {
            op: sqlparser::ast::UnaryOperator::Minus,
            expr,
        } => (true, expr.as_ref()),
        other => (false, other),
    };
    let Expr::Value(v) = value else {
        return None;
    };
    let sqlparser::ast::Value::Number(n, _) = &v.value else {
        return None;
    };
    let (whole, fraction) = n.split_once('.')?;
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || !digits(fraction) || fraction.is_empty() {
        return None;
    }
    let whole = match whole.trim_start_matches('0') {
        "" => "0",
        w => w,
    };
    Some(format!(
        "{}{whole}.{fraction}",
        if negative { "-" } else { "" }
    ))
}

/// A value of type `ty` as a JSON builder's argument (see above).
pub(super) fn json_argument(e: Expr, ty: Option<crate::sql::pgtype::PgType>) -> Expr {
    use crate::sql::pgtype::PgType;
    let sql = match ty {
        Some(PgType::Bool) => "json(CASE WHEN $1 THEN 'true' WHEN NOT ($1) THEN 'false' END)",
        Some(PgType::Json) => "pg_json_value($1)",
        Some(PgType::Jsonb) => "pg_jsonb_value($1)",
        // Arrays are stored as JSON arrays: embedded as they are.
        Some(PgType::Array(_)) => "json($1)",
        _ => return e,
    };
    template(sql, [e])
}

/// `string_agg(DISTINCT x, sep [ORDER BY ...])` and `array_agg(DISTINCT x
/// [ORDER BY ...])`. PostgreSQL sorts a DISTINCT aggregate's input, so with
/// no ORDER BY the values come in ascending order: the call gets `ORDER BY
/// x`. SQLite's DISTINCT takes one argument only, so string_agg's becomes
/// `pg_string_agg_distinct(x, sep ORDER BY ...)`, which skips repeats itself.
/// True when the call was renamed (and must not be renamed again).
fn distinct_aggregate(name: &str, func: &mut Function) -> bool {
    use sqlparser::ast::{
        DuplicateTreatment, FunctionArg, FunctionArgExpr, FunctionArgumentClause,
        FunctionArguments, OrderByExpr, OrderByOptions,
    };
    if !matches!(name, "string_agg" | "array_agg") || func.over.is_some() {
        return false;
    }
    let FunctionArguments::List(list) = &mut func.args else {
        return false;
    };
    if list.duplicate_treatment != Some(DuplicateTreatment::Distinct) {
        return false;
    }
    let Some(FunctionArg::Unnamed(FunctionArgExpr::Expr(value))) = list.args.first() else {
        return false;
    };
    if !list
        .clauses
        .iter()
        .any(|c| matches!(c, FunctionArgumentClause::OrderBy(_)))
    {
        list.clauses
            .push(FunctionArgumentClause::OrderBy(vec![OrderByExpr {
                expr: value.clone(),
                // PostgreSQL sorts NULLs last ascending; SQLite first.
                options: OrderByOptions {
                    sort: None,
                    nulls_first: Some(false),
                },
                with_fill: None,
            }]));
    }
    if name == "string_agg" && list.args.len() == 2 {
        list.duplicate_treatment = None;
        func.name = object_name("pg_string_agg_distinct");
        return true;
    }
    false
}

/// `make_interval(years, months, weeks, days, hours, mins, secs)`, by
/// position or by name (`make_interval(days => 3)`), each defaulting to 0:
/// `pg_make_interval` with all seven.
fn make_interval(func: &Function) -> Result<Expr, TranslateError> {
    use sqlparser::ast::{FunctionArg, FunctionArgExpr, FunctionArguments};
    const NAMES: [&str; 7] = ["years", "months", "weeks", "days", "hours", "mins", "secs"];
    let mut slots: Vec<Expr> = vec![super::ast::number(0); 7];
    let FunctionArguments::List(list) = &func.args else {
        return Ok(call("pg_make_interval", slots));
    };
    for (i, arg) in list.args.iter().enumerate() {
        let (slot, value) = match arg {
            FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) if i < 7 => (i, e),
            FunctionArg::Named {
                name,
                arg: FunctionArgExpr::Expr(e),
                ..
            }
            | FunctionArg::ExprNamed {
                name: Expr::Identifier(name),
                arg: FunctionArgExpr::Expr(e),
                ..
            } => match NAMES
                .iter()
                .position(|n| name.value.eq_ignore_ascii_case(n))
            {
                Some(slot) => (slot, e),
                None => {
                    return Err(other(
                        "42883",
                        format!("function make_interval has no parameter \"{}\"", name.value),
                    ))
                }
            },
            _ => return Err(other("42883", "function make_interval does not exist")),
        };
        slots[slot] = value.clone();
    }
    Ok(call("pg_make_interval", slots))
}

/// Rewrites a call whose arguments are already translated. `None` keeps it.
pub(super) fn rewrite_function(func: &mut Function) -> Result<Option<Expr>, TranslateError> {
    let name = base_name(&func.name);
    if super::jsonpath::is_path_function(&name) {
        super::jsonpath::normalize(func)?;
    }
    if let Some(e) = super::catalog::rewrite_function(&name, func) {
        return Ok(Some(e));
    }
    if let Some(e) = super::sizes::rewrite(&name, func) {
        return Ok(Some(e));
    }
    if let Some(f) = super::sequences::function(&name) {
        func.name = object_name(f);
        return Ok(None);
    }
    if super::ordered_set::rewrite(func)? {
        return Ok(None);
    }
    if name == "make_interval" {
        return make_interval(func).map(Some);
    }
    // count([DISTINCT] (a, b)): a row value counts as one value (SQLite
    // takes no row value there); its JSON array compares field by field.
    if name == "count" {
        if let sqlparser::ast::FunctionArguments::List(list) = &mut func.args {
            if let [sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(
                e @ Expr::Tuple(_),
            ))] = list.args.as_mut_slice()
            {
                if let Expr::Tuple(items) =
                    std::mem::replace(e, Expr::value(sqlparser::ast::Value::Null))
                {
                    *e = call("json_array", items);
                }
            }
        }
    }
    if matches!(name.as_str(), "scale" | "min_scale" | "trim_scale") {
        written_decimals(func);
    }
    if UNSUPPORTED.contains(&name.as_str()) {
        return Err(unsupported(format!("function {name}()")));
    }
    if distinct_aggregate(&name, func) {
        return Ok(None);
    }
    // Renames keep arguments, DISTINCT, ORDER BY, FILTER and OVER intact.
    let renamed = match name.as_str() {
        "string_agg" => Some("group_concat"),
        "array_agg" | "jsonb_agg" => Some("json_group_array"),
        "jsonb_object_agg" => Some("json_group_object"),
        // The json (not jsonb) builders print PostgreSQL's spacing.
        "json_agg" => Some("pg_json_agg"),
        "json_object_agg" => Some("pg_json_object_agg"),
        "json_build_object" => Some("pg_json_build_object"),
        "json_build_array" => Some("pg_json_build_array"),
        "to_json" | "to_jsonb" | "array_to_json" => Some("pg_to_json"),
        "bool_and" | "every" => Some("min"),
        "bool_or" => Some("max"),
        "char_length" | "character_length" => Some("length"),
        "strpos" => Some("instr"),
        "btrim" => Some("trim"),
        "ceiling" => Some("ceil"),
        "pow" => Some("power"),
        "chr" => Some("char"),
        "ascii" => Some("unicode"),
        "jsonb_build_object" => Some("json_object"),
        // PostgreSQL's forms take text arrays; SQLite's (which the
        // translator's own rewrites call) pairs of values.
        "json_object" if text_array_form(func) => Some("pg_json_object"),
        "jsonb_object" if text_array_form(func) => Some("pg_jsonb_object"),
        "jsonb_build_array" => Some("json_array"),
        "jsonb_array_length" | "json_array_length" => Some("json_array_length"),
        // inet / cidr (`backend::sqlite::pgfuncs::network`).
        "host" => Some("pg_inet_host"),
        "masklen" => Some("pg_inet_masklen"),
        "family" => Some("pg_inet_family"),
        "network" => Some("pg_inet_network"),
        "broadcast" => Some("pg_inet_broadcast"),
        "netmask" => Some("pg_inet_netmask"),
        "hostmask" => Some("pg_inet_hostmask"),
        "abbrev" => Some("pg_inet_abbrev"),
        "set_masklen" => Some("pg_inet_set_masklen"),
        "point" => Some("pg_point"),
        _ => None,
    };
    if let Some(new_name) = renamed {
        func.name = object_name(new_name);
        // array_agg/jsonb_agg of no rows is NULL; json_group_array gives
        // `[]`, which no row makes (one NULL value is `[null]`).
        if new_name == "json_group_array" && func.over.is_none() {
            let aggregate = Expr::Function(func.clone());
            return Ok(Some(call(
                "nullif",
                vec![aggregate, super::ast::string("[]".to_owned())],
            )));
        }
        return Ok(None);
    }
    let simple = func.over.is_none() && func.filter.is_none() && func.within_group.is_empty();
    // Moved out of the call (and back if no arm takes it): copied, every
    // call of a nest paid for the calls inside it again.
    let args: Vec<Expr> = match plain_args(func) {
        Some(_) if simple => take_args(func),
        _ => return Ok(None),
    };
    let arity = |n: usize| -> Result<(), TranslateError> {
        if args.len() == n {
            Ok(())
        } else {
            Err(other(
                "42883",
                format!(
                    "function {name} with {} arguments does not exist",
                    args.len()
                ),
            ))
        }
    };
    Ok(Some(match name.as_str() {
        // int4range(lower, upper [, '[]']): `[)` by default.
        "int4range" | "int8range" | "numrange" | "daterange" | "tsrange" | "tstzrange" => {
            if !matches!(args.len(), 2 | 3) {
                arity(2)?;
            }
            let mut with_kind = args.clone();
            // `numrange(1.50, 2)`: a decimal literal's written scale.
            for bound in with_kind.iter_mut().take(2) {
                if let Some(text) = super::ast::decimal_text(bound) {
                    *bound = super::ast::string(text);
                }
            }
            if with_kind.len() == 2 {
                with_kind.push(super::ast::string("[)".to_owned()));
            }
            with_kind.push(super::ast::string(name.clone()));
            call("pg_range_make", with_kind)
        }
        "now" | "current_timestamp" | "transaction_timestamp" => now_expr(),
        // The clock's calendar day and time in the session's zone.
        "localtimestamp" => call("pg_tz_local", vec![now_expr()]),
        "statement_timestamp" => template("pg_now(1)", []),
        "clock_timestamp" => template("pg_now(2)", []),
        "txid_current" | "pg_current_xact_id" => {
            arity(0)?;
            template("pg_xact_id()", [])
        }
        "current_date" => call("date", vec![call("pg_tz_local", vec![now_expr()])]),
        "current_time" | "localtime" => call(
            "strftime",
            vec![string("%H:%M:%f"), call("pg_tz_local", vec![now_expr()])],
        ),
        "gen_random_uuid" | "uuid_generate_v4" => {
            arity(0)?;
            uuid_v4_expr()
        }
        // A negative n counts from the other end: all but the last/first |n|.
        "substr" | "substring" if matches!(args.len(), 2 | 3) => substr(args),
        "left" => {
            arity(2)?;
            template(
                "substr($1, 1, CASE WHEN $2 < 0 THEN max(length($1) + ($2), 0) ELSE $2 END)",
                args,
            )
        }
        "right" => {
            arity(2)?;
            template(
                "CASE WHEN $2 < 0 THEN substr($1, 1 - ($2)) ELSE substr($1, max(length($1) - ($2) + 1, 1)) END",
                args,
            )
        }
        // to_timestamp(epoch seconds), or (text, format) read by template.
        "to_timestamp" => {
            if args.len() != 2 {
                arity(1)?;
            }
            call("pg_to_timestamp", args)
        }
        // SQLite's json_type says integer/real/true/false/text where
        // PostgreSQL says number/boolean/string.
        "jsonb_typeof" | "json_typeof" => {
            arity(1)?;
            template(
                "CASE json_type($1) WHEN 'integer' THEN 'number' WHEN 'real' THEN 'number' \
                 WHEN 'true' THEN 'boolean' WHEN 'false' THEN 'boolean' \
                 WHEN 'text' THEN 'string' ELSE json_type($1) END",
                args,
            )
        }
        // The path as variadic keys: `#>` / `#>>` with the keys as an array.
        "jsonb_extract_path"
        | "json_extract_path"
        | "jsonb_extract_path_text"
        | "json_extract_path_text" => {
            if args.len() < 2 {
                return Err(other(
                    "42883",
                    format!("function {name}() needs a json value and at least one key"),
                ));
            }
            let mut args = args;
            let keys = args.split_off(1);
            let target = if name.ends_with("_text") {
                "pg_json_path_text"
            } else {
                "pg_json_path"
            };
            call(target, vec![args.remove(0), call("json_array", keys)])
        }
        "octet_length" => {
            arity(1)?;
            template("length(CAST($1 AS BLOB))", args)
        }
        // PostgreSQL's random() is a float in [0, 1); SQLite's is an int64.
        "random" => {
            arity(0)?;
            template("(random() / 18446744073709551616.0 + 0.5)", [])
        }
        "array_length" => {
            arity(2)?;
            // JSON-text arrays are one-dimensional; an empty array has no length.
            template(
                "CASE WHEN $2 = 1 THEN nullif(json_array_length($1), 0) END",
                [super::arrays::stored(args[0].clone()), args[1].clone()],
            )
        }
        "array_ndims" | "array_dims" => {
            arity(1)?;
            call(&name, vec![super::arrays::stored(args[0].clone())])
        }
        "array_upper" | "array_lower" => {
            arity(2)?;
            call(
                &name,
                vec![super::arrays::stored(args[0].clone()), args[1].clone()],
            )
        }
        "bit_length" => {
            arity(1)?;
            template("(length(CAST($1 AS BLOB)) * 8)", args)
        }
        // Every element, of every dimension (a 2x2 array has 4).
        "cardinality" => {
            arity(1)?;
            template(
                "(CASE WHEN json_type($1, '$[0]') = 'array' \
                 THEN (SELECT count(*) FROM json_tree($1) WHERE type <> 'array') \
                 ELSE json_array_length($1) END)",
                vec![super::arrays::stored(args[0].clone())],
            )
        }
        "div" => {
            arity(2)?;
            template("CAST(($1) / ($2) AS INTEGER)", args)
        }
        "mod" => {
            arity(2)?;
            template("(($1) % ($2))", args)
        }
        // A row constructor: SQLite's row value (comparisons, IN).
        "row" if !args.is_empty() => Expr::Tuple(args),
        "greatest" => null_ignoring_extreme("max", args),
        "least" => null_ignoring_extreme("min", args),
        // A third argument is the value's type (see `zoned_columns`): a
        // timestamptz is truncated in the session's zone.
        "date_trunc" if args.len() == 3 && is_zone_type_marker(&args[2]) => {
            let local = call("pg_tz_local", vec![args[1].clone(), args[2].clone()]);
            let truncated = date_trunc(&args[0], local)?;
            let zoned = call("pg_tz_utc", vec![truncated, args[2].clone()]);
            if string_literal(&args[2]).is_some() {
                zoned
            } else {
                // A column whose type the schema tells: it may be an interval.
                super::column_dates::when_type(
                    args[2].clone(),
                    "interval",
                    call("pg_interval_trunc", vec![args[0].clone(), args[1].clone()]),
                    zoned,
                )
            }
        }
        "date_trunc" => {
            arity(2)?;
            date_trunc(&args[0], args[1].clone())?
        }
        "date_part" => {
            arity(2)?;
            let unit = string_literal(&args[0])
                .ok_or_else(|| unsupported("date_part with a non-literal field"))?;
            extract(&unit.to_ascii_lowercase(), args[1].clone())?
        }
        _ => {
            put_args(func, args);
            return Ok(None);
        }
    }))
}

/// GREATEST/LEAST ignore NULLs; SQLite's scalar max/min return NULL if any
/// argument is NULL, so each argument is coalesced with the others.
fn null_ignoring_extreme(name: &str, args: Vec<Expr>) -> Expr {
    if args.len() < 2 {
        return args.into_iter().next().unwrap_or_else(super::ast::null);
    }
    let rotated = (0..args.len())
        .map(|i| {
            let mut order = args[i..].to_vec();
            order.extend_from_slice(&args[..i]);
            call("coalesce", order)
        })
        .collect();
    call(name, rotated)
}

/// January 1st of the year `year` computes from `$y`, the year of `x`.
fn year_start(x: Expr, year: &str) -> Expr {
    let y = "CAST(strftime('%Y', $1) AS INTEGER)";
    let sql = format!(
        "CASE WHEN $1 IS NOT NULL THEN printf('%04d-01-01 00:00:00', {}) END",
        year.replace("$y", y)
    );
    template(&sql, [x])
}

/// What `zoned_columns` passes as date_trunc's third argument.
fn is_zone_type_marker(e: &Expr) -> bool {
    match e {
        Expr::Function(f) => base_name(&f.name) == "pg_column_type",
        _ => string_literal(e) == Some(PgType::Timestamptz.name()),
    }
}

/// `date_trunc('unit', x)` with a literal unit, as timestamp text.
fn date_trunc(unit: &Expr, x: Expr) -> Result<Expr, TranslateError> {
    let unit = string_literal(unit)
        .ok_or_else(|| unsupported("date_trunc with a non-literal unit"))?
        .to_ascii_lowercase();
    let format = match unit.as_str() {
        "year" => "%Y-01-01 00:00:00",
        "month" => "%Y-%m-01 00:00:00",
        "day" => "%Y-%m-%d 00:00:00",
        "hour" => "%Y-%m-%d %H:00:00",
        "minute" => "%Y-%m-%d %H:%M:00",
        "second" => "%Y-%m-%d %H:%M:%S",
        // Monday of the week: `weekday 0` moves to the next Sunday (or stays).
        "week" => {
            return Ok(template(
                "strftime('%Y-%m-%d 00:00:00', $1, 'weekday 0', '-6 days')",
                [x],
            ))
        }
        // The first month of the quarter: `(m - 1) / 3 * 3` months past January.
        "quarter" => {
            return Ok(template(
                "strftime('%Y-%m-%d 00:00:00', $1, 'start of year',                  ((CAST(strftime('%m', $1) AS INTEGER) - 1) / 3 * 3) || ' months')",
                [x],
            ))
        }
        // Years as PostgreSQL counts them: the decade of 2024 starts in
        // 2020, its century and millennium in 2001.
        "decade" => return Ok(year_start(x, "$y / 10 * 10")),
        "century" => return Ok(year_start(x, "($y - 1) / 100 * 100 + 1")),
        "millennium" => return Ok(year_start(x, "($y - 1) / 1000 * 1000 + 1")),
        "milliseconds" | "microseconds" => "%Y-%m-%d %H:%M:%f",
        other_unit => return Err(unsupported(format!("date_trunc unit \"{other_unit}\""))),
    };
    Ok(call("strftime", vec![string(format), x]))
}

/// Fields PostgreSQL extracts from an interval.
const INTERVAL_FIELDS: &[&str] = &[
    "microsecond",
    "microseconds",
    "millisecond",
    "milliseconds",
    "second",
    "seconds",
    "minute",
    "minutes",
    "hour",
    "hours",
    "day",
    "days",
    "month",
    "months",
    "quarter",
    "year",
    "years",
    "decade",
    "decades",
    "century",
    "centuries",
    "millennium",
    "millennia",
    "epoch",
];

/// Before children are rewritten (an interval literal becomes plain text):
/// `EXTRACT(field FROM x)` / `date_part('field', x)` of a known interval
/// (a literal, a cast, `ts - ts`, `age(..)`) becomes `pg_interval_part`.
pub(super) fn extract_from_interval(expr: &mut Expr) -> Result<(), TranslateError> {
    if let Expr::Function(func) = &*expr {
        if super::ast::base(&func.name) == "date_trunc" {
            if let Some([unit, x]) = plain_args(func).as_deref() {
                if expr_type(x) == Some(PgType::Interval) {
                    // `date_trunc('hour', interval '3 days 02:47:33')`.
                    *expr = call("pg_interval_trunc", vec![(*unit).clone(), (*x).clone()]);
                }
            }
            return Ok(());
        }
    }
    let (field, x) = match &*expr {
        Expr::Extract { field, expr: x, .. } => {
            (field.to_string().to_ascii_lowercase(), (**x).clone())
        }
        Expr::Function(func) if super::ast::base(&func.name) == "date_part" => {
            match plain_args(func).as_deref() {
                Some([unit, x]) => match string_literal(unit) {
                    Some(unit) => (unit.to_ascii_lowercase(), (*x).clone()),
                    None => return Ok(()),
                },
                _ => return Ok(()),
            }
        }
        _ => return Ok(()),
    };
    if expr_type(&x) != Some(PgType::Interval) {
        return Ok(());
    }
    if !INTERVAL_FIELDS.contains(&field.as_str()) {
        return Err(other(
            "0A000",
            format!("unit \"{field}\" not supported for type interval"),
        ));
    }
    *expr = call("pg_interval_part", vec![string(&field), x]);
    Ok(())
}

/// `EXTRACT(field FROM x)` / `date_part('field', x)` of anything but a
/// known interval (see [`extract_from_interval`]). A value whose type only
/// the data knows (a column) is read as a timestamp and, where that finds
/// nothing, as an interval. Epochs try the interval first: `02:00:00` is
/// both a time of day and an interval, and both give 7200.
pub(super) fn extract(field: &str, x: Expr) -> Result<Expr, TranslateError> {
    let interval_part = || call("pg_interval_part", vec![string(field), x.clone()]);
    let typed = expr_type(&x).is_some();
    if field == "epoch" && !typed {
        return Ok(template(
            "coalesce($1, unixepoch($2, 'subsec'))",
            [interval_part(), x.clone()],
        ));
    }
    let from_timestamp = timestamp_part(field, x.clone())?;
    if typed || !INTERVAL_FIELDS.contains(&field) {
        return Ok(from_timestamp);
    }
    Ok(call("coalesce", vec![from_timestamp, interval_part()]))
}

fn timestamp_part(field: &str, x: Expr) -> Result<Expr, TranslateError> {
    let int_format =
        |f: &str| template("CAST(strftime($1, $2) AS INTEGER)", [string(f), x.clone()]);
    Ok(match field {
        "year" | "years" => int_format("%Y"),
        "month" | "months" => int_format("%m"),
        "day" | "days" => int_format("%d"),
        "hour" | "hours" => int_format("%H"),
        "minute" | "minutes" => int_format("%M"),
        "second" | "seconds" => template("CAST(strftime('%f', $1) AS REAL)", [x]),
        "millisecond" | "milliseconds" => {
            template("(CAST(strftime('%f', $1) AS REAL) * 1000)", [x])
        }
        "microsecond" | "microseconds" => template(
            "CAST(round(CAST(strftime('%f', $1) AS REAL) * 1000000) AS INTEGER)",
            [x],
        ),
        "decade" | "decades" => template("(CAST(strftime('%Y', $1) AS INTEGER) / 10)", [x]),
        "century" | "centuries" => {
            template("((CAST(strftime('%Y', $1) AS INTEGER) + 99) / 100)", [x])
        }
        "millennium" | "millennia" => {
            template("((CAST(strftime('%Y', $1) AS INTEGER) + 999) / 1000)", [x])
        }
        "dow" => int_format("%w"),
        "isodow" => int_format("%u"),
        "doy" => int_format("%j"),
        "week" => int_format("%V"),
        "isoyear" => int_format("%G"),
        "quarter" => template("((CAST(strftime('%m', $1) AS INTEGER) + 2) / 3)", [x]),
        "epoch" => template("unixepoch($1, 'subsec')", [x]),
        // Days since 4714 BC counted from midnight (SQLite's julianday
        // counts from noon).
        "julian" => template("(julianday($1) + 0.5)", [x]),
        // The session zone's offset at the instant, seconds east of UTC.
        "timezone" => call("pg_tz_offset", vec![x]),
        "timezone_hour" => template("(pg_tz_offset($1) / 3600)", [x]),
        "timezone_minute" => template("(pg_tz_offset($1) % 3600 / 60)", [x]),
        other_field => return Err(unsupported(format!("EXTRACT field \"{other_field}\""))),
    })
}

/// A decimal literal argument passed as its text: `scale(8.4100)` is 4, and
/// SQLite would read the literal as the double 8.41.
fn written_decimals(func: &mut Function) {
    let sqlparser::ast::FunctionArguments::List(list) = &mut func.args else {
        return;
    };
    for arg in &mut list.args {
        if let sqlparser::ast::FunctionArg::Unnamed(sqlparser::ast::FunctionArgExpr::Expr(e)) = arg
        {
            if let Some(text) = super::ast::decimal_text(e) {
                *e = super::ast::string(text);
            }
        }
    }
}

/// Whether a `json_object` / `jsonb_object` call is PostgreSQL's form: one
/// array of keys and values, or an array of keys and one of values.
fn text_array_form(func: &Function) -> bool {
    let is_array = |e: &Expr| {
        matches!(
            super::columns::expr_type(e),
            Some(crate::sql::pgtype::PgType::Array(_))
        ) || string_literal(e).is_some_and(|s| s.trim_start().starts_with('{'))
            // `ARRAY[...]`, already rewritten (this runs after the arguments).
            || matches!(e, Expr::Function(f) if base_name(&f.name) == "json_array")
    };
    match plain_args(func).as_deref() {
        Some([one]) => is_array(one) || string_literal(one).is_none(),
        Some([keys, values]) => is_array(keys) && is_array(values),
        _ => false,
    }
}

/// `substr(s, start[, count])` as PostgreSQL counts: a start before the
/// first character still counts toward `count` (`substr('abcdef', -2, 5)`
/// is `ab`), where SQLite's counts back from the end; a negative count is
/// 22011. A start and count that are plain positive numbers keep SQLite's
/// own call, which agrees there.
pub(super) fn substr(args: Vec<Expr>) -> Expr {
    let counting = |e: &Expr, min: i64| {
        matches!(e, Expr::Value(v) if matches!(&v.value,
            sqlparser::ast::Value::Number(n, _) if n.parse::<i64>().is_ok_and(|n| n >= min)))
    };
    let plain = counting(&args[1], 1) && args.get(2).is_none_or(|c| counting(c, 0));
    match args.len() {
        _ if plain => call("substr", args),
        2 => template("substr($1, max($2, 1))", args),
        _ => template(
            "substr($1, max($2, 1), CASE WHEN $3 < 0 THEN \
             pg_raise('22011', 'negative substring length not allowed') \
             ELSE max($2 + $3 - max($2, 1), 0) END)",
            args,
        ),
    }
}
