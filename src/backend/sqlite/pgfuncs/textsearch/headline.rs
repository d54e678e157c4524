//! `ts_headline`: an excerpt of a document with the query's words marked,
//! chosen as PostgreSQL's default parser chooses it (prsd_headline with
//! MaxFragments = 0): every token and the separators between them are kept
//! in order, query words are found by lexeme, the best minimal "cover" (a
//! stretch satisfying the query) is widened to MinWords..MaxWords words,
//! preferring not to end on a short word or a number, and the excerpt is
//! printed with tags replaced by spaces and compound tokens left to their
//! parts.

use super::config::{Config, MAX_POS};
use super::matching::{self, Document};
use super::parser::{self, Kind};
use super::query::{Node, TsQuery};

struct Options {
    start_sel: String,
    stop_sel: String,
    max_words: i64,
    min_words: i64,
    short_word: i64,
    highlight_all: bool,
}

/// PostgreSQL's options syntax: `MaxWords=10, StartSel="<em>"`.
fn options(text: &str) -> rusqlite::Result<Options> {
    let mut o = Options {
        start_sel: "<b>".into(),
        stop_sel: "</b>".into(),
        max_words: 35,
        min_words: 15,
        short_word: 3,
        highlight_all: false,
    };
    let bad = |m: String| super::super::error("22023", m);
    for (key, value) in pairs(text) {
        let int = || {
            value.trim().parse::<i64>().map_err(|_| {
                bad(format!(
                    "invalid value for integer option \"{key}\": \"{value}\""
                ))
            })
        };
        match key.to_ascii_lowercase().as_str() {
            "startsel" => o.start_sel = value,
            "stopsel" => o.stop_sel = value,
            "maxwords" => o.max_words = int()?,
            "minwords" => o.min_words = int()?,
            "shortword" => o.short_word = int()?,
            "highlightall" => {
                o.highlight_all = matches!(
                    value.trim().to_ascii_lowercase().as_str(),
                    "1" | "on" | "true" | "t" | "y" | "yes"
                )
            }
            "maxfragments" => {
                if int()? != 0 {
                    return Err(super::super::error(
                        "0A000",
                        "ts_headline with MaxFragments is not supported",
                    ));
                }
            }
            "fragmentdelimiter" => {}
            _ => return Err(bad(format!("unrecognized headline parameter: \"{key}\""))),
        }
    }
    if !o.highlight_all {
        if o.min_words >= o.max_words {
            return Err(bad("MinWords should be less than MaxWords".into()));
        }
        if o.min_words <= 0 {
            return Err(bad("MinWords should be positive".into()));
        }
        if o.short_word < 0 {
            return Err(bad("ShortWord should be >= 0".into()));
        }
    }
    Ok(o)
}

/// `key=value` pairs separated by commas or spaces; a value may be quoted
/// with `'` or `"`.
fn pairs(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == ',').is_some() {}
        let mut key = String::new();
        while let Some(c) = chars.next_if(|c| *c != '=' && !c.is_whitespace()) {
            key.push(c);
        }
        if key.is_empty() {
            break;
        }
        while chars.next_if(|c| c.is_whitespace()).is_some() {}
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            if let Some(quote) = chars.next_if(|c| *c == '"' || *c == '\'') {
                // Quoted with ' or " (a doubled quote is one quote).
                while let Some(c) = chars.next() {
                    if c == quote {
                        if chars.next_if_eq(&quote).is_none() {
                            break;
                        }
                    } else if c == '\\' {
                        value.extend(chars.next());
                        continue;
                    }
                    value.push(c);
                }
            } else {
                while let Some(c) = chars.next_if(|c| *c != ',' && !c.is_whitespace()) {
                    value.push(c);
                }
            }
        }
        out.push((key, value));
    }
    out
}

/// One token of the document, or the separator text between two.
struct Word<'a> {
    text: &'a str,
    /// `None` for separators.
    kind: Option<Kind>,
    pos: u16,
    /// The query operand this word matches (by address, as PostgreSQL
    /// compares operands by pointer).
    item: Option<usize>,
    /// A second operand matching the same word: a copy, never printed.
    repeated: bool,
}

