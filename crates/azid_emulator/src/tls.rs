//! The HTTPS identity: a fresh self-signed CA per emulator, and a server certificate it signs.

use std::io;
use std::net::IpAddr;
use std::sync::Arc;

use rcgen::{
  BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa,
  Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

pub(crate) struct TlsMaterial {
  pub ca_pem: String,
  pub server_config: Arc<rustls::ServerConfig>,
}

fn tls_err(e: impl std::fmt::Display) -> io::Error {
  io::Error::other(format!("emulator TLS setup: {e}"))
}

/// SANs always cover the loopback names; `host` is added when it is a specific other address.
pub(crate) fn generate(host: IpAddr) -> io::Result<TlsMaterial> {
  let ca_key = KeyPair::generate().map_err(tls_err)?;
  let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(tls_err)?;
  let mut dn = DistinguishedName::new();
  // A unique CN per run, so two emulators' CAs are never confused in a trust store.
  dn.push(
    DnType::CommonName,
    format!("azid emulator CA {}", &uuid::Uuid::new_v4().to_string()[..8]),
  );
  dn.push(DnType::OrganizationName, "azid emulator");
  ca_params.distinguished_name = dn;
  ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
  ca_params.key_usages =
    vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
  let ca_cert = ca_params.self_signed(&ca_key).map_err(tls_err)?;

  let mut sans = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
  if !host.is_loopback() && !host.is_unspecified() {
    sans.push(host.to_string());
  }
  let server_key = KeyPair::generate().map_err(tls_err)?;
  let mut server_params = CertificateParams::new(sans).map_err(tls_err)?;
  let mut dn = DistinguishedName::new();
  dn.push(DnType::CommonName, "localhost");
  server_params.distinguished_name = dn;
  server_params.is_ca = IsCa::ExplicitNoCa;
  server_params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
  server_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
  server_params.use_authority_key_identifier_extension = true;
  let issuer = Issuer::new(ca_params, &ca_key);
  let server_cert = server_params.signed_by(&server_key, &issuer).map_err(tls_err)?;

  let chain: Vec<CertificateDer<'static>> = vec![server_cert.der().clone()];
  let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
  let provider = Arc::new(rustls::crypto::ring::default_provider());
  let mut config = rustls::ServerConfig::builder_with_provider(provider)
    .with_safe_default_protocol_versions()
    .map_err(tls_err)?
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .map_err(tls_err)?;
  // hyper is built with HTTP/1 only.
  config.alpn_protocols = vec![b"http/1.1".to_vec()];

  Ok(TlsMaterial { ca_pem: ca_cert.pem(), server_config: Arc::new(config) })
}

/// Service Fabric's cluster certificate: self-signed (not under the emulator CA), so
/// clients can only trust it by its SHA-1 thumbprint, returned as upper-case hex.
pub(crate) fn self_signed(host: IpAddr) -> io::Result<(Arc<rustls::ServerConfig>, String)> {
  let mut sans = vec!["localhost".to_string(), "127.0.0.1".to_string(), "::1".to_string()];
  if !host.is_loopback() && !host.is_unspecified() {
    sans.push(host.to_string());
  }
  let key = KeyPair::generate().map_err(tls_err)?;
  let mut params = CertificateParams::new(sans).map_err(tls_err)?;
  let mut dn = DistinguishedName::new();
  dn.push(DnType::CommonName, "azid emulator Service Fabric cluster");
  params.distinguished_name = dn;
  let cert = params.self_signed(&key).map_err(tls_err)?;
  let digest = ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, cert.der());
  let thumbprint: String = digest.as_ref().iter().map(|b| format!("{b:02X}")).collect();
  let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
  let provider = Arc::new(rustls::crypto::ring::default_provider());
  let mut config = rustls::ServerConfig::builder_with_provider(provider)
    .with_safe_default_protocol_versions()
    .map_err(tls_err)?
    .with_no_client_auth()
    .with_single_cert(vec![cert.der().clone()], key)
    .map_err(tls_err)?;
  config.alpn_protocols = vec![b"http/1.1".to_vec()];
  Ok((Arc::new(config), thumbprint))
}
