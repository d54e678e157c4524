//! Checks every frontend message frame before pgwire decodes it.
//!
//! pgwire's decoders trust the client: they read fields from the whole read
//! buffer, not from the one message, so a length prefix below 4 panics on an
//! integer underflow, a short Bind or Close panics reading past the buffer,
//! and a message whose fields end early leaves bytes that are then decoded as
//! the next message. This checker walks each frame's fields exactly as the
//! PostgreSQL protocol lays them out and accepts a frame only when its fields
//! end exactly at its length: what pgwire decodes is then one whole, well
//! formed message. The protocol reference is the "Message Formats" chapter of
//! the PostgreSQL documentation.

use std::fmt;

/// A frame the server refuses; the connection ends with this FATAL error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    pub code: &'static str,
    pub message: String,
}

impl FrameError {
    fn violation(message: impl Into<String>) -> FrameError {
        FrameError {
            code: "08P01",
            message: message.into(),
        }
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for FrameError {}

/// Startup packets and CancelRequests are at most this long (PostgreSQL's
/// MAX_STARTUP_PACKET_LENGTH, and pgwire's limit).
pub const MAX_STARTUP_LEN: usize = 10_000;
/// Messages that carry queries, parameters or COPY data (pgwire's limit,
/// about PostgreSQL's 1 GB).
pub const MAX_LARGE_LEN: usize = 0x3fff_fffe;
/// Every other message (pgwire's limit for them).
pub const MAX_SMALL_LEN: usize = 10_000;

const CANCEL_CODE: u32 = 80_877_102;
const SSL_CODE: u32 = 80_877_103;
const GSSENC_CODE: u32 = 80_877_104;

/// Where the connection is in the protocol: which frame layout comes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Untyped frames: the startup packet (or a CancelRequest).
    Startup,
    /// Typed frames; counts password-family ('p') frames seen, since the
    /// first one of a SASL exchange has its own layout.
    Typed { password_frames: u32 },
}

/// Validates frames in order, tracking the protocol phase.
#[derive(Debug, Clone)]
pub struct FrameChecker {
    phase: Phase,
    /// SCRAM is in use: the first 'p' frame is a SASLInitialResponse.
    sasl: bool,
}

impl FrameChecker {
    /// A checker for a connection whose SSL negotiation is over (the next
    /// frame is the startup packet).
    pub fn new(sasl: bool) -> FrameChecker {
        FrameChecker {
            phase: Phase::Startup,
            sasl,
        }
    }

    /// The length of the complete, valid frame at the start of `buf`, `None`
    /// when more bytes are needed. On success the checker moves past it.
    pub fn check(&mut self, buf: &[u8]) -> Result<Option<usize>, FrameError> {
        match self.phase {
            Phase::Startup => self.check_startup(buf),
            Phase::Typed { .. } => self.check_typed(buf),
        }
    }

    fn check_startup(&mut self, buf: &[u8]) -> Result<Option<usize>, FrameError> {
        let Some(len) = be_u32(buf, 0) else {
            return Ok(None);
        };
        let len = len as usize;
        if !(8..=MAX_STARTUP_LEN).contains(&len) {
            return Err(FrameError::violation("invalid length of startup packet"));
        }
        if buf.len() < len {
            return Ok(None);
        }
        let body = &buf[4..len];
        let code = be_u32(body, 0).expect("length checked above");
        match code {
            CANCEL_CODE => {
                // code, pid and a secret key of 4 bytes (protocol 3.0) up to
                // 256 bytes (3.2).
                if !(16..=12 + 256).contains(&len) {
                    return Err(FrameError::violation("invalid length of cancel request"));
                }
            }
            SSL_CODE | GSSENC_CODE => {
                return Err(FrameError::violation(
                    "SSL or GSS encryption request after negotiation",
                ));
            }
            _ => {
                let (major, minor) = (code >> 16, code & 0xffff);
                if major != 3 {
                    return Err(FrameError {
                        code: "0A000",
                        message: format!(
                            "unsupported frontend protocol {major}.{minor}: server supports 3.0 to 3.2"
                        ),
                    });
                }
                check_startup_parameters(&body[4..])?;
                self.phase = Phase::Typed { password_frames: 0 };
            }
        }
        Ok(Some(len))
    }

