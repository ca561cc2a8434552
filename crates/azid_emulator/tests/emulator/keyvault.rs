//! The emulated vault on the wire: challenge, token checks, both "latest" URL forms, errors.

use azid_emulator::{AccessDenial, SecretOptions, DEFAULT_TENANT_ID};

use crate::common::*;

async fn get(client: &reqwest::Client, url: String, token: Option<&str>) -> Answer {
  let mut r = client.get(url);
  if let Some(t) = token {
    r = r.bearer_auth(t);
  }
  answer(r.send().await.expect("request")).await
}

#[tokio::test]
async fn vault_challenge_tokens_and_latest_forms() {
  let emu = start().await;
  let client = client(&emu);
  let base = emu.authority_host();
  let v1 = emu.set_secret("app", "one", SecretOptions::default()).unwrap();
  let v2 = emu.set_secret("app", "two", SecretOptions::default()).unwrap();

  // No token: 401 with the challenge, as Key Vault words it.
  let a = get(&client, format!("{base}/secrets/app/?api-version=2025-07-01"), None).await;
  assert_eq!(a.status, 401);
  assert_eq!(a.json["error"]["code"], "Unauthorized");
  assert_eq!(
    a.header("www-authenticate").unwrap(),
    format!(
      "Bearer authorization=\"{base}/{DEFAULT_TENANT_ID}\", resource=\"https://vault.azure.net\""
    )
  );

  // A token for another audience, or not signed by the emulator, is refused.
  let graph = post_token(
    &client,
    &emu,
    DEFAULT_TENANT_ID,
    &default_form("https://graph.microsoft.com/.default"),
  )
  .await;
  let a = get(
    &client,
    format!("{base}/secrets/app?api-version=7.5"),
    graph.json["access_token"].as_str(),
  )
  .await;
  assert_eq!(a.status, 401);
  assert!(a.json["error"]["message"].as_str().unwrap().contains("AKV10022"));
  let token = default_token(&client, &emu).await.json["access_token"].as_str().unwrap().to_string();
  let mut forged = token.clone();
  forged.push('A');
  assert_eq!(
    get(&client, format!("{base}/secrets/app?api-version=7.5"), Some(&forged)).await.status,
    401
  );

  // Latest by /secrets/{name} and /secrets/{name}/; a version by its id.
  for url in [
    format!("{base}/secrets/app?api-version=7.5"),
    format!("{base}/secrets/app/?api-version=2025-07-01"),
  ] {
    let a = get(&client, url, Some(&token)).await;
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.json["value"], "two");
    assert_eq!(a.json["id"], format!("{base}/secrets/app/{v2}"));
  }
  let a = get(&client, format!("{base}/secrets/app/{v1}?api-version=7.5"), Some(&token)).await;
  assert_eq!(a.json["value"], "one");

  // No api-version: 400 BadParameter. Unknown secret: 404 SecretNotFound.
  assert_eq!(
    get(&client, format!("{base}/secrets/app"), Some(&token)).await.json["error"]["code"],
    "BadParameter"
  );
  let a = get(&client, format!("{base}/secrets/nope?api-version=7.5"), Some(&token)).await;
  assert_eq!((a.status, a.json["error"]["code"].as_str()), (404, Some("SecretNotFound")));

  // Per-identity RBAC: the default app's oid is denied everything.
  let oid = claims(&token)["oid"].as_str().unwrap().to_string();
  emu.deny_secret_access(AccessDenial { secret_name: None, principal_id: Some(oid) });
  let a = get(&client, format!("{base}/secrets?api-version=7.5"), Some(&token)).await;
  assert_eq!(
    (a.status, a.json["error"]["innererror"]["code"].as_str()),
    (403, Some("ForbiddenByRbac"))
  );
  emu.clear_secret_denials();

  // Lists carry no values; an expired secret is still served (the service treats exp as advisory).
  emu.set_secret("old", "x", SecretOptions { exp: Some(1), ..Default::default() }).unwrap();
  let a = get(&client, format!("{base}/secrets?api-version=7.5&maxresults=1"), Some(&token)).await;
  assert!(a.json["value"][0].get("value").is_none());
  assert!(a.json["nextLink"].as_str().unwrap().contains("$skiptoken="));
  let a = get(&client, format!("{base}/secrets/old?api-version=7.5"), Some(&token)).await;
  assert_eq!((a.status, a.json["attributes"]["exp"].as_u64()), (200, Some(1)));
  emu.shutdown().await;
}
