//! TLS with rustls (ring): the acceptor pgwire negotiates SSLRequest with,
//! built from the PEM files in the config. The server name the client sent
//! (SNI) reaches tenant resolution through pgwire's client info.

use std::path::Path;
use std::sync::Arc;

use pgwire::tokio::tokio_rustls::rustls;
use pgwire::tokio::TlsAcceptor;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;

use crate::config::{ClientCert, Config};

fn certs(path: &Path, what: &str) -> Result<Vec<CertificateDer<'static>>, String> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| format!("cannot read {what} {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "{what} {} holds no PEM certificate",
            path.display()
        ));
    }
    Ok(certs)
}

/// The acceptor for the configured certificate, or None when TLS is off.
pub fn acceptor(config: &Config) -> Result<Option<TlsAcceptor>, String> {
    let (cert, key) = match (&config.tls_cert, &config.tls_key) {
        (Some(c), Some(k)) => (c, k),
        (None, None) => {
            if config.require_tls {
                return Err("require_tls = true needs tls_cert and tls_key".into());
            }
            if config.client_cert != ClientCert::None {
                return Err("client_cert needs tls_cert and tls_key".into());
            }
            return Ok(None);
        }
        _ => return Err("tls_cert and tls_key must be set together".into()),
    };
    let chain = certs(cert, "tls_cert")?;
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| format!("cannot read tls_key {}: {e}", key.display()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS setup: {e}"))?;
    let builder = match config.client_cert {
        ClientCert::None => builder.with_no_client_auth(),
        mode => {
            let ca = config
                .tls_client_ca
                .as_deref()
                .ok_or("client_cert = \"optional\" or \"required\" needs tls_client_ca")?;
            let mut roots = rustls::RootCertStore::empty();
            for c in certs(ca, "tls_client_ca")? {
                roots
                    .add(c)
                    .map_err(|e| format!("tls_client_ca {}: {e}", ca.display()))?;
            }
            let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider);
            let verifier = if mode == ClientCert::Optional {
                verifier.allow_unauthenticated()
            } else {
                verifier
            };
            builder.with_client_cert_verifier(
                verifier
                    .build()
                    .map_err(|e| format!("tls_client_ca {}: {e}", ca.display()))?,
            )
        }
    };
    let mut server = builder
        .with_single_cert(chain, key)
        .map_err(|e| format!("tls_cert/tls_key: {e}"))?;
    // PostgreSQL 17 clients negotiating TLS directly require this ALPN name.
    server.alpn_protocols = vec![b"postgresql".to_vec()];
    Ok(Some(TlsAcceptor::from(Arc::new(server))))
}
