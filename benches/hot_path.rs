//! Criterion benchmarks of the per-statement hot path that does not touch
//! the network: translation, literal lifting, and row encoding.
//! Run with `cargo bench --bench hot_path`.

use bytes::BytesMut;
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use pgtenant::sql::encode::encode_field;
use pgtenant::sql::normalize::normalize;
use pgtenant::sql::pgtype::PgType;
use pgtenant::sql::translate::translate;
use rusqlite::types::ValueRef;

// The server's allocator (src/main.rs), so the figures are what it pays.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn translation(c: &mut Criterion) {
    let select = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";
    let update = "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2";
    c.bench_function("translate pgbench select", |b| {
        b.iter(|| translate(black_box(select)))
    });
    c.bench_function("translate pgbench update", |b| {
        b.iter(|| translate(black_box(update)))
    });
    // What an ORM sends (Django's list view with a join, filters, order and
    // paging), translated from scratch, and found again in a translation
    // cache like the server's (`moka`, keyed by the query text).
    let orm = "SELECT \"shop_order\".\"id\", \"shop_order\".\"customer_id\", \
               \"shop_order\".\"total\", \"shop_order\".\"created_at\", \
               \"shop_customer\".\"name\" FROM \"shop_order\" INNER JOIN \"shop_customer\" \
               ON (\"shop_order\".\"customer_id\" = \"shop_customer\".\"id\") \
               WHERE (\"shop_order\".\"created_at\" >= $1 AND \"shop_customer\".\"name\"::text \
               LIKE $2 AND \"shop_order\".\"status\" IN ($3, $4)) \
               ORDER BY \"shop_order\".\"created_at\" DESC LIMIT 21 OFFSET 40";
    c.bench_function("translate ORM statement (uncached)", |b| {
        b.iter(|| translate(black_box(orm)))
    });
    let cache: moka::sync::Cache<std::sync::Arc<str>, std::sync::Arc<Vec<_>>> =
        moka::sync::Cache::builder().max_capacity(10_000).build();
    cache.insert(
        std::sync::Arc::from(orm),
        std::sync::Arc::new(translate(orm).expect("the ORM statement translates")),
    );
    c.bench_function("translate ORM statement (cached)", |b| {
        b.iter(|| cache.get(black_box(orm)))
    });
    let simple = "SELECT abalance FROM pgbench_accounts WHERE aid = 48213;";
    c.bench_function("normalize simple-protocol select", |b| {
        b.iter(|| normalize(black_box(simple)))
    });
}

fn encoding(c: &mut Criterion) {
    let mut buf = BytesMut::with_capacity(64 * 1024);
    c.bench_function("encode int8 text", |b| {
        b.iter(|| {
            buf.clear();
            for i in 0..100i64 {
                encode_field(
                    &mut buf,
                    ValueRef::Integer(black_box(i * 7919)),
                    PgType::Int8,
                    false,
                )
                .unwrap();
            }
        })
    });
    c.bench_function("encode text text", |b| {
        b.iter(|| {
            buf.clear();
            for _ in 0..100 {
                encode_field(
                    &mut buf,
                    ValueRef::Text(black_box(b"hello, tenant")),
                    PgType::Text,
                    false,
                )
                .unwrap();
            }
        })
    });
    c.bench_function("encode timestamp binary", |b| {
        b.iter(|| {
            buf.clear();
            for _ in 0..100 {
                encode_field(
                    &mut buf,
                    ValueRef::Text(black_box(b"2026-11-23 19:30:11.081227")),
                    PgType::Timestamp,
                    true,
                )
                .unwrap();
            }
        })
    });
}

criterion_group!(benches, translation, encoding);
criterion_main!(benches);
