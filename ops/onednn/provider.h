// The oneDNN provider's record (ops/onednn/provider.cc; only in builds with ONNXI_WITH_ONEDNN).
#pragma once
#include "runtime/provider.h"

namespace onnxi {
extern const Provider kOnednn;
}  // namespace onnxi
