//! sqlparser's PostgreSQL dialect with one shortcut: column references,
//! parameters and constants parse without the failed attempt to read them
//! as a typed literal.
//!
//! To accept PostgreSQL's typed literals (`date '2024-01-02'`, `int4 '5'`),
//! sqlparser first tries to parse every expression that starts with a word as
//! a data type followed by a literal, and only then as an identifier. For a
//! column reference (`"shop_order"."id"`, `abalance`) that attempt always
//! fails, and each failure formats an error message with its location: in an
//! ORM's statement, where nearly every expression is a column, that was a
//! tenth of the whole translation; parameters and constants (`$1`, `21`,
//! `'abc'`) pay it too. [`PgDialect::parse_prefix`] recognises, from the
//! tokens ahead, the expressions for which the attempt cannot succeed and
//! returns what sqlparser would have returned; anything else falls through
//! to sqlparser unchanged. Every other method forwards to
//! [`PostgreSqlDialect`], and [`Dialect::dialect`] reports it, so the
//! parser's `dialect_of!(PostgreSqlDialect)` checks still hold.

use sqlparser::ast::Expr;
use sqlparser::dialect::{Dialect, PostgreSqlDialect, Precedence};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;
use std::any::TypeId;

/// The dialect every statement is parsed with.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct PgDialect;

const PG: PostgreSqlDialect = PostgreSqlDialect {};

/// Keywords common as column names that sqlparser gives no meaning at the
/// start of an expression and reads as no type name: after the failed
/// attempts, they are identifiers like any other word.
const COLUMN_KEYWORDS: [Keyword; 16] = [
    Keyword::ID,
    Keyword::NAME,
    Keyword::STATUS,
    Keyword::VALUE,
    Keyword::DATA,
    Keyword::KEY,
    Keyword::LEVEL,
    Keyword::SIZE,
    Keyword::OWNER,
    Keyword::CATEGORY,
    Keyword::LOCATION,
    Keyword::COMMENT,
    Keyword::PASSWORD,
    Keyword::ROLE,
    Keyword::SOURCE,
    Keyword::LANGUAGE,
];

impl PgDialect {
    /// Whether the expression starting at the next token is a column
    /// reference sqlparser would read as one, after failing to read it as a
    /// type name: a quoted word, or an unquoted word that is no keyword (or
    /// one of [`COLUMN_KEYWORDS`]; other keywords are type names or have
    /// meanings of their own) and not `xml` (PostgreSQL's `xml '...'`),
    /// optionally followed by `.name` parts, and then by a token that
    /// neither calls it (`(`), subscripts it or makes an array type of it
    /// (`[`, `ARRAY`), nor is a literal it could type.
    fn is_plain_column(parser: &Parser) -> bool {
        let Token::Word(first) = &parser.peek_token_ref().token else {
            return false;
        };
        let plain = match first.quote_style {
            Some(_) => true,
            None if first.keyword == Keyword::NoKeyword => !first.value.eq_ignore_ascii_case("xml"),
            None => COLUMN_KEYWORDS.contains(&first.keyword),
        };
        if !plain {
            return false;
        }
        let mut n = 1;
        loop {
            match &parser.peek_nth_token_ref(n).token {
                Token::Period => match &parser.peek_nth_token_ref(n + 1).token {
                    Token::Word(_) => n += 2,
                    _ => return false,
                },
                Token::Word(w) => return w.keyword != Keyword::ARRAY,
                Token::Comma
                | Token::RParen
                | Token::RBracket
                | Token::SemiColon
                | Token::EOF
                | Token::Eq
                | Token::Neq
                | Token::Lt
                | Token::Gt
                | Token::LtEq
                | Token::GtEq
                | Token::Plus
                | Token::Minus
                | Token::Mul
                | Token::Div
                | Token::Mod
                | Token::StringConcat
                | Token::DoubleColon => return true,
                _ => return false,
            }
        }
    }
}

impl Dialect for PgDialect {
    fn dialect(&self) -> TypeId {
        TypeId::of::<PostgreSqlDialect>()
    }

