// Tensor helpers for the op tests: building tensors from doubles and reading them back,
// deterministic pseudo-random data, layout copies, numpy-broadcast indexing for the
// reference loops written in the tests, and element-wise comparisons.
#pragma once
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <random>
#include <vector>

#include "tests/harness/op_tester.h"
#include "onnxi/element.h"
#include "onnxi/tensor.h"

namespace onnxi::test {

// float16 / bfloat16 bits for values the tests use. Test data is chosen to be exactly
// representable, so truncating conversions are exact here; Cast tests check rounding
// against literal bit patterns instead.
inline float f16_bits_to_float_exact(uint16_t h) {
  int sign = (h >> 15) & 1, exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
  double v;
  if (exp == 0)
    v = std::ldexp(mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = std::ldexp(1024 + mant, exp - 25);
  return static_cast<float>(sign ? -v : v);
}
inline uint16_t float_to_f16_bits_exact(float f) {
  // Only for values exactly representable as normal float16 (or zero).
  if (f == 0) return std::signbit(f) ? 0x8000 : 0;
  uint16_t sign = f < 0 ? 0x8000 : 0;
  double a = std::fabs(static_cast<double>(f));
  int e;
  double m = std::frexp(a, &e);  // a = m * 2^e, m in [0.5, 1)
  int exp = e - 1 + 15;
  int mant = static_cast<int>(std::lround((m * 2 - 1) * 1024));
  return static_cast<uint16_t>(sign | (exp << 10) | mant);
}

inline bool dtype_in_narrow(DType t) { return is_small_float(t) || is_packed_int(t); }

inline double get_value(const Tensor& t, int64_t i) {
  const void* p = t.raw_data();
  switch (t.dtype()) {
    case DType::Float:
      return static_cast<const float*>(p)[i];
    case DType::Double:
      return static_cast<const double*>(p)[i];
    case DType::Int8:
      return static_cast<const int8_t*>(p)[i];
    case DType::Int16:
      return static_cast<const int16_t*>(p)[i];
    case DType::Int32:
      return static_cast<const int32_t*>(p)[i];
    case DType::Int64:
      return static_cast<double>(static_cast<const int64_t*>(p)[i]);
    case DType::UInt8:
      return static_cast<const uint8_t*>(p)[i];
    case DType::UInt16:
      return static_cast<const uint16_t*>(p)[i];
    case DType::UInt32:
      return static_cast<const uint32_t*>(p)[i];
    case DType::UInt64:
      return static_cast<double>(static_cast<const uint64_t*>(p)[i]);
    case DType::Bool:
      return static_cast<const bool*>(p)[i] ? 1 : 0;
    case DType::Float16:
      return f16_bits_to_float_exact(static_cast<const uint16_t*>(p)[i]);
    case DType::BFloat16: {
      uint32_t bits = static_cast<uint32_t>(static_cast<const uint16_t*>(p)[i]) << 16;
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
    default:
      if (dtype_in_narrow(t.dtype())) return narrow_element_value(t.dtype(), p, i);
      FAIL("get_value: unsupported dtype");
      return 0;
  }
}

inline void set_value(Tensor& t, int64_t i, double v) {
  void* p = t.raw_data();
  switch (t.dtype()) {
    case DType::Float:
      static_cast<float*>(p)[i] = static_cast<float>(v);
      break;
    case DType::Double:
      static_cast<double*>(p)[i] = v;
      break;
    case DType::Int8:
      static_cast<int8_t*>(p)[i] = static_cast<int8_t>(v);
      break;
    case DType::Int16:
      static_cast<int16_t*>(p)[i] = static_cast<int16_t>(v);
      break;
    case DType::Int32:
      static_cast<int32_t*>(p)[i] = static_cast<int32_t>(v);
      break;
    case DType::Int64:
      static_cast<int64_t*>(p)[i] = static_cast<int64_t>(v);
      break;
    case DType::UInt8:
      static_cast<uint8_t*>(p)[i] = static_cast<uint8_t>(v);
      break;
    case DType::UInt16:
      static_cast<uint16_t*>(p)[i] = static_cast<uint16_t>(v);
      break;
    case DType::UInt32:
      static_cast<uint32_t*>(p)[i] = static_cast<uint32_t>(v);
      break;
    case DType::UInt64:
      static_cast<uint64_t*>(p)[i] = static_cast<uint64_t>(v);
      break;
    case DType::Bool:
      static_cast<bool*>(p)[i] = v != 0;
      break;
    case DType::Float16:
      static_cast<uint16_t*>(p)[i] = float_to_f16_bits_exact(static_cast<float>(v));
      break;
    case DType::BFloat16: {
      float f = static_cast<float>(v);
      uint32_t bits;
      std::memcpy(&bits, &f, 4);
      static_cast<uint16_t*>(p)[i] = static_cast<uint16_t>(bits >> 16);
      break;
    }
    default:
      FAIL("set_value: unsupported dtype");
  }
}

inline Tensor make_tensor(DType t, Shape shape, const std::vector<double>& values) {
  Tensor x(t, std::move(shape));
  REQUIRE(static_cast<size_t>(x.numel()) == values.size());
  for (size_t i = 0; i < values.size(); ++i) set_value(x, static_cast<int64_t>(i), values[i]);
  return x;
}

// A 1-D tensor of a byte-sized narrow type (float8, float8e8m0) from its bit patterns.
inline Tensor narrow_from_bits(DType t, const std::vector<uint8_t>& bits) {
  Tensor x(t, {static_cast<int64_t>(bits.size())});
  std::memcpy(x.raw_data(), bits.data(), bits.size());
  return x;
}

// A 1-D packed tensor (int4/uint4/int2/uint2 values, or float4e2m1 codes when `codes`),
// packed as ONNX does.
inline Tensor packed_tensor(DType t, const std::vector<int64_t>& v, bool codes = false) {
  Tensor x(t, {static_cast<int64_t>(v.size())});
  for (size_t i = 0; i < v.size(); ++i) {
    if (codes)
      set_packed_code(x.raw_data(), static_cast<int64_t>(i), static_cast<unsigned>(dtype_bits(t)),
                      static_cast<uint8_t>(v[i]));
    else
      set_packed_int(t, x.raw_data(), static_cast<int64_t>(i), v[i]);
  }
  return x;
}

inline std::vector<double> values_of(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  for (int64_t i = 0; i < t.numel(); ++i) v[i] = get_value(t, i);
  return v;
}

// Deterministic pseudo-random values (a small LCG; the same on every platform).
struct TestRng {
  uint64_t state;
  explicit TestRng(uint64_t seed) : state(seed * 6364136223846793005ull + 1442695040888963407ull) {}
  uint32_t next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return static_cast<uint32_t>(state >> 33);
  }
  // Uniform in [lo, hi).
  double uniform(double lo, double hi) { return lo + (hi - lo) * (next() / 2147483648.0); }
  int64_t integer(int64_t lo, int64_t hi) {
    return lo + static_cast<int64_t>(next() % static_cast<uint32_t>(hi - lo + 1));
  }
};

// Random values that every dtype represents exactly: integers in [lo, hi] for integer
// dtypes; multiples of 1/8 for float dtypes (exact in float16 and bfloat16 for small ranges).
inline Tensor random_tensor(DType t, Shape shape, uint64_t seed, double lo = -4, double hi = 4) {
  Tensor x(t, std::move(shape));
  TestRng rng(seed);
  if ((t == DType::UInt8 || t == DType::UInt16 || t == DType::UInt32 || t == DType::UInt64) && lo < 0) {
    hi -= lo;
    lo = 0;
  }
  bool is_float = t == DType::Float || t == DType::Double || t == DType::Float16 || t == DType::BFloat16;
  for (int64_t i = 0; i < x.numel(); ++i) {
    double v = is_float
                   ? std::round(rng.uniform(lo, hi) * 8) / 8
                   : static_cast<double>(rng.integer(static_cast<int64_t>(lo), static_cast<int64_t>(hi)));
    set_value(x, i, v);
  }
  return x;
}

// Full-precision random floats (for float/double tests).
inline Tensor random_float(Shape shape, uint64_t seed, double lo = -2, double hi = 2) {
  Tensor x(DType::Float, std::move(shape));
  TestRng rng(seed);
  float* p = x.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) p[i] = static_cast<float>(rng.uniform(lo, hi));
  return x;
}

// Numpy-broadcast shape of two shapes (test-side; returns false when incompatible).
inline bool test_broadcast(const Shape& a, const Shape& b, Shape* out) {
  size_t r = std::max(a.size(), b.size());
  out->assign(r, 1);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) return false;
    (*out)[i] = da == 1 ? db : da;
  }
  return true;
}

