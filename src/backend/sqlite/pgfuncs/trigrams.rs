//! pg_trgm: `similarity`, `word_similarity`, `strict_word_similarity`,
//! `show_trgm`, and the `%` test (`pg_trgm_match`), as the
//! extension computes them (trgm_op.c). A string's trigrams come from its
//! words (runs of letters and digits, lower-cased), each padded with two
//! spaces before and one after; similarity is shared trigrams over all
//! distinct trigrams of both. Trigrams are compared as character triples
//! (PostgreSQL hashes one holding a multi-byte character to three bytes,
//! which only `show_trgm` prints differently).

use super::pure;
use rusqlite::Connection;

type Trigram = [char; 3];

/// `pg_trgm.similarity_threshold`'s default.
const SIMILARITY_THRESHOLD: f32 = 0.3;

/// Where a trigram sits in its word (for strict word similarity).
#[derive(Clone, Copy, Default)]
struct Bound {
    left: bool,
    right: bool,
}

/// The trigrams of `text` in order, repeats kept, with their word bounds.
fn positional(text: &str) -> (Vec<Trigram>, Vec<Bound>) {
    let mut trigrams = Vec::new();
    let mut bounds = Vec::new();
    let lower = text.to_lowercase();
    for word in lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let padded: Vec<char> = [' ', ' ']
            .into_iter()
            .chain(word.chars())
            .chain([' '])
            .collect();
        let n = padded.len() - 2;
        for i in 0..n {
            trigrams.push([padded[i], padded[i + 1], padded[i + 2]]);
            bounds.push(Bound {
                left: i == 0,
                right: i + 1 == n,
            });
        }
    }
    (trigrams, bounds)
}

/// The distinct trigrams of `text`, sorted as PostgreSQL sorts them (by
/// their bytes: UTF-8 keeps the characters' order).
fn trigram_set(text: &str) -> Vec<Trigram> {
    let mut t = positional(text).0;
    t.sort_unstable();
    t.dedup();
    t
}

fn ratio(count: usize, len1: usize, len2: usize) -> f32 {
    count as f32 / (len1 + len2 - count) as f32
}

pub(super) fn similarity(a: &str, b: &str) -> f32 {
    let (x, y) = (trigram_set(a), trigram_set(b));
    if x.is_empty() || y.is_empty() {
        return 0.0;
    }
    let count = x.iter().filter(|t| y.binary_search(t).is_ok()).count();
    ratio(count, x.len(), y.len())
}

/// The greatest similarity between `word`'s trigrams and a stretch of
/// `text`'s (calc_word_similarity); `strict` stretches start and end at
/// word boundaries.
pub(super) fn word_similarity(word: &str, text: &str, strict: bool) -> f32 {
    let (t1, _) = positional(word);
    let (t2, bounds) = positional(text);
    // Number the distinct trigrams of both; mark those the word has.
    // (The word's own trigrams sort first among equals: `None` < `Some`.)
    let mut all: Vec<(Trigram, Option<usize>)> = t1
        .iter()
        .map(|&t| (t, None))
        .chain(t2.iter().enumerate().map(|(i, &t)| (t, Some(i))))
        .collect();
    all.sort_unstable();
    let mut found = vec![false; all.len()];
    let mut index_of = vec![0usize; t2.len()];
    let (mut ulen1, mut j) = (0usize, 0usize);
    for i in 0..all.len() {
        if i > 0 && all[i - 1].0 != all[i].0 {
            if found[j] {
                ulen1 += 1;
            }
            j += 1;
        }
        match all[i].1 {
            Some(pos) => index_of[pos] = j,
            None => found[j] = true,
        }
    }
    if !all.is_empty() && found[j] {
        ulen1 += 1;
    }
    iterate(&index_of, &found, ulen1, strict.then_some(&bounds[..]))
}

