#!/usr/bin/env bash
# onnxi run/info on the exported ResNet-50: top-5 printed, outputs written as .npy,
# info lists the op histogram with nothing unsupported; a truncated copy of the real
# model fails cleanly.
set -eu
onnxi=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$onnxi" run "$dir/model.onnx" --input input="$dir/test_data_set_0/input_0.pb" --output-dir "$tmp/out" >"$tmp/run.txt"
cat "$tmp/run.txt"
grep -q "^  top-5 \[0\]:" "$tmp/run.txt"
grep -q "output output: float32 \[1,1000\]" "$tmp/run.txt"
[ -s "$tmp/out/output.npy" ]
head -c 6 "$tmp/out/output.npy" | grep -q "NUMPY"
"$onnxi" run "$dir/model.onnx" --random --seed 3 >"$tmp/random.txt"
grep -q "^  top-5 \[0\]:" "$tmp/random.txt"
"$onnxi" info "$dir/model.onnx" >"$tmp/info.txt"
cat "$tmp/info.txt"
grep -q "Conv  *53" "$tmp/info.txt"
grep -q "unsupported: none" "$tmp/info.txt"
grep -q "batch" "$tmp/info.txt"
head -c 50000000 "$dir/model.onnx" >"$tmp/cut.onnx"
if "$onnxi" run "$tmp/cut.onnx" --random 2>"$tmp/err"; then echo "truncated model ran"; exit 1; fi
rc=0; "$onnxi" run "$tmp/cut.onnx" --random 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || { echo "truncated model: exit $rc"; exit 1; }
[ "$(wc -l <"$tmp/err")" -eq 1 ]
cat "$tmp/err"
echo "resnet50 cli checks passed"
