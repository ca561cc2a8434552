//! Reads a token's expiry from the many shapes token endpoints use: `expires_in` and
//! `expires_on` as numbers or numeric strings, RFC 3339, the legacy App Service
//! `MM/dd/yyyy hh:mm:ss AM +00:00`, and as a fallback the JWT `exp` claim.

use base64::Engine as _;
use serde_json::Value;

/// Larger values are nonsense (past the year 5000) and would overflow in milliseconds.
const MAX_SECONDS: u64 = 100_000_000_000;

/// Seconds, from a JSON number or a numeric string.
pub fn seconds(value: Option<&Value>) -> Option<u64> {
  seconds_unbounded(value).filter(|s| *s <= MAX_SECONDS)
}

fn seconds_unbounded(value: Option<&Value>) -> Option<u64> {
  match value? {
    Value::Number(n) => n.as_u64().or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64)),
    Value::String(s) => s.trim().parse::<f64>().ok().filter(|f| *f >= 0.0).map(|f| f as u64),
    _ => None,
  }
}

/// An absolute expiry (`expires_on`) in milliseconds since the epoch.
pub fn expires_on_ms(value: Option<&Value>) -> Option<u64> {
  if let Some(secs) = seconds(value) {
    return Some(secs * 1000);
  }
  let text = value?.as_str()?.trim();
  parse_rfc3339(text).or_else(|| parse_legacy(text))
}

/// The `exp` claim of a JWT, in milliseconds; `None` for opaque tokens.
pub fn jwt_exp_ms(token: &str) -> Option<u64> {
  let mut parts = token.split('.');
  let (_header, payload, _sig) = (parts.next()?, parts.next()?, parts.next()?);
  let bytes =
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
  let claims: Value = serde_json::from_slice(&bytes).ok()?;
  seconds(claims.get("exp")).map(|s| s * 1000)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
  // Howard Hinnant's algorithm: days since 1970-01-01 for a proleptic Gregorian date.
  let y = if m <= 2 { y - 1 } else { y };
  let era = if y >= 0 { y } else { y - 399 } / 400;
  let yoe = y - era * 400;
  let mp = (m + 9) % 12;
  let doy = (153 * mp + 2) / 5 + d - 1;
  let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  era * 146_097 + doe - 719_468
}

fn to_ms(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: f64, offset_min: i64) -> Option<u64> {
  if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || s >= 61.0 {
    return None;
  }
  let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 - offset_min * 60;
  let ms = secs as f64 * 1000.0 + s * 1000.0;
  (ms >= 0.0).then_some(ms as u64)
}

/// A small integer field of a date (bounded, so no arithmetic on it can overflow).
fn num(s: &str) -> Option<i64> {
  s.parse().ok().filter(|n: &i64| n.abs() <= 1_000_000)
}

/// `2024-01-01T00:00:00Z`, `2024-01-01T00:00:00.123+02:00`, or with a space.
fn parse_rfc3339(text: &str) -> Option<u64> {
  if text.len() < 19 || !text.is_char_boundary(10) || !text.is_char_boundary(19) {
    return None;
  }
  let (date, rest) = text.split_at(10);
  let mut dp = date.split('-');
  let (y, mo, d) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
  let rest = rest.strip_prefix(['T', 't', ' '])?;
  let (time, zone) = match rest.find(['Z', 'z', '+', '-']) {
    Some(i) => rest.split_at(i),
    None => return None,
  };
  let mut tp = time.split(':');
  let (h, mi) = (num(tp.next()?)?, num(tp.next()?)?);
  let s: f64 = tp.next()?.parse().ok()?;
  let offset = match zone {
    "Z" | "z" => 0,
    z => {
      let sign = if z.starts_with('-') { -1 } else { 1 };
      let mut zp = z[1..].split(':');
      sign * (num(zp.next()?)? * 60 + num(zp.next().unwrap_or("0"))?)
    }
  };
  to_ms(y, mo, d, h, mi, s, offset)
}

/// `09/14/2017 00:00:00 PM +00:00` (App Service's 2017 protocol).
fn parse_legacy(text: &str) -> Option<u64> {
  let mut parts = text.split_whitespace();
  let (date, time, ampm, zone) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
  let mut dp = date.split('/');
  let (mo, d, y) = (num(dp.next()?)?, num(dp.next()?)?, num(dp.next()?)?);
  let mut tp = time.split(':');
  let (mut h, mi, s) = (num(tp.next()?)?, num(tp.next()?)?, num(tp.next()?)?);
  match ampm {
    "PM" if h < 12 => h += 12,
    "AM" if h == 12 => h = 0,
    "AM" | "PM" => {}
    _ => return None,
  }
  let sign = if zone.starts_with('-') { -1 } else { 1 };
  let mut zp = zone.get(1..)?.split(':');
  let offset = sign * (num(zp.next()?)? * 60 + num(zp.next().unwrap_or("0"))?);
  to_ms(y, mo, d, h, mi, s as f64, offset)
}

#[cfg(test)]
mod tests {
  use super::*;
  use serde_json::json;

  #[test]
  fn numbers_and_numeric_strings() {
    assert_eq!(seconds(Some(&json!(3599))), Some(3599));
    assert_eq!(seconds(Some(&json!("86399"))), Some(86399));
    assert_eq!(seconds(Some(&json!("x"))), None);
    assert_eq!(expires_on_ms(Some(&json!("1757695256"))), Some(1_757_695_256_000));
  }

  #[test]
  fn rfc3339_and_legacy_formats() {
    assert_eq!(expires_on_ms(Some(&json!("2024-01-01T00:00:00Z"))), Some(1_704_067_200_000));
    assert_eq!(expires_on_ms(Some(&json!("2024-01-01T02:00:00+02:00"))), Some(1_704_067_200_000));
    assert_eq!(expires_on_ms(Some(&json!("2024-01-01T00:00:00.500Z"))), Some(1_704_067_200_500));
    assert_eq!(
      expires_on_ms(Some(&json!("01/01/2024 12:00:00 AM +00:00"))),
      Some(1_704_067_200_000)
    );
    assert_eq!(
      expires_on_ms(Some(&json!("01/01/2024 01:00:00 PM +00:00"))),
      Some(1_704_067_200_000 + 13 * 3_600_000)
    );
    assert_eq!(expires_on_ms(Some(&json!("tomorrow"))), None);
    // Hostile input is None, never a panic or an overflow.
    assert_eq!(expires_on_ms(Some(&json!("123456789é12345678"))), None);
    assert_eq!(expires_on_ms(Some(&json!(u64::MAX))), None);
    assert_eq!(expires_on_ms(Some(&json!("2024-01-01T00:00:00+99999999999:00"))), None);
    assert_eq!(expires_on_ms(Some(&json!("99999999999/01/2024 01:00:00 PM +00:00"))), None);
  }

  #[test]
  fn jwt_exp_claim() {
    let b64 = |v: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v);
    let jwt = format!("{}.{}.sig", b64(r#"{"alg":"RS256"}"#), b64(r#"{"exp":1700000000}"#));
    assert_eq!(jwt_exp_ms(&jwt), Some(1_700_000_000_000));
    assert_eq!(jwt_exp_ms("opaque-token"), None);
  }
}
