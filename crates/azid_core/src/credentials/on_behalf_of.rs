//! On-behalf-of (§1.5): a middle-tier service trades the user's access token for a token
//! to a downstream API, proving itself with a client secret or a certificate.

use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::client_certificate::ClientCertificateSource;
use super::entra::{ClientAuth, EntraClient, Grant};
use crate::engine::{BoxFuture, TokenSource};
use crate::error::{Error, Result};
use crate::request::TokenRequest;
use crate::secret::Secret;
use crate::token::AccessToken;

const NAME: &str = "OnBehalfOfCredential";

/// How the middle-tier app authenticates.
pub enum ClientProof {
  Secret(Secret),
  /// The certificate source signs the client assertion (its own token requests are unused).
  Certificate(Arc<ClientCertificateSource>),
}

pub struct OnBehalfOfSource {
  client: EntraClient,
  proof: ClientProof,
  user_assertion: Secret,
}

impl OnBehalfOfSource {
  pub fn new(client: EntraClient, proof: ClientProof, user_assertion: Secret) -> Result<Self> {
    if user_assertion.expose().trim().is_empty() {
      return Err(Error::invalid(
        "OnBehalfOfCredential: userAssertionToken is empty; pass the access token your API received from the user.",
      ));
    }
    Ok(Self { client, proof, user_assertion })
  }

  /// Part of the engine key: the user assertion only as a hash, so one engine (and cache)
  /// serves one user and the token never appears in the key.
  pub fn user_key(user_assertion: &Secret) -> String {
    format!("{:x}", Sha256::digest(user_assertion.expose().as_bytes()))
  }
}

impl TokenSource for OnBehalfOfSource {
  fn label(&self) -> String {
    format!("{NAME}(tenant={}, client={})", self.client.tenant_id, self.client.client_id)
  }

  fn fetch(self: Arc<Self>, request: TokenRequest) -> BoxFuture<Result<AccessToken>> {
    Box::pin(async move {
      let label = self.label();
      let grant = Grant::OnBehalfOf { user_assertion: &self.user_assertion };
      match &self.proof {
        ClientProof::Secret(s) => {
          self.client.request_token(&label, &request, grant, ClientAuth::Secret(s)).await
        }
        ClientProof::Certificate(cert) => {
          let audience = self.client.token_url(self.client.tenant_for(&request));
          let signer = cert.clone();
          let assertion = tokio::task::spawn_blocking(move || signer.client_assertion(&audience))
            .await
            .map_err(|_| {
              Error::unavailable(format!("{label}: signing the client assertion failed"))
            })??;
          self
            .client
            .request_token(&label, &request, grant, ClientAuth::Assertion(&assertion))
            .await
        }
      }
    })
  }
}
