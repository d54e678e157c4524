//! Client bytes through the frame checker and pgwire's decoder, as a
//! connection reads them: never a panic, and every checked frame decodes to
//! exactly itself (`decode_stream` asserts that).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, bytes)) = data.split_first() else {
        return;
    };
    let _ = pgtenant::server::frames::decode_stream(bytes, mode & 1 == 1);
});
