//! A socket wrapper that hands the protocol decoder only whole, checked
//! frames (see `frames`): a malformed frame becomes a read error carrying
//! the FATAL error to send, instead of reaching pgwire's decoder.
//!
//! Bytes are read straight into the decoder's buffer; only the tail of a
//! frame split across reads is held back and copied, so a connection costs
//! no extra buffer while idle. When the decoder's buffer has little room
//! left (it shrinks as frames are split off it), the read goes to a buffer
//! of our own instead: a 7-byte read would cost a second `recv` for the
//! rest of the message, one extra system call per query.

use std::io;
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

use super::frames::{FrameChecker, FrameError};

/// Smallest room in the decoder's buffer worth reading into directly: a
/// typical Bind/Execute/Sync or short query fits.
const MIN_DIRECT_READ: usize = 1024;

pub struct FrameGuard<S> {
    inner: S,
    checker: FrameChecker,
    /// Bytes received but not yet handed on: checked frames first
    /// (`ready` of them), then the start of an incomplete one.
    held: Vec<u8>,
    ready: usize,
}

impl<S> FrameGuard<S> {
    /// `pending`: bytes already read from the socket before the guard took
    /// over (during SSL negotiation); they are checked like the rest.
    pub fn new(inner: S, checker: FrameChecker, pending: &[u8]) -> FrameGuard<S> {
        FrameGuard {
            inner,
            checker,
            held: pending.to_vec(),
            ready: 0,
        }
    }

    pub fn get_ref(&self) -> &S {
        &self.inner
    }

    /// Marks the checked frames at the start of `held` as ready.
    fn check_held(&mut self) -> io::Result<()> {
        while self.ready < self.held.len() {
            match self.checker.check(&self.held[self.ready..]) {
                Ok(Some(n)) => self.ready += n,
                Ok(None) => break,
                Err(e) => {
                    if self.ready > 0 {
                        break; // hand on the good frames first
                    }
                    return Err(refused(e));
                }
            }
        }
        Ok(())
    }
}

/// The read error a refused frame turns into; `refusal` gets it back.
fn refused(e: FrameError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, e)
}

/// The FATAL error to send for a read error, when a frame was refused.
pub fn refusal(e: &io::Error) -> Option<&FrameError> {
    e.get_ref()?.downcast_ref::<FrameError>()
}

impl<S: AsyncRead + Unpin> AsyncRead for FrameGuard<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        out: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        loop {
            this.check_held()?;
            if this.ready > 0 {
                let n = this.ready.min(out.remaining());
                out.put_slice(&this.held[..n]);
                this.held.drain(..n);
                this.ready -= n;
                if this.held.is_empty() {
                    this.held = Vec::new(); // an idle connection holds no buffer
                }
                return Poll::Ready(Ok(()));
            }
            if this.held.is_empty() && out.remaining() >= MIN_DIRECT_READ {
                // Fast path: read into the decoder's buffer, keep back only
                // an incomplete or refused tail.
                let start = out.filled().len();
                ready!(Pin::new(&mut this.inner).poll_read(cx, out))?;
                let fresh = &out.filled()[start..];
                if fresh.is_empty() {
                    return Poll::Ready(Ok(())); // end of stream
                }
                let mut good = 0;
                let mut error = None;
                while good < fresh.len() {
                    match this.checker.check(&fresh[good..]) {
                        Ok(Some(n)) => good += n,
                        Ok(None) => break,
                        Err(e) => {
                            error = Some(e);
                            break;
                        }
                    }
                }
                if good == 0 {
                    if let Some(e) = error {
                        out.set_filled(start);
                        return Poll::Ready(Err(refused(e)));
                    }
                }
                this.held.extend_from_slice(&fresh[good..]);
                out.set_filled(start + good);
                if good > 0 {
                    return Poll::Ready(Ok(()));
                }
            } else {
                // A frame is split across reads (or the decoder's buffer is
                // nearly full): gather the bytes here.
                let before = this.held.len();
                this.held.reserve(before.clamp(8192, 1 << 20));
                // Read into the spare capacity as is: zeroing it first cost
                // more than the statement on a point query.
                let mut buf = ReadBuf::uninit(this.held.spare_capacity_mut());
                let polled = Pin::new(&mut this.inner).poll_read(cx, &mut buf);
                let got = buf.filled().len();
                // SAFETY: the reader initialised `got` bytes after `before`.
                unsafe { this.held.set_len(before + got) };
                ready!(polled)?;
                if got == 0 {
                    // End of stream (in the middle of a message if we held
                    // part of one).
                    this.held = Vec::new();
                    return Poll::Ready(Ok(()));
                }
            }
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for FrameGuard<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    fn stream() -> Vec<u8> {
        let mut s = vec![0, 0, 0, 20, 0, 3, 0, 0];
        s.extend_from_slice(b"user\0alice\0\0");
        s.extend_from_slice(b"p\0\0\0\x07pw\0Q\0\0\0\x0dSELECT 1\0S\0\0\0\x04");
        s
    }

