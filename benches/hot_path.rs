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

fn translation(c: &mut Criterion) {
    let select = "SELECT abalance FROM pgbench_accounts WHERE aid = $1";
    let update = "UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2";
    c.bench_function("translate pgbench select", |b| {
        b.iter(|| translate(black_box(select)))
    });
    c.bench_function("translate pgbench update", |b| {
        b.iter(|| translate(black_box(update)))
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
