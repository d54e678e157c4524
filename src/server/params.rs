//! The ParameterStatus values sent after authentication: the ones drivers
//! read to decide how to talk to the server.

use std::collections::HashMap;

use pgwire::api::auth::ServerParameterProvider;
use pgwire::api::ClientInfo;

#[derive(Debug)]
pub struct Params {
    pub server_version: String,
    pub admin_user: String,
}

impl ServerParameterProvider for Params {
    fn server_parameters<C: ClientInfo>(&self, client: &C) -> Option<HashMap<String, String>> {
        let md = client.metadata();
        let user = md.get("user").cloned().unwrap_or_default();
        let is_admin =
            md.get("database").map(String::as_str) == Some("pgtenant") && user == self.admin_user;
        let mut p = HashMap::with_capacity(14);
        p.insert("server_version".into(), self.server_version.clone());
        p.insert("server_encoding".into(), "UTF8".into());
        p.insert("client_encoding".into(), "UTF8".into());
        p.insert("DateStyle".into(), "ISO, MDY".into());
        p.insert("IntervalStyle".into(), "postgres".into());
        p.insert("integer_datetimes".into(), "on".into());
        p.insert("standard_conforming_strings".into(), "on".into());
        // The zone the client asked for (pgjdbc sends its JVM's), as the
        // session will use it; an unknown one stays UTC (see Settings::new).
        let zone = md
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("timezone"))
            .and_then(|(_, v)| Some(crate::sql::zone::SessionZone::parse(v)?.display(v)))
            .unwrap_or_else(|| "UTC".into());
        p.insert("TimeZone".into(), zone);
        p.insert("in_hot_standby".into(), "off".into());
        p.insert("default_transaction_read_only".into(), "off".into());
        p.insert(
            "is_superuser".into(),
            if is_admin { "on" } else { "off" }.into(),
        );
        p.insert("session_authorization".into(), user);
        p.insert(
            "application_name".into(),
            md.get("application_name").cloned().unwrap_or_default(),
        );
        Some(p)
    }
}