    fn check_typed(&mut self, buf: &[u8]) -> Result<Option<usize>, FrameError> {
        let Some(&kind) = buf.first() else {
            return Ok(None);
        };
        let max = match kind {
            b'Q' | b'P' | b'B' | b'd' => MAX_LARGE_LEN,
            b'C' | b'D' | b'E' | b'H' | b'S' | b'X' | b'c' | b'f' | b'p' => MAX_SMALL_LEN,
            _ => {
                return Err(FrameError::violation(format!(
                    "invalid frontend message type {kind}"
                )))
            }
        };
        let Some(len) = be_u32(buf, 1) else {
            return Ok(None);
        };
        let len = len as usize;
        if !(4..=max).contains(&len) {
            return Err(FrameError::violation("invalid message length"));
        }
        if buf.len() < len + 1 {
            return Ok(None);
        }
        let mut body = Fields(&buf[5..len + 1]);
        match kind {
            b'Q' | b'f' => {
                body.cstring()?;
            }
            b'P' => {
                body.cstring()?;
                body.cstring()?;
                let n = body.u16()?;
                body.take(4 * n as usize)?;
            }
            b'B' => {
                body.cstring()?;
                body.cstring()?;
                let formats = body.u16()?;
                body.take(2 * formats as usize)?;
                for _ in 0..body.u16()? {
                    let len = body.u32()? as i32;
                    match len {
                        -1 => {}
                        n if n >= 0 => {
                            body.take(n as usize)?;
                        }
                        _ => return Err(FrameError::violation("invalid parameter length")),
                    }
                }
                let results = body.u16()?;
                body.take(2 * results as usize)?;
            }
            b'C' | b'D' => {
                if !matches!(body.u8()?, b'S' | b'P') {
                    return Err(FrameError::violation(if kind == b'C' {
                        "invalid CLOSE message subtype"
                    } else {
                        "invalid DESCRIBE message subtype"
                    }));
                }
                body.cstring()?;
            }
            b'E' => {
                body.cstring()?;
                body.u32()?;
            }
            b'd' => {
                body.rest();
            }
            b'p' => {
                let Phase::Typed { password_frames } = &mut self.phase else {
                    unreachable!("typed phase")
                };
                let first = *password_frames == 0;
                if self.sasl && first {
                    // SASLInitialResponse: mechanism, then -1 or the data's length.
                    body.cstring()?;
                    match body.u32()? as i32 {
                        -1 => {}
                        n if n >= 0 => {
                            body.take(n as usize)?;
                        }
                        _ => return Err(FrameError::violation("invalid SASL response length")),
                    }
                } else if self.sasl {
                    body.rest();
                } else {
                    body.cstring()?;
                }
                *password_frames = password_frames.saturating_add(1);
            }
            // Flush, Sync, Terminate and CopyDone carry nothing.
            _ => {}
        }
        body.end()?;
        Ok(Some(len + 1))
    }
}

/// Startup parameters: name/value C strings, ended by an empty name.
fn check_startup_parameters(body: &[u8]) -> Result<(), FrameError> {
    let mut fields = Fields(body);
    loop {
        let name = fields.cstring()?;
        if name.is_empty() {
            break;
        }
        fields.cstring()?;
    }
    fields.end().map_err(|_| {
        FrameError::violation("invalid startup packet layout: expected terminator as last byte")
    })
}

fn be_u32(buf: &[u8], at: usize) -> Option<u32> {
    let b = buf.get(at..at + 4)?;
    Some(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
}

/// A cursor over one frame's body; every read is bounds-checked.
struct Fields<'a>(&'a [u8]);

impl<'a> Fields<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], FrameError> {
        if self.0.len() < n {
            return Err(FrameError::violation("insufficient data left in message"));
        }
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        Ok(head)
    }

    fn u8(&mut self) -> Result<u8, FrameError> {
        Ok(self.take(1)?[0])
    }

    fn u16(&mut self) -> Result<u16, FrameError> {
        let b = self.take(2)?;
        Ok(u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Result<u32, FrameError> {
        let b = self.take(4)?;
        Ok(u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A NUL-terminated string (without its NUL).
    fn cstring(&mut self) -> Result<&'a [u8], FrameError> {
        let Some(nul) = self.0.iter().position(|&b| b == 0) else {
            return Err(FrameError::violation("invalid string in message"));
        };
        let s = self.take(nul + 1)?;
        Ok(&s[..nul])
    }

    fn rest(&mut self) {
        self.0 = &[];
    }

    fn end(&self) -> Result<(), FrameError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(FrameError::violation("invalid message format"))
        }
    }
}

/// Checks and decodes a byte stream as the connection does (the startup
/// packet, then typed messages), returning the messages decoded before the
/// stream ended or was refused. Used by the fuzz target and the tests:
/// it panics if pgwire ever decodes a checked frame to anything but exactly
/// that frame, which would mean this checker and pgwire disagree.
pub fn decode_stream(
    bytes: &[u8],
    sasl: bool,
) -> (
    Vec<pgwire::messages::PgWireFrontendMessage>,
    Option<FrameError>,
) {
    use pgwire::messages::{DecodeContext, PgWireFrontendMessage};
    let mut checker = FrameChecker::new(sasl);
    let mut buf = bytes::BytesMut::from(bytes);
    let mut out = Vec::new();
    // SSL negotiation, decoded by pgwire alone as in `negotiate_tls`: at
    // most an SSLRequest and a GSSENCRequest, each answered "no".
    for _ in 0..2 {
        match PgWireFrontendMessage::decode(&mut buf, &DecodeContext::default()) {
            Ok(Some(PgWireFrontendMessage::SslNegotiation(
                pgwire::messages::SslNegotiationMetaMessage::None,
            ))) => break,
            Ok(Some(m)) => out.push(m),
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(FrameError::violation(e.to_string()))),
        }
    }
    loop {
        let startup = checker.phase == Phase::Startup;
        let len = match checker.check(&buf) {
            Ok(Some(len)) => len,
            Ok(None) => return (out, None),
            Err(e) => return (out, Some(e)),
        };
        let mut ctx = DecodeContext::default();
        ctx.awaiting_frontend_ssl = false;
        ctx.awaiting_frontend_startup = startup;
        let before = buf.len();
        match PgWireFrontendMessage::decode(&mut buf, &ctx) {
            Ok(Some(m)) => out.push(m),
            // pgwire refuses some frames on its own (a startup packet with no
            // parameters, a cancel key it cannot read): the server ends the
            // connection there too.
            Ok(None) => panic!("pgwire wanted more bytes for a complete frame"),
            Err(e) => return (out, Some(FrameError::violation(e.to_string()))),
        }
        assert_eq!(
            before - buf.len(),
            len,
            "pgwire decoded a frame to another length"
        );
    }
}

#[cfg(test)]
#[path = "frames_tests.rs"]
mod tests;
