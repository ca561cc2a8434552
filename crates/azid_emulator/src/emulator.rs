//! The running emulator: a cheap, cloneable handle over both listeners and the shared state.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::ops::Deref;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::config::EmulatorConfig;
use crate::jwt::TokenSigner;
use crate::server::{spawn_accept_loop, Listener, Shared};
use crate::state::EmulatorState;
use crate::{app_service, arc, azure_ml, cloud_shell, service_fabric, tls};

/// A running emulator. Clones share the same servers and state. It derefs to
/// [`EmulatorState`], so `emulator.register_app(..)` and `emulator.state().register_app(..)`
/// are the same call.
///
/// The servers stop on [`Emulator::shutdown`], or when the last handle is dropped.
#[derive(Clone, Debug)]
pub struct Emulator {
  inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
  shared: Arc<Shared>,
  token_addr: SocketAddr,
  imds_addr: SocketAddr,
  service_fabric_addr: SocketAddr,
  // Dropping the sender (last handle gone) also stops every loop and connection.
  shutdown: watch::Sender<bool>,
  tasks: Mutex<Vec<JoinHandle<()>>>,
}

/// Clients cannot connect to 0.0.0.0 / ::, so an unspecified bind address is advertised as loopback.
fn advertised(host: IpAddr) -> IpAddr {
  match host {
    IpAddr::V4(v4) if v4.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
    IpAddr::V6(v6) if v6.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
    other => other,
  }
}

impl Emulator {
  /// Binds both listeners and serves them on the current tokio runtime.
  pub async fn start(config: EmulatorConfig) -> io::Result<Emulator> {
    let state_dir = match &config.state_dir {
      Some(dir) => dir.clone(),
      None => std::env::temp_dir().join(format!(
        "azid-emulator-{}-{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
      )),
    };
    tokio::fs::create_dir_all(&state_dir).await?;

    let token_listener = TcpListener::bind((config.host, config.token_port)).await?;
    let imds_listener = TcpListener::bind((config.host, config.imds_port)).await?;
    let token_addr = SocketAddr::new(advertised(config.host), token_listener.local_addr()?.port());
    let imds_addr = SocketAddr::new(advertised(config.host), imds_listener.local_addr()?.port());
    let sf_listener = TcpListener::bind((config.host, config.service_fabric_port)).await?;
    let service_fabric_addr =
      SocketAddr::new(advertised(config.host), sf_listener.local_addr()?.port());

    // Key and certificate generation is CPU work; keep it off the async workers.
    let host = config.host;
    let (signer, tls, sf_tls) = tokio::task::spawn_blocking(move || {
      (TokenSigner::new(), tls::generate(host), tls::self_signed(host))
    })
    .await
    .map_err(io::Error::other)?;
    let tls = tls?;
    let (sf_server_config, service_fabric_thumbprint) = sf_tls?;
    let random = || format!("{}", uuid::Uuid::new_v4().simple());
    let ca_file = state_dir.join("ca.pem");
    tokio::fs::write(&ca_file, &tls.ca_pem).await?;

    let shared = Arc::new(Shared {
      state: Arc::new(EmulatorState::new(&config)),
      signer,
      authority_host: format!("https://{token_addr}"),
      imds_endpoint: format!("http://{imds_addr}"),
      ca_pem: tls.ca_pem,
      ca_file,
      service_fabric_base: format!("https://{service_fabric_addr}"),
      service_fabric_thumbprint,
      identity_header: config.identity_header.clone().unwrap_or_else(random),
      msi_secret: config.identity_header.clone().unwrap_or_else(random),
      arc: arc::Challenges::new(config.arc_key_dir.clone()),
    });
    let (shutdown, rx) = watch::channel(false);
    let tasks = vec![
      spawn_accept_loop(
        token_listener,
        Listener::Entra,
        Some(TlsAcceptor::from(tls.server_config)),
        shared.clone(),
        rx.clone(),
      ),
      spawn_accept_loop(imds_listener, Listener::Imds, None, shared.clone(), rx.clone()),
      spawn_accept_loop(
        sf_listener,
        Listener::ServiceFabric,
        Some(TlsAcceptor::from(sf_server_config)),
        shared.clone(),
        rx,
      ),
    ];
    Ok(Emulator {
      inner: Arc::new(Inner {
        shared,
        token_addr,
        imds_addr,
        service_fabric_addr,
        shutdown,
        tasks: Mutex::new(tasks),
      }),
    })
  }

  /// `https://127.0.0.1:<token_port>`, no trailing slash.
  pub fn authority_host(&self) -> String {
    self.inner.shared.authority_host.clone()
  }

  /// `http://127.0.0.1:<imds_port>`; the token path is `/metadata/identity/oauth2/token`.
  pub fn imds_endpoint(&self) -> String {
    self.inner.shared.imds_endpoint.clone()
  }

