#!/usr/bin/env bash
# Installs onnxi from BUILD_DIR into a fresh prefix, checks the installed headers leak
# nothing internal, builds examples/ against the *installed* package (CMake config, and
# pkg-config for the C example), runs each on ResNet-50 and requires the same top-5 as the
# installed `onnxi run`.
#   install_examples.sh BUILD_DIR SOURCE_DIR RESNET50_DIR
set -euo pipefail
build=$1 src=$2 r50=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix

cmake --install "$build" --prefix "$prefix" >/dev/null
for f in include/onnxi/onnxi.h include/onnxi/session.h include/onnxi/summary.h include/onnxi/custom_op.h lib/libonnxi.a \
         lib/libonnxi.so lib/cmake/onnxi/onnxi-config.cmake lib/pkgconfig/onnxi.pc bin/onnxi; do
  [ -e "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
if grep -rnE '#include *[<"](runtime|onnx|ops|google|xnnpack|pthreadpool|cpuinfo)[/.]' "$prefix/include"; then
  echo "FAIL: installed headers include internal or third-party headers"; exit 1
fi

# The examples, built with CMake against the installed package only.
cmake -S "$src/examples" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_FLAGS="-Wall -Wextra -Werror" -DCMAKE_CXX_FLAGS="-Wall -Wextra -Werror" >/dev/null
cmake --build "$work/build" -j"${ONNXI_JOBS:-2}" >/dev/null
# The C example again with pkg-config (shared library).
PKG_CONFIG_PATH=$prefix/lib/pkgconfig
export PKG_CONFIG_PATH
# shellcheck disable=SC2046
cc -std=c99 -Wall -Wextra -Werror $(pkg-config --cflags onnxi) "$src/examples/c/classify.c" \
  $(pkg-config --libs onnxi) -Wl,-rpath,"$(pkg-config --variable=libdir onnxi)" -o "$work/classify_c_pkgconfig"
if ldd "$work/build/classify_cpp_static" | grep -q libonnxi; then
  echo "FAIL: the static example links libonnxi.so"; exit 1
fi

top5() { sed -nE 's/^ *(top-5 \[[0-9]+\]:)/\1/p' | sed -E 's/ \([^)]*\)//g'; }
status=0
for set in test_data_set_0 test_data_set_1; do
  input=$r50/$set/input_0.pb
  want=$("$prefix/bin/onnxi" run "$r50/model.onnx" --input "input=$input" --threads 2 | top5)
  [ -n "$want" ] || { echo "FAIL: no top-5 from onnxi run"; exit 1; }
  for exe in "$work/build/classify_cpp" "$work/build/classify_c" "$work/build/classify_cpp_static" \
             "$work/classify_c_pkgconfig"; do
    got=$("$exe" "$r50/model.onnx" "$input")
    if [ "$got" != "$want" ]; then
      echo "FAIL: $(basename "$exe") on $set:"; echo "  got:  $got"; echo "  want: $want"; status=1
    else
      echo "ok: $(basename "$exe") on $set: $got"
    fi
  done
done
echo "libonnxi.so: $(stat -c %s "$(readlink -f "$prefix/lib/libonnxi.so")") bytes; libonnxi.a: $(stat -c %s "$prefix/lib/libonnxi.a") bytes"
exit $status
