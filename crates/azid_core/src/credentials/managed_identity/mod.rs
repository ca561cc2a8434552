//! Managed identity: one module per source (IMDS now; App Service, Arc, Service
//! Fabric, Cloud Shell and Azure ML plug in as further `Endpoint` variants).

mod imds;
mod probe;

pub use probe::probe_imds;

use std::sync::Arc;

use crate::engine::{BoxFuture, TokenSource};
use crate::error::{Error, Result};
use crate::http::{RetryPolicy, Transport, TransportKind};
use crate::request::TokenRequest;
use crate::token::AccessToken;

/// A user-assigned identity selector; `None` in the config means system-assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserAssignedId {
  ClientId(String),
  ObjectId(String),
  ResourceId(String),
}

impl UserAssignedId {
  fn describe(&self) -> String {
    match self {
      UserAssignedId::ClientId(id) => format!("clientId={id}"),
      UserAssignedId::ObjectId(id) => format!("objectId={id}"),
      UserAssignedId::ResourceId(id) => format!("resourceId={id}"),
    }
  }
}

/// Which managed identity endpoint to talk to; the facade picks it from the environment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
  /// The Instance Metadata Service; `base` is `http://169.254.169.254` or the
  /// `AZURE_POD_IDENTITY_AUTHORITY_HOST` override.
  Imds { base: String },
}

#[derive(Debug, Clone)]
pub struct ManagedIdentityConfig {
  pub endpoint: Endpoint,
  pub id: Option<UserAssignedId>,
  pub retry: RetryPolicy,
}

impl ManagedIdentityConfig {
  pub fn engine_key(&self) -> String {
    format!("managed_identity|{:?}|{:?}|{:?}", self.endpoint, self.id, self.retry)
  }
}

pub struct ManagedIdentitySource {
  config: ManagedIdentityConfig,
  transport: Transport,
}

impl ManagedIdentitySource {
  pub fn new(config: ManagedIdentityConfig) -> Result<Self> {
    match &config.endpoint {
      Endpoint::Imds { base } => imds::validate_base(base)?,
    }
    // Managed identity endpoints are local: never through a proxy.
    Ok(Self { config, transport: Transport::shared(TransportKind::Direct)? })
  }
}

/// Managed identity takes exactly one scope; the resource is that scope without `/.default`.
pub fn resource_of(request: &TokenRequest) -> Result<String> {
  match request.scopes.as_slice() {
    [scope] => Ok(scope.strip_suffix("/.default").unwrap_or(scope).to_string()),
    _ => Err(Error::invalid(format!(
      "ManagedIdentityCredential: only one scope is supported per request, got {}. Request one resource at a time, e.g. 'https://management.azure.com/.default'.",
      request.scopes.len()
    ))),
  }
}

impl TokenSource for ManagedIdentitySource {
  fn label(&self) -> String {
    let source = match &self.config.endpoint {
      Endpoint::Imds { .. } => "IMDS",
    };
    match &self.config.id {
      Some(id) => format!("ManagedIdentityCredential({source}, {})", id.describe()),
      None => format!("ManagedIdentityCredential({source}, system-assigned)"),
    }
  }

  fn fetch(self: Arc<Self>, request: TokenRequest) -> BoxFuture<Result<AccessToken>> {
    Box::pin(async move {
      let resource = resource_of(&request)?;
      match &self.config.endpoint {
        Endpoint::Imds { base } => {
          imds::fetch(
            &self.label(),
            &self.transport,
            &self.config.retry,
            base,
            self.config.id.as_ref(),
            &resource,
          )
          .await
        }
      }
    })
  }
}
