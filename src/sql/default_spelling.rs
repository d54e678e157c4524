//! Column defaults whose SQLite translation loses how PostgreSQL prints
//! them: `CURRENT_TIMESTAMP`, `LOCALTIMESTAMP` and `now()` all become the
//! same clock call, `gen_random_uuid()` and `uuid_generate_v4()` the same
//! random text. Migration tools (Alembic, Django, TypeORM) compare
//! `information_schema.columns.column_default` and `pg_get_expr(adbin)`
//! with the model's default, so the spelling is kept in the stored default
//! itself: `coalesce(<translation>, NULL, '<spelling>')`, whose value is the
//! translation's (never NULL for these), and which survives restarts and
//! table rebuilds. [`spelled`] reads it back for the catalog.

/// The PostgreSQL spelling a stored default (`dflt_value`) keeps, if any.
pub fn spelled(dflt: &str) -> Option<String> {
    let d = dflt.trim();
    let d = d
        .strip_prefix('(')
        .and_then(|d| d.strip_suffix(')'))
        .unwrap_or(d);
    let head = d.get(..9)?;
    if !head.eq_ignore_ascii_case("coalesce(") {
        return None;
    }
    let (_, quoted) = d.strip_suffix("')")?.rsplit_once(", NULL, '")?;
    if quoted.replace("''", "").contains('\'') {
        return None;
    }
    Some(quoted.replace("''", "'"))
}

/// How PostgreSQL prints a default the translation cannot give back
/// (see the module comment): a SQL-standard clock word, or a call of one
/// of the functions translated to a shared form.
pub fn spelling_of(name: &str, parenthesized: bool) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    match lower.as_str() {
        "current_timestamp" | "localtimestamp" | "current_time" | "localtime" | "current_date"
            if !parenthesized =>
        {
            Some(lower.to_ascii_uppercase())
        }
        "gen_random_uuid"
        | "uuid_generate_v4"
        | "transaction_timestamp"
        | "statement_timestamp"
        | "clock_timestamp"
            if parenthesized =>
        {
            Some(format!("{lower}()"))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_read_back() {
        assert_eq!(
            spelled("COALESCE(pg_now(), NULL, 'CURRENT_TIMESTAMP')").as_deref(),
            Some("CURRENT_TIMESTAMP")
        );
        assert_eq!(
            spelled("(coalesce(x, NULL, 'gen_random_uuid()'))").as_deref(),
            Some("gen_random_uuid()")
        );
        assert_eq!(spelled("coalesce(a, 'b')"), None);
        assert_eq!(spelled("pg_now()"), None);
        assert_eq!(
            spelling_of("CURRENT_TIMESTAMP", false).as_deref(),
            Some("CURRENT_TIMESTAMP")
        );
        assert_eq!(spelling_of("now", true), None);
        assert_eq!(
            spelling_of("gen_random_uuid", true).as_deref(),
            Some("gen_random_uuid()")
        );
    }
}
