//! `NativeCredential`: one engine (shared process-wide by configuration) seen from JS.

use std::sync::Arc;

use azid_core::credentials::developer_cli::{
  AzureCli, AzureDeveloperCli, AzurePowerShell, CliConfig, CliTool, DeveloperCliSource,
  DEFAULT_TIMEOUT,
};
use azid_core::credentials::entra::resolve_region;
use azid_core::credentials::managed_identity::Endpoint;
use azid_core::credentials::{
  ClientSecretConfig, ClientSecretSource, ManagedIdentityConfig, ManagedIdentitySource,
  UserAssignedId,
};
use azid_core::http::RetryPolicy;
use azid_core::{Engine, Secret, TokenRequest, TokenSource};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::error::to_napi;
use crate::options::{
  NativeAccessToken, NativeClientSecretOptions, NativeDeveloperCliOptions,
  NativeManagedIdentityOptions, NativeRetryOptions,
};
use crate::token_cache;

/// One engine per developer tool and configuration.
fn developer_cli<T: CliTool>(tool: T, options: &NativeDeveloperCliOptions) -> Result<Arc<Engine>> {
  let config = CliConfig {
    tenant_id: options.tenant_id.clone().filter(|t| !t.is_empty()),
    timeout: options
      .process_timeout_in_ms
      .map_or(DEFAULT_TIMEOUT, |ms| std::time::Duration::from_millis(ms.into())),
  };
  let key = DeveloperCliSource::engine_key(&tool, &config);
  let cache = token_cache::to_config(options.token_cache.as_ref())?;
  Engine::shared_cached(&key, cache.as_ref(), || {
    Ok(Arc::new(DeveloperCliSource::new(tool, config)?) as Arc<dyn TokenSource>)
  })
  .map_err(to_napi)
}

/// The `Endpoint` for the source the facade detected, from the values it read from the environment.
fn mi_endpoint(
  source: &str,
  o: &NativeManagedIdentityOptions,
) -> std::result::Result<Endpoint, azid_core::Error> {
  let need = |v: &Option<String>, name: &str| {
    v.clone().filter(|v| !v.is_empty()).ok_or_else(|| {
      azid_core::Error::invalid(format!(
        "ManagedIdentityCredential: the {source} source needs {name}, which is empty."
      ))
    })
  };
  Ok(match source {
    "imds" => Endpoint::Imds { base: o.imds_endpoint.clone() },
    "appService" => Endpoint::AppService {
      endpoint: need(&o.endpoint, "IDENTITY_ENDPOINT")?,
      header: Secret::new(need(&o.identity_header, "IDENTITY_HEADER")?),
    },
    "azureArc" => Endpoint::AzureArc {
      endpoint: o
        .endpoint
        .clone()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| azid_core::credentials::managed_identity::ARC_DEFAULT_ENDPOINT.into()),
    },
    "serviceFabric" => Endpoint::ServiceFabric {
      endpoint: need(&o.endpoint, "IDENTITY_ENDPOINT")?,
      header: Secret::new(need(&o.identity_header, "IDENTITY_HEADER")?),
      thumbprint: need(&o.server_thumbprint, "IDENTITY_SERVER_THUMBPRINT")?,
    },
    "cloudShell" => Endpoint::CloudShell { endpoint: need(&o.endpoint, "MSI_ENDPOINT")? },
    "azureMl" => Endpoint::AzureMl {
      endpoint: need(&o.endpoint, "MSI_ENDPOINT")?,
      secret: Secret::new(need(&o.identity_header, "MSI_SECRET")?),
      default_client_id: o.default_client_id.clone().filter(|v| !v.is_empty()),
    },
    other => {
      return Err(azid_core::Error::invalid(format!(
        "ManagedIdentityCredential: unknown managed identity source '{other}'."
      )))
    }
  })
}

#[napi]
pub struct NativeCredential {
  pub(crate) engine: Arc<Engine>,
}

impl NativeCredential {
  /// The engine, for native clients that take their tokens straight from it.
  pub(crate) fn engine(&self) -> Arc<Engine> {
    self.engine.clone()
  }
}

#[napi]
impl NativeCredential {
  #[napi(factory)]
  pub fn client_secret(options: NativeClientSecretOptions) -> Result<Self> {
    let cache = token_cache::to_config(options.token_cache.as_ref())?;
    let config = ClientSecretConfig {
      authority_host: options.authority_host,
      tenant_id: options.tenant_id,
      client_id: options.client_id,
      client_secret: Secret::new(options.client_secret),
      source_id: options.source_id.filter(|s| !s.is_empty()),
      retry: NativeRetryOptions::apply(options.retry.as_ref(), RetryPolicy::entra()),
      region: resolve_region(options.regional_authority.as_deref(), options.region_name.as_deref()),
    };
    let key = config.engine_key();
    let engine = Engine::shared_cached(&key, cache.as_ref(), || {
      Ok(Arc::new(ClientSecretSource::new(config)?) as Arc<dyn TokenSource>)
    })
    .map_err(to_napi)?;
    Ok(Self { engine })
  }

