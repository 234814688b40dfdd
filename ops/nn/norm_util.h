// Small pieces shared by the normalization kernels (LayerNormalization,
// InstanceNormalization, LRN, MeanVarianceNormalization, LpNormalization, the
// training-mode BatchNormalization): reading parameters as doubles, broadcasting a
// parameter over the normalized block, and the mean and variance of a block.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "runtime/kernel.h"

namespace onnxi::nn {

// Element i of a float-typed (float, double, float16, bfloat16) tensor as a double.
inline double float_value_at(const Tensor& t, int64_t i) {
  double v = 0;
  visit_dtype<kFloatDTypes>(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    v = static_cast<double>(load_elem(t.data<T>()[i]));
  });
  return v;
}

// True when `param` numpy-broadcasts to `block` (the shape the result takes is `block`).
inline bool broadcasts_to(const Shape& param, const Shape& block) {
  if (param.size() > block.size()) {
    for (size_t i = 0; i < param.size() - block.size(); ++i)
      if (param[i] != 1) return false;
  }
  const size_t off = param.size() > block.size() ? param.size() - block.size() : 0;
  for (size_t i = off; i < param.size(); ++i) {
    const int64_t p = param[i], b = block[block.size() - (param.size() - i)];
    if (p != 1 && p != b) return false;
  }
  return true;
}

// `param`'s values broadcast over `block` (row-major), as doubles. The caller has checked
// broadcasts_to().
inline void broadcast_param(const Tensor& param, const Shape& block, std::vector<double>* out) {
  int64_t n = 1;
  for (int64_t d : block) n *= d;
  out->resize(static_cast<size_t>(n));
  const Shape& ps = param.shape();
  for (int64_t j = 0; j < n; ++j) {
    int64_t rem = j, idx = 0, stride = 1;
    for (size_t k = ps.size(); k-- > 0;) {
      const size_t bd = block.size() - (ps.size() - k);
      int64_t coord = 0;
      if (k + block.size() >= ps.size()) {  // dim k of param lines up with a block dim
        coord = rem % block[bd];
        rem /= block[bd];
      }
      if (ps[k] != 1) idx += coord * stride;
      stride *= ps[k];
    }
    (*out)[static_cast<size_t>(j)] = float_value_at(param, idx);
  }
}

// Mean and population variance, in double, of `segments` runs of `len` elements, run s
// starting at x + s * stride: one pass sums, a second sums the squared deviations from
// the mean (in element order both times). NaN when there are no elements.
struct MeanVar {
  double mean, var;
};
template <class T>
inline MeanVar mean_variance(const T* x, int64_t segments, int64_t len, int64_t stride) {
  const double count = static_cast<double>(segments * len);
  double sum = 0;
  for (int64_t s = 0; s < segments; ++s) {
    const T* p = x + s * stride;
    for (int64_t i = 0; i < len; ++i) sum += static_cast<double>(load_elem(p[i]));
  }
  const double mean = sum / count;
  double sq = 0;
  for (int64_t s = 0; s < segments; ++s) {
    const T* p = x + s * stride;
    for (int64_t i = 0; i < len; ++i) {
      const double d = static_cast<double>(load_elem(p[i])) - mean;
      sq += d * d;
    }
  }
  return {mean, sq / count};
}

}  // namespace onnxi::nn
