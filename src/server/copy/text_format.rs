//! PostgreSQL's COPY text format: one line per row, fields split on the
//! delimiter, `\N` (or the NULL option) for NULL, backslash escapes
//! `\b \f \n \r \t \v \\ \ooo \xhh` and a backslash before any other
//! character standing for that character.

use super::Fields;

/// Finds line ends across CopyData chunks, resuming where it stopped.
#[derive(Debug, Default)]
pub struct LineScan {
    pos: usize,
}

impl LineScan {
    /// The index of the `\n` ending the first line of `buf`, or `None` until
    /// it has arrived. A backslash escapes the next byte, newline included.
    pub fn line_end(&mut self, buf: &[u8]) -> Option<usize> {
        let mut i = self.pos;
        while i < buf.len() {
            match buf[i] {
                b'\n' => {
                    self.pos = 0;
                    return Some(i);
                }
                b'\\' if i + 1 >= buf.len() => break,
                b'\\' => i += 2,
                _ => i += 1,
            }
        }
        self.pos = i.min(buf.len());
        None
    }
}

fn octal(b: u8) -> Option<u8> {
    (b'0'..=b'7').contains(&b).then(|| b - b'0')
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Appends the de-escaped bytes of one raw field.
fn unescape(raw: &[u8], out: &mut Vec<u8>) {
    let mut i = 0;
    while i < raw.len() {
        let b = raw[i];
        i += 1;
        if b != b'\\' || i >= raw.len() {
            out.push(b);
            continue;
        }
        let c = raw[i];
        i += 1;
        match c {
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'n' => out.push(b'\n'),
            b'r' => out.push(b'\r'),
            b't' => out.push(b'\t'),
            b'v' => out.push(11),
            b'0'..=b'7' => {
                let mut v = u32::from(c - b'0');
                for _ in 0..2 {
                    match raw.get(i).copied().and_then(octal) {
                        Some(d) => {
                            v = v * 8 + u32::from(d);
                            i += 1;
                        }
                        None => break,
                    }
                }
                out.push((v & 0xff) as u8);
            }
            b'x' => match raw.get(i).copied().and_then(hex) {
                Some(d) => {
                    i += 1;
                    let mut v = d;
                    if let Some(d2) = raw.get(i).copied().and_then(hex) {
                        v = v * 16 + d2;
                        i += 1;
                    }
                    out.push(v);
                }
                None => out.push(b'x'),
            },
            other => out.push(other),
        }
    }
}

/// Splits one line (without its `\n`) into `fields`. A trailing `\r` is
/// the line end of a CRLF file, not data.
pub fn parse_line(line: &[u8], delimiter: u8, null: &[u8], fields: &mut Fields) {
    fields.clear();
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    let mut start = 0;
    let mut i = 0;
    loop {
        let at_end = i >= line.len();
        if at_end || line[i] == delimiter {
            let raw = &line[start..i.min(line.len())];
            if raw == null {
                fields.push_null();
            } else {
                let from = fields.data.len();
                unescape(raw, &mut fields.data);
                fields.push_span(from);
            }
            if at_end {
                return;
            }
            i += 1;
            start = i;
        } else if line[i] == b'\\' {
            i += 2;
        } else {
            i += 1;
        }
    }
}

/// Appends one field in text format (no delimiter).
pub fn write_field(out: &mut Vec<u8>, value: Option<&[u8]>, delimiter: u8, null: &[u8]) {
    let Some(v) = value else {
        out.extend_from_slice(null);
        return;
    };
    for &b in v {
        let esc = match b {
            b'\\' => b'\\',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            8 => b'b',
            12 => b'f',
            11 => b'v',
            _ if b == delimiter => b,
            _ => {
                out.push(b);
                continue;
            }
        };
        out.push(b'\\');
        out.push(esc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Vec<Option<String>> {
        let mut f = Fields::default();
        parse_line(line.as_bytes(), b'\t', b"\\N", &mut f);
        f.iter()
            .map(|v| v.map(|b| String::from_utf8(b.to_vec()).unwrap()))
            .collect()
    }

    #[test]
    fn fields_nulls_and_escapes() {
        assert_eq!(
            parse("1\t\\N\ta\\tb\\\\c\\nd\r"),
            vec![Some("1".into()), None, Some("a\tb\\c\nd".into())]
        );
        assert_eq!(parse("\\101\\x42\\x4a\\q\\\t"), vec![Some("ABJq\t".into())]);
        assert_eq!(parse(""), vec![Some(String::new())]);
        assert_eq!(parse("\t"), vec![Some(String::new()), Some(String::new())]);
    }

    #[test]
    fn line_scan_resumes_across_chunks() {
        let mut s = LineScan::default();
        assert_eq!(s.line_end(b"ab\\"), None);
        assert_eq!(s.line_end(b"ab\\\ncd\n"), Some(6));
        assert_eq!(s.line_end(b"x\n"), Some(1));
    }

    #[test]
    fn write_round_trips() {
        let mut out = Vec::new();
        write_field(&mut out, Some(b"a\tb\\c\nd"), b'\t', b"\\N");
        assert_eq!(out, b"a\\tb\\\\c\\nd");
        let mut f = Fields::default();
        parse_line(&out, b'\t', b"\\N", &mut f);
        assert_eq!(f.iter().next().unwrap(), Some(&b"a\tb\\c\nd"[..]));
    }
}
