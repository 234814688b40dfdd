#!/usr/bin/env bash
# Full ThreadSanitizer check of concurrent runs: every onnxi object (runtime, kernels, the
# model tests) built with -fsanitize=thread into build-tsan/ (or $ONNXI_TSAN_BUILD_DIR), then
# the concurrency cases on ResNet-50 with one-thread sessions (the `onnxi bench --threads 1
# --concurrent N` case: callers compute on their own threads). Multi-thread sessions are not
# checked here: Debian's pthreadpool is not instrumented, so TSan cannot see its hand-off
# between the caller and the pool workers and reports every caller-written, worker-read
# buffer of a single run as a race. Not part of scripts/test.sh (the
# build takes about as long as the ASan stage); CI runs the quicker tests/embed/tsan_session.sh.
#   scripts/test_tsan.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXI_TSAN_BUILD_DIR:-$root/build-tsan}
plain=${ONNXI_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
# The exported ResNet-50 comes from the plain build (README command 1 or scripts/test.sh).
r50=$plain/models/resnet50
if [ ! -f "$r50/model.onnx" ]; then
  echo "test_tsan: no $r50/model.onnx: run scripts/test.sh or scripts/run_resnet50.sh first" >&2
  exit 1
fi
launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
start=$(date +%s)
cmake -S "$root" -B "$build" -G Ninja "${launcher[@]}" -DCMAKE_BUILD_TYPE=Release -DONNXI_WERROR=ON \
  -DONNXI_SANITIZE=thread -DONNXI_MODELS_DIR="$plain/models" >/dev/null
cmake --build "$build" -j"${ONNXI_JOBS:-2}" --target onnxi_model_tests
echo "tsan: build took $(($(date +%s) - start)) s"
export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1}
for threads in 1; do
  start=$(date +%s)
  ONNXI_RESNET50_DIR=$r50 ONNXI_CONCURRENCY_SESSION_THREADS=$threads ONNXI_CONCURRENCY_THREADS=${ONNXI_CONCURRENCY_THREADS:-3} \
    ONNXI_CONCURRENCY_RUNS=${ONNXI_CONCURRENCY_RUNS:-2} "$build/tests/onnxi_model_tests" "concurrency:*"
  echo "tsan: concurrency with $threads-thread sessions took $(($(date +%s) - start)) s"
done
