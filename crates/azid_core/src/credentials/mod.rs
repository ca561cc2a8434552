//! Token sources, one per credential kind.

pub mod assertion;
pub mod certificate;
pub mod client_certificate;
pub mod client_secret;
pub mod developer_cli;
pub mod entra;
pub mod federated;
pub mod managed_identity;
pub mod on_behalf_of;
pub mod pipelines;
mod response;
pub mod watched_file;

pub use client_certificate::{CertificateInput, ClientCertificateConfig, ClientCertificateSource};
pub use client_secret::{ClientSecretConfig, ClientSecretSource};
pub use managed_identity::{ManagedIdentityConfig, ManagedIdentitySource, UserAssignedId};
pub use response::{error_from_response, error_from_send, token_from_response};
