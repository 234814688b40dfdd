#include "onnxi/dtype.h"

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

size_t dtype_size(DType t) {
  switch (t) {
#define ONNXI_X(name, code, str, size) \
  case DType::name:                    \
    return size;
    ONNXI_DTYPES(ONNXI_X)
#undef ONNXI_X
  }
  return 0;
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
