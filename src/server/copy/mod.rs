//! COPY FROM STDIN and COPY TO STDOUT, in PostgreSQL's text, CSV and binary
//! formats.
//!
//! `copy_in` runs a load on the session's connection in one blocking task
//! fed with the CopyData chunks as they arrive; `copy_out` streams a query's
//! rows as CopyData. `handler` wires both into pgwire's simple and extended
//! protocols and its CopyHandler.

pub mod binary_format;
pub mod copy_in;
pub mod copy_out;
pub mod csv_format;
pub mod handler;
pub mod loader;
pub mod text_format;

pub use copy_in::CopySlot;

/// The fields of one row, parsed into one reusable buffer.
#[derive(Debug, Default)]
pub struct Fields {
    pub data: Vec<u8>,
    spans: Vec<Option<(usize, usize)>>,
}

impl Fields {
    pub fn clear(&mut self) {
        self.data.clear();
        self.spans.clear();
    }

    pub fn push_null(&mut self) {
        self.spans.push(None);
    }

    /// The field made of `data[from..]`.
    pub fn push_span(&mut self, from: usize) {
        self.spans.push(Some((from, self.data.len())));
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn get(&self, i: usize) -> Option<&[u8]> {
        self.spans[i].map(|(a, b)| &self.data[a..b])
    }

    pub fn iter(&self) -> impl Iterator<Item = Option<&[u8]>> {
        (0..self.len()).map(|i| self.get(i))
    }
}
