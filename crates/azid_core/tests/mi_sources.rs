//! Every managed identity source against the emulator over loopback: success, expiry
//! format, and the documented refusals. One test function: the process environment
//! (`NODE_EXTRA_CA_CERTS`) is set once.

use std::sync::Arc;
use std::time::Duration;

use azid_core::credentials::managed_identity::Endpoint;
use azid_core::credentials::{ManagedIdentityConfig, ManagedIdentitySource, UserAssignedId};
use azid_core::http::RetryPolicy;
use azid_core::{Engine, Error, Secret, TokenRequest, TokenSource};
use azid_emulator::{Emulator, EmulatorConfig, Fault, Route};

fn engine(endpoint: Endpoint, id: Option<UserAssignedId>) -> Result<Arc<Engine>, Error> {
  let mut retry = RetryPolicy::managed_identity_source();
  retry.base_delay = Duration::from_millis(10);
  retry.max_delay = Duration::from_millis(50);
  let source = ManagedIdentitySource::new(ManagedIdentityConfig { endpoint, id, retry })?;
  Ok(Engine::new(Arc::new(source) as Arc<dyn TokenSource>))
}

fn req(scope: &str) -> TokenRequest {
  TokenRequest::new(&[scope.to_string()], None, None, false).unwrap()
}

fn lifetime_left_s(expires_on_ms: u64) -> u64 {
  (expires_on_ms - azid_core::token::now_ms()) / 1000
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_source_against_the_emulator() {
  let emu = Emulator::start(EmulatorConfig::default()).await.unwrap();
  std::env::set_var("NODE_EXTRA_CA_CERTS", emu.ca_file());
  let scope = "https://vault.azure.net/.default";

  // App Service: string expires_on, no expires_in.
  let app = |header: &str| Endpoint::AppService {
    endpoint: emu.app_service_endpoint(),
    header: Secret::new(header),
  };
  let t = engine(app(&emu.identity_header()), None).unwrap().get_token(req(scope)).await.unwrap();
  assert!((86_000..=86_400).contains(&lifetime_left_s(t.expires_on_ms)));
  let e = engine(app("wrong"), None).unwrap().get_token(req(scope)).await.unwrap_err();
  assert!(matches!(e, Error::AuthenticationFailed { status_code: 401, .. }), "{e:?}");
  assert!(e.to_string().contains("IDENTITY_HEADER") && !e.to_string().contains("wrong"));
  // 503 is retried for the non-IMDS sources.
  emu.reset_counts();
  emu.set_fault(Route::AppService, Fault { status: Some(503), times: Some(2), ..Fault::default() });
  engine(app(&emu.identity_header()), None)
    .unwrap()
    .get_token(req("https://x/.default"))
    .await
    .unwrap();
  assert_eq!(emu.request_count(Route::AppService), 3);

  // Azure Arc: challenge, key file, second request.
  let arc = || Endpoint::AzureArc { endpoint: emu.arc_endpoint() };
  emu.reset_counts();
  let t = engine(arc(), None).unwrap().get_token(req(scope)).await.unwrap();
  assert!(lifetime_left_s(t.expires_on_ms) > 86_000);
  assert_eq!(emu.request_count(Route::AzureArc), 2);
  let uami = UserAssignedId::ClientId(azid_emulator::DEFAULT_USER_ASSIGNED_CLIENT_ID.into());
  engine(arc(), Some(uami.clone())).unwrap().get_token(req(scope)).await.unwrap();
  emu.set_arc_challenge_path(Some("/var/opt/azcmagent/tokens/../../../etc/shadow.key".into()));
  let e = engine(arc(), None).unwrap().get_token(req("https://y/.default")).await.unwrap_err();
  assert!(matches!(e, Error::AuthenticationFailed { .. }), "{e:?}");
  assert!(e.to_string().contains("not directly inside"), "{e}");
  emu.set_arc_challenge_path(Some("/etc/passwd".into()));
  let e = engine(arc(), None).unwrap().get_token(req("https://z/.default")).await.unwrap_err();
  assert!(e.to_string().contains(".key extension"), "{e}");
  emu.set_arc_challenge_path(None);

  // Service Fabric: trusted by thumbprint only (its certificate is not under the emulator CA).
  let sf = |thumbprint: &str| Endpoint::ServiceFabric {
    endpoint: emu.service_fabric_endpoint(),
    header: Secret::new(emu.identity_header()),
    thumbprint: thumbprint.into(),
  };
  let t = engine(sf(&emu.service_fabric_thumbprint().to_ascii_lowercase()), None)
    .unwrap()
    .get_token(req(scope))
    .await
    .unwrap();
  assert!(lifetime_left_s(t.expires_on_ms) > 86_000);
  let e = engine(sf("00112233445566778899aabbccddeeff00112233"), None)
    .unwrap()
    .get_token(req("https://w/.default"))
    .await
    .unwrap_err();
  assert!(e.to_string().contains("thumbprint differs from IDENTITY_SERVER_THUMBPRINT"), "{e}");
  let e = engine(sf(&emu.service_fabric_thumbprint()), Some(uami.clone()))
    .unwrap()
    .get_token(req(scope))
    .await
    .unwrap_err();
  assert!(matches!(e, Error::Unavailable { .. }), "{e:?}");
  assert!(engine(sf("nothex"), None).is_err());

  // Cloud Shell: POST form; system-assigned only.
  let cs = || Endpoint::CloudShell { endpoint: emu.cloud_shell_endpoint() };
  engine(cs(), None).unwrap().get_token(req(scope)).await.unwrap();
  let e = engine(cs(), Some(uami.clone())).unwrap().get_token(req(scope)).await.unwrap_err();
  assert!(matches!(e, Error::Unavailable { .. }), "{e:?}");

  // Azure ML: legacy expires_on; clientid always; only the client-id selector.
  let ml = || Endpoint::AzureMl {
    endpoint: emu.azure_ml_endpoint(),
    secret: Secret::new(emu.msi_secret()),
    default_client_id: Some(azid_emulator::DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID.into()),
  };
  let t = engine(ml(), None).unwrap().get_token(req(scope)).await.unwrap();
  assert!((86_000..=86_400).contains(&lifetime_left_s(t.expires_on_ms)));
  engine(ml(), Some(uami)).unwrap().get_token(req(scope)).await.unwrap();
  let by_object = UserAssignedId::ObjectId(azid_emulator::DEFAULT_USER_ASSIGNED_OBJECT_ID.into());
  let e = engine(ml(), Some(by_object)).unwrap().get_token(req(scope)).await.unwrap_err();
  assert!(e.to_string().contains("client id only"), "{e}");

  emu.shutdown().await;
}