/// iterate_word_similarity: slides the stretch's upper bound along the
/// text, trying every lower bound for the best ratio.
fn iterate(index_of: &[usize], found: &[bool], ulen1: usize, bounds: Option<&[Bound]>) -> f32 {
    let strict = bounds.is_some();
    let (mut ulen2, mut count) = (0usize, 0usize);
    let mut lower: i64 = if strict { 0 } else { -1 };
    let mut best = 0.0f32;
    let mut last = vec![-1i64; found.len()];
    for i in 0..index_of.len() {
        let t = index_of[i];
        if lower >= 0 || found[t] {
            if last[t] < 0 {
                ulen2 += 1;
                if found[t] {
                    count += 1;
                }
            }
            last[t] = i as i64;
        }
        let at_upper = match bounds {
            Some(b) => b[i].right,
            None => found[t],
        };
        if !at_upper {
            continue;
        }
        let upper = i as i64;
        if lower == -1 {
            lower = upper;
            ulen2 = 1;
        }
        let mut current = ratio(count, ulen1, ulen2);
        let (mut tmp_count, mut tmp_ulen2) = (count, ulen2);
        let prev_lower = lower;
        let mut tmp_lower = lower;
        while tmp_lower <= upper {
            if bounds.is_none_or(|b| b[tmp_lower as usize].left) {
                let r = ratio(tmp_count, ulen1, tmp_ulen2);
                if r > current {
                    current = r;
                    ulen2 = tmp_ulen2;
                    lower = tmp_lower;
                    count = tmp_count;
                }
            }
            let ti = index_of[tmp_lower as usize];
            if last[ti] == tmp_lower {
                tmp_ulen2 -= 1;
                if found[ti] {
                    tmp_count -= 1;
                }
            }
            tmp_lower += 1;
        }
        best = best.max(current);
        for l in prev_lower..lower {
            let ti = index_of[l as usize];
            if last[ti] == l {
                last[ti] = -1;
            }
        }
    }
    best
}

/// `show_trgm(text)`: the trigrams as a JSON array (text[]).
fn show(text: &str) -> String {
    let items: Vec<serde_json::Value> = trigram_set(text)
        .iter()
        .map(|t| serde_json::Value::from(t.iter().collect::<String>()))
        .collect();
    serde_json::Value::from(items).to_string()
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let two =
        |ctx: &rusqlite::functions::Context<'_>| -> rusqlite::Result<Option<(String, String)>> {
            Ok(
                match (ctx.get::<Option<String>>(0)?, ctx.get::<Option<String>>(1)?) {
                    (Some(a), Some(b)) => Some((a, b)),
                    _ => None,
                },
            )
        };
    conn.create_scalar_function("similarity", 2, pure(), move |ctx| {
        Ok(two(ctx)?.map(|(a, b)| f64::from(similarity(&a, &b))))
    })?;
    conn.create_scalar_function("word_similarity", 2, pure(), move |ctx| {
        Ok(two(ctx)?.map(|(a, b)| f64::from(word_similarity(&a, &b, false))))
    })?;
    conn.create_scalar_function("strict_word_similarity", 2, pure(), move |ctx| {
        Ok(two(ctx)?.map(|(a, b)| f64::from(word_similarity(&a, &b, true))))
    })?;
    conn.create_scalar_function("show_trgm", 1, pure(), |ctx| {
        Ok(ctx.get::<Option<String>>(0)?.map(|t| show(&t)))
    })?;
    // `a % b`: similar at the default threshold.
    conn.create_scalar_function("pg_trgm_match", 2, pure(), move |ctx| {
        Ok(two(ctx)?.map(|(a, b)| similarity(&a, &b) >= SIMILARITY_THRESHOLD))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_pg_trgm() {
        assert_eq!(show("cat"), r#"["  c"," ca","at ","cat"]"#);
        assert_eq!(similarity("word", "words"), 0.5714286);
        assert_eq!(word_similarity("word", "two words", false), 0.8);
        assert_eq!(word_similarity("word", "two words", true), 0.5714286);
        assert_eq!(similarity("", "x"), 0.0);
    }

    #[test]
    fn arbitrary_input_never_panics() {
        const ALPHABET: &[&str] = &["a", "b", "ab", " ", "-", "é", "日", "1", ",", "\u{301}"];
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..5_000 {
            let mut text = || -> String {
                let len = (next() % 12) as usize;
                (0..len)
                    .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                    .collect()
            };
            let (a, b) = (text(), text());
            for strict in [false, true] {
                let s = word_similarity(&a, &b, strict);
                assert!((0.0..=1.0).contains(&s), "{a:?} {b:?} {s}");
            }
            assert!((0.0..=1.0).contains(&similarity(&a, &b)));
        }
    }
}
