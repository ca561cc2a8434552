//! A tool's stderr is untrusted: it may be huge, hold control sequences, or (from a
//! misbehaving tool) a token. Only a short cleaned excerpt reaches messages, plus the
//! AADSTS code and correlation id when Entra ID's answer is quoted in it.

use crate::error::ErrorResponse;

/// The longest excerpt of stderr a message carries.
const EXCERPT_CHARS: usize = 400;

/// One line of plain text: control characters dropped, whitespace collapsed,
/// JWT-looking words redacted, and cut to a few hundred characters.
pub fn sanitize(stderr: &str) -> String {
  let mut words = Vec::new();
  let mut len = 0;
  for word in strip_ansi(stderr).split_whitespace() {
    let word: String = word.chars().filter(|c| !c.is_control()).collect();
    let word = if looks_like_jwt(&word) { "[redacted]".to_string() } else { word };
    len += word.chars().count() + 1;
    words.push(word);
    if len > EXCERPT_CHARS {
      break;
    }
  }
  let mut text = words.join(" ");
  if text.chars().count() > EXCERPT_CHARS {
    text = text.chars().take(EXCERPT_CHARS).collect::<String>() + "…";
  }
  if text.is_empty() {
    "(no output on stderr)".to_string()
  } else {
    text
  }
}

/// Drops terminal colour sequences (`ESC [ … letter`), which tools print even to pipes.
fn strip_ansi(text: &str) -> String {
  let mut out = String::with_capacity(text.len());
  let mut chars = text.chars().peekable();
  while let Some(c) = chars.next() {
    if c == '\x1b' && chars.peek() == Some(&'[') {
      chars.next();
      for d in chars.by_ref() {
        if d.is_ascii_alphabetic() {
          break;
        }
      }
    } else {
      out.push(c);
    }
  }
  out
}

fn looks_like_jwt(word: &str) -> bool {
  word.contains("eyJ") && word.len() > 40
}

/// Whether a shell or wrapper script reported the program itself as missing.
pub fn says_not_installed(stderr: &str) -> bool {
  let s = stderr.to_ascii_lowercase();
  // `/bin/sh: 1: az: not found` (dash) is shell-worded; a tool's own "not found" is not.
  let shell_says = s.lines().any(|l| l.contains("sh: ") && l.trim_end().ends_with(": not found"));
  shell_says
    || s.contains("command not found")
    || s.contains("is not recognized as an internal or external command")
}

/// `AADSTS50076`, `Correlation ID: <guid>` and `Trace ID: <guid>` as Entra ID words them.
pub fn error_response(stderr: &str) -> Option<ErrorResponse> {
  let code = stderr.find("AADSTS").and_then(|i| {
    let digits: String = stderr[i + 6..].chars().take_while(char::is_ascii_digit).take(9).collect();
    digits.parse::<i64>().ok()
  })?;
  Some(ErrorResponse {
    error: "tool_error".into(),
    error_description: sanitize(stderr),
    error_codes: vec![code],
    correlation_id: guid_after(stderr, "Correlation ID:"),
    trace_id: guid_after(stderr, "Trace ID:"),
    timestamp: None,
  })
}

fn guid_after(text: &str, label: &str) -> Option<String> {
  let rest = text[text.find(label)? + label.len()..].trim_start();
  let id: String =
    rest.chars().take_while(|c| c.is_ascii_hexdigit() || *c == '-').take(36).collect();
  (id.len() == 36).then_some(id)
}

#[cfg(test)]
mod tests {
  use super::*;

  #[test]
  fn excerpts_are_short_plain_and_without_tokens() {
    let jwt = format!("eyJhbGciOiJSUzI1NiJ9.{}.sig", "x".repeat(60));
    let noisy = format!("ERROR:\x1b[31m bad\r\n thing {jwt}\n{}", "y ".repeat(2000));
    let clean = sanitize(&noisy);
    assert!(clean.starts_with("ERROR: bad thing [redacted]"), "{clean}");
    assert!(!clean.contains("eyJ") && !clean.contains('\x1b'));
    assert!(clean.chars().count() <= EXCERPT_CHARS + 1);
    assert_eq!(sanitize("  \n"), "(no output on stderr)");
  }

  #[test]
  fn entra_codes_and_ids_are_found() {
    let s = "ERROR: AADSTS700082: The refresh token has expired. Trace ID: 0b7e2c1a-1111-2222-3333-444455556666 Correlation ID: 9f3d1e2a-aaaa-bbbb-cccc-ddddeeeeffff Timestamp: 2024";
    let r = error_response(s).unwrap();
    assert_eq!(r.error_codes, vec![700082]);
    assert_eq!(r.correlation_id.as_deref(), Some("9f3d1e2a-aaaa-bbbb-cccc-ddddeeeeffff"));
    assert_eq!(r.trace_id.as_deref(), Some("0b7e2c1a-1111-2222-3333-444455556666"));
    assert!(error_response("ERROR: something else").is_none());
  }

  #[test]
  fn missing_programs_are_recognised() {
    assert!(says_not_installed("/bin/sh: 1: az: not found"));
    assert!(says_not_installed("bash: azd: command not found"));
    assert!(!says_not_installed("ERROR: subscription not found"));
    assert!(!says_not_installed("ERROR: Resource: not found"));
  }
}
