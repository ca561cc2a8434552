//! The mutable registry behind the emulator: tenants, apps, identities, settings, faults and counters.

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, RwLock};

use serde::{Deserialize, Serialize};

use crate::config::{self, EmulatorConfig};
use crate::faults::Fault;
use crate::keyvault::{AccessDenial, SecretOptions, VaultStore};
use crate::route::Route;

/// An app registration (a confidential client) in a tenant.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct AppRegistration {
  pub tenant_id: String,
  pub client_id: String,
  /// `None` accepts any non-empty secret (the app still needs *a* credential).
  pub client_secret: Option<String>,
  /// Other tenants where the app also exists; `"*"` means every registered tenant.
  pub additional_tenants: Vec<String>,
  /// Overrides the global token lifetime for this app.
  pub token_lifetime_secs: Option<u64>,
  /// PEM certificates whose keys may sign client assertions (§1.3).
  pub certificates: Vec<String>,
  /// Certificates known by thumbprint only (hex SHA-1 or SHA-256): assertions must carry
  /// the certificate in `x5c` for the emulator to check the signature.
  pub certificate_thumbprints: Vec<String>,
  /// Federated identity credentials: external tokens this app accepts as assertions (§1.4).
  pub federated_credentials: Vec<FederatedCredential>,
}

/// A federated identity credential: issuer, subject and audiences must match exactly.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct FederatedCredential {
  pub issuer: String,
  pub subject: String,
  /// Empty means `api://AzureADTokenExchange`.
  pub audiences: Vec<String>,
}

/// An Azure Pipelines service connection whose OIDC token the emulator hands out.
#[derive(Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ServiceConnection {
  pub service_connection_id: String,
  /// The `System.AccessToken` a pipeline must present.
  pub system_access_token: String,
  /// The OIDC token's `iss` and `sub`; defaults are filled in on registration.
  pub issuer: String,
  pub subject: String,
}

impl fmt::Debug for ServiceConnection {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.debug_struct("ServiceConnection")
      .field("service_connection_id", &self.service_connection_id)
      .field("issuer", &self.issuer)
      .field("subject", &self.subject)
      .finish_non_exhaustive()
  }
}

// Hand-written so a debug print never shows the secret.
impl fmt::Debug for AppRegistration {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.debug_struct("AppRegistration")
      .field("tenant_id", &self.tenant_id)
      .field("client_id", &self.client_id)
      .field("client_secret", &self.client_secret.as_ref().map(|_| "<redacted>"))
      .field("additional_tenants", &self.additional_tenants)
      .field("token_lifetime_secs", &self.token_lifetime_secs)
      .field("certificates", &self.certificates.len())
      .field("certificate_thumbprints", &self.certificate_thumbprints)
      .field("federated_credentials", &self.federated_credentials)
      .finish()
  }
}

/// A managed identity served by the IMDS endpoint. Empty IDs are filled with fresh GUIDs
/// (and a made-up ARM ID) on registration.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, rename_all = "camelCase")]
pub struct IdentityRegistration {
  /// The VM's own identity, used when a request names no identity. At most one exists;
  /// registering another replaces it.
  pub system_assigned: bool,
  pub client_id: String,
  pub object_id: String,
  pub resource_id: String,
}

/// How an IMDS request names its identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum IdentitySelector {
  SystemAssigned,
  ClientId(String),
  ObjectId(String),
  ResourceId(String),
}

/// Shared, thread-safe emulator state. Every method takes `&self`.
#[derive(Debug)]
pub struct EmulatorState {
  tenants: RwLock<HashSet<String>>,
  apps: RwLock<Vec<AppRegistration>>,
  identities: RwLock<Vec<IdentityRegistration>>,
  service_connections: RwLock<Vec<ServiceConnection>>,
  token_lifetime_secs: AtomicU64,
  imds_token_lifetime_secs: AtomicU64,
  refresh_in_secs: RwLock<Option<u64>>,
  faults: Mutex<HashMap<Route, Fault>>,
  counts: [AtomicU64; Route::ALL.len()],
  vault: VaultStore,
}

impl EmulatorState {
  pub(crate) fn new(config: &EmulatorConfig) -> Self {
    let state = EmulatorState {
      tenants: RwLock::default(),
      apps: RwLock::default(),
      identities: RwLock::default(),
      service_connections: RwLock::default(),
      token_lifetime_secs: AtomicU64::new(config.token_lifetime_secs),
      imds_token_lifetime_secs: AtomicU64::new(config.imds_token_lifetime_secs),
      refresh_in_secs: RwLock::new(config.refresh_in_secs),
      faults: Mutex::default(),
      counts: Default::default(),
      vault: VaultStore::default(),
    };
    if config.seed_defaults {
      state.seed_defaults();
    }
    state
  }

