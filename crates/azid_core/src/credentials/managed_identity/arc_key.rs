//! The Azure Arc challenge file (reference §2.5, CVE-2024-35255): the agent names a file
//! in its token folder and the caller proves it may read that folder. Every check runs
//! before the contents are used, and the contents never reach a log line or an error.

use std::io::Read;

use crate::error::{Error, ErrorResponse, Result};
use crate::secret::Secret;

/// The agent writes keys of at most this many bytes; anything larger is not a key.
pub(crate) const MAX_KEY_BYTES: u64 = 4096;

/// The agent's token folder, with its trailing separator; `None` on other systems.
pub(crate) fn token_folder() -> Option<String> {
  if cfg!(target_os = "linux") {
    Some("/var/opt/azcmagent/tokens/".to_string())
  } else if cfg!(windows) {
    let data = std::env::var("ProgramData").ok().filter(|v| !v.is_empty())?;
    Some(format!("{data}\\AzureConnectedMachineAgent\\Tokens\\"))
  } else {
    None
  }
}

/// A refusal to use the challenge: typed, with what went wrong and what to check.
pub(crate) fn refused(label: &str, why: &str) -> Error {
  Error::AuthenticationFailed {
    message: format!("{label}: the Azure Arc challenge was refused: {why}"),
    status_code: 401,
    error_response: Box::new(ErrorResponse {
      error: "invalid_arc_challenge".into(),
      error_description: why.into(),
      ..Default::default()
    }),
  }
}

/// The file path of `WWW-Authenticate: Basic realm=<path>`.
pub(crate) fn realm_path(label: &str, header: Option<&str>) -> Result<String> {
  let header = header.ok_or_else(|| {
    refused(label, "the 401 answer has no WWW-Authenticate header, so this is not an Azure Arc agent. Check IDENTITY_ENDPOINT and IMDS_ENDPOINT.")
  })?;
  let (_, path) = header.split_once("Basic realm=").ok_or_else(|| {
    refused(label, "the WWW-Authenticate header does not contain 'Basic realm=<file>'.")
  })?;
  Ok(path.trim().trim_matches('"').to_string())
}

/// The path must be exactly `folder` + a `.key` file name: a plain string comparison,
/// so `..`, other folders and nested names all fail.
pub(crate) fn check_path(label: &str, path: &str, folder: &str) -> Result<()> {
  let name = std::path::Path::new(path).file_name().and_then(|n| n.to_str()).unwrap_or("");
  if name.is_empty() || !name.ends_with(".key") {
    return Err(refused(
      label,
      &format!("the challenge file '{path}' does not have the .key extension."),
    ));
  }
  if path != format!("{folder}{name}") {
    return Err(refused(
      label,
      &format!(
        "the challenge file '{path}' is not directly inside the agent's token folder {folder}."
      ),
    ));
  }
  Ok(())
}

/// Opens without following a symlink swapped in after the check, and without blocking
/// on a FIFO planted there (the type is checked on the handle right after).
fn open_no_follow(path: &str) -> std::io::Result<std::fs::File> {
  let mut options = std::fs::OpenOptions::new();
  options.read(true);
  #[cfg(unix)]
  {
    use std::os::unix::fs::OpenOptionsExt;
    options.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
  }
  options.open(path)
}

/// Reads the key after the path, symlink, type and size checks. The size and type are
/// taken from the opened handle, and on Unix it must be the very file that was checked.
pub(crate) fn read_key(label: &str, path: &str, folder: &str) -> Result<Secret> {
  check_path(label, path, folder)?;
  let unreadable = |e: std::io::Error| {
    refused(label, &format!("the challenge file '{path}' cannot be read ({e}). Run as a member of the 'himds' group (Windows: Administrators or 'Hybrid Agent Extension Applications')."))
  };
  let link = std::fs::symlink_metadata(path).map_err(unreadable)?;
  if link.file_type().is_symlink() {
    return Err(refused(label, &format!("the challenge file '{path}' is a symbolic link.")));
  }
  let file = open_no_follow(path).map_err(unreadable)?;
  let meta = file.metadata().map_err(unreadable)?;
  if !meta.is_file() {
    return Err(refused(label, &format!("the challenge file '{path}' is not a regular file.")));
  }
  #[cfg(unix)]
  {
    use std::os::unix::fs::MetadataExt;
    if (meta.dev(), meta.ino()) != (link.dev(), link.ino()) {
      return Err(refused(
        label,
        &format!("the challenge file '{path}' changed while it was opened."),
      ));
    }
  }
  if meta.len() > MAX_KEY_BYTES {
    return Err(refused(
      label,
      &format!("the challenge file '{path}' is larger than {MAX_KEY_BYTES} bytes."),
    ));
  }
  let mut bytes = Vec::new();
  file.take(MAX_KEY_BYTES + 1).read_to_end(&mut bytes).map_err(unreadable)?;
  if bytes.len() as u64 > MAX_KEY_BYTES {
    return Err(refused(
      label,
      &format!("the challenge file '{path}' grew past {MAX_KEY_BYTES} bytes."),
    ));
  }
  let text = String::from_utf8(bytes)
    .map_err(|_| refused(label, &format!("the challenge file '{path}' is not UTF-8 text.")))?;
  Ok(Secret::new(text.trim_end_matches(['\r', '\n'])))
}

