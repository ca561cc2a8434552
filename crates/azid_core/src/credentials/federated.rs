//! Client credentials with an assertion from elsewhere (§1.4): a federated token file
//! (workload identity), a JS callback (ClientAssertionCredential) or Azure Pipelines' OIDC
//! endpoint. The source asks its [`AssertionProvider`] each time it needs a token.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::entra::{ClientAuth, EntraClient, Grant};
use super::watched_file::WatchedFile;
use crate::engine::{BoxFuture, TokenSource};
use crate::error::{Error, Result};
use crate::log::Level;
use crate::request::TokenRequest;
use crate::secret::Secret;
use crate::token::AccessToken;

/// Supplies the client assertion.
pub trait AssertionProvider: Send + Sync + 'static {
  fn assertion(self: Arc<Self>) -> BoxFuture<Result<Secret>>;
  /// Entra rejected the last assertion: do not serve it again from a cache.
  fn rejected(&self) {}
}

pub struct FederatedSource {
  name: &'static str,
  client: EntraClient,
  provider: Arc<dyn AssertionProvider>,
}

impl FederatedSource {
  /// `name` is the credential class, for labels and errors.
  pub fn new(
    name: &'static str,
    client: EntraClient,
    provider: Arc<dyn AssertionProvider>,
  ) -> Self {
    Self { name, client, provider }
  }
}

impl TokenSource for FederatedSource {
  fn label(&self) -> String {
    format!("{}(tenant={}, client={})", self.name, self.client.tenant_id, self.client.client_id)
  }

  fn fetch(self: Arc<Self>, request: TokenRequest) -> BoxFuture<Result<AccessToken>> {
    Box::pin(async move {
      let label = self.label();
      let assertion = self.provider.clone().assertion().await.map_err(|e| prefix(&label, e))?;
      let result = self
        .client
        .request_token(
          &label,
          &request,
          Grant::ClientCredentials,
          ClientAuth::Assertion(&assertion),
        )
        .await;
      if matches!(result, Err(Error::AuthenticationFailed { .. })) {
        self.provider.rejected();
      }
      result
    })
  }
}

/// Names the credential in a provider's error.
fn prefix(label: &str, e: Error) -> Error {
  match e {
    Error::Unavailable { message, status_code, error_response } => {
      Error::Unavailable { message: format!("{label}: {message}"), status_code, error_response }
    }
    other => other,
  }
}

/// How long a federated token read from its file is used before reading it again.
const TOKEN_FILE_MAX_AGE: Duration = Duration::from_secs(300);
/// How often the file is checked for a rotation (one stat).
const TOKEN_FILE_RECHECK: Duration = Duration::from_secs(2);

/// The kubelet-projected service account token (`AZURE_FEDERATED_TOKEN_FILE`).
pub struct TokenFile {
  file: WatchedFile<Secret>,
}

impl TokenFile {
  pub fn new(path: PathBuf) -> Self {
    let file = WatchedFile::new(path, TOKEN_FILE_RECHECK, Some(TOKEN_FILE_MAX_AGE), |bytes| {
      let text = String::from_utf8_lossy(bytes);
      let token = text.trim();
      if token.is_empty() {
        return Err(Error::unavailable(
          "the federated token file is empty; in AKS check the workload identity webhook and that the pod's service account is annotated with azure.workload.identity/client-id",
        ));
      }
      Ok(Secret::new(token))
    });
    Self { file }
  }
}

impl AssertionProvider for TokenFile {
  fn assertion(self: Arc<Self>) -> BoxFuture<Result<Secret>> {
    Box::pin(async move {
      let this = self.clone();
      tokio::task::spawn_blocking(move || {
        this
          .file
          .get(|e| {
            crate::azlog!(
              Level::Warning,
              "the federated token file {} changed but could not be read ({}); using the previous token",
              this.file.path().display(),
              e.code()
            )
          })
          .map(|t| (*t).clone())
      })
      .await
      .map_err(|_| Error::unavailable("reading the federated token file failed"))?
    })
  }

  fn rejected(&self) {
    self.file.invalidate();
  }
}
