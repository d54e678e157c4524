//! Where in the query string an error points (the ErrorResponse's
//! `position`, which psql shows as `LINE 1: ...` with a caret and drivers
//! expose): PostgreSQL's parser knows it; here it is found again in the
//! text from what the error names — a missing column, relation or
//! function by its name, a bad literal by its quoted text. Only where the
//! name appears as a token of that kind; otherwise no position, as for
//! the errors PostgreSQL reports without one.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::errors::SqlError;

/// The 1-based character position in `sql` the error is about, if found.
pub fn locate(sql: &str, e: &SqlError) -> Option<usize> {
    // PostgreSQL's DDL errors (ALTER ... RENAME COLUMN nope, DROP TABLE
    // nothere) carry no position.
    let first = sql.split_whitespace().next().unwrap_or_default();
    if ["ALTER", "DROP", "CREATE", "COMMENT", "GRANT", "REVOKE"]
        .iter()
        .any(|k| first.eq_ignore_ascii_case(k))
    {
        return None;
    }
    let quoted = quoted_name(&e.message);
    if e.code == "42601" && e.message.starts_with("syntax error at ") {
        return syntax_error_at(sql, quoted);
    }
    let what = match e.code {
        // column "x" does not exist / column t.x does not exist
        "42703" if e.message.starts_with("column ") => Find::Name(match quoted {
            Some(q) => q.to_owned(),
            None => e
                .message
                .strip_prefix("column ")?
                .split(' ')
                .next()?
                .to_owned(),
        }),
        "42P01" if e.message.starts_with("relation ") => Find::Name(quoted?.to_owned()),
        "42883" if e.message.starts_with("function ") => {
            let name = e.message.strip_prefix("function ")?;
            Find::Call(name.split(['(', ' ']).next()?.to_owned())
        }
        // column "e.id" must appear in the GROUP BY clause ...: where the
        // select list names it (unqualified, as written there).
        "42803" if e.message.starts_with("column ") => {
            Find::Name(quoted?.rsplit('.').next()?.to_owned())
        }
        // aggregate function count() is not allowed here ...
        // (The misplaced call is the last: the select list's come first.)
        "42803" if e.message.starts_with("aggregate function ") => {
            let name = e.message.strip_prefix("aggregate function ")?;
            Find::LastCall(name.split(['(', ' ']).next()?.to_owned())
        }
        // ORDER BY position 5 is not in select list
        "42P10" => Find::Number(e.message.split(' ').nth(3)?.to_owned()),
        // invalid input syntax for type integer: "abc"
        "22P02" | "22007" | "22008" | "22003" => Find::Literal(after_colon(&e.message)?.to_owned()),
        _ => return None,
    };
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .ok()?;
    let mut found = tokens
        .iter()
        .enumerate()
        .filter(|(i, _)| what.matches(&tokens, *i))
        .map(|(_, t)| t);
    let at = match what {
        Find::LastCall(_) => found.next_back()?,
        _ => found.next()?,
    };
    offset(sql, at)
}

/// A syntax error: where sqlparser's own parse of the text stops (its
/// error says the line and column), when it stops at the token the error
/// names (or at the end of the input, or at the `;` after it).
fn syntax_error_at(sql: &str, near: Option<&str>) -> Option<usize> {
    crate::sql::stack::with_room_for_text(sql, || {
        let Err(err) = sqlparser::parser::Parser::parse_sql(&PostgreSqlDialect {}, sql) else {
            return None;
        };
        let message = err.to_string();
        let (_, found) = message.split_once("found: ")?;
        let (token, at) = found.split_once(" at Line: ")?;
        let (line, column) = at.split_once(", Column: ")?;
        let (line, column): (usize, usize) =
            (line.trim().parse().ok()?, column.trim().parse().ok()?);
        let agrees = match near {
            Some(near) => token.eq_ignore_ascii_case(near) || token == ";",
            None => token == "EOF" || token == ";",
        };
        if !agrees {
            return None;
        }
        char_offset(sql, line, column)
    })
}

