#!/usr/bin/env bash
# Regenerates the conformance expectations from a fresh run, keeping the reasons already
# written for known failures. Review the diff before committing: every change of a test
# between PASS and a failure must be intended.
# Usage: tests/conformance/update.sh [path/to/onnxi]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
onnxi=${1:-$here/../../build/onnxi}
data=/usr/share/libonnx-testdata/data
for folder in node pytorch-converted pytorch-operator simple; do
  file=$here/$folder.txt
  [ -f "$file" ] || : >"$file"
  "$onnxi" test "$data/$folder" -q --expectations "$file" --write-expectations "$file.new" >/dev/null || true
  mv "$file.new" "$file"
  echo "$folder: $(grep -c ' PASS$' "$file") pass of $(grep -vc '^#' "$file")"
done
