#!/usr/bin/env bash
# CI's sanitizer stage: builds onnxi with clang, ASan + UBSan (any UB aborts) and libFuzzer
# coverage into build-asan/ (or $ONNXI_ASAN_BUILD_DIR), runs the whole ctest suite there
# (conformance included), then each fuzz target for a short bounded time (scripts/fuzz.sh).
# The model zoo (labels zoo*) is left out: it is PyTorch comparisons of large models, run by
# the plain build; under ASan it would take hours and exercise no code the suite does not.
#   scripts/test_asan.sh [ctest args...]     ONNXI_FUZZ_SECONDS=0 skips the fuzz runs
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXI_ASAN_BUILD_DIR:-$root/build-asan}
"$root/scripts/setup.sh"
# Share the plain build's exported models (their stamps make the exports no-ops there).
models=${ONNXI_BUILD_DIR:-$root/build}/models
start=$(date +%s)
CC=clang CXX=clang++ ONNXI_BUILD_DIR=$build "$root/scripts/build.sh" -DONNXI_SANITIZE=address -DONNXI_FUZZ=ON \
  -DONNXI_MODELS_DIR="$models"
echo "asan: build took $(($(date +%s) - start)) s"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
start=$(date +%s)
(cd "$build" && ctest --output-on-failure -j"${ONNXI_JOBS:-2}" -LE zoo "$@")
echo "asan: ctest took $(($(date +%s) - start)) s"
if [ "${ONNXI_FUZZ_SECONDS:-60}" != 0 ]; then
  ONNXI_BUILD_DIR=$build "$root/scripts/fuzz.sh" "${ONNXI_FUZZ_SECONDS:-60}"
fi
