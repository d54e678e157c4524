//! SQL the translator wrote for the local engine, made runnable on a remote
//! libSQL server, which lacks pgtenant's SQL functions. Only wrappers whose
//! removal keeps the statement's meaning for valid input are undone:
//! `pg_column_input(value, table, column)` becomes `value` (the server then
//! stores what it is given, as SQLite would, without PostgreSQL's input
//! checks), `SELECT pg_drop_check(...)` before a DROP TABLE is left out
//! (no 2BP01 check), and so are the `SELECT pg_raise(...) WHERE ...`
//! checks of COMMENT ON (which read the catalog views: the session runs
//! them on its schema mirror, see [`schema_checks`]), and the exact numeric functions of result
//! columns go back to SQLite's arithmetic (`pg_avg(x, c)` → `avg(x)`,
//! `pg_numeric_div(a, b)` → `(a / b)`: doubles instead of exact decimals),
//! and `pgtenant_single(x)` of a scalar subquery becomes `max(x)` (the same
//! value for one row or none; no 21000 for several), and the GROUP BY
//! check `pg_group_check(...)` becomes `1` (no 42803), and so does the
//! identity check `pg_identity_check(...)` (no 428C9), and
//! the checked casts `pg_to_int4(x)` (and int2, int8, numeric, float8)
//! become SQLite's CAST, `pg_numeric_round(x, p, s)` `round(x, s)`, `pg_column_type(...)` becomes NULL (`date_column + 7` is then SQLite's
//! arithmetic, as before the local engine learned it), `pg_column_text(x,
//! ..)` becomes `x` (the stored form: `1` for true), and the interval
//! reading of EXTRACT, `pg_interval_part(...)`, NULL, interval comparison
//! `pg_interval_cmp(a, b)` a comparison of the texts (a known interval
//! extracts NULL; a column falls back to nothing after its timestamp
//! reading), a populated row's field `pg_populate_field(object, t, c,
//! jsonb)` SQLite's `json_extract(object, '$."c"')` (no input rules: a
//! number stays a number, true is 1), the clock `pg_now(..)` SQLite's
//! `'now'` (per statement, in milliseconds, instead of per transaction),
//! and `pg_timestamp_add(ts, 'literal')` SQLite's date modifiers, and
//! `pg_div(l, r, numeric)` a CASE between real and SQLite's division
//! (`pg_mod` SQLite's `%`).

use sqlparser::ast::{
    visit_expressions_mut, BinaryOperator, Expr, FunctionArg, FunctionArgExpr, FunctionArguments,
    Ident, ObjectName, SelectItem, SetExpr, Statement,
};
use sqlparser::dialect::SQLiteDialect;
use sqlparser::parser::Parser;
use std::borrow::Cow;
use std::ops::ControlFlow;

const WRAPPERS: [&str; 11] = [
    "pg_column_input",
    // A selected value rounded to its column's scale: stored as given.
    "pg_column_scaled",
    // A timestamptz in the session's zone: a remote session reads UTC.
    "pg_tz_local",
    "pg_tz_utc",
    // A typed value's output text: the remote gives the stored form.
    "pg_value_text",
    // Fractional seconds rounded to a precision: the remote keeps them all.
    "pg_round_seconds",
    "pg_column_literal",
    "pg_drop_check",
    "pg_column_text",
    "pg_column_json",
    "pg_column_element",
];
const OPERATORS: [(&str, BinaryOperator); 4] = [
    ("pg_numeric_add", BinaryOperator::Plus),
    ("pg_numeric_sub", BinaryOperator::Minus),
    ("pg_numeric_mul", BinaryOperator::Multiply),
    ("pg_numeric_div", BinaryOperator::Divide),
];

/// `sql` without the local-only wrappers (unchanged when it has none, or
/// does not parse back).
pub fn portable(sql: &str) -> Cow<'_, str> {
    portable_with(sql, &|_, _| None)
}

/// A column's declared type name by `pg_column_type`'s arguments.
pub type ColumnTypes<'a> = &'a dyn Fn(&str, &str) -> Option<String>;

