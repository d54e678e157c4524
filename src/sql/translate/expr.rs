//! Expression rewrites from PostgreSQL to SQLite semantics. Called bottom-up,
//! so children are already in SQLite form.

use super::ast::{call, is_comparison, nested, number, string, string_literal, take, template};
use super::casts::{rewrite_cast, typed_literal};
use super::error::{other, unsupported};
use super::functions::{extract, rewrite_function};
use super::types::pg_type;
use super::TranslateError;
use sqlparser::ast::{
    BinaryOperator, CeilFloorKind, DataType, DateTimeField, Expr, TrimWhereField, UnaryOperator,
    Value,
};

/// Rewrites `expr` in place (post-order).
pub(super) fn rewrite_expr(expr: &mut Expr) -> Result<(), TranslateError> {
    let replacement = match expr {
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } => match super::catalog::rewrite_reg_cast(inner, data_type) {
            Some(e) => Some(e),
            None => Some(rewrite_cast(inner, data_type)?),
        },
        Expr::TypedString(ts) => {
            let pg = pg_type(&ts.data_type)?;
            match &ts.value.value {
                Value::SingleQuotedString(s) => Some(typed_literal(s, pg)?),
                other_value => return Err(unsupported(format!("typed literal {other_value}"))),
            }
        }
        Expr::ILike {
            negated,
            any,
            expr: value,
            pattern,
            escape_char,
        } => {
            if *any {
                let e = like_any(take(value), take(pattern), *negated, true);
                *expr = e;
                return Ok(());
            }
            // SQLite's LIKE is case-insensitive for ASCII, as ILIKE is.
            Some(Expr::Like {
                negated: *negated,
                any: false,
                expr: Box::new(take(value)),
                pattern: Box::new(take(pattern)),
                escape_char: escape_char.take(),
            })
        }
        Expr::Like {
            negated,
            any,
            expr: value,
            pattern,
            escape_char,
        } => {
            if *any {
                let e = like_any(take(value), take(pattern), *negated, false);
                *expr = e;
                return Ok(());
            }
            let matched = case_sensitive_like(take(value), pattern, escape_char.as_deref())?;
            Some(if *negated {
                Expr::UnaryOp {
                    op: UnaryOperator::Not,
                    expr: Box::new(matched),
                }
            } else {
                matched
            })
        }
        Expr::SimilarTo {
            negated,
            expr: value,
            pattern,
            escape_char,
        } => Some(super::similar::similar_to(
            *negated,
            take(value),
            pattern,
            escape_char.as_deref(),
        )?),
        // The common operators, which `binary_op` leaves as they are: not
        // taken apart and boxed again.
        Expr::BinaryOp { op, .. } if kept_as_is(op) => None,
        Expr::BinaryOp { .. } => {
            // Taken apart, not cloned: a clone of each operand at each level
            // of a long chain would recurse as deep as the chain, n times.
            let Expr::BinaryOp { left, op, right } = take(expr) else {
                unreachable!("matched above");
            };
            *expr = binary_op(*left, op, *right)?;
            return Ok(());
        }
        Expr::Position { expr: needle, r#in } => {
            Some(call("instr", vec![(**r#in).clone(), (**needle).clone()]))
        }
        Expr::Substring {
            expr: value,
            substring_from,
            substring_for,
            ..
        } => {
            // `substring(s FROM 'pattern')`: a text FROM is a POSIX regex.
            if let Some(pattern) = substring_from
                .as_deref()
                .filter(|f| string_literal(f).is_some_and(|t| t.trim().parse::<i64>().is_err()))
            {
                if substring_for.is_some() {
                    return Err(unsupported("SUBSTRING ... SIMILAR ... FOR"));
                }
                *expr = call("pg_regexp_substr", vec![(**value).clone(), pattern.clone()]);
                return Ok(());
            }
            let from = substring_from
                .as_deref()
                .cloned()
                .unwrap_or_else(|| super::ast::number(1));
            let mut args = vec![(**value).clone(), from];
            args.extend(substring_for.as_deref().cloned());
            Some(super::functions::substr(args))
        }
        Expr::Trim {
            trim_where,
            trim_what,
            expr: value,
            trim_characters,
        } => {
            let name = match trim_where {
                Some(TrimWhereField::Leading) => "ltrim",
                Some(TrimWhereField::Trailing) => "rtrim",
                _ => "trim",
            };
            let mut args = vec![(**value).clone()];
            args.extend(trim_what.as_deref().cloned());
            args.extend(trim_characters.iter().flatten().cloned());
            Some(call(name, args))
        }
        Expr::Extract {
            field, expr: value, ..
        } => Some(extract(
            &field.to_string().to_ascii_lowercase(),
            (**value).clone(),
        )?),
        Expr::Ceil { expr: value, field } => Some(ceil_floor("ceil", value, field)?),
        Expr::Floor { expr: value, field } => Some(ceil_floor("floor", value, field)?),
        Expr::Array(array) => Some(call("json_array", array.elem.clone())),
        // `x = ANY (SELECT ...)` is `x IN (SELECT ...)`, `x <> ALL (...)` NOT
        // IN, NULLs included (the standard defines them so).
        Expr::AnyOp {
            compare_op: BinaryOperator::Eq,
            right,
            ..
        }
        | Expr::AllOp {
            compare_op: BinaryOperator::NotEq,
            right,
            ..
        } if matches!(**right, Expr::Subquery(_)) => {
            let negated = matches!(expr, Expr::AllOp { .. });
            let (Expr::AnyOp { left, right, .. } | Expr::AllOp { left, right, .. }) = expr else {
                unreachable!("matched above")
            };
            let Expr::Subquery(subquery) = take(right) else {
                unreachable!("matched above")
            };
            Some(Expr::InSubquery {
                expr: Box::new(take(left)),
                subquery,
                negated,
            })
        }
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            right,
            ..
        } => Some(in_json_array(left, right, false)),
        Expr::AllOp {
            left,
            compare_op: BinaryOperator::NotEq,
            right,
        } => Some(in_json_array(left, right, true)),
        Expr::AnyOp {
            left,
            compare_op,
            right,
            ..
        } if is_comparison(compare_op) && !matches!(**right, Expr::Subquery(_)) => {
            Some(quantified(left, compare_op, right, false))
        }
        Expr::AllOp {
            left,
            compare_op,
            right,
        } if is_comparison(compare_op) && !matches!(**right, Expr::Subquery(_)) => {
            Some(quantified(left, compare_op, right, true))
        }
        Expr::AnyOp { compare_op, .. } | Expr::AllOp { compare_op, .. }
            if is_comparison(compare_op) =>
        {
            let all = matches!(expr, Expr::AllOp { .. });
            let (Expr::AnyOp {
                left,
                right,
                compare_op,
                ..
            }
            | Expr::AllOp {
                left,
                right,
                compare_op,
            }) = expr
            else {
                unreachable!("matched above")
            };
            let Expr::Subquery(subquery) = take(right) else {
                unreachable!("arrays matched above")
            };
            Some(quantified_subquery(left, compare_op, subquery, all)?)
        }
        Expr::AnyOp { .. } | Expr::AllOp { .. } => {
            return Err(unsupported("ANY/ALL with this operator"))
        }
        // PostgreSQL's prefix operators: `|/ x` square root, `||/ x` cube
        // root (float8 both), `@ x` absolute value.
        Expr::UnaryOp {
            op:
                op @ (UnaryOperator::PGSquareRoot | UnaryOperator::PGCubeRoot | UnaryOperator::PGAbs),
            expr: inner,
        } => {
            let name = match op {
                UnaryOperator::PGSquareRoot => "sqrt",
                UnaryOperator::PGCubeRoot => "cbrt",
                _ => "abs",
            };
            let arg = match op {
                UnaryOperator::PGAbs => (**inner).clone(),
                _ => template("CAST($1 AS REAL)", [(**inner).clone()]),
            };
            Some(call(name, vec![arg]))
        }
        Expr::IsUnknown(inner) => Some(Expr::IsNull(inner.clone())),
        Expr::IsNotUnknown(inner) => Some(Expr::IsNotNull(inner.clone())),
        Expr::Function(func) => rewrite_function(func)?,
        Expr::Interval(_) => match interval_text(expr)? {
            Some(text) => Some(string(super::literals::interval_value(&text)?)),
            None => return Err(unsupported("interval with a non-literal value")),
        },
        // `time_zone::prepare` turned every one into a call first.
        Expr::AtTimeZone { .. } => return Err(unsupported("AT TIME ZONE here")),
        // The default collations compare as SQLite's BINARY does (psql sends
        // `COLLATE pg_catalog.default`).
        Expr::Collate {
            expr: inner,
            collation,
        } if matches!(
            super::ast::base_name(collation).as_str(),
            "default" | "C" | "POSIX" | "c"
        ) =>
        {
            Some((**inner).clone())
        }
        Expr::Collate { .. } => return Err(unsupported("COLLATE")),
        // `arr[i]` / `t.arr[i]` on a one-dimensional array (a JSON array).
        Expr::CompoundFieldAccess { root, access_chain }
            if array_index(root, access_chain).is_some() =>
        {
            let (array, index) = array_index(root, access_chain).expect("checked by the guard");
            if super::arrays::is_json(&array) {
                Some(super::ast::template(
                    "json_extract($1, '$[' || (($2) - 1) || ']')",
                    [array, index],
                ))
            } else {
                // A stored array in any form; an int2vector or oidvector
                // (the catalog's `indkey`, `1 2`) counts from 0. A value
                // that is none is a `name`, the catalogs' identifier type,
                // whose characters subscript from 0 (pg_dump's
                // `typname[0] = '_'`).
                let stored = super::ast::template(super::catalog::STORED_ARRAY, [array.clone()]);
                Some(super::ast::template(
                    "CASE WHEN json_valid($1) THEN json_extract($1, '$[' || (($2) - \
                     CASE WHEN substr($3, 1, 1) IN ('[', '{') THEN 1 ELSE 0 END) || ']') \
                     ELSE nullif(substr($3, ($2) + 1, 1), '') END",
                    [stored, index, array],
                ))
            }
        }
        // `arr[lo:hi]` (either bound may be left out): the elements from lo
        // to hi, 1-based and inclusive, as an array.
        Expr::CompoundFieldAccess { root, access_chain }
            if array_slice(root, access_chain).is_some() =>
        {
            let (array, lo, hi) = array_slice(root, access_chain).expect("checked by the guard");
            let lo = lo.unwrap_or_else(|| super::ast::number(1));
            let hi = hi.unwrap_or_else(|| super::ast::number(i64::from(i32::MAX)));
            Some(super::ast::template(
                "(SELECT coalesce('[' || group_concat(a, ',') || ']', '[]') FROM \
                 (SELECT $1 -> fullkey AS a FROM json_each($1) \
                 WHERE key + 1 BETWEEN $2 AND $3 ORDER BY key))",
                [super::arrays::stored(array), lo, hi],
            ))
        }
        Expr::CompoundFieldAccess { .. } | Expr::JsonAccess { .. } => {
            return Err(unsupported("array subscripts"))
        }
        // overlay(s placing r from f [for n]): the part of s before f, r, and
        // s after the n replaced characters (n defaults to r's length).
        Expr::Overlay {
            expr,
            overlay_what,
            overlay_from,
            overlay_for,
        } => {
            let count = match overlay_for {
                Some(n) => (**n).clone(),
                None => super::ast::template("length($1)", [(**overlay_what).clone()]),
            };
            Some(super::ast::template(
                "(substr($1, 1, ($3) - 1) || $2 || substr($1, ($3) + ($4)))",
                [
                    (**expr).clone(),
                    (**overlay_what).clone(),
                    (**overlay_from).clone(),
                    count,
                ],
            ))
        }
        Expr::InUnnest { .. } => return Err(unsupported("IN UNNEST")),
        Expr::IsNormalized { .. } => return Err(unsupported("IS NORMALIZED")),
        Expr::IsJson { .. } => return Err(unsupported("IS JSON")),
        Expr::GroupingSets(_) | Expr::Cube(_) | Expr::Rollup(_) => {
            return Err(unsupported("GROUPING SETS, CUBE and ROLLUP"))
        }
        Expr::Convert { .. }
        | Expr::Prefixed { .. }
        | Expr::Struct { .. }
        | Expr::Named { .. }
        | Expr::Dictionary(_)
        | Expr::Map(_)
        | Expr::MatchAgainst { .. }
        | Expr::OuterJoin(_)
        | Expr::Prior(_)
        | Expr::Lambda(_)
        | Expr::MemberOf(_)
        | Expr::RLike { .. } => return Err(unsupported(format!("expression {expr}"))),
        _ => None,
    };
    if let Some(new) = replacement {
        *expr = new;
    }
    Ok(())
}

/// PostgreSQL's grammar takes no subscript straight after `ARRAY[...]`
/// (sqlparser does): `(ARRAY[...])[i]` is the accepted spelling. Runs
/// before the constructor is rewritten.
pub(super) fn check_array_subscript(expr: &Expr) -> Result<(), TranslateError> {
    match expr {
        Expr::CompoundFieldAccess { root, .. } if matches!(**root, Expr::Array(_)) => {
            Err(other("42601", "syntax error at or near \"[\""))
        }
        _ => Ok(()),
    }
}

/// Date arithmetic with an interval on the right: `x + interval '1 day'`,
/// `x - '2 hours'::interval`. Must run before children are rewritten, because
/// an interval on its own is not supported.
pub(super) fn rewrite_interval_arithmetic(expr: &mut Expr) -> Result<(), TranslateError> {
    use super::columns::expr_type;
    use crate::sql::pgtype::PgType;
    let is_interval = |e: &Expr| -> Result<bool, TranslateError> {
        Ok(interval_text(e)?.is_some() || expr_type(e) == Some(PgType::Interval))
    };
    // `- interval '23 hours'`: SQLite would negate the text's leading digits.
    if let Expr::UnaryOp {
        op: UnaryOperator::Minus,
        expr: inner,
    } = expr
    {
        if is_interval(inner)? {
            *expr = call("pg_interval_mul", vec![take(inner), number("-1")]);
        }
        return Ok(());
    }
    let Expr::BinaryOp { left, op, right } = expr else {
        return Ok(());
    };
    // interval * n, n * interval, interval / n: PostgreSQL's interval_mul.
    if matches!(op, BinaryOperator::Multiply | BinaryOperator::Divide) {
        let (iv, factor) = if is_interval(left)? {
            (take(left), take(right))
        } else if matches!(op, BinaryOperator::Multiply) && is_interval(right)? {
            (take(right), take(left))
        } else {
            return Ok(());
        };
        let name = if matches!(op, BinaryOperator::Multiply) {
            "pg_interval_mul"
        } else {
            "pg_interval_div"
        };
        *expr = call(name, vec![iv, factor]);
        return Ok(());
    }
    let negate = match op {
        BinaryOperator::Plus => false,
        BinaryOperator::Minus => true,
        _ => return Ok(()),
    };
    // time +/- interval wraps around midnight; time - time is an interval.
    if expr_type(left) == Some(PgType::Time) {
        let function = match () {
            _ if is_interval(right)? && negate => Some("pg_time_sub"),
            _ if is_interval(right)? || untyped_interval(right).is_some() => Some("pg_time_add"),
            _ if negate && expr_type(right) == Some(PgType::Time) => Some("pg_time_diff"),
            // time + date is below.
            _ => None,
        };
        if let Some(function) = function {
            *expr = call(function, vec![take(left), take(right)]);
            return Ok(());
        }
    }
    // interval +/- interval; an untyped literal beside an interval is one
    // (`'2 hours'::interval + '30 minutes'`).
    let (li, ri) = (is_interval(left)?, is_interval(right)?);
    if (li || untyped_interval(left).is_some())
        && (ri || untyped_interval(right).is_some())
        && (li || ri)
    {
        let name = if negate {
            "pg_interval_sub"
        } else {
            "pg_interval_add"
        };
        *expr = call(name, vec![take(left), take(right)]);
        return Ok(());
    }
    // interval + date/timestamp/time is the same sum the other way round
    // (SQLite would add the leading digits of both texts).
    if li && !negate {
        std::mem::swap(left, right);
        return rewrite_interval_arithmetic(expr);
    }
    let text = match interval_text(right)? {
        Some(text) => text,
        // An interval computed at run time (`interval '1 hour' * n`,
        // `($1 || ' days')::interval`, an interval column).
        None if is_interval(right)? => {
            let name = if negate {
                "pg_timestamp_sub"
            } else {
                "pg_timestamp_add"
            };
            *expr = call(name, vec![take(left), take(right)]);
            return Ok(());
        }
        // `ts + '1 day'`: the untyped literal can only be an interval
        // (PostgreSQL rejects it for a number or text).
        // (`ts - '1 day'` is timestamp - timestamp there: not this.)
        None => match untyped_interval(right) {
            Some(text) if !negate && !is_interval(left)? => text,
            _ => {
                rewrite_date_arithmetic(expr);
                return Ok(());
            }
        },
    };
    // pg_timestamp_add keeps microseconds (strftime's %f stops at
    // milliseconds), reads every interval unit and clamps months as
    // PostgreSQL does.
    let name = if negate {
        "pg_timestamp_sub"
    } else {
        "pg_timestamp_add"
    };
    *expr = call(name, vec![take(left), string(text)]);
    Ok(())
}

/// `date + int`, `date - int` (days) and `date - date` (days between), for
/// operands whose type is known without the schema. SQLite would add the
/// number to the text's leading digits.
fn rewrite_date_arithmetic(expr: &mut Expr) {
    use super::columns::expr_type;
    use crate::sql::pgtype::PgType;
    let Expr::BinaryOp { left, op, right } = expr else {
        return;
    };
    let is_int = |t: Option<PgType>| matches!(t, Some(PgType::Int2 | PgType::Int4 | PgType::Int8));
    let is_ts = |t: Option<PgType>| matches!(t, Some(PgType::Timestamp | PgType::Timestamptz));
    // Each operand's type walks its whole expression: once each.
    let (lt, rt) = (expr_type(left), expr_type(right));
    // timestamp - timestamp is an interval (days and time).
    if matches!(op, BinaryOperator::Minus) && is_ts(lt) && is_ts(rt) {
        *expr = call("pg_timestamp_diff", vec![take(left), take(right)]);
        return;
    }
    // date + time (either order) is that day's timestamp at that time.
    if matches!(op, BinaryOperator::Plus) {
        let pair = match (lt, rt) {
            (Some(PgType::Date), Some(PgType::Time)) => Some([take(left), take(right)]),
            (Some(PgType::Time), Some(PgType::Date)) => Some([take(right), take(left)]),
            _ => None,
        };
        if let Some(day_time) = pair {
            *expr = super::ast::template("($1 || ' ' || $2)", day_time);
            return;
        }
    }
    if lt != Some(PgType::Date) {
        return;
    }
    let (l, r) = (take(left), take(right));
    let minus = matches!(op, BinaryOperator::Minus);
    *expr = match rt {
        Some(PgType::Date) if minus => super::ast::cast(
            nested(Expr::BinaryOp {
                left: Box::new(call("julianday", vec![l])),
                op: BinaryOperator::Minus,
                right: Box::new(call("julianday", vec![r])),
            }),
            DataType::Integer(None),
        ),
        t if is_int(t) => {
            let days = if minus {
                Expr::UnaryOp {
                    op: UnaryOperator::Minus,
                    expr: Box::new(nested(r)),
                }
            } else {
                r
            };
            call(
                "date",
                vec![l, call("printf", vec![string("%+d days"), days])],
            )
        }
        _ => return,
    };
}

/// A quoted literal that reads as an interval but not as a number.
pub(super) fn untyped_interval(expr: &Expr) -> Option<String> {
    let Expr::Value(v) = expr else { return None };
    let Value::SingleQuotedString(text) = &v.value else {
        return None;
    };
    (text.trim().parse::<f64>().is_err()
        && crate::sql::encode::interval::Interval::parse(text).is_some())
    .then(|| text.clone())
}

/// The text of an interval literal: `interval '1 day'`, `interval '1' day`,
/// `'1 day'::interval`.
fn interval_text(expr: &Expr) -> Result<Option<String>, TranslateError> {
    match expr {
        Expr::Interval(interval) => {
            let text = string_literal(&interval.value)
                .ok_or_else(|| unsupported("interval with a non-literal value"))?;
            Ok(Some(match &interval.leading_field {
                Some(field) if interval.last_field.is_none() => format!("{text} {field}"),
                Some(_) => return Err(unsupported("interval field ranges")),
                None => text.to_string(),
            }))
        }
        Expr::Cast {
            expr: inner,
            data_type: DataType::Interval { .. },
            ..
        } => Ok(string_literal(inner).map(str::to_string)),
        Expr::Nested(inner) => interval_text(inner),
        _ => Ok(None),
    }
}

fn nonzero_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse::<f64>().is_ok_and(|f| f != 0.0),
            _ => false,
        },
        Expr::Nested(inner) => nonzero_literal(inner),
        _ => false,
    }
}

