//! The secret bundle and list items as the service sends them, turned into the shapes
//! of `@azure/keyvault-secrets` (name, version and vault URL derived from `id`).

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::secret::Secret;

/// `SecretProperties` of keyvault-secrets; times are Unix milliseconds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SecretProperties {
  pub id: String,
  pub name: String,
  pub version: Option<String>,
  pub vault_url: String,
  pub enabled: Option<bool>,
  pub not_before: Option<u64>,
  pub expires_on: Option<u64>,
  pub created_on: Option<u64>,
  pub updated_on: Option<u64>,
  pub content_type: Option<String>,
  pub tags: BTreeMap<String, String>,
  pub recovery_level: Option<String>,
  pub recoverable_days: Option<u64>,
  pub key_id: Option<String>,
  pub managed: Option<bool>,
}

/// A secret with its value; the value never prints (`Secret`).
#[derive(Debug, Clone)]
pub struct SecretBundle {
  pub value: Option<Secret>,
  pub properties: SecretProperties,
}

/// One page of a list: items (without values) and the link to the next page.
#[derive(Debug, Clone)]
pub struct SecretPage {
  pub items: Vec<SecretProperties>,
  pub next_link: Option<String>,
}

/// `https://{vault}/secrets/{name}[/{version}]` → (vault origin, name, version).
pub fn parse_secret_id(id: &str) -> Option<(String, String, Option<String>)> {
  let url = url::Url::parse(id).ok()?;
  let segments: Vec<&str> = url.path_segments()?.filter(|s| !s.is_empty()).collect();
  match segments.as_slice() {
    ["secrets", name] => Some((url.origin().ascii_serialization(), (*name).to_string(), None)),
    ["secrets", name, version] => {
      Some((url.origin().ascii_serialization(), (*name).to_string(), Some((*version).to_string())))
    }
    _ => None,
  }
}

pub fn properties_from_json(item: &Value) -> Option<SecretProperties> {
  let id = item.get("id")?.as_str()?.to_string();
  let (vault_url, name, version) = parse_secret_id(&id)?;
  let attrs = item.get("attributes").cloned().unwrap_or(Value::Null);
  let secs = |k: &str| attrs.get(k).and_then(Value::as_u64).map(|s| s.saturating_mul(1000));
  let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_string);
  let tags = item
    .get("tags")
    .and_then(Value::as_object)
    .map(|m| m.iter().filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string()))).collect())
    .unwrap_or_default();
  Some(SecretProperties {
    id,
    name,
    version,
    vault_url,
    enabled: attrs.get("enabled").and_then(Value::as_bool),
    not_before: secs("nbf"),
    expires_on: secs("exp"),
    created_on: secs("created"),
    updated_on: secs("updated"),
    content_type: text(item.get("contentType")),
    tags,
    recovery_level: text(attrs.get("recoveryLevel")),
    recoverable_days: attrs.get("recoverableDays").and_then(Value::as_u64),
    key_id: text(item.get("kid")),
    managed: item.get("managed").and_then(Value::as_bool),
  })
}

pub fn bundle_from_json(body: &Value) -> Option<SecretBundle> {
  Some(SecretBundle {
    value: body.get("value").and_then(Value::as_str).map(Secret::new),
    properties: properties_from_json(body)?,
  })
}

pub fn page_from_json(body: &Value) -> Option<SecretPage> {
  let items = body.get("value")?.as_array()?.iter().filter_map(properties_from_json).collect();
  let next_link =
    body.get("nextLink").and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
  Some(SecretPage { items, next_link })
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn bundle_fields_and_derived_ids() {
    let body: Value = serde_json::from_str(r#"{"value":"s3cr3t","id":"https://v.vault.azure.net/secrets/n/4387e9f3d6e14c459867679a90fd0f79","contentType":"text/plain","attributes":{"enabled":true,"created":1493938410,"updated":1493938411,"exp":1893938410,"recoveryLevel":"Recoverable+Purgeable","recoverableDays":90},"tags":{"k":"v"}}"#).unwrap();
    let b = bundle_from_json(&body).unwrap();
    assert_eq!(b.value.unwrap().expose(), "s3cr3t");
    let p = b.properties;
    assert_eq!(p.name, "n");
    assert_eq!(p.version.as_deref(), Some("4387e9f3d6e14c459867679a90fd0f79"));
    assert_eq!(p.vault_url, "https://v.vault.azure.net");
    assert_eq!(p.created_on, Some(1_493_938_410_000));
    assert_eq!(p.expires_on, Some(1_893_938_410_000));
    assert_eq!(p.not_before, None);
    assert_eq!(p.tags.get("k").map(String::as_str), Some("v"));
    assert_eq!(p.recovery_level.as_deref(), Some("Recoverable+Purgeable"));
  }

  #[test]
  fn pages_keep_next_link_verbatim() {
    let body: Value = serde_json::from_str(r#"{"value":[{"id":"https://v.vault.azure.net/secrets/a","attributes":{"enabled":true}}],"nextLink":"https://v.vault.azure.net:443/secrets?api-version=7.2&$skiptoken=abc&maxresults=1"}"#).unwrap();
    let p = page_from_json(&body).unwrap();
    assert_eq!(p.items[0].name, "a");
    assert_eq!(p.items[0].version, None);
    assert_eq!(
      p.next_link.as_deref(),
      Some("https://v.vault.azure.net:443/secrets?api-version=7.2&$skiptoken=abc&maxresults=1")
    );
    let last: Value = serde_json::from_str(r#"{"value":[],"nextLink":null}"#).unwrap();
    assert!(page_from_json(&last).unwrap().next_link.is_none());
  }
}
