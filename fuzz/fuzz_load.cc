// Fuzz target: a model file's bytes -> the loader, both ways a model gets in:
//  1. load_model_bytes (protobuf parses everything; Graph conversion, every initializer and
//     attribute tensor);
//  2. load_model_file on the same bytes written to a file in an empty directory, which
//     first runs the wire-format scanner (onnx/model_scan.cc) that lifts the initializers'
//     raw_data out before protobuf parses the rest.
// Anything but onnxi::Error is a bug, and so is a disagreement: both paths must accept the
// same files and give the same initializers (a differential check of the scanner).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>

#include "onnx/loader.h"
#include "onnxi/limits.h"

namespace {

// A directory of its own holding only model.onnx (external data can name nothing else).
const std::string& scratch_dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/onnxi-fuzz-load-XXXXXX";
    if (!mkdtemp(tmpl)) std::abort();
    return std::string(tmpl);
  }();
  return dir;
}

std::string scratch_file() { return scratch_dir() + "/model.onnx"; }

// What is compared between the two paths: the initializers, names and bytes.
std::optional<std::string> summary(const onnxi::LoadOptions& options, const uint8_t* data, size_t size,
                                   bool from_file) {
  try {
    onnxi::Model m = from_file ? onnxi::load_model_file(scratch_file(), options)
                               : onnxi::load_model_bytes(data, size, "<fuzz>", scratch_dir(), options);
    std::string s = std::to_string(m.graph->nodes.size()) + " nodes;";
    for (const auto& [name, t] : m.graph->initializers) {
      s += name + ":" + std::to_string(static_cast<int>(t.dtype())) + ":" + std::to_string(t.numel()) + ":";
      if (t.is_tensor() && t.dtype() != onnxi::DType::String && t.nbytes() > 0)
        s.append(static_cast<const char*>(t.raw_data()), t.nbytes());
      s += ";";
    }
    return s;
  } catch (const onnxi::Error&) {
    return std::nullopt;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  onnxi::set_max_tensor_bytes(size_t(64) << 20);
  onnxi::LoadOptions options;
  options.max_tensor_bytes = int64_t(64) << 20;  // keep one case well inside libFuzzer's RSS limit
  // Both paths resolve external data in the scratch directory (never the fuzzer's cwd).
  if (size == 0) return 0;  // an empty file is refused before any parsing
  FILE* f = std::fopen(scratch_file().c_str(), "wb");
  if (!f || std::fwrite(data, 1, size, f) != size || std::fclose(f) != 0) std::abort();
  std::optional<std::string> from_bytes = summary(options, data, size, false);
  std::optional<std::string> from_file = summary(options, data, size, true);
  if (from_bytes.has_value() != from_file.has_value() || (from_bytes && *from_bytes != *from_file)) {
    std::fprintf(stderr, "fuzz_load: load_model_bytes %s but load_model_file %s\n",
                 from_bytes ? "loaded" : "failed", from_file ? "loaded" : "failed");
    std::abort();
  }
  return 0;
}
