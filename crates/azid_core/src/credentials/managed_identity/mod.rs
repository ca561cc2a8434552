//! Managed identity: one module per source (IMDS, App Service, Azure Arc, Service
//! Fabric, Cloud Shell, Azure ML), one `Endpoint` variant each.

mod app_service;
mod arc;
mod arc_key;
mod azure_ml;
mod cloud_shell;
mod common;
mod imds;
mod probe;
mod service_fabric;

pub use probe::probe_imds;

use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::engine::{BoxFuture, TokenSource};
use crate::error::{Error, Result};
use crate::http::{RetryPolicy, Thumbprint, Transport, TransportKind};
use crate::request::TokenRequest;
use crate::secret::Secret;
use crate::token::AccessToken;
use common::Ctx;

pub use arc::DEFAULT_ENDPOINT as ARC_DEFAULT_ENDPOINT;

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
  /// `IDENTITY_ENDPOINT` with `IDENTITY_HEADER` (App Service, Functions, Container Apps).
  AppService { endpoint: String, header: Secret },
  /// `IDENTITY_ENDPOINT` of the Connected Machine agent.
  AzureArc { endpoint: String },
  /// `IDENTITY_ENDPOINT`, `IDENTITY_HEADER` and `IDENTITY_SERVER_THUMBPRINT`.
  ServiceFabric { endpoint: String, header: Secret, thumbprint: String },
  /// `MSI_ENDPOINT` alone.
  CloudShell { endpoint: String },
  /// `MSI_ENDPOINT` with `MSI_SECRET`; `DEFAULT_IDENTITY_CLIENT_ID` names the compute's identity.
  AzureMl { endpoint: String, secret: Secret, default_client_id: Option<String> },
}

impl Endpoint {
  pub fn source_name(&self) -> &'static str {
    match self {
      Endpoint::Imds { .. } => "IMDS",
      Endpoint::AppService { .. } => app_service::SOURCE,
      Endpoint::AzureArc { .. } => arc::SOURCE,
      Endpoint::ServiceFabric { .. } => service_fabric::SOURCE,
      Endpoint::CloudShell { .. } => cloud_shell::SOURCE,
      Endpoint::AzureMl { .. } => azure_ml::SOURCE,
    }
  }

  /// The source, its address and settings; a secret header only as a SHA-256 hash.
  fn key(&self) -> String {
    let hash = |s: &Secret| format!("{:x}", Sha256::digest(s.expose().as_bytes()));
    match self {
      Endpoint::Imds { base } => format!("imds|{base}"),
      Endpoint::AppService { endpoint, header } => {
        format!("app_service|{endpoint}|{}", hash(header))
      }
      Endpoint::AzureArc { endpoint } => format!("arc|{endpoint}"),
      Endpoint::ServiceFabric { endpoint, header, thumbprint } => {
        format!("service_fabric|{endpoint}|{}|{}", hash(header), thumbprint.to_ascii_lowercase())
      }
      Endpoint::CloudShell { endpoint } => format!("cloud_shell|{endpoint}"),
      Endpoint::AzureMl { endpoint, secret, default_client_id } => {
        format!("azure_ml|{endpoint}|{}|{default_client_id:?}", hash(secret))
      }
    }
  }
}

#[derive(Debug, Clone)]
pub struct ManagedIdentityConfig {
  pub endpoint: Endpoint,
  pub id: Option<UserAssignedId>,
  pub retry: RetryPolicy,
}

impl ManagedIdentityConfig {
  pub fn engine_key(&self) -> String {
    format!("managed_identity|{}|{:?}|{:?}", self.endpoint.key(), self.id, self.retry)
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
      Endpoint::AppService { endpoint, .. } => app_service::validate(endpoint)?,
      Endpoint::AzureArc { endpoint } => arc::validate(endpoint)?,
      Endpoint::ServiceFabric { endpoint, .. } => service_fabric::validate(endpoint)?,
      Endpoint::CloudShell { endpoint } => cloud_shell::validate(endpoint)?,
      Endpoint::AzureMl { endpoint, .. } => azure_ml::validate(endpoint)?,
    }
    // Managed identity endpoints are local: never through a proxy. Service Fabric
    // needs its own client for its certificate rule.
    let transport = match &config.endpoint {
      Endpoint::ServiceFabric { thumbprint, .. } => {
        Transport::service_fabric(Thumbprint::parse(thumbprint)?)?
      }
      _ => Transport::shared(TransportKind::Direct)?,
    };
    Ok(Self { config, transport })
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
    let source = self.config.endpoint.source_name();
    match &self.config.id {
      Some(id) => format!("ManagedIdentityCredential({source}, {})", id.describe()),
      None => format!("ManagedIdentityCredential({source}, system-assigned)"),
    }
  }

  fn fetch(self: Arc<Self>, request: TokenRequest) -> BoxFuture<Result<AccessToken>> {
    Box::pin(async move {
      let resource = resource_of(&request)?;
      let label = self.label();
      let ctx = |env_name| Ctx {
        label: &label,
        env_name,
        transport: &self.transport,
        policy: &self.config.retry,
        id: self.config.id.as_ref(),
      };
      match &self.config.endpoint {
        Endpoint::Imds { base } => {
          imds::fetch(
            &label,
            &self.transport,
            &self.config.retry,
            base,
            self.config.id.as_ref(),
            &resource,
          )
          .await
        }
        Endpoint::AppService { endpoint, header } => {
          app_service::fetch(&ctx("IDENTITY_ENDPOINT"), endpoint, header, &resource).await
        }
        Endpoint::AzureArc { endpoint } => {
          arc::fetch(&ctx("IDENTITY_ENDPOINT"), endpoint, &resource).await
        }
        Endpoint::ServiceFabric { endpoint, header, .. } => {
          service_fabric::fetch(&ctx("IDENTITY_ENDPOINT"), endpoint, header, &resource).await
        }
        Endpoint::CloudShell { endpoint } => {
          cloud_shell::fetch(&ctx("MSI_ENDPOINT"), endpoint, &resource).await
        }
        Endpoint::AzureMl { endpoint, secret, default_client_id } => {
          azure_ml::fetch(
            &ctx("MSI_ENDPOINT"),
            endpoint,
            secret,
            default_client_id.as_deref(),
            &resource,
          )
          .await
        }
      }
    })
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn engine_key_names_the_source_and_hides_the_header() {
    let config = |header: &str| ManagedIdentityConfig {
      endpoint: Endpoint::AppService {
        endpoint: "http://127.0.0.1:1/msi/token".into(),
        header: Secret::new(header),
      },
      id: None,
      retry: RetryPolicy::managed_identity_source(),
    };
    let key = config("very-secret-header").engine_key();
    assert!(key.contains("app_service|http://127.0.0.1:1/msi/token"), "{key}");
    assert!(!key.contains("very-secret-header"));
    assert_ne!(key, config("another-header").engine_key());
  }
}
