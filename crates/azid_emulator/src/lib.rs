//! The azid emulator: a local stand-in for the Entra ID token endpoint, its discovery
//! documents and the IMDS managed-identity endpoint, for tests, demos, benchmarks and local
//! development. Start one with [`Emulator::start`]; drive it from Rust through
//! [`EmulatorState`] or from any language through the `/_emulator/` admin API.

mod admin;
mod clock;
mod config;
mod discovery;
mod emulator;
mod errors;
mod faults;
mod http;
mod imds;
mod jwt;
mod route;
mod server;
mod state;
mod tls;
mod token_endpoint;

pub use config::{
  EmulatorConfig, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, DEFAULT_IMDS_TOKEN_LIFETIME_SECS,
  DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID, DEFAULT_SYSTEM_ASSIGNED_OBJECT_ID,
  DEFAULT_SYSTEM_ASSIGNED_RESOURCE_ID, DEFAULT_TENANT_ID, DEFAULT_TOKEN_LIFETIME_SECS,
  DEFAULT_USER_ASSIGNED_CLIENT_ID, DEFAULT_USER_ASSIGNED_OBJECT_ID,
  DEFAULT_USER_ASSIGNED_RESOURCE_ID,
};
pub use emulator::Emulator;
pub use faults::Fault;
pub use route::{Route, UnknownRoute};
pub use state::{AppRegistration, EmulatorState, IdentityRegistration};

/// Path of the IMDS token endpoint, relative to [`Emulator::imds_endpoint`].
pub const IMDS_TOKEN_PATH: &str = imds::TOKEN_PATH;
