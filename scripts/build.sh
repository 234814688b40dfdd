#!/usr/bin/env bash
# Configures and builds onnxi (Release, warnings as errors) into build/ (or $ONNXI_BUILD_DIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXI_BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DONNXI_WERROR=ON "$@" >/dev/null
cmake --build "$build" -j"${ONNXI_JOBS:-2}"
