//! `azid-emulator [--host IP] [--token-port N] [--imds-port N] [--state-dir DIR] [--token-lifetime SECS]`
//! `[--service-fabric-port N] [--arc-key-dir DIR] [--identity-header VALUE]`
//!
//! Prints one JSON line (where to reach it) to stdout, then serves until SIGINT/SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use azid_emulator::{Emulator, EmulatorConfig};

const USAGE: &str = "usage: azid-emulator [--host IP] [--token-port N] [--imds-port N] [--state-dir DIR] [--token-lifetime SECS] [--service-fabric-port N] [--arc-key-dir DIR] [--identity-header VALUE]";

fn parse_args(args: impl Iterator<Item = String>) -> Result<EmulatorConfig, String> {
  let mut config = EmulatorConfig::default();
  let mut args = args.peekable();
  while let Some(arg) = args.next() {
    // Accept both `--flag value` and `--flag=value`.
    let (flag, inline) = match arg.split_once('=') {
      Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
      _ => (arg.clone(), None),
    };
    if flag == "--help" || flag == "-h" {
      return Err(USAGE.to_string());
    }
    let value = match inline {
      Some(v) => v,
      None => args.next().ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?,
    };
    let bad = |e: &dyn std::fmt::Display| format!("bad value for {flag}: {value}: {e}");
    match flag.as_str() {
      "--host" => config.host = value.parse().map_err(|e| bad(&e))?,
      "--token-port" => config.token_port = value.parse().map_err(|e| bad(&e))?,
      "--imds-port" => config.imds_port = value.parse().map_err(|e| bad(&e))?,
      "--state-dir" => config.state_dir = Some(value.into()),
      "--token-lifetime" => config.token_lifetime_secs = value.parse().map_err(|e| bad(&e))?,
      "--service-fabric-port" => config.service_fabric_port = value.parse().map_err(|e| bad(&e))?,
      "--arc-key-dir" => config.arc_key_dir = value.into(),
      "--identity-header" => config.identity_header = Some(value),
      other => return Err(format!("unknown argument {other}\n{USAGE}")),
    }
  }
  Ok(config)
}

async fn wait_for_signal() {
  #[cfg(unix)]
  {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
      Ok(mut term) => {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
      }
      Err(_) => {
        let _ = tokio::signal::ctrl_c().await;
      }
    }
  }
  #[cfg(not(unix))]
  {
    let _ = tokio::signal::ctrl_c().await;
  }
}

#[tokio::main]
async fn main() -> ExitCode {
  let config = match parse_args(std::env::args().skip(1)) {
    Ok(c) => c,
    Err(msg) => {
      eprintln!("{msg}");
      return ExitCode::from(2);
    }
  };
  let emulator = match Emulator::start(config).await {
    Ok(e) => e,
    Err(e) => {
      eprintln!("azid-emulator: failed to start: {e}");
      return ExitCode::FAILURE;
    }
  };
  // One line, flushed, so a parent process can read it and go.
  let mut out = std::io::stdout().lock();
  let _ = writeln!(out, "{}", emulator.info_json());
  let _ = out.flush();
  drop(out);
  wait_for_signal().await;
  emulator.shutdown().await;
  ExitCode::SUCCESS
}
