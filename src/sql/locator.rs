//! Byte offsets of sqlparser token locations.

/// Turns token locations (1-based line, column in chars) into byte offsets
/// in one forward pass: locations are asked for in text order, so a
/// statement costs O(length). Counting each column from its line start made
/// a one-line 1,000-row INSERT quadratic: seconds of CPU on an async worker,
/// stalling other tenants (benches/load.rs `neighbour`).
pub(crate) struct Locator<'a> {
    sql: &'a str,
    line: u64,
    column: u64,
    byte: usize,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(sql: &'a str) -> Locator<'a> {
        Locator {
            sql,
            line: 1,
            column: 1,
            byte: 0,
        }
    }

    /// Byte offset of a location (the text's end when past it).
    pub(crate) fn offset(&mut self, line: u64, column: u64) -> Option<usize> {
        if line == 0 || column == 0 {
            return None;
        }
        if (line, column) < (self.line, self.column) {
            *self = Locator::new(self.sql); // out of order: start over
        }
        while (self.line, self.column) < (line, column) {
            let Some(c) = self.sql[self.byte..].chars().next() else {
                break;
            };
            if c == '\n' {
                if self.line == line {
                    break; // a column past the end of its line
                }
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
            self.byte += c.len_utf8();
        }
        Some(self.byte)
    }
}
