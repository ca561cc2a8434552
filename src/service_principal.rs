//! Factories of the service principal and federation credentials: certificate, client
//! assertion (JS callback), workload identity, Azure Pipelines and on-behalf-of.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use azid_core::credentials::entra::{resolve_region, EntraClient};
use azid_core::credentials::federated::{AssertionProvider, FederatedSource, TokenFile};
use azid_core::credentials::on_behalf_of::{ClientProof, OnBehalfOfSource};
use azid_core::credentials::pipelines::PipelinesOidc;
use azid_core::credentials::{CertificateInput, ClientCertificateConfig, ClientCertificateSource};
use azid_core::http::RetryPolicy;
use azid_core::{Engine, Error, Secret, TokenSource};
use napi::bindgen_prelude::*;
use napi_derive::napi;

use crate::assertion_callback::{AssertionCallback, JsAssertion};
use crate::credential::NativeCredential;
use crate::error::to_napi;
use crate::options::{
  NativeAzurePipelinesOptions, NativeCertificateOptions, NativeClientCertificateOptions,
  NativeEntraOptions, NativeOnBehalfOfOptions, NativeRetryOptions, NativeWorkloadIdentityOptions,
};
use crate::token_cache;

/// How long a `getAssertion` callback may take, unless the options say otherwise.
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(30);

fn entra_client(name: &str, o: &NativeEntraOptions) -> azid_core::Result<EntraClient> {
  let retry = NativeRetryOptions::apply(o.retry.as_ref(), RetryPolicy::entra());
  let mut client = EntraClient::new(name, &o.authority_host, &o.tenant_id, &o.client_id, retry)?;
  client.region = resolve_region(o.regional_authority.as_deref(), o.region_name.as_deref());
  Ok(client)
}

fn certificate_config(
  e: &NativeEntraOptions,
  c: NativeCertificateOptions,
) -> azid_core::Result<ClientCertificateConfig> {
  let input = match (c.source_id, c.certificate_path, c.certificate, c.certificate_bytes) {
    // A rotating source: its first value, when already known, is checked now.
    (Some(source_id), None, pem, bytes) => CertificateInput::Rotating {
      source_id,
      initial: pem.map(String::into_bytes).or(bytes.map(|b| b.to_vec())),
    },
    (None, Some(p), None, None) if !p.trim().is_empty() => CertificateInput::Path(PathBuf::from(p)),
    (None, None, Some(pem), None) if !pem.trim().is_empty() => {
      CertificateInput::Bytes(pem.into_bytes())
    }
    (None, None, None, Some(b)) if !b.is_empty() => CertificateInput::Bytes(b.to_vec()),
    _ => {
      return Err(Error::invalid(
        "ClientCertificateCredential: pass exactly one of certificatePath, certificate (PEM text), certificate bytes or certificateSource.",
      ))
    }
  };
  Ok(ClientCertificateConfig {
    authority_host: e.authority_host.clone(),
    tenant_id: e.tenant_id.clone(),
    client_id: e.client_id.clone(),
    certificate: input,
    password: c.certificate_password.filter(|p| !p.is_empty()).map(Secret::new),
    send_chain: c.send_certificate_chain.unwrap_or(false),
    retry: NativeRetryOptions::apply(e.retry.as_ref(), RetryPolicy::entra()),
    region: resolve_region(e.regional_authority.as_deref(), e.region_name.as_deref()),
  })
}

/// The engine for `key`, with the shared/file cache the options name (if any).
fn shared(
  entra: &NativeEntraOptions,
  key: &str,
  make: impl FnOnce() -> azid_core::Result<Arc<dyn TokenSource>>,
) -> Result<NativeCredential> {
  let cache = token_cache::to_config(entra.token_cache.as_ref())?;
  Ok(NativeCredential {
    engine: Engine::shared_cached(key, cache.as_ref(), make).map_err(to_napi)?,
  })
}

