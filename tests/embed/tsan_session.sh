#!/usr/bin/env bash
# ThreadSanitizer check of concurrent Session::run, quick form: runtime/session.cc (runs,
# execution contexts, plan, locks) and the concurrency test are compiled with
# -fsanitize=thread; every other object comes uninstrumented from BUILD_DIR (a normal
# build), so races inside kernels themselves are not seen by TSan here. The full form is a
# separate build with -DONNXI_SANITIZE=thread (everything instrumented).
#   tests/embed/tsan_session.sh BUILD_DIR RESNET50_DIR [EXTRA_LIBS]
# EXTRA_LIBS: the optional libraries the objects need (JPEG/PNG, RE2), space-separated.
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "$1" && pwd) r50=$2 extra=${3:-}
out=$build/tsan-session
mkdir -p "$out"
flags=(-std=gnu++20 -O1 -g -fsanitize=thread -DONNX_ML=1 -DONNX_NAMESPACE=onnx -I"$src/include" -I"$src" -Wall -Wextra -Werror)
c++ "${flags[@]}" -fPIC -c "$src/runtime/session.cc" -o "$out/session.o"
c++ "${flags[@]}" -c "$src/tests/model/test_concurrency.cc" -o "$out/test_concurrency.o"
c++ "${flags[@]}" -c "$src/tests/unit/main.cc" -o "$out/main.o"
# every layer's objects (CMake's onnxi_<layer> OBJECT libraries, listed by tests/CMakeLists.txt
# in onnxi_layer_objects.txt) but the session's own
objs=$(grep -v '/runtime/session\.cc\.o$' "$build/onnxi_layer_objects.txt")
# shellcheck disable=SC2086
c++ -fsanitize=thread "$out/session.o" "$out/test_concurrency.o" "$out/main.o" $objs -o "$out/concurrency_tsan" \
  $extra -lonnx_proto -lprotobuf -lXNNPACK -lpthreadpool -lcpuinfo -ldnnl -lgomp -pthread
ONNXI_RESNET50_DIR=$r50 ONNXI_CONCURRENCY_THREADS=${ONNXI_CONCURRENCY_THREADS:-3} \
  ONNXI_CONCURRENCY_RUNS=${ONNXI_CONCURRENCY_RUNS:-2} TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  "$out/concurrency_tsan" "concurrency:*"
