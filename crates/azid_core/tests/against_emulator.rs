//! The engine against the real emulator over loopback HTTPS: one test function, so the
//! process-wide `NODE_EXTRA_CA_CERTS` is set once, before any client is built.

use std::sync::Arc;
use std::time::Duration;

use azid_core::credentials::managed_identity::Endpoint;
use azid_core::credentials::{
  ClientSecretConfig, ClientSecretSource, ManagedIdentityConfig, ManagedIdentitySource,
  UserAssignedId,
};
use azid_core::http::RetryPolicy;
use azid_core::{Engine, Error, Secret, TokenRequest, TokenSource};
use azid_emulator::{Emulator, EmulatorConfig, Fault, Route};

fn fast_retry(mut p: RetryPolicy) -> RetryPolicy {
  p.base_delay = Duration::from_millis(10);
  p.max_delay = Duration::from_millis(50);
  p
}

fn secret_engine(emu: &Emulator, secret: &str) -> Arc<Engine> {
  let config = ClientSecretConfig {
    authority_host: emu.authority_host(),
    tenant_id: azid_emulator::DEFAULT_TENANT_ID.into(),
    client_id: azid_emulator::DEFAULT_CLIENT_ID.into(),
    client_secret: Secret::new(secret),
    source_id: None,
    retry: fast_retry(RetryPolicy::entra()),
    region: None,
  };
  Engine::new(Arc::new(ClientSecretSource::new(config).unwrap()) as Arc<dyn TokenSource>)
}

fn req(scope: &str) -> TokenRequest {
  TokenRequest::new(&[scope.to_string()], None, None, false).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn engine_against_the_emulator() {
  let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
  std::env::set_var("NODE_EXTRA_CA_CERTS", emu.ca_file());

  // Herd: 500 concurrent cold calls, one request.
  let engine = secret_engine(&emu, azid_emulator::DEFAULT_CLIENT_SECRET);
  emu.set_fault(Route::Token, Fault { latency_ms: 100, ..Default::default() });
  let calls: Vec<_> = (0..500)
    .map(|_| {
      let e = engine.clone();
      tokio::spawn(async move { e.get_token(req("https://vault.azure.net/.default")).await })
    })
    .collect();
  let mut tokens = std::collections::HashSet::new();
  for c in calls {
    tokens.insert(c.await.unwrap().unwrap().token.expose().to_string());
  }
  assert_eq!(tokens.len(), 1);
  assert_eq!(emu.request_count(Route::Token), 1);
  emu.clear_faults();

  // Transient 503s are retried; a definite 401 is not.
  emu.reset_counts();
  emu.set_fault(Route::Token, Fault { status: Some(503), times: Some(2), ..Default::default() });
  assert!(engine.get_token(req("https://graph.microsoft.com/.default")).await.is_ok());
  assert_eq!(emu.request_count(Route::Token), 3);
  emu.reset_counts();
  let wrong = secret_engine(&emu, "wrong-secret");
  match wrong.get_token(req("https://vault.azure.net/.default")).await {
    Err(e) => match e {
      Error::AuthenticationFailed { status_code, error_response, message } => {
        assert_eq!(status_code, 401);
        assert_eq!(error_response.error_codes, vec![7_000_215]);
        assert!(!message.contains("wrong-secret"));
      }
      other => panic!("expected AuthenticationFailed, got {other:?}"),
    },
    Ok(_) => panic!("a wrong secret must fail"),
  }
  assert_eq!(emu.request_count(Route::Token), 1);

  // IMDS: user-assigned by object id; an unknown identity is unavailable.
  let mi = |id| {
    let config = ManagedIdentityConfig {
      endpoint: Endpoint::Imds { base: emu.imds_endpoint() },
      id,
      retry: fast_retry(RetryPolicy::imds()),
    };
    Engine::new(Arc::new(ManagedIdentitySource::new(config).unwrap()) as Arc<dyn TokenSource>)
  };
  let ok =
    mi(Some(UserAssignedId::ObjectId(azid_emulator::DEFAULT_USER_ASSIGNED_OBJECT_ID.into())));
  assert!(ok.get_token(req("https://storage.azure.com/.default")).await.is_ok());
  let missing = mi(Some(UserAssignedId::ClientId("00000000-0000-0000-0000-000000000404".into())));
  match missing.get_token(req("https://storage.azure.com/.default")).await {
    Err(e) => assert!(matches!(e, Error::Unavailable { status_code: Some(400), .. }), "{e:?}"),
    Ok(_) => panic!("unknown identity must be unavailable"),
  }
  emu.shutdown().await;
}
