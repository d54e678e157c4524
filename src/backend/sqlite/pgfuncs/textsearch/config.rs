//! Text-search configurations: which tokens a configuration indexes and
//! the lexeme each becomes. `english` (PostgreSQL's default) lower-cases,
//! drops English stop words (keeping their positions) and stems words with
//! Snowball's English stemmer, the algorithm PostgreSQL's `english_stem`
//! runs; other tokens (numbers, hosts, e-mail addresses...) are only
//! lower-cased. `simple` lower-cases every token.

use super::parser::{self, Kind};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Config {
    Simple,
    English,
}

/// PostgreSQL's configurations that this one does not provide.
const OTHER_BUILT_IN: &[&str] = &[
    "arabic",
    "armenian",
    "basque",
    "catalan",
    "danish",
    "dutch",
    "finnish",
    "french",
    "german",
    "greek",
    "hindi",
    "hungarian",
    "indonesian",
    "irish",
    "italian",
    "lithuanian",
    "nepali",
    "norwegian",
    "portuguese",
    "romanian",
    "russian",
    "serbian",
    "spanish",
    "swedish",
    "tamil",
    "turkish",
    "yiddish",
];

impl Config {
    /// The configuration a `regconfig` name gives (`english`,
    /// `pg_catalog.simple`).
    pub(super) fn named(name: &str) -> Result<Config, rusqlite::Error> {
        let lower = name.trim().to_ascii_lowercase();
        let base = lower.strip_prefix("pg_catalog.").unwrap_or(&lower);
        match base {
            "english" => Ok(Config::English),
            "simple" => Ok(Config::Simple),
            _ if OTHER_BUILT_IN.contains(&base) => Err(super::super::error(
                "0A000",
                format!("text search configuration \"{name}\" is not supported"),
            )),
            _ => Err(super::super::error(
                "42704",
                format!("text search configuration \"{name}\" does not exist"),
            )),
        }
    }

    /// The lexeme for a token: `None` when the configuration does not
    /// index its type (no position either), `Some(None)` for a stop word
    /// (which takes a position).
    pub(super) fn lexize(self, kind: Kind, token: &str) -> Option<Option<String>> {
        if kind.is_ignored() {
            return None;
        }
        let lower = token.to_lowercase();
        if self == Config::Simple || !kind.is_word() {
            return Some(Some(lower));
        }
        if STOP_WORDS.binary_search(&lower.as_str()).is_ok() {
            return Some(None);
        }
        Some(Some(stemmer().stem(&lower).into_owned()))
    }
}

fn stemmer() -> &'static rust_stemmers::Stemmer {
    static STEMMER: std::sync::OnceLock<rust_stemmers::Stemmer> = std::sync::OnceLock::new();
    STEMMER.get_or_init(|| rust_stemmers::Stemmer::create(rust_stemmers::Algorithm::English))
}

/// A lexeme of a parsed document and its position (1-based).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Word {
    pub(super) lexeme: String,
    pub(super) pos: u16,
}

/// Positions past this one are all stored as it (PostgreSQL's MAXENTRYPOS - 1).
pub(super) const MAX_POS: u16 = 16383;

/// PostgreSQL's limit on one lexeme (longer words are skipped).
const MAX_LEXEME_BYTES: usize = 2047;

/// The lexemes of a document in order; stop words advance the position.
pub(super) fn parse(config: Config, text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let mut pos: u16 = 0;
    parser::tokens(text, |kind, token| {
        if token.len() > MAX_LEXEME_BYTES {
            return;
        }
        let Some(lexeme) = config.lexize(kind, token) else {
            return;
        };
        pos = (pos + 1).min(MAX_POS);
        if let Some(lexeme) = lexeme {
            words.push(Word { lexeme, pos });
        }
    });
    words
}

/// Snowball's English stop words, as PostgreSQL's english.stop lists them
/// (sorted for binary search).
const STOP_WORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "all",
    "am",
    "an",
    "and",
    "any",
    "are",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "did",
    "do",
    "does",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "has",
    "have",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "it",
    "its",
    "itself",
    "just",
    "me",
    "more",
    "most",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "s",
    "same",
    "she",
    "should",
    "so",
    "some",
    "such",
    "t",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "we",
    "were",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stop_words_are_sorted() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn english_stems_and_drops_stop_words() {
        let words = parse(Config::English, "The quick brown foxes jumped");
        let got: Vec<(&str, u16)> = words.iter().map(|w| (w.lexeme.as_str(), w.pos)).collect();
        assert_eq!(got, [("quick", 2), ("brown", 3), ("fox", 4), ("jump", 5)]);
    }
}
