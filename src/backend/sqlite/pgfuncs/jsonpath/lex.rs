//! The jsonpath tokenizer: keys, `$variables`, double-quoted strings with
//! JSON's escapes, numbers and operators.

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    Dollar,
    At,
    Var(String),
    Ident(String),
    Str(String),
    Num(String),
    /// Operators and punctuation.
    Sym(&'static str),
}

/// A syntax error: PostgreSQL's message shape, SQLSTATE 42601.
#[derive(Debug)]
pub struct SyntaxError(pub String);

pub fn near(tok: Option<&Tok>) -> SyntaxError {
    SyntaxError(match tok {
        None => "syntax error at end of jsonpath input".to_owned(),
        Some(t) => {
            let text = match t {
                Tok::Dollar => "$".to_owned(),
                Tok::At => "@".to_owned(),
                Tok::Var(v) => format!("${v}"),
                Tok::Ident(s) | Tok::Num(s) => s.clone(),
                Tok::Str(s) => format!("\"{s}\""),
                Tok::Sym(s) => (*s).to_owned(),
            };
            format!("syntax error at or near \"{text}\" of jsonpath input")
        }
    })
}

const SYMBOLS: [&str; 23] = [
    "**", "==", "!=", "<>", "<=", ">=", "&&", "||", "<", ">", "!", "=", ".", ",", "(", ")", "[",
    "]", "{", "}", "?", "+", "-",
];

pub fn lex(s: &str) -> Result<Vec<Tok>, SyntaxError> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'"' {
            let (text, end) = string(s, i + 1)?;
            out.push(Tok::Str(text));
            i = end;
            continue;
        }
        if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)) {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
                let mut j = i + 1;
                if j < b.len() && (b[j] == b'+' || b[j] == b'-') {
                    j += 1;
                }
                if j < b.len() && b[j].is_ascii_digit() {
                    while j < b.len() && b[j].is_ascii_digit() {
                        j += 1;
                    }
                    i = j;
                }
            }
            // `1a`: PostgreSQL rejects trailing junk after a number.
            if i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
                return Err(SyntaxError(format!(
                    "trailing junk after numeric literal at or near \"{}\" of jsonpath input",
                    &s[start..=i]
                )));
            }
            out.push(Tok::Num(s[start..i].to_owned()));
            continue;
        }
        if c == b'$' {
            if b.get(i + 1) == Some(&b'"') {
                let (name, end) = string(s, i + 2)?;
                out.push(Tok::Var(name));
                i = end;
            } else {
                let end = ident_end(b, i + 1);
                if end > i + 1 {
                    out.push(Tok::Var(s[i + 1..end].to_owned()));
                } else {
                    out.push(Tok::Dollar);
                }
                i = end;
            }
            continue;
        }
        if c == b'@' {
            out.push(Tok::At);
            i += 1;
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' || c >= 0x80 {
            let end = ident_end(b, i);
            out.push(Tok::Ident(s[i..end].to_owned()));
            i = end;
            continue;
        }
        if c == b'*' {
            let two = b.get(i + 1) == Some(&b'*');
            out.push(Tok::Sym(if two { "**" } else { "*" }));
            i += if two { 2 } else { 1 };
            continue;
        }
        if c == b'/' || c == b'%' {
            out.push(Tok::Sym(if c == b'/' { "/" } else { "%" }));
            i += 1;
            continue;
        }
        match SYMBOLS.iter().find(|sym| s[i..].starts_with(*sym)) {
            Some(sym) => {
                out.push(Tok::Sym(sym));
                i += sym.len();
            }
            None => {
                let ch = s[i..].chars().next().unwrap_or(' ');
                return Err(SyntaxError(format!(
                    "syntax error at or near \"{ch}\" of jsonpath input"
                )));
            }
        }
    }
    Ok(out)
}

fn ident_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
        i += 1;
    }
    i
}

/// A double-quoted string from `start` (after the quote): its text and the
/// index after the closing quote.
fn string(s: &str, start: usize) -> Result<(String, usize), SyntaxError> {
    let mut out = String::new();
    let mut chars = s[start..].char_indices();
    let unterminated = || SyntaxError("unterminated quoted string in jsonpath input".to_owned());
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => return Ok((out, start + k + 1)),
            '\\' => {
                let (_, e) = chars.next().ok_or_else(unterminated)?;
                match e {
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'v' => out.push('\u{b}'),
                    'u' => {
                        let hex: String = chars.by_ref().take(4).map(|(_, h)| h).collect();
                        let code = u32::from_str_radix(&hex, 16)
                            .ok()
                            .filter(|_| hex.len() == 4)
                            .ok_or_else(|| {
                                SyntaxError("invalid Unicode escape sequence".to_owned())
                            })?;
                        out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    }
                    other => out.push(other),
                }
            }
            c => out.push(c),
        }
    }
    Err(unterminated())
}
