#!/usr/bin/env bash
# Regenerates docs/compute-units.md and docs/compute-units.json from the real .so files.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
bash "$ROOT/scripts/build-program.sh" --bench
cd "$ROOT" && cargo run --profile host -q -p tests-litesvm --bin bench
