// Iterating an output with two inputs numpy-broadcast to it. The plan drops size-1 dims
// and merges dims that are contiguous in every operand, so the common cases become a
// single flat loop (same shape), a loop with one operand fixed (scalar, per-channel
// [C,1,1] against [N,C,H,W]), or a short odometer over rows.
#pragma once
#include <pthreadpool.h>

#include <algorithm>
#include <cstdint>
#include <vector>

#include "onnxi/tensor.h"

namespace onnxi {

struct BroadcastPlan {
  std::vector<int64_t> dims;                // collapsed output dims (at least one when numel > 0)
  std::vector<int64_t> stride_a, stride_b;  // element strides per collapsed dim; 0 = broadcast
  int64_t numel = 0;
};

// Plans iterating `out` with `a` and `b` broadcast to it. Throws Error when either cannot be
// broadcast to `out`.
BroadcastPlan plan_broadcast(const Shape& a, const Shape& b, const Shape& out);

// Calls row(offset_a, offset_b, offset_out, n, stride_a, stride_b) for output rows
// [row_begin, row_end) of the plan, where each row is the innermost collapsed dim and the
// inner strides are 0 or 1.
template <class F>
void for_broadcast_rows(const BroadcastPlan& p, int64_t row_begin, int64_t row_end, F&& row) {
  const size_t r = p.dims.size();
  const int64_t n = p.dims[r - 1];
  const int64_t sa = p.stride_a[r - 1], sb = p.stride_b[r - 1];
  // Odometer over the outer dims, started at row_begin.
  int64_t idx_buf[16];
  std::vector<int64_t> idx_vec;
  int64_t* idx = idx_buf;
  if (r > 16) {
    idx_vec.resize(r);
    idx = idx_vec.data();
  }
  int64_t oa = 0, ob = 0, rem = row_begin;
  for (size_t d = r - 1; d-- > 0;) {
    idx[d] = rem % p.dims[d];
    rem /= p.dims[d];
    oa += idx[d] * p.stride_a[d];
    ob += idx[d] * p.stride_b[d];
  }
  for (int64_t rw = row_begin; rw < row_end; ++rw) {
    row(oa, ob, rw * n, n, sa, sb);
    for (size_t d = r - 1; d-- > 0;) {
      oa += p.stride_a[d];
      ob += p.stride_b[d];
      if (++idx[d] < p.dims[d]) break;
      oa -= p.stride_a[d] * p.dims[d];
      ob -= p.stride_b[d] * p.dims[d];
      idx[d] = 0;
    }
  }
}

// Runs fn(begin, end) over [0, range) in chunks on `pool` when the work (range * cost
// elements) is large enough to be worth it, else inline. `fn` must not throw.
template <class F>
void parallel_chunks(pthreadpool_t pool, int64_t range, int64_t cost_per_item, F&& fn) {
  constexpr int64_t kMinWorkPerChunk = 32 * 1024;
  size_t threads = pool ? pthreadpool_get_threads_count(pool) : 1;
  int64_t total = range * std::max<int64_t>(cost_per_item, 1);
  if (threads <= 1 || range <= 1 || total < 2 * kMinWorkPerChunk) {
    fn(int64_t{0}, range);
    return;
  }
  int64_t chunks = std::min<int64_t>({range, static_cast<int64_t>(threads) * 4, total / kMinWorkPerChunk});
  const int64_t per = (range + chunks - 1) / chunks;
  chunks = (range + per - 1) / per;
  auto task = [&](size_t c) {
    int64_t b = static_cast<int64_t>(c) * per;
    fn(b, std::min(range, b + per));
  };
  pthreadpool_parallelize_1d(pool, task, static_cast<size_t>(chunks));
}

// Calls row(offset_a, offset_b, offset_out, n, stride_a, stride_b) for every row of the
// plan (see for_broadcast_rows), in chunks of rows on `pool` when worth it.
template <class Row>
void broadcast_rows(const BroadcastPlan& p, pthreadpool_t pool, Row&& row) {
  if (p.numel == 0) return;
  const int64_t n = p.dims.back();
  parallel_chunks(pool, p.numel / n, n, [&](int64_t begin, int64_t end) { for_broadcast_rows(p, begin, end, row); });
}

// Applies out[i] = f(a[i], b[i]) over a plan, with pointers already offset to element 0.
// TA/TB/TO are storage types; f maps loaded values to the stored value.
template <class TA, class TB, class TO, class F>
void broadcast_apply(const BroadcastPlan& p, const TA* a, const TB* b, TO* out, F f,
                     pthreadpool_t pool = nullptr) {
  broadcast_rows(p, pool, [&](int64_t oa, int64_t ob, int64_t oo, int64_t len, int64_t sa, int64_t sb) {
    const TA* pa = a + oa;
    const TB* pb = b + ob;
    TO* po = out + oo;
    if (sa == 1 && sb == 1) {
      for (int64_t i = 0; i < len; ++i) po[i] = f(pa[i], pb[i]);
    } else if (sa == 1) {
      const TB vb = pb[0];
      for (int64_t i = 0; i < len; ++i) po[i] = f(pa[i], vb);
    } else if (sb == 1) {
      const TA va = pa[0];
      for (int64_t i = 0; i < len; ++i) po[i] = f(va, pb[i]);
    } else {
      const TO v = f(pa[0], pb[0]);
      for (int64_t i = 0; i < len; ++i) po[i] = v;
    }
  });
}

}  // namespace onnxi
