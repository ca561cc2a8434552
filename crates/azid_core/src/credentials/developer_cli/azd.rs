//! The Azure Developer CLI: `azd auth token --output json --no-prompt --scope <s>…`.

use serde_json::Value;

use super::{CliTool, Invocation};
use crate::error::Result;
use crate::expiry;

pub struct AzureDeveloperCli;

impl CliTool for AzureDeveloperCli {
  fn credential(&self) -> &'static str {
    "AzureDeveloperCliCredential"
  }

  fn programs(&self) -> &'static [&'static str] {
    &["azd"]
  }

  fn install_hint(&self) -> &'static str {
    "Install the Azure Developer CLI (https://aka.ms/azd-install), run 'azd auth login', and make sure 'azd' is on PATH."
  }

  fn invocation(
    &self,
    scopes: &[String],
    tenant: Option<&str>,
    claims: Option<&str>,
  ) -> Result<Invocation> {
    let mut args: Vec<String> =
      ["auth", "token", "--output", "json", "--no-prompt"].map(String::from).to_vec();
    for s in scopes {
      args.extend(["--scope".into(), s.clone()]);
    }
    if let Some(t) = tenant {
      args.extend(["--tenant-id".into(), t.into()]);
    }
    if let Some(c) = claims {
      use base64::Engine as _;
      args.extend(["--claims".into(), base64::engine::general_purpose::STANDARD.encode(c)]);
    }
    Ok(Invocation { args, envs: Vec::new() })
  }

  fn parse(&self, stdout: &[u8]) -> Option<(String, u64)> {
    let body: Value = serde_json::from_slice(stdout).ok()?;
    let token = body.get("token")?.as_str().filter(|t| !t.is_empty())?.to_string();
    let expires = expiry::expires_on_ms(body.get("expiresOn"))?;
    Some((token, expires))
  }

  fn login_fix(&self, stderr: &str) -> Option<String> {
    let s = stderr.to_ascii_lowercase();
    if s.contains("not logged in")
      || s.contains("azd auth login") && !s.contains("reauthentication")
    {
      return Some("Run 'azd auth login' to sign in to the Azure Developer CLI.".into());
    }
    (s.contains("reauthentication required") || s.contains("multi-factor")).then(|| {
      format!(
        "The Azure Developer CLI needs you to sign in again: {} Run 'azd auth login'.",
        super::stderr::sanitize(stderr)
      )
    })
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn reads_rfc3339_expiry() {
    let out = br#"{"token":"t","expiresOn":"2030-01-01T00:00:00Z"}"#;
    assert_eq!(AzureDeveloperCli.parse(out), Some(("t".into(), 1_893_456_000_000)));
    assert_eq!(AzureDeveloperCli.parse(br#"{"token":"t"}"#), None);
  }

  #[test]
  fn argv_and_login_messages() {
    let inv = AzureDeveloperCli
      .invocation(&["a/.default".into(), "b/.default".into()], Some("t"), None)
      .unwrap();
    assert_eq!(
      inv.args.join(" "),
      "auth token --output json --no-prompt --scope a/.default --scope b/.default --tenant-id t"
    );
    let not_logged_in = "\nERROR: not logged in, run `azd auth login` to login\n";
    assert!(AzureDeveloperCli.login_fix(not_logged_in).unwrap().contains("azd auth login"));
    assert!(AzureDeveloperCli.login_fix("ERROR: boom").is_none());
  }
}
