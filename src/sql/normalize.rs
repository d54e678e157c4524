//! Lifting literals out of simple-protocol DML so repeated queries that
//! differ only in constants (`... WHERE aid = 48213`) share one cached
//! translation and one prepared SQLite statement, the way a driver's
//! prepared statement would.
//!
//! Works on sqlparser tokens, never on raw text patterns, and only lifts a
//! literal where a parameter means exactly the same thing: the right side of
//! a comparison, LIMIT/OFFSET, and whole items of a VALUES row. Anything else
//! (select-list constants, LIKE patterns, typed literals such as
//! `DATE '...'`, casts) keeps its literal, since the translator may read it.

use rusqlite::types::Value;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

/// A query string with literals replaced by `$n`, numbered per statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    pub text: String,
    /// Lifted values of each non-empty statement, in order.
    pub literals: Vec<Vec<Value>>,
}

fn is_trivia(t: &Token) -> bool {
    matches!(t, Token::Whitespace(_))
}

fn starts_dml(tokens: &[&TokenWithSpan]) -> bool {
    match tokens.first().map(|t| &t.token) {
        Some(Token::Word(w)) => matches!(
            w.keyword,
            Keyword::SELECT | Keyword::INSERT | Keyword::UPDATE | Keyword::DELETE | Keyword::WITH
        ),
        _ => false,
    }
}

fn literal_value(t: &Token) -> Option<Value> {
    match t {
        Token::Number(n, _) => {
            if let Ok(i) = n.parse::<i64>() {
                Some(Value::Integer(i))
            } else {
                // Beyond i64 or with a fraction: only lift what a REAL holds
                // exactly enough to compare like the literal would.
                n.parse::<f64>()
                    .ok()
                    .filter(|_| n.len() <= 15)
                    .map(Value::Real)
            }
        }
        Token::SingleQuotedString(s) => Some(Value::Text(s.clone())),
        _ => None,
    }
}

/// Whether an operand may start after `t` (so a `-` after it is a sign).
fn operand_start(t: &Token) -> bool {
    matches!(
        t,
        Token::Eq
            | Token::Neq
            | Token::Lt
            | Token::Gt
            | Token::LtEq
            | Token::GtEq
            | Token::LParen
            | Token::Comma
            | Token::Plus
            | Token::Minus
            | Token::Mul
    ) || matches!(t, Token::Word(w) if matches!(w.keyword, Keyword::LIMIT | Keyword::OFFSET))
}

