#!/usr/bin/env bash
# Installs everything onnxi needs to build, test and export models, on Debian 12:
#  1. Debian packages: the C++ toolchain and libraries, the test data, the tools the tests call;
#  2. the project's virtual environment (.venv/, or $ONNXI_VENV) with the Python tools pinned in
#     requirements.txt (torch/torchvision for exports, onnx, onnxruntime, numpy, pillow), made
#     with Debian's /usr/bin/python3.
# Idempotent: installed packages are skipped, and the venv is rebuilt only when
# requirements.txt changes. scripts/fresh_machine_check.sh proves that this list is complete
# on a brand-new Debian 12 root.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config git
  libprotobuf-dev protobuf-compiler libonnx-dev
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev
  libcli11-dev catch2 ccache
  # oneDNN's CMake config (dnnl-config.cmake) requires OpenCL's headers and loader, which
  # libdnnl-dev only recommends
  libdnnl-dev ocl-icd-opencl-dev
  libjpeg-dev libpng-dev
  # RegexFullMatch (RE2 syntax)
  libre2-dev
  # the ASan+UBSan build and the libFuzzer targets (clang, its sanitizer runtimes, and its
  # OpenMP, which FindOpenMP needs for the oneDNN link)
  clang libclang-rt-14-dev libomp-14-dev llvm
)
TEST_PKGS=(libonnx-testdata graphviz)
PYTHON_PKGS=(python3 python3-venv)

want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${PYTHON_PKGS[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all Debian packages present"
else
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# --- the project's virtual environment ------------------------------------------------------
venv=${ONNXI_VENV:-$root/.venv}
req=$root/requirements.txt
stamp=$venv/.onnxi-requirements
want_stamp=$(sha256sum "$req" | cut -d' ' -f1)
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want_stamp" ]; then
  echo "setup: $venv is up to date"
  exit 0
fi
t0=$(date +%s)
echo "setup: creating the project's virtual environment $venv from requirements.txt"
rm -rf "$venv"
/usr/bin/python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --no-input -r "$req"
echo "$want_stamp" > "$stamp"
echo "setup: $venv ready in $(($(date +%s) - t0)) s"
