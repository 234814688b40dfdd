#include "ops/xnnpack/fully_connected.h"

#include <limits>

#include "ops/xnnpack/xnn_util.h"

namespace onnxi {

void run_xnn_fully_connected(XnnOperatorHolder& op, int64_t k, int64_t n, const float* w, bool w_is_nk,
                             const float* bias, int64_t batch, const float* a, float* y, pthreadpool_t pool,
                             const char* what) {
  if (!op)
    check_xnn(xnn_create_fully_connected_nc_f32(static_cast<size_t>(k), static_cast<size_t>(n),
                                                static_cast<size_t>(k), static_cast<size_t>(n), w, bias,
                                                -std::numeric_limits<float>::infinity(),
                                                std::numeric_limits<float>::infinity(),
                                                w_is_nk ? 0 : XNN_FLAG_TRANSPOSE_WEIGHTS, op.out()),
              what);
  check_xnn(xnn_setup_fully_connected_nc_f32(op.get(), static_cast<size_t>(batch), a, y, pool), what);
  check_xnn(xnn_run_operator(op.get(), pool), what);
}

}  // namespace onnxi
