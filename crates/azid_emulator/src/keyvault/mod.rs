//! Key Vault secrets (data plane), served on the HTTPS listener: the vault URL is the
//! listener's origin (`https://127.0.0.1:<port>`), the challenge names the public-cloud
//! vault resource, and tokens must be ones this emulator signed for that audience.

mod handler;
mod store;

pub(crate) use handler::{fault_body, handle};
pub(crate) use store::VaultStore;
pub use store::{AccessDenial, SecretOptions};

/// The audience vault tokens carry and the challenge's `resource`.
pub const VAULT_RESOURCE: &str = "https://vault.azure.net";
