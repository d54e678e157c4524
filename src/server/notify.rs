//! LISTEN / NOTIFY / UNLISTEN and `pg_notify(channel, payload)` between the
//! sessions of one tenant database in this process: job queues (pg-boss,
//! graphile-worker), cache invalidation and change feeds use them.
//!
//! As in PostgreSQL, a transaction's notifications and its LISTEN/UNLISTEN
//! take effect when it commits and are dropped when it rolls back; identical
//! notifications of one transaction are sent once; a listener gets them
//! between transactions (before ReadyForQuery, or at once when its
//! connection is idle), in commit order, with the sender's backend pid.
//! [`Channels`] lives on the tenant's `TenantDb`, so tenants never hear each
//! other; sessions on other pgtenant instances do not hear these either.

use std::collections::{BTreeSet, HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use rusqlite::functions::FunctionFlags;
use tokio::sync::Notify;

use crate::backend::sqlite::exec::Conn;
use crate::sql::errors::SqlError;

/// PostgreSQL's limit on a payload (bytes, exclusive of the terminator).
const MAX_PAYLOAD: usize = 7999;
/// NAMEDATALEN - 1.
const MAX_CHANNEL: usize = 63;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// One notification as the client receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notification {
    pub pid: i32,
    pub channel: String,
    pub payload: String,
}

/// The NotificationResponse message for `n`.
pub fn message(n: Notification) -> pgwire::messages::PgWireBackendMessage {
    pgwire::messages::PgWireBackendMessage::NotificationResponse(
        pgwire::messages::response::NotificationResponse::new(n.pid, n.channel, n.payload),
    )
}

/// A connection's undelivered notifications; the connection's message loop
/// waits on `ready` while idle.
#[derive(Debug, Default)]
pub struct Inbox {
    queue: Mutex<VecDeque<Notification>>,
    /// Set while `queue` may be non-empty: the hot path reads only this.
    filled: AtomicBool,
    /// The session listens on a channel: only then does the connection's
    /// message loop wait on `ready` too.
    subscribed: AtomicBool,
    ready: Notify,
}

impl Inbox {
    fn push(&self, n: Notification) {
        lock(&self.queue).push_back(n);
        self.filled.store(true, Ordering::Release);
    }

    pub fn is_subscribed(&self) -> bool {
        self.subscribed.load(Ordering::Acquire)
    }

    /// Resolves when a notification may have arrived.
    pub async fn ready(&self) {
        self.ready.notified().await
    }

    fn take(&self) -> Vec<Notification> {
        if !self.filled.load(Ordering::Acquire) {
            return Vec::new();
        }
        let mut q = lock(&self.queue);
        self.filled.store(false, Ordering::Release);
        q.drain(..).collect()
    }
}

struct Subscriber {
    pid: i32,
    inbox: Weak<Inbox>,
}

/// Who listens on which channel, for one tenant database.
#[derive(Default)]
pub struct Channels {
    listeners: Mutex<HashMap<String, Vec<Subscriber>>>,
}

impl Channels {
    fn listen(&self, channel: &str, pid: i32, inbox: &Arc<Inbox>) {
        let mut map = lock(&self.listeners);
        let subs = map.entry(channel.to_owned()).or_default();
        if !subs.iter().any(|s| s.pid == pid) {
            subs.push(Subscriber {
                pid,
                inbox: Arc::downgrade(inbox),
            });
        }
    }

    fn unlisten(&self, channel: &str, pid: i32) {
        let mut map = lock(&self.listeners);
        if let Some(subs) = map.get_mut(channel) {
            subs.retain(|s| s.pid != pid);
            if subs.is_empty() {
                map.remove(channel);
            }
        }
    }

