#include "onnxi/dtype.h"

#include <cstdint>

namespace onnxi {

std::string_view dtype_name(DType t) {
  switch (t) {
#define ONNXI_X(name, code, str, size) \
  case DType::name:                    \
    return str;
    ONNXI_DTYPES(ONNXI_X)
#undef ONNXI_X
  }
  return "unknown";
}

size_t dtype_bits(DType t) {
  switch (t) {
#define ONNXI_X(name, code, str, bits) \
  case DType::name:                    \
    return bits;
    ONNXI_DTYPES(ONNXI_X)
#undef ONNXI_X
  }
  return 0;
}

size_t dtype_size(DType t) {
  size_t bits = dtype_bits(t);
  return bits % 8 == 0 ? bits / 8 : 0;
}

size_t dtype_nbytes(DType t, int64_t numel) {
  if (numel <= 0) return 0;
  const size_t n = static_cast<size_t>(numel), bits = dtype_bits(t);
  if (bits == 0) return 0;
  if (bits < 8) {
    const size_t per_byte = 8 / bits;
    return n / per_byte + (n % per_byte != 0);
  }
  const size_t es = bits / 8;
  return n > SIZE_MAX / es ? SIZE_MAX : n * es;
}

std::optional<DType> dtype_from_onnx(int32_t code) {
  switch (code) {
#define ONNXI_X(name, c, str, size) \
  case c:                           \
    return DType::name;
    ONNXI_DTYPES(ONNXI_X)
#undef ONNXI_X
  }
  return std::nullopt;
}

std::optional<DType> dtype_from_name(std::string_view n) {
#define ONNXI_X(name, code, str, size) \
  if (n == str || n == #name) return DType::name;
  ONNXI_DTYPES(ONNXI_X)
#undef ONNXI_X
  if (n == "float") return DType::Float;
  if (n == "double") return DType::Double;
  return std::nullopt;
}

}  // namespace onnxi
