#!/usr/bin/env bash
# Brings a fresh clone to a built state: npm dependencies, the native addon, the
# TypeScript facade. Idempotent and quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "azid setup: Rust (cargo) is required to build the native engine; install it with rustup." >&2
  exit 1
fi
if [ ! -d node_modules/@napi-rs/cli ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "azid setup: installing npm dev dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi
echo "azid setup: building the native addon (debug) and the TypeScript facade"
if [ "${AZID_RELEASE:-0}" = "1" ]; then
  npm run --silent build:release
else
  npm run --silent build
fi
