// The XNNPACK provider's record (ops/xnnpack/provider.cc).
#pragma once
#include "runtime/provider.h"

namespace onnxi {
extern const Provider kXnnpack;
}  // namespace onnxi
