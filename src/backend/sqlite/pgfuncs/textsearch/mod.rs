//! Full-text search: `tsvector` and `tsquery` values (stored as their
//! PostgreSQL text form), `to_tsvector`, `to_tsquery`, `plainto_tsquery`,
//! `phraseto_tsquery`, `websearch_to_tsquery`, the `@@` match
//! (`pg_ts_match`), `ts_rank`, `setweight`, `strip`, `||` of tsvectors,
//! `length` and `numnode`, with the `simple` and `english` configurations
//! (`english` is PostgreSQL's default_text_search_config).

mod binary;
mod config;
mod headline;
mod matching;
mod parser;
mod query;
mod rank;
mod vector;

use super::{error, pure};
use config::Config;
use query::{Op2, Operands, Syntax, TsQuery};
use rusqlite::functions::Context;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use vector::TsVector;

/// The text of argument `i`; `None` for NULL.
fn text<'a>(ctx: &'a Context<'_>, i: usize) -> rusqlite::Result<Option<std::borrow::Cow<'a, str>>> {
    Ok(match ctx.get_raw(i) {
        ValueRef::Null => None,
        ValueRef::Text(t) | ValueRef::Blob(t) => Some(String::from_utf8_lossy(t)),
        ValueRef::Integer(n) => Some(n.to_string().into()),
        ValueRef::Real(f) => Some(f.to_string().into()),
    })
}

/// A function's (config, text) arguments: the configuration is the first
/// of two, else the default.
fn config_and_text<'a>(
    ctx: &'a Context<'_>,
) -> rusqlite::Result<Option<(Config, std::borrow::Cow<'a, str>)>> {
    if ctx.len() == 1 {
        return Ok(text(ctx, 0)?.map(|t| (Config::English, t)));
    }
    let (Some(name), Some(body)) = (text(ctx, 0)?, text(ctx, 1)?) else {
        return Ok(None);
    };
    Ok(Some((Config::named(&name)?, body)))
}