fn federated(
  name: &'static str,
  key: &str,
  entra: &NativeEntraOptions,
  provider: impl FnOnce() -> azid_core::Result<Arc<dyn AssertionProvider>>,
) -> Result<NativeCredential> {
  let client = entra_client(name, entra).map_err(to_napi)?;
  let key = format!("{name}|{}|{key}", client.key());
  shared(entra, &key, || {
    Ok(Arc::new(FederatedSource::new(name, client, provider()?)) as Arc<dyn TokenSource>)
  })
}

#[napi]
impl NativeCredential {
  #[napi(factory)]
  pub fn client_certificate(options: NativeClientCertificateOptions) -> Result<Self> {
    let config = certificate_config(&options.entra, options.certificate).map_err(to_napi)?;
    let key = config.engine_key();
    shared(&options.entra, &key, || {
      Ok(Arc::new(ClientCertificateSource::new(config)?) as Arc<dyn TokenSource>)
    })
  }

  /// Every object gets its own engine: two callbacks cannot be told to be the same.
  #[napi(
    factory,
    ts_args_type = "entra: NativeEntraOptions, getAssertion: () => Promise<string>, timeoutMs?: number | undefined | null"
  )]
  pub fn client_assertion(
    entra: NativeEntraOptions,
    get_assertion: AssertionCallback,
    timeout_ms: Option<u32>,
  ) -> Result<Self> {
    let timeout = timeout_ms.map_or(CALLBACK_TIMEOUT, |ms| Duration::from_millis(ms.into()));
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    federated("ClientAssertionCredential", &format!("callback#{id}"), &entra, || {
      Ok(Arc::new(JsAssertion { callback: get_assertion, timeout }) as Arc<dyn AssertionProvider>)
    })
  }

  #[napi(factory)]
  pub fn workload_identity(options: NativeWorkloadIdentityOptions) -> Result<Self> {
    let path = PathBuf::from(&options.token_file_path);
    federated("WorkloadIdentityCredential", &options.token_file_path, &options.entra, || {
      Ok(Arc::new(TokenFile::new(path)) as Arc<dyn AssertionProvider>)
    })
  }

  #[napi(factory)]
  pub fn azure_pipelines(options: NativeAzurePipelinesOptions) -> Result<Self> {
    let token = Secret::new(options.system_access_token);
    let key = format!(
      "{}|{}|{}",
      options.oidc_request_uri,
      options.service_connection_id,
      OnBehalfOfSource::user_key(&token)
    );
    let retry = NativeRetryOptions::apply(options.entra.retry.as_ref(), RetryPolicy::entra());
    federated("AzurePipelinesCredential", &key, &options.entra, || {
      Ok(Arc::new(PipelinesOidc::new(
        &options.oidc_request_uri,
        &options.service_connection_id,
        token,
        retry,
      )?) as Arc<dyn AssertionProvider>)
    })
  }

  #[napi(factory)]
  pub fn on_behalf_of(options: NativeOnBehalfOfOptions) -> Result<Self> {
    let name = "OnBehalfOfCredential";
    let client = entra_client(name, &options.entra).map_err(to_napi)?;
    let user = Secret::new(options.user_assertion_token);
    let (proof, proof_key) = match (options.client_secret, options.certificate) {
      (Some(s), None) if !s.is_empty() => {
        let secret = Secret::new(s);
        let k = format!("secret:{}", OnBehalfOfSource::user_key(&secret));
        (ClientProof::Secret(secret), k)
      }
      (None, Some(c)) => {
        let config = certificate_config(&options.entra, c).map_err(to_napi)?;
        let k = config.engine_key();
        (
          ClientProof::Certificate(Arc::new(
            ClientCertificateSource::new(config).map_err(to_napi)?,
          )),
          k,
        )
      }
      _ => {
        return Err(to_napi(Error::invalid(
          "OnBehalfOfCredential: pass exactly one of clientSecret and certificatePath.",
        )))
      }
    };
    let key =
      format!("{name}|{}|{proof_key}|user:{}", client.key(), OnBehalfOfSource::user_key(&user));
    shared(&options.entra, &key, || {
      Ok(Arc::new(OnBehalfOfSource::new(client, proof, user)?) as Arc<dyn TokenSource>)
    })
  }
}
