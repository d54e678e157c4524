//! Helpers for reading PL/pgSQL text: splitting, words, quoted strings and
//! the condition names exception handlers and RAISE use.

/// `text` cut at top-level `sep` (outside parentheses and quotes).
pub(super) fn top_level_split(text: &str, sep: char) -> Vec<String> {
    let mut out = Vec::new();
    let (mut depth, mut quoted) = (0usize, false);
    let mut cur = String::new();
    for ch in text.chars() {
        match ch {
            '\'' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth = depth.saturating_sub(1),
            c if c == sep && !quoted && depth == 0 => {
                out.push(std::mem::take(&mut cur).trim().to_owned());
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    out.push(cur.trim().to_owned());
    out
}

/// Where the word `w` starts in `text` outside quotes (case-insensitive).
pub(super) fn find_word(text: &str, w: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    let mut quoted = false;
    let bytes = lower.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\'' {
            quoted = !quoted;
        }
        if quoted || !lower[i..].starts_with(w) {
            continue;
        }
        let before = i == 0 || !bytes[i - 1].is_ascii_alphanumeric();
        let after = bytes
            .get(i + w.len())
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        if before && after {
            return Some(i);
        }
    }
    None
}

/// The value of a quoted string literal (`'..'` or `E'..'`), as the
/// tokenizer printed it.
pub(super) fn unquote(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t.strip_prefix(['E', 'e']).unwrap_or(t);
    let inner = t.strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// PL/pgSQL's condition names (appendix A of the PostgreSQL manual) for
/// the errors pgtenant reports.
pub(super) fn condition_code(name: &str) -> Option<&'static str> {
    Some(match name {
        "duplicate_object" => "42710",
        "duplicate_table" => "42P07",
        "duplicate_column" => "42701",
        "duplicate_function" => "42723",
        "duplicate_schema" => "42P06",
        "duplicate_database" => "42P04",
        "undefined_object" => "42704",
        "undefined_table" => "42P01",
        "undefined_column" => "42703",
        "undefined_function" => "42883",
        "invalid_schema_name" => "3F000",
        "unique_violation" => "23505",
        "foreign_key_violation" => "23503",
        "not_null_violation" => "23502",
        "check_violation" => "23514",
        "exclusion_violation" => "23P01",
        "integrity_constraint_violation" => "23000",
        "invalid_text_representation" => "22P02",
        "division_by_zero" => "22012",
        "numeric_value_out_of_range" => "22003",
        "string_data_right_truncation" => "22001",
        "invalid_datetime_format" => "22007",
        "datetime_field_overflow" => "22008",
        "feature_not_supported" => "0A000",
        "insufficient_privilege" => "42501",
        "syntax_error" => "42601",
        "wrong_object_type" => "42809",
        "dependent_objects_still_exist" => "2BP01",
        "raise_exception" => "P0001",
        "no_data_found" => "P0002",
        "too_many_rows" => "P0003",
        "serialization_failure" => "40001",
        "deadlock_detected" => "40P01",
        "lock_not_available" => "55P03",
        "object_in_use" => "55006",
        _ => return None,
    })
}

/// A token as source text again. sqlparser prints a quoted string's value
/// between quotes as it is; a quote inside must be doubled again
/// (`'it''s'`). An `E'..'` string's value is already unescaped: it becomes
/// a plain string of the same value.
pub(super) fn token_text(t: &sqlparser::tokenizer::Token) -> std::borrow::Cow<'_, str> {
    use sqlparser::tokenizer::Token;
    match t {
        Token::SingleQuotedString(s) if s.contains('\'') => {
            format!("'{}'", s.replace('\'', "''")).into()
        }
        Token::EscapedStringLiteral(s) => format!("'{}'", s.replace('\'', "''")).into(),
        other => other.to_string().into(),
    }
}
