//! The emulator, embedded in the addon so the demo, the tests and users' local
//! development need no second binary. JSON crosses for registrations and faults,
//! in the same camelCase shapes as the emulator's admin API.

use std::str::FromStr;

use azid_emulator::{
  AccessDenial, AppRegistration, Emulator, EmulatorConfig, Fault, IdentityRegistration, Route,
  SecretOptions, ServiceConnection,
};
use napi::bindgen_prelude::*;
use napi_derive::napi;

#[napi(object)]
#[derive(Default)]
pub struct NativeEmulatorOptions {
  pub token_port: Option<u16>,
  pub imds_port: Option<u16>,
  pub state_dir: Option<String>,
  pub token_lifetime_secs: Option<u32>,
  pub imds_token_lifetime_secs: Option<u32>,
  pub service_fabric_port: Option<u16>,
  /// Where Arc challenge key files are written (default `/var/opt/azcmagent/tokens`).
  pub arc_key_dir: Option<String>,
}

#[napi]
pub struct NativeEmulator {
  inner: Emulator,
}

fn bad(what: &str, e: impl std::fmt::Display) -> Error {
  Error::new(Status::InvalidArg, format!("emulator: invalid {what}: {e}"))
}

fn route(name: &str) -> Result<Route> {
  Route::from_str(name).map_err(|e| bad("route", e))
}

/// Starts an emulator on loopback with ephemeral ports (unless given).
#[napi]
pub async fn start_native_emulator(
  options: Option<NativeEmulatorOptions>,
) -> Result<NativeEmulator> {
  let o = options.unwrap_or_default();
  let mut config = EmulatorConfig::default();
  if let Some(p) = o.token_port {
    config.token_port = p;
  }
  if let Some(p) = o.imds_port {
    config.imds_port = p;
  }
  if let Some(d) = o.state_dir {
    config.state_dir = Some(d.into());
  }
  if let Some(s) = o.token_lifetime_secs {
    config.token_lifetime_secs = s.into();
  }
  if let Some(s) = o.imds_token_lifetime_secs {
    config.imds_token_lifetime_secs = s.into();
  }
  if let Some(p) = o.service_fabric_port {
    config.service_fabric_port = p;
  }
  if let Some(d) = o.arc_key_dir {
    config.arc_key_dir = d.into();
  }
  let inner = Emulator::start(config)
    .await
    .map_err(|e| Error::from_reason(format!("emulator failed to start: {e}")))?;
  Ok(NativeEmulator { inner })
}

#[napi]
impl NativeEmulator {
  #[napi(getter)]
  pub fn authority_host(&self) -> String {
    self.inner.authority_host()
  }

  #[napi(getter)]
  pub fn imds_endpoint(&self) -> String {
    self.inner.imds_endpoint()
  }

  #[napi(getter)]
  pub fn app_service_endpoint(&self) -> String {
    self.inner.app_service_endpoint()
  }

  /// The `IDENTITY_HEADER` the App Service and Service Fabric routes require.
  #[napi(getter)]
  pub fn identity_header(&self) -> String {
    self.inner.identity_header()
  }

  #[napi(getter)]
  pub fn arc_endpoint(&self) -> String {
    self.inner.arc_endpoint()
  }

  #[napi(getter)]
  pub fn service_fabric_endpoint(&self) -> String {
    self.inner.service_fabric_endpoint()
  }

  #[napi(getter)]
  pub fn service_fabric_thumbprint(&self) -> String {
    self.inner.service_fabric_thumbprint()
  }

  #[napi(getter)]
  pub fn cloud_shell_endpoint(&self) -> String {
    self.inner.cloud_shell_endpoint()
  }

  #[napi(getter)]
  pub fn azure_ml_endpoint(&self) -> String {
    self.inner.azure_ml_endpoint()
  }

  /// The `MSI_SECRET` the Azure ML route requires.
  #[napi(getter)]
  pub fn msi_secret(&self) -> String {
    self.inner.msi_secret()
  }

  /// Makes Arc challenges name `path` instead of a fresh key file (null restores them).
  #[napi]
  pub fn set_arc_challenge_path(&self, path: Option<String>) {
    self.inner.set_arc_challenge_path(path);
  }

  /// The contents of the latest Arc key file (for tests that search logs for it).
  #[napi]
  pub fn last_arc_key(&self) -> Option<String> {
    self.inner.last_arc_key()
  }

  #[napi(getter)]
  pub fn ca_file(&self) -> String {
    self.inner.ca_file().to_string_lossy().into_owned()
  }

  #[napi(getter)]
  pub fn ca_pem(&self) -> String {
    self.inner.ca_pem()
  }

  /// The seeded tenant, app and identities (the demo secret is public by design).
  #[napi(getter)]
  pub fn defaults(&self) -> serde_json::Value {
    serde_json::json!({
      "tenantId": azid_emulator::DEFAULT_TENANT_ID,
      "clientId": azid_emulator::DEFAULT_CLIENT_ID,
      "clientSecret": azid_emulator::DEFAULT_CLIENT_SECRET,
      "userAssignedClientId": azid_emulator::DEFAULT_USER_ASSIGNED_CLIENT_ID,
      "userAssignedObjectId": azid_emulator::DEFAULT_USER_ASSIGNED_OBJECT_ID,
      "userAssignedResourceId": azid_emulator::DEFAULT_USER_ASSIGNED_RESOURCE_ID,
      "systemAssignedClientId": azid_emulator::DEFAULT_SYSTEM_ASSIGNED_CLIENT_ID,
    })
  }

  #[napi]
  pub fn register_tenant(&self, tenant_id: String) {
    self.inner.register_tenant(tenant_id);
  }

