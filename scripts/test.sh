#!/usr/bin/env bash
# The test command (what CI runs): installs what is missing, builds, and runs every test.
#  1. plain build (build/): all of ctest -- Catch2 unit tests, conformance in 5 modes,
#     ResNet-50 against PyTorch, CLI, embedding, bad-input catalogue -- and the model zoo
#     (labels zoo, zoo-big, zoo-det: torchvision exports checked against PyTorch);
#  2. sanitizer build (build-asan/, scripts/test_asan.sh): the same suite without the zoo
#     under ASan + UBSan, then each libFuzzer target for ONNXI_FUZZ_SECONDS (60) seconds.
# ONNXI_ZOO=0 leaves the zoo out, ONNXI_ASAN=0 the sanitizer stage (for quick local runs).
# Extra arguments go to the plain build's ctest.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXI_BUILD_DIR:-$root/build}
t0=$(date +%s)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
echo "test: setup and build took $(($(date +%s) - t0)) s"
exclude=()
[ "${ONNXI_ZOO:-1}" != 0 ] || exclude=(-LE zoo)
t1=$(date +%s)
(cd "$build" && ctest --output-on-failure -j"${ONNXI_JOBS:-2}" "${exclude[@]}" "$@")
echo "test: plain ctest took $(($(date +%s) - t1)) s"
if [ "${ONNXI_ASAN:-1}" != 0 ]; then
  ONNXI_BUILD_DIR=$build "$root/scripts/test_asan.sh"
fi
echo "test: everything passed in $(($(date +%s) - t0)) s"
