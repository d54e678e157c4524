//! Token-level rewrites before parsing, for PostgreSQL forms sqlparser does
//! not parse and whose meaning SQLite already has: `DROP INDEX
//! CONCURRENTLY`, `FOR NO KEY UPDATE` / `FOR KEY SHARE`, `INSERT ...
//! OVERRIDING SYSTEM VALUE`, `INSERT ... SELECT <constants> ON CONFLICT`
//! and a window frame's `'7 days'::interval PRECEDING`. Each looks at
//! keywords only, never at text, so strings and quoted names are never
//! touched.

use super::error::unsupported;
use super::split::is_keyword;
use super::TranslateError;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan};

/// `chunk` (one statement's tokens, without whitespace or comments) with
/// every rewrite applied, and
/// whether it was an `INSERT ... OVERRIDING SYSTEM VALUE`.
pub(super) fn rewrite(
    chunk: Vec<TokenWithSpan>,
) -> Result<(Vec<TokenWithSpan>, bool), TranslateError> {
    // Most statements need none of the rewrites below: one look at the
    // words first, and a rewrite runs only when the word it starts from is
    // there (no rewrite writes another's word).
    let has = Words::of(&chunk);
    let chunk = table_command(chunk);
    let chunk = if has.only {
        only_relation(chunk)
    } else {
        chunk
    };
    let (chunk, overriding) = overriding(drop_index_concurrently(chunk))?;
    let chunk = if has.frame_bound {
        frame_offset_casts(chunk)
    } else {
        chunk
    };
    let chunk = if has.for_ {
        lock_strength(chunk)
    } else {
        chunk
    };
    let chunk = upsert_from_constants(chunk);
    let chunk = if has.star { record_star(chunk) } else { chunk };
    let chunk = if has.overlaps { overlaps(chunk) } else { chunk };
    let chunk = if has.trim { trim_spaces(chunk) } else { chunk };
    Ok((chunk, overriding))
}

/// Which of the words the rewrites start from a statement holds.
#[derive(Default)]
struct Words {
    only: bool,
    frame_bound: bool,
    for_: bool,
    star: bool,
    overlaps: bool,
    trim: bool,
}

impl Words {
    fn of(chunk: &[TokenWithSpan]) -> Words {
        let mut has = Words::default();
        for t in chunk {
            match &t.token {
                Token::Mul => has.star = true,
                Token::Word(w) => match w.keyword {
                    Keyword::ONLY => has.only = true,
                    Keyword::PRECEDING | Keyword::FOLLOWING => has.frame_bound = true,
                    Keyword::FOR => has.for_ = true,
                    Keyword::OVERLAPS => has.overlaps = true,
                    Keyword::TRIM => has.trim = true,
                    _ => {}
                },
                _ => {}
            }
        }
        has
    }
}

/// Whether token `n` of `chunk` is keyword `k`.
fn keyword_at(chunk: &[TokenWithSpan], n: usize, k: Keyword) -> bool {
    chunk.get(n).is_some_and(|t| is_keyword(&t.token, k))
}

/// `TABLE name [ORDER BY ...]` is `SELECT * FROM name ...` (sqlparser reads
/// it only inside a query, not as a statement).
fn table_command(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    if keyword_at(&chunk, 0, Keyword::TABLE) {
        chunk.splice(
            0..=0,
            [
                TokenWithSpan::wrap(Token::make_keyword("SELECT")),
                TokenWithSpan::wrap(Token::Mul),
                TokenWithSpan::wrap(Token::make_keyword("FROM")),
            ],
        );
    }
    chunk
}

/// `(x).*`, a row's columns (`(jsonb_populate_record(null::t, j)).*`,
/// `(r).*`), which sqlparser does not parse: written `pg_record_star(x)`,
/// a call `populate::expand_star` reads again.
fn record_star(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    loop {
        let at = (2..chunk.len()).find(|&n| {
            matches!(chunk[n - 2].token, Token::RParen)
                && matches!(chunk[n - 1].token, Token::Period)
                && matches!(chunk[n].token, Token::Mul)
        });
        let Some(n) = at else { return chunk };
        // The parenthesis that the `)` closes.
        let mut depth = 0usize;
        let open = (0..n - 1).rev().find(|&m| {
            match chunk[m].token {
                Token::RParen => depth += 1,
                Token::LParen => depth -= 1,
                _ => {}
            }
            depth == 0
        });
        let Some(open) = open else { return chunk };
        chunk.remove(n);
        chunk.remove(n - 1);
        chunk.insert(
            open,
            TokenWithSpan::wrap(Token::make_word("pg_record_star", None)),
        );
    }
}

