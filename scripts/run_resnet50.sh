#!/usr/bin/env bash
# The main job: installs what is missing, builds, exports torchvision's ResNet-50
# (seeded weights, or ONNXI_WEIGHTS=checkpoint.pth) and runs it with onnxi, comparing
# with PyTorch's own output.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${ONNXI_BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
model_dir=$root/models/resnet50
extra=()
[ -n "${ONNXI_WEIGHTS:-}" ] && extra=(--weights "$ONNXI_WEIGHTS")
"$root/models/ensure_model.sh" "$model_dir" resnet50 "${extra[@]}"
"$build/onnxi" run "$model_dir/model.onnx" \
  --input input="$model_dir/test_data_set_0/input_0.pb" \
  --compare output="$model_dir/test_data_set_0/output_0.pb" \
  --runs 10 "$@"
