// Tensor files by extension. The .pb reader lives in onnx/ (it needs protobuf); this file
// only dispatches, so runtime/ stays free of protobuf headers.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "onnxi/io.h"

namespace onnxi {

Tensor read_tensor_file(const std::string& path, std::string* name) {
  std::string ext = std::filesystem::path(path).extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == ".pb") return read_tensor_pb(path, name);
  if (ext == ".npy") {
    Tensor t = read_npy(path);
    if (name) name->clear();
    return t;
  }
  ErrorContext ctx;
  ctx.file = path;
  throw Error(
      Stage::Io,
      "unknown tensor file type '" + ext + "' (expected .pb for an ONNX TensorProto or .npy for NumPy)", ctx);
}

}  // namespace onnxi
