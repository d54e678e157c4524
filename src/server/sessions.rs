//! Every live connection, by backend pid: for CancelRequest, for closing a
//! dropped tenant's sessions, and for shutdown.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use tokio::sync::Notify;

use super::session::Session;

/// Per-connection control: asks the connection task to end.
#[derive(Debug, Default)]
pub struct ConnCtl {
    kill: Notify,
    killed: AtomicBool,
    /// Between a query message and its ReadyForQuery: shutdown waits for it.
    busy: AtomicBool,
    /// Shutdown asked: end the connection at the next ReadyForQuery.
    closing: AtomicBool,
    pub authenticated: AtomicBool,
    /// Notifications for this connection's session (LISTEN).
    pub inbox: Arc<super::notify::Inbox>,
}

impl ConnCtl {
    /// Ends the connection at once (the tenant is gone, or it is idle at shutdown).
    pub fn kill(&self) {
        self.killed.store(true, Ordering::Release);
        self.kill.notify_waiters();
    }

    pub fn is_killed(&self) -> bool {
        self.killed.load(Ordering::Acquire)
    }

    /// Resolves when the connection should end.
    pub async fn killed(&self) {
        loop {
            let notified = self.kill.notified();
            if self.is_killed() {
                break;
            }
            notified.await;
        }
    }

    /// A query message arrived: the connection owes the client a reply.
    pub fn begin_work(&self) {
        self.busy.store(true, Ordering::SeqCst);
    }

    /// ReadyForQuery was sent. At shutdown the connection ends here.
    /// `busy` and `closing` are SeqCst: each side stores its flag, then reads
    /// the other's, so at least one of end_work and close_when_idle sees both
    /// and kills (with Release/Acquire both could read stale values and the
    /// connection would outlive shutdown until the grace period).
    pub fn end_work(&self) {
        self.busy.store(false, Ordering::SeqCst);
        if self.closing.load(Ordering::SeqCst) {
            self.kill();
        }
    }

    pub fn is_busy(&self) -> bool {
        self.busy.load(Ordering::Acquire)
    }

    /// Graceful shutdown: end now if idle, else after the reply in progress.
    pub fn close_when_idle(&self) {
        self.closing.store(true, Ordering::SeqCst);
        if !self.busy.load(Ordering::SeqCst) {
            self.kill();
        }
    }
}

struct Entry {
    secret: Vec<u8>,
    session: Weak<Session>,
    ctl: Arc<ConnCtl>,
    tenant: Option<String>,
}

#[derive(Default)]
pub struct SessionTable {
    map: Mutex<HashMap<i32, Entry>>,
    shutting_down: AtomicBool,
}

impl SessionTable {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i32, Entry>> {
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn insert(&self, pid: i32, secret: Vec<u8>, session: &Arc<Session>, ctl: Arc<ConnCtl>) {
        let tenant = session.identity.tenant().map(str::to_owned);
        self.lock().insert(
            pid,
            Entry {
                secret,
                session: Arc::downgrade(session),
                ctl,
                tenant,
            },
        );
    }

    pub fn remove(&self, pid: i32) {
        self.lock().remove(&pid);
    }

    /// CancelRequest: interrupts the session's running statement when the
    /// secret matches; silently ignored otherwise, as in PostgreSQL.
    pub fn cancel(&self, pid: i32, secret: &[u8]) {
        let session = {
            let map = self.lock();
            match map.get(&pid) {
                Some(e) if e.secret == secret => e.session.upgrade(),
                _ => None,
            }
        };
        match session {
            Some(s) => {
                tracing::info!(pid, "cancel request");
                s.cancel();
            }
            None => tracing::debug!(pid, "cancel request for no matching session"),
        }
    }

    // `held`: a session upgraded here may lose its connection meanwhile,
    // leaving ours the last reference; its Drop removes it from this table,
    // so it must run after the lock is released (dropping it under the
    // lock deadlocked the server's connection thread).

    /// Ends every session of a tenant (dropped or suspended).
    pub fn kill_tenant(&self, tenant: &str) -> usize {
        // Declared before the guard, so dropped after it: see `held`.
        let mut held = Vec::new();
        let map = self.lock();
        let mut n = 0;
        for e in map.values().filter(|e| e.tenant.as_deref() == Some(tenant)) {
            if let Some(s) = e.session.upgrade() {
                s.cancel();
                held.push(s);
            }
            e.ctl.kill();
            n += 1;
        }
        n
    }

    /// Ends every session on one environment of a tenant (it was dropped).
    pub fn kill_environment(&self, tenant: &str, env: &str) -> usize {
        // Declared before the guard, so dropped after it: see `held`.
        let mut held = Vec::new();
        let map = self.lock();
        let mut n = 0;
        for e in map.values().filter(|e| e.tenant.as_deref() == Some(tenant)) {
            let Some(s) = e.session.upgrade() else {
                continue;
            };
            if matches!(&s.identity, super::session::Identity::Tenant { env: e2, .. } if e2 == env)
            {
                s.cancel();
                e.ctl.kill();
                n += 1;
            }
            held.push(s);
        }
        n
    }

    /// Number of sessions open.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Number of sessions of one tenant (for tests and usage).
    pub fn count_tenant(&self, tenant: &str) -> usize {
        self.lock()
            .values()
            .filter(|e| e.tenant.as_deref() == Some(tenant))
            .count()
    }

    /// The live sessions of one tenant, for its pg_stat_activity.
    pub fn tenant_sessions(&self, tenant: &str) -> Vec<(i32, Arc<Session>, bool)> {
        self.lock()
            .iter()
            .filter(|(_, e)| e.tenant.as_deref() == Some(tenant))
            .filter_map(|(pid, e)| Some((*pid, e.session.upgrade()?, e.ctl.is_busy())))
            .collect()
    }

    /// Tenant sessions not running a statement (candidates for `idle_release`).
    pub fn idle_tenant_sessions(&self) -> Vec<Arc<Session>> {
        self.lock()
            .values()
            .filter(|e| e.tenant.is_some() && !e.ctl.is_busy() && !e.ctl.is_killed())
            .filter_map(|e| e.session.upgrade())
            .collect()
    }

    /// Sessions whose idle connection went back to the pool (metrics, tests).
    pub fn released_count(&self) -> usize {
        let sessions: Vec<Arc<Session>> = self
            .lock()
            .values()
            .filter_map(|e| e.session.upgrade())
            .collect();
        sessions
            .iter()
            .filter(|s| s.released.load(Ordering::Acquire))
            .count()
    }

    /// Sessions running a statement right now.
    pub fn busy_count(&self) -> usize {
        self.lock().values().filter(|e| e.ctl.is_busy()).count()
    }

    pub fn is_shutting_down(&self) -> bool {
        self.shutting_down.load(Ordering::Acquire)
    }

    /// Graceful shutdown: idle connections end now, busy ones after their reply.
    pub fn shutdown_all(&self) {
        self.shutting_down.store(true, Ordering::Release);
        for e in self.lock().values() {
            e.ctl.close_when_idle();
        }
    }
}
