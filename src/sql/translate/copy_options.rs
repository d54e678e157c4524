//! COPY options: the parenthesised list (`WITH (FORMAT csv, HEADER)`) and
//! the pre-9.0 keywords (`WITH CSV HEADER`, `FREEZE`, `DELIMITER AS ','`),
//! collected into one [`CopyOptions`] and checked as PostgreSQL checks them.

use super::error::other;
use super::TranslateError;

/// Data format of a COPY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFormat {
    Text,
    Csv,
    Binary,
}

/// Which columns CSV output always quotes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ForceQuote {
    #[default]
    None,
    All,
    Columns(Vec<String>),
}

/// Everything a COPY statement says about its data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyOptions {
    pub format: CopyFormat,
    /// One byte (PostgreSQL requires a one-byte delimiter).
    pub delimiter: u8,
    /// The NULL marker, compared with the raw (still escaped) field text.
    pub null: String,
    /// The first line is a header (skipped on input, written on output).
    pub header: bool,
    pub quote: u8,
    pub escape: u8,
    /// Accepted; every COPY into a tenant is already one transaction.
    pub freeze: bool,
    pub force_quote: ForceQuote,
    pub force_not_null: Vec<String>,
    pub force_null: Vec<String>,
}

/// One option as written, before defaults and checks.
#[derive(Debug, Clone)]
pub(super) enum OptionValue {
    None,
    Word(String),
    Text(String),
    Star,
    Columns(Vec<String>),
}

fn bad(message: impl Into<String>) -> TranslateError {
    other("0A000", message)
}

fn syntax(message: impl Into<String>) -> TranslateError {
    other("42601", message)
}

fn conflicting() -> TranslateError {
    syntax("conflicting or redundant options")
}

fn boolean(name: &str, v: &OptionValue) -> Result<bool, TranslateError> {
    let word = match v {
        OptionValue::None => return Ok(true),
        OptionValue::Word(w) | OptionValue::Text(w) => w.to_ascii_lowercase(),
        _ => String::new(),
    };
    match word.as_str() {
        "true" | "on" | "1" | "yes" => Ok(true),
        "false" | "off" | "0" | "no" => Ok(false),
        _ => Err(other("22023", format!("{name} requires a Boolean value"))),
    }
}

fn text(name: &str, v: &OptionValue) -> Result<String, TranslateError> {
    match v {
        OptionValue::Text(s) | OptionValue::Word(s) => Ok(s.clone()),
        _ => Err(syntax(format!("{name} requires a string value"))),
    }
}

fn one_byte(what: &str, s: &str) -> Result<u8, TranslateError> {
    match s.as_bytes() {
        [b] if b.is_ascii() => Ok(*b),
        _ => Err(bad(format!(
            "COPY {what} must be a single one-byte character"
        ))),
    }
}

fn columns(name: &str, v: &OptionValue) -> Result<Vec<String>, TranslateError> {
    match v {
        OptionValue::Columns(c) => Ok(c.clone()),
        _ => Err(syntax(format!(
            "argument to option \"{name}\" must be a list of column names"
        ))),
    }
}