    /// Hands one committed transaction's notifications to every listener,
    /// in order; each listener's connection is woken once.
    fn deliver(&self, from: i32, notes: &[(String, String)]) {
        let mut woken: Vec<Arc<Inbox>> = Vec::new();
        {
            let map = lock(&self.listeners);
            for (channel, payload) in notes {
                for s in map.get(channel).into_iter().flatten() {
                    let Some(inbox) = s.inbox.upgrade() else {
                        continue;
                    };
                    inbox.push(Notification {
                        pid: from,
                        channel: channel.clone(),
                        payload: payload.clone(),
                    });
                    if !woken.iter().any(|w| Arc::ptr_eq(w, &inbox)) {
                        woken.push(inbox);
                    }
                }
            }
        }
        for inbox in woken {
            inbox.ready.notify_one();
        }
    }
}

/// A LISTEN or UNLISTEN waiting for its transaction to commit.
enum Action {
    Listen(String),
    Unlisten(String),
    UnlistenAll,
}

#[derive(Default)]
struct Pending {
    actions: Vec<Action>,
    notes: Vec<(String, String)>,
}

/// One session's LISTEN state and the notifications its transaction sends.
pub struct SessionChannels {
    channels: Arc<Channels>,
    pid: i32,
    inbox: Arc<Inbox>,
    listening: Mutex<BTreeSet<String>>,
    pending: Mutex<Pending>,
    /// Set while `pending` may hold something: the hot path reads only this.
    dirty: AtomicBool,
}

impl SessionChannels {
    pub fn new(channels: Arc<Channels>, pid: i32, inbox: Arc<Inbox>) -> SessionChannels {
        SessionChannels {
            channels,
            pid,
            inbox,
            listening: Default::default(),
            pending: Default::default(),
            dirty: AtomicBool::new(false),
        }
    }

    fn queue(&self, f: impl FnOnce(&mut Pending)) {
        f(&mut lock(&self.pending));
        self.dirty.store(true, Ordering::Release);
    }

    /// NOTIFY / pg_notify: sent when the transaction commits.
    pub fn notify(&self, channel: &str, payload: &str) -> Result<(), SqlError> {
        if channel.is_empty() {
            return Err(SqlError::new("22023", "channel name cannot be empty"));
        }
        if channel.len() > MAX_CHANNEL {
            return Err(SqlError::new("22023", "channel name too long"));
        }
        if payload.len() > MAX_PAYLOAD {
            return Err(SqlError::new("22023", "payload string too long"));
        }
        self.queue(|p| {
            // PostgreSQL sends a transaction's duplicates once.
            if !p.notes.iter().any(|(c, m)| c == channel && m == payload) {
                p.notes.push((channel.to_owned(), payload.to_owned()));
            }
        });
        Ok(())
    }

    /// LISTEN (`Some`) or UNLISTEN (`None` channel for `UNLISTEN *`).
    pub fn listen(&self, channel: Option<&str>, on: bool) {
        let action = match (channel, on) {
            (Some(c), true) => Action::Listen(c.to_owned()),
            (Some(c), false) => Action::Unlisten(c.to_owned()),
            (None, _) => Action::UnlistenAll,
        };
        self.queue(|p| p.actions.push(action));
    }

    /// The transaction rolled back (or an autocommit statement failed).
    pub fn discard(&self) {
        if self.dirty.swap(false, Ordering::AcqRel) {
            *lock(&self.pending) = Pending::default();
        }
    }

    /// Between transactions: what the last one queued takes effect (see
    /// [`Self::commit`]), and the notifications this connection is owed are
    /// returned to be sent.
    pub fn settle(&self) -> Vec<Notification> {
        self.commit();
        self.inbox.take()
    }

    /// Whether the transaction queued anything (one atomic load).
    pub fn has_pending(&self) -> bool {
        self.dirty.load(Ordering::Acquire)
    }

    /// The transaction committed: its LISTENs and UNLISTENs take effect
    /// (first, so a session hears its own notifications) and its
    /// notifications go to their listeners.
    pub fn commit(&self) {
        if self.dirty.swap(false, Ordering::AcqRel) {
            let Pending { actions, notes } = std::mem::take(&mut *lock(&self.pending));
            if !actions.is_empty() {
                let mut listening = lock(&self.listening);
                for a in actions {
                    self.apply(&mut listening, a);
                }
                self.inbox
                    .subscribed
                    .store(!listening.is_empty(), Ordering::Release);
            }
            if !notes.is_empty() {
                self.channels.deliver(self.pid, &notes);
            }
        }
    }

