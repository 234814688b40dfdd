#!/usr/bin/env bash
# Installs every Debian 12 package onnxi needs to build, test and export models.
# Idempotent: packages already present are skipped by apt; safe to run repeatedly.
set -euo pipefail

BUILD_PKGS=(
  build-essential cmake ninja-build pkg-config
  libprotobuf-dev protobuf-compiler libonnx-dev
  libxnnpack-dev libpthreadpool-dev libcpuinfo-dev
  libcli11-dev catch2 ccache libdnnl-dev
  libjpeg-dev libpng-dev
  clang libclang-rt-14-dev llvm
)
TEST_PKGS=(libonnx-testdata python3-pil graphviz)
EXPORT_PKGS=(python3-torch python3-torchvision python3-onnx python3-numpy)

want=("${BUILD_PKGS[@]}" "${TEST_PKGS[@]}" "${EXPORT_PKGS[@]}")
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
