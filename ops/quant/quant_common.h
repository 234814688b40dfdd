// Helpers shared by the quantization kernels: rounding half to even, saturation to the
// 8-bit types, reading scale / zero-point tensors (per tensor, or per slice along an
// axis), and the integer accumulation the integer matmul and convolution share.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "ops/common/dtype_dispatch.h"
#include "runtime/kernel.h"

namespace onnxi::quant {

inline constexpr DTypeSet kQuant8DTypes = dtype_bit(DType::Int8) | dtype_bit(DType::UInt8);

// Rounds half to even (the default floating-point rounding mode) and saturates to Q.
template <class Q, class F>
inline Q saturate_round(F v) {
  F r = std::nearbyint(v);
  constexpr F lo = static_cast<F>(std::numeric_limits<Q>::lowest());
  constexpr F hi = static_cast<F>(std::numeric_limits<Q>::max());
  if (std::isnan(r)) return Q(0);
  if (r < lo) return std::numeric_limits<Q>::lowest();
  if (r > hi) return std::numeric_limits<Q>::max();
  return static_cast<Q>(r);
}

// A tensor's values as int32 (int8/uint8/int32 zero points); the element count is the
// caller's to check.
inline std::vector<int32_t> int_values(const Tensor& t) {
  std::vector<int32_t> v(static_cast<size_t>(t.numel()));
  bool ok = visit_dtype<kQuant8DTypes | dtype_bit(DType::Int32)>(t.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = t.data<T>();
    for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<int32_t>(p[i]);
  });
  if (!ok)
    throw Error(Stage::Run,
                "zero point must be int8, uint8 or int32, got " + std::string(dtype_name(t.dtype())));
  return v;
}

// A float tensor's values (scales).
inline std::vector<float> float_values(const Tensor& t) {
  if (t.dtype() != DType::Float)
    throw Error(Stage::Run, "scale must be float32, got " + std::string(dtype_name(t.dtype())));
  const float* p = t.data<float>();
  return std::vector<float>(p, p + t.numel());
}

// A scalar or 1-element tensor.
inline bool is_scalar_like(const Shape& s) { return s.empty() || (s.size() == 1 && s[0] == 1); }

// Checks that a scale / zero point is a scalar or (when `count` >= 0) a 1-D tensor of
// `count` elements; returns the number of values.
inline int64_t check_param(const Tensor& t, int64_t count, const std::string& what) {
  if (is_scalar_like(t.shape())) return 1;
  if (count >= 0 && t.rank() == 1 && t.dim(0) == count) return count;
  throw Error(Stage::Run, what + " has shape " + shape_to_string(t.shape()) +
                              (count >= 0 ? ", expected a scalar or [" + std::to_string(count) + "]"
                                          : ", expected a scalar"));
}

}  // namespace onnxi::quant
