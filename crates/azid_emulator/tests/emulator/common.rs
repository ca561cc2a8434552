//! Helpers: a real HTTPS client trusting the emulator CA, form posts, JWT decoding.

use std::sync::Arc;

use azid_emulator::{
  Emulator, EmulatorConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_TENANT_ID,
};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::header::HeaderMap;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::CertificateDer;
use serde_json::Value;

pub const VAULT_SCOPE: &str = "https://vault.azure.net/.default";

pub async fn start() -> Emulator {
  Emulator::start(EmulatorConfig::default()).await.expect("emulator starts")
}

pub fn client(emu: &Emulator) -> reqwest::Client {
  let mut roots = rustls::RootCertStore::empty();
  roots
    .add(CertificateDer::from_pem_slice(emu.ca_pem().as_bytes()).expect("CA PEM"))
    .expect("add CA");
  let config =
    rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
      .with_safe_default_protocol_versions()
      .expect("protocol versions")
      .with_root_certificates(roots)
      .with_no_client_auth();
  reqwest::Client::builder().tls_backend_preconfigured(config).no_proxy().build().expect("client")
}

pub struct Answer {
  pub status: u16,
  pub headers: HeaderMap,
  pub json: Value,
  pub text: String,
}

impl Answer {
  pub fn header(&self, name: &str) -> Option<&str> {
    self.headers.get(name).and_then(|v| v.to_str().ok())
  }
}

pub async fn answer(resp: reqwest::Response) -> Answer {
  let status = resp.status().as_u16();
  let headers = resp.headers().clone();
  let text = resp.text().await.expect("body");
  let json = serde_json::from_str(&text).unwrap_or(Value::Null);
  Answer { status, headers, json, text }
}

pub fn form(pairs: &[(&str, &str)]) -> String {
  url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

pub fn token_url(emu: &Emulator, tenant: &str) -> String {
  format!("{}/{tenant}/oauth2/v2.0/token", emu.authority_host())
}

pub async fn post_token(
  client: &reqwest::Client,
  emu: &Emulator,
  tenant: &str,
  pairs: &[(&str, &str)],
) -> Answer {
  let resp = client
    .post(token_url(emu, tenant))
    .header("content-type", "application/x-www-form-urlencoded")
    .body(form(pairs))
    .send()
    .await
    .expect("token request");
  answer(resp).await
}

/// The default app's valid client-credentials request, with overrides appended.
pub fn default_form(scope: &str) -> Vec<(&str, &str)> {
  vec![
    ("grant_type", "client_credentials"),
    ("client_id", DEFAULT_CLIENT_ID),
    ("client_secret", DEFAULT_CLIENT_SECRET),
    ("scope", scope),
  ]
}

pub async fn default_token(client: &reqwest::Client, emu: &Emulator) -> Answer {
  post_token(client, emu, DEFAULT_TENANT_ID, &default_form(VAULT_SCOPE)).await
}

pub fn jwt_part(token: &str, index: usize) -> Value {
  let part = token.split('.').nth(index).expect("JWT part");
  serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
}

pub fn claims(token: &str) -> Value {
  jwt_part(token, 1)
}

/// Asserts an Entra error body (reference §1.7) and returns its code.
pub fn assert_aad_error(a: &Answer, status: u16, error: &str, code: u64) {
  assert_eq!(a.status, status, "status of {}", a.text);
  assert_eq!(a.json["error"], error, "{}", a.text);
  assert_eq!(a.json["error_codes"][0], code, "{}", a.text);
  let d = a.json["error_description"].as_str().expect("error_description");
  assert!(d.starts_with(&format!("AADSTS{code}: ")), "{d}");
  let trace = a.json["trace_id"].as_str().unwrap();
  let corr = a.json["correlation_id"].as_str().unwrap();
  let ts = a.json["timestamp"].as_str().unwrap();
  assert!(
    d.ends_with(&format!("\r\nTrace ID: {trace}\r\nCorrelation ID: {corr}\r\nTimestamp: {ts}")),
    "{d}"
  );
  assert_eq!(ts.len(), "2023-05-06 06:03:00Z".len());
  assert_eq!(a.json["error_uri"], format!("https://login.microsoftonline.com/error?code={code}"));
  assert_eq!(a.header("x-ms-request-id"), Some(trace));
  assert!(a.header("x-ms-ests-server").is_some());
  assert_eq!(a.header("cache-control"), Some("no-store, no-cache"));
  assert_eq!(a.header("content-type"), Some("application/json; charset=utf-8"));
}
