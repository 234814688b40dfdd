#!/usr/bin/env bash
# The test command: installs what is missing, builds, and runs every test (ctest:
# Catch2 unit tests, ResNet-50 against PyTorch, CLI checks).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXI_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "$build"
# The model zoo (labels zoo, zoo-det, zoo-big: dozens of PyTorch exports, tens of minutes)
# is left out; run it with `ctest -L zoo` in build/ (see README "Model zoo").
ctest --output-on-failure -j"${ONNXI_JOBS:-2}" -LE zoo "$@"
