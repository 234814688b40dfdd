#include "ops/common/dtype_dispatch.h"

namespace onnxi {

std::string dtype_set_names(DTypeSet s) {
  std::string out;
#define ONNXI_X(name, code, str, size)             \
  if (code < 32 && (s & dtype_bit(DType::name))) { \
    if (!out.empty()) out += ", ";                 \
    out += str;                                    \
  }
  ONNXI_DTYPES(ONNXI_X)
#undef ONNXI_X
  return out;
}

}  // namespace onnxi
