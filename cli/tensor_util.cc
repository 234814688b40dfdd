#include "cli/tensor_util.h"

#include "onnxi/element.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace onnxi::cli {

float half_to_float(uint16_t h) {
  uint32_t sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  float v;
  if (exp == 0)
    v = std::ldexp(float(mant), -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(float(mant | 0x400), int(exp) - 25);
  return sign ? -v : v;
}

float bfloat16_to_float(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

double element_as_double(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::Float: return t.data<float>()[i];
    case DType::Double: return t.data<double>()[i];
    case DType::Int64: return double(t.data<int64_t>()[i]);
    case DType::Int32: return t.data<int32_t>()[i];
    case DType::Int16: return t.data<int16_t>()[i];
    case DType::Int8: return t.data<int8_t>()[i];
    case DType::UInt8: return t.data<uint8_t>()[i];
    case DType::UInt16: return t.data<uint16_t>()[i];
    case DType::UInt32: return t.data<uint32_t>()[i];
    case DType::UInt64: return double(t.data<uint64_t>()[i]);
    case DType::Bool: return t.data<bool>()[i];
    case DType::Float16: return half_to_float(static_cast<const uint16_t*>(t.raw_data())[i]);
    case DType::BFloat16: return bfloat16_to_float(static_cast<const uint16_t*>(t.raw_data())[i]);
    default: return narrow_element_value(t.dtype(), t.raw_data(), i);  // float8, 4/2-bit (NaN otherwise)
  }
}

bool is_integer_dtype(DType t) {
  switch (t) {
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64:
    case DType::UInt8: case DType::UInt16: case DType::UInt32: case DType::UInt64: case DType::Bool:
    case DType::Int4: case DType::UInt4: case DType::Int2: case DType::UInt2:
      return true;
    default:
      return false;
  }
}

std::string index_string(const Shape& shape, int64_t i) {
  std::vector<int64_t> idx(shape.size());
  for (size_t k = shape.size(); k-- > 0;) {
    if (shape[k] > 0) {
      idx[k] = i % shape[k];
      i /= shape[k];
    }
  }
  return shape_to_string(idx);
}

namespace {

std::string describe_kind(const Tensor& t) { return std::string(t.is_none() ? "an " : "a ") + onnxi::kind_name(t.kind()); }

}  // namespace

CompareResult compare_tensors(const Tensor& got, const Tensor& want, double rtol, double atol) {
  CompareResult r;
  if (got.kind() != want.kind()) {
    r.ok = false;
    r.detail = "is " + describe_kind(got) + ", expected " + describe_kind(want);
    return r;
  }
  if (want.is_none()) return r;
  if (want.is_map()) {
    // Same keys in the same order, values compared as tensors.
    CompareResult k = compare_tensors(got.map_keys(), want.map_keys(), 0, 0);
    if (!k.ok) {
      k.detail = "map keys: " + k.detail;
      return k;
    }
    CompareResult v = compare_tensors(got.map_values(), want.map_values(), rtol, atol);
    if (!v.ok) v.detail = "map values: " + v.detail;
    return v;
  }
  if (want.is_sequence()) {
    // An empty sequence read from a file may not know its element type.
    if (want.dtype() != DType::Undefined && got.dtype() != want.dtype()) {
      r.ok = false;
      r.detail = "sequence of " + std::string(dtype_name(got.dtype())) + ", expected " +
                 std::string(dtype_name(want.dtype()));
      return r;
    }
    const auto& g = got.elements();
    const auto& w = want.elements();
    if (g.size() != w.size()) {
      r.ok = false;
      r.detail =
          "sequence of " + std::to_string(g.size()) + " elements, expected " + std::to_string(w.size());
      return r;
    }
    for (size_t i = 0; i < g.size(); ++i) {
      CompareResult e = compare_tensors(g[i], w[i], rtol, atol);
      r.max_abs_diff = std::max(r.max_abs_diff, e.max_abs_diff);
      if (!e.ok) {
        r.ok = false;
        r.detail = "element " + std::to_string(i) + ": " + e.detail;
        return r;
      }
    }
    return r;
  }
  if (got.dtype() != want.dtype()) {
    r.ok = false;
    r.detail = "dtype " + std::string(dtype_name(got.dtype())) + ", expected " + std::string(dtype_name(want.dtype()));
    return r;
  }
  if (got.shape() != want.shape()) {
    r.ok = false;
    r.detail = "shape " + shape_to_string(got.shape()) + ", expected " + shape_to_string(want.shape());
    return r;
  }
  if (got.dtype() == DType::String) {
    for (int64_t i = 0; i < got.numel(); ++i)
      if (got.strings()[i] != want.strings()[i]) {
        r.ok = false;
        r.detail = "at " + index_string(got.shape(), i) + ": got \"" + got.strings()[i] + "\", expected \"" +
                   want.strings()[i] + "\"";
        return r;
      }
    return r;
  }
  if (got.dtype() == DType::Complex64 || got.dtype() == DType::Complex128) {
    size_t n = got.nbytes() / (got.dtype() == DType::Complex64 ? 4 : 8);
    for (size_t i = 0; i < n; ++i) {
      double g = got.dtype() == DType::Complex64 ? static_cast<const float*>(got.raw_data())[i]
                                                  : static_cast<const double*>(got.raw_data())[i];
      double w = want.dtype() == DType::Complex64 ? static_cast<const float*>(want.raw_data())[i]
                                                   : static_cast<const double*>(want.raw_data())[i];
      if (!(std::fabs(g - w) <= atol + rtol * std::fabs(w))) {
        r.ok = false;
        r.detail = "complex component " + std::to_string(i) + ": got " + std::to_string(g) + ", expected " + std::to_string(w);
        return r;
      }
    }
    return r;
  }
  const bool exact = is_integer_dtype(got.dtype());
  double worst_excess = 0;
  int64_t worst = -1;
  for (int64_t i = 0; i < got.numel(); ++i) {
    double g = element_as_double(got, i), w = element_as_double(want, i);
    if (exact) {
      bool same = got.dtype() == DType::Int64    ? got.data<int64_t>()[i] == want.data<int64_t>()[i]
                  : got.dtype() == DType::UInt64 ? got.data<uint64_t>()[i] == want.data<uint64_t>()[i]
                                                 : g == w;
      if (!same) {
        worst = i;
        break;
      }
      continue;
    }
    if (std::isnan(w) && std::isnan(g)) continue;
    if (std::isinf(w) || std::isinf(g)) {
      if (g != w) {
        worst = i;
        worst_excess = INFINITY;
      }
      continue;
    }
    double diff = std::fabs(g - w);
    r.max_abs_diff = std::max(r.max_abs_diff, diff);
    double excess = diff - (atol + rtol * std::fabs(w));
    if (std::isnan(g) || std::isnan(w)) excess = INFINITY;
    if (excess > worst_excess || (excess > 0 && worst < 0)) {
      worst_excess = excess;
      worst = i;
    }
  }
  if (worst >= 0) {
    char buf[160];
    std::snprintf(buf, sizeof buf, ": got %.9g, expected %.9g", element_as_double(got, worst),
                  element_as_double(want, worst));
    r.ok = false;
    r.detail = "at " + index_string(got.shape(), worst) + buf;
  }
  return r;
}

}  // namespace onnxi::cli
