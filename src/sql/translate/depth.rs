//! Refuses statements whose expressions nest deeper than any engine here
//! evaluates, before anything recurses over them.
//!
//! sqlparser reads `a + b + c + ...` in a loop that its recursion limit does
//! not count, into a left-deep tree as deep as the chain is long. Translating,
//! printing and dropping that tree recurse once per level: a chain of a few
//! thousand operators overflowed a connection thread's stack, which aborts the
//! process and every tenant's sessions with it. SQLite evaluates no
//! expression deeper than 1000 (SQLITE_MAX_EXPR_DEPTH), so such statements
//! could never run; they get PostgreSQL's own answer, 54001.
//!
//! The measure is taken on tokens, so it costs one pass and no recursion: along
//! every path of parentheses, the operators met since the last comma at each
//! level, plus the levels. Every level of an infix chain in the tree is one of
//! those operators, so the measure is never below the tree's depth; it is
//! above it where precedence mixes (`a = 1 OR a = 2` counts 3 for depth 2),
//! which is why the limit is twice SQLite's.

use super::error::other;
use super::TranslateError;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// Twice SQLite's SQLITE_MAX_EXPR_DEPTH: anything the engine could evaluate
/// passes, and the stacks of connection threads are sized for this much.
pub const MAX_DEPTH: usize = 2000;

/// The parser's recursion limit (sqlparser's default is 50): parentheses,
/// subqueries, CASE and function calls nested this deep still parse (an ORM's
/// nested subqueries, generated CASE trees), as they would in PostgreSQL.
/// The parser and the walks over the tree continue on heap segments when the
/// stack runs low, so this bounds work, not stack.
pub(super) const MAX_NESTING: usize = 100;

/// Stack the recursive walks over a statement keep in hand: below this, a
/// walk marked `#[recursive]` (ours and sqlparser's) continues on a new
/// heap-allocated segment. The crate's default (128 KiB) is less than one
/// level of rewriting takes in an unoptimised build, between two checks.
const RED_ZONE: usize = 1 << 20;

/// Sets [`RED_ZONE`] for the process, once.
pub(super) fn reserve_stack() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        recursive::set_minimum_stack_size(RED_ZONE);
        recursive::set_stack_allocation_size(4 * RED_ZONE);
    });
}

/// What a token does to the measure.
enum Step {
    /// `(`, `[`, `{` or CASE: a new level (a CASE's WHEN/THEN/ELSE separate
    /// like commas); `extra` counts `[` as an operator too, since a
    /// subscript chain `a[1][2]...` nests like an operator chain.
    Open {
        case: bool,
        extra: usize,
    },
    /// `)`, `]`, `}`, or END of a CASE.
    Close,
    /// What follows is another expression at this level.
    Separate,
    Operator,
    Other,
}

fn step(token: &Token, in_case: bool) -> Step {
    match token {
        Token::LParen | Token::LBrace => Step::Open {
            case: false,
            extra: 0,
        },
        Token::LBracket => Step::Open {
            case: false,
            extra: 1,
        },
        Token::RParen | Token::RBracket | Token::RBrace => Step::Close,
        // `;` ends a statement of a multi-statement text.
        Token::Comma | Token::SemiColon => Step::Separate,
        Token::Word(w) => match w.keyword {
            Keyword::CASE => Step::Open {
                case: true,
                extra: 0,
            },
            Keyword::END if in_case => Step::Close,
            Keyword::WHEN | Keyword::THEN | Keyword::ELSE if in_case => Step::Separate,
            // Clause keywords that never stand inside one expression at the
            // same level (unlike FROM in IS DISTINCT FROM, or GROUP in
            // WITHIN GROUP).
            Keyword::SELECT
            | Keyword::WHERE
            | Keyword::HAVING
            | Keyword::ORDER
            | Keyword::LIMIT
            | Keyword::OFFSET
            | Keyword::RETURNING
            | Keyword::SET
            | Keyword::VALUES
            | Keyword::ON => Step::Separate,
            _ if is_operator(token) => Step::Operator,
            _ => Step::Other,
        },
        _ if is_operator(token) => Step::Operator,
        _ => Step::Other,
    }
}

/// How deep `tokens` nest: the most levels met along any path (see the
/// module's comment), never below the depth of the tree they parse into.
pub(crate) fn measure(tokens: &[TokenWithSpan]) -> usize {
    // Operators counted at each enclosing level, innermost last, and whether
    // that level is a CASE.
    let mut outer: Vec<(usize, bool)> = Vec::new();
    let mut here = 0usize;
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for t in tokens {
        let in_case = matches!(outer.last(), Some((_, true)));
        match step(&t.token, in_case) {
            Step::Open { case, extra } => {
                here += extra;
                outer.push((here, case));
                depth += extra + 1;
                here = 0;
            }
            // Unbalanced input is the parser's to report.
            Step::Close => {
                if let Some((up, _)) = outer.pop() {
                    depth -= here + 1;
                    here = up;
                }
            }
            Step::Separate => {
                depth -= here;
                here = 0;
            }
            Step::Operator => {
                here += 1;
                depth += 1;
            }
            Step::Other => {}
        }
        deepest = deepest.max(depth);
    }
    deepest
}

/// How deep `tokens` (one or more statements) nest, or 54001 beyond
/// [`MAX_DEPTH`].
pub(super) fn check(tokens: &[TokenWithSpan]) -> Result<usize, TranslateError> {
    match measure(tokens) {
        depth if depth > MAX_DEPTH => Err(too_deep()),
        depth => Ok(depth),
    }
}

