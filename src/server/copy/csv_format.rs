//! PostgreSQL's COPY CSV format: fields split on the delimiter, quoted
//! fields may hold delimiters, quotes (doubled, or after the ESCAPE
//! character) and newlines; an unquoted field equal to the NULL string
//! (default: empty) is NULL, a quoted one never is unless FORCE_NULL.

use super::Fields;

/// Finds record ends across CopyData chunks: a `\n` outside quotes.
#[derive(Debug, Default)]
pub struct RecordScan {
    pos: usize,
    in_quote: bool,
}

impl RecordScan {
    pub fn record_end(&mut self, buf: &[u8], quote: u8, escape: u8) -> Option<usize> {
        let mut i = self.pos;
        while i < buf.len() {
            let b = buf[i];
            if self.in_quote {
                if escape != quote && b == escape {
                    if i + 1 >= buf.len() {
                        break;
                    }
                    if buf[i + 1] == quote || buf[i + 1] == escape {
                        i += 2;
                        continue;
                    }
                }
                if b == quote {
                    self.in_quote = false;
                }
            } else if b == quote {
                self.in_quote = true;
            } else if b == b'\n' {
                self.pos = 0;
                return Some(i);
            }
            i += 1;
        }
        self.pos = i.min(buf.len());
        None
    }

    /// Data ended inside a quoted field.
    pub fn in_quote(&self) -> bool {
        self.in_quote
    }
}

/// The CSV options a record parse needs.
pub struct CsvSpec<'a> {
    pub delimiter: u8,
    pub quote: u8,
    pub escape: u8,
    pub null: &'a [u8],
}

/// Splits one record (without its final `\n`) into `fields`; `quoted`
/// receives, per field, whether it was quoted (for FORCE_NULL).
pub fn parse_record(
    record: &[u8],
    spec: &CsvSpec<'_>,
    fields: &mut Fields,
    quoted: &mut Vec<bool>,
) -> Result<(), String> {
    fields.clear();
    quoted.clear();
    let record = record.strip_suffix(b"\r").unwrap_or(record);
    let mut i = 0;
    loop {
        let from = fields.data.len();
        let mut in_quote = false;
        let mut saw_quote = false;
        while i < record.len() {
            let b = record[i];
            if in_quote {
                if b == spec.escape
                    && i + 1 < record.len()
                    && (record[i + 1] == spec.quote || record[i + 1] == spec.escape)
                {
                    fields.data.push(record[i + 1]);
                    i += 2;
                    continue;
                }
                if b == spec.quote {
                    in_quote = false;
                } else {
                    fields.data.push(b);
                }
            } else if b == spec.delimiter {
                break;
            } else if b == spec.quote {
                in_quote = true;
                saw_quote = true;
            } else {
                fields.data.push(b);
            }
            i += 1;
        }
        if in_quote {
            return Err("unterminated CSV quoted field".into());
        }
        if !saw_quote && &fields.data[from..] == spec.null {
            fields.data.truncate(from);
            fields.push_null();
        } else {
            fields.push_span(from);
        }
        quoted.push(saw_quote);
        if i >= record.len() {
            return Ok(());
        }
        i += 1; // the delimiter
    }
}

/// Appends one field in CSV format (no delimiter).
pub fn write_field(out: &mut Vec<u8>, value: Option<&[u8]>, spec: &CsvSpec<'_>, force: bool) {
    let Some(v) = value else {
        out.extend_from_slice(spec.null);
        return;
    };
    let needs = force
        || v == spec.null
        || v == b"\\."
        || v.iter()
            .any(|&b| b == spec.delimiter || b == spec.quote || b == b'\n' || b == b'\r');
    if !needs {
        out.extend_from_slice(v);
        return;
    }
    out.push(spec.quote);
    for &b in v {
        if b == spec.quote || b == spec.escape {
            out.push(spec.escape);
        }
        out.push(b);
    }
    out.push(spec.quote);
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: CsvSpec<'static> = CsvSpec {
        delimiter: b',',
        quote: b'"',
        escape: b'"',
        null: b"",
    };

    fn parse(rec: &str) -> Vec<Option<String>> {
        let mut f = Fields::default();
        parse_record(rec.as_bytes(), &SPEC, &mut f, &mut Vec::new()).unwrap();
        f.iter()
            .map(|v| v.map(|b| String::from_utf8(b.to_vec()).unwrap()))
            .collect()
    }

    #[test]
    fn quoting_and_nulls() {
        assert_eq!(
            parse("1,,\"\",\"a,\"\"b\"\"\nc\",x y\r"),
            vec![
                Some("1".into()),
                None,
                Some(String::new()),
                Some("a,\"b\"\nc".into()),
                Some("x y".into())
            ]
        );
    }

    #[test]
    fn record_scan_spans_quoted_newlines() {
        let mut s = RecordScan::default();
        assert_eq!(s.record_end(b"1,\"a\n", b'"', b'"'), None);
        assert_eq!(s.record_end(b"1,\"a\nb\"\n2", b'"', b'"'), Some(7));
    }

    #[test]
    fn write_quotes_when_needed() {
        let mut out = Vec::new();
        for v in [Some(&b"a,b"[..]), Some(b""), None, Some(b"q\"")] {
            write_field(&mut out, v, &SPEC, false);
            out.push(b'|');
        }
        assert_eq!(out, b"\"a,b\"|\"\"||\"q\"\"\"|");
    }
}
