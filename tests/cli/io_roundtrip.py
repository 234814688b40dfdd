#!/usr/bin/env python3
"""onnxi's tensor file I/O through the command line: for every NumPy-representable ONNX
dtype, an Identity model run with `onnxi run` on a .npy input (and on a .pb input) must
write back exactly the same array as .npy and as .pb; --json output must parse and hold the
same values. Fortran-order and pickled (object) .npy files must be refused cleanly.

Usage: io_roundtrip.py ONNXI"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

ONNXI = sys.argv[1]
DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint16,
          np.uint32, np.uint64, np.bool_, np.complex64, np.complex128]


def identity_model(path, elem_type, shape):
    x = helper.make_tensor_value_info("x", elem_type, shape)
    y = helper.make_tensor_value_info("y", elem_type, shape)
    g = helper.make_graph([helper.make_node("Identity", ["x"], ["y"], name="id")], "io", [x], [y])
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), path)


def sample(dt, shape, rng):
    if dt == np.bool_:
        return rng.integers(0, 2, shape).astype(np.bool_)
    if np.issubdtype(dt, np.integer):
        info = np.iinfo(dt)
        # the extremes of the type included, to catch sign and width mistakes
        a = rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
        a.flat[0], a.flat[-1] = info.min, info.max
        return a
    if np.issubdtype(dt, np.complexfloating):
        return (rng.normal(size=shape) + 1j * rng.normal(size=shape)).astype(dt)
    a = rng.normal(size=shape).astype(dt)
    a.flat[0] = np.finfo(dt).max
    return a


def run(args, expect_rc=0):
    p = subprocess.run([ONNXI] + args, capture_output=True, text=True, timeout=120)
    if p.returncode != expect_rc:
        sys.exit(f"FAIL: onnxi {' '.join(args)}: exit {p.returncode}, expected {expect_rc}\n{p.stderr}")
    return p


def same(a, b):
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def main():
    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as d:
        for dt in DTYPES:
            name = np.dtype(dt).name
            shape = (2, 3, 4)
            model = os.path.join(d, f"id_{name}.onnx")
            identity_model(model, onnx.helper.np_dtype_to_tensor_dtype(np.dtype(dt)), list(shape))
            a = sample(dt, shape, rng)
            np.save(os.path.join(d, f"{name}.npy"), a)
            onnx.save_tensor(numpy_helper.from_array(a, "x"), os.path.join(d, f"{name}.pb"))
            for src in ("npy", "pb"):
                for fmt in ("npy", "pb"):
                    out = os.path.join(d, f"out_{name}_{src}_{fmt}")
                    run(["run", model, "--input", f"x={d}/{name}.{src}", "--output-dir", out, "--output-format", fmt,
                         "--quiet"])
                    if fmt == "npy":
                        b = np.load(os.path.join(out, "y.npy"), allow_pickle=False)
                    else:
                        b = numpy_helper.to_array(onnx.load_tensor(os.path.join(out, "y.pb")))
                    if not same(a, b):
                        sys.exit(f"FAIL: {name} {src}->{fmt}: got {b.dtype}{b.shape}, values differ: {b.ravel()[:4]}")
            # --json: one document on stdout, the values as numbers (complex: not listed).
            p = run(["run", model, "--input", f"x={d}/{name}.npy", "--json"])
            doc = json.loads(p.stdout)
            assert doc["format"] == "onnxi-run" and doc["version"] == 1, doc
            out = doc["outputs"][0]
            assert out["name"] == "y" and out["shape"] == list(shape), out
            if np.issubdtype(dt, np.complexfloating):
                assert out["values"] is None
            else:
                vals = out["values"]
                want = a.ravel().tolist()
                for v, w in zip(vals, want):
                    if isinstance(w, float) and not np.isfinite(np.float64(w)):
                        assert v is None
                    elif dt in (np.float16, np.float32, np.float64):
                        assert v == w or abs(v - w) <= 1e-8 * abs(w), (name, v, w)
                    else:
                        assert v == w, (name, v, w)
            print(f"ok   {name}: .npy and .pb in, .npy and .pb out, --json")

        # Refused inputs: one-line errors, exit 1.
        model = os.path.join(d, "id_float32.onnx")
        np.save(os.path.join(d, "fortran.npy"), np.asfortranarray(np.ones((2, 3, 4), np.float32)))
        np.save(os.path.join(d, "object.npy"), np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
        for bad, want in (("fortran.npy", "fortran"), ("object.npy", "pickle")):
            p = run(["run", model, "--input", f"x={d}/{bad}"], expect_rc=1)
            err = p.stderr.strip()
            assert err.startswith("onnxi: ") and "\n" not in err and want in err.lower(), err
            assert p.stdout == "", p.stdout
            print(f"ok   {bad} refused: {err}")
    print("io round trips passed")


if __name__ == "__main__":
    main()
