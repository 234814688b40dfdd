// Helpers for kernel tests: building tensors from doubles, reading them back, deterministic
// pseudo-random data, numpy-broadcast indexing for reference loops, and comparisons.
#pragma once
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "kernel_harness.h"
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

// Runs a node with one provider.
inline Tensor run1(NodeRun r, const std::string& provider, size_t output = 0) {
  r.provider = provider;
  NodeResult res = run_node(r);
  REQUIRE(res.provider == (provider.empty() ? res.provider : provider));
  return res.outputs.at(output);
}

}  // namespace onnxi::test

namespace onnxi::test {

// A pthreadpool for tests of the threaded paths (destroyed at scope exit).
struct TestThreadPool {
  pthreadpool_t pool;
  explicit TestThreadPool(size_t threads) : pool(pthreadpool_create(threads)) {}
  ~TestThreadPool() { pthreadpool_destroy(pool); }
  TestThreadPool(const TestThreadPool&) = delete;
  TestThreadPool& operator=(const TestThreadPool&) = delete;
};

// Runs `r` single-threaded and on a 3-thread pool; both results must be identical.
inline Tensor run_threaded_same(NodeRun r, const std::string& provider) {
  TestThreadPool tp(3);
  r.provider = provider;
  Tensor single = run_node(r).outputs.at(0);
  NodeResult threaded = run_node(r, tp.pool);
  REQUIRE(threaded.provider == provider);
  require_same(threaded.outputs.at(0), single);
  return single;
}

}  // namespace onnxi::test

namespace onnxi::test {

// Like run_node but skips prepare(), as a constant-folding pass might: kernels must still
// produce the right output.
inline Tensor run_without_prepare(const NodeRun& r) {
  Node node;
  node.name = "test_node";
  node.op_type = r.op_type;
  for (const auto& a : r.attributes) node.attributes[a.name] = a;
  std::vector<ValueType> types(r.inputs.size());
  for (size_t i = 0; i < r.inputs.size(); ++i) {
    node.inputs.push_back("in" + std::to_string(i));
    types[i].dtype = r.inputs[i].dtype();
    types[i].shape_known = true;
    types[i].shape = r.inputs[i].shape();
    types[i].constant = &r.inputs[i];
  }
  node.outputs.push_back("out0");
  SessionOptions options;
  BuildContext bctx{node, r.opset, types, &options};
  auto kernel = build_kernel(bctx, r.provider);
  REQUIRE(kernel);
  REQUIRE(std::string(kernel->provider()) == r.provider);
  std::vector<ValueType> out(1);
  InferContext ictx(types, out);
  kernel->infer(ictx);
  Tensor y(out[0].dtype, out[0].shape);
  std::vector<const Tensor*> ins;
  for (const auto& t : r.inputs) ins.push_back(&t);
  run_kernel_once(*kernel, ins, {&y}, nullptr);
  return y;
}

}  // namespace onnxi::test