    /// Counts the reads that reach the socket.
    struct Counting<R> {
        inner: R,
        reads: usize,
    }

    impl<R: AsyncRead + Unpin> AsyncRead for Counting<R> {
        fn poll_read(
            mut self: Pin<&mut Self>,
            cx: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            self.reads += 1;
            Pin::new(&mut self.inner).poll_read(cx, buf)
        }
    }

    /// Reads everything the guard hands on when the client's bytes arrive
    /// `chunk` bytes at a time and the decoder offers `room` bytes per read.
    async fn through_guard(
        input: Vec<u8>,
        chunk: usize,
        room: usize,
    ) -> (Vec<u8>, Option<FrameError>) {
        let (mut client, server) = tokio::io::duplex(chunk);
        tokio::spawn(async move {
            for piece in input.chunks(chunk) {
                if client.write_all(piece).await.is_err() {
                    return;
                }
            }
        });
        let mut guard = FrameGuard::new(server, FrameChecker::new(false), &[]);
        let mut out = Vec::new();
        let mut buf = vec![0u8; room];
        loop {
            match guard.read(&mut buf).await {
                Ok(0) => return (out, None),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => return (out, refusal(&e).cloned()),
            }
        }
    }

    #[tokio::test]
    async fn frames_pass_whole_however_they_are_split() {
        for chunk in [1, 3, 64] {
            for room in [7, 4096] {
                assert_eq!(through_guard(stream(), chunk, room).await, (stream(), None));
            }
        }
    }

    #[tokio::test]
    async fn a_small_decoder_buffer_costs_no_extra_socket_reads() {
        let (mut client, server) = tokio::io::duplex(1024);
        client.write_all(&stream()).await.unwrap();
        drop(client);
        let socket = Counting {
            inner: server,
            reads: 0,
        };
        let mut guard = FrameGuard::new(socket, FrameChecker::new(false), &[]);
        let mut out = Vec::new();
        let mut buf = [0u8; 7];
        loop {
            let n = guard.read(&mut buf).await.unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        assert_eq!(out, stream());
        // One read for the bytes, one for the end of the stream.
        assert_eq!(guard.get_ref().reads, 2);
    }

    #[tokio::test]
    async fn good_frames_pass_before_the_refusal() {
        let mut input = stream();
        let good = input.len();
        input.extend_from_slice(b"Q\0\0\0\x01");
        for (chunk, room) in [(1, 7), (64, 7), (64, 4096)] {
            let (out, err) = through_guard(input.clone(), chunk, room).await;
            assert_eq!(out.len(), good);
            assert_eq!(err.unwrap().message, "invalid message length");
        }
    }

    #[tokio::test]
    async fn pending_bytes_from_negotiation_are_checked_too() {
        let (_client, server) = tokio::io::duplex(64);
        let mut guard = FrameGuard::new(server, FrameChecker::new(false), &[0, 0, 0, 1]);
        let err = guard.read(&mut [0u8; 16]).await.unwrap_err();
        assert_eq!(
            refusal(&err).unwrap().message,
            "invalid length of startup packet"
        );
    }
}
