#!/usr/bin/env python3
"""Markdown table for the README's "Model zoo" section.

    report.py ONNXI ZOO_DIR [MODEL ...] [--runs N] [--threads T]

For every ZOO_DIR/<model>/opset<N>/ (models/export.py --opset 13,17 layout): the ops in
the graph (export-info.json), the check of tests/zoo/check_model.py (max relative error
vs PyTorch over batch 1 and 2, pass/fail incl. the batch-2 vs 2x batch-1 check) and
`onnxi bench` median batch-1 latency on PyTorch's test input.
"""

import json
import os
import re
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))


def main():
    args = sys.argv[1:]
    runs, threads = "10", "1"
    if "--runs" in args:
        k = args.index("--runs"); runs = args[k + 1]; del args[k:k + 2]
    if "--threads" in args:
        k = args.index("--threads"); threads = args[k + 1]; del args[k:k + 2]
    onnxi, zoo = args[0], args[1]
    models = args[2:] or sorted(os.listdir(zoo))
    print("| model | opset | ops used | max rel. error vs PyTorch | latency batch 1 (median, %s thread%s) | result |"
          % (threads, "" if threads == "1" else "s"))
    print("|---|---|---|---|---|---|")
    for m in models:
        opdirs = sorted(d for d in os.listdir(os.path.join(zoo, m)) if d.startswith("opset"))
        for od in opdirs:
            d = os.path.join(zoo, m, od)
            info = json.load(open(os.path.join(d, "export-info.json")))
            ops = " ".join(sorted(info["ops"]))
            detection = os.path.exists(os.path.join(d, "test_data_set_0", "output_1.pb"))
            mode = "--detection" if detection else "--batch-consistency"
            p = subprocess.run([sys.executable, os.path.join(here, "check_model.py"), onnxi, d, mode],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            rels = [float(v) for v in re.findall(r"vs pytorch: max rel (\S+)", p.stdout)]
            ok = p.returncode == 0
            rel = "%.1e" % max(rels) if rels else "—"
            lat = "—"
            if ok:
                b = subprocess.run([onnxi, "bench", os.path.join(d, "model.onnx"), "--json", "--threads", threads,
                                    "--runs", runs, "--warmup", "2",
                                    "--input", "input=" + os.path.join(d, "test_data_set_0", "input_0.pb")],
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                if b.returncode == 0:
                    lat = "%.1f ms" % json.loads(b.stdout)["latency_ms"]["median"]
            why = [l for l in p.stdout.splitlines() if "FAIL" in l or "ERROR" in l]
            result = "pass" if ok else "FAIL (%s)" % (why[0][:160] if why else "see check_model.py")
            print("| %s | %s | %s | %s | %s | %s |" % (m, info["opset"], ops, rel, lat, result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
