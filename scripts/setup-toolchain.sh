#!/usr/bin/env bash
# Installs everything needed to build Maxwell to a real SBPF v3 .so and run its host tests.
# Idempotent: a second run on the same machine skips what is already there (seconds).
# Route: upstream nightly Rust + sbpf-linker + a small std port to target_os="solana"
# (Solana's platform-tools cannot be downloaded on these machines).
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/versions.env"
mkdir -p "$SBPF_ROOT/bin"

have_toolchain() { rustup toolchain list | grep -q "^$1"; }
have_toolchain "$HOST_TOOLCHAIN" || rustup toolchain install "$HOST_TOOLCHAIN" --profile minimal -c clippy,rustfmt
rustup target list --toolchain "$HOST_TOOLCHAIN" --installed | grep -q wasm32-unknown-unknown \
  || rustup target add wasm32-unknown-unknown --toolchain "$HOST_TOOLCHAIN"
have_toolchain "$NIGHTLY" && [ -d "$(rustc +"$NIGHTLY" --print sysroot)/lib/rustlib/src/rust/library" ] \
  || rustup toolchain install "$NIGHTLY" --profile minimal -c rust-src

# 1. sbpf-linker: a bitcode linker that dlopens the nightly's libLLVM at run time.
if ! "$SBPF_ROOT/bin/sbpf-linker" --version 2>/dev/null | grep -q "$SBPF_LINKER_VERSION"; then
  cargo +"$NIGHTLY" install sbpf-linker --version "$SBPF_LINKER_VERSION" --locked --root "$SBPF_ROOT"
fi

# 2. std sources with the os="solana" port (anchor-lang is a std crate). Re-done only when the patch changes.
STAMP="$SBPF_ROOT/library.stamp"
WANT="$NIGHTLY $(sha256sum "$HERE/toolchain/solana-std.patch" | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANT" ]; then
  SYSROOT=$(rustc +"$NIGHTLY" --print sysroot)
  rm -rf "$SBPF_ROOT/library"
  cp -a "$SYSROOT/lib/rustlib/src/rust/library" "$SBPF_ROOT/library"
  patch -s -d "$SBPF_ROOT/library" -p1 < "$HERE/toolchain/solana-std.patch"
  echo "$WANT" > "$STAMP"
  # cargo does not notice changed std sources: force a rebuild of std in the project's target dir.
  rm -rf "$HERE/../target/sbpf-solana/release/build/std-"* "$HERE/../target/sbpf-solana/release/deps/libstd-"* 2>/dev/null || true
fi

# 3. Target spec: upstream bpfel-unknown-none, with os/vendor = solana, CAS atomics (lowered by a pass).
rustc +"$NIGHTLY" -Z unstable-options --print target-spec-json --target bpfel-unknown-none \
  | python3 -c '
import json, sys
d = json.load(sys.stdin)
d["os"] = "solana"; d["vendor"] = "solana"
d["metadata"] = {"description": "upstream BPF, os=solana", "host_tools": False, "std": False, "tier": 3}
d["atomic-cas"] = True; d.pop("min-atomic-width", None)
out = sys.argv[1] + "/sbpf-solana.json"
new = json.dumps(d, indent=2)
try:
    old = open(out).read()
except FileNotFoundError:
    old = None
if old != new:
    open(out, "w").write(new)
' "$SBPF_ROOT"
echo "toolchain ready: host $HOST_TOOLCHAIN, $NIGHTLY, sbpf-linker $SBPF_LINKER_VERSION ($SBPF_ROOT)"
