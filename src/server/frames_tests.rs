use super::*;

fn startup(params: &[(&str, &str)]) -> Vec<u8> {
    let mut body = vec![0, 3, 0, 0];
    for (k, v) in params {
        body.extend_from_slice(k.as_bytes());
        body.push(0);
        body.extend_from_slice(v.as_bytes());
        body.push(0);
    }
    body.push(0);
    let mut out = ((body.len() + 4) as u32).to_be_bytes().to_vec();
    out.extend(body);
    out
}

fn typed(kind: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![kind];
    out.extend_from_slice(&((body.len() + 4) as u32).to_be_bytes());
    out.extend_from_slice(body);
    out
}

/// A stream after a valid startup packet.
fn after_startup(frames: &[u8]) -> Vec<u8> {
    let mut s = startup(&[("user", "alice")]);
    s.extend_from_slice(frames);
    s
}

#[test]
fn well_formed_messages_decode_whole() {
    let mut s = after_startup(&typed(b'Q', b"SELECT 1\0"));
    s.extend(typed(b'P', b"s1\0SELECT $1\0\0\x01\0\0\0\x17"));
    s.extend(typed(
        b'B',
        b"\0s1\0\0\x01\0\x01\0\x01\0\0\0\x02ab\0\x01\0\x01",
    ));
    s.extend(typed(b'D', b"P\0"));
    s.extend(typed(b'E', b"\0\0\0\0\0"));
    s.extend(typed(b'S', b""));
    s.extend(typed(b'd', b"1\t2\n"));
    s.extend(typed(b'c', b""));
    s.extend(typed(b'X', b""));
    let (msgs, err) = decode_stream(&s, false);
    assert_eq!(err, None);
    assert_eq!(msgs.len(), 10);
}

#[test]
fn a_partial_frame_waits_for_more() {
    let s = after_startup(&typed(b'Q', b"SELECT 1\0")[..7]);
    let (msgs, err) = decode_stream(&s, false);
    assert_eq!((msgs.len(), err), (1, None));
}

fn refusal_of(frames: &[u8], sasl: bool) -> FrameError {
    let (_, err) = decode_stream(&after_startup(frames), sasl);
    err.expect("refused")
}

// Each of these made pgwire's decoder panic or read into the next message
// before the checker existed (found reading pgwire's decoders).
#[test]
fn undersized_lengths_are_refused() {
    for kind in [b'd', b'p', b'Q', b'S'] {
        let e = refusal_of(&[kind, 0, 0, 0, 0], false);
        assert_eq!(
            (e.code, e.message.as_str()),
            ("08P01", "invalid message length")
        );
    }
}

#[test]
fn oversized_and_negative_lengths_are_refused() {
    let e = refusal_of(&[b'S', 0, 1, 0, 0], false);
    assert_eq!(e.message, "invalid message length");
    let e = refusal_of(&[b'Q', 0xff, 0xff, 0xff, 0xf0], false);
    assert_eq!(e.message, "invalid message length");
}

#[test]
fn fields_past_the_frame_are_refused() {
    // Close with no subtype byte; Execute with no row limit; Bind whose
    // parameter claims more bytes than the frame has; a Query with no NUL.
    assert_eq!(refusal_of(&typed(b'C', b""), false).code, "08P01");
    assert_eq!(refusal_of(&typed(b'E', b"\0"), false).code, "08P01");
    let bind = typed(b'B', b"\0\0\0\0\0\x01\0\0\0\x09ab\0\0");
    assert_eq!(refusal_of(&bind, false).code, "08P01");
    assert_eq!(refusal_of(&typed(b'Q', b"SELECT 1"), false).code, "08P01");
    // ...and leftovers after the fields (they would be read as a message).
    let e = refusal_of(&typed(b'Q', b"SELECT 1\0Xjunk"), false);
    assert_eq!(e.message, "invalid message format");
    let e = refusal_of(&typed(b'S', b"x"), false);
    assert_eq!(e.message, "invalid message format");
}

#[test]
fn sasl_initial_response_length_must_match() {
    let e = refusal_of(&typed(b'p', b"SCRAM-SHA-256\0\0\0\0\x50n,,"), true);
    assert_eq!(e.code, "08P01");
    let ok = after_startup(&typed(b'p', b"SCRAM-SHA-256\0\0\0\0\x03n,,"));
    assert_eq!(decode_stream(&ok, true).1, None);
    // The same bytes as a cleartext password are malformed.
    assert!(decode_stream(&ok, false).1.is_some());
}

#[test]
fn unknown_message_types_are_refused_like_postgres() {
    let e = refusal_of(&typed(b'Z', b""), false);
    assert_eq!(e.message, "invalid frontend message type 90");
}

#[test]
fn startup_packets() {
    let e = decode_stream(&[0, 0, 0, 4, 0, 3, 0, 0], false).1.unwrap();
    assert_eq!(e.message, "invalid length of startup packet");
    let e = decode_stream(&[0xff, 0, 0, 4, 0, 3, 0, 0], false)
        .1
        .unwrap();
    assert_eq!(e.message, "invalid length of startup packet");
    // Protocol 2.0 and 4.0 are refused with PostgreSQL's SQLSTATE.
    for major in [2u8, 4] {
        let mut s = startup(&[("user", "a")]);
        s[5] = major;
        let e = decode_stream(&s, false).1.unwrap();
        assert_eq!(e.code, "0A000");
        assert!(e
            .message
            .starts_with(&format!("unsupported frontend protocol {major}.0")));
    }
    // Parameters must end with the terminating empty name.
    let mut s = startup(&[("user", "a")]);
    let n = s.len();
    s.truncate(n - 1);
    s[3] -= 1;
    assert_eq!(decode_stream(&s, false).1.unwrap().code, "08P01");
    // A cancel request is one frame of its own.
    let mut cancel = vec![0, 0, 0, 16];
    cancel.extend_from_slice(&80_877_102u32.to_be_bytes());
    cancel.extend_from_slice(&[0, 0, 0, 7, 1, 2, 3, 4]);
    let (msgs, err) = decode_stream(&cancel, false);
    assert_eq!((msgs.len(), err), (1, None));
}

/// Seeded random mutations of a valid stream: never a panic, and every
/// frame the checker passes decodes whole (`decode_stream` asserts it).
/// The `frontend` fuzz target explores the same property much further.
#[test]
fn mutated_streams_never_panic() {
    use rand::{Rng, SeedableRng};
    let mut seed = after_startup(&typed(b'Q', b"SELECT 1\0"));
    seed.extend(typed(b'P', b"s1\0SELECT $1\0\0\x01\0\0\0\x17"));
    seed.extend(typed(
        b'B',
        b"\0s1\0\0\x01\0\x01\0\x01\0\0\0\x02ab\0\x01\0\x01",
    ));
    seed.extend(typed(b'E', b"\0\0\0\0\0"));
    seed.extend(typed(b'S', b""));
    let mut rng = rand::rngs::StdRng::seed_from_u64(9);
    for _ in 0..20_000 {
        let mut s = seed.clone();
        for _ in 0..rng.random_range(1..6) {
            let at = rng.random_range(0..s.len());
            match rng.random_range(0..3) {
                0 => s[at] = rng.random(),
                1 => {
                    s.remove(at);
                }
                _ => s.insert(at, rng.random()),
            }
        }
        let _ = decode_stream(&s, rng.random());
    }
}
