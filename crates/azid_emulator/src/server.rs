//! Listeners, connections and routing: hyper 1 directly, so a fault can drop a connection.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::HeaderName;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::config::{DEFAULT_CLIENT_ID, DEFAULT_TENANT_ID};
use crate::errors::AadError;
use crate::faults::{Fault, MALFORMED_BODY};
use crate::http::{self, Body, Req};
use crate::jwt::TokenSigner;
use crate::route::Route;
use crate::state::EmulatorState;
use crate::{
  admin, app_service, arc, azure_ml, cloud_shell, discovery, imds, keyvault, pipelines,
  service_fabric, token_endpoint,
};

/// Token requests are small; anything bigger is a client bug or abuse.
const MAX_BODY_BYTES: usize = 1 << 20;
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Everything a handler needs, shared by all connections of one emulator.
#[derive(Debug)]
pub(crate) struct Shared {
  pub state: Arc<EmulatorState>,
  pub signer: TokenSigner,
  pub authority_host: String,
  pub imds_endpoint: String,
  pub ca_pem: String,
  pub ca_file: PathBuf,
  /// `https://127.0.0.1:<port>`: the Service Fabric listener.
  pub service_fabric_base: String,
  /// SHA-1 of the Service Fabric certificate, upper-case hex (as Windows shows it).
  pub service_fabric_thumbprint: String,
  /// What App Service and Service Fabric clients must send (`IDENTITY_HEADER`).
  pub identity_header: String,
  /// What Azure ML clients must send (`MSI_SECRET`).
  pub msi_secret: String,
  pub arc: arc::Challenges,
}

impl Shared {
  /// `host:port` of the HTTPS listener, as instance discovery advertises it.
  pub fn host_port(&self) -> &str {
    self.authority_host.strip_prefix("https://").unwrap_or(&self.authority_host)
  }

  /// Where to reach the emulator; what the binary prints and `/_emulator/info` returns.
  pub fn info(&self) -> Value {
    json!({
        "authorityHost": self.authority_host,
        "imdsEndpoint": self.imds_endpoint,
        "caFile": self.ca_file.to_string_lossy(),
        "appServiceEndpoint": format!("{}{}", self.imds_endpoint, app_service::PATH),
        "arcEndpoint": format!("{}{}", self.imds_endpoint, arc::PATH),
        "serviceFabricEndpoint": format!("{}{}", self.service_fabric_base, service_fabric::PATH),
        "serviceFabricThumbprint": self.service_fabric_thumbprint,
        "identityHeader": self.identity_header,
        "msiSecret": self.msi_secret,
        "cloudShellEndpoint": format!("{}{}", self.imds_endpoint, cloud_shell::PATH),
        "azureMlEndpoint": format!("{}{}", self.imds_endpoint, azure_ml::PATH),
        "tenantId": DEFAULT_TENANT_ID,
        "clientId": DEFAULT_CLIENT_ID,
    })
  }
}

/// Returned by the service to make hyper close the connection without writing a response.
#[derive(Debug)]
pub(crate) struct DropConnection;

impl fmt::Display for DropConnection {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("connection dropped by an injected fault")
  }
}

impl std::error::Error for DropConnection {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Listener {
  /// HTTPS: Entra ID endpoints and the admin API.
  Entra,
  /// Plain HTTP: IMDS and the other local managed identity endpoints.
  Imds,
  /// HTTPS with its own self-signed certificate: Service Fabric.
  ServiceFabric,
}

/// Accepts until `shutdown` changes or its sender is dropped; the listener closes with the task.
pub(crate) fn spawn_accept_loop(
  listener: TcpListener,
  kind: Listener,
  tls: Option<TlsAcceptor>,
  shared: Arc<Shared>,
  mut shutdown: watch::Receiver<bool>,
) -> JoinHandle<()> {
  tokio::spawn(async move {
    loop {
      let accepted = tokio::select! {
          _ = shutdown.changed() => break,
          accepted = listener.accept() => accepted,
      };
      match accepted {
        Ok((stream, _)) => {
          let _ = stream.set_nodelay(true);
          let conn = serve_connection(stream, kind, tls.clone(), shared.clone(), shutdown.clone());
          tokio::spawn(conn);
        }
        // Typically EMFILE under load: back off instead of spinning.
        Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
      }
    }
  })
}

async fn serve_connection(
  stream: tokio::net::TcpStream,
  kind: Listener,
  tls: Option<TlsAcceptor>,
  shared: Arc<Shared>,
  shutdown: watch::Receiver<bool>,
) {
  let service = service_fn(move |req| handle(shared.clone(), kind, req));
  match tls {
    Some(acceptor) => {
      let Ok(Ok(stream)) =
        tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(stream)).await
      else {
        return;
      };
      run_http1(TokioIo::new(stream), service, shutdown).await;
    }
    None => run_http1(TokioIo::new(stream), service, shutdown).await,
  }
}

async fn run_http1<I, S>(io: I, service: S, mut shutdown: watch::Receiver<bool>)
where
  I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
  S: hyper::service::Service<Request<Incoming>, Response = Response<Body>> + Send,
  S::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
  S::Future: Send + 'static,
{
  let conn =
    hyper::server::conn::http1::Builder::new().keep_alive(true).serve_connection(io, service);
  // On shutdown the connection is simply dropped, which closes the socket.
  tokio::select! {
      _ = conn => {}
      _ = shutdown.changed() => {}
  }
}

/// Which handler a request path belongs to.
enum Target<'a> {
  Admin,
  Entra(Route, &'a str),
  ManagedIdentity(Route),
  NotFound,
}

