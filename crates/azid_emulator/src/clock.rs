//! Wall-clock helpers: epoch seconds and Entra's `YYYY-MM-DD HH:MM:SSZ` timestamps.

use std::time::{SystemTime, UNIX_EPOCH};

pub fn now_secs() -> u64 {
  SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// Formats epoch seconds as Entra does in error bodies, e.g. `2023-05-06 06:03:00Z`.
pub fn entra_timestamp(epoch_secs: u64) -> String {
  let days = (epoch_secs / 86_400) as i64;
  let rem = epoch_secs % 86_400;
  let (y, m, d) = civil_from_days(days);
  format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}Z", rem / 3600, (rem / 60) % 60, rem % 60)
}

/// App Service's 2017 format, e.g. `09/14/2017 12:00:00 PM +00:00` (12-hour clock, UTC).
pub fn legacy_timestamp(epoch_secs: u64) -> String {
  let (y, m, d) = civil_from_days((epoch_secs / 86_400) as i64);
  let rem = epoch_secs % 86_400;
  let (h24, min, sec) = (rem / 3600, (rem / 60) % 60, rem % 60);
  let h12 = match h24 % 12 {
    0 => 12,
    h => h,
  };
  let ampm = if h24 < 12 { "AM" } else { "PM" };
  format!("{m:02}/{d:02}/{y:04} {h12:02}:{min:02}:{sec:02} {ampm} +00:00")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm),
/// so we need no date crate for one format.
fn civil_from_days(z: i64) -> (i64, u32, u32) {
  let z = z + 719_468;
  let era = z.div_euclid(146_097);
  let doe = z.rem_euclid(146_097);
  let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
  let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  let mp = (5 * doy + 2) / 153;
  let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
  let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
  let y = yoe + era * 400 + i64::from(m <= 2);
  (y, m, d)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn formats_known_instants() {
    assert_eq!(entra_timestamp(0), "1970-01-01 00:00:00Z");
    assert_eq!(entra_timestamp(1_683_352_980), "2023-05-06 06:03:00Z");
    assert_eq!(entra_timestamp(951_782_400), "2000-02-29 00:00:00Z");
    assert_eq!(legacy_timestamp(1_704_067_200), "01/01/2024 12:00:00 AM +00:00");
    assert_eq!(legacy_timestamp(1_704_067_200 + 13 * 3600 + 61), "01/01/2024 01:01:01 PM +00:00");
  }
}