impl Word<'_> {
    fn non_word(&self) -> bool {
        match self.kind {
            None => true,
            Some(k) => k == Kind::Tag || k.is_compound(),
        }
    }

    fn no_end(&self) -> bool {
        self.non_word()
            || matches!(
                self.kind,
                Some(
                    Kind::SFloat
                        | Kind::Version
                        | Kind::Float
                        | Kind::Int
                        | Kind::UInt
                        | Kind::Entity
                        | Kind::Protocol
                )
            )
    }

    fn interesting(&self) -> bool {
        self.item.is_some() && !self.repeated
    }
}

fn words<'a>(config: Config, doc: &'a str, query: &TsQuery) -> Vec<Word<'a>> {
    let items: Vec<&Node> = query
        .0
        .as_ref()
        .map(super::query::operands)
        .unwrap_or_default();
    let mut out: Vec<Word<'a>> = Vec::new();
    let (mut cursor, mut pos) = (0usize, 0u16);
    let base = doc.as_ptr() as usize;
    parser::tokens(doc, |kind, token| {
        let start = token.as_ptr() as usize - base;
        if start > cursor {
            out.push(Word {
                text: &doc[cursor..start],
                kind: None,
                pos: 0,
                item: None,
                repeated: false,
            });
            cursor = start;
        }
        // A compound token is followed by its parts, which are printed.
        if !kind.is_compound() {
            cursor = cursor.max(start + token.len());
        }
        let text = &doc[start..start + token.len()];
        let mut word = Word {
            text,
            kind: Some(kind),
            pos: 0,
            item: None,
            repeated: false,
        };
        let mut copies = Vec::new();
        if let Some(lexeme) = config.lexize(kind, token) {
            pos = (pos + 1).min(MAX_POS);
            word.pos = pos;
            if let Some(lexeme) = lexeme {
                for &item in &items {
                    let Node::Val {
                        lexeme: l, prefix, ..
                    } = item
                    else {
                        continue;
                    };
                    let hit = if *prefix {
                        lexeme.as_bytes().starts_with(l.as_bytes())
                    } else {
                        lexeme == *l
                    };
                    if !hit {
                        continue;
                    }
                    if word.item.is_some() {
                        copies.push(Word {
                            text,
                            kind: Some(kind),
                            pos,
                            item: Some(item as *const Node as usize),
                            repeated: true,
                        });
                    } else {
                        word.item = Some(item as *const Node as usize);
                    }
                }
            }
        }
        out.push(word);
        out.extend(copies);
    });
    if cursor < doc.len() {
        out.push(Word {
            text: &doc[cursor..],
            kind: None,
            pos: 0,
            item: None,
            repeated: false,
        });
    }
    out
}

/// A stretch of the document, for checking whether it satisfies the query.
struct Stretch<'w, 'a>(&'w [Word<'a>]);

impl Document for Stretch<'_, '_> {
    fn contains(&self, operand: &Node) -> bool {
        let id = operand as *const Node as usize;
        self.0.iter().any(|w| w.item == Some(id))
    }

    fn positions(&self, operand: &Node) -> Vec<u16> {
        let id = operand as *const Node as usize;
        let mut out: Vec<u16> = Vec::new();
        for w in self.0.iter().filter(|w| w.item == Some(id)) {
            if out.last().is_none_or(|&last| last < w.pos) {
                out.push(w.pos);
            }
        }
        out
    }
}

/// The earliest shortest stretch from word `from` that satisfies the query,
/// both ends being query words, at most `max_cover` words long.
fn cover(words: &[Word], root: &Node, from: usize, max_cover: usize) -> Option<(usize, usize)> {
    let mut pmin = from;
    while pmin < words.len() && words[pmin].item.is_none() {
        pmin += 1;
    }
    while pmin < words.len() {
        let mut next = None;
        let mut pmax = pmin;
        while pmax < words.len() && pmax - pmin < max_cover {
            if words[pmax].item.is_some() {
                if matching::eval(&Stretch(&words[pmin..=pmax]), root) {
                    return Some((pmin, pmax));
                }
                if next.is_none() && pmax > pmin {
                    next = Some(pmax);
                }
            }
            pmax += 1;
        }
        pmin = next?;
    }
    None
}

