// Dispatch on a runtime DType to the C++ storage type, restricted to a set of dtypes so
// a kernel only instantiates the types it accepts; plus the float16/bfloat16 compute
// type mapping (they are computed in float).
#pragma once
#include <cstdint>
#include <string>
#include <type_traits>

#include "onnxi/dtype.h"
#include "ops/common/half.h"

namespace onnxi {

using DTypeSet = uint32_t;
constexpr DTypeSet dtype_bit(DType t) { return DTypeSet{1} << static_cast<int>(t); }
constexpr bool dtype_in(DType t, DTypeSet s) { return (s & dtype_bit(t)) != 0; }

inline constexpr DTypeSet kFloatDTypes = dtype_bit(DType::Float) | dtype_bit(DType::Double) |
                                         dtype_bit(DType::Float16) | dtype_bit(DType::BFloat16);
inline constexpr DTypeSet kSignedIntDTypes =
    dtype_bit(DType::Int8) | dtype_bit(DType::Int16) | dtype_bit(DType::Int32) | dtype_bit(DType::Int64);
inline constexpr DTypeSet kUnsignedIntDTypes =
    dtype_bit(DType::UInt8) | dtype_bit(DType::UInt16) | dtype_bit(DType::UInt32) | dtype_bit(DType::UInt64);
inline constexpr DTypeSet kIntDTypes = kSignedIntDTypes | kUnsignedIntDTypes;
inline constexpr DTypeSet kNumericDTypes = kFloatDTypes | kIntDTypes;
inline constexpr DTypeSet kSignedDTypes = kFloatDTypes | kSignedIntDTypes;
inline constexpr DTypeSet kBoolDTypes = dtype_bit(DType::Bool);
inline constexpr DTypeSet kStringDTypes = dtype_bit(DType::String);
inline constexpr DTypeSet kFixedSizeDTypes = kNumericDTypes | kBoolDTypes;

template <class T>
struct TypeTag {
  using type = T;
};

// Calls f(TypeTag<T>{}) where T is the storage type of `t`, when `t` is in `Allowed`.
// Returns false (without calling f) otherwise.
template <DTypeSet Allowed, class F>
bool visit_dtype(DType t, F&& f) {
  switch (t) {
#define ONNXI_VISIT_CASE(D, T)                            \
  case DType::D:                                          \
    if constexpr ((Allowed & dtype_bit(DType::D)) != 0) { \
      f(TypeTag<T>{});                                    \
      return true;                                        \
    }                                                     \
    return false;
    ONNXI_VISIT_CASE(Float, float)
    ONNXI_VISIT_CASE(Double, double)
    ONNXI_VISIT_CASE(Float16, Float16Bits)
    ONNXI_VISIT_CASE(BFloat16, BFloat16Bits)
    ONNXI_VISIT_CASE(Int8, int8_t)
    ONNXI_VISIT_CASE(Int16, int16_t)
    ONNXI_VISIT_CASE(Int32, int32_t)
    ONNXI_VISIT_CASE(Int64, int64_t)
    ONNXI_VISIT_CASE(UInt8, uint8_t)
    ONNXI_VISIT_CASE(UInt16, uint16_t)
    ONNXI_VISIT_CASE(UInt32, uint32_t)
    ONNXI_VISIT_CASE(UInt64, uint64_t)
    ONNXI_VISIT_CASE(Bool, bool)
    ONNXI_VISIT_CASE(String, std::string)
#undef ONNXI_VISIT_CASE
    default:
      return false;
  }
}

// The type arithmetic is done in: float for the 16-bit float formats, else the type itself.
template <class T>
struct ComputeTypeOf {
  using type = T;
};
template <>
struct ComputeTypeOf<Float16Bits> {
  using type = float;
};
template <>
struct ComputeTypeOf<BFloat16Bits> {
  using type = float;
};
template <class T>
using compute_t = typename ComputeTypeOf<T>::type;

template <class T>
inline constexpr bool is_half_v = std::is_same_v<T, Float16Bits> || std::is_same_v<T, BFloat16Bits>;
template <class T>
inline constexpr bool is_floating_v = std::is_floating_point_v<T> || is_half_v<T>;

template <class T>
inline compute_t<T> load_elem(T v) {
  if constexpr (std::is_same_v<T, Float16Bits>)
    return half_bits_to_float(v.bits);
  else if constexpr (std::is_same_v<T, BFloat16Bits>)
    return bfloat16_bits_to_float(v.bits);
  else
    return v;
}

template <class T>
inline T store_elem(compute_t<T> v) {
  if constexpr (std::is_same_v<T, Float16Bits>)
    return Float16Bits{float_to_half_bits(v)};
  else if constexpr (std::is_same_v<T, BFloat16Bits>)
    return BFloat16Bits{float_to_bfloat16_bits(v)};
  else
    return v;
}

// Comma-separated names of the dtypes in `s`, for messages.
std::string dtype_set_names(DTypeSet s);

}  // namespace onnxi
