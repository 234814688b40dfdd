// Fuzz target: tensor files. The first byte picks the parser (.npy, or .pb read as a
// TensorProto / SequenceProto / OptionalProto / MapProto / auto); the rest is the file's bytes.
#include <cstddef>
#include <cstdint>

#include "onnxi/io.h"
#include "onnxi/limits.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  onnxi::set_max_tensor_bytes(size_t(64) << 20);
  const uint8_t* body = data + 1;
  size_t n = size - 1;
  try {
    switch (data[0] % 6) {
      case 0: onnxi::parse_npy(body, n, "<fuzz>"); break;
      case 1: onnxi::parse_tensor_pb(body, n, nullptr, "<fuzz>", onnxi::PbKind::Tensor); break;
      case 2: onnxi::parse_tensor_pb(body, n, nullptr, "<fuzz>", onnxi::PbKind::Sequence); break;
      case 3: onnxi::parse_tensor_pb(body, n, nullptr, "<fuzz>", onnxi::PbKind::Optional); break;
      case 4: onnxi::parse_tensor_pb(body, n, nullptr, "<fuzz>", onnxi::PbKind::Map); break;
      default: onnxi::parse_tensor_pb(body, n, nullptr, "<fuzz>", onnxi::PbKind::Auto); break;
    }
  } catch (const onnxi::Error&) {
  }
  return 0;
}
