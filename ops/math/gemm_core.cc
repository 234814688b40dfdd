#include "ops/math/gemm_core.h"

#include <algorithm>
#include <vector>

#include "ops/common/broadcast.h"
#include "ops/common/wrap_arith.h"

namespace onnxi {

namespace {

constexpr int64_t kRowBlock = 64;   // rows of C per task
constexpr int64_t kColBlock = 256;  // columns of C per task (one row segment stays in L1)
constexpr int64_t kDepthBlock = 128;

// A is [m,k] with row stride lda, or when TransA [k,m] with row stride lda.
template <class T>
struct GemmArgs {
  int64_t m, n, k;
  const T* a;
  int64_t lda;
  const T* b;
  int64_t ldb;
  T* c;
  int64_t ldc;
};

template <class T>
inline void axpy(T* __restrict y, T a, const T* __restrict b, int64_t n) {
  for (int64_t j = 0; j < n; ++j) y[j] = wrap_add(y[j], wrap_mul(a, b[j]));
}

// C tile [i0,i1) x [j0,j1) += A[i-range, :] * B[:, j-range], k in blocks of kDepthBlock,
// four rows of C at a time; the inner loop runs along a row of B and C.
template <bool TransA, class T>
void gemm_tile(const GemmArgs<T>& g, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
  const T* A = g.a;
  const int64_t lda = g.lda, ldb = g.ldb, ldc = g.ldc;
  auto a_at = [&](int64_t i, int64_t k) { return TransA ? A[k * lda + i] : A[i * lda + k]; };
  const int64_t nj = j1 - j0;
  for (int64_t k0 = 0; k0 < g.k; k0 += kDepthBlock) {
    const int64_t k1 = std::min(g.k, k0 + kDepthBlock);
    int64_t i = i0;
    for (; i + 4 <= i1; i += 4) {
      T* __restrict y0 = g.c + i * ldc + j0;
      T* __restrict y1 = y0 + ldc;
      T* __restrict y2 = y1 + ldc;
      T* __restrict y3 = y2 + ldc;
      for (int64_t k = k0; k < k1; ++k) {
        const T a0 = a_at(i, k), a1 = a_at(i + 1, k), a2 = a_at(i + 2, k), a3 = a_at(i + 3, k);
        const T* __restrict b = g.b + k * ldb + j0;
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
      for (int64_t k = k0; k < k1; ++k) axpy(g.c + i * ldc + j0, a_at(i, k), g.b + k * ldb + j0, nj);
  }
}

// Runs the whole product, tiles of kRowBlock x kColBlock spread over `pool`.
template <bool TransA, class T>
void gemm_run(const GemmArgs<T>& g, pthreadpool_t pool) {
  if (g.m <= 0 || g.n <= 0 || g.k <= 0) return;
  const int64_t row_tiles = (g.m + kRowBlock - 1) / kRowBlock;
  const int64_t col_tiles = (g.n + kColBlock - 1) / kColBlock;
  const int64_t cost = std::min(g.m, kRowBlock) * std::min(g.n, kColBlock) * g.k;
  parallel_chunks(pool, row_tiles * col_tiles, cost, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t i0 = (t / col_tiles) * kRowBlock, j0 = (t % col_tiles) * kColBlock;
      gemm_tile<TransA>(g, i0, std::min(g.m, i0 + kRowBlock), j0, std::min(g.n, j0 + kColBlock));
    }
  });
}

}  // namespace

template <class T>
void gemm_accumulate(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
                     int64_t ldc, pthreadpool_t pool) {
  gemm_run<false>(GemmArgs<T>{m, n, k, a, lda, b, ldb, c, ldc}, pool);
}

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
  if (trans_a)
    gemm_run<true>(GemmArgs<T>{M, N, K, A, M, B, N, Y, N}, pool);
  else
    gemm_run<false>(GemmArgs<T>{M, N, K, A, K, B, N, Y, N}, pool);
}

#define ONNXI_GEMM_INSTANTIATE(T)                                                                          \
  template void gemm<T>(bool, bool, int64_t, int64_t, int64_t, const T*, const T*, T*, pthreadpool_t);    \
  template void gemm_accumulate<T>(int64_t, int64_t, int64_t, const T*, int64_t, const T*, int64_t, T*, \
                                   int64_t, pthreadpool_t);
ONNXI_GEMM_INSTANTIATE(float)
ONNXI_GEMM_INSTANTIATE(double)
ONNXI_GEMM_INSTANTIATE(int32_t)
ONNXI_GEMM_INSTANTIATE(int64_t)
ONNXI_GEMM_INSTANTIATE(uint32_t)
ONNXI_GEMM_INSTANTIATE(uint64_t)
#undef ONNXI_GEMM_INSTANTIATE

}  // namespace onnxi
