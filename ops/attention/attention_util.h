// Pieces shared by the softmax-attention kernels (Attention, FlexAttention): inputs in the
// compute type, the scaled transposed keys the blocked gemm multiplies by, and one row's
// softmax at a requested precision.
#pragma once
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>
#include <vector>

#include "ops/common/broadcast.h"
#include "ops/common/dtype_dispatch.h"
#include "runtime/kernel.h"

namespace onnxi::attention {

// Elementwise copy of a float-typed tensor into `out` as C (same layout).
template <class C>
const C* to_compute(const Tensor& t, std::vector<C>& out) {
  out.resize(static_cast<size_t>(t.numel()));
  visit_dtype<kFloatDTypes>(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = t.data<T>();
    for (int64_t i = 0; i < t.numel(); ++i) out[static_cast<size_t>(i)] = static_cast<C>(load_elem(src[i]));
  });
  return out.data();
}

// Stores compute-type values into a float-typed tensor of the same element count.
template <class C>
void store_from_compute(const C* src, Tensor& dst) {
  visit_dtype<kFloatDTypes>(dst.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* d = dst.data<T>();
    for (int64_t i = 0; i < dst.numel(); ++i) d[i] = store_elem<T>(static_cast<compute_t<T>>(src[i]));
  });
}

// `v` rounded to `precision` when that is a 16-bit float format, else unchanged.
template <class C>
C round_to(DType precision, C v) {
  if (precision == DType::Float16) return static_cast<C>(half_bits_to_float(float_to_half_bits(static_cast<float>(v))));
  if (precision == DType::BFloat16)
    return static_cast<C>(bfloat16_bits_to_float(float_to_bfloat16_bits(static_cast<float>(v))));
  return v;
}

// For each of `heads` heads, keys [len, d] -> scale * Kᵀ [d, len] in `out` (head after
// head); row(head, t) points at key t of the head.
template <class T, class C, class RowFn>
void transpose_scaled_keys(int64_t heads, int64_t len, int64_t d, double scale, C* out, RowFn row,
                           pthreadpool_t pool) {
  parallel_chunks(pool, heads, d * len, [&](int64_t h0, int64_t h1) {
    for (int64_t h = h0; h < h1; ++h) {
      C* dst = out + h * d * len;
      // In blocks of 32 keys: writes run along dst's rows, reads stay in 32 source rows.
      for (int64_t t0 = 0; t0 < len; t0 += 32) {
        const int64_t t1 = std::min(len, t0 + 32);
        const T* src[32];
        for (int64_t t = t0; t < t1; ++t) src[t - t0] = row(h, t);
        for (int64_t e = 0; e < d; ++e)
          for (int64_t t = t0; t < t1; ++t)
            dst[e * len + t] = static_cast<C>(load_elem(src[t - t0][e])) * static_cast<C>(scale);
      }
    }
  });
}

// Softmax of s[0, n) in place. `precision` (Undefined: C) is the type the spec computes
// it in: a 16-bit format rounds the inputs and results, double widens float.
template <class C>
void softmax_row(C* s, int64_t n, DType precision) {
  const bool narrow = precision == DType::Float16 || precision == DType::BFloat16;
  if (narrow)
    for (int64_t j = 0; j < n; ++j) s[j] = round_to(precision, s[j]);
  C mx = -std::numeric_limits<C>::infinity();
  for (int64_t j = 0; j < n; ++j) mx = std::max(mx, s[j]);
  if (precision == DType::Double && !std::is_same_v<C, double>) {
    double sum = 0;
    for (int64_t j = 0; j < n; ++j) sum += std::exp(static_cast<double>(s[j]) - static_cast<double>(mx));
    for (int64_t j = 0; j < n; ++j) s[j] = static_cast<C>(std::exp(static_cast<double>(s[j]) - static_cast<double>(mx)) / sum);
    return;
  }
  double sum = 0;
  for (int64_t j = 0; j < n; ++j) {
    s[j] = std::exp(s[j] - mx);
    sum += static_cast<double>(s[j]);
  }
  const C inv = static_cast<C>(1.0 / sum);
  for (int64_t j = 0; j < n; ++j) s[j] = narrow ? round_to(precision, s[j] * inv) : s[j] * inv;
}

}  // namespace onnxi::attention
