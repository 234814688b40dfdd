#!/usr/bin/env bash
# onnxi profile / info --graph --dot / check / bench --json / test --json: every --json
# is one JSON document on stdout (parsed and checked here), the trace and DOT files are
# well formed, and check lists every unsupported operator of a model in one pass.
set -eu
onnxi=$1
model=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
py=${ONNXI_PYTHON:-$src/.venv/bin/python}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# profile: human table, then --json with --trace.
"$onnxi" profile "$model" --runs 2 --top 5 >"$tmp/profile.txt"
cat "$tmp/profile.txt"
grep -q "^#  *node  *op  *provider  *output shape  *median ms  *share  *GFLOP/s" "$tmp/profile.txt"
grep -q "^memory   arena" "$tmp/profile.txt"
grep -q "^layout   [0-9]* transposes inserted, [0-9]* removed" "$tmp/profile.txt"
"$onnxi" profile "$model" --runs 3 --json --trace "$tmp/trace.json" >"$tmp/profile.json" 2>"$tmp/profile.err"
[ ! -s "$tmp/profile.err" ] || { echo "profile --json wrote to stderr:"; cat "$tmp/profile.err"; exit 1; }
"$onnxi" info "$model" --json --graph >"$tmp/info.json"
"$onnxi" info "$model" --graph --dot "$tmp/g.dot" >"$tmp/info.txt"
$py - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
p = json.load(open(d + "/profile.json"))
assert p["format"] == "onnxi-profile" and p["version"] == 1, p.keys()
nodes = p["nodes"]
assert len(nodes) > 50, len(nodes)
assert all(n["provider"] for n in nodes), "a node without provider"
assert all(len(n["times_ms"]) == 3 and n["median_ms"] >= 0 for n in nodes)
assert abs(sum(n["share"] for n in nodes) - 1) < 1e-3
convs = [n for n in nodes if n["op_type"] in ("Conv", "NhwcConv") or n["op_type"].endswith("Conv")]
assert len(convs) == 53, [n["op_type"] for n in nodes][:10]
assert all(n["flops"] > 0 and (n["gflops_per_s"] is None or n["gflops_per_s"] > 0) for n in convs)
gemm = [n for n in nodes if n["op_type"] in ("Gemm", "MatMul")]
assert len(gemm) == 1 and gemm[0]["flops"] == 2 * 2048 * 1000, gemm
assert abs(p["total_gflop"] - sum(n["flops"] for n in nodes) / 1e9) < 1e-3 * p["total_gflop"]
assert sum(o["count"] for o in p["op_types"]) == len(nodes)
# weights_bytes counts constants the session still holds; packed kernels release theirs.
assert p["memory"]["arena_bytes"] > 0 and p["memory"]["weights_bytes"] >= 0, p["memory"]
lay = p["layout"]
assert lay["transposes_inserted"] >= lay["transposes_removed"] >= 0
assert nodes[-1]["output_shape"] == [1, 1000], nodes[-1]
t = json.load(open(d + "/trace.json"))
ev = [e for e in t["traceEvents"] if e.get("ph") == "X" and e.get("cat") != "run"]
assert len(ev) == 3 * len(nodes), (len(ev), len(nodes))
assert all(e["dur"] >= 0 and e["ts"] >= 0 and "provider" in e["args"] for e in ev)
i = json.load(open(d + "/info.json"))
assert i["format"] == "onnxi-info" and i["version"] == 1
assert i["op_histogram"]["Conv"] == 53 and i["unsupported"] == []
assert i["inputs"][0]["name"] == "input" and i["inputs"][0]["shape"][1:] == [3, 224, 224], i["inputs"]
assert [n["name"] for n in i["graph"]] == [n["name"] for n in nodes]
dot = open(d + "/g.dot").read()
assert dot.startswith("digraph") and dot.count("->") >= len(nodes), dot[:200]
print(f"profile: {len(nodes)} nodes, {p['total_ms']:.1f} ms; info graph and dot consistent")
PY
grep -q "^graph (as run, [0-9]* nodes):" "$tmp/info.txt"
if command -v dot >/dev/null; then
  dot -Tsvg "$tmp/g.dot" -o "$tmp/g.svg"
  grep -q "<svg" "$tmp/g.svg"
  echo "dot rendered $(wc -c <"$tmp/g.svg") bytes of SVG"
else
  echo "graphviz not installed: SVG rendering not checked"
fi

# check: a supported model, and one with several unsupported ops, all listed at once.
"$onnxi" check "$model"
$py - "$tmp/unsup.onnx" <<'PY'
import sys, onnx
from onnx import TensorProto, helper
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [2])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [2])
nodes = [helper.make_node("Relu", ["x"], ["a"]),
         helper.make_node("Frobnicate", ["a"], ["b"], domain="com.example"),
         helper.make_node("NoSuchOp", ["b"], ["c"]),
         helper.make_node("NoSuchOp", ["c"], ["y"])]
g = helper.make_graph(nodes, "unsup", [x], [y])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13), helper.make_opsetid("com.example", 1)])
onnx.save(m, sys.argv[1])
PY
rc=0; "$onnxi" check "$tmp/unsup.onnx" >"$tmp/check.txt" || rc=$?
cat "$tmp/check.txt"
[ "$rc" -eq 1 ] || { echo "check exit $rc on unsupported model"; exit 1; }
grep -q "2 unsupported" "$tmp/check.txt"
grep -q "com.example::Frobnicate at opset 1 (onnxi does not implement it)" "$tmp/check.txt"
grep -q "ai.onnx::NoSuchOp at opset 13 (onnxi does not implement it)" "$tmp/check.txt"
# A known op on a dtype no kernel takes: reported with the input type.
$py - "$tmp/sin_i64.onnx" <<'PY'
import sys, onnx
from onnx import TensorProto, helper
x = helper.make_tensor_value_info("x", TensorProto.INT64, [2])
y = helper.make_tensor_value_info("y", TensorProto.INT64, [2])
g = helper.make_graph([helper.make_node("Sin", ["x"], ["y"], name="sine")], "t", [x], [y])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])
PY
rc=0; "$onnxi" check "$tmp/sin_i64.onnx" >"$tmp/check2.txt" || rc=$?
cat "$tmp/check2.txt"
[ "$rc" -eq 1 ] || { echo "check exit $rc on int64 Sin"; exit 1; }
grep -q "ai.onnx::Sin at opset 13: .*int64.*\[node sine\]" "$tmp/check2.txt"

# bench --json and test --json: one document each on stdout.
"$onnxi" bench "$model" --runs 2 --warmup 0 --json >"$tmp/bench.json"
relu=/usr/share/libonnx-testdata/data/node/test_relu
"$onnxi" test "$relu" /usr/share/libonnx-testdata/data/node/test_sigmoid --json >"$tmp/test.json"
$py - "$tmp" <<'PY'
import json, sys
d = sys.argv[1]
b = json.load(open(d + "/bench.json"))
assert b["runs"] == 2 and b["latency_ms"]["median"] > 0 and b["batch"] == 1, b
t = json.load(open(d + "/test.json"))
assert t["format"] == "onnxi-test" and t["summary"] == {"PASS": 2}, t["summary"]
assert sorted(x["name"] for x in t["tests"]) == ["node/test_relu", "node/test_sigmoid"]
print("bench and test json ok")
PY
echo "profile/info/check cli checks passed"
