// A cache-blocked GEMM for the reference kernels (Conv and NhwcConv run whole models
// through it in tests, so it has to be reasonably fast, but stays plain portable C++).
#pragma once
#include <cstdint>

typedef struct pthreadpool* pthreadpool_t;

namespace onnxi::nn {

// C[m x n] += A[m x k] * B[k x n]; all matrices row-major with the given leading
// dimensions (elements between consecutive rows). Tiles of C are spread over `pool`
// when it is non-null. Instantiated for float and double.
template <class T>
void gemm_accumulate(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
                     int64_t ldc, pthreadpool_t pool);

}  // namespace onnxi::nn