/// Normalizes `sql`, or `None` when nothing would be lifted (or it does not tokenize).
pub fn normalize(sql: &str) -> Option<Normalized> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let mut locator = super::locator::Locator::new(sql);
    let mut statements: Vec<Vec<&TokenWithSpan>> = vec![Vec::new()];
    for t in &tokens {
        if t.token == Token::SemiColon {
            statements.push(Vec::new());
        } else if !is_trivia(&t.token) {
            statements
                .last_mut()
                .expect("one statement at least")
                .push(t);
        }
    }
    // (byte range, placeholder) edits over the original text
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    let mut literals = Vec::new();
    for stmt in statements.iter().filter(|s| !s.is_empty()) {
        let mut values = Vec::new();
        if starts_dml(stmt) {
            let update = matches!(&stmt[0].token, Token::Word(w) if w.keyword == Keyword::UPDATE);
            // Only an INSERT's VALUES rows go into typed columns; a VALUES
            // list a query reads (`FROM (VALUES (1.10))`) types itself from
            // its literals, numeric scale included.
            let insert = matches!(&stmt[0].token, Token::Word(w) if w.keyword == Keyword::INSERT);
            let mut depth = 0usize;
            let mut values_depth: Option<usize> = None;
            // Inside an UPDATE's SET list (at the statement's top level).
            let mut in_set = false;
            for i in 0..stmt.len() {
                let tok = &stmt[i].token;
                match tok {
                    Token::LParen => depth += 1,
                    Token::RParen => {
                        depth = depth.saturating_sub(1);
                        if values_depth.is_some_and(|d| depth < d.saturating_sub(1)) {
                            values_depth = None;
                        }
                    }
                    Token::Word(w) if insert && w.keyword == Keyword::VALUES => {
                        values_depth = Some(depth + 1)
                    }
                    Token::Word(w) if update && depth == 0 && w.keyword == Keyword::SET => {
                        in_set = true
                    }
                    Token::Word(w)
                        if depth == 0
                            && matches!(
                                w.keyword,
                                Keyword::FROM | Keyword::WHERE | Keyword::RETURNING
                            ) =>
                    {
                        in_set = false
                    }
                    _ => {}
                }
                if let Token::Word(w) = tok {
                    if matches!(
                        w.keyword,
                        Keyword::ON | Keyword::RETURNING | Keyword::SELECT | Keyword::WHERE
                    ) && values_depth.is_some_and(|d| depth < d)
                    {
                        values_depth = None
                    }
                }
                let Some(mut value) = literal_value(tok) else {
                    continue;
                };
                // A minus sign in front of a number where an operand starts
                // (`= -5`, `(-5,`, `+ -5`) is part of the literal.
                let mut first = i;
                if i >= 2
                    && matches!(value, Value::Integer(_) | Value::Real(_))
                    && stmt[i - 1].token == Token::Minus
                    && operand_start(&stmt[i - 2].token)
                {
                    value = match value {
                        Value::Integer(n) => Value::Integer(-n),
                        Value::Real(r) => Value::Real(-r),
                        other => other,
                    };
                    first = i - 1;
                }
                let prev = first.checked_sub(1).map(|p| &stmt[p].token);
                let next = stmt.get(i + 1).map(|t| &t.token);
                let compared = matches!(
                    prev,
                    Some(
                        Token::Eq | Token::Neq | Token::Lt | Token::Gt | Token::LtEq | Token::GtEq
                    )
                ) || matches!(prev, Some(Token::Word(w)) if matches!(w.keyword, Keyword::LIMIT | Keyword::OFFSET));
                let in_values = values_depth == Some(depth)
                    && matches!(prev, Some(Token::LParen | Token::Comma))
                    && matches!(next, Some(Token::Comma | Token::RParen));
                // `SET balance = balance + 25`: an integer operand of + - *
                // is exact whatever its representation, and the assignment
                // has no result column. The placeholder keeps the literal's
                // type (`$1::int4`), which the translator reads (`date + 5`).
                let set_operand = in_set
                    && matches!(value, Value::Integer(_))
                    && matches!(prev, Some(Token::Plus | Token::Minus | Token::Mul))
                    && !matches!(next, Some(Token::Div | Token::Mod | Token::Caret));
                let next_ok = !matches!(
                    next,
                    Some(Token::DoubleColon | Token::LParen | Token::Period | Token::LBracket)
                );
                if (compared || in_values || set_operand) && next_ok {
                    let (start, end) = (stmt[first].span.start, stmt[i].span.end);
                    let (Some(a), Some(b)) = (
                        locator.offset(start.line, start.column),
                        locator.offset(end.line, end.column),
                    ) else {
                        return None;
                    };
                    let cast = match value {
                        Value::Integer(n) if set_operand => {
                            if i32::try_from(n).is_ok() {
                                "::int4"
                            } else {
                                "::int8"
                            }
                        }
                        _ => "",
                    };
                    values.push(value);
                    edits.push((a, b, format!("${}{cast}", values.len())));
                }
            }
        }
        literals.push(values);
    }
    if edits.is_empty() {
        return None;
    }
    let mut text = String::with_capacity(sql.len());
    let mut at = 0;
    for (a, b, placeholder) in edits {
        text.push_str(&sql[at..a]);
        text.push_str(&placeholder);
        at = b;
    }
    text.push_str(&sql[at..]);
    Some(Normalized { text, literals })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(sql: &str) -> Option<(String, Vec<Vec<Value>>)> {
        normalize(sql).map(|n| (n.text, n.literals))
    }

    #[test]
    fn lifts_comparisons_limits_and_values() {
        let (t, l) = norm("SELECT abalance FROM pgbench_accounts WHERE aid = 48213;").unwrap();
        assert_eq!(t, "SELECT abalance FROM pgbench_accounts WHERE aid = $1;");
        assert_eq!(l, vec![vec![Value::Integer(48213)]]);
        let (t, l) =
            norm("select * from t where a >= 'x''y' and b < 2.5 limit 10 offset 5").unwrap();
        assert_eq!(
            t,
            "select * from t where a >= $1 and b < $2 limit $3 offset $4"
        );
        assert_eq!(
            l[0],
            vec![
                Value::Text("x'y".into()),
                Value::Real(2.5),
                Value::Integer(10),
                Value::Integer(5)
            ]
        );
        let (t, _) = norm("INSERT INTO t (a, b) VALUES (1, 'é'), (2, 'b') RETURNING a").unwrap();
        assert_eq!(
            t,
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4) RETURNING a"
        );
    }

    #[test]
    fn keeps_what_the_translator_reads() {
        // select-list constants, LIKE patterns, casts, typed literals, functions, DDL
        assert_eq!(norm("SELECT 1, 'x'"), None);
        assert_eq!(norm("SELECT * FROM t WHERE a LIKE 'x%'"), None);
        assert_eq!(norm("SELECT * FROM t WHERE a = '1'::int"), None);
        assert_eq!(norm("SELECT * FROM t WHERE d = DATE '2020-01-01'"), None);
        assert_eq!(norm("SELECT * FROM t WHERE a = lower('X')"), None);
        assert_eq!(norm("CREATE TABLE t (a int DEFAULT 1 CHECK (a = 1))"), None);
        assert_eq!(norm("INSERT INTO t VALUES (now(), 1 + 2)"), None);
    }

    #[test]
    fn lifts_signed_numbers_and_integer_operands_of_set() {
        let (t, l) =
            norm("UPDATE pgbench_accounts SET abalance = abalance + -2345 WHERE aid = -7;")
                .unwrap();
        assert_eq!(
            t,
            "UPDATE pgbench_accounts SET abalance = abalance + $1::int4 WHERE aid = $2;"
        );
        assert_eq!(l[0], vec![Value::Integer(-2345), Value::Integer(-7)]);
        let (t, l) = norm("UPDATE t SET a = 3 - 5000000000 * b, c = c * 2.5, d = c / 2").unwrap();
        assert_eq!(
            t,
            "UPDATE t SET a = $1 - $2::int8 * b, c = c * 2.5, d = c / 2"
        );
        assert_eq!(l[0], vec![Value::Integer(3), Value::Integer(5000000000)]);
        let (t, l) = norm("INSERT INTO h VALUES (1, -2345, - 2.5, now())").unwrap();
        assert_eq!(t, "INSERT INTO h VALUES ($1, $2, $3, now())");
        assert_eq!(
            l[0],
            vec![Value::Integer(1), Value::Integer(-2345), Value::Real(-2.5)]
        );
        // outside SET, arithmetic keeps its literals; a binary minus is no sign
        assert_eq!(norm("SELECT a + 1 FROM t"), None);
        let (t, l) = norm("DELETE FROM t WHERE a - 1 > -2 + b").unwrap();
        assert_eq!(t, "DELETE FROM t WHERE a - 1 > $1 + b");
        assert_eq!(l[0], vec![Value::Integer(-2)]);
        let (t, _) = norm("UPDATE t SET a = a - 1 RETURNING a + 1").unwrap();
        assert_eq!(t, "UPDATE t SET a = a - $1::int4 RETURNING a + 1");
    }

    #[test]
    fn numbers_per_statement() {
        let (t, l) = norm("UPDATE t SET a = 1 WHERE b = 2;\n DELETE FROM t WHERE c = 3").unwrap();
        assert_eq!(
            t,
            "UPDATE t SET a = $1 WHERE b = $2;\n DELETE FROM t WHERE c = $1"
        );
        assert_eq!(l.len(), 2);
        assert_eq!(l[1], vec![Value::Integer(3)]);
        // a statement that lifts nothing still has its (empty) slot
        let (_, l) = norm("BEGIN; SELECT * FROM t WHERE a = 1").unwrap();
        assert_eq!(l, vec![vec![], vec![Value::Integer(1)]]);
    }

    #[test]
    fn locations_map_to_bytes_across_lines_and_unicode() {
        let (t, l) = norm("SELECT 'é' AS x FROM t\n  WHERE a = 'ünï'\n\tAND b = 2").unwrap();
        assert_eq!(t, "SELECT 'é' AS x FROM t\n  WHERE a = $1\n\tAND b = $2");
        assert_eq!(l[0], vec![Value::Text("ünï".into()), Value::Integer(2)]);
    }

    #[test]
    fn a_thousand_row_insert_lifts_every_value() {
        let rows: Vec<String> = (0..1000).map(|i| format!("({i}, 'ß{i}')")).collect();
        let sql = format!("INSERT INTO t (a, b) VALUES {}", rows.join(","));
        let (t, l) = norm(&sql).unwrap();
        assert_eq!(l[0].len(), 2000);
        assert_eq!(l[0][1999], Value::Text("ß999".into()));
        assert!(t.ends_with("($1999, $2000)"), "{}", &t[t.len() - 20..]);
    }
}