  #[napi(factory)]
  pub fn managed_identity(options: NativeManagedIdentityOptions) -> Result<Self> {
    let cache = token_cache::to_config(options.token_cache.as_ref())?;
    let id =
      match (options.client_id.clone(), options.object_id.clone(), options.resource_id.clone()) {
        (Some(c), None, None) => Some(UserAssignedId::ClientId(c)),
        (None, Some(o), None) => Some(UserAssignedId::ObjectId(o)),
        (None, None, Some(r)) => Some(UserAssignedId::ResourceId(r)),
        (None, None, None) => None,
        _ => {
          return Err(to_napi(azid_core::Error::invalid(
            "ManagedIdentityCredential: specify at most one of clientId, objectId and resourceId.",
          )))
        }
      };
    let source = options.source.as_deref().unwrap_or("imds");
    let retry =
      if source == "imds" { RetryPolicy::imds() } else { RetryPolicy::managed_identity_source() };
    let config = ManagedIdentityConfig {
      endpoint: mi_endpoint(source, &options).map_err(to_napi)?,
      id,
      retry: NativeRetryOptions::apply(options.retry.as_ref(), retry),
    };
    let key = config.engine_key();
    let engine = Engine::shared_cached(&key, cache.as_ref(), || {
      Ok(Arc::new(ManagedIdentitySource::new(config)?) as Arc<dyn TokenSource>)
    })
    .map_err(to_napi)?;
    Ok(Self { engine })
  }

  #[napi(factory)]
  pub fn azure_cli(options: NativeDeveloperCliOptions) -> Result<Self> {
    let tool = AzureCli::new(
      options.subscription.clone().filter(|s| !s.is_empty()),
      options.local_offset_minutes.unwrap_or(0),
    )
    .map_err(to_napi)?;
    Ok(Self { engine: developer_cli(tool, &options)? })
  }

  #[napi(factory)]
  pub fn azure_developer_cli(options: NativeDeveloperCliOptions) -> Result<Self> {
    Ok(Self { engine: developer_cli(AzureDeveloperCli, &options)? })
  }

  #[napi(factory)]
  pub fn azure_power_shell(options: NativeDeveloperCliOptions) -> Result<Self> {
    Ok(Self { engine: developer_cli(AzurePowerShell, &options)? })
  }

  /// The cached token if it is fresh, else `null`; never waits and creates no Promise.
  #[napi]
  pub fn get_token_sync(
    &self,
    scopes: Vec<String>,
    tenant_id: Option<String>,
    enable_cae: Option<bool>,
  ) -> Result<Option<NativeAccessToken>> {
    let request =
      TokenRequest::new(&scopes, tenant_id, None, enable_cae.unwrap_or(false)).map_err(to_napi)?;
    Ok(self.engine.get_fresh(&request).map(|t| NativeAccessToken::from(t.as_ref())))
  }

  /// A token: cached, shared with concurrent callers, or fetched (`forceRefresh` skips the cache).
  #[napi]
  pub async fn get_token(
    &self,
    scopes: Vec<String>,
    tenant_id: Option<String>,
    claims: Option<String>,
    enable_cae: Option<bool>,
    force_refresh: Option<bool>,
  ) -> Result<NativeAccessToken> {
    let request = TokenRequest::new(&scopes, tenant_id, claims, enable_cae.unwrap_or(false))
      .map_err(to_napi)?
      .forced(force_refresh.unwrap_or(false));
    let engine = self.engine.clone();
    let (token, from_cache) = engine.get_token_traced(request).await.map_err(to_napi)?;
    Ok(NativeAccessToken { from_cache, ..NativeAccessToken::from(token.as_ref()) })
  }

  /// Hands a rotated secret to the engine: later requests send it; the cache is kept.
  #[napi]
  pub fn replace_secret(&self, secret: String) -> Result<()> {
    self.engine.replace_secret(Secret::new(secret)).map_err(to_napi)
  }

  /// Hands a rotated certificate (PEM or PKCS#12 bytes) to the engine; a certificate that
  /// does not parse is an error and the current one stays in use.
  #[napi]
  pub fn replace_certificate(&self, certificate: Buffer) -> Result<()> {
    self.engine.replace_certificate(&certificate).map_err(to_napi)
  }

  /// The credential as log lines name it (no secrets).
  #[napi(getter)]
  pub fn label(&self) -> String {
    self.engine.label().to_string()
  }

  /// Upstream requests this engine has started (shared by every object with the same config).
  #[napi(getter)]
  pub fn upstream_requests(&self) -> f64 {
    self.engine.upstream_requests() as f64
  }
}

/// Engines alive in this process: credentials of one configuration share one, and an
/// engine is freed when no credential (in any thread) uses it any more.
#[napi]
pub fn live_engine_count() -> u32 {
  Engine::live_count() as u32
}
