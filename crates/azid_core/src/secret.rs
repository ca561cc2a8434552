//! A string that never shows itself in `Debug` or `Display`, so a secret or token
//! cannot reach a log line or an error message by accident.

use std::fmt;
use std::sync::Arc;

/// A secret value (client secret, access token, IMDS header). Cheap to clone.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Arc<str>);

impl Secret {
  pub fn new(value: impl Into<Arc<str>>) -> Self {
    Self(value.into())
  }

  /// The value itself: only for putting it on the wire or handing it to the caller.
  pub fn expose(&self) -> &str {
    &self.0
  }
}

impl fmt::Debug for Secret {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("Secret(REDACTED)")
  }
}

impl fmt::Display for Secret {
  fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    f.write_str("REDACTED")
  }
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn debug_and_display_redact() {
    let s = Secret::new("hunter2");
    assert_eq!(format!("{s:?} {s}"), "Secret(REDACTED) REDACTED");
    assert_eq!(s.expose(), "hunter2");
  }
}