/// [`portable`], with `pg_column_type(scopes, column)` answered by
/// `types` (the remote schema's mirror) instead of NULL.
pub fn portable_with<'s>(sql: &'s str, types: ColumnTypes<'_>) -> Cow<'s, str> {
    if !WRAPPERS.iter().any(|w| sql.contains(w))
        && !sql.contains("pg_numeric_")
        && !sql.contains("pg_avg(")
        && !sql.contains("pgtenant_single(")
        && !sql.contains("pg_group_check(")
        && !sql.contains("pg_identity_check(")
        && !sql.contains("pg_column_type(")
        && !sql.contains("pg_is_range(")
        && !sql.contains("pg_interval_part(")
        && !sql.contains("pg_to_")
        && !sql.contains("pg_cast_timestamp(")
        && !sql.contains("pg_column_concat(")
        && !sql.contains("pg_numeric_round(")
        && !sql.contains("pg_interval_cmp(")
        && !sql.contains("pg_now(")
        && !sql.contains("pg_timestamp_")
        && !sql.contains("pg_populate_")
        && !sql.contains("pg_raise(")
        && !sql.contains("pg_raise_notice(")
        && !sql.contains("pg_div(")
        && !sql.contains("pg_mod(")
    {
        return Cow::Borrowed(sql);
    }
    let Ok(mut statements) = Parser::parse_sql(&SQLiteDialect {}, sql) else {
        return Cow::Borrowed(sql);
    };
    statements.retain(|s| !is_drop_check(s));
    let _ = visit_expressions_mut(&mut statements, |e| {
        if let Some(inner) = unwrapped(e, types) {
            *e = inner;
        }
        ControlFlow::<()>::Continue(())
    });
    crate::sql::string_literals::seal(&mut statements);
    let text: Vec<String> = statements.iter().map(ToString::to_string).collect();
    Cow::Owned(text.join("; "))
}

/// `CASE 'timestamptz' WHEN 'time' THEN pg_time_add(..) ELSE .. END`, the
/// column's type known once `pg_column_type` is answered (or NULL: no WHEN
/// matches): the branch it picks, so the local-only functions of the other
/// branches are not sent.
fn chosen_branch(e: &Expr) -> Option<Expr> {
    let Expr::Case {
        operand: Some(operand),
        conditions,
        else_result,
        ..
    } = e
    else {
        return None;
    };
    fn literal(e: &Expr) -> Option<Option<&str>> {
        match e {
            Expr::Value(v) => match &v.value {
                sqlparser::ast::Value::SingleQuotedString(s) => Some(Some(s.as_str())),
                sqlparser::ast::Value::Null => Some(None),
                _ => None,
            },
            _ => None,
        }
    }
    let chosen = literal(operand)?;
    for when in conditions {
        let condition = literal(&when.condition)?;
        if chosen.is_some() && condition == chosen {
            return Some(when.result.clone());
        }
    }
    Some(
        else_result
            .as_deref()
            .cloned()
            .unwrap_or_else(|| Expr::value(sqlparser::ast::Value::Null)),
    )
}

/// `pg_timestamp_add(ts, 'interval literal')` (and `_sub`) as SQLite's
/// date modifiers (milliseconds; months as SQLite counts them).
fn timestamp_plus_literal(f: &sqlparser::ast::Function, name: &str) -> Option<Expr> {
    let negate = match name {
        "pg_timestamp_add" => false,
        "pg_timestamp_sub" => true,
        _ => return None,
    };
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let [FunctionArg::Unnamed(FunctionArgExpr::Expr(ts)), FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::Value(v)))] =
        list.args.as_slice()
    else {
        return None;
    };
    let sqlparser::ast::Value::SingleQuotedString(text) = &v.value else {
        return None;
    };
    let modifiers = crate::sql::translate::interval_modifiers(text, negate).ok()?;
    let mut sql = format!("strftime('%Y-%m-%d %H:%M:%f', {ts}");
    for m in modifiers {
        sql.push_str(&format!(", '{}'", m.replace('\'', "''")));
    }
    sql.push(')');
    sqlite_expr(&sql)
}

/// An SQLite expression built from the statement's own parts.
fn sqlite_expr(sql: &str) -> Option<Expr> {
    Parser::new(&SQLiteDialect {})
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .ok()
}

/// The translator's `SELECT pg_drop_check(...)` statement, a check
/// raising an error (`SELECT pg_raise(...) WHERE ...`), or DROP IF EXISTS's
/// notice (a remote session sends none).
fn is_drop_check(s: &Statement) -> bool {
    is_check(s, "pg_drop_check") || is_check(s, "pg_raise") || is_check(s, "pg_raise_notice")
}

