//! `inet_client_addr()`, `inet_client_port()`, `inet_server_addr()`,
//! `inet_server_port()`: the two ends of the session's TCP connection, as
//! audit triggers and monitoring queries read them. Registered on the
//! session's connection (again when an idle sweep gave it back).

use std::net::SocketAddr;

use rusqlite::functions::FunctionFlags;

use crate::backend::sqlite::exec::Conn;

/// The client's and the server's address of one connection.
#[derive(Clone, Copy, Debug)]
pub struct Ends {
    pub client: SocketAddr,
    pub server: SocketAddr,
}

pub fn register(conn: &Conn, ends: Ends) {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    let db = conn.sqlite();
    let addresses = [
        ("inet_client_addr", ends.client),
        ("inet_server_addr", ends.server),
    ];
    for (name, at) in addresses {
        // An IPv4 client on a dual-stack listener prints as IPv4.
        let ip = at.ip().to_canonical().to_string();
        if let Err(e) = db.create_scalar_function(name, 0, flags, move |_| Ok(ip.clone())) {
            tracing::warn!(error = %e, name, "inet function unavailable");
        }
    }
    for (name, at) in [
        ("inet_client_port", ends.client),
        ("inet_server_port", ends.server),
    ] {
        let port = i64::from(at.port());
        if let Err(e) = db.create_scalar_function(name, 0, flags, move |_| Ok(port)) {
            tracing::warn!(error = %e, name, "inet function unavailable");
        }
    }
}
