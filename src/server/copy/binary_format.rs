//! PostgreSQL's binary COPY format (what asyncpg's `copy_records_to_table`,
//! psycopg's binary copy and pg_dump's `--format` tools send): an 11-byte
//! signature, a flags word and a header extension, then per row a 16-bit
//! field count and each field as a 32-bit length (-1 for NULL) and its
//! bytes in the type's binary (`*send`) form, then -1 as the trailer.

use super::Fields;

/// "PGCOPY\n\377\r\n\0".
pub const SIGNATURE: &[u8; 11] = b"PGCOPY\n\xff\r\n\0";

/// The header PostgreSQL writes: the signature, no flags, no extension.
pub fn header() -> Vec<u8> {
    let mut h = Vec::with_capacity(19);
    h.extend_from_slice(SIGNATURE);
    h.extend_from_slice(&0i32.to_be_bytes());
    h.extend_from_slice(&0i32.to_be_bytes());
    h
}

/// The trailer: a field count of -1.
pub const TRAILER: [u8; 2] = (-1i16).to_be_bytes();

/// What one step over the buffered bytes found.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// More bytes are needed.
    Incomplete,
    /// The header, `n` bytes long (no row).
    Header(usize),
    /// A row of `n` bytes; its fields are in the `Fields` given.
    Row(usize),
    /// The trailer (`n` bytes): the data ends.
    End(usize),
}

fn i32_at(buf: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_be_bytes(buf.get(at..at + 4)?.try_into().ok()?))
}

/// Reads the next piece of `buf` (which starts where the last step ended).
/// Errors are PostgreSQL's 22P04 messages.
pub fn step(buf: &[u8], header_seen: bool, fields: &mut Fields) -> Result<Step, String> {
    if !header_seen {
        if buf.len() < SIGNATURE.len() + 8 {
            if !SIGNATURE.starts_with(&buf[..buf.len().min(SIGNATURE.len())]) {
                return Err("COPY file signature not recognized".into());
            }
            return Ok(Step::Incomplete);
        }
        if &buf[..SIGNATURE.len()] != SIGNATURE {
            return Err("COPY file signature not recognized".into());
        }
        let flags = i32_at(buf, 11).unwrap_or_default();
        // Bit 16 says OIDs are included; bits 17-31 must be unset.
        if flags & (1 << 16) != 0 {
            return Err("invalid COPY file header (WITH OIDS)".into());
        }
        if flags as u32 >> 17 != 0 {
            return Err("unrecognized critical flags in COPY file header".into());
        }
        let ext = i32_at(buf, 15).unwrap_or_default();
        if ext < 0 {
            return Err("invalid COPY file header (missing length)".into());
        }
        let total = 19 + ext as usize;
        return Ok(if buf.len() < total {
            Step::Incomplete
        } else {
            Step::Header(total)
        });
    }
    let Some(count) = buf.get(..2) else {
        return Ok(Step::Incomplete);
    };
    let count = i16::from_be_bytes([count[0], count[1]]);
    if count == -1 {
        return Ok(Step::End(2));
    }
    if count < 0 {
        return Err(format!(
            "row field count is {count}, expected a positive count"
        ));
    }
    fields.clear();
    let mut at = 2;
    for _ in 0..count {
        let Some(len) = i32_at(buf, at) else {
            return Ok(Step::Incomplete);
        };
        at += 4;
        if len == -1 {
            fields.push_null();
            continue;
        }
        if len < 0 {
            return Err("invalid field size".into());
        }
        let end = at + len as usize;
        let Some(bytes) = buf.get(at..end) else {
            return Ok(Step::Incomplete);
        };
        let from = fields.data.len();
        fields.data.extend_from_slice(bytes);
        fields.push_span(from);
        at = end;
    }
    Ok(Step::Row(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(fields: &[Option<&[u8]>]) -> Vec<u8> {
        let mut out = (fields.len() as i16).to_be_bytes().to_vec();
        for f in fields {
            match f {
                None => out.extend_from_slice(&(-1i32).to_be_bytes()),
                Some(b) => {
                    out.extend_from_slice(&(b.len() as i32).to_be_bytes());
                    out.extend_from_slice(b);
                }
            }
        }
        out
    }

    #[test]
    fn reads_header_rows_and_trailer_in_pieces() {
        let mut data = header();
        data.extend(row(&[Some(&7i32.to_be_bytes()), None, Some(b"hi")]));
        data.extend_from_slice(&TRAILER);
        let mut f = Fields::default();
        // Every prefix short of a whole piece asks for more bytes.
        for cut in 0..19 {
            assert_eq!(step(&data[..cut], false, &mut f), Ok(Step::Incomplete));
        }
        assert_eq!(step(&data, false, &mut f), Ok(Step::Header(19)));
        let rest = &data[19..];
        for cut in 0..rest.len() - 2 {
            assert_eq!(
                step(&rest[..cut], true, &mut f),
                Ok(Step::Incomplete),
                "{cut}"
            );
        }
        let Ok(Step::Row(n)) = step(rest, true, &mut f) else {
            panic!("no row")
        };
        let got: Vec<Option<&[u8]>> = f.iter().collect();
        assert_eq!(got, [Some(&7i32.to_be_bytes()[..]), None, Some(&b"hi"[..])]);
        assert_eq!(step(&rest[n..], true, &mut f), Ok(Step::End(2)));
    }

    #[test]
    fn refuses_what_postgres_refuses() {
        let mut f = Fields::default();
        assert!(step(b"COPY 1\n", false, &mut f).is_err());
        let mut oids = header();
        oids[11..15].copy_from_slice(&(1i32 << 16).to_be_bytes());
        assert!(step(&oids, false, &mut f).is_err());
        assert!(step(&[0, 1, 0xff, 0xff, 0xff, 0xfe], true, &mut f).is_err());
    }
}
