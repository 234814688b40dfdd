#!/usr/bin/env python3
"""Benchmark onnxi against ONNX Runtime on the same model and inputs, in one run.

    .venv/bin/python bench/compare.py MODEL [--onnxi build/onnxi] [--python PY] [--rounds 5]
                                            [--runs 20] [--warmup 5] [--configs 1x1,1x2,8x2]
                                            [--json FILE] [--ort-only]

A config is BATCHxTHREADS. For each config one seeded image-like input of shape
[B,3,224,224] is written as .npy; then, each round, `onnxi bench` and
`PY bench/ort_bench.py` (PY = --python, default this interpreter) run on it as
separate processes (so session creation and peak RSS are per process), in alternating
order. Each process reports its own median etc.; this script reports the median over
rounds of every metric, checks that both runtimes' first outputs agree
(max|diff| / max|ORT| <= 1e-4), and prints the headline table against the targets.
Exit status: 0 ok, 1 output MISMATCH, 2 error.

This is a benchmark, not a test: see bench/README.md. This script needs only the stdlib
and numpy; the interpreter that runs ort_bench.py also needs onnxruntime (.venv has both).
"""

import argparse
import datetime
import json
import mmap
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
ORT_BENCH = os.path.join(HERE, "ort_bench.py")

MAX_REL_DIFF = 1e-4
METRICS = ["create_ms", "first_run_ms", "min", "median", "p90", "p99", "mean", "throughput_ips", "peak_rss_mb"]

# Headline rows: (label, config, metric, target kind, target ratio onnxi/ORT).
# Session creation is pooled over every process of every config; the rest use one config.
HEADLINE = [
    ("batch-1 latency, 1 thread (ms)", (1, 1), "median", "le", 0.9),
    ("batch-1 latency, 2 threads (ms)", (1, 2), "median", "le", 0.9),
    ("batch-8 throughput, 2 threads (images/s)", (8, 2), "throughput_ips", "ge", 1.1),
    ("session creation (ms)", None, "create_ms", "le", 0.2),
    ("peak RSS, batch 1, 1 thread (MB)", (1, 1), "peak_rss_mb", "le", 0.5),
]


def log(msg=""):
    print(msg, flush=True)


def fail(msg):
    print(f"compare: error: {msg}", file=sys.stderr, flush=True)
    sys.exit(2)


