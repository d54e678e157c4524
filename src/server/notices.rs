//! Notices a statement raises (`RAISE NOTICE` in a DO block), queued on the
//! session and sent as NoticeResponse before the statement's own response,
//! where PostgreSQL sends them. `client_min_messages` filters them as in
//! PostgreSQL; INFO always goes.

use std::sync::{Arc, Mutex};

use rusqlite::functions::FunctionFlags;

use pgwire::error::ErrorInfo;
use pgwire::messages::response::NoticeResponse;
use pgwire::messages::PgWireBackendMessage;

use super::settings::Settings;

#[derive(Default)]
pub struct Notices(Mutex<Vec<ErrorInfo>>);

/// Message levels in PostgreSQL's order (client_min_messages's values).
fn rank(level: &str) -> u8 {
    match level.to_ascii_lowercase().as_str() {
        l if l.starts_with("debug") => 0,
        "log" => 1,
        "notice" => 3,
        "warning" => 4,
        "error" => 5,
        _ => 3,
    }
}

impl Notices {
    /// Queues a notice of `level` (`notice`, `warning`, `info`, ...) unless
    /// `min_level` (the session's client_min_messages) holds it back.
    pub fn raise(&self, level: &str, min_level: &str, mut info: ErrorInfo) {
        if !level.eq_ignore_ascii_case("info") && rank(level) < rank(min_level) {
            return;
        }
        info.severity = level.to_ascii_uppercase();
        self.0.lock().unwrap_or_else(|p| p.into_inner()).push(info);
    }

    /// [`Self::raise`] with the session's client_min_messages.
    pub fn raise_for(&self, level: &str, settings: &Mutex<Settings>, info: ErrorInfo) {
        let min = settings
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get("client_min_messages")
            .unwrap_or("notice")
            .to_owned();
        self.raise(level, &min, info);
    }

    /// The queued notices as messages, oldest first.
    pub fn take(&self) -> Vec<PgWireBackendMessage> {
        let mut q = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if q.is_empty() {
            return Vec::new();
        }
        q.drain(..)
            .map(|i| PgWireBackendMessage::NoticeResponse(NoticeResponse::from(i)))
            .collect()
    }
}

/// `pg_raise_notice(level, code, message)` on the session's connection: a
/// trigger function's RAISE NOTICE. INNOCUOUS so triggers may call it: its
/// one effect is a message to this session's own client.
pub fn register(
    conn: &crate::backend::sqlite::exec::Conn,
    notices: Arc<Notices>,
    settings: Arc<Mutex<Settings>>,
) -> rusqlite::Result<()> {
    conn.sqlite().create_scalar_function(
        "pg_raise_notice",
        3,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_INNOCUOUS,
        move |ctx| {
            let level: String = ctx.get(0)?;
            let code: String = ctx.get(1)?;
            let message: Option<String> = ctx.get(2)?;
            let info = ErrorInfo::new(String::new(), code, message.unwrap_or_default());
            notices.raise_for(&level, &settings, info);
            Ok(String::new())
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_min_messages_filters_but_info_goes() {
        let n = Notices::default();
        let info = || ErrorInfo::new(String::new(), "00000".into(), "m".into());
        n.raise("notice", "warning", info());
        n.raise("debug", "notice", info());
        n.raise("info", "error", info());
        n.raise("warning", "notice", info());
        assert_eq!(n.take().len(), 2);
        assert!(n.take().is_empty());
    }
}