/// `(s1, e1) OVERLAPS (s2, e2)`, which sqlparser does not parse: written
/// `overlaps(s1, e1, s2, e2)`, which `overlaps::rewrite` turns into
/// comparisons.
fn overlaps(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    loop {
        let at = (1..chunk.len().saturating_sub(1)).find(|&n| {
            is_keyword(&chunk[n].token, Keyword::OVERLAPS)
                && matches!(chunk[n - 1].token, Token::RParen)
                && matches!(chunk[n + 1].token, Token::LParen)
        });
        let Some(n) = at else { return chunk };
        // The `(` the left `)` closes, and the `)` closing the right `(`.
        let mut depth = 0usize;
        let open = (0..n).rev().find(|&m| {
            match chunk[m].token {
                Token::RParen => depth += 1,
                Token::LParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0
        });
        let mut depth = 0usize;
        let close = (n + 1..chunk.len()).find(|&m| {
            match chunk[m].token {
                Token::LParen => depth += 1,
                Token::RParen => depth = depth.saturating_sub(1),
                _ => {}
            }
            depth == 0
        });
        let (Some(open), Some(_)) = (open, close) else {
            return chunk;
        };
        // `) OVERLAPS (` becomes `, `; the left `(` gets the function's name.
        chunk.splice(n - 1..=n + 1, [TokenWithSpan::wrap(Token::Comma)]);
        chunk.insert(
            open,
            TokenWithSpan::wrap(Token::make_word("overlaps", None)),
        );
    }
}

/// `'7 days'::interval PRECEDING` in a window frame: sqlparser reads a
/// quoted offset as an interval and stops before the cast, so the cast to
/// interval (what the offset already is) goes.
fn frame_offset_casts(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut drop = Vec::new();
    for n in 1..chunk.len().saturating_sub(2) {
        let bound = &chunk[n + 2].token;
        if matches!(chunk[n - 1].token, Token::SingleQuotedString(_))
            && matches!(chunk[n].token, Token::DoubleColon)
            && matches!(&chunk[n + 1].token, Token::Word(w) if w.value.eq_ignore_ascii_case("interval"))
            && (is_keyword(bound, Keyword::PRECEDING) || is_keyword(bound, Keyword::FOLLOWING))
        {
            drop.extend([n, n + 1]);
        }
    }
    for i in drop.into_iter().rev() {
        chunk.remove(i);
    }
    chunk
}

/// `trim(leading from s)`, `trim(from s)`: the characters default to a
/// space, which sqlparser needs written (`trim(leading ' ' from s)`).
fn trim_spaces(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut inserts = Vec::new();
    for n in 2..chunk.len() {
        let at = |k: usize| &chunk[k].token;
        let after_paren =
            matches!(at(n - 1), Token::LParen) || n >= 3 && matches!(at(n - 2), Token::LParen);
        if !is_keyword(at(n), Keyword::FROM) || !after_paren {
            continue;
        }
        let trim_at = if matches!(at(n - 1), Token::LParen) {
            n - 2
        } else {
            n - 3
        };
        if !is_keyword(at(trim_at), Keyword::TRIM) {
            continue;
        }
        let side = at(n - 1);
        if matches!(side, Token::LParen) {
            inserts.push((n, true));
        } else if [Keyword::LEADING, Keyword::TRAILING, Keyword::BOTH]
            .iter()
            .any(|&k| is_keyword(side, k))
        {
            inserts.push((n, false));
        }
    }
    // From the end, so earlier positions stay valid.
    for (at, needs_side) in inserts.into_iter().rev() {
        let space = TokenWithSpan::wrap(Token::SingleQuotedString(" ".into()));
        if needs_side {
            let both = TokenWithSpan::wrap(Token::make_keyword("BOTH"));
            chunk.splice(at..at, [both, space]);
        } else {
            chunk.insert(at, space);
        }
    }
    chunk
}

/// `FROM ONLY t`, `UPDATE ONLY t`, `DELETE FROM ONLY t`, `JOIN ONLY t`:
/// a table without inheritance children is only itself (pg_dump and
/// partition-aware tools write it), so the word goes.
fn only_relation(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let mut n = 1;
    while n + 1 < chunk.len() {
        let after_clause = [Keyword::FROM, Keyword::JOIN, Keyword::UPDATE]
            .into_iter()
            .any(|k| keyword_at(&chunk, n - 1, k));
        if after_clause
            && keyword_at(&chunk, n, Keyword::ONLY)
            && matches!(chunk[n + 1].token, Token::Word(_))
        {
            chunk.remove(n);
        } else {
            n += 1;
        }
    }
    chunk
}

/// `DROP INDEX CONCURRENTLY name` (migration tools send it to avoid long
/// locks; sqlparser does not parse it): SQLite drops an index at once.
fn drop_index_concurrently(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let is = |n: usize, k| keyword_at(&chunk, n, k);
    if is(0, Keyword::DROP) && is(1, Keyword::INDEX) && is(2, Keyword::CONCURRENTLY) {
        chunk.remove(2);
    }
    chunk
}

/// `INSERT INTO t (...) OVERRIDING SYSTEM VALUE VALUES ...` (pg_dump's
/// inserts into identity columns): the clause goes, and the caller is told
/// (identity columns `GENERATED ALWAYS` then take the values, see
/// `column_input`). `OVERRIDING USER VALUE` (discard the given values) has
/// no such reading: 0A000.
fn overriding(mut chunk: Vec<TokenWithSpan>) -> Result<(Vec<TokenWithSpan>, bool), TranslateError> {
    if !keyword_at(&chunk, 0, Keyword::INSERT) {
        return Ok((chunk, false));
    }
    let is = |n: usize, k| keyword_at(&chunk, n, k);
    let clause = (0..chunk.len()).find(|&n| {
        matches!(&chunk[n].token, Token::Word(w) if w.quote_style.is_none()
            && w.value.eq_ignore_ascii_case("overriding"))
            && (is(n + 1, Keyword::SYSTEM) || is(n + 1, Keyword::USER))
            && is(n + 2, Keyword::VALUE)
    });
    let Some(n) = clause else {
        return Ok((chunk, false));
    };
    if is(n + 1, Keyword::USER) {
        return Err(unsupported("OVERRIDING USER VALUE"));
    }
    for i in [n + 2, n + 1, n] {
        chunk.remove(i);
    }
    Ok((chunk, true))
}

/// `FOR NO KEY UPDATE` and `FOR KEY SHARE` (Django's `no_key=True`)
/// read as `FOR UPDATE` / `FOR SHARE`, which sqlparser parses; SQLite's
/// single writer implies all of them.
fn lock_strength(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    let is = |n: usize, k| keyword_at(&chunk, n, k);
    let mut drop = Vec::new();
    for n in 0..chunk.len() {
        if !is(n, Keyword::FOR) {
            continue;
        }
        if is(n + 1, Keyword::NO) && is(n + 2, Keyword::KEY) && is(n + 3, Keyword::UPDATE) {
            drop.extend([n + 1, n + 2]);
        } else if is(n + 1, Keyword::KEY) && is(n + 2, Keyword::SHARE) {
            drop.push(n + 1);
        }
    }
    for i in drop.into_iter().rev() {
        chunk.remove(i);
    }
    chunk
}

/// `INSERT INTO t SELECT 1, 'x' ON CONFLICT ...`: sqlparser reads the ON
/// as part of the SELECT when nothing follows its list; a neutral
/// `WHERE true` (what SQLite also needs there) ends the list first.
fn upsert_from_constants(mut chunk: Vec<TokenWithSpan>) -> Vec<TokenWithSpan> {
    if !keyword_at(&chunk, 0, Keyword::INSERT) {
        return chunk;
    }
    let (mut depth, mut select, mut ends_list) = (0usize, false, false);
    for n in 0..chunk.len() {
        match &chunk[n].token {
            Token::LParen => depth += 1,
            Token::RParen => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            t if is_keyword(t, Keyword::SELECT) => select = true,
            t if select
                && [
                    Keyword::FROM,
                    Keyword::WHERE,
                    Keyword::GROUP,
                    Keyword::ORDER,
                    Keyword::LIMIT,
                ]
                .iter()
                .any(|k| is_keyword(t, *k)) =>
            {
                ends_list = true
            }
            t if select
                && !ends_list
                && is_keyword(t, Keyword::ON)
                && keyword_at(&chunk, n + 1, Keyword::CONFLICT) =>
            {
                let guard = [Token::make_keyword("WHERE"), Token::make_keyword("TRUE")];
                chunk.splice(n..n, guard.into_iter().map(TokenWithSpan::wrap));
                return chunk;
            }
            _ => {}
        }
    }
    chunk
}
