//! `x [NOT] BETWEEN SYMMETRIC a AND b` (and `BETWEEN ASYMMETRIC`), which
//! sqlparser does not parse.
//!
//! On the token stream, `ASYMMETRIC` (the default) is dropped and
//! `SYMMETRIC low AND` becomes `pg_between_symmetric(low) AND`: the low
//! bound's extent is the tokens up to the first `AND` outside parentheses,
//! brackets and `CASE ... END`, as the grammar's precedence ends it. Once
//! parsed, [`expand`] turns each marked BETWEEN into what PostgreSQL's own
//! parser makes of it: `(x BETWEEN a AND b OR x BETWEEN b AND a)`, negated
//! for NOT BETWEEN (NULL bounds then behave as in PostgreSQL).

use super::ast::{base_name, nested, plain_args};
use sqlparser::ast::{visit_expressions_mut, BinaryOperator, Expr, Statement, UnaryOperator};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};
use std::ops::ControlFlow;

const MARKER: &str = "pg_between_symmetric";

fn keyword(t: &TokenWithSpan) -> Keyword {
    match &t.token {
        Token::Word(w) if w.quote_style.is_none() => w.keyword,
        _ => Keyword::NoKeyword,
    }
}

fn blank(t: &TokenWithSpan) -> bool {
    matches!(t.token, Token::Whitespace(_))
}

/// Marks the low bound of each `BETWEEN SYMMETRIC`; drops `ASYMMETRIC`.
pub(super) fn mark(chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    // Most statements: no copy.
    if !chunk
        .iter()
        .any(|t| matches!(keyword(t), Keyword::SYMMETRIC | Keyword::ASYMMETRIC))
    {
        return chunk;
    }
    let mut out: Vec<TokenWithSpan> = Vec::with_capacity(chunk.len() + 3);
    let mut i = 0;
    while i < chunk.len() {
        let t = &chunk[i];
        let after_between = || {
            out.iter()
                .rev()
                .find(|t| !blank(t))
                .is_some_and(|t| keyword(t) == Keyword::BETWEEN)
        };
        match keyword(t) {
            Keyword::ASYMMETRIC if after_between() => {
                i += 1;
                continue;
            }
            Keyword::SYMMETRIC if after_between() => {
                if let Some(end) = low_end(&chunk, i + 1) {
                    out.push(TokenWithSpan::wrap(Token::make_word(MARKER, None)));
                    out.push(TokenWithSpan::wrap(Token::LParen));
                    out.extend(chunk[i + 1..end].iter().cloned());
                    out.push(TokenWithSpan::wrap(Token::RParen));
                    out.push(TokenWithSpan::wrap(Token::Whitespace(
                        sqlparser::tokenizer::Whitespace::Space,
                    )));
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        out.push(t.clone());
        i += 1;
    }
    out
}

/// The index of the `AND` that ends a BETWEEN's low bound starting at `start`.
fn low_end(tokens: &[TokenWithSpan], start: usize) -> Option<usize> {
    let mut depth = 0i32;
    for (i, t) in tokens.iter().enumerate().skip(start) {
        match (&t.token, keyword(t)) {
            (Token::LParen | Token::LBracket, _) | (_, Keyword::CASE) => depth += 1,
            (Token::RParen | Token::RBracket, _) | (_, Keyword::END) => {
                depth -= 1;
                if depth < 0 {
                    return None;
                }
            }
            (_, Keyword::AND) if depth == 0 => {
                // Nothing between SYMMETRIC and AND: leave the syntax error.
                return tokens[start..i].iter().any(|t| !blank(t)).then_some(i);
            }
            _ => {}
        }
    }
    None
}

/// Expands every marked BETWEEN of a parsed statement.
pub(super) fn expand(statement: &mut Statement) {
    let _ = visit_expressions_mut(statement, |expr| {
        let Expr::Between {
            expr: value,
            negated,
            low,
            high,
        } = expr
        else {
            return ControlFlow::<()>::Continue(());
        };
        let Expr::Function(func) = low.as_ref() else {
            return ControlFlow::Continue(());
        };
        if base_name(&func.name) != MARKER {
            return ControlFlow::Continue(());
        }
        let low = match plain_args(func).as_deref() {
            Some([one]) => (**one).clone(),
            _ => return ControlFlow::Continue(()),
        };
        let between = |lo: &Expr, hi: &Expr| Expr::Between {
            expr: value.clone(),
            negated: false,
            low: Box::new(lo.clone()),
            high: Box::new(hi.clone()),
        };
        let either = nested(Expr::BinaryOp {
            left: Box::new(between(&low, high)),
            op: BinaryOperator::Or,
            right: Box::new(between(high, &low)),
        });
        *expr = if *negated {
            nested(Expr::UnaryOp {
                op: UnaryOperator::Not,
                expr: Box::new(either),
            })
        } else {
            either
        };
        ControlFlow::Continue(())
    });
}
