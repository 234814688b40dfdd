#!/usr/bin/env python3
"""Benchmarks one model with ONNX Runtime (PyPI onnxruntime, CPU execution provider).
The peer-side half of bench/compare.py; onnxi's half is `onnxi bench`.

    .venv/bin/python bench/ort_bench.py MODEL [--threads N] [--batch B] [--warmup W] [--runs R]
                                        [--input FILE.npy] [--output FILE.npy] [--seed S] [--json]

Needs numpy and onnxruntime (the project's .venv has both).
With --json, prints exactly one JSON document on stdout:
  {"runtime":"onnxruntime","version":...,"model":...,"threads":N,"batch":B,
   "create_ms":..,"first_run_ms":..,"latency_ms":{"min","median","p90","p99","mean"},
   "throughput_ips":B*1000/median,"peak_rss_mb":..,"runs":R}
Without --json, prints the same numbers for a human.
Errors: one line on stderr, exit status 2.
"""

import json
import os
import re
import resource
import sys
import time

USAGE = """usage: .venv/bin/python bench/ort_bench.py MODEL [--threads N] [--batch B] [--warmup W] [--runs R]
                                           [--input FILE.npy] [--output FILE.npy] [--seed S] [--json]"""


def die(msg):
    msg = " ".join(str(msg).split())  # one line
    sys.stderr.write(f"ort_bench: {msg}\n")
    sys.stderr.flush()
    sys.exit(2)


try:
    import numpy as np
    import onnxruntime as ort
except ImportError as e:
    die(f"cannot import numpy/onnxruntime with {sys.executable} (use the project's .venv/bin/python): {e}")


# ---------------------------------------------------------------- arguments
def parse_args(argv):
    o = {"model": None, "threads": 1, "batch": 1, "warmup": 5, "runs": 20,
         "input": None, "output": None, "seed": 1, "json": False}
    ints = {"--threads": "threads", "--batch": "batch", "--warmup": "warmup", "--runs": "runs", "--seed": "seed"}
    strs = {"--input": "input", "--output": "output"}
    i = 0
    while i < len(argv):
        a, val = argv[i], None
        if a.startswith("--") and "=" in a:
            a, val = a.split("=", 1)
        if val is None and (a in ints or a in strs):
            if i + 1 >= len(argv):
                die(f"{a} needs a value (see --help)")
            i += 1
            val = argv[i]
        if a in ("-h", "--help"):
            print(USAGE)
            sys.exit(0)
        elif a == "--json":
            o["json"] = True
        elif a in ints:
            if not re.fullmatch(r"\d+", val):
                die(f"{a} needs a non-negative integer, got '{val}'")
            o[ints[a]] = int(val)
        elif a in strs:
            o[strs[a]] = val
        elif a.startswith("-"):
            die(f"unknown option {a} (see --help)")
        elif o["model"] is None:
            o["model"] = a
        else:
            die(f"unexpected argument '{a}' (see --help)")
        i += 1
    if o["model"] is None:
        die("missing MODEL (see --help)")
    if o["threads"] < 1:
        die("--threads must be >= 1")
    if o["batch"] < 1:
        die("--batch must be >= 1")
    if o["runs"] < 1:
        die("--runs must be >= 1")
    return o


# ---------------------------------------------------------------- helpers
# ORT's type string for a tensor input -> numpy dtype.
ORT_DTYPES = {
    "tensor(float)": np.float32, "tensor(double)": np.float64, "tensor(float16)": np.float16,
    "tensor(int8)": np.int8, "tensor(int16)": np.int16, "tensor(int32)": np.int32, "tensor(int64)": np.int64,
    "tensor(uint8)": np.uint8, "tensor(uint16)": np.uint16, "tensor(uint32)": np.uint32,
    "tensor(uint64)": np.uint64, "tensor(bool)": np.bool_,
}


def peak_rss_mb():
    try:
        with open("/proc/self/status") as f:
            m = re.search(r"VmHWM:\s+(\d+)\s*kB", f.read())
        if m:
            return int(m.group(1)) / 1024
    except OSError:  # not Linux
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux; fallback only


def r3(x):
    return round(float(x), 3)


