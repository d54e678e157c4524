//! Sequences. `CREATE SEQUENCE s` becomes a one-row table `s` holding
//! PostgreSQL's `last_value` and `is_called` (so `SELECT last_value FROM s`
//! works as there) and the sequence's parameters; `nextval`, `currval`,
//! `setval` and `lastval` become the `pg_*` functions of
//! `backend::sqlite::pgfuncs::sequences`, which read and advance that row.
//! `DROP SEQUENCE` drops the table.

use super::error::{other, unsupported};
use super::names::check_table_name;
use super::TranslateError;
use sqlparser::ast::{DataType, Expr, SequenceOptions, Statement, UnaryOperator, Value};
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// The columns a sequence's table has, in order; the functions recognise a
/// sequence by them.
pub const COLUMNS: &str = "last_value BIGINT NOT NULL, log_cnt BIGINT NOT NULL DEFAULT 0, \
     is_called BOOLEAN NOT NULL DEFAULT 0, start_value BIGINT NOT NULL, \
     increment_by BIGINT NOT NULL, min_value BIGINT NOT NULL, max_value BIGINT NOT NULL, \
     cache_size BIGINT NOT NULL DEFAULT 1, cycle BOOLEAN NOT NULL DEFAULT 0";

/// `CREATE SEQUENCE`: the table, then its row (not added again when IF NOT
/// EXISTS finds the table there).
pub(super) fn create(statement: Statement) -> Result<Vec<String>, TranslateError> {
    let Statement::CreateSequence {
        temporary,
        if_not_exists,
        mut name,
        data_type,
        sequence_options,
        owned_by: _,
    } = statement
    else {
        return Ok(vec![]);
    };
    if temporary {
        return Err(unsupported("CREATE TEMPORARY SEQUENCE"));
    }
    check_table_name(&mut name)?;
    // The type bounds the defaults, as in PostgreSQL.
    let type_max: i64 = match &data_type {
        None => i64::MAX,
        Some(DataType::SmallInt(_) | DataType::Int2(_)) => i16::MAX as i64,
        Some(DataType::Int(_) | DataType::Integer(_) | DataType::Int4(_)) => i32::MAX as i64,
        Some(DataType::BigInt(_) | DataType::Int8(_)) => i64::MAX,
        Some(other_type) => {
            return Err(other(
                "22023",
                format!("sequence type must be smallint, integer, or bigint, not {other_type}"),
            ))
        }
    };
    let (mut inc, mut min, mut max, mut start, mut cache, mut cycle) =
        (1i64, None, None, None, 1i64, false);
    for option in &sequence_options {
        match option {
            SequenceOptions::IncrementBy(e, _) => inc = integer(e)?,
            SequenceOptions::MinValue(e) => min = e.as_ref().map(integer).transpose()?,
            SequenceOptions::MaxValue(e) => max = e.as_ref().map(integer).transpose()?,
            SequenceOptions::StartWith(e, _) => start = Some(integer(e)?),
            SequenceOptions::Cache(e) => cache = integer(e)?,
            // sqlparser's flag is NO: `NO CYCLE` is Cycle(true).
            SequenceOptions::Cycle(no) => cycle = !*no,
        }
    }
    if inc == 0 {
        return Err(other("22023", "INCREMENT must not be zero"));
    }
    let min = min.unwrap_or(if inc > 0 { 1 } else { -type_max - 1 });
    let max = max.unwrap_or(if inc > 0 { type_max } else { -1 });
    if min >= max {
        return Err(other(
            "22023",
            format!("MINVALUE ({min}) must be less than MAXVALUE ({max})"),
        ));
    }
    let start = start.unwrap_or(if inc > 0 { min } else { max });
    if start < min || start > max {
        return Err(other(
            "22023",
            format!("START value ({start}) cannot be outside [{min}, {max}]"),
        ));
    }
    if cache < 1 {
        return Err(other(
            "22023",
            format!("CACHE ({cache}) must be greater than zero"),
        ));
    }
    let exists = if if_not_exists { "IF NOT EXISTS " } else { "" };
    Ok(vec![
        format!("CREATE TABLE {exists}{name} ({COLUMNS})"),
        format!(
            "INSERT INTO {name} (last_value, start_value, increment_by, min_value, max_value, \
             cache_size, cycle) SELECT {start}, {start}, {inc}, {min}, {max}, {cache}, {} \
             WHERE NOT EXISTS (SELECT 1 FROM {name})",
            cycle as i32
        ),
    ])
}

/// A sequence option's value: an integer literal, maybe negative.
fn integer(e: &Expr) -> Result<i64, TranslateError> {
    let parsed = match e {
        Expr::Value(v) => match &v.value {
            Value::Number(n, _) => n.parse::<i64>().ok(),
            _ => None,
        },
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => integer(expr).ok().and_then(i64::checked_neg),
        Expr::UnaryOp {
            op: UnaryOperator::Plus,
            expr,
        } => integer(expr).ok(),
        _ => None,
    };
    parsed.ok_or_else(|| other("22023", format!("invalid sequence option value: {e}")))
}

/// The SQLite function for a PostgreSQL sequence function.
pub(super) fn function(name: &str) -> Option<&'static str> {
    Some(match name {
        "nextval" => "pg_nextval",
        "currval" => "pg_currval",
        "setval" => "pg_setval",
        "lastval" => "pg_lastval",
        _ => return None,
    })
}

/// Whether translated SQL calls a sequence function.
pub fn uses(sql: &str) -> bool {
    writes(sql) || sql.contains("pg_currval(") || sql.contains("pg_lastval(")
}