#[cfg(test)]
mod tests {
  use super::*;

  const FOLDER: &str = "/var/opt/azcmagent/tokens/";

  fn why(e: Error) -> String {
    e.to_string()
  }

  #[test]
  fn realm_header_must_name_a_file() {
    assert_eq!(
      realm_path("X", Some("Basic realm=/var/opt/azcmagent/tokens/a.key")).unwrap(),
      "/var/opt/azcmagent/tokens/a.key"
    );
    assert!(realm_path("X", Some("Bearer x")).is_err());
    assert!(realm_path("X", None).is_err());
  }

  #[test]
  fn paths_outside_the_folder_or_without_key_extension_fail() {
    assert!(check_path("X", "/var/opt/azcmagent/tokens/a.key", FOLDER).is_ok());
    for bad in [
      "/var/opt/azcmagent/tokens/../tokens/a.key",
      "/var/opt/azcmagent/tokens/../../../etc/a.key",
      "/var/opt/azcmagent/tokens/sub/a.key",
      "/etc/a.key",
      "/var/opt/azcmagent/tokens/a.txt",
      "/var/opt/azcmagent/tokens/a.key.bak",
      "/var/opt/azcmagent/tokens/",
      "a.key",
    ] {
      let e = check_path("X", bad, FOLDER).unwrap_err();
      assert!(matches!(e, Error::AuthenticationFailed { .. }), "{bad}");
    }
  }

  /// Files in the real folder (tests run as root), removed afterwards.
  struct Scratch(Vec<String>);
  impl Scratch {
    fn file(&mut self, name: &str, contents: &[u8]) -> String {
      std::fs::create_dir_all(FOLDER).unwrap();
      let path = format!("{FOLDER}azid-test-{}-{name}", std::process::id());
      std::fs::write(&path, contents).unwrap();
      self.0.push(path.clone());
      path
    }
  }
  impl Drop for Scratch {
    fn drop(&mut self) {
      for p in &self.0 {
        let _ = std::fs::remove_file(p);
      }
    }
  }

  #[cfg(target_os = "linux")]
  #[test]
  fn reads_a_good_key_and_refuses_oversize_symlink_and_non_utf8() {
    let mut s = Scratch(Vec::new());
    let good = s.file("good.key", b"s3cr3t-key\n");
    assert_eq!(read_key("X", &good, FOLDER).unwrap().expose(), "s3cr3t-key");

    let big = s.file("big.key", &[b'a'; 4097]);
    assert!(why(read_key("X", &big, FOLDER).unwrap_err()).contains("larger than 4096"));
    let exact = s.file("exact.key", &[b'a'; 4096]);
    assert!(read_key("X", &exact, FOLDER).is_ok());

    let binary = s.file("bin.key", &[0xff, 0xfe, 0x00]);
    assert!(why(read_key("X", &binary, FOLDER).unwrap_err()).contains("not UTF-8"));

    let target = s.file("target.txt", b"elsewhere");
    let link = format!("{FOLDER}azid-test-{}-link.key", std::process::id());
    let _ = std::fs::remove_file(&link);
    std::os::unix::fs::symlink(&target, &link).unwrap();
    s.0.push(link.clone());
    let e = read_key("X", &link, FOLDER).unwrap_err();
    assert!(why(e).contains("symbolic link"));

    let missing = format!("{FOLDER}azid-test-{}-missing.key", std::process::id());
    assert!(why(read_key("X", &missing, FOLDER).unwrap_err()).contains("cannot be read"));
    // The secret never shows in an error.
    let e = read_key("X", &format!("{FOLDER}../tokens/x.key"), FOLDER).unwrap_err();
    assert!(!why(e).contains("s3cr3t"));
  }
}
