// Conversions from and to the narrow dtypes (float8, float4e2m1, 4/2-bit integers), one
// element at a time through a double (or, for integer sources, an int64 that keeps the
// low bits Cast's wrap-around needs).
#include <cstring>

#include "onnxi/tensor.h"
#include "ops/common/convert.h"

namespace onnxi {
namespace {

struct Value {
  double f;   // the value (exact for every narrow dtype and every source but huge int64s)
  int64_t i;  // for integer and bool sources: the value's two's-complement bits
  bool is_float;
};

template <class T>
Value value_of(T v) {
  if constexpr (is_floating_v<T>)
    return {static_cast<double>(load_elem(v)), 0, true};
  else
    return {static_cast<double>(v), static_cast<int64_t>(v), false};
}

Value read_narrow(DType t, const void* p, int64_t i) {
  if (is_packed_int(t)) {
    const int32_t v = packed_int_value(t, p, i);
    return {static_cast<double>(v), v, false};
  }
  return {narrow_element_value(t, p, i), 0, true};
}

void write_narrow(DType t, void* p, int64_t i, const Value& v, const CastOptions& o) {
  if (is_packed_int(t)) {
    set_packed_int(t, p, i, v.is_float ? detail::float_to_int64_saturating(v.f) : v.i);
  } else if (t == DType::Float8E8M0) {
    static_cast<uint8_t*>(p)[i] = e8m0_from_float(static_cast<float>(v.f), o.saturate, o.e8m0_rounding);
  } else if (t == DType::Float4E2M1) {
    set_packed_code(p, i, 4, small_float_from_double(t, v.f, o.saturate));
  } else {
    static_cast<uint8_t*>(p)[i] = small_float_from_double(t, v.f, o.saturate);
  }
}

template <class U>
U standard_of(const Value& v) {
  if (v.is_float) return convert_value<U>(v.f);
  return convert_value<U>(v.i);  // a packed integer: small, exact in every type
}

}  // namespace

void convert_narrow_elements(const Tensor& src, Tensor& dst, const CastOptions& opts) {
  const int64_t n = src.numel();
  const DType from = src.dtype(), to = dst.dtype();
  const void* s = src.raw_data();
  void* d = dst.raw_data();
  const bool narrow_from = dtype_in(from, kNarrowDTypes), narrow_to = dtype_in(to, kNarrowDTypes);
  if (narrow_to && dst.nbytes()) std::memset(d, 0, dst.nbytes());  // packed padding bits stay zero
  if (narrow_from && narrow_to) {
    for (int64_t i = 0; i < n; ++i) write_narrow(to, d, i, read_narrow(from, s, i), opts);
    return;
  }
  if (narrow_to) {
    if (!visit_dtype<kFixedSizeDTypes>(from, [&](auto tag) {
          using T = typename decltype(tag)::type;
          const T* in = static_cast<const T*>(s);
          for (int64_t i = 0; i < n; ++i) write_narrow(to, d, i, value_of(in[i]), opts);
        }))
      throw Error(Stage::Run, "cannot convert from " + std::string(dtype_name(from)));
    return;
  }
  if (!visit_dtype<kFixedSizeDTypes>(to, [&](auto tag) {
        using U = typename decltype(tag)::type;
        U* out = static_cast<U*>(d);
        for (int64_t i = 0; i < n; ++i) out[i] = standard_of<U>(read_narrow(from, s, i));
      }))
    throw Error(Stage::Run, "cannot convert to " + std::string(dtype_name(to)));
}

}  // namespace onnxi
