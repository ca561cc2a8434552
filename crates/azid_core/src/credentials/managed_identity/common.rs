//! What the HTTP-based sources other than IMDS share: endpoint parsing, the send with
//! its log line, and turning the answer into a token or a typed error.

use super::UserAssignedId;
use crate::credentials::response::{
  error_from_response, error_from_send, parse_error_body, token_from_response,
};
use crate::error::{Error, Result};
use crate::http::{send, HttpResponse, RetryPolicy, Transport};
use crate::log::Level;
use crate::token::AccessToken;

/// One call's context: who is asking, over which client, under which retry policy.
pub(crate) struct Ctx<'a> {
  pub label: &'a str,
  /// The environment variable the endpoint came from, named in errors.
  pub env_name: &'static str,
  pub transport: &'a Transport,
  pub policy: &'a RetryPolicy,
  pub id: Option<&'a UserAssignedId>,
}

/// An http(s) URL from the environment, or an error naming the variable to fix.
pub(crate) fn parse_endpoint(source: &str, env_name: &str, raw: &str) -> Result<url::Url> {
  let url = url::Url::parse(raw.trim()).map_err(|_| {
    Error::invalid(format!(
      "ManagedIdentityCredential ({source}): {env_name}='{raw}' is not a valid URL; it must be the http(s) address of the identity endpoint."
    ))
  })?;
  if url.scheme() != "http" && url.scheme() != "https" {
    return Err(Error::invalid(format!(
      "ManagedIdentityCredential ({source}): {env_name}='{raw}' must be an http(s) URL."
    )));
  }
  // These requests carry a secret (IDENTITY_HEADER, MSI_SECRET, the Arc key): in clear
  // only to a local endpoint, as every real one is.
  if url.scheme() == "http" && !is_local(&url) {
    return Err(Error::invalid(format!(
      "ManagedIdentityCredential ({source}): {env_name} points at a remote host over plain http; managed identity endpoints are on this machine (localhost, 127.0.0.1 or link-local). Check {env_name}."
    )));
  }
  Ok(url)
}

/// Loopback or link-local: where managed identity endpoints live.
fn is_local(url: &url::Url) -> bool {
  match url.host() {
    Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
    Some(url::Host::Ipv4(ip)) => ip.is_loopback() || ip.is_link_local(),
    Some(url::Host::Ipv6(ip)) => ip.is_loopback() || (ip.segments()[0] & 0xffc0) == 0xfe80,
    None => false,
  }
}

/// `host:port` for log lines and errors (never the query, which carries ids).
pub(crate) fn host_port(url: &url::Url) -> String {
  format!("{}:{}", url.host_str().unwrap_or(""), url.port_or_known_default().unwrap_or(0))
}

/// A user-assigned id on a source that only serves its own identity.
pub(crate) fn reject_user_assigned(ctx: &Ctx<'_>, source: &str, why: &str) -> Result<()> {
  match ctx.id {
    None => Ok(()),
    Some(id) => Err(Error::unavailable(format!(
      "{}: {source} does not support user-assigned identities ({} was given): {why} Remove clientId/objectId/resourceId to use the identity this environment provides.",
      ctx.label,
      id.describe()
    ))),
  }
}

/// Sends with retries. Nothing listening means the source is not really here: unavailable.
pub(crate) async fn send_to<F>(
  ctx: &Ctx<'_>,
  method: &str,
  url: &url::Url,
  resource: &str,
  build: F,
) -> Result<HttpResponse>
where
  F: Fn(&reqwest::Client) -> reqwest::RequestBuilder,
{
  let host = host_port(url);
  crate::azlog!(
    Level::Info,
    "{}: {method} {}://{host}{} (resource {resource})",
    ctx.label,
    url.scheme(),
    url.path()
  );
  let what = format!("{}: request to {host}", ctx.label);
  send(ctx.transport, ctx.policy, &what, build).await.map_err(|e| {
    if e.connect {
      Error::unavailable(format!(
        "{}: no managed identity endpoint answered at {host} ({}). Check {} or run where the identity endpoint is available.",
        ctx.label, e.message, ctx.env_name
      ))
    } else {
      error_from_send(ctx.label, e)
    }
  })
}

/// A 2xx becomes a token; "identity not found" means unavailable; a 401/403 names the
/// secret to check; other statuses become typed errors.
pub(crate) fn finish(
  ctx: &Ctx<'_>,
  url: &url::Url,
  response: &HttpResponse,
  secret_env: Option<&str>,
) -> Result<AccessToken> {
  if response.is_success() {
    return token_from_response(ctx.label, response);
  }
  let host = host_port(url);
  let parsed = parse_error_body(response.status, &response.body);
  if (response.status == 400 || response.status == 404)
    && parsed.error_description.to_ascii_lowercase().contains("identity not found")
  {
    let which = ctx.id.map_or("the system-assigned identity".to_string(), |i| {
      format!("the user-assigned identity {}", i.describe())
    });
    return Err(Error::Unavailable {
      message: format!("{}: the endpoint answered 'Identity not found': {which} is not assigned to this resource. Assign it, or pass the id of an identity that is.", ctx.label),
      status_code: Some(response.status),
      error_response: Some(Box::new(parsed)),
    });
  }
  let retryable = ctx.policy.retry_statuses.contains(&response.status);
  let mut err = error_from_response(ctx.label, &host, response, retryable);
  if let (Some(env), 401 | 403, Error::AuthenticationFailed { message, .. }) =
    (secret_env, response.status, &mut err)
  {
    message.push_str(&format!(
      ". The endpoint refused the secret header: check that {env} is the value the platform set for this process."
    ));
  }
  Err(err)
}

#[cfg(test)]
mod local_endpoint_tests {
  use super::parse_endpoint;

  #[test]
  fn secrets_go_in_clear_only_to_local_endpoints() {
    for ok in [
      "http://localhost:42356/msi/token",
      "http://127.0.0.1:40342/x",
      "http://[::1]:1/x",
      "http://169.254.1.2/x",
      "https://example.com/x",
    ] {
      assert!(parse_endpoint("App Service", "IDENTITY_ENDPOINT", ok).is_ok(), "{ok}");
    }
    for bad in ["http://example.com/msi/token", "http://10.0.0.4:42356/msi/token"] {
      assert!(parse_endpoint("App Service", "IDENTITY_ENDPOINT", bad).is_err(), "{bad}");
    }
  }
}
