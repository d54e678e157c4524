//! Splits a document into tokens the way PostgreSQL's default text-search
//! parser does for the token types prose and application data contain:
//! words (ASCII, other letters, with digits), hyphenated words and their
//! parts, signed and unsigned integers, decimals, scientific numbers,
//! versions, e-mail addresses, host names, URLs with their host and path,
//! file paths; HTML tags, entities and `scheme://` prefixes are recognised
//! and not indexed. Apostrophes, underscores and other punctuation separate.
//!
//! PostgreSQL's parser is a large state machine (wparser_def.c); this covers
//! its rules for the shapes above, checked token by token against `ts_debug`.

/// The token types of PostgreSQL's default parser (`ts_token_type('default')`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    AsciiWord,
    Word,
    NumWord,
    AsciiHWord,
    HWord,
    NumHWord,
    HWordAsciiPart,
    HWordPart,
    HWordNumPart,
    Email,
    Url,
    Host,
    UrlPath,
    File,
    SFloat,
    Float,
    Int,
    UInt,
    Version,
    /// HTML tags, entities and `scheme://`: recognised, never indexed.
    Tag,
    Entity,
    Protocol,
}

impl Kind {
    /// A token followed by its parts (`well-known`, a URL): headlines
    /// print the parts, not the whole.
    pub(super) fn is_compound(self) -> bool {
        matches!(
            self,
            Kind::Url | Kind::AsciiHWord | Kind::HWord | Kind::NumHWord
        )
    }

    /// Tokens no configuration indexes.
    pub(super) fn is_ignored(self) -> bool {
        matches!(self, Kind::Tag | Kind::Entity | Kind::Protocol)
    }

    /// Word-like tokens, which a language's stemmer and stop list apply to.
    pub(super) fn is_word(self) -> bool {
        matches!(
            self,
            Kind::AsciiWord
                | Kind::Word
                | Kind::AsciiHWord
                | Kind::HWord
                | Kind::HWordAsciiPart
                | Kind::HWordPart
        )
    }
}

/// Calls `emit` with each token of `text`, in document order.
pub(super) fn tokens(text: &str, mut emit: impl FnMut(Kind, &str)) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut s = Scanner {
        text,
        chars: &chars,
        i: 0,
    };
    while s.i < chars.len() {
        let start = s.i;
        if let Some(end) = s.token_at(start, &mut emit) {
            s.i = end.max(start + 1);
        } else {
            s.i += 1;
        }
    }
}

struct Scanner<'a> {
    text: &'a str,
    chars: &'a [(usize, char)],
    i: usize,
}

fn is_alnum(c: char) -> bool {
    c.is_alphanumeric()
}

fn is_digit(c: char) -> bool {
    c.is_ascii_digit()
}