/// Operators [`binary_op`] returns unchanged (none of its arms names them).
fn kept_as_is(op: &BinaryOperator) -> bool {
    use BinaryOperator as B;
    matches!(
        op,
        B::Eq
            | B::NotEq
            | B::Lt
            | B::LtEq
            | B::Gt
            | B::GtEq
            | B::And
            | B::Or
            | B::Plus
            | B::Minus
            | B::Multiply
            | B::StringConcat
    )
}

/// `left op right` in SQLite's terms; operators SQLite has come back as
/// they were.
fn binary_op(left: Expr, op: BinaryOperator, right: Expr) -> Result<Expr, TranslateError> {
    use BinaryOperator as B;
    Ok(match op {
        // `regexp(pattern, text)` is registered by the server (Rust regex syntax).
        B::PGRegexMatch => call("regexp", vec![right, left]),
        B::PGRegexIMatch => call("regexp", vec![template("'(?i)' || $1", [right]), left]),
        B::PGRegexNotMatch => not(call("regexp", vec![right, left])),
        B::PGRegexNotIMatch => not(call(
            "regexp",
            vec![template("'(?i)' || $1", [right]), left],
        )),
        B::PGExp => call("power", vec![left, right]),
        B::PGStartsWith => call("starts_with", vec![left, right]),
        // SQLite has no XOR: a # b = (a | b) - (a & b).
        B::PGBitwiseXor => template("((($1) | ($2)) - (($1) & ($2)))", [left, right]),
        // SQLite yields NULL for x / 0; PostgreSQL raises 22012. A non-zero
        // literal divisor needs no check.
        B::Divide | B::Modulo if !nonzero_literal(&right) => Expr::BinaryOp {
            left: Box::new(left),
            op,
            right: Box::new(call("pg_divisor", vec![right])),
        },
        B::Arrow => json_arrow(left, right)?,
        // PostgreSQL's ->> yields text: JSON booleans are 'true'/'false', not
        // 1/0, and a number its digits as written (`12.50`, not the double).
        B::LongArrow => template(
            "CASE json_type($1) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' \
             WHEN 'integer' THEN $1 WHEN 'real' THEN $1 \
             ELSE CAST(json_extract($1, '$') AS TEXT) END",
            [json_arrow(left, right)?],
        ),
        // inet / cidr containment (`ip << '10.0.0.0/8'`): a network
        // literal on either side, where integers would shift.
        B::PGBitwiseShiftLeft if is_network_literal(&left) || is_network_literal(&right) => {
            call("pg_inet_within", vec![left, right, number(1)])
        }
        B::PGBitwiseShiftRight if is_network_literal(&left) || is_network_literal(&right) => {
            call("pg_inet_within", vec![right, left, number(1)])
        }
        B::PGOverlap if is_network_literal(&left) || is_network_literal(&right) => {
            call("pg_inet_overlaps", vec![left, right])
        }
        // `<<=` / `>>=`: contained by or equal (inet only; the tokenizer
        // reads them as custom operators).
        B::Custom(ref op) if op == "<<=" => call("pg_inet_within", vec![left, right, number(0)]),
        B::Custom(ref op) if op == ">>=" => call("pg_inet_within", vec![right, left, number(0)]),
        // Neither side known to be an array (`during && $1`): a range
        // column or parameter is read as one when the statement runs.
        B::PGOverlap
            if !super::arrays::is_json(&left) && !super::arrays::is_json(&right) =>
        {
            template(
                "CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL ELSE \
                 CASE pg_is_range($1) WHEN 'range' THEN pg_range_overlaps($1, $2) ELSE EXISTS (SELECT 1 \
                 FROM json_each($3) AS pg_a, json_each($4) AS pg_b WHERE pg_a.value = pg_b.value) END END",
                [
                    left.clone(),
                    right.clone(),
                    super::arrays::stored(left),
                    super::arrays::stored(right),
                ],
            )
        }
        // jsonb (and array) containment, key existence and paths.
        // Arrays overlap when some non-null element is in both.
        B::PGOverlap => template(
            "CASE WHEN $1 IS NULL OR $2 IS NULL THEN NULL ELSE EXISTS (SELECT 1 \
             FROM json_each($1) AS pg_a, json_each($2) AS pg_b WHERE pg_a.value = pg_b.value) END",
            [super::arrays::stored(left), super::arrays::stored(right)],
        ),
        B::AtArrow => call("pg_json_contains", vec![left, right]),
        B::ArrowAt => call("pg_json_contains", vec![right, left]),
        B::Question => call("pg_json_exists", vec![left, right]),
        B::HashArrow => call("pg_json_path", vec![left, right]),
        B::HashLongArrow => call("pg_json_path_text", vec![left, right]),
        B::QuestionPipe => call(
            "pg_json_exists_any",
            vec![left, super::arrays::stored(right)],
        ),
        B::QuestionAnd => call(
            "pg_json_exists_all",
            vec![left, super::arrays::stored(right)],
        ),
        B::HashMinus => call("pg_jsonb_delete_path", vec![left, right]),
        B::AtQuestion => super::jsonpath::exists_operator(left, right),
        // (`OPERATOR(pg_catalog.+)` became `+` after parsing: see
        // `spelled_out`.)
        B::PGCustomBinaryOperator(_) => return Err(unsupported(format!("operator {op}"))),
        op => Expr::BinaryOp {
            left: Box::new(left),
            op,
            right: Box::new(right),
        },
    })
}