// Flat index into `in` (broadcast to `out`) of the output element with flat index `i`.
inline int64_t broadcast_index(const Shape& in, const Shape& out, int64_t i) {
  int64_t idx = 0, stride = 1;
  for (size_t d = out.size(); d-- > 0;) {
    int64_t coord = i % out[d];
    i /= out[d];
    size_t k = d + in.size();
    if (k < out.size()) continue;  // dim not present in `in`
    k -= out.size();
    if (in[k] != 1) idx += coord * stride;
    stride *= in[k];
  }
  return idx;
}

inline void require_values(const Tensor& got, const std::vector<double>& want, double rel = 0,
                           double abs = 0) {
  REQUIRE(static_cast<size_t>(got.numel()) == want.size());
  for (size_t i = 0; i < want.size(); ++i) {
    double g = get_value(got, static_cast<int64_t>(i)), w = want[i];
    if (std::isnan(w)) {
      INFO("index " << i);
      REQUIRE(std::isnan(g));
      continue;
    }
    if (g == w) continue;
    double tol = std::max(abs, rel * std::fabs(w));
    INFO("index " << i << ": got " << g << ", want " << w);
    REQUIRE(std::fabs(g - w) <= tol);
  }
}

inline void require_same(const Tensor& a, const Tensor& b, double rel = 0, double abs = 0) {
  REQUIRE(a.dtype() == b.dtype());
  REQUIRE(a.shape() == b.shape());
  require_values(a, values_of(b), rel, abs);
}

