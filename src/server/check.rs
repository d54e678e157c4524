//! Validation of a configuration beyond what parsing checks: the files it
//! names, the patterns, and combinations that cannot work. Used by
//! `pgtenant serve --check-config` and at startup.

use crate::config::{AuthMethod, Config};
use crate::tenant::hostname::Patterns;

/// Ok with warnings, or the first problem found.
pub fn check(config: &Config) -> Result<Vec<String>, String> {
    let mut warnings = Vec::new();
    Patterns::from_config(
        config.hostname_pattern.as_deref(),
        config.prod_hostname_pattern.as_deref(),
    )?;
    let tls = super::tls::acceptor(config)?;
    if config.auth_method == AuthMethod::Password && tls.is_none() {
        return Err("auth_method = \"password\" needs TLS (tls_cert and tls_key): cleartext passwords are refused on unencrypted connections".into());
    }
    if config.metrics_listen.is_some_and(|m| m == config.listen) {
        return Err(format!(
            "metrics_listen and listen are the same address ({})",
            config.listen
        ));
    }
    if config.data_dir.exists() && !config.data_dir.is_dir() {
        return Err(format!(
            "data_dir {} is not a folder",
            config.data_dir.display()
        ));
    }
    if let Some(url) = &config.catalog_url {
        if !crate::backend::libsql::config::is_remote_url(url) {
            return Err(format!(
                "catalog_url \"{url}\": use an http://, https:// or libsql:// URL (unset it for the local catalog file)"
            ));
        }
    }
    tracing_subscriber::EnvFilter::try_new(&config.log_level)
        .map_err(|e| format!("log_level \"{}\": {e}", config.log_level))?;
    if config.admin_password.is_none() {
        warnings.push(
            "no admin_password (or PGTENANT_ADMIN_PASSWORD): the admin role cannot log in"
                .to_owned(),
        );
    }
    if tls.is_none()
        && (config.hostname_pattern.is_some() || config.prod_hostname_pattern.is_some())
    {
        warnings.push(
            "hostname patterns are set but TLS is off: clients send no server name without TLS"
                .to_owned(),
        );
    }
    Ok(warnings)
}
