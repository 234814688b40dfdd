#include "ops/nn/layout.h"

#include <pthreadpool.h>

#include <algorithm>

namespace onnxi::nn {

namespace {

// A batch of [rows x cols] matrices transposed in square tiles so that both the reads
// and the writes stay within a few cache lines.
struct TransposeArgs {
  const float* src;
  float* dst;
  int64_t rows, cols;  // of each source matrix
};

constexpr int64_t kTile = 32;

void transpose_tile(const TransposeArgs& a, int64_t matrix, int64_t r0, int64_t c0) {
  const int64_t r1 = std::min(a.rows, r0 + kTile), c1 = std::min(a.cols, c0 + kTile);
  const float* s = a.src + matrix * a.rows * a.cols;
  float* d = a.dst + matrix * a.rows * a.cols;
  for (int64_t r = r0; r < r1; ++r)
    for (int64_t c = c0; c < c1; ++c) d[c * a.rows + r] = s[r * a.cols + c];
}

void transpose_task(void* ctx, size_t matrix, size_t tile) {
  const auto& a = *static_cast<const TransposeArgs*>(ctx);
  const int64_t col_tiles = (a.cols + kTile - 1) / kTile;
  const int64_t t = static_cast<int64_t>(tile);
  transpose_tile(a, static_cast<int64_t>(matrix), (t / col_tiles) * kTile, (t % col_tiles) * kTile);
}

void batched_transpose(const float* src, float* dst, int64_t batch, int64_t rows, int64_t cols,
                       pthreadpool_t pool) {
  if (batch <= 0 || rows <= 0 || cols <= 0) return;
  TransposeArgs args{src, dst, rows, cols};
  const int64_t tiles = ((rows + kTile - 1) / kTile) * ((cols + kTile - 1) / kTile);
  pthreadpool_parallelize_2d(pool, &transpose_task, &args, static_cast<size_t>(batch),
                             static_cast<size_t>(tiles), 0);
}

}  // namespace

void nchw_to_nhwc(const float* src, float* dst, int64_t batch, int64_t channels, int64_t pixels,
                  pthreadpool_t pool) {
  batched_transpose(src, dst, batch, channels, pixels, pool);
}

void nhwc_to_nchw(const float* src, float* dst, int64_t batch, int64_t channels, int64_t pixels,
                  pthreadpool_t pool) {
  batched_transpose(src, dst, batch, pixels, channels, pool);
}

}  // namespace onnxi::nn
