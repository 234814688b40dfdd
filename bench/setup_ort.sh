#!/usr/bin/env bash
# Installs ONNX Runtime's Node.js binding (the peer runtime for bench/compare.py)
# into bench/.cache/ort. Idempotent: does nothing when that version is already there.
# Needs node (>= 18) and npm, and the npm registry. ONNXRUNTIME_NODE_INSTALL=skip
# stops the package's postinstall from fetching GPU binaries (fails offline; the
# CPU binaries ship inside the npm package).
set -euo pipefail

ORT_VERSION="${ORT_VERSION:-1.30.0}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PREFIX="$HERE/.cache/ort"
PKG_JSON="$PREFIX/node_modules/onnxruntime-node/package.json"

command -v node >/dev/null || { echo "setup_ort: node not found" >&2; exit 1; }
command -v npm  >/dev/null || { echo "setup_ort: npm not found" >&2; exit 1; }

installed=""
if [[ -f "$PKG_JSON" ]]; then
  installed="$(node -e 'process.stdout.write(require(process.argv[1]).version)' "$PKG_JSON" 2>/dev/null || true)"
fi

if [[ "$installed" == "$ORT_VERSION" ]]; then
  echo "setup_ort: onnxruntime-node $ORT_VERSION already installed in $PREFIX"
else
  echo "setup_ort: installing onnxruntime-node@$ORT_VERSION into $PREFIX${installed:+ (found $installed)}"
  mkdir -p "$PREFIX"
  ONNXRUNTIME_NODE_INSTALL=skip npm install --prefix "$PREFIX" --no-audit --no-fund \
    --loglevel=error "onnxruntime-node@$ORT_VERSION"
fi

# Verify: load the binding and run a tiny model (y = x + x) on the CPU provider.
# The model is a hand-encoded ONNX protobuf, so no onnx tooling is needed.
NODE_PATH="$PREFIX/node_modules" node --input-type=module - "$PREFIX" <<'JS'
import { createRequire } from 'node:module';
import path from 'node:path';
const require = createRequire(path.join(process.argv[2], 'package.json'));
const ort = require('onnxruntime-node');

// Protobuf helpers (varint / length-delimited fields only).
const varint = (n) => { const b = []; while (n > 127) { b.push((n & 127) | 128); n >>>= 7; } b.push(n); return b; };
const field = (num, bytes) => [...varint((num << 3) | 2), ...varint(bytes.length), ...bytes];
const vint = (num, n) => [...varint(num << 3), ...varint(n)];
const str = (num, s) => field(num, [...Buffer.from(s)]);
const valueInfo = (name) => [
  ...str(1, name),
  // TypeProto{tensor_type{elem_type=FLOAT, shape{dim{dim_value=4}}}}
  ...field(2, field(1, [...vint(1, 1), ...field(2, field(1, vint(1, 4)))])),
];
const node = [...str(1, 'x'), ...str(1, 'x'), ...str(2, 'y'), ...str(4, 'Add')];
const graph = [...field(1, node), ...str(2, 'g'), ...field(11, valueInfo('x')), ...field(12, valueInfo('y'))];
const model = Uint8Array.from([...vint(1, 8), ...field(7, graph), ...field(8, vint(2, 13))]);

const s = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
const x = new ort.Tensor('float32', Float32Array.from([1, 2, 3, 4.5]), [4]);
const y = (await s.run({ x })).y.data;
const want = [2, 4, 6, 9];
if (!want.every((v, i) => y[i] === v)) { console.error('setup_ort: wrong result', y); process.exit(1); }
const v = require('onnxruntime-node/package.json').version;
console.log(`setup_ort: onnxruntime-node ${v} loads and runs on CPU (ok)`);
JS
