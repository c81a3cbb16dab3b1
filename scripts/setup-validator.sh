#!/usr/bin/env bash
# Installs solana-test-validator (agave 4.2.2, the newest that builds from crates.io) unless present.
# ~20 min on 2 cores the first time; skipped when the right version is already installed.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/versions.env"
if solana-test-validator --version 2>/dev/null | grep -q "$VALIDATOR_VERSION"; then
  echo "solana-test-validator $VALIDATOR_VERSION present"; exit 0
fi
if ! dpkg -s clang libclang-dev libudev-dev pkg-config >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq clang libclang-dev libudev-dev pkg-config >/dev/null
fi
rustup toolchain list | grep -q "^$VALIDATOR_TOOLCHAIN" || rustup toolchain install "$VALIDATOR_TOOLCHAIN" --profile minimal
nice -n 5 cargo +"$VALIDATOR_TOOLCHAIN" install agave-validator --version "$VALIDATOR_VERSION" --locked --bin solana-test-validator
solana-test-validator --version