/// A statement selecting only `function(...)`.
fn is_check(s: &Statement, function: &str) -> bool {
    let Statement::Query(q) = s else { return false };
    let SetExpr::Select(select) = q.body.as_ref() else {
        return false;
    };
    matches!(select.projection.as_slice(), [SelectItem::UnnamedExpr(Expr::Function(f))]
        if f.name.to_string().eq_ignore_ascii_case(function))
}

/// The `SELECT pg_raise(...) WHERE ...` checks of `sql` (COMMENT ON's),
/// which [`portable`] leaves out: they read only the schema and the
/// catalog views, so the session runs them on its schema mirror instead.
pub fn schema_checks(sql: &str) -> Vec<String> {
    if !sql.contains("pg_raise(") {
        return Vec::new();
    }
    let Ok(statements) = Parser::parse_sql(&SQLiteDialect {}, sql) else {
        return Vec::new();
    };
    statements
        .iter()
        .filter(|s| is_check(s, "pg_raise"))
        .map(ToString::to_string)
        .collect()
}

fn unwrapped(e: &Expr, types: ColumnTypes<'_>) -> Option<Expr> {
    if let Expr::Case { .. } = e {
        return chosen_branch(e);
    }
    let Expr::Function(f) = e else { return None };
    let name = f.name.0.last()?.as_ident()?.value.to_ascii_lowercase();
    if name == "pg_now" {
        return sqlite_expr("strftime('%Y-%m-%d %H:%M:%f', 'now')");
    }
    // `&&` of operands of unknown type: arrays there (no range types).
    if name == "pg_is_range" {
        return Some(Expr::value(sqlparser::ast::Value::Null));
    }
    if let Some(e) = timestamp_plus_literal(f, &name) {
        return Some(e);
    }
    let FunctionArguments::List(list) = &f.args else {
        return None;
    };
    let arg = |i: usize| match list.args.get(i)? {
        FunctionArg::Unnamed(FunctionArgExpr::Expr(inner)) => Some(inner.clone()),
        _ => None,
    };
    if WRAPPERS.contains(&name.as_str()) {
        return arg(0);
    }
    // A populated row's field: SQLite's reading of the JSON value (no
    // input rules); the set form's array as it is.
    if name == "pg_populate_rows" {
        return arg(0);
    }
    if name == "pg_populate_field" {
        let Some(Expr::Value(column)) = arg(2) else {
            return None;
        };
        let sqlparser::ast::Value::SingleQuotedString(column) = &column.value else {
            return None;
        };
        let path = format!("$.\"{}\"", column.replace('"', "\\\""));
        return Some(Expr::Function(sqlparser::ast::Function {
            name: ObjectName::from(vec![Ident::new("json_extract")]),
            args: FunctionArguments::List(sqlparser::ast::FunctionArgumentList {
                duplicate_treatment: None,
                args: vec![
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(arg(0)?)),
                    FunctionArg::Unnamed(FunctionArgExpr::Expr(Expr::value(
                        sqlparser::ast::Value::SingleQuotedString(path),
                    ))),
                ],
                clauses: vec![],
            }),
            ..f.clone()
        }));
    }
    if let Some((_, op)) = OPERATORS.iter().find(|(n, _)| *n == name) {
        return Some(Expr::Nested(Box::new(Expr::BinaryOp {
            left: Box::new(arg(0)?),
            op: op.clone(),
            right: Box::new(arg(1)?),
        })));
    }
    // A timestamptz literal (zone-less ones are cast when they run, in the
    // session's zone): its storage form now, read as UTC.
    if name == "pg_cast_timestamp" && arg(1).is_some_and(|k| k.to_string() == "'tz'") {
        if let Some(Expr::Value(v)) = arg(0) {
            if let sqlparser::ast::Value::SingleQuotedString(text) = &v.value {
                let stored = crate::sql::decode::decode_param(
                    Some(text.as_bytes()),
                    crate::sql::pgtype::PgType::Timestamptz,
                    false,
                );
                if let Ok(rusqlite::types::Value::Text(t)) = stored {
                    return Some(Expr::value(sqlparser::ast::Value::SingleQuotedString(t)));
                }
            }
        }
    }
    // Checked casts: SQLite's own for valid input (an integer cast rounds
    // a fraction, as PostgreSQL's numeric-to-integer cast does).
    let target = match (name.as_str(), list.args.len()) {
        ("pg_to_int2" | "pg_to_int4" | "pg_to_int8", 1) => Some("CAST(round($1) AS INTEGER)"),
        ("pg_to_numeric", 1) => Some("CAST($1 AS NUMERIC)"),
        // (A remote real keeps its double's digits.)
        ("pg_float4_text", 1) => Some("$1"),
        // A numeric's text at its scale: SQLite's own text of the number.
        ("pg_numeric_text", 2) => Some("CAST($1 AS TEXT)"),
        ("pg_to_float8", 1) => Some("CAST($1 AS REAL)"),
        // Timestamp casts: SQLite's strftime (milliseconds, `+HH:MM` offsets).
        ("pg_cast_timestamp", 2) if arg(1).is_some_and(|k| k.to_string() == "'time'") => {
            Some("strftime('%H:%M:%f', $1)")
        }
        ("pg_cast_timestamp", 2) if arg(1).is_some_and(|k| k.to_string() == "'date'") => {
            Some("date($1)")
        }
        ("pg_cast_timestamp", 2) => Some("strftime('%Y-%m-%d %H:%M:%f', $1)"),
        _ => None,
    };
    // Division by a column's type: real division when it is numeric (no
    // 22012: SQLite's NULL for a zero divisor); SQLite's remainder.
    if name == "pg_div" {
        let (l, r, numeric) = (arg(0)?, arg(1)?, arg(2)?);
        return sqlite_expr(&format!(
            "(CASE WHEN {numeric} THEN CAST({l} AS REAL) / ({r}) ELSE ({l}) / ({r}) END)"
        ));
    }
    if name == "pg_mod" {
        return sqlite_expr(&format!("(({}) % ({}))", arg(0)?, arg(1)?));
    }
    // numeric(p, s): rounded to s places (no 22003 past p digits).
    if name == "pg_numeric_round" {
        let mut round = f.clone();
        round.name = ObjectName::from(vec![Ident::new("round")]);
        if let FunctionArguments::List(list) = &mut round.args {
            if list.args.len() == 3 {
                list.args.remove(1);
            }
        }
        return Some(Expr::Function(round));
    }
    if let (Some(template), Some(x)) = (target, arg(0)) {
        return sqlite_expr(&template.replace("$1", &x.to_string()));
    }
    // `a || b` in SQLite's sense (the column is the left operand unless
    // the last argument says it is the right one).
    if name == "pg_column_concat" {
        let (a, b) = (arg(0)?, arg(1)?);
        let on_right = matches!(arg(4), Some(Expr::Value(v)) if v.value.to_string() == "1");
        let (left, right) = if on_right { (b, a) } else { (a, b) };
        return Some(Expr::Nested(Box::new(Expr::BinaryOp {
            left: Box::new(left),
            op: BinaryOperator::StringConcat,
            right: Box::new(right),
        })));
    }
    if name == "pg_column_type" {
        let text = |e: Option<Expr>| match e {
            Some(Expr::Value(v)) => match v.value {
                sqlparser::ast::Value::SingleQuotedString(s) => Some(s),
                _ => None,
            },
            _ => None,
        };
        let known = text(arg(0))
            .zip(text(arg(1)))
            .and_then(|(s, c)| types(&s, &c));
        return Some(Expr::value(match known {
            Some(t) => sqlparser::ast::Value::SingleQuotedString(t),
            None => sqlparser::ast::Value::Null,
        }));
    }
    // Intervals compared by their text, as before the local engine learned
    // PostgreSQL's rule ('1 day' and '24 hours' differ here).
    if name == "pg_interval_cmp" {
        let (a, b) = (arg(0)?, arg(1)?);
        return sqlite_expr(&format!(
            "(CASE WHEN {a} < {b} THEN -1 WHEN {a} > {b} THEN 1 WHEN {a} = {b} THEN 0 END)"
        ));
    }
    if name == "pg_interval_part" {
        return Some(Expr::value(sqlparser::ast::Value::Null));
    }
    if name == "pg_group_check" || name == "pg_identity_check" {
        return Some(Expr::value(sqlparser::ast::Value::Number(
            "1".into(),
            false,
        )));
    }
    if name == "pgtenant_single" {
        let mut max = f.clone();
        max.name = ObjectName::from(vec![Ident::new("max")]);
        return Some(Expr::Function(max));
    }
    // A real column's sum: SQLite's (in double precision), its FILTER and
    // OVER kept.
    if name == "pg_column_sum" && arg(1).is_some_and(|k| k.to_string() == "'float4'") {
        let mut sum = f.clone();
        sum.name = ObjectName::from(vec![Ident::new("sum")]);
        if let FunctionArguments::List(list) = &mut sum.args {
            list.args.truncate(1);
        }
        return Some(Expr::Function(sum));
    }
    if name == "pg_numeric_sum" {
        let mut sum = f.clone();
        sum.name = ObjectName::from(vec![Ident::new("sum")]);
        return Some(Expr::Function(sum));
    }
    if name == "pg_avg" {
        let mut avg = f.clone();
        avg.name = ObjectName::from(vec![Ident::new("avg")]);
        if let FunctionArguments::List(list) = &mut avg.args {
            list.args.truncate(1);
        }
        return Some(Expr::Function(avg));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::portable;

    #[test]
    fn column_input_wrappers_are_removed() {
        assert_eq!(
            portable("INSERT INTO t (a, b) VALUES (pg_column_input(?1, 't', 'a'), 2)"),
            "INSERT INTO t (a, b) VALUES (?1, 2)"
        );
        assert_eq!(portable("SELECT 1"), "SELECT 1");
        assert_eq!(
            portable(
                "SELECT pg_populate_field(value, 't', 'id', 1) AS \"id\" \
                 FROM json_each(pg_populate_rows(?1, 'jsonb_populate_recordset'))"
            ),
            "SELECT json_extract(value, '$.\"id\"') AS \"id\" FROM json_each(?1)"
        );
        assert_eq!(
            portable("SELECT pg_to_int4(a + 1), pg_to_numeric('1.5') FROM s"),
            "SELECT CAST(round(a + 1) AS INTEGER), CAST('1.5' AS NUMERIC) FROM s"
        );
        assert_eq!(
            portable("SELECT 'a' || pg_column_text(b, 's', 'b', 1) FROM s"),
            "SELECT 'a' || b FROM s"
        );
        assert_eq!(
            portable("SELECT pg_drop_check('a', 'a'); DROP TABLE a"),
            "DROP TABLE a"
        );
        assert_eq!(
            portable("SELECT pg_numeric_sub(s, pg_avg(s, 'emp.s') OVER (PARTITION BY d)) FROM emp"),
            "SELECT (s - avg(s) OVER (PARTITION BY d)) FROM emp"
        );
    }

    /// COMMENT ON and the comment upkeep of DROP and RENAME run remotely:
    /// no local function is left, every statement is kept otherwise.
    #[test]
    fn comment_statements_are_plain_sql() {
        for pg in [
            "COMMENT ON TABLE t IS 'x'",
            "COMMENT ON COLUMN public.t.c IS $$it's$$",
            "COMMENT ON INDEX i IS NULL",
            "DROP TABLE a, b",
            "DROP VIEW IF EXISTS v",
            "DROP INDEX i",
            "ALTER TABLE t RENAME TO u",
            "ALTER TABLE t RENAME COLUMN a TO b",
            "ALTER TABLE t DROP COLUMN a",
        ] {
            let t = crate::sql::translate::translate(pg).unwrap().remove(0);
            let out = portable(&t.sql);
            assert!(
                !out.contains("pg_raise") && !out.contains("pg_drop_check"),
                "{pg}: {out}"
            );
            let kept = t
                .sql
                .split("; ")
                .filter(|s| !s.starts_with("SELECT pg_"))
                .count();
            assert_eq!(out.split("; ").count(), kept, "{pg}: {out}");
        }
        let t = crate::sql::translate::translate("COMMENT ON COLUMN t.c IS 'x'").unwrap();
        let checks = super::schema_checks(&t[0].sql);
        assert_eq!(checks.len(), 3, "{checks:?}");
        assert!(checks.iter().all(|c| c.starts_with("SELECT pg_raise(")));
    }
}
