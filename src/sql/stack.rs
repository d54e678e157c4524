//! Stack for walking a statement's syntax tree, sized by how deeply the
//! statement nests.
//!
//! Parsing, rewriting, printing and dropping a tree recurse once per level of
//! nesting. sqlparser can guard each of those calls itself (its
//! `recursive-protection` feature checks the stack at every node visited),
//! but that check, on every one of the dozen walks a translation makes, took
//! 45% of an uncached translation. So the check is made once per statement
//! instead: the nesting is measured on the tokens before anything parses
//! (`translate::depth`, which also refuses anything deeper than
//! `MAX_DEPTH`), and a statement whose levels need more stack than the
//! thread has left runs on a heap segment of that size. Typical statements
//! (a few levels) run in place; only deep ones pay for a segment, which is
//! committed only as far as it is used.

/// Stack one level of nesting may take: twice the most measured on the
/// deepest statements `MAX_DEPTH` and the parser's nesting limit let
/// through (nested subqueries took 32 KiB a level optimised; nested calls
/// with a division in each, 96 KiB unoptimised, where sqlparser's generic
/// walks are compiled without optimisation into frames of some 34 KiB;
/// operator chains take less). A segment is reserved address space,
/// committed only as far as it is used.
const PER_LEVEL: usize = if cfg!(debug_assertions) {
    192 << 10
} else {
    64 << 10
};

/// What any statement takes besides its levels.
const BASE: usize = 256 << 10;

/// Runs `f` with room on the stack for a statement nesting `levels` deep.
pub fn with_room<T>(levels: usize, f: impl FnOnce() -> T) -> T {
    let need = BASE + levels.saturating_mul(PER_LEVEL);
    stacker::maybe_grow(need, need, f)
}

/// [`with_room`] for SQL this process wrote (a translation's SQLite text)
/// when it is parsed again. A level takes at least two bytes (an operand
/// and an operator), so half a short text's length bounds its nesting; a
/// longer one has its tokens counted.
pub fn with_room_for_text<T>(sql: &str, f: impl FnOnce() -> T) -> T {
    const COUNT_PAST: usize = 32;
    let bound = sql.len() / 2;
    let levels = if bound <= COUNT_PAST {
        bound
    } else {
        // Text that does not tokenize does not parse into a tree either.
        sqlparser::tokenizer::Tokenizer::new(&sqlparser::dialect::SQLiteDialect {}, sql)
            .tokenize_with_location()
            .map_or(0, |tokens| crate::sql::translate::measure_depth(&tokens))
    };
    with_room(levels, f)
}

#[cfg(test)]
mod tests {
    use crate::sql::translate::translate;

    /// The deepest statements the limits let through, each on a thread
    /// with far less stack than they take: [`super::with_room`] must give
    /// them a segment big enough, or the test process aborts. Calibrates
    /// `PER_LEVEL`: if a limit is raised, a shape here stops translating
    /// or overflows, and the constant needs measuring again.
    #[test]
    fn the_deepest_statements_get_room_on_a_small_stack() {
        let chain = |first: &str, op: &str, n: usize| format!("SELECT {first}{}", op.repeat(n));
        let nest = |open: &str, inner: &str, close: &str, n: usize| {
            format!("SELECT {}{inner}{}", open.repeat(n), close.repeat(n))
        };
        let shapes = [
            chain("1.5", " / 2.5", 1999),
            chain("'a'", " || 'a'", 1999),
            chain("now()", " + interval '1 day'", 1999),
            format!("SELECT x{} FROM t", " / 2".repeat(1999)),
            chain("1", "::int", 1999),
            format!("SELECT 1 FROM t WHERE a{}", " AND a".repeat(1999)),
            format!("UPDATE t SET x = x{}", " + 1".repeat(1999)),
            nest("(SELECT ", "1", ")", 48),
            nest("abs(", "x", " / 2)", 95),
            nest("CASE WHEN x > 0 THEN ", "1", " ELSE 0 END", 95),
            nest("coalesce(", "x", ", 1)", 96),
        ];
        std::thread::Builder::new()
            .stack_size(256 << 10)
            .spawn(move || {
                for sql in &shapes {
                    let t = translate(sql).unwrap_or_else(|e| panic!("{}: {e:?}", &sql[..40]));
                    // Parsed again as the executor's helpers do.
                    let text = &t[0].sql;
                    let reparsed = super::with_room_for_text(text, || {
                        sqlparser::parser::Parser::parse_sql(
                            &sqlparser::dialect::SQLiteDialect {},
                            text,
                        )
                        .map(|s| s[0].to_string().len())
                    });
                    // Whatever the parser makes of it, it survives.
                    let _ = reparsed;
                }
            })
            .unwrap()
            .join()
            .unwrap();
    }
}
