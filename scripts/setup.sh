#!/usr/bin/env bash
# Everything a fresh machine needs, idempotent (a second run takes seconds):
#   Debian packages (chromium: the dashboard's browser test), pinned Rust toolchains, the SBPF route (nightly + sbpf-linker + std port),
#   solana-test-validator 4.2.2, npm packages, and the programs built to target/deploy/.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"
t0=$(date +%s)
step() { echo "== setup: $* ($(( $(date +%s) - t0 )) s)"; }

need_apt=()
for p in clang libclang-dev libudev-dev pkg-config iproute2 util-linux chromium; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  step "apt: ${need_apt[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
step "toolchains"
bash "$HERE/setup-toolchain.sh"
step "solana-test-validator"
bash "$HERE/setup-validator.sh"
step "npm packages"
if [ ! -d node_modules/@solana/kit ] || [ package.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund --loglevel=error
fi
step "programs"
bash "$HERE/build-program.sh" "$@"
step "done"
