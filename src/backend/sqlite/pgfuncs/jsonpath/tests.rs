//! The path language against answers PostgreSQL 15 gives.

use super::eval::query;
use super::parse::parse;
use serde_json::{Map, Value as Json};

/// The items as compact JSON text, space-separated, or the error's SQLSTATE.
fn q(target: &str, path: &str) -> String {
    q_vars(target, path, "{}")
}

fn q_vars(target: &str, path: &str, vars: &str) -> String {
    let target: Json = serde_json::from_str(target).unwrap();
    let vars: Map<String, Json> = serde_json::from_str(vars).unwrap();
    let path = match parse(path) {
        Ok(p) => p,
        Err(_) => return "42601".into(),
    };
    match query(&path, &target, &vars) {
        (items, None) => items
            .iter()
            .map(Json::to_string)
            .collect::<Vec<_>>()
            .join(" "),
        (_, Some(e)) => e.code.into(),
    }
}

#[test]
fn accessors() {
    let doc = r#"{"a": [1, 2, 3, 4, 5], "b": {"c": "x"}}"#;
    assert_eq!(q(doc, "$.a[*]"), "1 2 3 4 5");
    assert_eq!(q(doc, "$.a[1 to 2]"), "2 3");
    assert_eq!(q(doc, "$.a[last]"), "5");
    assert_eq!(q(doc, "$.a[last - 1, 0]"), "4 1");
    assert_eq!(q(doc, r#"$."b".c"#), r#""x""#);
    assert_eq!(q(doc, "$.b.*"), r#""x""#);
    assert_eq!(q(doc, "$.missing"), "");
    assert_eq!(q(doc, "strict $.missing"), "2203A");
    assert_eq!(q(doc, "$.a[10]"), "");
    assert_eq!(q(doc, "strict $.a[10]"), "22033");
    assert_eq!(q(doc, "$.b[0].c"), r#""x""#);
    assert_eq!(q(doc, "$.b[*]"), r#"{"c":"x"}"#);
    assert_eq!(q(r#"[{"x": 1}, {"x": 2}, 3]"#, "$.x"), "1 2");
    assert_eq!(
        q(r#"{"a": {"b": 1}}"#, "$.**"),
        r#"{"a":{"b":1}} {"b":1} 1"#
    );
    assert_eq!(q(r#"{"a": {"b": 1}}"#, "$.**{2}"), "1");
    assert_eq!(q(r#"{"a": {"b": 1}}"#, "lax $.**.b"), "1");
}

#[test]
fn filters() {
    let doc = r#"{"a": [1, 2, 3, 4, 5]}"#;
    let vars = r#"{"min": 2, "max": 4}"#;
    assert_eq!(
        q_vars(doc, "$.a[*] ? (@ >= $min && @ <= $max)", vars),
        "2 3 4"
    );
    assert_eq!(q_vars(doc, "$.a ? (@ > $max)", vars), "5");
    assert_eq!(q(doc, "$.a[*] ? (@ == 1 || @ == 5)"), "1 5");
    assert_eq!(q(doc, "$.a[*] ? (!(@ < 5))"), "5");
    assert_eq!(q(doc, "$.a[*] ? (@ == \"1\")"), "");
    assert_eq!(q(doc, "$.a[*] ? ((@ == \"1\") is unknown)"), "1 2 3 4 5");
    assert_eq!(
        q(doc, "$ ? (exists (@.a[*] ? (@ > 4)))"),
        r#"{"a":[1,2,3,4,5]}"#
    );
    let s = r#"["abc", "ABd", "xbc", 1]"#;
    assert_eq!(
        q(s, r#"$[*] ? (@ like_regex "^ab" flag "i")"#),
        r#""abc" "ABd""#
    );
    assert_eq!(q(s, r#"$[*] ? (@ starts with "x")"#), r#""xbc""#);
    assert_eq!(q(r#"[null, 1]"#, "$[*] ? (@ != null)"), "1");
    assert_eq!(q(r#"[null, 1]"#, "$[*] ? (@ == null)"), "null");
    assert_eq!(q_vars(doc, "$.a[*] ? (@ > $x)", "{}"), "42704");
}

#[test]
fn predicates_and_arithmetic() {
    let doc = r#"{"a": 2, "b": [1, 2]}"#;
    assert_eq!(q(doc, "$.a == 2"), "true");
    assert_eq!(q(doc, "$.b[*] > 1"), "true");
    assert_eq!(q(doc, "$.a == \"x\""), "null");
    assert_eq!(q(doc, "$.a + 3"), "5");
    assert_eq!(q(doc, "$.a * 1.5"), "3.0");
    assert_eq!(q(doc, "-$.b[*]"), "-1 -2");
    assert_eq!(q(doc, "$.a % 3"), "2");
    assert_eq!(q("0.1", "$ + 0.2"), "0.3");
    assert_eq!(q(doc, "$.b + 1"), "22038");
    assert_eq!(q(doc, "$.a / 0"), "22012");
}

#[test]
fn methods() {
    let doc = r#"{"a": [1, -2.5, 3], "s": "1.5", "o": {"x": 1, "yy": [2]}}"#;
    assert_eq!(q(doc, "$.a.size()"), "3");
    assert_eq!(q(doc, "$.s.size()"), "1");
    assert_eq!(q(doc, "strict $.s.size()"), "22039");
    assert_eq!(q(doc, "$.a.type()"), r#""array""#);
    assert_eq!(q(doc, "$.a[*].type()"), r#""number" "number" "number""#);
    assert_eq!(q(doc, "$.a.abs()"), "1 2.5 3");
    assert_eq!(q(doc, "$.a.floor()"), "1 -3 3");
    assert_eq!(q(doc, "$.a.ceiling()"), "1 -2 3");
    assert_eq!(q(doc, "$.s.double()"), "1.5");
    assert_eq!(
        q(doc, "$.o.keyvalue()"),
        r#"{"id":76,"key":"x","value":1} {"id":76,"key":"yy","value":[2]}"#
    );
    assert_eq!(q(doc, "$.s.abs()"), "22036");
}

#[test]
fn syntax_errors() {
    for bad in [
        "$.a[",
        "@ + 1",
        "last",
        "$ ? (@ + 1)",
        "$.a.nope()",
        "1a",
        "$ ? (@ like_regex \"(\")",
    ] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    // Bounded nesting and length (the parser and evaluator recurse).
    assert!(parse(&format!("{}1{}", "(".repeat(200), ")".repeat(200))).is_err());
    assert!(parse(&format!("{}1", "-".repeat(200))).is_err());
    assert!(parse(&"1 + ".repeat(1100)).is_err());
    assert_eq!(
        q("{}", &format!("{}1{}", "(".repeat(50), ")".repeat(50))),
        "1"
    );
    // The longest chain, on a stack the size of a connection thread's.
    let longest = std::thread::Builder::new()
        .stack_size(16 << 20)
        .spawn(|| q("{}", &format!("0{}", " + 1".repeat(999))))
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(longest, "999");
    assert!(parse("strict $.a").unwrap().strict);
    assert!(!parse("lax $.a").unwrap().strict);
}
