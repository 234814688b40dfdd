// The reference kernels' one matrix multiply, used by Gemm, MatMul, the RNNs, the integer
// Conv/MatMul (gemm) and by Conv, NhwcConv and ConvTranspose (gemm_accumulate): a
// cache-blocked loop (panels of k, four rows of C at a time) that the compiler vectorizes
// along N, threaded over tiles of C. Each element of C is summed in k order, so results
// do not depend on the tiling or the thread count.
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
// [K,N] ([N,K] when trans_b). Integer products wrap on overflow. Instantiated for the
// kGemmNativeDTypes.
template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* Y,
          pthreadpool_t pool);

// C[m x n] += A[m x k] * B[k x n]; all matrices row-major with the given leading
// dimensions (elements between consecutive rows). Tiles of C are spread over `pool`
// when it is non-null. Instantiated for the kGemmNativeDTypes.
template <class T>
void gemm_accumulate(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
                     int64_t ldc, pthreadpool_t pool);

}  // namespace onnxi