/// Argument `i` read as a stored tsvector.
fn tsvector(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<TsVector>> {
    text(ctx, i)?.map(|t| TsVector::parse(&t)).transpose()
}

/// Argument `i` read as a stored tsquery, parsed once per statement when
/// the argument is constant.
fn tsquery(ctx: &Context<'_>, i: usize) -> rusqlite::Result<Option<std::sync::Arc<TsQuery>>> {
    if let Some(known) = ctx.get_aux::<TsQuery>(i as i32)? {
        return Ok(Some(known));
    }
    let Some(t) = text(ctx, i)? else {
        return Ok(None);
    };
    let q = TsQuery::parse(&t, Syntax::Standard, Operands::Literal)?;
    Ok(Some(ctx.set_aux(i as i32, q)?))
}

/// Writes a stored tsvector (or tsquery) in its binary wire format; the
/// error is PostgreSQL's message for a value that does not parse.
pub fn write_binary(stored: &str, vector: bool, out: &mut bytes::BytesMut) -> Result<(), String> {
    let written = if vector {
        binary::tsvector(stored, out)
    } else {
        binary::tsquery(stored, out)
    };
    written.map_err(|e| e.to_string())
}

/// A tsvector's (or tsquery's) input text in the form PostgreSQL prints.
pub(super) fn normalized(text: &str, vector: bool) -> rusqlite::Result<String> {
    Ok(if vector {
        TsVector::parse(text)?.write()
    } else {
        TsQuery::parse(text, Syntax::Standard, Operands::Literal)?.write()
    })
}

pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    for n in [1, 2] {
        conn.create_scalar_function("to_tsvector", n, pure(), |ctx| {
            let Some((config, body)) = config_and_text(ctx)? else {
                return Ok(None);
            };
            Ok(Some(
                TsVector::from_words(config::parse(config, &body)).write(),
            ))
        })?;
        for (name, syntax, join) in [
            ("to_tsquery", Syntax::Standard, Op2::Phrase),
            ("plainto_tsquery", Syntax::Plain, Op2::And),
            ("phraseto_tsquery", Syntax::Plain, Op2::Phrase),
            ("websearch_to_tsquery", Syntax::WebSearch, Op2::Phrase),
        ] {
            conn.create_scalar_function(name, n, pure(), move |ctx| {
                let Some((config, body)) = config_and_text(ctx)? else {
                    return Ok(None);
                };
                let q = TsQuery::parse(&body, syntax, Operands::Morph(config, join))?;
                Ok(Some(q.write()))
            })?;
        }
    }
    // Casts and values written into tsvector/tsquery columns.
    conn.create_scalar_function("pg_tsvector_in", 1, pure(), |ctx| {
        Ok(tsvector(ctx, 0)?.map(|v| v.write()))
    })?;
    conn.create_scalar_function("pg_tsquery_in", 1, pure(), |ctx| {
        Ok(tsquery(ctx, 0)?.map(|q| q.write()))
    })?;
    register_match(conn)?;
    register_vector_functions(conn)?;
    register_rank(conn)?;
    // tsquery `||`, `&&`, `!!`: the trees joined (an empty side gives the other).
    for (name, and) in [("pg_tsquery_or", false), ("pg_tsquery_and", true)] {
        conn.create_scalar_function(name, 2, pure(), move |ctx| {
            let (Some(a), Some(b)) = (tsquery(ctx, 0)?, tsquery(ctx, 1)?) else {
                return Ok(None);
            };
            let joined = match (a.0.clone(), b.0.clone()) {
                (Some(l), Some(r)) => Some(if and {
                    query::Node::And(Box::new(l), Box::new(r))
                } else {
                    query::Node::Or(Box::new(l), Box::new(r))
                }),
                (l, r) => l.or(r),
            };
            Ok(Some(TsQuery(joined).write()))
        })?;
    }
    conn.create_scalar_function("pg_tsquery_not", 1, pure(), |ctx| {
        Ok(tsquery(ctx, 0)?
            .map(|q| TsQuery(q.0.clone().map(|n| query::Node::Not(Box::new(n)))).write()))
    })?;
    conn.create_scalar_function("numnode", 1, pure(), |ctx| {
        Ok(tsquery(ctx, 0)?.map(|q| q.node_count()))
    })?;
    for n in [2, 3, 4] {
        conn.create_scalar_function("ts_headline", n, pure(), move |ctx| {
            // ([config,] document, query [, options]): with three arguments
            // the last is the options when it reads as `Key=value`.
            let with_config = n == 4 || (n == 3 && !text(ctx, 2)?.is_some_and(|t| t.contains('=')));
            let first = usize::from(with_config);
            let config = if with_config {
                match text(ctx, 0)? {
                    Some(name) => Config::named(&name)?,
                    None => return Ok(None),
                }
            } else {
                Config::English
            };
            let (Some(doc), Some(q)) = (text(ctx, first)?, tsquery(ctx, first + 1)?) else {
                return Ok(None);
            };
            let options = if (n as usize) > first + 2 {
                match text(ctx, first + 2)? {
                    Some(o) => Some(o),
                    None => return Ok(None),
                }
            } else {
                None
            };
            headline::headline(config, &doc, &q, options.as_deref()).map(Some)
        })?;
    }
    Ok(())
}

