#!/usr/bin/env bash
# Runs the bad-input catalogue: `onnxi run` on every case written by generate.py must exit
# 1 with exactly one line on stderr, "onnxi: ..." containing the case's expected text (so
# no crash, no sanitizer report, no stack of messages).
#   check.sh ONNXI CATALOGUE_DIR [CASE_REGEX]
set -u
onnxi=$1
dir=$2
only=${3:-.}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
[ -f "$dir/cases.tsv" ] || { echo "no $dir/cases.tsv (run generate.py first)"; exit 1; }
failures=0
total=0
while IFS='|' read -r name args env want; do
  case "$name" in '#'* | '') continue ;; esac
  [[ "$name" =~ $only ]] || continue
  total=$((total + 1))
  # shellcheck disable=SC2086  # args and env are word lists
  (cd "$dir/$name" && env $env timeout 120 "$onnxi" run model.onnx $args >"$tmp/out" 2>"$tmp/err")
  rc=$?
  lines=$(wc -l <"$tmp/err")
  if [ "$rc" -ne 1 ] || [ "$lines" -ne 1 ] || ! grep -q "^onnxi: " "$tmp/err" || ! grep -qiF -- "$want" "$tmp/err"; then
    echo "FAIL $name: exit $rc, want \"$want\", stderr:"
    head -c 4000 "$tmp/err"
    failures=$((failures + 1))
  else
    echo "ok   $name: $(cat "$tmp/err")"
  fi
done <"$dir/cases.tsv"
echo "$((total - failures)) of $total bad-input cases passed"
[ "$total" -gt 0 ] && [ "$failures" -eq 0 ]
