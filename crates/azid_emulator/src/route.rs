//! The emulated routes that are counted and can carry faults.

use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Route {
  /// `POST /{tenant}/oauth2/v2.0/token`
  Token,
  /// `GET /{tenant}/v2.0/.well-known/openid-configuration`
  OpenIdConfiguration,
  /// `GET /common/discovery/instance`
  InstanceDiscovery,
  /// `GET /{tenant}/discovery/v2.0/keys`
  Jwks,
  /// `GET /metadata/identity/oauth2/token` on the IMDS listener
  Imds,
  /// `GET /msi/token` on the IMDS listener (App Service 2019-08-01)
  AppService,
  /// `GET /arc/metadata/identity/oauth2/token` on the IMDS listener (Azure Arc challenge)
  AzureArc,
  /// `GET /metadata/identity/oauth2/token` on the Service Fabric HTTPS listener
  ServiceFabric,
  /// `POST /cloudshell/oauth2/token` on the IMDS listener
  CloudShell,
  /// `GET /ml/msi/token` on the IMDS listener (App Service 2017-09-01)
  AzureMl,
  /// `POST /_pipelines/oidctoken`: Azure Pipelines' OIDC token for a service connection
  PipelinesOidc,
  /// `GET /secrets...` (Key Vault) on the HTTPS listener
  KeyVault,
}

impl Route {
  pub const ALL: [Route; 12] = [
    Route::Token,
    Route::OpenIdConfiguration,
    Route::InstanceDiscovery,
    Route::Jwks,
    Route::Imds,
    Route::AppService,
    Route::AzureArc,
    Route::ServiceFabric,
    Route::CloudShell,
    Route::AzureMl,
    Route::PipelinesOidc,
    Route::KeyVault,
  ];

  /// The name used by the admin API and `FromStr`.
  pub fn as_str(self) -> &'static str {
    match self {
      Route::Token => "token",
      Route::OpenIdConfiguration => "openid",
      Route::InstanceDiscovery => "instance_discovery",
      Route::Jwks => "jwks",
      Route::Imds => "imds",
      Route::AppService => "app_service",
      Route::AzureArc => "arc",
      Route::ServiceFabric => "service_fabric",
      Route::CloudShell => "cloud_shell",
      Route::AzureMl => "azure_ml",
      Route::PipelinesOidc => "pipelines_oidc",
      Route::KeyVault => "keyvault",
    }
  }

  pub(crate) fn index(self) -> usize {
    self as usize
  }

  /// Entra's error dialect; IMDS, the other managed identity sources, Pipelines and Key Vault have their own.
  pub(crate) fn is_entra(self) -> bool {
    matches!(
      self,
      Route::Token | Route::OpenIdConfiguration | Route::InstanceDiscovery | Route::Jwks
    )
  }
}

impl fmt::Display for Route {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str(self.as_str())
  }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownRoute(pub String);

impl fmt::Display for UnknownRoute {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(
      f,
      "unknown route {:?} (expected token, openid, instance_discovery, jwks, imds, app_service, arc, service_fabric, cloud_shell, azure_ml, pipelines_oidc or keyvault)",
      self.0
    )
  }
}

impl std::error::Error for UnknownRoute {}

impl FromStr for Route {
  type Err = UnknownRoute;

  fn from_str(s: &str) -> Result<Self, Self::Err> {
    Route::ALL
      .into_iter()
      .find(|r| r.as_str().eq_ignore_ascii_case(s))
      .ok_or_else(|| UnknownRoute(s.to_string()))
  }
}

impl<'de> serde::Deserialize<'de> for Route {
  fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
    let s = String::deserialize(d)?;
    s.parse().map_err(serde::de::Error::custom)
  }
}

impl serde::Serialize for Route {
  fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(self.as_str())
  }
}
