//! The azid emulator: a local stand-in for the Entra ID token endpoint, its discovery
//! documents and the IMDS managed-identity endpoint, for tests, demos, benchmarks and local
//! development. Start one with [`Emulator::start`]; drive it from Rust through
//! [`EmulatorState`] or from any language through the `/_emulator/` admin API.
//!
//! Listeners: HTTPS ([`Emulator::authority_host`]) serves
//! `POST /{tenant}/oauth2/v2.0/token`, `GET /{tenant}/v2.0/.well-known/openid-configuration`,
//! `GET /{tenant}/discovery/v2.0/keys`, `GET /common/discovery/instance` and the admin API;
//! plain HTTP ([`Emulator::imds_endpoint`]) serves IMDS (`GET /metadata/identity/oauth2/token`),
//! App Service (`GET /msi/token`), Azure Arc (`GET /arc/metadata/identity/oauth2/token`),
//! Cloud Shell (`POST /cloudshell/oauth2/token`) and Azure ML (`GET /ml/msi/token`); a third,
//! HTTPS listener with a self-signed certificate ([`Emulator::service_fabric_endpoint`]) serves
//! Service Fabric.
//!
//! Admin API (JSON, camelCase):
//! `POST /_emulator/apps` ([`AppRegistration`]), `POST /_emulator/identities`
//! ([`IdentityRegistration`]), `POST /_emulator/tenants` `{tenantId}`,
//! `GET|POST /_emulator/settings` `{tokenLifetimeSecs?, imdsTokenLifetimeSecs?, refreshInSecs?}`
//! (`refreshInSecs: null` clears it), `GET|POST|DELETE /_emulator/faults` (`{route, fault}`,
//! see [`Fault`]), `DELETE /_emulator/faults/{route}`, `GET|DELETE /_emulator/counts`,
//! `GET /_emulator/ca.pem`, `GET /_emulator/info`,
//! `POST /_emulator/service-connections` ([`ServiceConnection`]),
//! `POST /_emulator/user-tokens` `{tenantId, audience, upn?, expiresInSecs?}` → `{accessToken}`.
//! Apps take `certificates` (PEM) and `federatedCredentials` `[{issuer, subject, audiences}]`.
//! `GET /_emulator/ca.pem`, `GET /_emulator/info`; Key Vault: `POST /_emulator/secrets`
//! `{name, value, enabled?, exp?, nbf?, contentType?, tags?}` (returns the version),
//! `POST|DELETE /_emulator/secret-denials` ([`AccessDenial`]), `POST /_emulator/vault` `{tenantId}`.
//!
//! Key Vault: `GET /secrets`, `/secrets/{name}`, `/secrets/{name}/`, `/secrets/{name}/{version}`,
//! `/secrets/{name}/versions` on the HTTPS listener, which is the vault URL.

mod admin;
mod app_service;
mod arc;
mod azure_ml;
mod client_assertion;
mod clock;
mod cloud_shell;
mod config;
mod discovery;
mod emulator;
mod errors;
mod faults;
mod http;
mod imds;
mod jwt;
mod keyvault;
mod mi_token;
mod on_behalf_of;
mod pipelines;
mod route;
mod server;
mod service_fabric;
mod state;
mod tls;
mod token_endpoint;

pub use config::{
  EmulatorConfig, DEFAULT_ARC_KEY_DIR, DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET,
  DEFAULT_IMDS_TOKEN_LIFETIME_SECS, DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID,
  DEFAULT_SYSTEM_ASSIGNED_OBJECT_ID, DEFAULT_SYSTEM_ASSIGNED_RESOURCE_ID, DEFAULT_TENANT_ID,
  DEFAULT_TOKEN_LIFETIME_SECS, DEFAULT_USER_ASSIGNED_CLIENT_ID, DEFAULT_USER_ASSIGNED_OBJECT_ID,
  DEFAULT_USER_ASSIGNED_RESOURCE_ID,
};
pub use emulator::Emulator;
pub use faults::Fault;
pub use keyvault::{AccessDenial, SecretOptions, VAULT_RESOURCE};
pub use route::{Route, UnknownRoute};
pub use state::{
  AppRegistration, EmulatorState, FederatedCredential, IdentityRegistration, ServiceConnection,
};

/// Path of the IMDS token endpoint, relative to [`Emulator::imds_endpoint`].
pub const IMDS_TOKEN_PATH: &str = imds::TOKEN_PATH;
