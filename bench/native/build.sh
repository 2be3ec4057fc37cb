#!/usr/bin/env bash
# Builds llama.cpp's own llama-bench and llama-server from the llama.cpp sources that ship inside the pinned
# node-llama-cpp package (llama/gitRelease.bundle), so native figures and the reference server come from the
# exact commit Hearth runs. Offline: no submodules, no web UI download, no OpenSSL, no curl.
# Cached in .cache/llama-native/<commit>-<cpu flags hash>; prints the bin folder on its last line.
# Needs git, cmake and a C++ compiler (build-essential); about 4-6 minutes on 2 cores.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BUNDLE="$ROOT/node_modules/node-llama-cpp/llama/gitRelease.bundle"
[ -f "$BUNDLE" ] || { echo "build.sh: $BUNDLE is missing (run npm ci first)" >&2; exit 1; }
COMMIT="$(git bundle list-heads "$BUNDLE" | awk 'NR==1{print substr($1,1,12)}')"
# GGML_NATIVE builds for this CPU, so a cache copied to another CPU must not be reused. "v2": the build options.
CPUKEY="$( (grep -m1 '^flags' /proc/cpuinfo 2>/dev/null || uname -m) | sha256sum | cut -c1-8)"
OUT="$ROOT/.cache/llama-native/$COMMIT-$CPUKEY-v2"
# -march=native turns on AMX wherever the CPU reports it, but a virtual machine may report AMX without giving
# the guest its tile state: llama-bench then dies with SIGILL in ggml's AMX matmul (seen here, on a VM
# reporting amx_tile). The prebuilt node-llama-cpp checks at run time instead; this build leaves AMX out, which
# only matters for large int8/bf16 batches.
NOAMX=""
if grep -qw amx_tile /proc/cpuinfo 2>/dev/null; then NOAMX="-mno-amx-tile -mno-amx-int8 -mno-amx-bf16"; fi
if [ -x "$OUT/bin/llama-bench" ] && [ -x "$OUT/bin/llama-server" ]; then echo "$OUT/bin"; exit 0; fi
# One build at a time (test stages and benchmarks may ask at once): wait for one already running, then reuse it.
mkdir -p "$ROOT/.cache/llama-native"
exec 9>"$ROOT/.cache/llama-native/.lock"
flock 9
if [ -x "$OUT/bin/llama-bench" ] && [ -x "$OUT/bin/llama-server" ]; then echo "$OUT/bin"; exit 0; fi
rm -rf "$OUT.tmp" && mkdir -p "$OUT.tmp"
git clone -q "$BUNDLE" "$OUT.tmp/src" >&2
GEN=(); command -v ninja >/dev/null && GEN=(-G Ninja)
cmake -S "$OUT.tmp/src" -B "$OUT.tmp/build" "${GEN[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF -DLLAMA_CURL=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DBUILD_SHARED_LIBS=OFF \
  -DCMAKE_C_FLAGS="$NOAMX" -DCMAKE_CXX_FLAGS="$NOAMX" >&2
cmake --build "$OUT.tmp/build" --target llama-bench llama-server -j "$(nproc)" >&2
mkdir -p "$OUT.tmp/bin" && cp "$OUT.tmp/build/bin/llama-bench" "$OUT.tmp/build/bin/llama-server" "$OUT.tmp/bin/"
rm -rf "$OUT.tmp/src" "$OUT.tmp/build" && rm -rf "$OUT" && mv "$OUT.tmp" "$OUT"
echo "$OUT/bin"