  fn seed_defaults(&self) {
    self.register_app(AppRegistration {
      tenant_id: config::DEFAULT_TENANT_ID.into(),
      client_id: config::DEFAULT_CLIENT_ID.into(),
      client_secret: Some(config::DEFAULT_CLIENT_SECRET.into()),
      ..Default::default()
    });
    self.register_identity(IdentityRegistration {
      system_assigned: true,
      client_id: config::DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID.into(),
      object_id: config::DEFAULT_SYSTEM_ASSIGNED_OBJECT_ID.into(),
      resource_id: config::DEFAULT_SYSTEM_ASSIGNED_RESOURCE_ID.into(),
    });
    self.register_identity(IdentityRegistration {
      system_assigned: false,
      client_id: config::DEFAULT_USER_ASSIGNED_CLIENT_ID.into(),
      object_id: config::DEFAULT_USER_ASSIGNED_OBJECT_ID.into(),
      resource_id: config::DEFAULT_USER_ASSIGNED_RESOURCE_ID.into(),
    });
  }

  // ---- registry -------------------------------------------------------------------------

  /// Makes a tenant known (IDs and domains compare case-insensitively).
  pub fn register_tenant(&self, tenant_id: impl AsRef<str>) {
    let id = tenant_id.as_ref().trim().to_ascii_lowercase();
    if !id.is_empty() {
      write(&self.tenants).insert(id);
    }
  }

  /// Registers (or replaces) an app. Its home tenant and named additional tenants become known.
  pub fn register_app(&self, app: AppRegistration) {
    self.register_tenant(&app.tenant_id);
    for t in app.additional_tenants.iter().filter(|t| t.as_str() != "*") {
      self.register_tenant(t);
    }
    let mut apps = write(&self.apps);
    apps.retain(|a| {
      !(a.tenant_id.eq_ignore_ascii_case(&app.tenant_id)
        && a.client_id.eq_ignore_ascii_case(&app.client_id))
    });
    apps.push(app);
  }

  /// Registers (or replaces, by client ID; or the system-assigned one) a managed identity.
  /// Returns it with any empty IDs filled in.
  pub fn register_identity(&self, mut identity: IdentityRegistration) -> IdentityRegistration {
    if identity.client_id.is_empty() {
      identity.client_id = uuid::Uuid::new_v4().to_string();
    }
    if identity.object_id.is_empty() {
      identity.object_id = uuid::Uuid::new_v4().to_string();
    }
    if identity.resource_id.is_empty() {
      identity.resource_id = if identity.system_assigned {
        "/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm".into()
      } else {
        format!("/subscriptions/00000000-0000-4000-8000-000000000000/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{}", identity.client_id)
      };
    }
    let mut ids = write(&self.identities);
    ids.retain(|i| {
      !(i.client_id.eq_ignore_ascii_case(&identity.client_id)
        || (identity.system_assigned && i.system_assigned))
    });
    ids.push(identity.clone());
    identity
  }

  /// Registers (or replaces, by id) a pipelines service connection; fills in issuer and subject.
  pub fn register_service_connection(&self, mut sc: ServiceConnection) -> ServiceConnection {
    if sc.issuer.is_empty() {
      sc.issuer = "https://vstoken.dev.azure.com/00000000-0000-4000-8000-0000000000aa".into();
    }
    if sc.subject.is_empty() {
      sc.subject = format!("sc://azid-org/azid-project/{}", sc.service_connection_id);
    }
    let mut all = write(&self.service_connections);
    all.retain(|s| s.service_connection_id != sc.service_connection_id);
    all.push(sc.clone());
    sc
  }

  pub(crate) fn find_service_connection(&self, id: &str) -> Option<ServiceConnection> {
    read(&self.service_connections).iter().find(|s| s.service_connection_id == id).cloned()
  }

  pub(crate) fn has_tenant(&self, tenant: &str) -> bool {
    read(&self.tenants).contains(&tenant.to_ascii_lowercase())
  }

  /// The app with this client ID that exists in `tenant` (home or additional).
  pub(crate) fn find_app(&self, tenant: &str, client_id: &str) -> Option<AppRegistration> {
    let apps = read(&self.apps);
    let in_tenant = |a: &&AppRegistration| {
      a.tenant_id.eq_ignore_ascii_case(tenant)
        || a.additional_tenants.iter().any(|t| t == "*" || t.eq_ignore_ascii_case(tenant))
    };
    // Prefer the home registration when an app is also listed elsewhere.
    let matching = || apps.iter().filter(|a| a.client_id.eq_ignore_ascii_case(client_id));
    matching()
      .find(|a| a.tenant_id.eq_ignore_ascii_case(tenant))
      .or_else(|| matching().find(in_tenant))
      .cloned()
  }

  pub(crate) fn find_identity(&self, selector: &IdentitySelector) -> Option<IdentityRegistration> {
    let ids = read(&self.identities);
    let found = match selector {
      IdentitySelector::SystemAssigned => ids.iter().find(|i| i.system_assigned),
      IdentitySelector::ClientId(c) => ids.iter().find(|i| i.client_id.eq_ignore_ascii_case(c)),
      IdentitySelector::ObjectId(o) => ids.iter().find(|i| i.object_id.eq_ignore_ascii_case(o)),
      // ARM IDs are case-insensitive.
      IdentitySelector::ResourceId(r) => ids.iter().find(|i| i.resource_id.eq_ignore_ascii_case(r)),
    };
    found.cloned()
  }

  // ---- key vault ------------------------------------------------------------------------