# ---------------------------------------------------------------- main
def main():
    o = parse_args(sys.argv[1:])
    if not os.path.isfile(o["model"]):
        die(f"model not found: {o['model']}")

    # Read the input before creating the session so file I/O is not in create_ms.
    x = None
    if o["input"]:
        try:
            with open(o["input"], "rb") as f:
                if f.read(6) != b"\x93NUMPY":
                    die(f"{o['input']}: not a .npy file")
            x = np.load(o["input"], allow_pickle=False)
        except (OSError, ValueError) as e:
            die(f"{o['input']}: cannot read as .npy: {e}")
        if x.ndim == 0 or x.shape[0] != o["batch"]:
            die(f"{o['input']}: shape {list(x.shape)} does not have batch {o['batch']} (--batch)")
        if not x.dtype.isnative:
            x = x.astype(x.dtype.newbyteorder("="))
        x = np.ascontiguousarray(x)

    so = ort.SessionOptions()
    so.intra_op_num_threads = o["threads"]
    so.inter_op_num_threads = 1
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    t0 = time.perf_counter()
    try:
        session = ort.InferenceSession(o["model"], sess_options=so, providers=["CPUExecutionProvider"])
    except Exception as e:  # ORT raises its own exception types
        die(f"cannot create a session for {o['model']}: {e}")
    create_ms = (time.perf_counter() - t0) * 1000

    inputs = session.get_inputs()
    if not inputs:
        die(f"{o['model']}: the model has no inputs")
    in_name, in_type = inputs[0].name, inputs[0].type
    want = ORT_DTYPES.get(in_type)
    if x is None:
        if want is not np.float32:
            die(f"the model's first input '{in_name}' is {in_type}, not float32; pass --input FILE.npy of that type")
        rng = np.random.default_rng(o["seed"])
        x = rng.standard_normal((o["batch"], 3, 224, 224), dtype=np.float32)
    elif want is None or x.dtype != np.dtype(want):
        die(f"{o['input']}: dtype {x.dtype} does not match the model's first input '{in_name}' ({in_type})")
    feeds = {in_name: x}

    try:
        t0 = time.perf_counter()
        first = session.run(None, feeds)
        first_ms = (time.perf_counter() - t0) * 1000
        if o["output"]:
            y = first[0]
            if not isinstance(y, np.ndarray):
                die(f"the model's first output is a {type(y).__name__}, not a tensor; cannot write {o['output']}")
            np.save(o["output"], y)

        for _ in range(o["warmup"]):
            session.run(None, feeds)
        lat = []
        for _ in range(o["runs"]):
            t0 = time.perf_counter()
            session.run(None, feeds)
            lat.append((time.perf_counter() - t0) * 1000)
    except Exception as e:
        die(f"run failed: {e}")

    a = np.array(lat)
    p50, p90, p99 = np.percentile(a, [50, 90, 99])  # linear interpolation (numpy's default)
    result = {
        "runtime": "onnxruntime",
        "version": ort.__version__,
        "model": o["model"],
        "threads": o["threads"],
        "batch": o["batch"],
        "create_ms": r3(create_ms),
        "first_run_ms": r3(first_ms),
        "latency_ms": {"min": r3(a.min()), "median": r3(p50), "p90": r3(p90), "p99": r3(p99), "mean": r3(a.mean())},
        "throughput_ips": r3(o["batch"] * 1000 / p50),
        "peak_rss_mb": r3(peak_rss_mb()),
        "runs": o["runs"],
    }
    if o["json"]:
        sys.stdout.write(json.dumps(result, separators=(",", ":")) + "\n")
    else:
        L = result["latency_ms"]
        sys.stdout.write(
            f"onnxruntime {result['version']}  {o['model']}\n"
            f"  input '{in_name}' {list(x.shape)} {x.dtype}  threads {o['threads']}  batch {o['batch']}"
            f"  warmup {o['warmup']}  runs {o['runs']}\n"
            f"  session creation  {result['create_ms']:.1f} ms\n"
            f"  first run         {result['first_run_ms']:.1f} ms\n"
            f"  latency (ms)      min {L['min']:.2f}  median {L['median']:.2f}  p90 {L['p90']:.2f}"
            f"  p99 {L['p99']:.2f}  mean {L['mean']:.2f}\n"
            f"  throughput        {result['throughput_ips']:.1f} images/s\n"
            f"  peak RSS          {result['peak_rss_mb']:.1f} MB\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