# ----------------------------------------------------------------- model
def graph_io_names(model_path):
    """(first graph input that is not an initializer, first graph output) names, read
    straight from the ONNX protobuf (no onnx package needed)."""

    def varint(buf, i):
        shift = result = 0
        while True:
            b = buf[i]
            i += 1
            result |= (b & 0x7F) << shift
            if b < 0x80:
                return result, i
            shift += 7

    def fields(buf, start, end):
        i = start
        while i < end:
            key, i = varint(buf, i)
            num, wire = key >> 3, key & 7
            if wire == 0:
                _, i = varint(buf, i)
            elif wire == 1:
                i += 8
            elif wire == 5:
                i += 4
            elif wire == 2:
                n, i = varint(buf, i)
                yield num, i, i + n
                i += n
            else:
                raise ValueError(f"unsupported protobuf wire type {wire}")

    def name(buf, s, e, field):
        for num, fs, fe in fields(buf, s, e):
            if num == field:
                return bytes(buf[fs:fe]).decode("utf-8")
        return None

    inputs, outputs, inits = [], [], set()
    with open(model_path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as buf:
        for num, s, e in fields(buf, 0, len(buf)):
            if num != 7:  # ModelProto.graph
                continue
            for gnum, gs, ge in fields(buf, s, e):
                if gnum == 11:  # GraphProto.input (ValueInfoProto.name = 1)
                    inputs.append(name(buf, gs, ge, 1))
                elif gnum == 12:  # GraphProto.output
                    outputs.append(name(buf, gs, ge, 1))
                elif gnum == 5:  # initializer (TensorProto.name = 8): old models list them as inputs too
                    inits.add(name(buf, gs, ge, 8))
    inputs = [n for n in inputs if n not in inits]
    return (inputs[0] if inputs else None), (outputs[0] if outputs else None)


def npy_name(output_name):
    """File name onnxi gives an output in --output-dir (same sanitising as `onnxi run`)."""
    for c in "/\\:":
        output_name = output_name.replace(c, "_")
    return output_name + ".npy"


# ----------------------------------------------------------------- inputs
def make_input(batch, seed, size=224):
    """Seeded image-like tensor: smooth random pixels in [0,1] plus a little noise,
    normalised with the ImageNet mean/std (so values are roughly in [-2.1, 2.6])."""
    rng = np.random.default_rng(seed)
    grid = 8
    # Bilinear interpolation matrix from a grid x grid lattice to size x size.
    pos = np.linspace(0, grid - 1, size)
    lo = np.minimum(np.floor(pos).astype(int), grid - 2)
    frac = pos - lo
    w = np.zeros((size, grid))
    w[np.arange(size), lo] = 1 - frac
    w[np.arange(size), lo + 1] = frac
    coarse = rng.random((batch, 3, grid, grid))
    img = np.einsum("ia,ncab,jb->ncij", w, coarse, w)
    img += rng.normal(0.0, 0.05, img.shape)
    img = np.clip(img, 0.0, 1.0)
    mean = np.array([0.485, 0.456, 0.406]).reshape(1, 3, 1, 1)
    std = np.array([0.229, 0.224, 0.225]).reshape(1, 3, 1, 1)
    return np.ascontiguousarray(((img - mean) / std).astype(np.float32))


# ----------------------------------------------------------------- processes
def cpu_busy_s():
    """Seconds of CPU time used by everything on the machine so far (all cores)."""
    try:
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    idle = v[3] + (v[4] if len(v) > 4 else 0)  # idle + iowait
    return (sum(v[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def children_cpu_s():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run_json(cmd, what, timeout):
    """Runs one benchmark process; returns (its JSON document, other_cpu) where other_cpu
    is the mean number of cores busy with anything but that process while it ran."""
    busy0, child0, t0 = cpu_busy_s(), children_cpu_s(), time.monotonic()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail(f"{what} timed out after {timeout} s: {' '.join(cmd)}")
    except OSError as e:
        fail(f"{what} could not start: {e}")
    if p.returncode != 0:
        fail(f"{what} exited with {p.returncode}: {' '.join(cmd)}\n{p.stderr.strip()}")
    text = p.stdout.strip()
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = None
        for line in reversed(text.splitlines()):  # tolerate chatter before the document
            line = line.strip()
            if line.startswith("{"):
                try:
                    doc = json.loads(line)
                    break
                except json.JSONDecodeError:
                    pass
        if doc is None:
            fail(f"{what} printed no JSON document: {' '.join(cmd)}\n--- stdout:\n{p.stdout}")
    missing = [k for k in ("create_ms", "first_run_ms", "latency_ms", "throughput_ips", "peak_rss_mb") if k not in doc]
    missing += [f"latency_ms.{k}" for k in ("min", "median", "p90", "p99", "mean") if k not in doc.get("latency_ms", {})]
    if missing:
        fail(f"{what}: JSON lacks {', '.join(missing)}: {text}")
    busy1, child1, wall = cpu_busy_s(), children_cpu_s(), time.monotonic() - t0
    other = None
    if busy0 is not None and busy1 is not None and wall > 0:
        other = max(0.0, ((busy1 - busy0) - (child1 - child0)) / wall)
    return doc, other


def flat(doc):
    d = {k: float(doc[k]) for k in ("create_ms", "first_run_ms", "throughput_ips", "peak_rss_mb")}
    d.update({k: float(v) for k, v in doc["latency_ms"].items() if k in ("min", "median", "p90", "p99", "mean")})
    return d


def rel_diff(ort_file, onnxi_file):
    a = np.load(ort_file)
    b = np.load(onnxi_file)
    if a.shape != b.shape:
        return float("inf"), f"shape {list(b.shape)} vs ORT {list(a.shape)}"
    scale = float(np.max(np.abs(a))) if a.size else 0.0
    diff = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0
    if not np.isfinite(diff):
        return float("inf"), "non-finite values"
    return (diff / scale if scale > 0 else diff), ""


# ----------------------------------------------------------------- machine
def machine_info():
    model, cores, cpus = platform.processor() or "?", None, os.cpu_count()
    try:
        out = subprocess.run(["lscpu"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout
        info = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        info = {k.strip(): v.strip() for k, v in info.items()}
        model = info.get("Model name", model)
        if "Core(s) per socket" in info and "Socket(s)" in info:
            cores = int(info["Core(s) per socket"]) * int(info["Socket(s)"])
        cpus = int(info.get("CPU(s)", cpus))
    except (OSError, ValueError):
        pass
    return {"cpu": model, "cores": cores, "cpus": cpus, "load_avg": list(os.getloadavg())}


# ----------------------------------------------------------------- report
def fmt(x):
    if x is None:
        return "-"
    if x >= 100:
        return f"{x:.1f}"
    if x >= 10:
        return f"{x:.2f}"
    return f"{x:.3f}"


def table(rows):
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for n, r in enumerate(rows):
        lines.append("| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |")
        if n == 0:
            lines.append("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def parse_configs(s):
    out = []
    for part in s.split(","):
        part = part.strip().lower()
        try:
            b, t = part.split("x")
            b, t = int(b), int(t)
            if b < 1 or t < 1:
                raise ValueError
        except ValueError:
            fail(f"bad config '{part}' in --configs (want BATCHxTHREADS, e.g. 8x2)")
        if (b, t) not in out:
            out.append((b, t))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("model", help="ONNX model with one float32 input [B,3,224,224]")
    ap.add_argument("--onnxi", default=os.path.join(REPO, "build", "onnxi"), help="onnxi binary (default: build/onnxi)")
    ap.add_argument("--python", default=sys.executable,
                    help="Python with numpy and onnxruntime that runs ort_bench.py (default: this interpreter)")
    ap.add_argument("--rounds", type=int, default=5, help="rounds per config (default 5)")
    ap.add_argument("--runs", type=int, default=20, help="timed runs per process (default 20)")
    ap.add_argument("--warmup", type=int, default=5, help="warm-up runs per process (default 5)")
    ap.add_argument("--configs", default="1x1,1x2,8x2", help="BATCHxTHREADS list (default 1x1,1x2,8x2)")
    ap.add_argument("--seed", type=int, default=0, help="input seed (default 0)")
    ap.add_argument("--json", metavar="FILE", help="write every raw per-round number to FILE")
    ap.add_argument("--ort-only", action="store_true", help="run ONNX Runtime only (no onnxi)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds per process before giving up (default 1800)")
    args = ap.parse_args()

    if args.rounds < 1 or args.runs < 1 or args.warmup < 0:
        fail("--rounds and --runs must be >= 1, --warmup >= 0")
    model = os.path.abspath(args.model)
    if not os.path.isfile(model):
        fail(f"model not found: {args.model}")
    configs = parse_configs(args.configs)
    onnxi = None
    if not args.ort_only:
        onnxi = shutil.which(args.onnxi) or (os.path.abspath(args.onnxi) if os.access(args.onnxi, os.X_OK) else None)
        if onnxi is None:
            fail(f"onnxi binary not found: {args.onnxi} (build it, pass --onnxi, or use --ort-only)")
    python = shutil.which(args.python) or (os.path.abspath(args.python) if os.access(args.python, os.X_OK) else None)
    if python is None:
        fail(f"python not found: {args.python}")
    try:  # fail early, before any onnxi run, if the ORT side cannot import its runtime
        p = subprocess.run([python, "-c", "import numpy, onnxruntime"], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as e:
        fail(f"cannot run {python}: {e}")
    if p.returncode != 0:
        err = (p.stderr.strip().splitlines() or ["?"])[-1]
        fail(f"{python} cannot import numpy and onnxruntime ({err}); run with .venv/bin/python or pass --python")
    try:
        in_name, out_name = graph_io_names(model)
    except (OSError, ValueError, IndexError) as e:
        fail(f"cannot read {model} as ONNX: {e}")
    if in_name is None:
        fail(f"{model}: no graph input found")

    machine = machine_info()
    started = datetime.datetime.now().astimezone()
    log(f"# onnxi vs ONNX Runtime: {model}")
    log(f"machine: {machine['cpu']}, {machine['cores']} cores / {machine['cpus']} CPUs; "
        f"date {started.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    log(f"rounds {args.rounds}, warmup {args.warmup}, runs {args.runs}, configs (batch x threads) "
        + ", ".join(f"{b}x{t}" for b, t in configs))
    load1 = machine["load_avg"][0]
    if load1 > 0.5:
        log(f"WARNING: load average is {load1:.2f} before starting: other work on this machine will skew the numbers")

    runtimes = ["ort"] if args.ort_only else ["onnxi", "ort"]
    raw = {}  # "BxT" -> {"rounds": [{"ort": doc, "onnxi": doc, "rel_diff": x, "order": [...]}, ...]}
    versions = {}
    mismatches = []
    tmp = tempfile.mkdtemp(prefix="onnxi_bench_")
    try:
        for ci, (b, t) in enumerate(configs):
            key = f"{b}x{t}"
            x_file = os.path.join(tmp, f"input_b{b}.npy")
            if not os.path.exists(x_file):
                np.save(x_file, make_input(b, args.seed + b))
            raw[key] = {"batch": b, "threads": t, "input": x_file, "rounds": []}
            for r in range(args.rounds):
                order = runtimes if (r + ci) % 2 == 0 else list(reversed(runtimes))
                rec = {"order": order}
                ort_out = os.path.join(tmp, f"ort_{key}_{r}.npy")
                onnxi_dir = os.path.join(tmp, f"onnxi_{key}_{r}")
                common = ["--threads", str(t), "--batch", str(b), "--warmup", str(args.warmup),
                          "--runs", str(args.runs), "--json"]
                for rt in order:
                    if rt == "ort":
                        cmd = [python, ORT_BENCH, model, *common, "--input", x_file, "--output", ort_out]
                        rec["ort"], rec["ort_other_cpu"] = run_json(cmd, "ort_bench", args.timeout)
                    else:
                        # onnxi takes NAME=FILE; ort_bench feeds session.get_inputs()[0] (the same input).
                        cmd = [onnxi, "bench", model, *common, "--input", f"{in_name}={x_file}",
                               "--output-dir", onnxi_dir]
                        rec["onnxi"], rec["onnxi_other_cpu"] = run_json(cmd, "onnxi bench", args.timeout)
                for rt in runtimes:
                    versions[rt] = rec[rt].get("version", "?")
                line = f"  {key} round {r + 1}/{args.rounds}:"
                for rt in runtimes:
                    d = flat(rec[rt])
                    oc = rec[f"{rt}_other_cpu"]
                    line += (f"  {'ORT' if rt == 'ort' else 'onnxi'} median {fmt(d['median'])} ms, "
                             f"create {fmt(d['create_ms'])} ms, rss {fmt(d['peak_rss_mb'])} MB"
                             + ("" if oc is None else f", other load {oc:.2f}") + ";")
                if not args.ort_only:
                    y = os.path.join(onnxi_dir, npy_name(out_name)) if out_name else None
                    if y is None or not os.path.exists(y):
                        found = sorted(f for f in os.listdir(onnxi_dir) if f.endswith(".npy")) if os.path.isdir(onnxi_dir) else []
                        y = os.path.join(onnxi_dir, found[0]) if len(found) == 1 else None
                    if y is None:
                        rec["rel_diff"], note = float("inf"), f"no output file for '{out_name}' in {onnxi_dir}"
                    else:
                        rec["rel_diff"], note = rel_diff(ort_out, y)
                    line += f"  max|diff|/max|ORT| = {rec['rel_diff']:.2e}" + (f" ({note})" if note else "")
                    if not rec["rel_diff"] <= MAX_REL_DIFF:
                        mismatches.append((key, r + 1, rec["rel_diff"], note))
                        line += f"  MISMATCH (> {MAX_REL_DIFF:g})"
                    shutil.rmtree(onnxi_dir, ignore_errors=True)
                if os.path.exists(ort_out):
                    os.remove(ort_out)
                log(line.rstrip(";"))
                raw[key]["rounds"].append(rec)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    # ---- summaries: median over rounds of every metric
    summary = {}
    for key, cfg in raw.items():
        summary[key] = {}
        for rt in runtimes:
            rows = [flat(rec[rt]) for rec in cfg["rounds"]]
            summary[key][rt] = {m: statistics.median(row[m] for row in rows) for m in METRICS}
            meds = [row["median"] for row in rows]
            summary[key][rt]["median_spread_pct"] = 100.0 * (max(meds) - min(meds)) / statistics.median(meds)
        if not args.ort_only:
            summary[key]["max_rel_diff"] = max(rec["rel_diff"] for rec in cfg["rounds"])

    def headline_value(rt, cfg, metric):
        if cfg is None:  # pooled over all processes
            vals = [flat(rec[rt])[metric] for c in raw.values() for rec in c["rounds"]]
            return statistics.median(vals) if vals else None
        key = f"{cfg[0]}x{cfg[1]}"
        return summary[key][rt][metric] if key in summary else None

    log("")
    log(f"ONNX Runtime {versions.get('ort', '?')}" + ("" if args.ort_only else f"; onnxi {versions.get('onnxi', '?')}")
        + f"; medians over {args.rounds} rounds, each the median of {args.runs} runs")
    rows = [["metric", "ORT", "onnxi", "ratio (onnxi/ORT)", "target", "met"]]
    headline = []
    for label, cfg, metric, kind, target in HEADLINE:
        ov = headline_value("ort", cfg, metric)
        nv = None if args.ort_only else headline_value("onnxi", cfg, metric)
        ratio = nv / ov if (ov and nv is not None) else None
        met = None if ratio is None else (ratio <= target if kind == "le" else ratio >= target)
        rows.append([label, fmt(ov), fmt(nv), "-" if ratio is None else f"{ratio:.2f}x",
                     f"{'<=' if kind == 'le' else '>='}{target}x", "-" if met is None else ("met" if met else "not met")])
        headline.append({"metric": label, "config": None if cfg is None else f"{cfg[0]}x{cfg[1]}", "key": metric,
                         "ort": ov, "onnxi": nv, "ratio": ratio, "target": f"{kind} {target}", "met": met})
    log(table(rows))

    log("")
    log("per config (median over rounds; spread = (max-min)/median of the rounds' medians):")
    rows = [["config", "runtime", "create ms", "first ms", "min ms", "median ms", "p90 ms", "p99 ms", "mean ms",
             "images/s", "peak RSS MB", "spread"]]
    for key, s in summary.items():
        for rt in runtimes:
            v = s[rt]
            rows.append([key, "ORT" if rt == "ort" else "onnxi"] + [fmt(v[m]) for m in METRICS]
                        + [f"{v['median_spread_pct']:.1f}%"])
    log(table(rows))
    if not args.ort_only:
        log("output agreement (max over rounds of max|onnxi-ORT| / max|ORT|, limit %g): " % MAX_REL_DIFF
            + ", ".join(f"{k} {s['max_rel_diff']:.2e}" for k, s in summary.items()))

    others = [rec[f"{rt}_other_cpu"] for c in raw.values() for rec in c["rounds"] for rt in runtimes
              if rec.get(f"{rt}_other_cpu") is not None]
    if others:
        med_other, max_other = statistics.median(others), max(others)
        log(f"other load while benchmarking (cores busy with other processes): median {med_other:.2f}, "
            f"max {max_other:.2f}")
        if med_other > 0.2 or max_other > 0.5:
            log("WARNING: the machine was not quiet; treat these numbers as noisy and re-run when it is idle")

    if args.json:
        doc = {"model": model, "machine": machine, "date": started.isoformat(timespec="seconds"),
               "versions": versions, "ort_only": args.ort_only,
               "settings": {"rounds": args.rounds, "runs": args.runs, "warmup": args.warmup, "seed": args.seed,
                            "configs": [f"{b}x{t}" for b, t in configs]},
               "configs": {k: {"batch": c["batch"], "threads": c["threads"], "rounds": c["rounds"]}
                           for k, c in raw.items()},
               "summary": summary, "headline": headline,
               "mismatches": [{"config": k, "round": r, "rel_diff": d, "note": n} for k, r, d, n in mismatches]}
        def clean(x):  # strict JSON: inf/nan (a failed agreement check) become null
            if isinstance(x, float) and not np.isfinite(x):
                return None
            if isinstance(x, dict):
                return {k: clean(v) for k, v in x.items()}
            if isinstance(x, (list, tuple)):
                return [clean(v) for v in x]
            return x

        with open(args.json, "w") as f:
            json.dump(clean(doc), f, indent=1, allow_nan=False)
            f.write("\n")
        log(f"raw numbers written to {args.json}")

    if mismatches:
        log("")
        for k, r, d, n in mismatches:
            log(f"!!! MISMATCH: config {k} round {r}: max|onnxi-ORT|/max|ORT| = {d:.3e} > {MAX_REL_DIFF:g} {n}".rstrip())
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
