// XNNPACK's f32 fully connected operator as Gemm and MatMul use it.
#pragma once
#include <pthreadpool.h>

#include <cstdint>

#include "ops/xnnpack/xnn_operator_holder.h"

namespace onnxi {

// Y[batch, n] = A[batch, k] * W (+ bias) through the fully connected operator in `op`,
// which is created on first use (packing W and bias, which must then stay alive and
// unchanged while `op` lives). W is [k, n] row-major, or [n, k] when w_is_nk. bias is n
// floats or null. Errors name `what`.
void run_xnn_fully_connected(XnnOperatorHolder& op, int64_t k, int64_t n, const float* w, bool w_is_nk,
                             const float* bias, int64_t batch, const float* a, float* y, pthreadpool_t pool,
                             const char* what);

}  // namespace onnxi