/// Applies the options in order, then PostgreSQL's defaults and consistency checks.
pub(super) fn build(opts: Vec<(String, OptionValue)>) -> Result<CopyOptions, TranslateError> {
    let mut format = None;
    let (mut delimiter, mut null, mut quote, mut escape) = (None, None, None, None);
    let (mut header, mut freeze) = (None, None);
    let mut force_quote = None;
    let (mut force_not_null, mut force_null) = (None, None);
    for (name, v) in &opts {
        let slot_taken = match name.as_str() {
            "format" => {
                let f = match text(name, v)?.to_ascii_lowercase().as_str() {
                    "text" => CopyFormat::Text,
                    "csv" => CopyFormat::Csv,
                    "binary" => CopyFormat::Binary,
                    other => {
                        return Err(other_err(format!("COPY format \"{other}\" not recognized")))
                    }
                };
                format.replace(f).is_some()
            }
            "delimiter" => delimiter.replace(text(name, v)?).is_some(),
            "null" => null.replace(text(name, v)?).is_some(),
            "quote" => quote.replace(text(name, v)?).is_some(),
            "escape" => escape.replace(text(name, v)?).is_some(),
            "header" => {
                // HEADER MATCH checks the names on input; a plain header skip is close enough.
                let on = matches!(v, OptionValue::Word(w) if w.eq_ignore_ascii_case("match"))
                    || boolean(name, v)?;
                header.replace(on).is_some()
            }
            "freeze" => freeze.replace(boolean(name, v)?).is_some(),
            "force_quote" => {
                let f = match v {
                    OptionValue::Star => ForceQuote::All,
                    v => ForceQuote::Columns(columns(name, v)?),
                };
                force_quote.replace(f).is_some()
            }
            "force_not_null" => force_not_null.replace(columns(name, v)?).is_some(),
            "force_null" => force_null.replace(columns(name, v)?).is_some(),
            "encoding" => {
                let e = text(name, v)?.to_ascii_lowercase().replace(['-', '_'], "");
                if e != "utf8" {
                    return Err(bad("COPY encodings other than UTF8 are not supported"));
                }
                false
            }
            other => {
                return Err(syntax(format!("option \"{other}\" not recognized")));
            }
        };
        if slot_taken {
            return Err(conflicting());
        }
    }
    let format = format.unwrap_or(CopyFormat::Text);
    let csv = format == CopyFormat::Csv;
    if format == CopyFormat::Binary {
        if delimiter.is_some() {
            return Err(syntax("cannot specify DELIMITER in BINARY mode"));
        }
        if null.is_some() {
            return Err(syntax("cannot specify NULL in BINARY mode"));
        }
        if header == Some(true) {
            return Err(bad("cannot specify HEADER in BINARY mode"));
        }
    }
    if !csv && (quote.is_some() || escape.is_some()) {
        let which = if quote.is_some() { "quote" } else { "escape" };
        return Err(bad(format!("COPY {which} available only in CSV mode")));
    }
    if !csv && (force_quote.is_some() || force_not_null.is_some() || force_null.is_some()) {
        return Err(bad("COPY force options available only in CSV mode"));
    }
    let delimiter = match &delimiter {
        Some(d) => one_byte("delimiter", d)?,
        None if csv => b',',
        None => b'\t',
    };
    if delimiter == b'\n' || delimiter == b'\r' {
        return Err(bad("COPY delimiter cannot be newline or carriage return"));
    }
    if !csv && (delimiter == b'\\' || delimiter.is_ascii_alphanumeric() || delimiter == b'.') {
        return Err(bad(format!(
            "COPY delimiter cannot be \"{}\"",
            delimiter as char
        )));
    }
    let null = null.unwrap_or_else(|| if csv { String::new() } else { "\\N".into() });
    if null.contains(['\n', '\r']) {
        return Err(bad(
            "COPY null representation cannot use newline or carriage return",
        ));
    }
    if null.as_bytes().contains(&delimiter) {
        return Err(bad(
            "COPY delimiter must not appear in the NULL specification",
        ));
    }
    let quote = match &quote {
        Some(q) => one_byte("quote", q)?,
        None => b'"',
    };
    let escape = match &escape {
        Some(e) => one_byte("escape", e)?,
        None => quote,
    };
    if csv && delimiter == quote {
        return Err(bad("COPY delimiter and quote must be different"));
    }
    Ok(CopyOptions {
        format,
        delimiter,
        null,
        header: header.unwrap_or(false),
        quote,
        escape,
        freeze: freeze.unwrap_or(false),
        force_quote: force_quote.unwrap_or_default(),
        force_not_null: force_not_null.unwrap_or_default(),
        force_null: force_null.unwrap_or_default(),
    })
}

fn other_err(message: String) -> TranslateError {
    other("22023", message)
}
