//! `tsvector`: sorted distinct lexemes, each with its positions and their
//! weights. Stored in SQLite as PostgreSQL's text form (`'cat':2A 'fat':1`),
//! which is what clients read, so a stored value is parsed when a function
//! needs its structure.

use super::config::{Word, MAX_POS};

/// A position with its weight in the top two bits, as PostgreSQL packs it
/// (weight 3 is A, 0 is D).
pub(super) type Pos = u16;

pub(super) fn position(p: Pos) -> u16 {
    p & 0x3fff
}

pub(super) fn weight(p: Pos) -> u8 {
    (p >> 14) as u8
}

/// PostgreSQL keeps at most this many positions per lexeme.
const MAX_POSITIONS: usize = 256;

#[derive(Debug, Clone, PartialEq)]
pub(super) struct Entry {
    pub(super) lexeme: String,
    /// Sorted by position, distinct; empty when stripped.
    pub(super) positions: Vec<Pos>,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub(super) struct TsVector {
    /// Sorted by lexeme bytes, distinct.
    pub(super) entries: Vec<Entry>,
}

impl TsVector {
    /// `to_tsvector`'s result for a parsed document.
    pub(super) fn from_words(words: Vec<Word>) -> TsVector {
        let entries = words
            .into_iter()
            .map(|w| Entry {
                lexeme: w.lexeme,
                positions: vec![w.pos],
            })
            .collect();
        TsVector::normalized(entries)
    }

    /// Sorts and merges entries, and sorts each one's positions (a position
    /// seen twice keeps the higher weight).
    fn normalized(mut entries: Vec<Entry>) -> TsVector {
        entries.sort_by(|a, b| a.lexeme.as_bytes().cmp(b.lexeme.as_bytes()));
        let mut out: Vec<Entry> = Vec::with_capacity(entries.len());
        for e in entries {
            match out.last_mut() {
                Some(last) if last.lexeme == e.lexeme => last.positions.extend(e.positions),
                _ => out.push(e),
            }
        }
        for e in &mut out {
            unique_positions(&mut e.positions);
        }
        TsVector { entries: out }
    }