  /// App Service's `IDENTITY_ENDPOINT`: `http://127.0.0.1:<imds_port>/msi/token`.
  pub fn app_service_endpoint(&self) -> String {
    format!("{}{}", self.inner.shared.imds_endpoint, app_service::PATH)
  }

  /// The value App Service and Service Fabric clients must send (`IDENTITY_HEADER`).
  pub fn identity_header(&self) -> String {
    self.inner.shared.identity_header.clone()
  }

  /// Azure Arc's `IDENTITY_ENDPOINT` (pair it with `IMDS_ENDPOINT` = [`Self::imds_endpoint`]).
  pub fn arc_endpoint(&self) -> String {
    format!("{}{}", self.inner.shared.imds_endpoint, arc::PATH)
  }

  /// Makes Arc challenges name `path` instead of a fresh key file (`None` restores them).
  pub fn set_arc_challenge_path(&self, path: Option<String>) {
    self.inner.shared.arc.set_realm_override(path);
  }

  /// The contents of the latest Arc key file (to check that clients never log it).
  pub fn last_arc_key(&self) -> Option<String> {
    self.inner.shared.arc.last_key()
  }

  /// Service Fabric's `IDENTITY_ENDPOINT` (https, self-signed certificate).
  pub fn service_fabric_endpoint(&self) -> String {
    format!("{}{}", self.inner.shared.service_fabric_base, service_fabric::PATH)
  }

  /// `IDENTITY_SERVER_THUMBPRINT`: SHA-1 of the Service Fabric certificate, upper-case hex.
  pub fn service_fabric_thumbprint(&self) -> String {
    self.inner.shared.service_fabric_thumbprint.clone()
  }

  /// Address of the Service Fabric HTTPS listener.
  pub fn service_fabric_addr(&self) -> SocketAddr {
    self.inner.service_fabric_addr
  }

  /// Cloud Shell's `MSI_ENDPOINT`.
  pub fn cloud_shell_endpoint(&self) -> String {
    format!("{}{}", self.inner.shared.imds_endpoint, cloud_shell::PATH)
  }

  /// Azure ML's `MSI_ENDPOINT`.
  pub fn azure_ml_endpoint(&self) -> String {
    format!("{}{}", self.inner.shared.imds_endpoint, azure_ml::PATH)
  }

  /// The value Azure ML clients must send (`MSI_SECRET`).
  pub fn msi_secret(&self) -> String {
    self.inner.shared.msi_secret.clone()
  }

  /// Address of the HTTPS (Entra + admin) listener.
  pub fn token_addr(&self) -> SocketAddr {
    self.inner.token_addr
  }

  /// Address of the plain-HTTP IMDS listener.
  pub fn imds_addr(&self) -> SocketAddr {
    self.inner.imds_addr
  }

  /// PEM of the CA that signed the server certificate.
  pub fn ca_pem(&self) -> String {
    self.inner.shared.ca_pem.clone()
  }

  /// That PEM on disk, e.g. for `NODE_EXTRA_CA_CERTS`.
  pub fn ca_file(&self) -> PathBuf {
    self.inner.shared.ca_file.clone()
  }

  /// The registry, settings, faults and counters (also reachable through `Deref`).
  pub fn state(&self) -> &EmulatorState {
    &self.inner.shared.state
  }

  /// `{"authorityHost","imdsEndpoint","caFile","tenantId","clientId"}` as printed by the binary.
  pub fn info_json(&self) -> serde_json::Value {
    self.inner.shared.info()
  }

  /// A user's access token for `audience` (an app id or `api://…`), signed by this
  /// emulator, as the user assertion of an on-behalf-of request. `expires_in_secs` may be
  /// negative to make an expired one.
  pub fn issue_user_token(
    &self,
    tenant: &str,
    audience: &str,
    upn: &str,
    expires_in_secs: i64,
  ) -> String {
    crate::on_behalf_of::user_token(&self.inner.shared, tenant, audience, upn, expires_in_secs)
  }

  /// Rejects an app whose certificates are not PEM RSA certificates.
  pub fn validate_app(&self, app: &crate::AppRegistration) -> Result<(), String> {
    crate::client_assertion::validate_certificates(app)
  }

  /// The URL to set as `SYSTEM_OIDCREQUESTURI` for `AzurePipelinesCredential`.
  pub fn pipelines_oidc_uri(&self) -> String {
    format!("{}{}", self.inner.shared.authority_host, crate::pipelines::OIDC_PATH)
  }

  /// Stops accepting, closes both listeners and open connections. Idempotent.
  pub async fn shutdown(&self) {
    let _ = self.inner.shutdown.send(true);
    let tasks: Vec<JoinHandle<()>> =
      std::mem::take(&mut *self.inner.tasks.lock().unwrap_or_else(|e| e.into_inner()));
    for task in tasks {
      let _ = task.await;
    }
  }
}

impl Deref for Emulator {
  type Target = EmulatorState;

  fn deref(&self) -> &EmulatorState {
    self.state()
  }
}
