#!/usr/bin/env bash
# Exports a torchvision model with models/export.py unless an export with the same
# script and arguments is already there (a stamp file records both).
# Usage: models/ensure_model.sh OUT_DIR MODEL [export.py options...]
set -euo pipefail
out=$1
shift
here=$(cd "$(dirname "$0")" && pwd)
stamp="$out/.export-stamp"
want="$(sha256sum "$here/export.py" | cut -d' ' -f1) $*"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && [ -f "$out/model.onnx" ]; then
  echo "ensure_model: $out is up to date"
  exit 0
fi
rm -rf "$out"
mkdir -p "$(dirname "$out")"
/usr/bin/python3 "$here/export.py" "$@" --out "$out"
echo "$want" > "$stamp"
