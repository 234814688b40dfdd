// Fuzz target: a model file's bytes -> load_model_bytes (protobuf parse, Graph
// conversion, every initializer and attribute tensor). Anything but onnxi::Error is a bug.
#include <cstddef>
#include <cstdint>

#include "onnx/loader.h"
#include "onnxi/limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  onnxi::set_max_tensor_bytes(size_t(64) << 20);
  onnxi::LoadOptions options;
  options.max_tensor_bytes = int64_t(64) << 20;  // keep one case well inside libFuzzer's RSS limit
  try {
    // No base directory: external data must be refused, never read from the fuzzer's cwd.
    onnxi::Model m = onnxi::load_model_bytes(data, size, "<fuzz>", "", options);
    (void)m;
  } catch (const onnxi::Error&) {
  }
  return 0;
}