impl Scanner<'_> {
    fn ch(&self, i: usize) -> Option<char> {
        self.chars.get(i).map(|&(_, c)| c)
    }

    fn slice(&self, from: usize, to: usize) -> &str {
        let start = self.chars[from].0;
        let end = self.chars.get(to).map_or(self.text.len(), |&(b, _)| b);
        &self.text[start..end]
    }

    /// The end of the run of characters from `i` that satisfy `f`.
    fn run(&self, mut i: usize, f: impl Fn(char) -> bool) -> usize {
        while self.ch(i).is_some_and(&f) {
            i += 1;
        }
        i
    }

    /// Recognises the token starting at `i` (emitting it and any parts);
    /// `None` when `i` starts no token (a separator).
    fn token_at(&self, i: usize, emit: &mut impl FnMut(Kind, &str)) -> Option<usize> {
        let c = self.ch(i)?;
        match c {
            '<' => return self.tag(i).map(|end| self.emit(emit, Kind::Tag, i, end)),
            '&' => {
                return self
                    .entity(i)
                    .map(|end| self.emit(emit, Kind::Entity, i, end))
            }
            '/' => return self.path(i).map(|end| self.emit(emit, Kind::File, i, end)),
            '+' | '-' if self.ch(i + 1).is_some_and(is_digit) => {
                return Some(self.number(i, i + 1, emit))
            }
            _ if !is_alnum(c) => return None,
            _ => {}
        }
        if let Some(end) = self.protocol(i) {
            emit(Kind::Protocol, self.slice(i, end));
            return Some(end);
        }
        if let Some(end) = self.email(i) {
            return Some(self.emit(emit, Kind::Email, i, end));
        }
        if let Some(end) = self.dotted(i, emit) {
            return Some(end);
        }
        let end = self.run(i, is_alnum);
        if is_digit(c) && self.slice(i, end).chars().all(is_digit) {
            return Some(self.number(i, i, emit));
        }
        if self.ch(end) == Some('/') && self.ch(end + 1).is_some_and(is_alnum) {
            let stop = self.path(end).unwrap_or(end);
            return Some(self.emit(emit, Kind::File, i, stop));
        }
        if !is_digit(c) {
            if let Some(end) = self.hyphenated(i, emit) {
                return Some(end);
            }
        }
        let kind = word_kind(self.slice(i, end));
        Some(self.emit(emit, kind, i, end))
    }

    fn emit(&self, emit: &mut impl FnMut(Kind, &str), kind: Kind, from: usize, to: usize) -> usize {
        emit(kind, self.slice(from, to));
        to
    }

    /// `<b>`, `</a>`, `<img src="x">`.
    fn tag(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        if self.ch(j) == Some('/') {
            j += 1;
        }
        if !self.ch(j)?.is_ascii_alphabetic() {
            return None;
        }
        while let Some(c) = self.ch(j) {
            match c {
                '>' => return Some(j + 1),
                '<' => return None,
                _ => j += 1,
            }
        }
        None
    }

    /// `&amp;`, `&#39;`.
    fn entity(&self, i: usize) -> Option<usize> {
        let mut j = i + 1;
        if self.ch(j) == Some('#') {
            j += 1;
        }
        let end = self.run(j, |c| c.is_ascii_alphanumeric());
        (end > j && self.ch(end) == Some(';')).then_some(end + 1)
    }

    /// `http://`, `ftp://`.
    fn protocol(&self, i: usize) -> Option<usize> {
        let end = self.run(i, |c| c.is_ascii_alphabetic());
        (end > i && self.ch(end) == Some(':') && self.ch(end + 1) == Some('/'))
            .then_some(())
            .filter(|()| self.ch(end + 2) == Some('/'))
            .map(|()| end + 3)
    }

    /// A file path or URL path from the `/` at `i`.
    fn path(&self, i: usize) -> Option<usize> {
        let end = self.run(i, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '/' | '.' | '_' | '-' | '~')
        });
        let end = self.trim_dots(i, end);
        (end > i + 1).then_some(end)
    }

    /// A URL's path after its host: everything up to white space (its
    /// query string and trailing punctuation too, as PostgreSQL reads it).
    fn url_path(&self, i: usize) -> usize {
        self.run(i, |c| {
            !c.is_whitespace() && !matches!(c, '<' | '>' | '"' | '\'')
        })
    }

    /// A path does not end with the sentence's full stop.
    fn trim_dots(&self, i: usize, mut end: usize) -> usize {
        while end > i + 1 && matches!(self.ch(end - 1), Some('.' | ',' | ';' | ':' | '?')) {
            end -= 1;
        }
        end
    }

    /// `local@host.tld`.
    fn email(&self, i: usize) -> Option<usize> {
        let local = self.run(i, |c| {
            c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
        });
        if self.ch(local) != Some('@') {
            return None;
        }
        let (end, labels) = self.labels(local + 1);
        is_host(&labels).then_some(end)
    }

    /// Dot-separated labels from `i`: their end and their texts.
    fn labels(&self, i: usize) -> (usize, Vec<&str>) {
        let mut labels = Vec::new();
        let mut j = i;
        loop {
            let end = self.run(j, |c| c.is_alphanumeric() || matches!(c, '_' | '-'));
            if end == j {
                break;
            }
            labels.push(self.slice(j, end));
            j = end;
            if self.ch(j) == Some('.') && self.ch(j + 1).is_some_and(is_alnum) {
                j += 1;
            } else {
                break;
            }
        }
        (j, labels)
    }

    /// Tokens with dots: `3.14` (float), `1.2.3` (version), `example.com`
    /// (host), `example.com/a` (url, host, url_path), `e.g`, `v1.2` (file).
    fn dotted(&self, i: usize, emit: &mut impl FnMut(Kind, &str)) -> Option<usize> {
        let first = self.run(i, is_alnum);
        if self.ch(first) != Some('.') || !self.ch(first + 1).is_some_and(is_alnum) {
            return None;
        }
        // Digits and dots: a decimal (left to `number`) or a version,
        // which ends where the digits do (`2.0.1-beta`).
        let mut j = first;
        let mut digit_labels = 1;
        while self.ch(j) == Some('.') && self.ch(j + 1).is_some_and(is_digit) {
            j = self.run(j + 1, is_digit);
            digit_labels += 1;
        }
        if self.slice(i, first).chars().all(is_digit) && !self.ch(j).is_some_and(is_alnum) {
            return (digit_labels > 2).then(|| self.emit(emit, Kind::Version, i, j));
        }
        let (end, labels) = self.labels(i);
        if labels.len() < 2
            || labels
                .iter()
                .any(|l| l.starts_with('-') || l.ends_with('-'))
        {
            return None;
        }
        let digits = |l: &&str| l.chars().all(is_digit);
        if labels.len() == 2 && digits(&labels[0]) && labels[1].starts_with(is_digit) {
            // 3.14, 1.5e3: a number.
            return None;
        }
        if labels.iter().all(digits) {
            // A decimal number, whose own rules (exponent) apply.
            return (labels.len() > 2).then(|| self.emit(emit, Kind::Version, i, end));
        }
        if labels.iter().any(|l| l.contains('_')) {
            return None;
        }
        if is_host(&labels) {
            let mut host_end = end;
            if self.ch(end) == Some(':') && self.ch(end + 1).is_some_and(is_digit) {
                host_end = self.run(end + 1, is_digit);
            }
            if self.ch(host_end) == Some('/') {
                let path_end = self.url_path(host_end);
                if path_end > host_end + 1 {
                    self.emit(emit, Kind::Url, i, path_end);
                    self.emit(emit, Kind::Host, i, host_end);
                    return Some(self.emit(emit, Kind::UrlPath, host_end, path_end));
                }
            }
            return Some(self.emit(emit, Kind::Host, i, end));
        }
        let stop = if self.ch(end) == Some('/') {
            self.path(end).unwrap_or(end)
        } else {
            end
        };
        Some(self.emit(emit, Kind::File, i, stop))
    }

    /// A number from `i` (digits start at `digits`; a sign before them
    /// makes it signed): int/uint, float, sfloat, or a numword (`123abc`).
    fn number(&self, i: usize, digits: usize, emit: &mut impl FnMut(Kind, &str)) -> usize {
        let int_end = self.run(digits, is_digit);
        let mut end = int_end;
        let mut kind = if digits > i { Kind::Int } else { Kind::UInt };
        if self.ch(end) == Some('.') && self.ch(end + 1).is_some_and(is_digit) {
            end = self.run(end + 1, is_digit);
            kind = Kind::Float;
        }
        if matches!(self.ch(end), Some('e' | 'E')) {
            let mut j = end + 1;
            if matches!(self.ch(j), Some('+' | '-')) {
                j += 1;
            }
            if self.ch(j).is_some_and(is_digit) {
                let exp_end = self.run(j, is_digit);
                if !self.ch(exp_end).is_some_and(is_alnum) {
                    return self.emit(emit, Kind::SFloat, i, exp_end);
                }
            }
        }
        if kind == Kind::UInt && self.ch(end).is_some_and(is_alnum) {
            let word_end = self.run(i, is_alnum);
            return self.emit(emit, Kind::NumWord, i, word_end);
        }
        if kind == Kind::UInt && self.ch(end) == Some('/') && self.ch(end + 1).is_some_and(is_alnum)
        {
            let stop = self.path(end).unwrap_or(end);
            return self.emit(emit, Kind::File, i, stop);
        }
        self.emit(emit, kind, i, end)
    }

    /// `well-known`, `x-2b`: the whole compound, then each part. The first
    /// part starts with a letter and every part has one.
    fn hyphenated(&self, i: usize, emit: &mut impl FnMut(Kind, &str)) -> Option<usize> {
        let mut parts = vec![(i, self.run(i, is_alnum))];
        loop {
            let (_, end) = *parts.last()?;
            if self.ch(end) != Some('-') {
                break;
            }
            let next_end = self.run(end + 1, is_alnum);
            if next_end == end + 1
                || !self
                    .slice(end + 1, next_end)
                    .chars()
                    .any(char::is_alphabetic)
            {
                break;
            }
            parts.push((end + 1, next_end));
        }
        if parts.len() < 2 {
            return None;
        }
        let end = parts.last()?.1;
        let kinds: Vec<Kind> = parts
            .iter()
            .map(|&(a, b)| match word_kind(self.slice(a, b)) {
                Kind::AsciiWord => Kind::HWordAsciiPart,
                Kind::Word => Kind::HWordPart,
                _ => Kind::HWordNumPart,
            })
            .collect();
        let whole = if kinds.contains(&Kind::HWordNumPart) {
            Kind::NumHWord
        } else if kinds.contains(&Kind::HWordPart) {
            Kind::HWord
        } else {
            Kind::AsciiHWord
        };
        self.emit(emit, whole, i, end);
        for (&(a, b), &kind) in parts.iter().zip(&kinds) {
            self.emit(emit, kind, a, b);
        }
        Some(end)
    }
}

