#!/usr/bin/env bash
# Exports a torchvision model with models/export.py unless an export with the same
# script and arguments is already there (a stamp file records both).
# Usage: models/ensure_model.sh [--script FILE.py] OUT_DIR MODEL [export options...]
#   --script: another exporter in models/ (export_detection.py); it imports export.py,
#   so the stamp covers both scripts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
script=export.py
if [ "${1:-}" = "--script" ]; then
  script=$2
  shift 2
fi
out=$1
shift
stamp="$out/.export-stamp"
want="$(sha256sum "$here/export.py" | cut -d' ' -f1) $*"
if [ "$script" != export.py ]; then
  want="$(sha256sum "$here/export.py" "$here/$script" | cut -d' ' -f1 | tr '\n' ' ')$*"
fi
# a multi-opset export (--opset 13,17) writes OUT_DIR/opset<N>/model.onnx
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && compgen -G "$out/model.onnx" >/dev/null \
   || { [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && compgen -G "$out/opset*/model.onnx" >/dev/null; }; then
  echo "ensure_model: $out is up to date"
  exit 0
fi
rm -rf "$out"
mkdir -p "$(dirname "$out")"
# the project's virtual environment (scripts/setup.sh), or $ONNXI_PYTHON
py=${ONNXI_PYTHON:-$here/../.venv/bin/python}
if [ ! -x "$py" ]; then
  echo "ensure_model: no Python interpreter at $py: run scripts/setup.sh (it makes .venv/) or set ONNXI_PYTHON" >&2
  exit 1
fi
"$py" "$here/$script" "$@" --out "$out"
echo "$want" > "$stamp"
