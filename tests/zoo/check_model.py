#!/usr/bin/python3
"""Runs one exported zoo model (models/export.py layout) in onnxi and checks it.

    check_model.py ONNXI MODEL_DIR [--batch-consistency] [-- extra onnxi run options]

1. test_data_set_0 (batch 1) and test_data_set_1 (batch 2) against PyTorch's output;
2. with --batch-consistency: onnxi's batch-2 output against two batch-1 onnxi runs on
   the two halves of the same input (dynamic batch through Reshape/Flatten/attention).

Pass rule for every element: |got - want| <= ATOL_FRAC * max|want| + RTOL * |want|
(RTOL 1e-3, ATOL_FRAC 1e-4).  Reported "max rel" is max|got - want| / max|want|.
Exit status 0 only if every check passes.
"""

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

RTOL = 1e-3
ATOL_FRAC = 1e-4


def read_pb(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t.name, numpy_helper.to_array(t)


def run_onnxi(onnxi, model, in_name, x, out_name, tmp, tag, extra):
    xin = os.path.join(tmp, tag + "_in.npy")
    np.save(xin, np.ascontiguousarray(x))
    odir = os.path.join(tmp, tag + "_out")
    cmd = [onnxi, "run", model, "--input", "%s=%s" % (in_name, xin), "--output-dir", odir] + extra
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("onnxi run failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr.strip()))
    return np.load(os.path.join(odir, out_name + ".npy"))


def compare(got, want):
    """Returns (ok, max_rel, worst_excess) under the pass rule."""
    if got.shape != want.shape:
        return False, float("inf"), "shape %s != %s" % (got.shape, want.shape)
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    if not np.isfinite(g).all():
        return False, float("inf"), "non-finite values in onnxi's output"
    scale = float(np.abs(w).max()) if w.size else 0.0
    diff = np.abs(g - w)
    tol = ATOL_FRAC * scale + RTOL * np.abs(w)
    bad = diff > tol
    max_rel = float(diff.max() / scale) if scale > 0 else float(diff.max(initial=0.0))
    detail = ""
    if bad.any():
        i = int(np.argmax(diff - tol))
        detail = "%d of %d elements out of tolerance; worst at flat index %d: got %.6g want %.6g" % (
            int(bad.sum()), bad.size, i, g.flat[i], w.flat[i])
    return not bad.any(), max_rel, detail


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        k = args.index("--")
        args, extra = args[:k], args[k + 1:]
    consistency = "--batch-consistency" in args
    args = [a for a in args if a != "--batch-consistency"]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    onnxi, mdir = args
    model = os.path.join(mdir, "model.onnx")
    ok_all = True
    with tempfile.TemporaryDirectory(prefix="onnxi-zoo-") as tmp:
        got1 = None
        for s in (0, 1):
            in_name, x = read_pb(os.path.join(mdir, "test_data_set_%d" % s, "input_0.pb"))
            out_name, want = read_pb(os.path.join(mdir, "test_data_set_%d" % s, "output_0.pb"))
            got = run_onnxi(onnxi, model, in_name, x, out_name, tmp, "set%d" % s, extra)
            ok, rel, detail = compare(got, want)
            ok_all &= ok
            print("%s: batch %d vs pytorch: max rel %.3g %s %s" % (mdir, x.shape[0], rel, "ok" if ok else "FAIL",
                                                                   detail), flush=True)
            if s == 1:
                got1, x1, names = got, x, (in_name, out_name)
        if consistency:
            in_name, out_name = names
            halves = [run_onnxi(onnxi, model, in_name, x1[i:i + 1], out_name, tmp, "half%d" % i, extra)
                      for i in range(x1.shape[0])]
            ok, rel, detail = compare(got1, np.concatenate(halves, axis=0))
            ok_all &= ok
            print("%s: batch %d vs %d batch-1 runs: max rel %.3g %s %s" % (
                mdir, x1.shape[0], x1.shape[0], rel, "ok" if ok else "FAIL", detail), flush=True)
    print("PASS" if ok_all else "FAIL")
    return 0 if ok_all else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as e:
        print("ERROR: %s" % e)
        sys.exit(1)
