#!/usr/bin/env python3
"""Runs one exported zoo model (models/export.py layout) in onnxi and checks it.

    check_model.py ONNXI MODEL_DIR [--batch-consistency | --detection] [-- extra onnxi run options]

1. test_data_set_0 (batch 1) and test_data_set_1 (batch 2) against PyTorch's output;
2. with --batch-consistency: onnxi's batch-2 output against two batch-1 onnxi runs on
   the two halves of the same input (dynamic batch through Reshape/Flatten/attention).

Pass rule for every element: |got - want| <= ATOL_FRAC * max|want| + RTOL * |want|
(RTOL 1e-3, ATOL_FRAC 1e-4).  Reported "max rel" is max|got - want| / max|want|.

--detection (models/export_detection.py layout): test_data_set_0 only, outputs boxes [K,4],
scores [K], labels [K].  K must be equal and the detections must match one to one (label
exact, box and score under the rule above, tolerances from each output's max magnitude).
Detections whose scores differ by less than float noise may come out in either order, so
each PyTorch detection is matched to an unmatched onnxi detection at most WINDOW ranks away.
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


WINDOW = 8


def run_onnxi_multi(onnxi, model, in_name, x, tmp, extra):
    xin = os.path.join(tmp, "det_in.npy")
    np.save(xin, np.ascontiguousarray(x))
    odir = os.path.join(tmp, "det_out")
    cmd = [onnxi, "run", model, "--input", "%s=%s" % (in_name, xin), "--output-dir", odir] + extra
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if p.returncode != 0:
        raise RuntimeError("onnxi run failed (%d): %s\n%s" % (p.returncode, " ".join(cmd), p.stderr.strip()))
    return lambda name: np.load(os.path.join(odir, name + ".npy"))


def check_detection(onnxi, mdir, extra):
    model = os.path.join(mdir, "model.onnx")
    d = os.path.join(mdir, "test_data_set_0")
    in_name, x = read_pb(os.path.join(d, "input_0.pb"))
    want = dict(read_pb(os.path.join(d, "output_%d.pb" % i)) for i in range(3))
    with tempfile.TemporaryDirectory(prefix="onnxi-zoo-") as tmp:
        load = run_onnxi_multi(onnxi, model, in_name, x, tmp, extra)
        got = {k: load(k) for k in ("boxes", "scores", "labels")}
    kw, kg = want["scores"].shape[0], got["scores"].shape[0]
    if kw != kg or got["boxes"].shape != want["boxes"].shape or got["labels"].shape != want["labels"].shape:
        print("%s: detections vs pytorch: FAIL %d detections, PyTorch has %d" % (mdir, kg, kw))
        return False
    wb, ws, wl = (want[k].astype(np.float64) for k in ("boxes", "scores", "labels"))
    gb, gs, gl = (got[k].astype(np.float64) for k in ("boxes", "scores", "labels"))
    bscale, sscale = np.abs(wb).max(initial=0.0), np.abs(ws).max(initial=0.0)
    used = np.zeros(kg, dtype=bool)
    max_rel, moved = 0.0, 0
    for i in range(kw):
        found = -1
        for j in sorted(range(max(0, i - WINDOW), min(kg, i + WINDOW + 1)), key=lambda j: abs(j - i)):
            if used[j] or gl[j] != wl[i]:
                continue
            if abs(gs[j] - ws[i]) > ATOL_FRAC * sscale + RTOL * abs(ws[i]):
                continue
            if (np.abs(gb[j] - wb[i]) > ATOL_FRAC * bscale + RTOL * np.abs(wb[i])).any():
                continue
            found = j
            break
        if found < 0:
            print("%s: detections vs pytorch: FAIL no onnxi detection matches PyTorch's #%d (label %d score %.6g box %s)"
                  % (mdir, i, wl[i], ws[i], wb[i].tolist()))
            return False
        used[found] = True
        moved += found != i
        max_rel = max(max_rel, np.abs(gb[found] - wb[i]).max() / bscale, abs(gs[found] - ws[i]) / sscale)
    print("%s: %d detections vs pytorch: max rel %.3g ok (%d matched out of rank order)" % (mdir, kw, max_rel, moved))
    return True


def main():
    args = sys.argv[1:]
    extra = []
    if "--" in args:
        k = args.index("--")
        args, extra = args[:k], args[k + 1:]
    consistency = "--batch-consistency" in args
    detection = "--detection" in args
    args = [a for a in args if a not in ("--batch-consistency", "--detection")]
    if len(args) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    onnxi, mdir = args
    if detection:
        ok = check_detection(onnxi, mdir, extra)
        print("PASS" if ok else "FAIL")
        return 0 if ok else 1
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
