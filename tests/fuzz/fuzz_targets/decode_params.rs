//! Bind parameter values of every supported type, text and binary format:
//! a value or a clean DecodeError, never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use pgtenant::sql::decode::decode_param;
use pgtenant::sql::pgtype::PgType;

/// Every type the server accepts parameters as (found by OID).
fn types() -> &'static [PgType] {
    static TYPES: OnceLock<Vec<PgType>> = OnceLock::new();
    TYPES.get_or_init(|| {
        let mut t: Vec<PgType> = (0..10_000).filter_map(PgType::from_oid).collect();
        t.push(PgType::Unknown);
        t
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, raw)) = data.split_first() else {
        return;
    };
    let types = types();
    let ty = types[(pick >> 1) as usize % types.len()];
    let _ = decode_param(Some(raw), ty, pick & 1 == 1);
});
