//! Runs a developer tool safely: looked up on PATH at call time, argv without a shell,
//! a fixed working directory, a timeout that kills it, and capped output.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Command;

/// A token response is a few KiB; more than this is not a token.
const STDOUT_CAP: usize = 256 * 1024;
/// stderr is only read for error messages.
const STDERR_CAP: usize = 64 * 1024;

/// What a finished run produced.
/// Its `Debug` leaves stdout out: it holds the token.
pub struct Finished {
  pub success: bool,
  pub exit_code: Option<i32>,
  /// Holds the token on success: never log or echo it.
  pub stdout: Vec<u8>,
  pub stdout_overflow: bool,
  pub stderr: String,
}

impl std::fmt::Debug for Finished {
  fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
    f.debug_struct("Finished")
      .field("success", &self.success)
      .field("exit_code", &self.exit_code)
      .field("stdout_len", &self.stdout.len())
      .finish_non_exhaustive()
  }
}

#[derive(Debug)]
pub enum RunError {
  /// None of the program names is an executable file in an absolute PATH directory.
  NotFound,
  /// Still running at the deadline; it was killed.
  TimedOut,
  /// The program exists but could not be started.
  Spawn(String),
}

/// The first of `programs` found on PATH now (tests and users may change PATH at run time).
/// Relative PATH entries are skipped: they would resolve against our fixed working directory.
pub fn find_program(programs: &[&str]) -> Option<PathBuf> {
  let path = std::env::var_os("PATH")?;
  for dir in std::env::split_paths(&path).filter(|d| d.is_absolute()) {
    for program in programs {
      for name in candidates(program) {
        let full = dir.join(&name);
        if is_executable(&full) {
          return Some(full);
        }
      }
    }
  }
  None
}

#[cfg(windows)]
fn candidates(program: &str) -> Vec<String> {
  ["exe", "cmd", "bat"].iter().map(|ext| format!("{program}.{ext}")).collect()
}

#[cfg(not(windows))]
fn candidates(program: &str) -> Vec<String> {
  vec![program.to_string()]
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
  use std::os::unix::fs::PermissionsExt;
  std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
  path.is_file()
}

/// A directory that exists everywhere and holds nothing the tool could pick up
/// (the SDKs use `/bin` and `%SystemRoot%` for the same reason).
fn safe_working_dir() -> PathBuf {
  if cfg!(windows) {
    PathBuf::from(std::env::var_os("SystemRoot").unwrap_or_else(|| "C:\\Windows".into()))
  } else if Path::new("/bin").is_dir() {
    PathBuf::from("/bin")
  } else {
    PathBuf::from("/")
  }
}

/// Reads up to `cap` bytes and drains the rest, so a chatty child never blocks on a full pipe.
async fn read_capped(mut reader: impl AsyncRead + Unpin, cap: usize) -> (Vec<u8>, bool) {
  let mut kept = Vec::new();
  let mut buf = [0u8; 8192];
  let mut overflow = false;
  loop {
    match reader.read(&mut buf).await {
      Ok(0) | Err(_) => return (kept, overflow),
      Ok(n) => {
        let room = cap.saturating_sub(kept.len());
        kept.extend_from_slice(&buf[..n.min(room)]);
        overflow |= n > room;
      }
    }
  }
}

/// Runs `program args…` with `envs` added to the inherited environment.
pub async fn run(
  program: &Path,
  args: &[String],
  envs: &[(String, String)],
  timeout: Duration,
) -> Result<Finished, RunError> {
  let mut command = Command::new(program);
  command
    .args(args)
    .envs(envs.iter().map(|(k, v)| (k, v)))
    .current_dir(safe_working_dir())
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .kill_on_drop(true);
  let mut child = command.spawn().map_err(|e| match e.kind() {
    // Removed between the PATH lookup and now.
    std::io::ErrorKind::NotFound => RunError::NotFound,
    kind => RunError::Spawn(kind.to_string()),
  })?;
  let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
    return Err(RunError::Spawn("no pipes".into()));
  };
  let outcome = tokio::time::timeout(timeout, async {
    tokio::join!(read_capped(stdout, STDOUT_CAP), read_capped(stderr, STDERR_CAP), child.wait())
  })
  .await;
  match outcome {
    Err(_) => {
      let _ = child.start_kill();
      let _ = child.wait().await;
      Err(RunError::TimedOut)
    }
    Ok((_, _, Err(e))) => Err(RunError::Spawn(e.kind().to_string())),
    Ok(((stdout, stdout_overflow), (stderr, _), Ok(status))) => Ok(Finished {
      success: status.success(),
      exit_code: status.code(),
      stdout,
      stdout_overflow,
      stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }),
  }
}

#[cfg(all(test, unix))]
mod tests {
  use super::*;

  fn sh() -> PathBuf {
    PathBuf::from("/bin/sh")
  }

  fn script(body: &str) -> Vec<String> {
    vec!["-c".into(), body.into()]
  }

  #[tokio::test]
  async fn output_is_capped_and_the_child_still_finishes() {
    // 1 MiB on stdout: more than the cap, drained so the child never blocks.
    let body = "head -c 1048576 /dev/zero; echo err >&2; exit 3";
    let done = run(&sh(), &script(body), &[], Duration::from_secs(10)).await.unwrap();
    assert_eq!(done.stdout.len(), STDOUT_CAP);
    assert!(done.stdout_overflow);
    assert!(!done.success);
    assert_eq!(done.exit_code, Some(3));
    assert_eq!(done.stderr.trim(), "err");
  }

  #[tokio::test]
  async fn a_hanging_child_is_killed_at_the_deadline() {
    let started = std::time::Instant::now();
    let err = run(&sh(), &script("exec sleep 30"), &[], Duration::from_millis(200)).await;
    assert!(matches!(err, Err(RunError::TimedOut)), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
  }

  #[tokio::test]
  async fn runs_in_a_fixed_directory_with_added_variables() {
    let envs = vec![("AZID_TEST_VAR".to_string(), "v1".to_string())];
    let done =
      run(&sh(), &script("pwd; printf %s \"$AZID_TEST_VAR\""), &envs, Duration::from_secs(5))
        .await
        .unwrap();
    let out = String::from_utf8(done.stdout).unwrap();
    let cwd = std::fs::canonicalize(safe_working_dir()).unwrap();
    assert!(out.starts_with(cwd.to_str().unwrap()), "{out}");
    assert!(out.ends_with("v1"));
  }

  #[test]
  fn path_lookup_skips_relative_entries() {
    assert!(find_program(&["sh"]).is_some_and(|p| p.is_absolute()));
    assert!(find_program(&["azid-no-such-tool"]).is_none());
  }
}
