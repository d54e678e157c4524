//! A comparison form of SQL text: SQLite's stored DDL differs in spelling
//! from what the translator printed once SQLite has edited it (ALTER TABLE
//! quotes renamed names, splices added columns), so schema objects are
//! compared on their tokens rather than their bytes.

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

/// Tokens separated by one space, comments and whitespace dropped, and
/// identifiers folded to lower case without quotes (SQLite resolves names
/// case-insensitively, quoted or not). String literals keep their case.
pub fn canonical(sql: &str) -> String {
    let dialect = PostgreSqlDialect {};
    let Ok(tokens) = Tokenizer::new(&dialect, sql).tokenize() else {
        return sql.split_whitespace().collect::<Vec<_>>().join(" ");
    };
    let mut out = String::with_capacity(sql.len());
    for token in tokens {
        let text = match token {
            Token::Whitespace(_) | Token::SemiColon | Token::EOF => continue,
            Token::Word(w) => w.value.to_ascii_lowercase(),
            other => other.to_string(),
        };
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&text);
    }
    out
}

/// `"name"`, with embedded quotes doubled: generated statements always quote.
pub use crate::sql::quote_ident as quote;

#[cfg(test)]
mod tests {
    use super::canonical;

    #[test]
    fn quoting_case_and_spacing_do_not_matter() {
        assert_eq!(
            canonical("CREATE TABLE \"T\" (a  int4,\n b text DEFAULT 'X')"),
            canonical("create table t (A int4, b TEXT default 'X');")
        );
        assert_ne!(
            canonical("CREATE TABLE t (b text DEFAULT 'X')"),
            canonical("CREATE TABLE t (b text DEFAULT 'x')")
        );
    }
}
