//! Statements as ORMs send them over the extended protocol, with their
//! parameters bound (the differential corpus has them with literals):
//! LIMIT/OFFSET parameters, multi-row INSERT ... RETURNING, SELECT ... FOR
//! UPDATE in a block, IN (subquery), FILTER, composite-key upserts.

use crate::common;

use common::TestServer;
use tokio_postgres::types::Type;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orm_statements_with_bound_parameters() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("acme").await;
    c.batch_execute(
        "CREATE TABLE users (id serial PRIMARY KEY, email text NOT NULL UNIQUE, active boolean NOT NULL);
         CREATE TABLE orders (id serial PRIMARY KEY, user_id int NOT NULL, amount numeric(10,2), paid boolean NOT NULL);
         CREATE TABLE members (org int, usr int, role text, PRIMARY KEY (org, usr))",
    )
    .await
    .unwrap();

    // SQLAlchemy / Prisma: multi-row INSERT ... RETURNING with parameters.
    let rows = c
        .query(
            "INSERT INTO users (email, active) VALUES ($1, $2), ($3, $4), ($5, $6) RETURNING id, email",
            &[&"a@x", &true, &"b@x", &false, &"c@x", &true],
        )
        .await
        .expect("multi-row insert");
    let ids: Vec<i32> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(ids, [1, 2, 3]);

    // Prisma: LIMIT and OFFSET as parameters (typed int8).
    let stmt = c
        .prepare("SELECT id, email FROM users WHERE active = $1 ORDER BY id LIMIT $2 OFFSET $3")
        .await
        .unwrap();
    assert_eq!(stmt.params(), &[Type::BOOL, Type::INT8, Type::INT8]);
    let rows = c.query(&stmt, &[&true, &1i64, &1i64]).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(1), "c@x");

    c.execute(
        "INSERT INTO orders (user_id, amount, paid) VALUES ($1, 10.50, $2), ($3, 99.99, $4)",
        &[&1i32, &true, &3i32, &false],
    )
    .await
    .unwrap();

    // Django: SELECT ... FOR UPDATE inside a transaction block.
    c.batch_execute("BEGIN").await.unwrap();
    let row = c
        .query_one(
            "SELECT id, email FROM users WHERE id = $1 FOR UPDATE",
            &[&2i32],
        )
        .await
        .expect("FOR UPDATE is accepted (SQLite serializes writers)");
    assert_eq!(row.get::<_, String>(1), "b@x");
    c.execute(
        "UPDATE users SET active = $1 WHERE id = $2",
        &[&true, &2i32],
    )
    .await
    .unwrap();
    c.batch_execute("COMMIT").await.unwrap();

    // IN (subquery) and EXISTS with parameters inside.
    let rows = c
        .query(
            "SELECT email FROM users WHERE id IN (SELECT user_id FROM orders WHERE amount > $1::int4 AND user_id > $3) \
             AND EXISTS (SELECT 1 FROM orders o WHERE o.user_id = users.id AND o.paid = $2) ORDER BY email",
            &[&5i32, &false, &0i32],
        )
        .await
        .unwrap();
    let emails: Vec<String> = rows.iter().map(|r| r.get(0)).collect();
    assert_eq!(emails, ["c@x"]);

    // count(*) FILTER with a parameter, COALESCE(SUM(...)).
    let row = c
        .query_one(
            "SELECT count(*) FILTER (WHERE paid = $1) AS n, COALESCE(SUM(amount), 0) AS total FROM orders",
            &[&true],
        )
        .await
        .unwrap();
    assert_eq!(row.get::<_, i64>(0), 1);

    // Composite-key upsert, inserted then updated.
    let upsert = "INSERT INTO members (org, usr, role) VALUES ($1, $2, $3) \
                  ON CONFLICT (org, usr) DO UPDATE SET role = EXCLUDED.role RETURNING role";
    let first = c
        .query_one(upsert, &[&1i32, &2i32, &"member"])
        .await
        .unwrap();
    let second = c
        .query_one(upsert, &[&1i32, &2i32, &"owner"])
        .await
        .unwrap();
    assert_eq!(first.get::<_, String>(0), "member");
    assert_eq!(second.get::<_, String>(0), "owner");
    let n: i64 = c
        .query_one("SELECT count(*) FROM members", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}
