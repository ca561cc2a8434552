use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Kills the child if an assertion fails before the orderly SIGTERM.
struct Guard(std::process::Child);

impl Drop for Guard {
  fn drop(&mut self) {
    if self.0.try_wait().ok().flatten().is_none() {
      let _ = self.0.kill();
      let _ = self.0.wait();
    }
  }
}

/// The binary prints one JSON line, serves, and exits on SIGTERM.
#[tokio::test]
async fn binary_prints_its_endpoints_and_serves() {
  let state_dir =
    std::env::temp_dir().join(format!("azid-emulator-bin-test-{}", std::process::id()));
  let child = Command::new(env!("CARGO_BIN_EXE_azid-emulator"))
    .args(["--host", "127.0.0.1", "--token-port", "0", "--imds-port=0", "--token-lifetime", "900"])
    .arg("--state-dir")
    .arg(&state_dir)
    .stdout(Stdio::piped())
    .spawn()
    .expect("spawn azid-emulator");
  let mut guard = Guard(child);
  let child = &mut guard.0;
  let mut line = String::new();
  BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
  let info: Value = serde_json::from_str(&line).expect("one JSON line");
  let ca_file = info["caFile"].as_str().unwrap();
  assert_eq!(std::path::Path::new(ca_file), state_dir.join("ca.pem"));
  let ca_pem = std::fs::read_to_string(ca_file).unwrap();
  assert_eq!(info["tenantId"], azid_emulator::DEFAULT_TENANT_ID);
  assert_eq!(info["clientId"], azid_emulator::DEFAULT_CLIENT_ID);
  assert!(info["imdsEndpoint"].as_str().unwrap().starts_with("http://127.0.0.1:"));

  // Talk to it with a client that trusts only the printed CA.
  let mut roots = rustls::RootCertStore::empty();
  use rustls::pki_types::pem::PemObject;
  roots.add(rustls::pki_types::CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap()).unwrap();
  let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
    rustls::crypto::ring::default_provider(),
  ))
  .with_safe_default_protocol_versions()
  .unwrap()
  .with_root_certificates(roots)
  .with_no_client_auth();
  let client =
    reqwest::Client::builder().tls_backend_preconfigured(config).no_proxy().build().unwrap();
  let url = format!(
    "{}/{}/oauth2/v2.0/token",
    info["authorityHost"].as_str().unwrap(),
    azid_emulator::DEFAULT_TENANT_ID
  );
  let body = crate::common::form(&crate::common::default_form(crate::common::VAULT_SCOPE));
  let resp = client.post(url).body(body).send().await.unwrap();
  assert_eq!(resp.status().as_u16(), 200);
  let json: Value = serde_json::from_str(&resp.text().await.unwrap()).unwrap();
  assert_eq!(json["expires_in"], 900);

  let status = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
  assert!(status.success());
  let deadline = Instant::now() + Duration::from_secs(10);
  loop {
    if let Some(status) = child.try_wait().unwrap() {
      assert!(status.success(), "clean exit on SIGTERM: {status}");
      break;
    }
    assert!(Instant::now() < deadline, "azid-emulator did not exit on SIGTERM");
    tokio::time::sleep(Duration::from_millis(50)).await;
  }
  let _ = std::fs::remove_dir_all(&state_dir);
}
