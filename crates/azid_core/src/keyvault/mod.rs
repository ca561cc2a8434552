//! A Key Vault secrets client: challenge authentication, get, list and versions with
//! paging, retries on 429 and 5xx, and typed errors. Tokens come straight from an azid
//! engine, or from the caller per request (for credentials azid does not own).

mod challenge;
mod client;
mod errors;
mod secret;

pub use challenge::{
  parse_challenge, parse_claims_challenge, verify_challenge_resource, Challenge,
};
pub use client::{
  ListKind, SecretClient, SecretClientConfig, TenantPolicy, VaultAuth, DEFAULT_API_VERSION,
};
pub use errors::error_from_vault;
pub use secret::{parse_secret_id, SecretBundle, SecretPage, SecretProperties};