/// `pg_ts_match(a, a_type, b, b_type, config)`: `a @@ b` for operands of the
/// types the translator saw (`tsvector`, `text`, a column's declared type,
/// or `unknown` for a quoted literal), resolved as PostgreSQL resolves the
/// operator: text @@ tsquery reads the text with `to_tsvector`, and text @@
/// text the right side with `plainto_tsquery`; a literal on the right of a
/// tsvector is a tsquery. `config` reads text (the session's default). A
/// jsonb column on the left makes it jsonpath's silent match.
fn register_match(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_ts_match", 5, pure(), |ctx| {
        let config = match text(ctx, 4)? {
            Some(name) => Config::named(&name)?,
            None => Config::English,
        };
        let (Some(a_type), Some(b_type)) = (text(ctx, 1)?, text(ctx, 3)?) else {
            return Ok(None);
        };
        let a_vector = a_type.eq_ignore_ascii_case("tsvector");
        let Some(a) = text(ctx, 0)? else {
            return Ok(None);
        };
        // A jsonb column's `@@` is the jsonpath match.
        if a_type.eq_ignore_ascii_case("jsonb") {
            let Some(path) = text(ctx, 2)? else {
                return Ok(None);
            };
            return super::jsonpath::silent_match(&a, &path);
        }
        let vector = if a_vector {
            TsVector::parse(&a)?
        } else {
            TsVector::from_words(config::parse(config, &a))
        };
        let b_query = b_type.eq_ignore_ascii_case("tsquery")
            || (b_type.eq_ignore_ascii_case("unknown") && a_vector);
        let query = if b_query {
            match tsquery(ctx, 2)? {
                Some(q) => q,
                None => return Ok(None),
            }
        } else if let Some(known) = ctx.get_aux::<TsQuery>(2)? {
            known
        } else {
            let Some(b) = text(ctx, 2)? else {
                return Ok(None);
            };
            let q = TsQuery::parse(&b, Syntax::Plain, Operands::Morph(config, Op2::And))?;
            ctx.set_aux(2, q)?
        };
        Ok(Some(matching::matches(&vector, &query)))
    })
}

fn register_vector_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function("pg_tsvector_concat", 2, pure(), |ctx| {
        let (Some(a), Some(b)) = (tsvector(ctx, 0)?, tsvector(ctx, 1)?) else {
            return Ok(None);
        };
        Ok(Some(a.concat(b).write()))
    })?;
    conn.create_scalar_function("pg_tsvector_length", 1, pure(), |ctx| {
        Ok(tsvector(ctx, 0)?.map(|v| v.entries.len() as i64))
    })?;
    conn.create_scalar_function("strip", 1, pure(), |ctx| {
        Ok(tsvector(ctx, 0)?.map(|mut v| {
            v.strip();
            v.write()
        }))
    })?;
    for n in [2, 3] {
        conn.create_scalar_function("setweight", n, pure(), |ctx| {
            let (Some(mut v), Some(w)) = (tsvector(ctx, 0)?, text(ctx, 1)?) else {
                return Ok(None);
            };
            let code = w
                .chars()
                .next()
                .filter(|_| w.chars().count() == 1)
                .and_then(vector::weight_code)
                .ok_or_else(|| {
                    let code = w.chars().next().map_or(0, u32::from);
                    error("XX000", format!("unrecognized weight: {code}"))
                })?;
            let only: Option<Vec<String>> =
                if ctx.len() == 3 {
                    let Some(list) = text(ctx, 2)? else {
                        return Ok(None);
                    };
                    Some(serde_json::from_str(&list).map_err(|_| {
                        error("22P02", format!("malformed array literal: \"{list}\""))
                    })?)
                } else {
                    None
                };
            v.set_weight(code, only.as_deref());
            Ok(Some(v.write()))
        })?;
    }
    conn.create_scalar_function("tsvector_to_array", 1, pure(), |ctx| {
        Ok(tsvector(ctx, 0)?.map(|v| {
            serde_json::Value::from(
                v.entries
                    .into_iter()
                    .map(|e| serde_json::Value::from(e.lexeme))
                    .collect::<Vec<_>>(),
            )
            .to_string()
        }))
    })?;
    Ok(())
}

