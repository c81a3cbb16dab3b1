#!/usr/bin/env bash
# scripts/fuzz.sh N SEED [REPORT]: N random instruction sequences (seeds SEED..SEED+N-1) against
# the real target/deploy/maxwell.so in LiteSVM, every invariant checked after every step.
# Replays one failing sequence with `scripts/fuzz.sh 1 <its seed>`. Exits 1 on any finding.
# Needs scripts/build-program.sh first. The report: target/fuzz/report.md unless REPORT is given.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
source "$HERE/versions.env"
unset RUSTUP_TOOLCHAIN
cd "$ROOT"
N=${1:-200}
SEED=${2:-1}
REPORT=${3:-target/fuzz/report.md}
cargo +"$HOST_TOOLCHAIN" build --profile host -q -p tests-litesvm --bin fuzz
exec target/host/fuzz "$N" "$SEED" "$REPORT"