/// Whether translated SQL may advance or set a sequence (the statement
/// then writes, whatever its command tag).
pub fn writes(sql: &str) -> bool {
    sql.contains("pg_") && (sql.contains("pg_nextval(") || sql.contains("pg_setval("))
}

/// PostgreSQL takes CREATE SEQUENCE options in any order (pg_dump writes
/// `START WITH` first); sqlparser only in one. Puts a `CREATE SEQUENCE`
/// statement's option groups in sqlparser's order, and those of an
/// identity column (`GENERATED ... AS IDENTITY (SEQUENCE NAME s START WITH
/// 1 INCREMENT BY 1 ...)`, as pg_dump writes it; the sequence's name, which
/// sqlparser does not take, goes: it is `<table>_<column>_seq` here);
/// other statements are returned as they are.
pub(super) fn canonical_order(chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    // Most statements: no copy.
    let starts = |k: Keyword| {
        chunk
            .iter()
            .find(|t| !matches!(t.token, Token::Whitespace(_)))
            .is_some_and(|t| matches!(&t.token, Token::Word(w) if w.keyword == k))
    };
    if starts(Keyword::ALTER) {
        return identity_options(chunk);
    }
    if !starts(Keyword::CREATE) {
        return chunk;
    }
    let tokens = super::tokens::significant(chunk);
    // CREATE [TEMP|TEMPORARY] SEQUENCE
    let seq_at = match (word(&tokens, 0), word(&tokens, 1), word(&tokens, 2)) {
        (Keyword::CREATE, Keyword::SEQUENCE, _) => 1,
        (Keyword::CREATE, Keyword::TEMP | Keyword::TEMPORARY, Keyword::SEQUENCE) => 2,
        _ => return identity_options(tokens),
    };
    // The head runs to the first option keyword after the name.
    let Some(first) = (seq_at + 2..tokens.len()).find(|&i| rank(&tokens, i).is_some()) else {
        return tokens;
    };
    let mut out = tokens[..first].to_vec();
    out.extend(in_order(&tokens[first..]));
    out
}

fn word(tokens: &[TokenWithSpan], i: usize) -> Keyword {
    match tokens.get(i).map(|t| &t.token) {
        Some(Token::Word(w)) if w.quote_style.is_none() => w.keyword,
        _ => Keyword::NoKeyword,
    }
}

/// sqlparser's place for the option group starting at `i`; `SEQUENCE
/// NAME` (an identity's) last, to be dropped.
fn rank(tokens: &[TokenWithSpan], i: usize) -> Option<u8> {
    Some(match word(tokens, i) {
        Keyword::AS => 0,
        Keyword::INCREMENT => 1,
        Keyword::MINVALUE => 2,
        Keyword::MAXVALUE => 3,
        Keyword::START => 4,
        Keyword::CACHE => 5,
        Keyword::CYCLE => 6,
        Keyword::OWNED => 7,
        Keyword::NO => match word(tokens, i + 1) {
            Keyword::MINVALUE => 2,
            Keyword::MAXVALUE => 3,
            Keyword::CYCLE => 6,
            _ => return None,
        },
        Keyword::SEQUENCE if word(tokens, i + 1) == Keyword::NAME => SEQUENCE_NAME,
        _ => return None,
    })
}

const SEQUENCE_NAME: u8 = 8;

/// Option groups (each from its keyword to the next group's) sorted.
fn in_order(options: &[TokenWithSpan]) -> Vec<TokenWithSpan> {
    let mut groups: Vec<(u8, &[TokenWithSpan])> = Vec::new();
    let mut i = 0;
    while i < options.len() {
        let r = rank(options, i).unwrap_or(u8::MAX);
        let two_words = matches!(word(options, i), Keyword::NO | Keyword::SEQUENCE);
        let mut j = i + if two_words { 2 } else { 1 };
        while j < options.len() && rank(options, j).is_none() {
            j += 1;
        }
        groups.push((r, &options[i..j]));
        i = j;
    }
    groups.sort_by_key(|(r, _)| *r);
    groups
        .into_iter()
        .filter(|(r, _)| *r != SEQUENCE_NAME)
        .flat_map(|(_, g)| g.iter().cloned())
        .collect()
}

/// Each `IDENTITY ( options )` of a CREATE or ALTER TABLE, in order.
fn identity_options(chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let opens = |t: &[TokenWithSpan], i: usize| {
        word(t, i) == Keyword::IDENTITY
            && matches!(t.get(i + 1).map(|t| &t.token), Some(Token::LParen))
    };
    if !(0..chunk.len()).any(|i| opens(&chunk, i)) {
        return chunk;
    }
    let tokens = super::tokens::significant(chunk);
    let mut out = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        if !opens(&tokens, i) {
            out.push(tokens[i].clone());
            i += 1;
            continue;
        }
        out.extend_from_slice(&tokens[i..i + 2]);
        let start = i + 2;
        let end = (start..tokens.len())
            .find(|&j| matches!(tokens[j].token, Token::RParen))
            .unwrap_or(tokens.len());
        out.extend(in_order(&tokens[start..end]));
        i = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::COLUMNS;

    #[test]
    fn catalog_recognises_sequence_tables() {
        // pg_class.rs marks a table whose definition starts with these
        // columns as relkind 'S'.
        assert!(COLUMNS.starts_with(
            "last_value BIGINT NOT NULL, log_cnt BIGINT NOT NULL DEFAULT 0, is_called BOOLEAN"
        ));
    }
}
