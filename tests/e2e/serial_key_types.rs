//! Serial and identity keys keep their PostgreSQL type: SQLite declares every
//! such key `INTEGER` (its rowid alias), yet a bigserial key is int8 and a
//! smallserial key int2 to the client, in RowDescription, in binary values,
//! in parameter types and in the catalogs. A typed client reading them
//! (tokio-postgres: `i64`, `i16`) fails on any other OID.

use crate::common;

use common::{simple_rows, TestServer};
use postgres_types::Type;

const SCHEMA: &str = "
    CREATE TABLE big (id bigserial PRIMARY KEY, note text);
    CREATE TABLE small (id smallserial PRIMARY KEY, note text);
    CREATE TABLE plain (id serial PRIMARY KEY, note text);
    CREATE TABLE ident (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text);
    CREATE TABLE child (big_id bigint REFERENCES big (id), n int);
";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn typed_clients_read_serial_keys_with_their_types() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client.batch_execute(SCHEMA).await.expect("schema");

    let row = client
        .query_one("INSERT INTO big (note) VALUES ($1) RETURNING id", &[&"a"])
        .await
        .expect("insert big");
    assert_eq!(row.columns()[0].type_(), &Type::INT8);
    assert_eq!(row.get::<_, i64>(0), 1);
    let row = client
        .query_one(
            "INSERT INTO small (note) VALUES ('b') RETURNING id, note",
            &[],
        )
        .await
        .expect("insert small");
    assert_eq!(row.columns()[0].type_(), &Type::INT2);
    assert_eq!(row.get::<_, i16>(0), 1);
    let row = client
        .query_one("INSERT INTO plain (note) VALUES ('c') RETURNING id", &[])
        .await
        .expect("insert plain");
    assert_eq!(row.get::<_, i32>(0), 1);
    let row = client
        .query_one("INSERT INTO ident (note) VALUES ('d') RETURNING id", &[])
        .await
        .expect("insert ident");
    assert_eq!(row.get::<_, i64>(0), 1);

    // A key written explicitly, past int4's range.
    client
        .execute(
            "INSERT INTO big (id, note) VALUES ($1, 'far')",
            &[&5_000_000_000_i64],
        )
        .await
        .expect("insert a large key");
    let stmt = client
        .prepare("SELECT b.id, b.note FROM big b WHERE b.id = $1")
        .await
        .expect("prepare");
    assert_eq!(stmt.params(), &[Type::INT8]);
    assert_eq!(stmt.columns()[0].type_(), &Type::INT8);
    let row = client
        .query_one(&stmt, &[&5_000_000_000_i64])
        .await
        .expect("select big");
    assert_eq!(row.get::<_, i64>(0), 5_000_000_000);

    // The simple protocol types the column the same way: as int4, this
    // value would be out of range (22003).
    let rows = simple_rows(
        &client
            .simple_query("SELECT id FROM big WHERE id > 4294967296")
            .await
            .expect("simple select of a large key"),
    );
    assert_eq!(rows, vec![vec![Some("5000000000".to_owned())]]);

    // Through a subquery, a join, an aggregate and a view.
    client
        .batch_execute(
            "INSERT INTO child VALUES (1, 10);
             CREATE VIEW big_notes AS SELECT id, note FROM big",
        )
        .await
        .expect("child and view");
    let row = client
        .query_one(
            "SELECT c.big_id, s.id, (SELECT max(id) FROM big) AS top, v.id AS vid \
             FROM child c JOIN (SELECT id FROM small) s ON true \
             JOIN big_notes v ON v.id = c.big_id",
            &[],
        )
        .await
        .expect("join");
    let types: Vec<Type> = row.columns().iter().map(|c| c.type_().clone()).collect();
    assert_eq!(types, vec![Type::INT8, Type::INT2, Type::INT8, Type::INT8]);
    assert_eq!(row.get::<_, i16>(1), 1);
    assert_eq!(row.get::<_, i64>(2), 5_000_000_000);

    // DEFAULT and an omitted key still number rows.
    let row = client
        .query_one(
            "INSERT INTO small (id, note) VALUES (DEFAULT, 'e') RETURNING id",
            &[],
        )
        .await
        .expect("insert default");
    assert_eq!(row.get::<_, i16>(0), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalogs_show_serial_key_types() {
    let server = TestServer::start().await;
    let client = server.fresh_tenant("acme").await;
    client.batch_execute(SCHEMA).await.expect("schema");
    let rows = simple_rows(
        &client
            .simple_query(
                "SELECT c.relname, a.atttypid, format_type(a.atttypid, a.atttypmod) \
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid \
                 WHERE a.attname = 'id' AND a.attnum > 0 ORDER BY c.relname",
            )
            .await
            .expect("pg_attribute"),
    );
    let s = |v: &str| Some(v.to_owned());
    assert_eq!(
        rows,
        vec![
            vec![s("big"), s("20"), s("bigint")],
            vec![s("ident"), s("20"), s("bigint")],
            vec![s("plain"), s("23"), s("integer")],
            vec![s("small"), s("21"), s("smallint")],
        ]
    );
    let rows = simple_rows(
        &client
            .simple_query(
                "SELECT table_name, data_type, column_default FROM information_schema.columns \
                 WHERE column_name = 'id' AND table_name IN ('big', 'small') ORDER BY 1",
            )
            .await
            .expect("information_schema"),
    );
    assert_eq!(
        rows,
        vec![
            vec![s("big"), s("bigint"), s("nextval('big_id_seq'::regclass)")],
            vec![
                s("small"),
                s("smallint"),
                s("nextval('small_id_seq'::regclass)")
            ],
        ]
    );
}
