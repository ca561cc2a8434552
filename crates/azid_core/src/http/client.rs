//! Builds reqwest clients on rustls (ring provider) that trust what Node trusts:
//! the Mozilla roots plus the PEM file named by `NODE_EXTRA_CA_CERTS`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use super::pinned::{ChainOrThumbprint, Thumbprint};
use crate::error::{Error, Result};

/// Whether the client may go through `HTTPS_PROXY`. IMDS and other managed identity
/// endpoints are link-local or loopback and must never be proxied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransportKind {
  Proxied,
  Direct,
}

/// A pooled HTTP client. Clones share the connection pool.
#[derive(Clone)]
pub struct Transport {
  pub(crate) client: reqwest::Client,
}

impl std::fmt::Debug for Transport {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("Transport").finish_non_exhaustive()
  }
}

/// Kind, extra CA file, and the proxy variables: a change to any builds a new client.
type ClientKey = (TransportKind, Option<String>, Vec<Option<String>>);

const PROXY_VARS: [&str; 6] =
  ["HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY", "no_proxy"];

impl Transport {
  /// The process-wide client for this kind and the current `NODE_EXTRA_CA_CERTS`,
  /// so every credential reuses the same connections.
  pub fn shared(kind: TransportKind) -> Result<Transport> {
    static CLIENTS: OnceLock<Mutex<HashMap<ClientKey, Transport>>> = OnceLock::new();
    let extra_ca = std::env::var("NODE_EXTRA_CA_CERTS").ok().filter(|s| !s.is_empty());
    let proxies = PROXY_VARS.iter().map(|v| std::env::var(v).ok()).collect();
    let key = (kind, extra_ca, proxies);
    let mut clients =
      CLIENTS.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    if let Some(t) = clients.get(&key) {
      return Ok(t.clone());
    }
    let transport = Self::build(kind, key.1.as_deref())?;
    clients.insert(key, transport.clone());
    Ok(transport)
  }

  /// A client of its own for Service Fabric: direct, and trusting a server whose chain
  /// validates or whose certificate has `thumbprint` (see `pinned`).
  pub fn service_fabric(thumbprint: Thumbprint) -> Result<Transport> {
    let extra_ca = std::env::var("NODE_EXTRA_CA_CERTS").ok().filter(|s| !s.is_empty());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier =
      ChainOrThumbprint::new(trusted_roots(extra_ca.as_deref())?, thumbprint, provider.clone())?;
    let tls = rustls::ClientConfig::builder_with_provider(provider)
      .with_safe_default_protocol_versions()
      .map_err(|e| Error::invalid(format!("TLS setup failed: {e}")))?
      .dangerous()
      .with_custom_certificate_verifier(Arc::new(verifier))
      .with_no_client_auth();
    Self::with_tls(TransportKind::Direct, tls)
  }

  fn build(kind: TransportKind, extra_ca_file: Option<&str>) -> Result<Transport> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let tls = rustls::ClientConfig::builder_with_provider(provider)
      .with_safe_default_protocol_versions()
      .map_err(|e| Error::invalid(format!("TLS setup failed: {e}")))?
      .with_root_certificates(trusted_roots(extra_ca_file)?)
      .with_no_client_auth();
    Self::with_tls(kind, tls)
  }

  fn with_tls(kind: TransportKind, tls: rustls::ClientConfig) -> Result<Transport> {
    let mut builder = reqwest::Client::builder()
      .tls_backend_preconfigured(tls)
      .http1_only()
      .connect_timeout(Duration::from_secs(5))
      .pool_idle_timeout(Duration::from_secs(90))
      // A redirect would carry the form (secrets, assertions) or identity headers to
      // another host; token endpoints never redirect, and MSAL does not follow them either.
      .redirect(reqwest::redirect::Policy::none())
      .user_agent(concat!("azid/", env!("CARGO_PKG_VERSION")));
    if kind == TransportKind::Direct {
      builder = builder.no_proxy();
    }
    let client =
      builder.build().map_err(|e| Error::invalid(format!("HTTP client setup failed: {e}")))?;
    Ok(Transport { client })
  }
}

/// The Mozilla roots plus `NODE_EXTRA_CA_CERTS`, as Node trusts.
fn trusted_roots(extra_ca_file: Option<&str>) -> Result<rustls::RootCertStore> {
  let mut roots = rustls::RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
  if let Some(path) = extra_ca_file {
    add_pem_roots(&mut roots, path)?;
  }
  Ok(roots)
}

/// Adds every certificate of a PEM file, as Node does for `NODE_EXTRA_CA_CERTS`.
fn add_pem_roots(roots: &mut rustls::RootCertStore, path: &str) -> Result<()> {
  let bad = |why: String| {
    Error::invalid(format!("NODE_EXTRA_CA_CERTS names '{path}', which cannot be used: {why}. Point it at a PEM file of CA certificates."))
  };
  let pem = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
  let mut reader = std::io::BufReader::new(pem.as_slice());
  let mut added = 0;
  for cert in rustls_pemfile::certs(&mut reader) {
    let cert = cert.map_err(|e| bad(e.to_string()))?;
    roots.add(cert).map_err(|e| bad(e.to_string()))?;
    added += 1;
  }
  if added == 0 {
    return Err(bad("it holds no PEM certificate".into()));
  }
  Ok(())
}
