#!/usr/bin/env bash
# onnxi run/info on missing, empty, garbage and truncated model files must exit 1 with
# a one-line "onnxi: ..." error on stderr: no crash, no hang, no stack of messages.
set -u
onnxi=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
good=/usr/share/libonnx-testdata/data/node/test_relu/model.onnx
[ -f "$good" ] || { echo "missing $good (package libonnx-testdata)"; exit 1; }
failures=0
check() {  # check LABEL EXPECTED_SUBSTRING ARGS...
  local label=$1 want=$2
  shift 2
  timeout 60 "$onnxi" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q "^onnxi: " "$tmp/err" || ! grep -qi -- "$want" "$tmp/err"; then
    echo "FAIL $label: exit $rc, stderr:"; cat "$tmp/err"
    failures=$((failures + 1))
  else
    echo "ok   $label: $(cat "$tmp/err")"
  fi
}
: >"$tmp/empty.onnx"
head -c 4096 /dev/urandom >"$tmp/garbage.onnx"
printf 'this is not a model\n' >"$tmp/text.onnx"
size=$(stat -c %s "$good")
check "missing file" "$tmp/nope.onnx" run "$tmp/nope.onnx" --random
check "empty file" "empty.onnx" run "$tmp/empty.onnx" --random
check "garbage bytes" "garbage.onnx" run "$tmp/garbage.onnx" --random
check "text file" "text.onnx" run "$tmp/text.onnx" --random
check "info on garbage" "garbage.onnx" info "$tmp/garbage.onnx"
for cut in 1 7 $((size / 3)) $((size / 2)) $((size - 1)); do
  head -c "$cut" "$good" >"$tmp/cut$cut.onnx"
  check "truncated at $cut of $size bytes" "cut$cut.onnx" run "$tmp/cut$cut.onnx" --random
done
check "input file missing" "nope.pb" run "$good" --input x="$tmp/nope.pb"
check "unknown input name" "unknown input" run "$good" --input nosuch="/usr/share/libonnx-testdata/data/node/test_relu/test_data_set_0/input_0.pb"
check "malformed --input" "NAME=FILE" run "$good" --input justafile
[ "$failures" -eq 0 ] && echo "all bad-file cases passed" || { echo "$failures case(s) failed"; exit 1; }
