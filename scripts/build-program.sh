#!/usr/bin/env bash
# Builds the on-chain programs to real SBPF v3 ELFs:
#   target/deploy/maxwell.so         the program
#   target/deploy/mock_pyth.so       TEST ONLY Pyth receiver stand-in (local validator, LiteSVM)
#   target/deploy/maxwell_bench.so   with --bench: the program plus bench_* instructions (CU benchmark)
# Needs scripts/setup-toolchain.sh first. Incremental: a second run with no change takes seconds.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/.." && pwd)
source "$HERE/versions.env"
unset RUSTUP_TOOLCHAIN   # the rust-toolchain.toml host pin must not leak into the nightly build

sbf_build() { # args: cargo build args...
  (cd "$ROOT" && env __CARGO_TESTS_ONLY_SRC_ROOT="$SBPF_ROOT/library" \
    CARGO_TARGET_DIR="$ROOT/target/sbf" \
    cargo +"$NIGHTLY" build --release \
    --target "$SBPF_ROOT/sbpf-solana.json" -Zjson-target-spec \
    -Zbuild-std=std,panic_abort -Zbuild-std-features=compiler-builtins-mem \
    --config "target.sbpf-solana.rustflags=[\"-C\",\"linker=$SBPF_ROOT/bin/sbpf-linker\",\"-C\",\"panic=abort\",\"-C\",\"relocation-model=static\",\"-C\",\"passes=lower-atomic\",\"-C\",\"link-arg=--llvm-args=-bpf-stack-size=4096\",\"-C\",\"link-arg=--arch=v3\"]" \
    "$@")
}

OUT="$ROOT/target/sbf/sbpf-solana/release"
mkdir -p "$ROOT/target/deploy"
sbf_build -p maxwell -p mock-pyth
cp "$OUT/libmaxwell.so" "$ROOT/target/deploy/maxwell.so"
cp "$OUT/libmock_pyth.so" "$ROOT/target/deploy/mock_pyth.so"
if [ "${1:-}" = "--bench" ]; then
  sbf_build -p maxwell --features bench
  cp "$OUT/libmaxwell.so" "$ROOT/target/deploy/maxwell_bench.so"
  # restore the production build's artifact for later incremental builds
  sbf_build -p maxwell
fi
ls -l "$ROOT"/target/deploy/*.so
