// Integer matrix product with zero points, shared by MatMulInteger and QLinearMatMul:
// numpy matmul semantics (broadcast batch dims, 1-D operands promoted), int8/uint8
// operands, int32 accumulation (wrapping on overflow, like the int32 GEMM).
#pragma once
#include <cstdint>
#include <vector>

#include "runtime/kernel.h"

namespace onnxi::quant {

struct IntMatMulDims {
  int64_t m = 1, n = 1, k = 1;
  Shape out;
  // Per output matrix: the matrix index into A and into B (after broadcasting).
  std::vector<int64_t> a_index, b_index;
};

// Throws Error(stage) when the shapes do not multiply.
IntMatMulDims int_matmul_dims(const Shape& a, const Shape& b, Stage stage);

// out[i, m, n] = sum_k (A[m, k] - a_zp[m]) * (B[k, n] - b_zp[n]) for each output matrix i;
// a_zp has 1 or m values, b_zp 1 or n.
void int_matmul(const IntMatMulDims& d, const Tensor& a, const std::vector<int32_t>& a_zp, const Tensor& b,
                const std::vector<int32_t>& b_zp, int32_t* out, pthreadpool_t pool);

}  // namespace onnxi::quant
