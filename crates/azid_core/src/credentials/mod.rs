//! Token sources, one per credential kind.

pub mod client_secret;
pub mod developer_cli;
pub mod managed_identity;
mod response;

pub use client_secret::{ClientSecretConfig, ClientSecretSource};
pub use managed_identity::{ManagedIdentityConfig, ManagedIdentitySource, UserAssignedId};
pub use response::{error_from_response, error_from_send, token_from_response};