fn classify(kind: Listener, path: &str) -> Target<'_> {
  // msal-node asks for the path with a trailing slash; real IMDS accepts both.
  let trimmed = if path.len() > 1 { path.trim_end_matches('/') } else { path };
  if kind == Listener::ServiceFabric {
    return if trimmed == service_fabric::PATH {
      Target::ManagedIdentity(Route::ServiceFabric)
    } else {
      Target::NotFound
    };
  }
  if kind == Listener::Imds {
    return match trimmed {
      imds::TOKEN_PATH => Target::ManagedIdentity(Route::Imds),
      app_service::PATH => Target::ManagedIdentity(Route::AppService),
      arc::PATH => Target::ManagedIdentity(Route::AzureArc),
      cloud_shell::PATH => Target::ManagedIdentity(Route::CloudShell),
      azure_ml::PATH => Target::ManagedIdentity(Route::AzureMl),
      _ => Target::NotFound,
    };
  }
  if path == pipelines::OIDC_PATH {
    return Target::Entra(Route::PipelinesOidc, "");
  }
  if path == admin::PREFIX || path.starts_with("/_emulator/") {
    return Target::Admin;
  }
  let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
  match segments.as_slice() {
    ["common", "discovery", "instance"] => Target::Entra(Route::InstanceDiscovery, "common"),
    [t, "oauth2", "v2.0", "token"] => Target::Entra(Route::Token, t),
    [t, "v2.0", ".well-known", "openid-configuration"] => {
      Target::Entra(Route::OpenIdConfiguration, t)
    }
    [t, "discovery", "v2.0", "keys"] => Target::Entra(Route::Jwks, t),
    ["secrets", ..] => Target::Entra(Route::KeyVault, ""),
    _ => Target::NotFound,
  }
}

async fn handle(
  shared: Arc<Shared>,
  kind: Listener,
  req: Request<Incoming>,
) -> Result<Response<Body>, DropConnection> {
  let (parts, body) = req.into_parts();
  let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
    Ok(collected) => collected.to_bytes(),
    Err(_) => return Ok(http::json(413, r#"{"error":"request_too_large"}"#)),
  };
  let query = parts
    .uri
    .query()
    .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
    .unwrap_or_default();
  let req = Req {
    method: parts.method,
    path: parts.uri.path().to_string(),
    query,
    headers: parts.headers,
    body,
  };

  let path = req.path.clone();
  let (route, tenant) = match classify(kind, &path) {
        Target::Admin => return Ok(admin::handle(&shared, &req)),
        Target::NotFound if kind != Listener::Entra => return Ok(imds::not_found()),
        Target::NotFound => {
            return Ok(http::json(
                404,
                json!({"error": "not_found", "error_description": format!("The azid emulator has no route {}", req.path)}).to_string(),
            ))
        }
        Target::ManagedIdentity(route) => (route, ""),
        Target::Entra(route, tenant) => (route, tenant),
    };

  // Counted before faults, so faulted requests count too.
  shared.state.count(route);
  if let Some(fault) = shared.state.take_fault(route) {
    if fault.latency_ms > 0 {
      tokio::time::sleep(Duration::from_millis(fault.latency_ms)).await;
    }
    if fault.drop_connection {
      return Err(DropConnection);
    }
    if !fault.is_latency_only() {
      return Ok(fault_response(route, &fault, &req));
    }
  }

  Ok(match route {
    Route::Token => token_endpoint::handle(&shared, &req, tenant),
    Route::OpenIdConfiguration => discovery::openid_configuration(&shared, &req, tenant),
    Route::Jwks => discovery::jwks(&shared, &req, tenant),
    Route::InstanceDiscovery => discovery::instance_discovery(&shared, &req),
    Route::Imds => imds::handle(&shared, &req),
    Route::AppService => app_service::handle(&shared, &req),
    Route::AzureArc => arc::handle(&shared, &req),
    Route::ServiceFabric => service_fabric::handle(&shared, &req),
    Route::CloudShell => cloud_shell::handle(&shared, &req),
    Route::AzureMl => azure_ml::handle(&shared, &req),
    Route::PipelinesOidc => pipelines::handle(&shared, &req),
    Route::KeyVault => keyvault::handle(&shared, &req),
  })
}

/// The response of a fault with a status or a malformed body, in the route's own dialect.
fn fault_response(route: Route, fault: &Fault, req: &Req) -> Response<Body> {
  let status = fault.status.unwrap_or(200);
  // x-ms-request-id must equal the body's trace_id.
  let trace_id = uuid::Uuid::new_v4().to_string();
  let echoed = req.client_request_id(&req.form());
  let mut resp = if let Some(body) = &fault.body {
    http::json(status, body.clone())
  } else if fault.malformed_body {
    http::json(status, MALFORMED_BODY)
  } else if route == Route::KeyVault {
    http::json(status, keyvault::fault_body(status))
  } else if route.is_entra() {
    let correlation_id = echoed.clone().unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
    http::json(status, AadError::for_fault_status(status).body(&trace_id, &correlation_id))
  } else {
    imds::fault_error(status)
  };
  if route.is_entra() {
    http::add_entra_headers(&mut resp, &trace_id, echoed.as_deref());
  } else if route == Route::Imds {
    resp = imds::with_server_header(resp);
  }
  if let Some(retry_after) = &fault.retry_after {
    http::set_header(&mut resp, HeaderName::from_static("retry-after"), retry_after);
  }
  resp
}
