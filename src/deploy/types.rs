//! Whether changing a column's declared PostgreSQL type can lose data.

/// `varchar(20)` -> ("varchar", [20]).
fn split(decl: &str) -> (&str, Vec<i64>) {
    match decl.split_once('(') {
        None => (decl.trim(), Vec::new()),
        Some((base, rest)) => (
            base.trim(),
            rest.trim_end_matches(')')
                .split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect(),
        ),
    }
}

fn int_rank(base: &str) -> Option<u8> {
    match base {
        "int2" => Some(1),
        "int4" => Some(2),
        "int8" => Some(3),
        _ => None,
    }
}

/// True when every value of `from` is kept by `to` (conservative: unknown
/// pairs count as narrowing, so they need `allow_destructive`).
pub fn widens(from: &str, to: &str) -> bool {
    if from == to {
        return true;
    }
    let (fb, fm) = split(from);
    let (tb, tm) = split(to);
    if tb == "text" {
        return true;
    }
    match (fb, tb) {
        (f, t) if int_rank(f).is_some() && int_rank(t).is_some() => int_rank(f) <= int_rank(t),
        (f, "numeric") if int_rank(f).is_some() => tm.is_empty(),
        ("int2" | "int4" | "float4", "float8") => true,
        ("numeric", "numeric") => match (fm.as_slice(), tm.as_slice()) {
            (_, []) => true,
            ([p1], [p2]) => p2 >= p1,
            ([p1, s1], [p2, s2]) => s2 >= s1 && p2 - s2 >= p1 - s1,
            ([p1], [p2, s2]) => p2 - s2 >= *p1,
            _ => false,
        },
        ("varchar" | "char", "varchar") => match (fm.as_slice(), tm.as_slice()) {
            (_, []) => true,
            ([a], [b]) => b >= a,
            _ => false,
        },
        ("char", "char") => fm == tm,
        ("date", "timestamp" | "timestamptz") => true,
        // Fractional-second precision; none written is 6 (microseconds).
        ("timestamp", "timestamp") | ("timestamptz", "timestamptz") | ("time", "time") => {
            tm.first().copied().unwrap_or(6) >= fm.first().copied().unwrap_or(6)
        }
        ("json", "jsonb") | ("jsonb", "json") => true,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::widens;

    #[test]
    fn widening_and_narrowing() {
        assert!(widens("int4", "int8"));
        assert!(!widens("int8", "int4"));
        assert!(widens("varchar(10)", "varchar(20)"));
        assert!(!widens("varchar(20)", "varchar(10)"));
        assert!(widens("varchar(20)", "text"));
        assert!(widens("timestamp", "timestamp(6)"));
        assert!(widens("timestamp(3)", "timestamp"));
        assert!(!widens("timestamptz(6)", "timestamptz(0)"));
        assert!(!widens("text", "int4"));
        assert!(widens("numeric(10,2)", "numeric(12,2)"));
        assert!(!widens("numeric(10,2)", "numeric(10,3)"));
        assert!(!widens("timestamptz", "date"));
    }
}