/// [`check`] for SQL that is parsed elsewhere (the admin role's statements).
pub fn check_text(sql: &str) -> Result<usize, TranslateError> {
    let tokens =
        sqlparser::tokenizer::Tokenizer::new(&sqlparser::dialect::PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .map_err(|e| super::error::syntax(e.message))?;
    check(&tokens)
}

/// PostgreSQL's error for the same statements, with what to do about it.
fn too_deep() -> TranslateError {
    other(
        "54001",
        format!(
            "stack depth limit exceeded: expressions nest more than {MAX_DEPTH} levels deep; \
             write long chains of AND/OR or + as IN lists, arrays or separate statements"
        ),
    )
}

/// The same error when parentheses, subqueries or CASE nest beyond the
/// parser's recursion limit.
pub(super) fn too_deep_nesting() -> TranslateError {
    other(
        "54001",
        "stack depth limit exceeded: parentheses, subqueries or CASE nest too deeply",
    )
}

/// Tokens that join two operands (or follow one) in an infix chain.
fn is_operator(token: &Token) -> bool {
    match token {
        Token::Word(w) => matches!(
            w.keyword,
            Keyword::AND
                | Keyword::OR
                | Keyword::NOT
                | Keyword::IS
                | Keyword::LIKE
                | Keyword::ILIKE
                | Keyword::SIMILAR
                | Keyword::IN
                | Keyword::BETWEEN
                | Keyword::COLLATE
                | Keyword::AT
                | Keyword::OPERATOR
        ),
        // Operands and punctuation.
        Token::EOF
        | Token::Number(..)
        | Token::Char(_)
        | Token::SingleQuotedString(_)
        | Token::DoubleQuotedString(_)
        | Token::TripleSingleQuotedString(_)
        | Token::TripleDoubleQuotedString(_)
        | Token::DollarQuotedString(_)
        | Token::SingleQuotedByteStringLiteral(_)
        | Token::DoubleQuotedByteStringLiteral(_)
        | Token::TripleSingleQuotedByteStringLiteral(_)
        | Token::TripleDoubleQuotedByteStringLiteral(_)
        | Token::SingleQuotedRawStringLiteral(_)
        | Token::DoubleQuotedRawStringLiteral(_)
        | Token::TripleSingleQuotedRawStringLiteral(_)
        | Token::TripleDoubleQuotedRawStringLiteral(_)
        | Token::NationalStringLiteral(_)
        | Token::QuoteDelimitedStringLiteral(_)
        | Token::NationalQuoteDelimitedStringLiteral(_)
        | Token::EscapedStringLiteral(_)
        | Token::UnicodeStringLiteral(_)
        | Token::HexStringLiteral(_)
        | Token::Whitespace(_)
        | Token::Period
        | Token::Colon
        | Token::Backslash
        | Token::Placeholder(_)
        | Token::Assignment => false,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::dialect::PostgreSqlDialect;
    use sqlparser::tokenizer::Tokenizer;

    fn measure(sql: &str) -> Result<usize, TranslateError> {
        let tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
            .tokenize_with_location()
            .unwrap();
        check(&tokens)
    }

    #[test]
    fn long_chains_are_refused_wide_lists_are_not() {
        let chain = |op: &str, n: usize| format!("SELECT 1{}", format!(" {op} 1").repeat(n));
        assert!(measure(&chain("+", MAX_DEPTH)).is_ok());
        assert_eq!(
            measure(&chain("+", MAX_DEPTH + 1)).unwrap_err().code,
            "54001"
        );
        assert_eq!(measure(&chain("OR", 100_000)).unwrap_err().code, "54001");
        // Chains in separate list items, rows or arguments do not add up.
        let items = vec!["1 + 1 + 1 + 1"; 5_000].join(", ");
        assert!(measure(&format!("SELECT {items}")).is_ok());
        let rows = vec!["(-1, 'a'::text || 'b')"; 5_000].join(", ");
        assert!(measure(&format!("INSERT INTO t VALUES {rows}")).is_ok());
        assert!(measure(&format!("SELECT f({items}) + f({items})")).is_ok());
        // A chain continued after a parenthesised operand keeps counting.
        let split = format!("SELECT {} (1) {}", "1 + ".repeat(1500), "+ 1".repeat(1500));
        assert_eq!(measure(&split).unwrap_err().code, "54001");
        let branches = "WHEN a = 1 THEN b + 1 ".repeat(5_000);
        assert!(measure(&format!("SELECT CASE {branches} END")).is_ok());
        let around = format!(
            "SELECT {} CASE WHEN a THEN 1 END {}",
            "1 + ".repeat(1500),
            "+ 1".repeat(1500)
        );
        assert_eq!(measure(&around).unwrap_err().code, "54001");
        // Clauses are separate expressions; FROM and GROUP may sit inside one.
        let clauses = format!(
            "SELECT {} FROM t WHERE {} ORDER BY {}",
            "1 + ".repeat(1500) + "1",
            "true AND ".repeat(1500) + "true",
            "1 + ".repeat(1500) + "1"
        );
        assert!(measure(&clauses).is_ok());
        let distinct = format!("SELECT 1{}", " IS DISTINCT FROM 1".repeat(2100));
        assert_eq!(measure(&distinct).unwrap_err().code, "54001");
        let within = format!(
            "SELECT 1{}",
            " + percentile_cont(0.5) WITHIN GROUP (ORDER BY x)".repeat(2100)
        );
        assert_eq!(measure(&within).unwrap_err().code, "54001");
        let subscripts = format!("SELECT a{}", "[1]".repeat(MAX_DEPTH));
        assert_eq!(measure(&subscripts).unwrap_err().code, "54001");
    }
}
