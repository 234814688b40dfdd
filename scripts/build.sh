#!/usr/bin/env bash
# Configures and builds onnxi (Release, warnings as errors) into build/ (or $ONNXI_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXI_BUILD_DIR:-$root/build}
launcher=()
# ccache (when installed) keeps rebuilds and parallel worktrees fast.
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S "$root" -B "$build" -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release -DONNXI_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j"${ONNXI_JOBS:-2}"
