//! Statements nested deeper than the engine evaluates get PostgreSQL's
//! 54001 (statement_too_complex / stack depth), and nothing else happens: the
//! session goes on, the tenant's other sessions and other tenants too.
//! Before, a chain of a few thousand `+` overflowed the connection thread's
//! stack and aborted the process with every tenant's sessions; forty
//! chained `->>` asked the translation for 2^40 copies of an operand.

use crate::common;

use common::{db_error, simple_rows, two_tenants, TestServer};
use tokio_postgres::Client;

const TOO_COMPLEX: &str = "54001";

fn chain(first: &str, op: &str, operand: &str, n: usize) -> String {
    format!("SELECT {first}{}", format!(" {op} {operand}").repeat(n))
}

async fn one_value(client: &Client, sql: &str) -> Option<String> {
    simple_rows(&client.simple_query(sql).await.expect(sql))[0][0].clone()
}

async fn refused(client: &Client, sql: &str) {
    let e = db_error(client.simple_query(sql).await);
    assert_eq!(e.code().code(), TOO_COMPLEX, "{}", e.message());
    // The extended protocol parses the same text.
    let e = db_error(client.prepare(sql).await);
    assert_eq!(e.code().code(), TOO_COMPLEX, "{}", e.message());
    // The session survives.
    assert_eq!(
        one_value(client, "SELECT 41 + 1").await.as_deref(),
        Some("42")
    );
}

#[tokio::test]
async fn deep_expressions_are_refused_and_everyone_carries_on() {
    let server = TestServer::start().await;
    let (acme, beta) = two_tenants(&server).await;

    // Depths PostgreSQL evaluates and SQLite does too: the right answer.
    let sum = chain("1", "+", "1", 900);
    assert_eq!(one_value(&acme, &sum).await.as_deref(), Some("901"));
    let ors = format!(
        "SELECT title FROM todo WHERE {}",
        (0..600)
            .map(|i| format!("id = {}", i + 1))
            .collect::<Vec<_>>()
            .join(" OR ")
    );
    assert_eq!(one_value(&acme, &ors).await.as_deref(), Some("acme secret"));

    // Nesting PostgreSQL takes and the parser's raised limit too.
    let case = format!(
        "SELECT {}1{}",
        "CASE WHEN true THEN ".repeat(60),
        " END".repeat(60)
    );
    assert_eq!(one_value(&acme, &case).await.as_deref(), Some("1"));
    let subqueries = format!("SELECT {}1{}", "(SELECT ".repeat(30), ")".repeat(30));
    assert_eq!(one_value(&acme, &subqueries).await.as_deref(), Some("1"));
    // Nesting whose translation copies an operand per level: bounded.
    let correlated = format!(
        "SELECT {}1{}",
        "(SELECT id + ".repeat(25),
        " FROM todo WHERE id > 0)".repeat(25)
    );
    refused(&acme, &correlated).await;

    // Within our measure but past SQLite's own depth (1000): its refusal,
    // with the same code.
    refused(&acme, &chain("1", "+", "1", 1_990)).await;

    // Beyond: 54001, quickly, for every shape of chain.
    for n in [5_000, 50_000, 500_000] {
        refused(&acme, &chain("1", "+", "1", n)).await;
    }
    refused(&acme, &chain("true", "AND", "true", 5_000)).await;
    refused(&acme, &chain("'a'", "||", "'b'", 5_000)).await;
    refused(&acme, &chain("'x'", "LIKE", "'x'", 5_000)).await;
    refused(&acme, &chain("1", "::int + 1", "", 3_000)).await;
    refused(&acme, &format!("SELECT ARRAY[1]{}", "[1]".repeat(5_000))).await;
    // Operands the translation must repeat (a # b is (a | b) - (a & b)):
    // forty levels would be 2^40 copies.
    refused(&acme, &chain("1", "#", "1", 40)).await;
    refused(&acme, &chain("'{}'::jsonb", "->>", "'k'", 40)).await;
    // COPY's query is parsed on its own path.
    let e = db_error(
        acme.simple_query(&format!(
            "COPY ({}) TO STDOUT",
            chain("1", "+", "1", 50_000)
        ))
        .await,
    );
    assert_eq!(e.code().code(), TOO_COMPLEX, "{}", e.message());
    // Parentheses deeper than the parser recurses.
    refused(
        &acme,
        &format!("SELECT {}1{}", "(".repeat(5_000), ")".repeat(5_000)),
    )
    .await;

    // The admin role's statements are parsed apart from tenants': the same.
    let admin = server.admin().await;
    refused(&admin, &chain("1", "+", "1", 500_000)).await;

    // The tenant's data, another session of it, and the other tenant.
    let again = server.connect_tenant("acme", "alice", "s3cret").await;
    assert_eq!(
        one_value(&again, "SELECT title FROM todo").await.as_deref(),
        Some("acme secret")
    );
    assert_eq!(
        one_value(&beta, "SELECT title FROM todo").await.as_deref(),
        Some("beta secret")
    );
    // A few levels of a repeating operator still work.
    assert_eq!(
        one_value(&acme, &chain("1", "#", "3", 5)).await.as_deref(),
        Some("2")
    );
}