/// A quoted literal that spells an address (`'10.0.0.0/8'`, a cast
/// `'::1'::inet` already read to its text): no array or JSON text.
pub(super) fn is_network_literal(e: &Expr) -> bool {
    match e {
        Expr::Nested(inner) => is_network_literal(inner),
        Expr::Cast { expr, .. } => is_network_literal(expr),
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(s) => {
                !s.trim_start().starts_with(['{', '['])
                    && crate::sql::textual::inet::Inet::parse_any(s).is_ok()
            }
            _ => false,
        },
        _ => false,
    }
}

/// `j -> key`: literal keys become explicit JSON paths so SQLite does not read
/// `$`-prefixed keys as paths; negative indexes count from the end as in PG.
fn json_arrow(left: Expr, right: Expr) -> Result<Expr, TranslateError> {
    let path = match &right {
        Expr::Value(v) => match &v.value {
            Value::SingleQuotedString(key) => {
                if key.contains('"') {
                    return Err(unsupported("JSON keys containing double quotes"));
                }
                Some(format!("$.\"{key}\""))
            }
            Value::Number(n, _) => match n.parse::<i64>() {
                Ok(i) if i >= 0 => Some(format!("$[{i}]")),
                Ok(i) => Some(format!("$[#{i}]")),
                Err(_) => return Err(other("22023", format!("invalid JSON array index {n}"))),
            },
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => match expr.as_ref() {
            Expr::Value(v) => match &v.value {
                Value::Number(n, _) => Some(format!("$[#-{n}]")),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    };
    let key = path.map(string).unwrap_or(right);
    Ok(nested(Expr::BinaryOp {
        left: Box::new(left),
        op: BinaryOperator::Arrow,
        right: Box::new(key),
    }))
}

fn ceil_floor(name: &str, value: &Expr, field: &CeilFloorKind) -> Result<Expr, TranslateError> {
    if !matches!(
        field,
        CeilFloorKind::DateTimeField(DateTimeField::NoDateTime)
    ) {
        return Err(unsupported("CEIL/FLOOR with a field or scale"));
    }
    Ok(call(name, vec![value.clone()]))
}

fn not(expr: Expr) -> Expr {
    Expr::UnaryOp {
        op: UnaryOperator::Not,
        expr: Box::new(expr),
    }
}

/// The ESCAPE character of LIKE / SIMILAR TO: backslash by default, none for
/// `ESCAPE ''`; only a one-character literal can be translated.
pub(super) fn literal_escape(
    escape: Option<&Expr>,
    construct: &str,
) -> Result<Option<char>, TranslateError> {
    match escape {
        None => Ok(Some('\\')),
        Some(e) => match string_literal(e) {
            Some("") => Ok(None),
            Some(s) if s.chars().count() == 1 => Ok(s.chars().next()),
            _ => Err(unsupported(format!(
                "{construct} with a non-literal or multi-character ESCAPE"
            ))),
        },
    }
}

/// Case-sensitive LIKE: a literal pattern becomes a GLOB pattern; otherwise
/// the server's `pg_like(text, pattern[, escape])` decides.
/// `x [NOT] [I]LIKE ANY (array)`: some pattern of the array matches (or,
/// negated, fails to match).
fn like_any(value: Expr, patterns: Expr, negated: bool, insensitive: bool) -> Expr {
    let mut array = patterns;
    while let Expr::Nested(inner) = array {
        array = *inner;
    }
    let matched = if insensitive {
        "$1 LIKE pg_p.value"
    } else {
        "pg_like($1, pg_p.value)"
    };
    let not = if negated { "NOT " } else { "" };
    template(
        &format!("EXISTS (SELECT 1 FROM json_each($2) AS pg_p WHERE {not}{matched})"),
        [value, super::arrays::stored(array)],
    )
}

fn case_sensitive_like(
    value: Expr,
    pattern: &mut Expr,
    escape: Option<&Expr>,
) -> Result<Expr, TranslateError> {
    let escape_char = literal_escape(escape, "LIKE")?;
    if let Some(text) = string_literal(pattern) {
        return Ok(call(
            "glob",
            vec![string(like_to_glob(text, escape_char)?), value],
        ));
    }
    let mut args = vec![value, take(pattern)];
    args.extend(escape.cloned());
    Ok(call("pg_like", args))
}

/// Converts a LIKE pattern to GLOB: `%` -> `*`, `_` -> `?`, GLOB's own
/// metacharacters bracketed so they match literally.
fn like_to_glob(pattern: &str, escape: Option<char>) -> Result<String, TranslateError> {
    let mut out = String::with_capacity(pattern.len());
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        let literal =
            if Some(c) == escape {
                Some(chars.next().ok_or_else(|| {
                    other("22025", "LIKE pattern must not end with escape character")
                })?)
            } else {
                match c {
                    '%' => {
                        out.push('*');
                        None
                    }
                    '_' => {
                        out.push('?');
                        None
                    }
                    c => Some(c),
                }
            };
        match literal {
            Some('*') => out.push_str("[*]"),
            Some('?') => out.push_str("[?]"),
            Some('[') => out.push_str("[[]"),
            Some(c) => out.push(c),
            None => {}
        }
    }
    Ok(out)
}

/// `x = ANY(arr)` / `x <> ALL(arr)` on a JSON-array value:
/// `x [NOT] IN (SELECT value FROM json_each(arr))`.
/// `x op ANY (array)` / `x op ALL (array)` over the JSON array, with
/// PostgreSQL's three-valued result: ANY is true if some comparison is true,
/// false if all are false (or the array is empty), else NULL; ALL the dual.
fn quantified(left: &Expr, op: &BinaryOperator, array: &Expr, all: bool) -> Expr {
    let cmp = format!("(($1) {op} value)");
    let sql = if all {
        format!(
            "(SELECT CASE WHEN $2 IS NULL THEN NULL WHEN sum(NOT {cmp}) > 0 THEN 0 \
             WHEN count(*) = count({cmp}) THEN 1 END FROM json_each($2))"
        )
    } else {
        format!(
            "(SELECT CASE WHEN $2 IS NULL THEN NULL WHEN sum({cmp}) > 0 THEN 1 \
             WHEN count(*) = count({cmp}) THEN 0 END FROM json_each($2))"
        )
    };
    template(&sql, [left.clone(), super::arrays::stored(array.clone())])
}

/// `x > ALL (SELECT ...)`, `x <= ANY (SELECT ...)`: the subquery's one
/// column (named `pg_value` here) compared row by row, with the standard's
/// NULL rules as for arrays above: `(SELECT CASE ... FROM (subquery))`.
fn quantified_subquery(
    left: &Expr,
    op: &BinaryOperator,
    mut subquery: Box<sqlparser::ast::Query>,
    all: bool,
) -> Result<Expr, TranslateError> {
    if !name_only_column(&mut subquery.body) {
        return Err(unsupported(
            "ANY/ALL over a subquery whose one column is not a plain expression",
        ));
    }
    let cmp = format!("(($1) {op} pg_q.pg_value)");
    let sql = if all {
        format!(
            "(SELECT CASE WHEN sum(NOT {cmp}) > 0 THEN 0 WHEN count(*) = count({cmp}) THEN 1 END \
             FROM (SELECT 1 AS pg_value) AS pg_q)"
        )
    } else {
        format!(
            "(SELECT CASE WHEN sum({cmp}) > 0 THEN 1 WHEN count(*) = count({cmp}) THEN 0 END \
             FROM (SELECT 1 AS pg_value) AS pg_q)"
        )
    };
    let mut out = template(&sql, [left.clone()]);
    if let Expr::Subquery(q) = &mut out {
        if let sqlparser::ast::SetExpr::Select(select) = q.body.as_mut() {
            if let Some(sqlparser::ast::TableFactor::Derived { subquery: slot, .. }) =
                select.from.first_mut().map(|f| &mut f.relation)
            {
                *slot = subquery;
                return Ok(out);
            }
        }
    }
    Err(unsupported("ANY/ALL over a subquery"))
}

/// Names a one-column query body's column `pg_value` (the first member of
/// a set operation names the columns); false for `*` or several columns.
fn name_only_column(body: &mut sqlparser::ast::SetExpr) -> bool {
    use sqlparser::ast::{SelectItem, SetExpr};
    match body {
        SetExpr::Select(select) => {
            let [item] = select.projection.as_mut_slice() else {
                return false;
            };
            let expr = match item {
                SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => take(e),
                _ => return false,
            };
            *item = SelectItem::ExprWithAlias {
                expr,
                alias: sqlparser::ast::Ident::new("pg_value"),
            };
            true
        }
        SetExpr::SetOperation { left, .. } => name_only_column(left),
        SetExpr::Query(q) => name_only_column(&mut q.body),
        _ => false,
    }
}

fn in_json_array(left: &Expr, array: &Expr, negated: bool) -> Expr {
    // A NULL array gives NULL, not false (json_each(NULL) is empty). A
    // parameter or literal keeps the bare IN, which an index can serve.
    let may_be_null = !matches!(array, Expr::Value(_) | Expr::Array(_))
        && !matches!(array, Expr::Function(f) if super::ast::base_name(&f.name) == "json_array")
        && super::ast::string_literal(array).is_none()
        && !matches!(array, Expr::Cast { expr, .. } if matches!(**expr, Expr::Value(_)));
    let sql = match (negated, may_be_null) {
        (true, false) => "$1 NOT IN (SELECT value FROM json_each($2))",
        (false, false) => "$1 IN (SELECT value FROM json_each($2))",
        (true, true) => {
            "CASE WHEN $2 IS NULL THEN NULL ELSE $1 NOT IN (SELECT value FROM json_each($2)) END"
        }
        (false, true) => {
            "CASE WHEN $2 IS NULL THEN NULL ELSE $1 IN (SELECT value FROM json_each($2)) END"
        }
    };
    // A column may hold an int2vector or oidvector's text (the catalog's
    // `indkey`, `1 2`: `attnum = ANY (ix.indkey)`), read as the catalog's
    // other array uses read it.
    let stored = match array {
        Expr::Identifier(_) | Expr::CompoundIdentifier(_) => {
            template(super::catalog::STORED_ARRAY, [array.clone()])
        }
        _ => super::arrays::stored(array.clone()),
    };
    template(sql, [left.clone(), stored])
}

/// `root[lo:hi]` as (the array, its bounds); one slice without a stride.
fn array_slice(
    root: &Expr,
    chain: &[sqlparser::ast::AccessExpr],
) -> Option<(Expr, Option<Expr>, Option<Expr>)> {
    use sqlparser::ast::{AccessExpr, Subscript};
    match chain {
        [AccessExpr::Subscript(Subscript::Slice {
            lower_bound,
            upper_bound,
            stride: None,
        })] => Some((root.clone(), lower_bound.clone(), upper_bound.clone())),
        _ => None,
    }
}

/// `root.a.b[i]` as (the array column, the index): dotted names then one subscript.
fn array_index(root: &Expr, chain: &[sqlparser::ast::AccessExpr]) -> Option<(Expr, Expr)> {
    use sqlparser::ast::{AccessExpr, Subscript};
    let (last, dots) = chain.split_last()?;
    let AccessExpr::Subscript(Subscript::Index { index }) = last else {
        return None;
    };
    if dots.is_empty() {
        return Some((root.clone(), index.clone()));
    }
    let mut idents = match root {
        Expr::Identifier(i) => vec![i.clone()],
        Expr::CompoundIdentifier(ids) => ids.clone(),
        _ => return None,
    };
    for d in dots {
        match d {
            AccessExpr::Dot(Expr::Identifier(i)) => idents.push(i.clone()),
            _ => return None,
        }
    }
    Some((Expr::CompoundIdentifier(idents), index.clone()))
}

/// `OPERATOR(pg_catalog.~)` and friends, as psql and pg_dump write them,
/// as the built-in operator, before anything reads the statement (so the
/// comparison is typed boolean, `||` concatenates arrays, ...); see
/// `spelled_out`.
pub(super) fn plain_operator(op: &mut sqlparser::ast::BinaryOperator) {
    if let sqlparser::ast::BinaryOperator::PGCustomBinaryOperator(parts) = op {
        if let Some(plain) = builtin_operator(parts) {
            *op = plain;
        }
    }
}

fn builtin_operator(parts: &[String]) -> Option<sqlparser::ast::BinaryOperator> {
    use sqlparser::ast::BinaryOperator as B;
    let builtin = match parts {
        [op] => op.as_str(),
        [schema, op] if schema == "pg_catalog" => op.as_str(),
        _ => return None,
    };
    Some(match builtin {
        "~" => B::PGRegexMatch,
        "~*" => B::PGRegexIMatch,
        "!~" => B::PGRegexNotMatch,
        "!~*" => B::PGRegexNotIMatch,
        "~~" => B::PGLikeMatch,
        "~~*" => B::PGILikeMatch,
        "!~~" => B::PGNotLikeMatch,
        "!~~*" => B::PGNotILikeMatch,
        "=" => B::Eq,
        "<>" | "!=" => B::NotEq,
        "<" => B::Lt,
        "<=" => B::LtEq,
        ">" => B::Gt,
        ">=" => B::GtEq,
        "+" => B::Plus,
        "-" => B::Minus,
        "*" => B::Multiply,
        "/" => B::Divide,
        "%" => B::Modulo,
        "^" => B::PGExp,
        "||" => B::StringConcat,
        "->" => B::Arrow,
        "->>" => B::LongArrow,
        "#>" => B::HashArrow,
        "#>>" => B::HashLongArrow,
        "@>" => B::AtArrow,
        "<@" => B::ArrowAt,
        "&&" => B::PGOverlap,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The shortcut in [`rewrite_expr`] skips exactly what `binary_op`
    /// would have returned unchanged.
    #[test]
    fn operators_kept_as_is_are_what_binary_op_returns_unchanged() {
        use BinaryOperator as B;
        let column = |name: &str| Expr::Identifier(sqlparser::ast::Ident::new(name));
        for op in [
            B::Eq,
            B::NotEq,
            B::Lt,
            B::LtEq,
            B::Gt,
            B::GtEq,
            B::And,
            B::Or,
            B::Plus,
            B::Minus,
            B::Multiply,
            B::StringConcat,
        ] {
            assert!(kept_as_is(&op));
            let kept = Expr::BinaryOp {
                left: Box::new(column("a")),
                op: op.clone(),
                right: Box::new(column("b")),
            };
            let rewritten = binary_op(column("a"), op, column("b")).unwrap();
            assert_eq!(rewritten, kept);
        }
        assert!(!kept_as_is(&B::Divide));
        assert!(!kept_as_is(&B::Arrow));
    }
}
