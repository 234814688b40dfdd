#!/usr/bin/env bash
# `onnxi test --expectations` with the RANDOM status (outputs drawn from a generator onnxi
# does not reproduce, e.g. unseeded Bernoulli): a PASS or a FAIL on values alone matches it;
# an ERROR, or an output of the wrong shape, is still a mismatch (exit 1).
set -u
onnxi=$1
data=/usr/share/libonnx-testdata/data/node
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
expect() {  # expect LABEL WANT_RC EXPECTATION_LINE TEST_DIR
  local label=$1 want=$2 line=$3 dir=$4
  printf '%s\n' "$line" >"$tmp/exp.txt"
  "$onnxi" test "$dir" --expectations "$tmp/exp.txt" >"$tmp/out" 2>&1
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    echo "FAIL $label: exit $rc, wanted $want"; cat "$tmp/out"; failures=$((failures + 1))
  else
    echo "ok   $label (exit $rc)"
  fi
}
mk() {  # mk NAME MODEL_DIR INPUT_PB OUTPUT_PB: a test case from pieces of others
  mkdir -p "$tmp/node/$1/test_data_set_0"
  cp "$2/model.onnx" "$tmp/node/$1/"
  cp "$3" "$tmp/node/$1/test_data_set_0/input_0.pb"
  cp "$4" "$tmp/node/$1/test_data_set_0/output_0.pb"
}
# seeded Bernoulli: deterministic in onnxi, but not numpy's stream -> FAIL on values only
expect "RANDOM accepts a FAIL on values" 0 "node/test_bernoulli_seed RANDOM numpy stream" "$data/test_bernoulli_seed"
expect "FAIL still matches the same test" 0 "node/test_bernoulli_seed FAIL numpy stream" "$data/test_bernoulli_seed"
expect "RANDOM accepts a PASS" 0 "node/test_relu RANDOM (not random, passes)" "$data/test_relu"
# relu model fed with a [3] input where it declares [3,4,5]: an ERROR is not RANDOM
mk test_relu_bad_input "$data/test_relu" "$data/test_sigmoid_example/test_data_set_0/input_0.pb" \
  "$data/test_relu/test_data_set_0/output_0.pb"
expect "RANDOM rejects an ERROR" 1 "node/test_relu_bad_input RANDOM x" "$tmp/node/test_relu_bad_input"
# relu on its own input, compared with an output of another shape: not a values-only FAIL
mk test_relu_bad_shape "$data/test_relu" "$data/test_relu/test_data_set_0/input_0.pb" \
  "$data/test_sigmoid_example/test_data_set_0/output_0.pb"
expect "RANDOM rejects a wrong shape" 1 "node/test_relu_bad_shape RANDOM x" "$tmp/node/test_relu_bad_shape"
[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "all expectation checks passed"
