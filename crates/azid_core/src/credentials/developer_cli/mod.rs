//! Developer tools as token sources: the Azure CLI (`az`), the Azure Developer CLI
//! (`azd`) and Azure PowerShell (`pwsh`). Each tool says how to call it and how to read
//! its output; running it, classifying failures and keeping stdout (which holds the
//! token) out of every message is shared here. As token sources they get the engine's
//! cache and single flight, so a herd of callers starts one subprocess.

pub mod az;
pub mod azd;
mod process;
pub mod pwsh;
pub(crate) mod stderr;

use std::sync::Arc;
use std::time::Duration;

use crate::engine::{BoxFuture, TokenSource};
use crate::error::{Error, Result};
use crate::request::TokenRequest;
use crate::secret::Secret;
use crate::token::{now_ms, AccessToken};

pub use az::AzureCli;
pub use azd::AzureDeveloperCli;
pub use pwsh::AzurePowerShell;

/// The SDKs' default: a tool that has not answered in 10 s is not going to.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// How to run one tool and read its answer.
pub trait CliTool: Send + Sync + 'static {
  /// The credential class, for labels and messages.
  fn credential(&self) -> &'static str;
  /// Program names looked up on PATH, in order.
  fn programs(&self) -> &'static [&'static str];
  /// What to do when the tool is not installed.
  fn install_hint(&self) -> &'static str;
  /// argv and extra environment for a request; errors for what the tool cannot do.
  fn invocation(
    &self,
    scopes: &[String],
    tenant: Option<&str>,
    claims: Option<&str>,
  ) -> Result<Invocation>;
  /// The token and its expiry (ms since the epoch) from stdout, if stdout is a token.
  fn parse(&self, stdout: &[u8]) -> Option<(String, u64)>;
  /// The fix when stderr says the user must log in (again) first.
  fn login_fix(&self, stderr: &str) -> Option<String>;
  /// Extra configuration that changes the tokens (e.g. az's subscription).
  fn key(&self) -> String {
    String::new()
  }
}

/// One subprocess call: argv after the program name, and variables to add.
#[derive(Debug, Default)]
pub struct Invocation {
  pub args: Vec<String>,
  pub envs: Vec<(String, String)>,
}

#[derive(Debug, Clone)]
pub struct CliConfig {
  /// The tenant to ask for when the request names none; `None` = the tool's default.
  pub tenant_id: Option<String>,
  pub timeout: Duration,
}

pub struct DeveloperCliSource<T: CliTool> {
  tool: T,
  config: CliConfig,
}

impl<T: CliTool> DeveloperCliSource<T> {
  pub fn new(tool: T, config: CliConfig) -> Result<Self> {
    if let Some(t) = &config.tenant_id {
      crate::request::validate_tenant(t)?;
    }
    if config.timeout.is_zero() {
      return Err(Error::invalid(format!(
        "{}: processTimeoutInMs must be greater than 0.",
        tool.credential()
      )));
    }
    Ok(Self { tool, config })
  }

  pub fn engine_key(tool: &T, config: &CliConfig) -> String {
    format!(
      "developer_cli|{}|{:?}|{}|{}",
      tool.credential(),
      config.tenant_id,
      config.timeout.as_millis(),
      tool.key()
    )
  }
}

/// Scopes go on a command line: only the characters a scope URI needs, and never a
/// leading '-' that the tool would read as an option.
pub fn validate_scope(credential: &str, scope: &str) -> Result<()> {
  let ok = !scope.starts_with('-')
    && scope.chars().all(|c| c.is_ascii_alphanumeric() || "-_.:/".contains(c));
  if ok {
    Ok(())
  } else {
    Err(Error::invalid(format!(
      "{credential}: invalid scope '{}'. A scope may hold only letters, digits and '-', '_', '.', ':', '/', e.g. 'https://management.azure.com/.default'.",
      scope.chars().take(100).collect::<String>()
    )))
  }
}

/// The resource a tool wants: the scope without `/.default`.
/// The one scope a tool takes per request (az and pwsh ask for a resource).
fn single_scope<'a>(credential: &str, tool: &str, scopes: &'a [String]) -> Result<&'a String> {
  match scopes {
    [scope] => Ok(scope),
    _ => Err(Error::invalid(format!(
      "{credential}: {tool} takes one scope per request, got {}.",
      scopes.len()
    ))),
  }
}

/// A claims challenge needs an interactive login: unavailable, with the command that does it.
fn claims_login(credential: &str, claims: &str, command: impl FnOnce(&str) -> String) -> Error {
  use base64::Engine as _;
  let b64 = base64::engine::general_purpose::STANDARD.encode(claims);
  Error::unavailable(format!(
    "{credential}: a claims challenge needs an interactive login. Run: {}",
    command(&b64)
  ))
}

