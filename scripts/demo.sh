#!/usr/bin/env bash
# The whole foundation slice in one command: build what is missing (programs, npm packages),
# then, inside a private network namespace with a fresh local validator, deploy an exchange
# (migrations/deploy.ts) and run the demo (app/src/demo.ts).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
cd "$ROOT"
if [ ! -f target/deploy/maxwell.so ] || [ ! -f target/deploy/mock_pyth.so ]; then
  nice scripts/build-program.sh
fi
[ -d node_modules/@solana/kit ] || npm install --no-audit --no-fund
exec scripts/with-validator.sh bash -c 'node_modules/.bin/tsx migrations/deploy.ts && node_modules/.bin/tsx app/src/demo.ts'