/// `ts_rank` and `ts_rank_cd([weights,] vector, query [, normalization])`.
fn register_rank(conn: &Connection) -> rusqlite::Result<()> {
    for (name, n) in [2, 3, 4]
        .into_iter()
        .flat_map(|n| [("ts_rank", n), ("ts_rank_cd", n)])
    {
        let cover_density = name == "ts_rank_cd";
        conn.create_scalar_function(name, n, pure(), move |ctx| {
            // With three arguments the first is the weights when it is an
            // array, else the normalization is last.
            let weighted = n == 4
                || (n == 3
                    && matches!(ctx.get_raw(0), ValueRef::Text(t) if t.starts_with(b"[") || t.starts_with(b"{")));
            let first = usize::from(weighted);
            let mut weights = rank::DEFAULT_WEIGHTS;
            if weighted {
                let Some(list) = text(ctx, 0)? else {
                    return Ok(None);
                };
                weights = rank_weights(&list)?;
            }
            let (Some(v), Some(q)) = (tsvector(ctx, first)?, tsquery(ctx, first + 1)?) else {
                return Ok(None);
            };
            let method = if n as usize > first + 2 {
                match ctx.get::<Option<i64>>(first + 2)? {
                    Some(m) => m,
                    None => return Ok(None),
                }
            } else {
                0
            };
            let r = if cover_density {
                rank::rank_cd(&weights, &v, &q, method)
            } else {
                rank::rank(&weights, &v, &q, method)
            };
            Ok(Some(f64::from(r)))
        })?;
    }
    Ok(())
}

/// ts_rank's weights array (D, C, B, A): a negative entry keeps the default.
fn rank_weights(list: &str) -> rusqlite::Result<[f32; 4]> {
    // Stored arrays are JSON; a quoted literal is PostgreSQL's `{...}`.
    let json = match list
        .trim()
        .strip_prefix('{')
        .and_then(|l| l.strip_suffix('}'))
    {
        Some(inner) => format!("[{}]", inner.to_ascii_lowercase()),
        None => list.to_owned(),
    };
    let values: Vec<Option<f64>> = serde_json::from_str(&json)
        .map_err(|_| error("22P02", format!("malformed array literal: \"{list}\"")))?;
    if values.len() < 4 {
        return Err(error("2202E", "array of weight is too short"));
    }
    let mut out = rank::DEFAULT_WEIGHTS;
    for (i, v) in values.iter().take(4).enumerate() {
        let Some(v) = v else {
            return Err(error("22004", "array of weight must not contain nulls"));
        };
        if *v > 1.0 {
            return Err(error("22023", "weight out of range"));
        }
        if *v >= 0.0 {
            out[i] = *v as f32;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Arbitrary input reaches every parser: errors are fine, panics not.
    #[test]
    fn arbitrary_input_never_panics() {
        const ALPHABET: &[&str] = &[
            "a", "B", "z", "1", "9", " ", "'", "''", "\\", "\"", "!", "&", "|", "(", ")", "<", ">",
            "-", "<->", "<2>", ":", "*", "A", ",", ".", "/", "@", "_", "é", "日", "\u{301}", "or",
            "the", "http://", "<b>", "&amp;", "e5", "\t", "=", "%",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 24) as usize;
            let text: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            let _ = TsVector::parse(&text).map(|v| v.write());
            for syntax in [Syntax::Standard, Syntax::WebSearch, Syntax::Plain] {
                let _ = TsQuery::parse(&text, syntax, Operands::Literal).map(|q| q.write());
                for join in [Op2::And, Op2::Phrase] {
                    let q = TsQuery::parse(&text, syntax, Operands::Morph(Config::English, join));
                    if let Ok(q) = q {
                        let v = TsVector::from_words(config::parse(Config::English, &text));
                        let _ = matching::matches(&v, &q);
                        let _ = rank::rank(&rank::DEFAULT_WEIGHTS, &v, &q, 63);
                        let _ = rank::rank_cd(&rank::DEFAULT_WEIGHTS, &v, &q, 63);
                        let _ = headline::headline(
                            Config::English,
                            &text,
                            &q,
                            Some("MaxWords=4, MinWords=1"),
                        );
                    }
                }
            }
        }
    }
}
