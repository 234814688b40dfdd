#!/usr/bin/env bash
# onnxi classify: synthetic JPEG/PNG images (made by make_images.py) are preprocessed as
# torchvision does (checked against torchvision's transforms), run as one batch, and the
# top-K (--json) agrees with the model's own output on torchvision's tensors; unreadable
# images give a one-line error and exit 1.
set -eu
onnxi=$1
model=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
py=${ONNXI_PYTHON:-$src/.venv/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
$py "$src/tests/cli/make_images.py" "$tmp"
imgs=(photo.png photo.jpg gray.png alpha.png)
( cd "$tmp" && "$onnxi" classify "${imgs[@]}" --model "$model" --top 5 --json --save-input "$tmp/x.npy" >"$tmp/c.json" )
# Reference: torchvision's preprocessing, run through `onnxi run` as one batch.
$py - "$tmp" <<'PY'
import sys, numpy as np
d = sys.argv[1]
names = ["photo_png", "photo_jpg", "gray_png", "alpha_png"]
np.save(d + "/ref.npy", np.stack([np.load(f"{d}/ref_{n}.npy") for n in names]))
PY
"$onnxi" run "$model" --input input="$tmp/ref.npy" --output-dir "$tmp/out" --quiet
$py - "$tmp" "$src/models/imagenet_classes.txt" <<'PY'
import json, sys, numpy as np
d, labels_file = sys.argv[1], sys.argv[2]
labels = open(labels_file).read().splitlines()
assert len(labels) == 1000, len(labels)
x = np.load(d + "/x.npy")
ref = np.load(d + "/ref.npy")
assert x.shape == (4, 3, 224, 224) and x.dtype == np.float32, (x.shape, x.dtype)
# PNG decoding is lossless and the resize reproduces Pillow's fixed-point filter: exact.
# JPEG: both sides use libjpeg-turbo with default settings here, but another decoder build
# may differ by a level or two, so allow 2/255 before normalization (std >= 0.224).
tol = {0: 1e-6, 1: 2.0 / 255 / 0.224 + 1e-6, 2: 1e-6, 3: 1e-6}
names = ["photo.png", "photo.jpg", "gray.png", "alpha.png"]
for i, n in enumerate(names):
    diff = float(np.abs(x[i] - ref[i]).max())
    print(f"{n}: max |onnxi - torchvision| = {diff:.3g} (tolerance {tol[i]:.3g})")
    assert diff <= tol[i], n
doc = json.load(open(d + "/c.json"))
assert doc["format"] == "onnxi-classify" and doc["version"] == 1
assert [im["path"] for im in doc["images"]] == names
logits = np.load(d + "/out/output.npy")
assert logits.shape == (4, 1000)
for i, im in enumerate(doc["images"]):
    top = im["top"]
    assert len(top) == 5
    want = list(np.argsort(-logits[i], kind="stable")[:5])
    got = [t["class"] for t in top]
    # Classes whose logits tie within float noise may swap places; compare the logits.
    for g, w in zip(got, want):
        assert abs(logits[i][g] - logits[i][w]) <= 1e-3 * max(1.0, abs(logits[i][w])), (names[i], got, want)
    p = np.exp(logits[i] - logits[i].max()); p /= p.sum()
    for t in top:
        assert t["label"] == labels[t["class"]], t
        assert abs(t["probability"] - p[t["class"]]) < 1e-3, t
    print(names[i], [(t["class"], t["label"]) for t in top])
print("classify json and preprocessing checks passed")
PY
# Human output names each image and its top classes.
"$onnxi" classify "$tmp/photo.jpg" --model "$model" --top 3 >"$tmp/human.txt"
cat "$tmp/human.txt"
grep -q "photo.jpg" "$tmp/human.txt"
[ "$(grep -c '^  [123]\. ' "$tmp/human.txt")" -eq 3 ]
# Unreadable images: exit 1, one line on stderr naming the file.
for bad in truncated.jpg truncated.png garbage.png text.jpg empty.png missing.jpg; do
  rc=0
  "$onnxi" classify "$tmp/$bad" --model "$model" >"$tmp/out.txt" 2>"$tmp/err" || rc=$?
  echo "$bad: exit $rc: $(cat "$tmp/err")"
  [ "$rc" -eq 1 ] || { echo "FAIL: $bad exit $rc"; exit 1; }
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { echo "FAIL: $bad stderr"; exit 1; }
  grep -q "^onnxi: .*$bad" "$tmp/err" || { echo "FAIL: $bad not named"; exit 1; }
  [ ! -s "$tmp/out.txt" ] || { echo "FAIL: $bad wrote to stdout"; exit 1; }
done
echo "classify cli checks passed"