    fn apply(&self, listening: &mut BTreeSet<String>, action: Action) {
        match action {
            Action::Listen(c) => {
                self.channels.listen(&c, self.pid, &self.inbox);
                listening.insert(c);
            }
            Action::Unlisten(c) => {
                self.channels.unlisten(&c, self.pid);
                listening.remove(&c);
            }
            Action::UnlistenAll => {
                for c in std::mem::take(listening) {
                    self.channels.unlisten(&c, self.pid);
                }
            }
        }
    }

    /// Whether [`Self::settle`] has anything to do (read on every
    /// ReadyForQuery: two atomic loads).
    pub fn has_work(&self) -> bool {
        self.dirty.load(Ordering::Acquire) || self.inbox.filled.load(Ordering::Acquire)
    }

    /// pg_listening_channels().
    pub fn listening(&self) -> Vec<String> {
        lock(&self.listening).iter().cloned().collect()
    }
}

impl Drop for SessionChannels {
    fn drop(&mut self) {
        for c in std::mem::take(&mut *lock(&self.listening)) {
            self.channels.unlisten(&c, self.pid);
        }
    }
}

/// `pg_notify(channel, payload)` on the session's connection. Trigger
/// functions call it to announce changed rows, so it is INNOCUOUS (usable
/// from triggers with `trusted_schema` off): its one effect stays within
/// the tenant's own sessions.
pub fn register(conn: &Conn, session: Arc<SessionChannels>) -> rusqlite::Result<()> {
    conn.sqlite().create_scalar_function(
        "pg_notify",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        move |ctx| {
            let channel: Option<String> = ctx.get(0)?;
            let payload: Option<String> = ctx.get(1)?;
            session
                .notify(
                    channel.as_deref().unwrap_or(""),
                    payload.as_deref().unwrap_or(""),
                )
                .map_err(|e| {
                    rusqlite::Error::UserFunctionError(crate::sql::errors::carried(&e).into())
                })?;
            // void: an empty value, not NULL.
            Ok(String::new())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn session(channels: &Arc<Channels>, pid: i32) -> SessionChannels {
        SessionChannels::new(channels.clone(), pid, Arc::default())
    }

    #[test]
    fn committed_notifications_reach_listeners_once_in_order() {
        let channels = Arc::new(Channels::default());
        let (a, b) = (session(&channels, 1), session(&channels, 2));
        b.listen(Some("jobs"), true);
        assert!(b.settle().is_empty());
        a.notify("jobs", "1").unwrap();
        a.notify("jobs", "2").unwrap();
        a.notify("jobs", "1").unwrap();
        a.notify("other", "x").unwrap();
        assert!(b.settle().is_empty(), "nothing before the sender commits");
        assert!(a.settle().is_empty(), "a does not listen");
        let got: Vec<_> = b.settle().into_iter().map(|n| (n.pid, n.payload)).collect();
        assert_eq!(got, [(1, "1".to_owned()), (1, "2".to_owned())]);
    }

    #[test]
    fn rollback_drops_notifications_and_listens() {
        let channels = Arc::new(Channels::default());
        let a = session(&channels, 1);
        a.listen(Some("c"), true);
        a.notify("c", "lost").unwrap();
        a.discard();
        assert!(a.settle().is_empty());
        assert!(a.listening().is_empty());
        a.listen(Some("c"), true);
        a.notify("c", "kept").unwrap();
        assert_eq!(a.settle()[0].payload, "kept", "a session hears itself");
        a.listen(None, false);
        a.settle();
        assert!(a.listening().is_empty());
    }

    #[test]
    fn limits_are_postgres_errors() {
        let a = session(&Arc::default(), 1);
        assert_eq!(a.notify("", "x").unwrap_err().code, "22023");
        assert_eq!(a.notify(&"c".repeat(64), "x").unwrap_err().code, "22023");
        assert_eq!(a.notify("c", &"x".repeat(8000)).unwrap_err().code, "22023");
        assert!(a.notify("c", &"x".repeat(7999)).is_ok());
    }
}