    fn parse_prefix(&self, parser: &mut Parser) -> Option<Result<Expr, ParserError>> {
        // A literal or parameter: sqlparser reads its value once the type
        // name it tries first turns out not to be one (not being a word).
        if matches!(
            parser.peek_token_ref().token,
            Token::Placeholder(_)
                | Token::Number(..)
                | Token::SingleQuotedString(_)
                | Token::EscapedStringLiteral(_)
                | Token::DollarQuotedString(_)
        ) {
            return Some(parser.parse_value().map(Expr::Value));
        }
        if !Self::is_plain_column(parser) {
            return None;
        }
        parser.advance_token();
        let token = parser.get_current_token();
        match &token.token {
            Token::Word(w) => Some(Ok(Expr::Identifier(w.to_ident(token.span)))),
            _ => None,
        }
    }

    fn identifier_quote_style(&self, identifier: &str) -> Option<char> {
        PG.identifier_quote_style(identifier)
    }
    fn is_delimited_identifier_start(&self, ch: char) -> bool {
        PG.is_delimited_identifier_start(ch)
    }
    fn is_identifier_start(&self, ch: char) -> bool {
        PG.is_identifier_start(ch)
    }
    fn is_identifier_part(&self, ch: char) -> bool {
        PG.is_identifier_part(ch)
    }
    fn supports_unicode_string_literal(&self) -> bool {
        PG.supports_unicode_string_literal()
    }
    fn is_reserved_for_identifier(&self, kw: Keyword) -> bool {
        PG.is_reserved_for_identifier(kw)
    }
    fn is_table_alias(&self, kw: &Keyword, parser: &mut Parser) -> bool {
        PG.is_table_alias(kw, parser)
    }
    fn is_custom_operator_part(&self, ch: char) -> bool {
        PG.is_custom_operator_part(ch)
    }
    fn get_next_precedence(&self, parser: &Parser) -> Option<Result<u8, ParserError>> {
        PG.get_next_precedence(parser)
    }
    fn supports_filter_during_aggregation(&self) -> bool {
        PG.supports_filter_during_aggregation()
    }
    fn supports_group_by_expr(&self) -> bool {
        PG.supports_group_by_expr()
    }
    fn supports_alter_user_as_alter_role(&self) -> bool {
        PG.supports_alter_user_as_alter_role()
    }
    fn prec_value(&self, prec: Precedence) -> u8 {
        PG.prec_value(prec)
    }
    fn allow_extract_custom(&self) -> bool {
        PG.allow_extract_custom()
    }
    fn allow_extract_single_quotes(&self) -> bool {
        PG.allow_extract_single_quotes()
    }
    fn supports_create_index_with_clause(&self) -> bool {
        PG.supports_create_index_with_clause()
    }
    fn supports_explain_with_utility_options(&self) -> bool {
        PG.supports_explain_with_utility_options()
    }
    fn supports_listen_notify(&self) -> bool {
        PG.supports_listen_notify()
    }
    fn supports_exclude_constraint(&self) -> bool {
        PG.supports_exclude_constraint()
    }
    fn supports_factorial_operator(&self) -> bool {
        PG.supports_factorial_operator()
    }
    fn supports_bitwise_shift_operators(&self) -> bool {
        PG.supports_bitwise_shift_operators()
    }
    fn supports_comment_on(&self) -> bool {
        PG.supports_comment_on()
    }
    fn supports_load_extension(&self) -> bool {
        PG.supports_load_extension()
    }
    fn supports_named_fn_args_with_colon_operator(&self) -> bool {
        PG.supports_named_fn_args_with_colon_operator()
    }
    fn supports_named_fn_args_with_expr_name(&self) -> bool {
        PG.supports_named_fn_args_with_expr_name()
    }
    fn supports_empty_projections(&self) -> bool {
        PG.supports_empty_projections()
    }
    fn supports_nested_comments(&self) -> bool {
        PG.supports_nested_comments()
    }
    fn supports_string_escape_constant(&self) -> bool {
        PG.supports_string_escape_constant()
    }
    fn supports_numeric_literal_underscores(&self) -> bool {
        PG.supports_numeric_literal_underscores()
    }
    fn supports_array_typedef_with_brackets(&self) -> bool {
        PG.supports_array_typedef_with_brackets()
    }
    fn supports_geometric_types(&self) -> bool {
        PG.supports_geometric_types()
    }
    fn supports_order_by_using_operator(&self) -> bool {
        PG.supports_order_by_using_operator()
    }
    fn supports_set_names(&self) -> bool {
        PG.supports_set_names()
    }
    fn supports_alter_column_type_using(&self) -> bool {
        PG.supports_alter_column_type_using()
    }
    fn supports_left_associative_joins_without_parens(&self) -> bool {
        PG.supports_left_associative_joins_without_parens()
    }
    fn supports_notnull_operator(&self) -> bool {
        PG.supports_notnull_operator()
    }
    fn supports_interval_options(&self) -> bool {
        PG.supports_interval_options()
    }
    fn supports_insert_table_alias(&self) -> bool {
        PG.supports_insert_table_alias()
    }
    fn supports_create_table_like_parenthesized(&self) -> bool {
        PG.supports_create_table_like_parenthesized()
    }
    fn supports_select_wildcard_with_alias(&self) -> bool {
        PG.supports_select_wildcard_with_alias()
    }
    fn supports_comma_separated_trim(&self) -> bool {
        PG.supports_comma_separated_trim()
    }
    fn supports_xml_expressions(&self) -> bool {
        PG.supports_xml_expressions()
    }
    fn supports_aliased_function_args(&self) -> bool {
        PG.supports_aliased_function_args()
    }
    fn supports_comment_optimizer_hint(&self) -> bool {
        PG.supports_comment_optimizer_hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sqlparser::tokenizer::Tokenizer;

    /// Every statement of the differential corpus, split on `;` tokens.
    fn corpus() -> Vec<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/differential");
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("the differential corpus")
            .map(|e| e.expect("a corpus entry").path())
            .filter(|p| p.extension().is_some_and(|x| x == "sql"))
            .collect();
        files.sort();
        let mut out = Vec::new();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("a corpus file");
            let Ok(tokens) = Tokenizer::new(&PG, &text).tokenize() else {
                continue;
            };
            let mut statement = String::new();
            for token in tokens {
                if token == Token::SemiColon {
                    out.push(std::mem::take(&mut statement));
                } else {
                    statement.push_str(&token.to_string());
                }
            }
        }
        out
    }

    fn parse(dialect: &dyn Dialect, sql: &str) -> String {
        match Parser::new(dialect)
            .with_recursion_limit(crate::sql::translate::depth::MAX_NESTING)
            .try_with_sql(sql)
            .and_then(|mut p| p.parse_statement())
        {
            Ok(statement) => format!("{statement:?}"),
            Err(e) => format!("error: {e}"),
        }
    }

    /// The shortcut and the forwarding change nothing: every corpus
    /// statement, and the shapes next to the shortcut's edges, parse to the
    /// same tree, spans included, as with sqlparser's own dialect.
    #[test]
    fn parses_exactly_like_the_postgresql_dialect() {
        let mut statements = corpus();
        assert!(statements.len() > 4000, "{} statements", statements.len());
        // Each shape on its own, so that one that fails to parse does not
        // hide the others.
        let words = COLUMN_KEYWORDS
            .iter()
            .map(|k| format!("{k:?}").to_lowercase())
            .chain(["a", "\"A\"", "xml", "_utf8", "date", "t.a", "\"t\".\"a\""].map(String::from));
        for word in words {
            for shape in [
                "SELECT {}",
                "SELECT {} 'x'",
                "SELECT {}(1)",
                "SELECT {}.b",
                "SELECT {}[1]",
                "SELECT {}[1] 'x'",
                "SELECT {} ARRAY",
                "SELECT {} AS x",
                "SELECT {} x",
                "SELECT {}::text",
                "SELECT {} = 1",
                "SELECT {} || 'x'",
                "SELECT {}.*",
                "SELECT f({}, 1)",
                "SELECT 1 FROM t ORDER BY {} DESC",
                "SELECT {} $1",
                "SELECT {} 1",
                "SELECT {} E'x'",
                "SELECT {}.b(1)",
                "SELECT {}.1",
            ] {
                statements.push(shape.replace("{}", &word));
            }
        }
        for literal in [
            "$1", "21", "1.5e3", "'a'", "E'x\\n'", "$$q$$", "'a' 'b'", "U&'x'",
        ] {
            for shape in [
                "SELECT {}",
                "SELECT {}::int",
                "SELECT -{}",
                "SELECT 1 LIMIT {}",
                "SELECT {} x",
            ] {
                statements.push(shape.replace("{}", literal));
            }
        }
        let mut mismatches = Vec::new();
        for sql in &statements {
            let ours = parse(&PgDialect, sql);
            let theirs = parse(&PG, sql);
            if ours != theirs {
                mismatches.push(format!("{sql}\n  ours:   {ours}\n  theirs: {theirs}"));
            }
        }
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    }
}
