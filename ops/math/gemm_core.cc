#include "ops/math/gemm_core.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "ops/common/broadcast.h"
#include "ops/common/wrap_arith.h"

namespace onnxi {

namespace {

constexpr int64_t kRowBlock = 64;   // rows of Y per task
constexpr int64_t kColBlock = 256;  // columns of Y per task (one row segment stays in L1)
constexpr int64_t kDepthBlock = 128;

template <class T>
inline void axpy(T* __restrict y, T a, const T* __restrict b, int64_t n) {
  for (int64_t j = 0; j < n; ++j) y[j] = wrap_add(y[j], wrap_mul(a, b[j]));
}

// Y tile [i0,i1) x [j0,j1) += A[:, k-range] * B[k-range, :], with B row-major [K,N].
template <class T>
void gemm_tile(bool trans_a, int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* Y, int64_t i0,
               int64_t i1, int64_t j0, int64_t j1) {
  auto a_at = [&](int64_t i, int64_t k) { return trans_a ? A[k * M + i] : A[i * K + k]; };
  const int64_t nj = j1 - j0;
  for (int64_t k0 = 0; k0 < K; k0 += kDepthBlock) {
    const int64_t k1 = std::min(K, k0 + kDepthBlock);
    int64_t i = i0;
    for (; i + 4 <= i1; i += 4) {
      T* __restrict y0 = Y + i * N + j0;
      T* __restrict y1 = y0 + N;
      T* __restrict y2 = y1 + N;
      T* __restrict y3 = y2 + N;
      for (int64_t k = k0; k < k1; ++k) {
        const T a0 = a_at(i, k), a1 = a_at(i + 1, k), a2 = a_at(i + 2, k), a3 = a_at(i + 3, k);
        const T* __restrict b = B + k * N + j0;
        for (int64_t j = 0; j < nj; ++j) {
          const T bj = b[j];
          y0[j] = wrap_add(y0[j], wrap_mul(a0, bj));
          y1[j] = wrap_add(y1[j], wrap_mul(a1, bj));
          y2[j] = wrap_add(y2[j], wrap_mul(a2, bj));
          y3[j] = wrap_add(y3[j], wrap_mul(a3, bj));
        }
      }
    }
    for (; i < i1; ++i)
      for (int64_t k = k0; k < k1; ++k) axpy(Y + i * N + j0, a_at(i, k), B + k * N + j0, nj);
  }
}

}  // namespace

template <class T>
void gemm(bool trans_a, bool trans_b, int64_t M, int64_t N, int64_t K, const T* A, const T* B, T* Y,
          pthreadpool_t pool) {
  if (M == 0 || N == 0) return;
  std::fill(Y, Y + M * N, T(0));
  if (K == 0) return;
  std::vector<T> bt;
  if (trans_b) {  // B is [N,K]: lay it out as [K,N] so the inner loop runs along N.
    bt.resize(static_cast<size_t>(K * N));
    for (int64_t n0 = 0; n0 < N; n0 += 32)
      for (int64_t k0 = 0; k0 < K; k0 += 32)
        for (int64_t n = n0; n < std::min(N, n0 + 32); ++n)
          for (int64_t k = k0; k < std::min(K, k0 + 32); ++k) bt[k * N + n] = B[n * K + k];
    B = bt.data();
  }
  const int64_t row_tiles = (M + kRowBlock - 1) / kRowBlock;
  const int64_t col_tiles = (N + kColBlock - 1) / kColBlock;
  const int64_t cost = std::min(M, kRowBlock) * std::min(N, kColBlock) * K;
  parallel_chunks(pool, row_tiles * col_tiles, cost, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t i0 = (t / col_tiles) * kRowBlock, j0 = (t % col_tiles) * kColBlock;
      gemm_tile(trans_a, M, N, K, A, B, Y, i0, std::min(M, i0 + kRowBlock), j0, std::min(N, j0 + kColBlock));
    }
  });
}

template void gemm<float>(bool, bool, int64_t, int64_t, int64_t, const float*, const float*, float*,
                          pthreadpool_t);
template void gemm<double>(bool, bool, int64_t, int64_t, int64_t, const double*, const double*, double*,
                           pthreadpool_t);
template void gemm<int32_t>(bool, bool, int64_t, int64_t, int64_t, const int32_t*, const int32_t*, int32_t*,
                            pthreadpool_t);
template void gemm<int64_t>(bool, bool, int64_t, int64_t, int64_t, const int64_t*, const int64_t*, int64_t*,
                            pthreadpool_t);
template void gemm<uint32_t>(bool, bool, int64_t, int64_t, int64_t, const uint32_t*, const uint32_t*,
                             uint32_t*, pthreadpool_t);
template void gemm<uint64_t>(bool, bool, int64_t, int64_t, int64_t, const uint64_t*, const uint64_t*,
                             uint64_t*, pthreadpool_t);

}  // namespace onnxi
