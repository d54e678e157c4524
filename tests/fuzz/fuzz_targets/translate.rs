//! Arbitrary SQL through the translator: a translation or a clean error,
//! never a panic; the simple-protocol path (constants lifted by `normalize`,
//! then translated) too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(sql) = std::str::from_utf8(data) else {
        return;
    };
    let _ = pgtenant::sql::translate::translate(sql);
    if let Some(n) = pgtenant::sql::normalize::normalize(sql) {
        let _ = pgtenant::sql::translate::translate(&n.text);
    }
});