enum Find {
    /// A (possibly qualified: `t.x`) name.
    Name(String),
    /// A name called as a function.
    Call(String),
    /// The last call of it.
    LastCall(String),
    /// A string constant's text.
    Literal(String),
    /// A number as written.
    Number(String),
}

impl Find {
    fn matches(&self, tokens: &[TokenWithSpan], i: usize) -> bool {
        let word = |j: usize| match tokens.get(j).map(|t| &t.token) {
            Some(Token::Word(w)) => Some(w.value.as_str()),
            _ => None,
        };
        match self {
            Find::Name(name) => {
                let parts: Vec<&str> = name.split('.').collect();
                parts.iter().enumerate().all(|(k, part)| {
                    let Some(w) = word(i + 2 * k) else {
                        return false;
                    };
                    let dot = k + 1 == parts.len()
                        || matches!(
                            tokens.get(i + 2 * k + 1).map(|t| &t.token),
                            Some(Token::Period)
                        );
                    w.eq_ignore_ascii_case(part) && dot
                })
            }
            Find::Call(name) | Find::LastCall(name) => {
                word(i).is_some_and(|w| w.eq_ignore_ascii_case(name))
                    && matches!(tokens.get(i + 1).map(|t| &t.token), Some(Token::LParen))
            }
            Find::Number(n) => matches!(&tokens[i].token, Token::Number(v, _) if v == n),
            Find::Literal(text) => matches!(
                &tokens[i].token,
                Token::SingleQuotedString(s) | Token::EscapedStringLiteral(s) if s == text
            ),
        }
    }
}

/// The first `"..."` of a message.
fn quoted_name(message: &str) -> Option<&str> {
    let start = message.find('"')? + 1;
    let len = message[start..].find('"')?;
    Some(&message[start..start + len])
}

/// The quoted value after a message's last `: "`.
fn after_colon(message: &str) -> Option<&str> {
    let start = message.rfind(": \"")? + 3;
    message[start..].strip_suffix('"')
}

/// A token's location (line and column, 1-based, in characters) as a
/// character offset from the start, 1-based.
fn offset(sql: &str, t: &TokenWithSpan) -> Option<usize> {
    char_offset(
        sql,
        t.span.start.line as usize,
        t.span.start.column as usize,
    )
}

/// A line and column (1-based, in characters) as a 1-based character
/// offset from the start of `sql`.
fn char_offset(sql: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 || column == 0 {
        return None;
    }
    let before: usize = sql
        .split_inclusive('\n')
        .take(line - 1)
        .map(|l| l.chars().count())
        .sum();
    Some(before + column)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(sql: &str, code: &'static str, message: &str) -> Option<usize> {
        locate(sql, &SqlError::new(code, message))
    }

    #[test]
    fn finds_what_the_error_names() {
        assert_eq!(
            at(
                "SELECT nme FROM e",
                "42703",
                "column \"nme\" does not exist"
            ),
            Some(8)
        );
        assert_eq!(
            at(
                "SELECT e.nme FROM e",
                "42703",
                "column e.nme does not exist"
            ),
            Some(8)
        );
        assert_eq!(
            at(
                "SELECT *\nFROM nothere",
                "42P01",
                "relation \"nothere\" does not exist"
            ),
            Some(15)
        );
        assert_eq!(
            at(
                "SELECT foo(1)",
                "42883",
                "function foo(integer) does not exist"
            ),
            Some(8)
        );
        assert_eq!(
            at(
                "SELECT * FROM e WHERE id = 'abc'",
                "22P02",
                "invalid input syntax for type integer: \"abc\""
            ),
            Some(28)
        );
        assert_eq!(
            at("SELECT 1 +;", "42601", "syntax error at end of input"),
            Some(11)
        );
        assert_eq!(
            at(
                "SELECT 1,\n  (1 + ) FROM t",
                "42601",
                "syntax error at or near \")\""
            ),
            Some(18)
        );
        // A name only inside a string is not the column.
        assert_eq!(
            at("SELECT 'nme'", "42703", "column \"nme\" does not exist"),
            None
        );
    }
}
