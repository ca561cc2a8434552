//! The Key Vault client against the emulator's vault over loopback HTTPS. One test
//! function, so `NODE_EXTRA_CA_CERTS` is set once, before any client is built.

use std::sync::Arc;
use std::time::Duration;

use azid_core::credentials::{ClientSecretConfig, ClientSecretSource};
use azid_core::http::RetryPolicy;
use azid_core::keyvault::{ListKind, SecretClient, SecretClientConfig, TenantPolicy, VaultAuth};
use azid_core::{Engine, Error, Secret, TokenSource};
use azid_emulator::{AccessDenial, Emulator, EmulatorConfig, Fault, Route, SecretOptions};

fn engine(emu: &Emulator) -> Arc<Engine> {
  let mut retry = RetryPolicy::entra();
  retry.base_delay = Duration::from_millis(10);
  let config = ClientSecretConfig {
    authority_host: emu.authority_host(),
    tenant_id: azid_emulator::DEFAULT_TENANT_ID.into(),
    client_id: azid_emulator::DEFAULT_CLIENT_ID.into(),
    client_secret: Secret::new(azid_emulator::DEFAULT_CLIENT_SECRET),
    source_id: None,
    retry,
    region: None,
  };
  Engine::new(Arc::new(ClientSecretSource::new(config).unwrap()) as Arc<dyn TokenSource>)
}

fn client(emu: &Emulator, verify: bool, allowed: Vec<String>) -> SecretClient {
  let mut config = SecretClientConfig::new(emu.authority_host());
  config.disable_challenge_resource_verification = !verify;
  config.retry.base_delay = Duration::from_millis(10);
  config.retry.max_delay = Duration::from_millis(40);
  let tenants =
    Some(TenantPolicy { home: azid_emulator::DEFAULT_TENANT_ID.into(), allowed, pinned: false });
  SecretClient::new(config, VaultAuth::Engine { engine: engine(emu), tenants }).unwrap()
}

fn kv(e: Error) -> (u16, String, Option<String>) {
  match e {
    Error::KeyVault(f) => (f.status_code, f.code, f.inner_code),
    other => panic!("expected a Key Vault error, got {other:?}"),
  }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secret_client_against_the_emulator() {
  let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
  std::env::set_var("NODE_EXTRA_CA_CERTS", emu.ca_file());
  let v1 = emu.set_secret("db-password", "first-value", SecretOptions::default()).unwrap();
  let v2 = emu
    .set_secret(
      "db-password",
      "second-value",
      SecretOptions { content_type: Some("text/plain".into()), ..Default::default() },
    )
    .unwrap();

  // The challenge resource (vault.azure.net) is not 127.0.0.1's domain: refused, no token sent.
  let strict = client(&emu, true, vec![]);
  let (status, code, _) = kv(strict.get_secret("db-password", None, None).await.unwrap_err());
  assert_eq!((status, code.as_str()), (401, "ChallengeResourceMismatch"));
  assert_eq!(emu.request_count(Route::Token), 0);

  // First call: unauthenticated, challenge, then with a token. Later calls send it at once.
  let c = client(&emu, false, vec![]);
  emu.reset_counts();
  let latest = c.get_secret("db-password", None, None).await.unwrap();
  assert_eq!(latest.value.as_ref().unwrap().expose(), "second-value");
  assert_eq!(latest.properties.version.as_deref(), Some(v2.as_str()));
  assert_eq!(latest.properties.content_type.as_deref(), Some("text/plain"));
  assert_eq!(latest.properties.vault_url, emu.authority_host());
  assert_eq!(emu.request_count(Route::KeyVault), 2);
  let old = c.get_secret("db-password", Some(&v1), None).await.unwrap();
  assert_eq!(old.value.unwrap().expose(), "first-value");
  assert_eq!(emu.request_count(Route::KeyVault), 3);
  assert_eq!(emu.request_count(Route::Token), 1);

  // Typed errors: not found, disabled, RBAC.
  let (status, code, _) = kv(c.get_secret("nope", None, None).await.unwrap_err());
  assert_eq!((status, code.as_str()), (404, "SecretNotFound"));
  emu.set_secret("off", "x", SecretOptions { enabled: Some(false), ..Default::default() }).unwrap();
  let (status, code, inner) = kv(c.get_secret("off", None, None).await.unwrap_err());
  assert_eq!((status, code.as_str(), inner.as_deref()), (403, "Forbidden", Some("SecretDisabled")));
  emu.set_secret("locked", "x", SecretOptions::default()).unwrap();
  emu.deny_secret_access(AccessDenial { secret_name: Some("locked".into()), principal_id: None });
  let err = c.get_secret("locked", None, None).await.unwrap_err();
  assert!(!err.to_string().contains("x\""));
  let (status, _, inner) = kv(err);
  assert_eq!((status, inner.as_deref()), (403, Some("ForbiddenByRbac")));

  // Paging: 30 more secrets over two pages; the nextLink carries the port and a $skiptoken.
  for i in 0..30 {
    emu.set_secret(&format!("s-{i:02}"), "v", SecretOptions::default()).unwrap();
  }
  let first = c.list_page(&ListKind::Secrets, None, None).await.unwrap();
  assert_eq!(first.items.len(), 25);
  let link = first.next_link.clone().unwrap();
  assert!(link.contains(&format!(":{}", emu.token_addr().port())) && link.contains("$skiptoken="));
  let second = c.list_page(&ListKind::Secrets, Some(&link), None).await.unwrap();
  assert_eq!(first.items.len() + second.items.len(), 33);
  assert!(second.next_link.is_none());
  let versions = c.list_page(&ListKind::Versions("db-password".into()), None, None).await.unwrap();
  let mut seen: Vec<_> = versions.items.iter().filter_map(|p| p.version.clone()).collect();
  seen.sort();
  let mut expected = vec![v1.clone(), v2.clone()];
  expected.sort();
  assert_eq!(seen, expected);
  assert!(c
    .list_page(&ListKind::Secrets, Some("https://elsewhere.example/secrets"), None)
    .await
    .is_err());

  // 429 without Retry-After is retried with backoff; past the retries it is typed.
  emu.set_fault(Route::KeyVault, Fault { status: Some(429), times: Some(2), ..Default::default() });
  assert!(c.get_secret("db-password", None, None).await.is_ok());
  emu.set_fault(Route::KeyVault, Fault { status: Some(429), ..Default::default() });
  let (status, code, _) = kv(c.get_secret("db-password", None, None).await.unwrap_err());
  assert_eq!((status, code.as_str()), (429, "Throttled"));
  emu.clear_faults();

  // A vault in another tenant: refused unless the credential allows that tenant.
  emu.register_app(azid_emulator::AppRegistration {
    tenant_id: azid_emulator::DEFAULT_TENANT_ID.into(),
    client_id: azid_emulator::DEFAULT_CLIENT_ID.into(),
    client_secret: Some(azid_emulator::DEFAULT_CLIENT_SECRET.into()),
    additional_tenants: vec!["*".into()],
    ..Default::default()
  });
  emu.set_vault_tenant("other-tenant");
  let home_only = client(&emu, false, vec![]);
  let err = home_only.get_secret("db-password", None, None).await.unwrap_err();
  assert_eq!(err.code(), "CredentialUnavailable");
  assert!(err.to_string().contains("additionallyAllowedTenants"));
  let allowed = client(&emu, false, vec!["other-tenant".into()]);
  assert!(allowed.get_secret("db-password", None, None).await.is_ok());

  emu.shutdown().await;
}
