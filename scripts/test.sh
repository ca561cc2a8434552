#!/usr/bin/env bash
# Every test: Rust engine and emulator (cargo test), type test (tsc), and the package
# as users import it (ava). Traffic goes to loopback only.
set -euo pipefail
cd "$(dirname "$0")/.."

# No inherited Azure, managed identity or proxy setting may steer a test elsewhere.
for v in $(env | cut -d= -f1 | grep -E '^(AZURE_|IDENTITY_|MSI_|IMDS_)|^(HTTPS?_PROXY|ALL_PROXY|NO_PROXY|https?_proxy|all_proxy|no_proxy|NODE_EXTRA_CA_CERTS)$' || true); do
  unset "$v"
done
export AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:9
export AZURE_AUTHORITY_HOST=https://127.0.0.1:9

bash scripts/setup.sh
# The Redis token cache tests start their own redis-server on a free loopback port.
command -v redis-server >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server)
echo "== lint (rustfmt, clippy)"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings 2>&1
echo "== cargo test (engine and emulator)"
cargo test -p azid_core -p azid_emulator 2>&1
echo "== type test"
npx tsc -p __test__/types/tsconfig.json
echo "== ava (the package as users import it)"
npx ava