template <class T>
Tensor random_tensor(Shape shape, uint32_t seed, double lo = -1.0, double hi = 1.0) {
  Tensor t(DTypeOf<T>::value, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> dist(lo, hi);
  T* d = t.data<T>();
  for (int64_t i = 0; i < t.numel(); ++i) d[i] = static_cast<T>(dist(rng));
  return t;
}

inline std::vector<double> to_doubles(const Tensor& t) {
  std::vector<double> v(static_cast<size_t>(t.numel()));
  switch (t.dtype()) {
    case DType::Float:
      for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<float>()[i];
      break;
    case DType::Double:
      for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<double>()[i];
      break;
    case DType::UInt8:
      for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<uint8_t>()[i];
      break;
    case DType::Int8:
      for (size_t i = 0; i < v.size(); ++i) v[i] = t.data<int8_t>()[i];
      break;
    case DType::Int64:
      for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(t.data<int64_t>()[i]);
      break;
    default:
      FAIL("to_doubles: unsupported dtype");
  }
  return v;
}

// Same values in another floating dtype.
inline Tensor cast_tensor(const Tensor& t, DType to) {
  Tensor out(to, t.shape());
  std::vector<double> v = to_doubles(t);
  for (size_t i = 0; i < v.size(); ++i) {
    if (to == DType::Float)
      out.data<float>()[i] = static_cast<float>(v[i]);
    else if (to == DType::Double)
      out.data<double>()[i] = v[i];
    else
      FAIL("cast_tensor: unsupported dtype");
  }
  return out;
}

// [N, C, H, W] <-> [N, H, W, C] for any element type.
inline Tensor permute4(const Tensor& t, bool to_nhwc) {
  REQUIRE(t.rank() == 4);
  const Shape& s = t.shape();
  const int64_t n = s[0];
  const int64_t c = to_nhwc ? s[1] : s[3];
  const int64_t h = to_nhwc ? s[2] : s[1];
  const int64_t w = to_nhwc ? s[3] : s[2];
  Tensor out(t.dtype(), to_nhwc ? Shape{n, h, w, c} : Shape{n, c, h, w});
  const size_t es = dtype_size(t.dtype());
  const auto* src = static_cast<const unsigned char*>(t.raw_data());
  auto* dst = static_cast<unsigned char*>(out.raw_data());
  for (int64_t i = 0; i < n; ++i)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x) {
          const int64_t nchw = ((i * c + ch) * h + y) * w + x;
          const int64_t nhwc = ((i * h + y) * w + x) * c + ch;
          const int64_t from = to_nhwc ? nchw : nhwc, to = to_nhwc ? nhwc : nchw;
          std::memcpy(dst + to * es, src + from * es, es);
        }
  return out;
}
inline Tensor to_nhwc(const Tensor& t) { return permute4(t, true); }
inline Tensor to_nchw(const Tensor& t) { return permute4(t, false); }

// |got - want| <= tol * max(1, |want|) elementwise, with the shape checked too.
inline void expect_close(const Tensor& got, const Shape& want_shape, const std::vector<double>& want,
                         double tol) {
  REQUIRE(got.shape() == want_shape);
  std::vector<double> g = to_doubles(got);
  REQUIRE(g.size() == want.size());
  size_t bad = 0;
  for (size_t i = 0; i < g.size(); ++i) {
    const bool both_nan = std::isnan(g[i]) && std::isnan(want[i]);
    const bool same_inf = std::isinf(g[i]) && g[i] == want[i];
    if (both_nan || same_inf) continue;
    if (!(std::fabs(g[i] - want[i]) <= tol * std::max(1.0, std::fabs(want[i])))) {
      if (bad++ < 5) {
        INFO("index " << i << ": got " << g[i] << ", want " << want[i]);
        CHECK(false);
      }
    }
  }
  INFO(bad << " of " << g.size() << " elements differ");
  CHECK(bad == 0);
}

inline Tensor random_tensor(Shape shape, uint32_t seed, float lo = -1.f, float hi = 1.f) {
  Tensor t(DType::Float, std::move(shape));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<float>()[i] = u(rng);
  return t;
}

inline Tensor floats(std::vector<float> v, Shape shape) {
  return Tensor::from_vector<float>(v, std::move(shape));
}
inline Tensor ints(std::vector<int64_t> v, Shape shape) {
  return Tensor::from_vector<int64_t>(v, std::move(shape));
}

inline std::vector<float> float_values(const Tensor& t) {
  REQUIRE(t.is_tensor());
  REQUIRE(t.dtype() == DType::Float);
  return std::vector<float>(t.data<float>(), t.data<float>() + t.numel());
}

}  // namespace onnxi::test
