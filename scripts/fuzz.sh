#!/usr/bin/env bash
# Runs each libFuzzer target (fuzz/) for SECONDS (default 60) from a seed corpus made of
# the ONNX backend-test models and tensors; crashes are written to $build/fuzz-artifacts/
# and fail the script. Needs a build made with -DONNXI_FUZZ=ON (scripts/test_asan.sh).
#   scripts/fuzz.sh [SECONDS] [TARGET...]        e.g. scripts/fuzz.sh 3600 fuzz_run
# The corpora grow in $build/fuzz-corpus/<target>/ and are reused by later runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXI_BUILD_DIR:-$root/build-asan}
seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_load fuzz_run fuzz_tensor)
data=/usr/share/libonnx-testdata/data
corpus=$build/fuzz-corpus
artifacts=$build/fuzz-artifacts
mkdir -p "$artifacts"
seed() {  # seed TARGET: the target's seed corpus directory, made once
  local dir=$corpus/$1/seed
  if [ ! -d "$dir" ]; then
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    /usr/bin/python3 - "$1" "$data" "$dir.tmp" <<'PY'
import glob, os, sys
target, data, out = sys.argv[1:]
if target in ("fuzz_load", "fuzz_run"):
    # Models up to 64 KiB (most of the node tests; the big pytorch models only slow it down).
    for i, f in enumerate(sorted(glob.glob(data + "/*/*/model.onnx"))):
        if os.path.getsize(f) < 65536:
            with open(f, "rb") as src, open("%s/%05d.onnx" % (out, i), "wb") as dst:
                dst.write(src.read())
else:
    # fuzz_tensor: the first byte picks the parser (1 = TensorProto .pb, 4 = auto, 0 = .npy).
    pbs = [f for f in sorted(glob.glob(data + "/node/*/*/*.pb")) if os.path.getsize(f) < 16384][:3000]
    for i, f in enumerate(pbs):
        body = open(f, "rb").read()
        for sel, ext in ((1, "pb"), (4, "auto")):
            with open("%s/%05d.%s" % (out, i, ext), "wb") as dst:
                dst.write(bytes([sel]) + body)
    header = b"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"
    header += b" " * (63 - (10 + len(header)) % 64) + b"\n"
    npy = b"\x93NUMPY\x01\x00" + len(header).to_bytes(2, "little") + header + bytes(24)
    with open(out + "/npy_2x3", "wb") as dst:
        dst.write(b"\x00" + npy)
PY
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}
failed=0
for t in "${targets[@]}"; do
  bin=$build/fuzz/$t
  [ -x "$bin" ] || { echo "fuzz: $bin missing (configure with -DONNXI_FUZZ=ON)"; exit 1; }
  s=$(seed "$t")
  mkdir -p "$corpus/$t/live"
  log=$build/fuzz-$t.log
  echo "fuzz: $t for ${seconds}s (log $log)"
  # -rss_limit_mb / -malloc_limit_mb: a case that wants more memory is a finding;
  # -timeout: one that runs longer than 10 s is a hang.
  if ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:allocator_may_return_null=1 \
     UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
     "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$artifacts/$t-" "$corpus/$t/live" "$s" >"$log" 2>&1; then
    grep -E "^(stat::number_of_executed_units|#[0-9]+ *DONE)" "$log" | tail -2 || true
  else
    echo "fuzz: $t FAILED; the input is in $artifacts/, the report:"
    grep -E -A30 "ERROR: |runtime error|deadly signal|timeout" "$log" | head -60
    failed=1
  fi
done
exit $failed