  /// `{ tenantId, clientId, clientSecret?, additionalTenants?, tokenLifetimeSecs? }`
  #[napi(
    ts_args_type = "app: { tenantId: string; clientId: string; clientSecret?: string; additionalTenants?: string[]; tokenLifetimeSecs?: number; certificates?: string[]; certificateThumbprints?: string[]; federatedCredentials?: { issuer: string; subject: string; audiences?: string[] }[] }"
  )]
  pub fn register_app(&self, app: serde_json::Value) -> Result<()> {
    let app: AppRegistration = serde_json::from_value(app).map_err(|e| bad("app", e))?;
    self.inner.validate_app(&app).map_err(|e| bad("app", e))?;
    self.inner.register_app(app);
    Ok(())
  }

  /// An Azure Pipelines service connection; returns it with `issuer` and `subject` filled in.
  #[napi(
    ts_args_type = "connection: { serviceConnectionId: string; systemAccessToken: string; issuer?: string; subject?: string }",
    ts_return_type = "{ serviceConnectionId: string; issuer: string; subject: string }"
  )]
  pub fn register_service_connection(
    &self,
    connection: serde_json::Value,
  ) -> Result<serde_json::Value> {
    let sc: ServiceConnection =
      serde_json::from_value(connection).map_err(|e| bad("connection", e))?;
    let sc = self.inner.register_service_connection(sc);
    Ok(
      serde_json::json!({"serviceConnectionId": sc.service_connection_id, "issuer": sc.issuer, "subject": sc.subject}),
    )
  }

  /// `SYSTEM_OIDCREQUESTURI` for this emulator.
  #[napi(getter)]
  pub fn pipelines_oidc_uri(&self) -> String {
    self.inner.pipelines_oidc_uri()
  }

  /// A user's access token to `audience`, signed by the emulator: an on-behalf-of user assertion.
  #[napi]
  pub fn issue_user_token(
    &self,
    tenant_id: String,
    audience: String,
    upn: String,
    expires_in_secs: i64,
  ) -> String {
    self.inner.issue_user_token(&tenant_id, &audience, &upn, expires_in_secs)
  }

  /// `{ systemAssigned?, clientId?, objectId?, resourceId? }`; returns it with ids filled in.
  #[napi(
    ts_args_type = "identity: { systemAssigned?: boolean; clientId?: string; objectId?: string; resourceId?: string }"
  )]
  pub fn register_identity(&self, identity: serde_json::Value) -> Result<serde_json::Value> {
    let identity: IdentityRegistration =
      serde_json::from_value(identity).map_err(|e| bad("identity", e))?;
    serde_json::to_value(self.inner.register_identity(identity)).map_err(|e| bad("identity", e))
  }

  /// Route: token, openid, instance_discovery, jwks, imds, app_service, arc, service_fabric, cloud_shell, azure_ml or pipelines_oidc. Fault: `{ latencyMs?, status?, body?, retryAfter?, dropConnection?, malformedBody?, times? }`.
  #[napi(
    ts_args_type = "route: string, fault: { latencyMs?: number; status?: number; body?: string; retryAfter?: string; dropConnection?: boolean; malformedBody?: boolean; times?: number }"
  )]
  pub fn set_fault(&self, route_name: String, fault: serde_json::Value) -> Result<()> {
    let fault: Fault = serde_json::from_value(fault).map_err(|e| bad("fault", e))?;
    self.inner.set_fault(route(&route_name)?, fault);
    Ok(())
  }

  /// Adds a version of a vault secret; returns the version id.
  #[napi(
    ts_args_type = "name: string, value: string, options?: { enabled?: boolean; exp?: number; nbf?: number; contentType?: string; tags?: Record<string, string> }"
  )]
  pub fn set_secret(
    &self,
    name: String,
    value: String,
    options: Option<serde_json::Value>,
  ) -> Result<String> {
    let options: SecretOptions = match options {
      Some(o) => serde_json::from_value(o).map_err(|e| bad("secret options", e))?,
      None => SecretOptions::default(),
    };
    self.inner.set_secret(&name, &value, options).map_err(|e| bad("secret", e))
  }

  /// Vault reads matching this answer 403 ForbiddenByRbac.
  #[napi(ts_args_type = "denial: { secretName?: string; principalId?: string }")]
  pub fn deny_secret_access(&self, denial: serde_json::Value) -> Result<()> {
    let denial: AccessDenial = serde_json::from_value(denial).map_err(|e| bad("denial", e))?;
    self.inner.deny_secret_access(denial);
    Ok(())
  }

  #[napi]
  pub fn clear_secret_denials(&self) {
    self.inner.clear_secret_denials();
  }

  /// The tenant the vault's challenge names.
  #[napi]
  pub fn set_vault_tenant(&self, tenant_id: String) {
    self.inner.set_vault_tenant(&tenant_id);
  }

  #[napi]
  pub fn clear_faults(&self) {
    self.inner.clear_faults();
  }

  /// Requests that reached a route (faulted ones included).
  #[napi]
  pub fn request_count(&self, route_name: String) -> Result<f64> {
    Ok(self.inner.request_count(route(&route_name)?) as f64)
  }

  #[napi]
  pub fn reset_counts(&self) {
    self.inner.reset_counts();
  }

  #[napi]
  pub fn set_token_lifetime(&self, secs: u32) {
    self.inner.set_token_lifetime(secs.into());
  }

  #[napi]
  pub fn set_imds_token_lifetime(&self, secs: u32) {
    self.inner.set_imds_token_lifetime(secs.into());
  }

  /// Adds `refresh_in` to token responses (null removes it).
  #[napi]
  pub fn set_refresh_in(&self, secs: Option<u32>) {
    self.inner.set_refresh_in(secs.map(u64::from));
  }

  #[napi]
  pub async fn shutdown(&self) {
    self.inner.shutdown().await;
  }
}