  /// Adds a version of a secret (creating it) and returns the version id.
  pub fn set_secret(
    &self,
    name: &str,
    value: &str,
    options: SecretOptions,
  ) -> Result<String, String> {
    self.vault.set(name, value, options)
  }

  /// Makes the vault answer 403 `ForbiddenByRbac` to matching reads.
  pub fn deny_secret_access(&self, denial: AccessDenial) {
    self.vault.deny(denial);
  }

  pub fn clear_secret_denials(&self) {
    self.vault.clear_denials();
  }

  /// The tenant the vault's challenge names (default: the default tenant).
  pub fn set_vault_tenant(&self, tenant: &str) {
    self.register_tenant(tenant);
    self.vault.set_tenant(tenant);
  }

  pub(crate) fn vault(&self) -> &VaultStore {
    &self.vault
  }

  // ---- settings -------------------------------------------------------------------------

  pub fn set_token_lifetime(&self, secs: u64) {
    self.token_lifetime_secs.store(secs, Ordering::Relaxed);
  }

  pub fn token_lifetime(&self) -> u64 {
    self.token_lifetime_secs.load(Ordering::Relaxed)
  }

  pub fn set_imds_token_lifetime(&self, secs: u64) {
    self.imds_token_lifetime_secs.store(secs, Ordering::Relaxed);
  }

  pub fn imds_token_lifetime(&self) -> u64 {
    self.imds_token_lifetime_secs.load(Ordering::Relaxed)
  }

  /// `Some(n)` adds `refresh_in: n` to Entra token responses; `None` removes it.
  pub fn set_refresh_in(&self, secs: Option<u64>) {
    *write(&self.refresh_in_secs) = secs;
  }

  pub fn refresh_in(&self) -> Option<u64> {
    *read(&self.refresh_in_secs)
  }

  // ---- faults ---------------------------------------------------------------------------

  /// Installs a fault on a route, replacing any previous one there.
  pub fn set_fault(&self, route: Route, fault: Fault) {
    let mut faults = lock(&self.faults);
    if fault.times == Some(0) {
      faults.remove(&route);
    } else {
      faults.insert(route, fault);
    }
  }

  pub fn clear_fault(&self, route: Route) {
    lock(&self.faults).remove(&route);
  }

  pub fn clear_faults(&self) {
    lock(&self.faults).clear();
  }

  /// The fault currently installed on a route (with its remaining `times`).
  pub fn fault(&self, route: Route) -> Option<Fault> {
    lock(&self.faults).get(&route).cloned()
  }

  /// Takes one use of the route's fault. Under the lock, so with `times: Some(n)` exactly
  /// n concurrent requests get it.
  pub(crate) fn take_fault(&self, route: Route) -> Option<Fault> {
    let mut faults = lock(&self.faults);
    let fault = faults.get_mut(&route)?;
    let taken = fault.clone();
    match fault.times {
      Some(n) if n <= 1 => {
        faults.remove(&route);
      }
      Some(n) => fault.times = Some(n - 1),
      None => {}
    }
    Some(taken)
  }

  // ---- counters -------------------------------------------------------------------------

  pub(crate) fn count(&self, route: Route) {
    self.counts[route.index()].fetch_add(1, Ordering::SeqCst);
  }

  /// Requests that reached `route` since start or the last reset, faulted ones included.
  pub fn request_count(&self, route: Route) -> u64 {
    self.counts[route.index()].load(Ordering::SeqCst)
  }

  /// Every route's count.
  pub fn request_counts(&self) -> Vec<(Route, u64)> {
    Route::ALL.into_iter().map(|r| (r, self.request_count(r))).collect()
  }

  pub fn reset_counts(&self) {
    for c in &self.counts {
      c.store(0, Ordering::SeqCst);
    }
  }
}

// A panic while holding a lock must not wedge the emulator, so poisoning is ignored.
fn read<T>(l: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
  l.read().unwrap_or_else(|e| e.into_inner())
}

fn write<T>(l: &RwLock<T>) -> std::sync::RwLockWriteGuard<'_, T> {
  l.write().unwrap_or_else(|e| e.into_inner())
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
  m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn fault_times_runs_out() {
    let s = EmulatorState::new(&EmulatorConfig::default());
    s.set_fault(Route::Token, Fault { status: Some(500), times: Some(2), ..Fault::default() });
    assert!(s.take_fault(Route::Token).is_some());
    assert!(s.take_fault(Route::Token).is_some());
    assert!(s.take_fault(Route::Token).is_none());
    assert!(s.take_fault(Route::Imds).is_none());
  }

  #[test]
  fn apps_found_in_additional_tenants() {
    let s = EmulatorState::new(&EmulatorConfig::default());
    s.register_tenant("other");
    s.register_app(AppRegistration {
      tenant_id: "home".into(),
      client_id: "APP".into(),
      additional_tenants: vec!["*".into()],
      ..Default::default()
    });
    assert!(s.find_app("home", "app").is_some());
    assert!(s.find_app("OTHER", "app").is_some());
    assert!(s.find_app("home", "nope").is_none());
    assert!(s.has_tenant("HOME"));
  }
}
