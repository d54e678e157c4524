//! String literals printed so that they read back as the same text.
//!
//! sqlparser prints a quote that is already doubled, or that follows a
//! backslash, as it stands (its printer cannot tell text that was written
//! escaped from raw text), so the value `it''s` of `$$it''s$$` or
//! `'it''''s'` would print as `'it''s'` and SQLite would read `it's`; the
//! value `\'` would leave the literal open. Such a literal is printed here
//! instead, every quote doubled, through a node sqlparser prints verbatim.
//! Run just before a statement is printed: the node is not a literal to
//! the rewrites.

use sqlparser::ast::{Value, ValueWithSpan, VisitMut, VisitorMut};
use std::ops::ControlFlow;

pub fn seal<N: VisitMut>(node: &mut N) {
    struct Seal;
    impl VisitorMut for Seal {
        type Break = ();
        fn post_visit_value(&mut self, value: &mut ValueWithSpan) -> ControlFlow<()> {
            if let Value::SingleQuotedString(s) = &value.value {
                if s.contains("''") || s.contains("\\'") {
                    value.value = Value::Placeholder(format!("'{}'", s.replace('\'', "''")));
                }
            }
            ControlFlow::Continue(())
        }
    }
    let _ = node.visit(&mut Seal);
}

/// Statements rewritten on their AST, sealed and printed as one SQL text
/// (`; ` between them).
pub fn sealed_text(statements: &mut Vec<sqlparser::ast::Statement>) -> String {
    seal(statements);
    let text: Vec<String> = statements.iter().map(ToString::to_string).collect();
    text.join("; ")
}

#[cfg(test)]
mod tests {
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::parser::Parser;

    #[test]
    fn doubled_quotes_and_backslash_quotes_survive_printing() {
        let mut s = Parser::parse_sql(&PostgreSqlDialect {}, "SELECT 'a', 'b', 'c'").unwrap();
        let texts = ["it''s", "x\\'", "plain 'one'"];
        let mut next = texts.iter();
        let _ = sqlparser::ast::visit_expressions_mut(&mut s, |e| {
            if let sqlparser::ast::Expr::Value(v) = e {
                v.value =
                    sqlparser::ast::Value::SingleQuotedString(next.next().unwrap().to_string());
            }
            std::ops::ControlFlow::<()>::Continue(())
        });
        super::seal(&mut s);
        assert_eq!(
            s[0].to_string(),
            "SELECT 'it''''s', 'x\\''', 'plain ''one'''"
        );
    }
}
