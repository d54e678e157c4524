//! `ALTER TABLE ... ADD CONSTRAINT` for foreign keys and CHECK constraints,
//! which SQLite's own ALTER cannot do (ORMs add foreign keys this way after
//! CREATE TABLE): enforced afterwards, validated against existing rows, seen
//! in pg_constraint, and refused for read-only users.

use crate::common;

use common::{simple_rows, sqlstate, TestServer};
use tokio_postgres::error::SqlState;

#[tokio::test]
async fn foreign_keys_and_checks_are_added_enforced_and_validated() {
    let server = TestServer::start().await;
    let c = server.fresh_tenant("alt").await;
    c.batch_execute(
        "CREATE TABLE parent (id int PRIMARY KEY, name text);
         CREATE TABLE child (id int PRIMARY KEY, parent_id int, qty int);
         INSERT INTO parent VALUES (1, 'a');
         INSERT INTO child VALUES (10, 1, 5), (11, 2, 5)",
    )
    .await
    .unwrap();

    // Existing rows are checked: child 11 points nowhere.
    let e = c
        .batch_execute(
            "ALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id)",
        )
        .await;
    assert_eq!(sqlstate(e), SqlState::FOREIGN_KEY_VIOLATION);
    // Nothing changed: the row can still dangle.
    c.batch_execute("UPDATE child SET parent_id = 3 WHERE id = 11")
        .await
        .unwrap();
    c.batch_execute("DELETE FROM child WHERE id = 11")
        .await
        .unwrap();

    c.batch_execute(
        "ALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE",
    )
    .await
    .unwrap();
    let e = c
        .batch_execute("INSERT INTO child VALUES (12, 99, 1)")
        .await;
    assert_eq!(sqlstate(e), SqlState::FOREIGN_KEY_VIOLATION);
    c.batch_execute("DELETE FROM parent WHERE id = 1")
        .await
        .unwrap();
    let n: i64 = c
        .query_one("SELECT count(*) FROM child", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "ON DELETE CASCADE from the added key");

    // CHECK: validated, then enforced.
    c.batch_execute("INSERT INTO parent VALUES (2, 'b'); INSERT INTO child VALUES (20, 2, -1)")
        .await
        .unwrap();
    let e = c
        .batch_execute("ALTER TABLE child ADD CONSTRAINT qty_positive CHECK (qty > 0)")
        .await;
    assert_eq!(sqlstate(e), SqlState::CHECK_VIOLATION);
    c.batch_execute("UPDATE child SET qty = 1").await.unwrap();
    c.batch_execute("ALTER TABLE child ADD CONSTRAINT qty_positive CHECK (qty > 0)")
        .await
        .unwrap();
    let e = c.batch_execute("UPDATE child SET qty = 0").await;
    assert_eq!(sqlstate(e), SqlState::CHECK_VIOLATION);

    // The catalog shows the foreign key (under PostgreSQL's default name, a
    // known limit of the catalog); a pooled connection sees the new schema.
    let rows = simple_rows(
        &c.simple_query(
            "SELECT contype, a.attname FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
             JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = c.conkey[1] \
             WHERE t.relname = 'child' AND contype = 'f'",
        )
        .await
        .unwrap(),
    );
    assert_eq!(rows, vec![vec![Some("f".into()), Some("parent_id".into())]]);
    let other = server.connect_tenant("alt", "alice", "s3cret").await;
    let e = other
        .batch_execute("INSERT INTO child VALUES (30, 2, 0)")
        .await;
    assert_eq!(sqlstate(e), SqlState::CHECK_VIOLATION);

    // Inside a transaction block, the constraint rolls back with it.
    c.batch_execute("CREATE TABLE t2 (v int)").await.unwrap();
    c.batch_execute("BEGIN; ALTER TABLE t2 ADD CHECK (v < 10); ROLLBACK")
        .await
        .unwrap();
    c.batch_execute("INSERT INTO t2 VALUES (50)").await.unwrap();

    // A missing table, and a read-only user.
    let e = c
        .batch_execute("ALTER TABLE nosuch ADD CHECK (x > 0)")
        .await;
    assert_eq!(sqlstate(e), SqlState::UNDEFINED_TABLE);
    let admin = server.admin().await;
    admin
        .simple_query("SELECT pgtenant.create_user('alt', 'rita', 'pw', role => 'readonly')")
        .await
        .unwrap();
    let ro = server.connect_tenant("alt", "rita", "pw").await;
    let e = ro.batch_execute("ALTER TABLE t2 ADD CHECK (v < 100)").await;
    assert_eq!(sqlstate(e), SqlState::READ_ONLY_SQL_TRANSACTION);
}