    /// PostgreSQL's tsvector input syntax: `'quoted lexeme':1A,2 plain:3`.
    pub(super) fn parse(text: &str) -> Result<TsVector, rusqlite::Error> {
        let bad = || super::super::error("42601", format!("syntax error in tsvector: \"{text}\""));
        let mut entries = Vec::new();
        let mut chars = text.chars().peekable();
        loop {
            while chars.next_if(|c| c.is_whitespace()).is_some() {}
            let Some(&first) = chars.peek() else { break };
            let mut lexeme = String::new();
            if first == '\'' {
                chars.next();
                loop {
                    match chars.next().ok_or_else(bad)? {
                        '\'' if chars.next_if_eq(&'\'').is_some() => lexeme.push('\''),
                        '\'' => break,
                        '\\' => lexeme.push(chars.next().ok_or_else(bad)?),
                        c => lexeme.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || c == ':' {
                        break;
                    }
                    chars.next();
                    if c == '\\' {
                        lexeme.push(chars.next().ok_or_else(bad)?);
                    } else {
                        lexeme.push(c);
                    }
                }
            }
            let mut positions = Vec::new();
            if chars.next_if_eq(&':').is_some() {
                loop {
                    let mut digits = String::new();
                    while let Some(c) = chars.next_if(char::is_ascii_digit) {
                        digits.push(c);
                    }
                    let n: u32 = digits.parse().map_err(|_| bad())?;
                    if n == 0 {
                        return Err(super::super::error(
                            "42601",
                            format!("wrong position info in tsvector: \"{text}\""),
                        ));
                    }
                    let mut p = n.min(u32::from(MAX_POS)) as u16;
                    if let Some(w) = chars.next_if(|c| "ABCDabcd*".contains(*c)) {
                        p |= u16::from(weight_code(w).unwrap_or(0)) << 14;
                    }
                    positions.push(p);
                    if chars.next_if_eq(&',').is_none() {
                        break;
                    }
                }
                if chars.peek().is_some_and(|c| !c.is_whitespace()) {
                    return Err(bad());
                }
            }
            entries.push(Entry { lexeme, positions });
        }
        Ok(TsVector::normalized(entries))
    }

    /// The text form PostgreSQL prints.
    pub(super) fn write(&self) -> String {
        let mut out = String::new();
        for (i, e) in self.entries.iter().enumerate() {
            if i > 0 {
                out.push(' ');
            }
            write_lexeme(&mut out, &e.lexeme);
            for (j, &p) in e.positions.iter().enumerate() {
                out.push(if j == 0 { ':' } else { ',' });
                out.push_str(itoa::Buffer::new().format(position(p)));
                if weight(p) > 0 {
                    out.push(weight_letter(weight(p)));
                }
            }
        }
        out
    }

    /// `a || b`: b's positions follow a's last one.
    pub(super) fn concat(mut self, other: TsVector) -> TsVector {
        let shift = self
            .entries
            .iter()
            .flat_map(|e| e.positions.iter().map(|&p| position(p)))
            .max()
            .unwrap_or(0);
        for mut e in other.entries {
            for p in &mut e.positions {
                let moved = (position(*p) + shift).min(MAX_POS);
                *p = (*p & 0xc000) | moved;
            }
            self.entries.push(e);
        }
        TsVector::normalized(self.entries)
    }

    /// `setweight(v, w [, lexemes])`.
    pub(super) fn set_weight(&mut self, w: u8, only: Option<&[String]>) {
        for e in &mut self.entries {
            if only.is_some_and(|l| !l.contains(&e.lexeme)) {
                continue;
            }
            for p in &mut e.positions {
                *p = (*p & 0x3fff) | (u16::from(w) << 14);
            }
        }
    }

    /// `strip(v)`: lexemes only.
    pub(super) fn strip(&mut self) {
        for e in &mut self.entries {
            e.positions.clear();
        }
    }

    /// The entries equal to `lexeme`, or starting with it for a prefix.
    pub(super) fn find(&self, lexeme: &str, prefix: bool) -> &[Entry] {
        &self.entries[self.find_range(lexeme, prefix)]
    }

    /// [`TsVector::find`]'s entries as indexes.
    pub(super) fn find_range(&self, lexeme: &str, prefix: bool) -> std::ops::Range<usize> {
        let key = lexeme.as_bytes();
        let start = self.entries.partition_point(|e| e.lexeme.as_bytes() < key);
        let len = if prefix {
            self.entries[start..]
                .iter()
                .take_while(|e| e.lexeme.as_bytes().starts_with(key))
                .count()
        } else {
            usize::from(self.entries.get(start).is_some_and(|e| e.lexeme == lexeme))
        };
        start..start + len
    }
}

fn unique_positions(positions: &mut Vec<Pos>) {
    positions.sort_by_key(|&p| position(p));
    positions.dedup_by(|later, kept| {
        if position(*later) != position(*kept) {
            return false;
        }
        if weight(*later) > weight(*kept) {
            *kept = *later;
        }
        true
    });
    positions.truncate(MAX_POSITIONS);
}

/// A weight letter's code: A 3, B 2, C 1, D 0.
pub(super) fn weight_code(c: char) -> Option<u8> {
    match c.to_ascii_uppercase() {
        'A' => Some(3),
        'B' => Some(2),
        'C' => Some(1),
        'D' => Some(0),
        _ => None,
    }
}

pub(super) fn weight_letter(w: u8) -> char {
    ['D', 'C', 'B', 'A'][usize::from(w & 3)]
}

/// A lexeme in quotes, with `'` and `\` doubled.
pub(super) fn write_lexeme(out: &mut String, lexeme: &str) {
    out.push('\'');
    for c in lexeme.chars() {
        if c == '\'' || c == '\\' {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_as_postgres() {
        let v = TsVector::parse("b a ab ba 'it''s':3 x:2,1A,2B").unwrap();
        assert_eq!(v.write(), "'a' 'ab' 'b' 'ba' 'it''s':3 'x':1A,2B");
        assert!(TsVector::parse("'open").is_err());
    }

    #[test]
    fn concat_shifts_positions() {
        let a = TsVector::parse("fat:1A cat:2A").unwrap();
        let b = TsVector::parse("big:1 dog:2 cat:2").unwrap();
        assert_eq!(a.concat(b).write(), "'big':3 'cat':2A,4 'dog':4 'fat':1A");
    }
}
