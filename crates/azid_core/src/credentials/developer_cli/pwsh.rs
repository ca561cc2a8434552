//! Azure PowerShell: `pwsh -NoProfile -NonInteractive -Command <script>`. The resource
//! and tenant reach the script as environment variables, never as script text, so
//! nothing the caller passes is parsed as PowerShell.

use serde_json::Value;

use super::{resource_of, CliTool, Invocation};
use crate::error::Result;
use crate::expiry;

const RESOURCE_VAR: &str = "AZID_PWSH_RESOURCE";
const TENANT_VAR: &str = "AZID_PWSH_TENANT";

/// Az.Accounts ≥ 2.2.0; the token is a SecureString from 2.17 (on request) and from
/// 5.0 (by default); NetworkCredential unwraps it on both Windows PowerShell and pwsh.
/// ExpiresOn is printed as epoch seconds so no locale or serializer shapes it.
const SCRIPT: &str = r#"$ErrorActionPreference = 'Stop'
$m = Import-Module Az.Accounts -MinimumVersion 2.2.0 -PassThru
$p = @{ ResourceUrl = $env:AZID_PWSH_RESOURCE }
if ($env:AZID_PWSH_TENANT) { $p['TenantId'] = $env:AZID_PWSH_TENANT }
if ($m.Version -ge [version]'2.17.0' -and $m.Version -lt [version]'5.0.0') { $p['AsSecureString'] = $true }
$t = Get-AzAccessToken @p
$v = $t.Token
if ($v -is [System.Security.SecureString]) { $v = [System.Net.NetworkCredential]::new('', $v).Password }
[pscustomobject]@{ Token = $v; ExpiresOn = $t.ExpiresOn.ToUnixTimeSeconds() } | ConvertTo-Json -Compress
"#;

pub struct AzurePowerShell;

/// `1893456000`, `"2030-01-01T00:00:00+00:00"` or Windows PowerShell's `"/Date(1893456000000)/"`.
fn expires_on(value: Option<&Value>) -> Option<u64> {
  if let Some(ms) = value
    .and_then(Value::as_str)
    .and_then(|s| s.strip_prefix("/Date(")?.strip_suffix(")/")?.parse::<u64>().ok())
  {
    return Some(ms);
  }
  expiry::expires_on_ms(value)
}

impl CliTool for AzurePowerShell {
  fn credential(&self) -> &'static str {
    "AzurePowerShellCredential"
  }

  fn programs(&self) -> &'static [&'static str] {
    if cfg!(windows) {
      &["pwsh", "powershell"]
    } else {
      &["pwsh"]
    }
  }

  fn install_hint(&self) -> &'static str {
    "Install PowerShell 7 (https://aka.ms/install-powershell) and the Az module ('Install-Module -Name Az -Scope CurrentUser -Repository PSGallery -Force'), then run 'Connect-AzAccount'."
  }

  fn invocation(
    &self,
    scopes: &[String],
    tenant: Option<&str>,
    claims: Option<&str>,
  ) -> Result<Invocation> {
    let scope = super::single_scope("AzurePowerShellCredential", "Azure PowerShell", scopes)?;
    if let Some(claims) = claims {
      let tenant_arg = tenant.map(|t| format!(" -Tenant {t}")).unwrap_or_default();
      return Err(super::claims_login("AzurePowerShellCredential", claims, |b64| {
        format!("Connect-AzAccount -ClaimsChallenge {b64}{tenant_arg}")
      }));
    }
    Ok(Invocation {
      args: ["-NoProfile", "-NonInteractive", "-Command", SCRIPT].map(String::from).to_vec(),
      envs: vec![
        (RESOURCE_VAR.into(), resource_of(scope).into()),
        (TENANT_VAR.into(), tenant.unwrap_or_default().into()),
      ],
    })
  }

  fn parse(&self, stdout: &[u8]) -> Option<(String, u64)> {
    // Modules may print warnings to stdout before the JSON line.
    let text = std::str::from_utf8(stdout).ok()?;
    text.lines().rev().find_map(|line| {
      let body: Value = serde_json::from_str(line.trim()).ok()?;
      let token = body.get("Token")?.as_str().filter(|t| !t.is_empty())?.to_string();
      let expires = expires_on(body.get("ExpiresOn"))?;
      Some((token, expires))
    })
  }

  fn login_fix(&self, stderr: &str) -> Option<String> {
    if stderr.contains("Connect-AzAccount") {
      return Some("Run 'Connect-AzAccount' in PowerShell to sign in.".into());
    }
    (stderr.contains("Az.Accounts") && stderr.contains("not loaded")).then(|| {
      "The Az.Accounts module (2.2.0 or later) is not installed: run 'Install-Module -Name Az -Scope CurrentUser -Repository PSGallery -Force', then 'Connect-AzAccount'.".into()
    })
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn reads_each_expiry_shape_after_warnings() {
    let p = AzurePowerShell;
    let epoch = b"WARNING: something\n{\"Token\":\"t\",\"ExpiresOn\":1893456000}\n";
    assert_eq!(p.parse(epoch), Some(("t".into(), 1_893_456_000_000)));
    let iso = br#"{"Token":"t","ExpiresOn":"2030-01-01T00:00:00+00:00"}"#;
    assert_eq!(p.parse(iso), Some(("t".into(), 1_893_456_000_000)));
    let legacy = br#"{"Token":"t","ExpiresOn":"/Date(1893456000000)/"}"#;
    assert_eq!(p.parse(legacy), Some(("t".into(), 1_893_456_000_000)));
    assert_eq!(p.parse(b"garbage"), None);
  }

  #[test]
  fn inputs_travel_as_environment_not_script() {
    let inv = AzurePowerShell.invocation(&["https://x/.default".into()], Some("t"), None).unwrap();
    assert_eq!(inv.args.last().map(String::as_str), Some(SCRIPT));
    assert!(inv.envs.contains(&(RESOURCE_VAR.into(), "https://x".into())));
    assert!(inv.envs.contains(&(TENANT_VAR.into(), "t".into())));
    assert!(AzurePowerShell.login_fix("Run Connect-AzAccount to login.").is_some());
  }
}