pub fn resource_of(scope: &str) -> &str {
  scope.strip_suffix("/.default").unwrap_or(scope)
}

fn shell_line(program: &str, args: &[String]) -> String {
  // For messages: the subcommand only, not values (which the user can see in the code).
  let sub: Vec<&str> = args.iter().take(2).map(String::as_str).collect();
  format!("{program} {}", sub.join(" "))
}

impl<T: CliTool> TokenSource for DeveloperCliSource<T> {
  fn label(&self) -> String {
    match &self.config.tenant_id {
      Some(t) => format!("{}(tenant={t})", self.tool.credential()),
      None => self.tool.credential().to_string(),
    }
  }

  fn fetch(self: Arc<Self>, request: TokenRequest) -> BoxFuture<Result<AccessToken>> {
    Box::pin(async move {
      let name = self.tool.credential();
      let label = self.label();
      for scope in &request.scopes {
        validate_scope(name, scope)?;
      }
      let tenant = request.tenant_id.as_deref().or(self.config.tenant_id.as_deref());
      let invocation = self.tool.invocation(&request.scopes, tenant, request.claims.as_deref())?;
      let Some(program) = process::find_program(self.tool.programs()) else {
        return Err(Error::unavailable(format!(
          "{name}: '{}' was not found on PATH. {}",
          self.tool.programs().join("' or '"),
          self.tool.install_hint()
        )));
      };
      let shown = shell_line(self.tool.programs()[0], &invocation.args);
      crate::azlog!(
        crate::log::Level::Info,
        "{label}: running '{shown} …' for [{}]",
        request.scopes_for_log()
      );
      let timeout = self.config.timeout;
      let finished = process::run(&program, &invocation.args, &invocation.envs, timeout)
        .await
        .map_err(|e| match e {
          process::RunError::NotFound => Error::unavailable(format!(
            "{name}: '{}' was not found. {}",
            program.display(),
            self.tool.install_hint()
          )),
          process::RunError::TimedOut => Error::unavailable(format!(
            "{name}: '{shown}' did not finish within {} ms and was stopped. The tool may be waiting for input or a slow network; run it yourself to see, or raise processTimeoutInMs.",
            timeout.as_millis()
          )),
          process::RunError::Spawn(why) => Error::unavailable(format!(
            "{name}: '{}' could not be started ({why}). {}",
            program.display(),
            self.tool.install_hint()
          )),
        })?;
      if !finished.success {
        let clean = stderr::sanitize(&finished.stderr);
        if let Some(fix) = self.tool.login_fix(&finished.stderr) {
          return Err(Error::unavailable(format!("{name}: not logged in. {fix}")));
        }
        if stderr::says_not_installed(&finished.stderr) {
          return Err(Error::unavailable(format!(
            "{name}: the tool is not installed or not runnable. {}",
            self.tool.install_hint()
          )));
        }
        let exit = finished.exit_code.map_or("a signal".to_string(), |c| format!("code {c}"));
        return Err(Error::ToolFailed {
          message: format!("{name}: '{shown}' failed with exit {exit}: {clean}"),
          tool: self.tool.programs()[0].to_string(),
          exit_code: finished.exit_code,
          error_response: stderr::error_response(&finished.stderr).map(Box::new),
        });
      }
      // From here on stdout holds the token: messages say what was wrong, never what it was.
      let malformed = |why: &str| {
        Error::ToolFailed {
        message: format!(
          "{name}: '{shown}' succeeded but its output {why} ({} bytes, not shown because it may hold a token). Update the tool, or run it yourself to check.",
          finished.stdout.len()
        ),
        tool: self.tool.programs()[0].to_string(),
        exit_code: finished.exit_code,
        error_response: None,
      }
      };
      if finished.stdout_overflow {
        return Err(malformed("is larger than a token response"));
      }
      let (token, expires_on_ms) =
        self.tool.parse(&finished.stdout).ok_or_else(|| malformed("is not the expected JSON"))?;
      let now = now_ms();
      if expires_on_ms <= now {
        return Err(malformed("holds a token that has already expired"));
      }
      Ok(AccessToken::new(Secret::new(token), "Bearer".into(), now, expires_on_ms, None))
    })
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn scopes_that_could_inject_are_refused() {
    assert!(validate_scope("X", "https://management.azure.com/.default").is_ok());
    assert!(validate_scope("X", "api://a-b_c/.default").is_ok());
    for bad in ["--debug", "a b", "a;rm -rf /", "a\"b", "a$(x)", "a`x`", "a\nb", "a&b", "a|b"] {
      assert!(validate_scope("X", bad).is_err(), "{bad:?} accepted");
    }
  }

  #[test]
  fn resource_drops_default() {
    assert_eq!(resource_of("https://vault.azure.net/.default"), "https://vault.azure.net");
    assert_eq!(resource_of("https://vault.azure.net"), "https://vault.azure.net");
  }
}