pub(super) fn headline(
    config: Config,
    doc: &str,
    query: &TsQuery,
    option_text: Option<&str>,
) -> rusqlite::Result<String> {
    let o = options(option_text.unwrap_or(""))?;
    let words = words(config, doc, query);
    let n = words.len() as i64;
    let counts = |w: &Word| i64::from(!w.non_word());
    let bad_end = |j: i64| -> bool {
        let w = &words[j as usize];
        (w.no_end() || w.text.len() as i64 <= o.short_word) && !w.interesting()
    };
    let (begin, end) = if o.highlight_all {
        (0, n - 1)
    } else {
        let (mut bestb, mut beste, mut bestlen, mut bestcover) = (-1i64, -1i64, -1i64, false);
        let max_cover = (o.max_words * 10).max(100) as usize;
        let mut p = 0usize;
        while let Some((cp, cq)) = query
            .0
            .as_ref()
            .and_then(|root| cover(&words, root, p, max_cover))
        {
            let (p0, q) = (cp as i64, cq as i64);
            let (mut curlen, mut poslen) = (0i64, 0i64);
            let (mut posb, mut pose) = (p0, p0);
            let mut i = p0;
            while i <= q && curlen < o.max_words {
                curlen += counts(&words[i as usize]);
                poslen += i64::from(words[i as usize].interesting());
                pose = i;
                i += 1;
            }
            if curlen < o.max_words {
                i -= 1;
                while i < n && curlen < o.max_words {
                    if i > q {
                        curlen += counts(&words[i as usize]);
                        poslen += i64::from(words[i as usize].interesting());
                    }
                    pose = i;
                    if !bad_end(i) && curlen >= o.min_words {
                        break;
                    }
                    i += 1;
                }
                if curlen < o.min_words {
                    i = p0 - 1;
                    while i >= 0 {
                        curlen += counts(&words[i as usize]);
                        poslen += i64::from(words[i as usize].interesting());
                        if curlen >= o.max_words {
                            break;
                        }
                        if !bad_end(i) && curlen >= o.min_words {
                            break;
                        }
                        i -= 1;
                    }
                    posb = i.max(0);
                }
            } else {
                if i > q {
                    i = q;
                }
                while curlen > o.min_words {
                    if !bad_end(i) {
                        break;
                    }
                    curlen -= counts(&words[i as usize]);
                    poslen -= i64::from(words[i as usize].interesting());
                    pose = i - 1;
                    i -= 1;
                }
            }
            let poscover = posb <= p0 && pose >= q;
            if (poscover && !bestcover)
                || (poscover == bestcover && poslen > bestlen)
                || (poscover == bestcover
                    && poslen == bestlen
                    && !bad_end(pose)
                    && beste >= 0
                    && bad_end(beste))
            {
                (bestb, beste, bestlen, bestcover) = (posb, pose, poslen, poscover);
            }
            p = cp + 1;
        }
        if bestlen < 0 {
            let (mut curlen, mut pose) = (0i64, 0i64);
            let mut i = 0i64;
            while i < n && curlen < o.min_words {
                curlen += counts(&words[i as usize]);
                pose = i;
                i += 1;
            }
            (0, pose)
        } else {
            (bestb, beste)
        }
    };
    let mut out = String::new();
    for (j, w) in words.iter().enumerate() {
        let j = j as i64;
        if j < begin || j > end || w.repeated {
            continue;
        }
        if !o.highlight_all && w.kind == Some(Kind::Tag) {
            out.push(' ');
            continue;
        }
        if w.kind.is_some_and(Kind::is_compound) {
            continue;
        }
        if w.item.is_some() {
            out.push_str(&o.start_sel);
            out.push_str(w.text);
            out.push_str(&o.stop_sel);
        } else {
            out.push_str(w.text);
        }
    }
    Ok(out)
}
