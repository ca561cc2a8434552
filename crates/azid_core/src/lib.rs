//! The azid token engine: acquires, caches and refreshes Microsoft Entra ID access
//! tokens. No napi here: the binding at the repository root wraps this crate.

pub mod credentials;
pub mod engine;
pub mod error;
pub mod expiry;
pub mod http;
pub mod keyvault;
pub mod log;
pub mod request;
pub mod secret;
pub mod shared_cache;
mod slot;
pub mod token;

pub use engine::{Engine, TokenSource};
pub use error::{Error, ErrorResponse, KeyVaultFailure, Result};
pub use request::TokenRequest;
pub use secret::Secret;
pub use token::AccessToken;
