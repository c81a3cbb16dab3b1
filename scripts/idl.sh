#!/usr/bin/env bash
# Generates the Anchor IDLs without the Anchor CLI (crates/idl-gen, anchor-lang-idl's builder):
#   target/idl/maxwell.json, target/idl/mock_pyth.json   fresh output
#   idl/maxwell.json, idl/mock_pyth.json                 committed copies (the TS build reads these)
# `scripts/idl.sh --check` regenerates into target/idl/ only and fails if idl/ is out of date.
# Host build in its own target dir (target/idl-build) so it never invalidates other host builds.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
source "$HERE/versions.env"
unset RUSTUP_TOOLCHAIN   # anchor-lang-idl mis-handles it; rust-toolchain.toml pins the host toolchain

CHECK=0
[ "${1:-}" = "--check" ] && CHECK=1
TD="$ROOT/target/idl-build"
cd "$ROOT"
nice -n 10 cargo +"$HOST_TOOLCHAIN" build --quiet -p idl-gen --target-dir "$TD"
mkdir -p target/idl idl
status=0
for pkg in maxwell mock-pyth; do
  name=${pkg//-/_}
  IDL_GEN_CARGO_ARGS="--target-dir $TD" nice -n 10 "$TD/debug/idl-gen" "programs/$pkg" "target/idl/$name.json"
  if [ "$CHECK" = 1 ]; then
    if ! cmp -s "target/idl/$name.json" "idl/$name.json"; then
      echo "idl/$name.json is out of date: run scripts/idl.sh" >&2; status=1
    fi
  else
    cp "target/idl/$name.json" "idl/$name.json"
  fi
done
exit $status
