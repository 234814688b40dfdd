#!/usr/bin/env python3
"""Same-run A/B benchmark of two onnxi binaries (e.g. before and after a change).

    python3 bench/ab.py --a OLD/onnxi --b build/onnxi MODEL [MODEL...]
                        [--rounds 5] [--runs 10] [--warmup 3] [--threads 1] [--json FILE]

For each model and each round, `A bench` and `B bench` run as separate processes on the
same seeded input, in alternating order (A first in even rounds, B first in odd ones), so
slow phases of a shared machine hit both alike. Reports, per model, the median over rounds
of each binary's median latency, session creation and peak RSS, and the ratios B/A; then
the geometric mean of the latency ratios. A benchmark, not a test: quote the CPU with it.
Exit status 0, or 2 when a run fails.
"""

import argparse
import json
import math
import platform
import statistics
import subprocess
import sys


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def bench(binary, model, args):
    cmd = [binary, "bench", model, "--json", "--quiet", "--seed", "1", "--threads", str(args.threads),
           "--runs", str(args.runs), "--warmup", str(args.warmup)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.stderr.write(f"error: {' '.join(cmd)}\n{p.stderr}")
        sys.exit(2)
    return json.loads(p.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("models", nargs="+")
    ap.add_argument("--a", required=True, help="the baseline onnxi binary")
    ap.add_argument("--b", required=True, help="the onnxi binary compared with it")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--json", help="also write the results here")
    args = ap.parse_args()

    print(f"CPU: {cpu_model()}; {args.rounds} rounds x {args.runs} runs, {args.threads} thread(s)")
    print(f"A = {args.a}\nB = {args.b}\n")
    print(f"{'model':32} {'A ms':>9} {'B ms':>9} {'B/A':>6} {'A create':>9} {'B create':>9} "
          f"{'A MB':>7} {'B MB':>7}")
    results, ratios = [], []
    for model in args.models:
        got = {"a": [], "b": []}
        for r in range(args.rounds):
            order = ("a", "b") if r % 2 == 0 else ("b", "a")
            for which in order:
                got[which].append(bench(getattr(args, which), model, args))
        row = {"model": model}
        for which in ("a", "b"):
            row[which] = {
                "latency_ms": statistics.median(x["latency_ms"]["median"] for x in got[which]),
                "create_ms": statistics.median(x["create_ms"] for x in got[which]),
                "peak_rss_mb": statistics.median(x["peak_rss_mb"] for x in got[which]),
                "round_medians_ms": [x["latency_ms"]["median"] for x in got[which]],
            }
        row["latency_ratio"] = row["b"]["latency_ms"] / row["a"]["latency_ms"]
        ratios.append(row["latency_ratio"])
        results.append(row)
        name = model if len(model) <= 32 else "..." + model[-29:]
        print(f"{name:32} {row['a']['latency_ms']:9.2f} {row['b']['latency_ms']:9.2f} {row['latency_ratio']:6.3f} "
              f"{row['a']['create_ms']:9.1f} {row['b']['create_ms']:9.1f} {row['a']['peak_rss_mb']:7.1f} "
              f"{row['b']['peak_rss_mb']:7.1f}", flush=True)
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    print(f"\ngeometric mean of B/A latency: {geo:.3f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"cpu": cpu_model(), "a": args.a, "b": args.b, "threads": args.threads, "rounds": args.rounds,
                       "runs": args.runs, "models": results, "geomean_latency_ratio": geo}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
