//! The Azure CLI: `az account get-access-token --output json --resource <r>`.

use serde_json::Value;

use super::{resource_of, CliTool, Invocation};
use crate::error::{Error, Result};
use crate::expiry;

/// Subscriptions go on the command line too: names and ids only.
pub fn validate_subscription(subscription: &str) -> Result<()> {
  let ok = !subscription.starts_with('-')
    && !subscription.trim().is_empty()
    && subscription.chars().all(|c| c.is_ascii_alphanumeric() || "-._ ".contains(c));
  if ok {
    Ok(())
  } else {
    Err(Error::invalid(format!(
      "AzureCliCredential: invalid subscription '{}'. A subscription is a GUID or a name of letters, digits, '-', '.', '_' and spaces.",
      subscription.chars().take(100).collect::<String>()
    )))
  }
}

pub struct AzureCli {
  pub subscription: Option<String>,
  /// This machine's UTC offset, for the deprecated `expiresOn` (local time, no zone)
  /// printed by CLIs older than 2.54 that lack `expires_on`.
  pub local_offset_minutes: i32,
}

impl AzureCli {
  pub fn new(subscription: Option<String>, local_offset_minutes: i32) -> Result<Self> {
    if let Some(s) = &subscription {
      validate_subscription(s)?;
    }
    Ok(Self { subscription, local_offset_minutes })
  }

  fn local_time_ms(&self, text: &str) -> Option<u64> {
    let m = self.local_offset_minutes;
    let zone = format!("{}{:02}:{:02}", if m < 0 { '-' } else { '+' }, m.abs() / 60, m.abs() % 60);
    expiry::expires_on_ms(Some(&Value::String(format!("{}{zone}", text.trim()))))
  }
}

impl CliTool for AzureCli {
  fn credential(&self) -> &'static str {
    "AzureCliCredential"
  }

  fn programs(&self) -> &'static [&'static str] {
    &["az"]
  }

  fn install_hint(&self) -> &'static str {
    "Install the Azure CLI (https://aka.ms/azure-cli), run 'az login', and make sure 'az' is on PATH."
  }

  fn invocation(
    &self,
    scopes: &[String],
    tenant: Option<&str>,
    claims: Option<&str>,
  ) -> Result<Invocation> {
    let scope = super::single_scope("AzureCliCredential", "the Azure CLI", scopes)?;
    if let Some(claims) = claims {
      let tenant_arg = tenant.map(|t| format!(" --tenant {t}")).unwrap_or_default();
      return Err(super::claims_login("AzureCliCredential", claims, |b64| {
        format!("az login --claims-challenge {b64} --scope {scope}{tenant_arg}")
      }));
    }
    let mut args: Vec<String> =
      ["account", "get-access-token", "--output", "json", "--resource", resource_of(scope)]
        .map(String::from)
        .to_vec();
    if let Some(t) = tenant {
      args.extend(["--tenant".into(), t.into()]);
    }
    if let Some(s) = &self.subscription {
      args.extend(["--subscription".into(), s.clone()]);
    }
    Ok(Invocation { args, envs: Vec::new() })
  }

  fn parse(&self, stdout: &[u8]) -> Option<(String, u64)> {
    let body: Value = serde_json::from_slice(stdout).ok()?;
    let token = body.get("accessToken")?.as_str().filter(|t| !t.is_empty())?.to_string();
    let expires = expiry::expires_on_ms(body.get("expires_on"))
      .or_else(|| self.local_time_ms(body.get("expiresOn")?.as_str()?))
      .or_else(|| expiry::jwt_exp_ms(&token))?;
    Some((token, expires))
  }

  fn login_fix(&self, stderr: &str) -> Option<String> {
    // `az login --scope …` is a Conditional Access re-login: its exact command matters.
    if stderr.contains("az login --scope") || stderr.contains("az login --claims-challenge") {
      return Some(format!(
        "The Azure CLI asks for an interactive login for this resource: {}",
        super::stderr::sanitize(stderr)
      ));
    }
    stderr.contains("az login").then(|| "Run 'az login' to sign in to the Azure CLI.".to_string())
  }

  fn key(&self) -> String {
    format!("{:?}|{}", self.subscription, self.local_offset_minutes)
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn prefers_epoch_and_falls_back_to_local_time() {
    let az = AzureCli::new(None, 120).unwrap();
    let both = br#"{"accessToken":"t","expiresOn":"2030-01-01 02:00:00.000000","expires_on":1893456000,"tokenType":"Bearer"}"#;
    assert_eq!(az.parse(both), Some(("t".into(), 1_893_456_000_000)));
    // 02:00 at UTC+2 is midnight UTC.
    let local = br#"{"accessToken":"t","expiresOn":"2030-01-01 02:00:00.000000"}"#;
    assert_eq!(az.parse(local), Some(("t".into(), 1_893_456_000_000)));
    let west = AzureCli::new(None, -90).unwrap();
    let west_local = br#"{"accessToken":"t","expiresOn":"2029-12-31 22:30:00"}"#;
    assert_eq!(west.parse(west_local), Some(("t".into(), 1_893_456_000_000)));
    assert_eq!(az.parse(b"not json"), None);
    assert_eq!(az.parse(br#"{"accessToken":"","expires_on":1}"#), None);
    assert_eq!(az.parse(br#"{"accessToken":"opaque"}"#), None);
  }

  #[test]
  fn argv_carries_resource_tenant_and_subscription() {
    let az = AzureCli::new(Some("My Sub".into()), 0).unwrap();
    let inv =
      az.invocation(&["https://vault.azure.net/.default".into()], Some("t1"), None).unwrap();
    assert_eq!(
      inv.args,
      [
        "account",
        "get-access-token",
        "--output",
        "json",
        "--resource",
        "https://vault.azure.net",
        "--tenant",
        "t1",
        "--subscription",
        "My Sub"
      ]
    );
    assert!(AzureCli::new(Some("x; rm -rf /".into()), 0).is_err());
    assert!(AzureCli::new(Some("--debug".into()), 0).is_err());
    assert!(az.invocation(&["a".into(), "b".into()], None, None).is_err());
    let claims = az.invocation(&["a".into()], None, Some("{}")).unwrap_err();
    assert!(claims.to_string().contains("az login --claims-challenge"));
  }

  #[test]
  fn login_messages() {
    let az = AzureCli::new(None, 0).unwrap();
    assert!(az
      .login_fix("ERROR: Please run 'az login' to setup account.")
      .unwrap()
      .contains("az login"));
    assert!(az.login_fix("ERROR: boom").is_none());
  }
}
