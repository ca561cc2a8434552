//! Start-up configuration and the well-known identifiers seeded by default.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

/// Tenant registered when `seed_defaults` is on.
pub const DEFAULT_TENANT_ID: &str = "72f988bf-0000-4000-8000-00000000a11d";
/// Confidential client registered in [`DEFAULT_TENANT_ID`] when `seed_defaults` is on.
pub const DEFAULT_CLIENT_ID: &str = "a2d1c0de-0000-4000-8000-00000000c11e";
/// The demo secret of [`DEFAULT_CLIENT_ID`]. Well known on purpose: it only opens the emulator.
pub const DEFAULT_CLIENT_SECRET: &str = "azid-emulator-demo-secret";
/// Client ID of the seeded system-assigned identity.
pub const DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID: &str = "5a5a5a5a-0000-4000-8000-00000000005a";
/// Object ID of the seeded system-assigned identity.
pub const DEFAULT_SYSTEM_ASSIGNED_OBJECT_ID: &str = "5a5a5a5a-0000-4000-8000-0000000000b0";
/// ARM ID of the emulated VM that owns the system-assigned identity.
pub const DEFAULT_SYSTEM_ASSIGNED_RESOURCE_ID: &str = "/subscriptions/0b1e0b1e-0000-4000-8000-000000005ab5/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/azid-emulator";
/// Client ID of the seeded user-assigned identity.
pub const DEFAULT_USER_ASSIGNED_CLIENT_ID: &str = "0a1d0a1d-0000-4000-8000-00000000c11d";
/// Object ID of the seeded user-assigned identity.
pub const DEFAULT_USER_ASSIGNED_OBJECT_ID: &str = "0a1d0a1d-0000-4000-8000-0000000000b1";
/// ARM ID of the seeded user-assigned identity.
pub const DEFAULT_USER_ASSIGNED_RESOURCE_ID: &str = "/subscriptions/0b1e0b1e-0000-4000-8000-000000005ab5/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/azid-emulator";

/// Entra's usual access-token lifetime.
pub const DEFAULT_TOKEN_LIFETIME_SECS: u64 = 3599;
/// IMDS tokens last about a day.
pub const DEFAULT_IMDS_TOKEN_LIFETIME_SECS: u64 = 86399;

/// How to start an [`crate::Emulator`].
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
  /// Address both listeners bind to. An unspecified address (0.0.0.0, ::) is advertised as loopback.
  pub host: IpAddr,
  /// HTTPS port of the Entra ID endpoints and the admin API; 0 picks a free port.
  pub token_port: u16,
  /// Plain-HTTP port of the IMDS endpoint; 0 picks a free port.
  pub imds_port: u16,
  /// Where `ca.pem` is written; `None` makes a fresh directory under the system temp dir.
  pub state_dir: Option<PathBuf>,
  /// Lifetime of Entra tokens, unless an app overrides it.
  pub token_lifetime_secs: u64,
  /// Lifetime of IMDS tokens.
  pub imds_token_lifetime_secs: u64,
  /// When set, Entra token responses carry `refresh_in`.
  pub refresh_in_secs: Option<u64>,
  /// Register the default tenant, client and identities.
  pub seed_defaults: bool,
  /// HTTPS port of the Service Fabric identity endpoint; 0 picks a free port.
  pub service_fabric_port: u16,
  /// The `IDENTITY_HEADER` / `MSI_SECRET` value the App Service, Service Fabric and
  /// Azure ML routes require; `None` makes a random one.
  pub identity_header: Option<String>,
  /// Where the Azure Arc route writes its challenge key files.
  pub arc_key_dir: PathBuf,
}

/// The Azure Connected Machine agent's token folder (what clients accept).
pub const DEFAULT_ARC_KEY_DIR: &str = "/var/opt/azcmagent/tokens";

impl Default for EmulatorConfig {
  fn default() -> Self {
    EmulatorConfig {
      host: IpAddr::V4(Ipv4Addr::LOCALHOST),
      token_port: 0,
      imds_port: 0,
      state_dir: None,
      token_lifetime_secs: DEFAULT_TOKEN_LIFETIME_SECS,
      imds_token_lifetime_secs: DEFAULT_IMDS_TOKEN_LIFETIME_SECS,
      refresh_in_secs: None,
      seed_defaults: true,
      service_fabric_port: 0,
      identity_header: None,
      arc_key_dir: PathBuf::from(DEFAULT_ARC_KEY_DIR),
    }
  }
}
