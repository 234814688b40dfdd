#include "ops/nn/gemm.h"

#include <pthreadpool.h>

#include <algorithm>

namespace onnxi::nn {

namespace {

// Register block: kRows rows of C by kCols<T> columns are kept in local accumulators
// while a panel of k runs by; the fixed sizes let the compiler keep them in vector
// registers. kDepth bounds the panel of B touched per pass so it stays in L2.
constexpr int64_t kRows = 4;
template <class T>
constexpr int64_t kCols = 32 / sizeof(T) * 2;  // 16 floats or 8 doubles
constexpr int64_t kDepth = 256;
constexpr int64_t kTileRows = 64;
template <class T>
constexpr int64_t kTileCols = 1024 / sizeof(T);

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

// Full kRows x kCols block.
template <class T>
inline void block_full(int64_t depth, const T* a, int64_t lda, const T* b, int64_t ldb, T* c, int64_t ldc) {
  constexpr int64_t NC = kCols<T>;
  T acc[kRows][NC];
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t j = 0; j < NC; ++j) acc[r][j] = c[r * ldc + j];
  for (int64_t p = 0; p < depth; ++p) {
    const T* brow = b + p * ldb;
    T bv[NC];
    for (int64_t j = 0; j < NC; ++j) bv[j] = brow[j];
    for (int64_t r = 0; r < kRows; ++r) {
      const T av = a[r * lda + p];
      for (int64_t j = 0; j < NC; ++j) acc[r][j] += av * bv[j];
    }
  }
  for (int64_t r = 0; r < kRows; ++r)
    for (int64_t j = 0; j < NC; ++j) c[r * ldc + j] = acc[r][j];
}

// Edge block: rows < kRows and/or cols < kCols.
template <class T>
inline void block_edge(int64_t rows, int64_t cols, int64_t depth, const T* a, int64_t lda, const T* b,
                       int64_t ldb, T* c, int64_t ldc) {
  for (int64_t r = 0; r < rows; ++r) {
    T* crow = c + r * ldc;
    const T* arow = a + r * lda;
    for (int64_t p = 0; p < depth; ++p) {
      const T av = arow[p];
      const T* brow = b + p * ldb;
      for (int64_t j = 0; j < cols; ++j) crow[j] += av * brow[j];
    }
  }
}

template <class T>
void gemm_tile(const GemmArgs<T>& g, int64_t i0, int64_t j0, int64_t rows, int64_t cols) {
  constexpr int64_t NC = kCols<T>;
  for (int64_t p0 = 0; p0 < g.k; p0 += kDepth) {
    const int64_t depth = std::min(kDepth, g.k - p0);
    for (int64_t i = i0; i < i0 + rows; i += kRows) {
      const int64_t r = std::min(kRows, i0 + rows - i);
      const T* a = g.a + i * g.lda + p0;
      for (int64_t j = j0; j < j0 + cols; j += NC) {
        const int64_t w = std::min(NC, j0 + cols - j);
        const T* b = g.b + p0 * g.ldb + j;
        T* c = g.c + i * g.ldc + j;
        if (r == kRows && w == NC)
          block_full(depth, a, g.lda, b, g.ldb, c, g.ldc);
        else
          block_edge(r, w, depth, a, g.lda, b, g.ldb, c, g.ldc);
      }
    }
  }
}

template <class T>
void gemm_task(void* ctx, size_t i, size_t j, size_t ti, size_t tj) {
  gemm_tile(*static_cast<const GemmArgs<T>*>(ctx), static_cast<int64_t>(i), static_cast<int64_t>(j),
            static_cast<int64_t>(ti), static_cast<int64_t>(tj));
}

}  // namespace

template <class T>
void gemm_accumulate(int64_t m, int64_t n, int64_t k, const T* a, int64_t lda, const T* b, int64_t ldb, T* c,
                     int64_t ldc, pthreadpool_t pool) {
  if (m <= 0 || n <= 0 || k <= 0) return;
  GemmArgs<T> args{m, n, k, a, lda, b, ldb, c, ldc};
  if (!pool || pthreadpool_get_threads_count(pool) <= 1) {
    gemm_tile(args, 0, 0, m, n);
    return;
  }
  // Narrow column tiles when the matrix is short, so every thread gets work.
  int64_t tile_cols = kTileCols<T>;
  if (m <= kTileRows)
    tile_cols =
        std::max<int64_t>(kCols<T>, std::min(tile_cols, (n / 8 + kCols<T> - 1) / kCols<T> * kCols<T>));
  pthreadpool_parallelize_2d_tile_2d(pool, &gemm_task<T>, &args, static_cast<size_t>(m),
                                     static_cast<size_t>(n), static_cast<size_t>(kTileRows),
                                     static_cast<size_t>(tile_cols), 0);
}

template void gemm_accumulate<float>(int64_t, int64_t, int64_t, const float*, int64_t, const float*, int64_t,
                                     float*, int64_t, pthreadpool_t);
template void gemm_accumulate<double>(int64_t, int64_t, int64_t, const double*, int64_t, const double*,
                                      int64_t, double*, int64_t, pthreadpool_t);

}  // namespace onnxi::nn
