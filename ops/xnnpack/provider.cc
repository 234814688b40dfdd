#include "ops/xnnpack/provider.h"

#include "onnxi/error.h"
#include "ops/xnnpack/xnn_util.h"

namespace onnxi {

namespace {
bool xnnpack_available() {
  try {
    ensure_xnnpack_initialized();
    return true;
  } catch (const Error&) {
    return false;
  }
}
}  // namespace

constinit const Provider kXnnpack{"xnnpack", 10, "XNNPACK: float convolutions, pooling, GEMM, elementwise ops",
                                  /*own_threads=*/false, xnnpack_available};
ONNXI_REGISTER_PROVIDER(kXnnpack);

}  // namespace onnxi
