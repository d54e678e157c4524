//! COPY statement classification and option parsing.

use super::{translate, CopyFormat, CopyOptions, ForceQuote, StmtKind};

fn kind(sql: &str) -> StmtKind {
    let mut out = translate(sql).unwrap_or_else(|e| panic!("{sql}: {} {}", e.code, e.message));
    assert_eq!(out.len(), 1, "{sql}");
    out.remove(0).kind
}

fn code(sql: &str) -> &'static str {
    translate(sql).expect_err(sql).code
}

fn copy_in(sql: &str) -> (String, Vec<String>, CopyOptions) {
    match kind(sql) {
        StmtKind::CopyIn {
            table,
            columns,
            options,
        } => (table, columns, options),
        other => panic!("{sql}: {other:?}"),
    }
}

#[test]
fn copy_from_stdin_forms() {
    let (t, c, o) = copy_in("copy pgbench_accounts from stdin with (freeze on)");
    assert_eq!((t.as_str(), c.len()), ("pgbench_accounts", 0));
    assert!(o.freeze);
    assert_eq!(
        (o.format, o.delimiter, o.null.as_str()),
        (CopyFormat::Text, b'\t', "\\N")
    );

    let (t, c, o) = copy_in("COPY public.T (A, \"b\") FROM STDIN WITH CSV HEADER");
    assert_eq!(t, "t");
    assert_eq!(c, vec!["a".to_owned(), "b".to_owned()]);
    assert_eq!(
        (o.format, o.delimiter, o.header, o.null.as_str()),
        (CopyFormat::Csv, b',', true, "")
    );
    assert_eq!((o.quote, o.escape), (b'"', b'"'));

    let (_, _, o) = copy_in(
        "copy t from stdin (format csv, delimiter ';', null 'NULL', header false, quote '''', escape '\\')",
    );
    assert_eq!(
        (o.delimiter, o.null.as_str(), o.header),
        (b';', "NULL", false)
    );
    assert_eq!((o.quote, o.escape), (b'\'', b'\\'));

    let (_, _, o) = copy_in("copy t from stdin delimiter as '|' null as '' freeze");
    assert_eq!((o.delimiter, o.null.as_str(), o.freeze), (b'|', "", true));

    let (_, _, o) = copy_in("copy t from stdin csv force not null a, b");
    assert_eq!(o.force_not_null, vec!["a".to_owned(), "b".to_owned()]);
    let (_, _, o) = copy_in("copy t from stdin (format csv, header match, force_null (a))");
    assert!(o.header);
    assert_eq!(o.force_null, vec!["a".to_owned()]);
}

#[test]
fn copy_to_stdout_forms() {
    for sql in [
        "COPY t TO STDOUT",
        "copy t (a, b) to stdout with (format csv, header, force_quote *)",
        "copy (select a, b from t where a > 1 order by a) to stdout",
    ] {
        match kind(sql) {
            StmtKind::CopyOut { query_sql, .. } => {
                assert!(query_sql.starts_with("SELECT"), "{sql}: {query_sql}")
            }
            other => panic!("{sql}: {other:?}"),
        }
    }
    match kind("copy t to stdout csv force quote *") {
        StmtKind::CopyOut { options, .. } => assert_eq!(options.force_quote, ForceQuote::All),
        other => panic!("{other:?}"),
    }
}

#[test]
fn copy_refusals() {
    assert_eq!(code("copy t from '/etc/passwd'"), "42501");
    assert_eq!(code("copy t to '/tmp/x.csv' csv"), "42501");
    assert_eq!(code("copy t from program 'cat /etc/passwd'"), "42501");
    assert_eq!(code("copy (select 1) to program 'sh'"), "42501");
    assert_eq!(code("copy pg_other.t from stdin"), "3F000");
    assert_eq!(code("copy t from stdin (format text, quote '\"')"), "0A000");
    assert_eq!(code("copy t from stdin (delimiter 'ab')"), "0A000");
    assert_eq!(code("copy t from stdin (format csv, format text)"), "42601");
    assert_eq!(code("copy t from stdin (bogus 1)"), "42601");
    assert_eq!(code("copy t from stdin where a > 1"), "0A000");
    assert_eq!(code("copy (select 1) from stdin"), "42601");
    assert_eq!(code("copy t from stdin (format yaml)"), "22023");
}
