// Reference matrix multiply shared by Gemm and MatMul: a cache-blocked loop (B panels,
// four rows of A at a time) that the compiler vectorizes along N, threaded over tiles.
#pragma once
#include <pthreadpool.h>

#include <cstdint>

#include "onnxi/tensor.h"
#include "ops/common/dtype_dispatch.h"

namespace onnxi {

// Dtypes gemm is instantiated for (float16/bfloat16 go through float).
inline constexpr DTypeSet kGemmNativeDTypes = dtype_bit(DType::Float) | dtype_bit(DType::Double) |
                                              dtype_bit(DType::Int32) | dtype_bit(DType::Int64) |
                                              dtype_bit(DType::UInt32) | dtype_bit(DType::UInt64);
inline constexpr DTypeSet kGemmDTypes =
    kGemmNativeDTypes | dtype_bit(DType::Float16) | dtype_bit(DType::BFloat16);

// Y[M,N] = op(A) * op(B), overwriting Y. A is [M,K] row-major ([K,M] when trans_a), B is
// [K,N] ([N,K] when trans_b). Integer products wrap on overflow.
template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* Y,
          pthreadpool_t pool);

}  // namespace onnxi
