//! Connection threads: each runs a single-threaded tokio runtime that owns
//! its connections outright (their sockets are registered with its own
//! reactor), so a connection's messages, its inline SQLite statements and its
//! replies never cross threads. A work-stealing runtime with several workers
//! moved connections between workers and woke threads across cores on every
//! message: on 2 cores it served pgbench -S no faster with two workers than
//! with one, at 40% more CPU per transaction.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use tokio::net::TcpStream;
use tokio::runtime::Handle;
use tokio::sync::oneshot;
use tokio::task::JoinSet;

/// One connection thread: its runtime's handle and how many connections it
/// serves now (new connections go to the least loaded).
struct Shard {
    handle: Handle,
    live: Arc<AtomicUsize>,
    stop: Option<oneshot::Sender<()>>,
}

/// The connection threads of one server; dropping it stops them (the server
/// has drained or aborted their connections by then).
pub struct Shards {
    shards: Vec<Shard>,
}

/// Statements are parsed and translated here, in recursive walks over their
/// syntax trees. The walks that recurse per level of nesting continue on
/// heap segments when the stack runs low, and expressions deeper than
/// `translate::MAX_DEPTH` are refused before any walk; this margin covers
/// what is left (cloning and dropping a tree) in unoptimised builds too.
/// Only touched pages are committed, and there are as many threads as cores.
const CONNECTION_STACK: usize = 16 << 20;

/// Counts a connection on its thread while it lives.
struct Placed(Arc<AtomicUsize>);

impl Drop for Placed {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Shards {
    /// Starts `n` connection threads (at least one).
    pub fn start(n: usize) -> std::io::Result<Shards> {
        let n = n.max(1);
        let mut shards = Vec::with_capacity(n);
        for i in 0..n {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .thread_name(format!("pgtenant-conn-{i}"))
                .build()?;
            let handle = rt.handle().clone();
            let (stop, stopped) = oneshot::channel::<()>();
            std::thread::Builder::new()
                .name(format!("pgtenant-conn-{i}"))
                .stack_size(CONNECTION_STACK)
                .spawn(move || {
                    rt.block_on(async {
                        let _ = stopped.await;
                    });
                    // The server drained or aborted its connections before
                    // stopping us; nothing here may hold process exit.
                    rt.shutdown_background();
                })?;
            shards.push(Shard {
                handle,
                live: Arc::new(AtomicUsize::new(0)),
                stop: Some(stop),
            });
        }
        Ok(Shards { shards })
    }

    /// Serves `socket` on the least loaded connection thread: it moves
    /// there as a std socket and registers with that thread's reactor (a
    /// tokio socket stays tied to the reactor it was created on).
    pub fn spawn<F, Fut>(&self, tasks: &mut JoinSet<()>, socket: TcpStream, serve: F)
    where
        F: FnOnce(TcpStream) -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let socket = match socket.into_std() {
            Ok(s) => s,
            Err(e) => {
                tracing::warn!(error = %e, "cannot hand a connection to its thread");
                return;
            }
        };
        let shard = self
            .shards
            .iter()
            .min_by_key(|s| s.live.load(Ordering::Relaxed))
            .expect("at least one connection thread");
        shard.live.fetch_add(1, Ordering::Relaxed);
        let placed = Placed(shard.live.clone());
        tasks.spawn_on(
            async move {
                let _placed = placed;
                match TcpStream::from_std(socket) {
                    Ok(socket) => serve(socket).await,
                    Err(e) => tracing::warn!(error = %e, "cannot register a connection"),
                }
            },
            &shard.handle,
        );
    }
}

impl Drop for Shards {
    fn drop(&mut self) {
        for s in &mut self.shards {
            if let Some(stop) = s.stop.take() {
                let _ = stop.send(());
            }
        }
    }
}
