// Element conversion between any two fixed-size dtypes, as Cast defines it: floats to
// integers truncate toward zero (NaN gives 0, out-of-range values saturate to int64 and
// then wrap to narrower types, like numpy on x86), anything to bool is `!= 0`, and
// narrowing to float16/bfloat16 rounds to nearest even.
#pragma once
#include <cmath>
#include <cstdint>
#include <limits>
#include <type_traits>

#include "onnxi/element.h"
#include "ops/common/dtype_dispatch.h"

namespace onnxi {

namespace detail {
inline int64_t float_to_int64_saturating(double v) {
  if (std::isnan(v)) return 0;
  if (v >= 9223372036854775808.0) return std::numeric_limits<int64_t>::max();
  if (v <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}
}  // namespace detail

template <class To, class From>
inline To convert_value(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (is_half_v<From>) {
    return convert_value<To>(load_elem(v));
  } else if constexpr (std::is_same_v<To, bool>) {
    return v != From(0);
  } else if constexpr (std::is_same_v<To, Float16Bits>) {
    if constexpr (std::is_same_v<From, float>)
      return Float16Bits{float_to_half_bits(v)};
    else
      return Float16Bits{double_to_half_bits(static_cast<double>(v))};
  } else if constexpr (std::is_same_v<To, BFloat16Bits>) {
    if constexpr (std::is_same_v<From, float>)
      return BFloat16Bits{float_to_bfloat16_bits(v)};
    else
      return BFloat16Bits{double_to_bfloat16_bits(static_cast<double>(v))};
  } else if constexpr (std::is_integral_v<To> && std::is_floating_point_v<From>) {
    double d = static_cast<double>(v);
    if constexpr (std::is_same_v<To, uint64_t>) {
      if (d >= 9223372036854775808.0) {
        if (d >= 18446744073709551616.0) return std::numeric_limits<uint64_t>::max();
        return static_cast<uint64_t>(d);
      }
    }
    return static_cast<To>(detail::float_to_int64_saturating(d));
  } else {
    return static_cast<To>(v);
  }
}

}  // namespace onnxi

namespace onnxi {

class Tensor;

// Cast's options for the float8 targets (opset 19: saturate; opset 24: E8M0 rounding).
struct CastOptions {
  bool saturate = true;
  E8M0Rounding e8m0_rounding = E8M0Rounding::Up;
};

// The narrow dtypes: the float8 formats, float4e2m1 and the packed 4/2-bit integers.
inline constexpr DTypeSet kNarrowDTypes =
    dtype_bit(DType::Float8E4M3FN) | dtype_bit(DType::Float8E4M3FNUZ) | dtype_bit(DType::Float8E5M2) |
    dtype_bit(DType::Float8E5M2FNUZ) | dtype_bit(DType::Float8E8M0) | dtype_bit(DType::Float4E2M1) |
    dtype_bit(DType::Int4) | dtype_bit(DType::UInt4) | dtype_bit(DType::Int2) | dtype_bit(DType::UInt2);

// Converts every element of `src` into `dst` (same element count, any fixed-size or narrow
// dtypes: numeric and bool). Narrow targets follow Cast (onnxi/element.h): float8 and
// float4 round to nearest even (saturating per `opts`), integers to the 4/2-bit types keep
// their low bits and floats to them truncate toward zero first. Throws Error for other
// dtypes.
void convert_elements(const Tensor& src, Tensor& dst, const CastOptions& opts = {});
// The same when `src` or `dst` is narrow (convert_elements calls it).
void convert_narrow_elements(const Tensor& src, Tensor& dst, const CastOptions& opts);
// A new tensor holding `src` converted to `to`.
Tensor convert_tensor(const Tensor& src, DType to);

}  // namespace onnxi
