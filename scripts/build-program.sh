#!/usr/bin/env bash
# Builds the on-chain programs to real SBPF v3 ELFs:
#   target/deploy/maxwell.so         the program
#   target/deploy/mock_pyth.so       TEST ONLY Pyth receiver stand-in (local validator, LiteSVM)
#   target/deploy/maxwell_bench.so   with --bench: the program plus bench_* instructions (CU benchmark)
#   target/deploy/maxwell_health.wasm the program's health computation for the TS client and keeper
#                                     (app/wasm: the same HealthCache code, host toolchain, wasm32)
# Needs scripts/setup-toolchain.sh first. Incremental: a second run with no change takes seconds.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
source "$HERE/versions.env"
unset RUSTUP_TOOLCHAIN   # the rust-toolchain.toml host pin must not leak into the nightly build

sbf_build() { # args: target dir, cargo build args...
  local dir=$1; shift
  (cd "$ROOT" && env __CARGO_TESTS_ONLY_SRC_ROOT="$SBPF_ROOT/library" \
    CARGO_TARGET_DIR="$dir" \
    cargo +"$NIGHTLY" build --release \
    --target "$SBPF_ROOT/sbpf-solana.json" -Zjson-target-spec \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=compiler-builtins-mem \
    --config "target.sbpf-solana.rustflags=[\"-C\",\"linker=$SBPF_ROOT/bin/sbpf-linker\",\"-C\",\"panic=abort\",\"-C\",\"relocation-model=static\",\"-C\",\"passes=lower-atomic\",\"-C\",\"link-arg=--llvm-args=-bpf-stack-size=4096\",\"-C\",\"link-arg=--arch=v3\"]" \
    "$@")
}

mkdir -p "$ROOT/target/deploy"
if [ "${1:-}" = "--bench" ]; then
  # Own target dir (a feature flip in one dir rebuilds everything). Built first: sbpf-linker
  # also writes target/deploy/<crate>.so itself, so the production copy below must come last.
  sbf_build "$ROOT/target/sbf-bench" -p maxwell --features bench
  cp "$ROOT/target/sbf-bench/sbpf-solana/release/libmaxwell.so" "$ROOT/target/deploy/maxwell_bench.so"
fi
sbf_build "$ROOT/target/sbf" -p maxwell -p mock-pyth
cp "$ROOT/target/sbf/sbpf-solana/release/libmaxwell.so" "$ROOT/target/deploy/maxwell.so"
cp "$ROOT/target/sbf/sbpf-solana/release/libmock_pyth.so" "$ROOT/target/deploy/mock_pyth.so"
# The production program must never carry the bench instructions.
if grep -q BenchNoop "$ROOT/target/deploy/maxwell.so"; then echo "maxwell.so contains bench code" >&2; exit 1; fi
# The client's health engine: own target dir, so it never invalidates the host test builds.
(cd "$ROOT" && cargo +"$HOST_TOOLCHAIN" build --release -q -p maxwell-wasm --target wasm32-unknown-unknown \
  --target-dir "$ROOT/target/wasm")
cp "$ROOT/target/wasm/wasm32-unknown-unknown/release/maxwell_wasm.wasm" "$ROOT/target/deploy/maxwell_health.wasm"
ls -l "$ROOT"/target/deploy/*.so "$ROOT"/target/deploy/*.wasm
