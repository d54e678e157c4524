//! `x [NOT] SIMILAR TO pattern [ESCAPE c]` as an anchored regular expression
//! for the registered `regexp(pattern, text)`.

use super::ast::{call, string, string_literal};
use super::error::{other, unsupported};
use super::TranslateError;
use sqlparser::ast::{Expr, UnaryOperator};

pub(super) fn similar_to(
    negated: bool,
    value: Expr,
    pattern: &Expr,
    escape: Option<&Expr>,
) -> Result<Expr, TranslateError> {
    let escape_char = super::expr::literal_escape(escape, "SIMILAR TO")?;
    let text = string_literal(pattern)
        .ok_or_else(|| unsupported("SIMILAR TO with a non-literal pattern"))?;
    let matched = call("regexp", vec![string(to_regex(text, escape_char)?), value]);
    Ok(if negated {
        Expr::UnaryOp {
            op: UnaryOperator::Not,
            expr: Box::new(matched),
        }
    } else {
        matched
    })
}

/// SQL regular expression -> anchored Rust regex: `%` is `.*`, `_` is `.`,
/// `|*+?{}()[]` keep their meaning, everything else matches literally.
fn to_regex(pattern: &str, escape: Option<char>) -> Result<String, TranslateError> {
    let mut out = String::from("^(?:");
    let mut chars = pattern.chars();
    let mut in_class = false;
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            let next = chars.next().ok_or_else(|| {
                other(
                    "22025",
                    "invalid escape string: escape string must not end the pattern",
                )
            })?;
            out.push_str(&regex_escape(next));
            continue;
        }
        match c {
            '[' => {
                in_class = true;
                out.push('[');
            }
            ']' => {
                in_class = false;
                out.push(']');
            }
            _ if in_class => out.push_str(&regex_escape_in_class(c)),
            '%' => out.push_str(".*"),
            '_' => out.push('.'),
            '|' | '*' | '+' | '?' | '{' | '}' | '(' | ')' => out.push(c),
            _ => out.push_str(&regex_escape(c)),
        }
    }
    out.push_str(")$");
    Ok(out)
}

fn regex_escape(c: char) -> String {
    if c.is_ascii_punctuation() {
        format!("\\{c}")
    } else {
        c.to_string()
    }
}

fn regex_escape_in_class(c: char) -> String {
    match c {
        '\\' | '[' | '&' | '~' => format!("\\{c}"),
        _ => c.to_string(),
    }
}