/// A host name: two or more labels, the last one letters only (a TLD).
fn is_host(labels: &[&str]) -> bool {
    labels.len() >= 2
        && labels.last().is_some_and(|tld| {
            tld.chars().count() >= 2 && tld.chars().all(|c| c.is_ascii_alphabetic())
        })
        && labels.iter().all(|l| !l.is_empty() && !l.contains('_'))
}

/// asciiword, word (other letters) or numword (letters and digits).
fn word_kind(word: &str) -> Kind {
    if word.chars().any(|c| c.is_numeric()) {
        Kind::NumWord
    } else if word.is_ascii() {
        Kind::AsciiWord
    } else {
        Kind::Word
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(Kind, String)> {
        let mut out = Vec::new();
        tokens(text, |k, t| out.push((k, t.to_owned())));
        out
    }

    #[test]
    fn splits_as_postgres_does() {
        use Kind::*;
        let t = |k, s: &str| (k, s.to_owned());
        assert_eq!(
            kinds("The well-known x-2b don't 3.14 -5 1.2.3 v1.2 bob@example.com <b>hi</b>"),
            vec![
                t(AsciiWord, "The"),
                t(AsciiHWord, "well-known"),
                t(HWordAsciiPart, "well"),
                t(HWordAsciiPart, "known"),
                t(NumHWord, "x-2b"),
                t(HWordAsciiPart, "x"),
                t(HWordNumPart, "2b"),
                t(AsciiWord, "don"),
                t(AsciiWord, "t"),
                t(Float, "3.14"),
                t(Int, "-5"),
                t(Version, "1.2.3"),
                t(File, "v1.2"),
                t(Email, "bob@example.com"),
                t(Tag, "<b>"),
                t(AsciiWord, "hi"),
                t(Tag, "</b>"),
            ]
        );
        assert_eq!(
            kinds("see www.x.org:8080/p?q=1 now"),
            vec![
                t(AsciiWord, "see"),
                t(Url, "www.x.org:8080/p?q=1"),
                t(Host, "www.x.org:8080"),
                t(UrlPath, "/p?q=1"),
                t(AsciiWord, "now"),
            ]
        );
    }
}
