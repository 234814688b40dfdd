#include "ops/quant/int_matmul.h"

#include "ops/common/dtype_dispatch.h"
#include "ops/common/kernel_util.h"
#include "ops/math/gemm_core.h"
#include "ops/quant/quant_common.h"

namespace onnxi::quant {

IntMatMulDims int_matmul_dims(const Shape& a, const Shape& b, Stage stage) {
  if (a.empty() || b.empty())
    throw Error(
        stage, "matmul inputs must have rank >= 1, got " + shape_to_string(a) + " and " + shape_to_string(b));
  IntMatMulDims d;
  d.m = a.size() == 1 ? 1 : a[a.size() - 2];
  d.k = a.back();
  const int64_t kb = b.size() == 1 ? b[0] : b[b.size() - 2];
  d.n = b.size() == 1 ? 1 : b.back();
  if (kb != d.k)
    throw Error(stage, "inner dimensions differ: " + shape_to_string(a) + " x " + shape_to_string(b));
  Shape ba, bb;
  if (a.size() > 2) ba.assign(a.begin(), a.end() - 2);
  if (b.size() > 2) bb.assign(b.begin(), b.end() - 2);
  const Shape batch = broadcast_shapes(ba, bb);
  d.out = batch;
  if (a.size() > 1) d.out.push_back(d.m);
  if (b.size() > 1) d.out.push_back(d.n);
  // Matrix index of each output matrix in A and B (broadcast dims repeat).
  const int64_t count = shape_numel(batch);
  d.a_index.resize(static_cast<size_t>(count));
  d.b_index.resize(static_cast<size_t>(count));
  const size_t r = batch.size();
  for (int64_t i = 0; i < count; ++i) {
    int64_t rem = i, ia = 0, ib = 0, sa = 1, sb = 1;
    for (size_t dd = r; dd-- > 0;) {
      const int64_t coord = rem % batch[dd];
      rem /= batch[dd];
      const size_t da = dd + ba.size(), db = dd + bb.size();  // offsets into ba / bb when aligned right
      if (da >= r) {
        const int64_t dim = ba[da - r];
        if (dim != 1) ia += coord * sa;
        sa *= dim;
      }
      if (db >= r) {
        const int64_t dim = bb[db - r];
        if (dim != 1) ib += coord * sb;
        sb *= dim;
      }
    }
    d.a_index[i] = ia;
    d.b_index[i] = ib;
  }
  return d;
}

void int_matmul(const IntMatMulDims& d, const Tensor& a, const std::vector<int32_t>& a_zp, const Tensor& b,
                const std::vector<int32_t>& b_zp, int32_t* out, pthreadpool_t pool) {
  const int64_t M = d.m, N = d.n, K = d.k;
  if (a_zp.size() != 1 && static_cast<int64_t>(a_zp.size()) != M)
    throw Error(Stage::Run, "a_zero_point must have 1 or " + std::to_string(M) + " values");
  if (b_zp.size() != 1 && static_cast<int64_t>(b_zp.size()) != N)
    throw Error(Stage::Run, "b_zero_point must have 1 or " + std::to_string(N) + " values");
  std::vector<int32_t> am(static_cast<size_t>(M * K)), bm(static_cast<size_t>(K * N));
  auto load = [](const Tensor& t, int64_t offset, int64_t count, std::vector<int32_t>& dst) {
    visit_dtype<kQuant8DTypes>(t.dtype(), [&](auto tag) {
      using Q = typename decltype(tag)::type;
      const Q* p = t.data<Q>() + offset;
      for (int64_t i = 0; i < count; ++i) dst[i] = p[i];
    });
  };
  for (size_t i = 0; i < d.a_index.size(); ++i) {
    load(a, d.a_index[i] * M * K, M * K, am);
    load(b, d.b_index[i] * K * N, K * N, bm);
    for (int64_t r = 0; r < M; ++r)
      for (int64_t k = 0; k < K; ++k) am[r * K + k] -= a_zp[a_zp.size() == 1 ? 0 : r];
    for (int64_t k = 0; k < K; ++k)
      for (int64_t c = 0; c < N; ++c) bm[k * N + c] -= b_zp[b_zp.size() == 1 ? 0 : c];
    int32_t* o = out + static_cast<int64_t>(i) * M * N;
    if (K == 0) {
      std::fill(o, o + M * N, 0);
      continue;
    }
    gemm<int32_t>(false, false, M, N, K, am.data(), bm.data(), o, pool);
  }
}

}  // namespace onnxi::quant
