// Fuzz target: a model file's bytes -> Session (load, optimize, build, plan) -> run, with
// inputs made from the declared input types; dynamic dims and the input values come from
// a generator seeded by a hash of the data, so each input file always runs the same way.
// Anything but onnxi::Error is a bug.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <random>

#include "onnxi/limits.h"
#include "onnxi/session.h"

namespace {

uint64_t fnv1a(const uint8_t* data, size_t size) {
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 1099511628211ull;
  return h;
}

// Small values, mostly in range for index-like inputs, sometimes not.
template <typename T>
void fill_ints(onnxi::Tensor& t, std::mt19937_64& rng) {
  std::uniform_int_distribution<int> v(-4, 6);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<T>()[i] = static_cast<T>(v(rng));
}

template <typename T>
void fill_reals(onnxi::Tensor& t, std::mt19937_64& rng) {
  std::normal_distribution<double> v(0.0, 2.0);
  for (int64_t i = 0; i < t.numel(); ++i) t.data<T>()[i] = static_cast<T>(v(rng));
}

bool make_input(const onnxi::IOInfo& io, std::mt19937_64& rng, onnxi::Tensor* out) {
  using onnxi::DType;
  if (io.kind != "tensor" || io.dtype == DType::Undefined || io.dtype == DType::String) return false;
  if (onnxi::dtype_size(io.dtype) == 0) return false;
  onnxi::Shape shape;
  int64_t numel = 1;
  if (io.has_shape) {
    for (int64_t d : io.shape) {
      int64_t v = d >= 0 ? d : static_cast<int64_t>(rng() % 4);
      if (v > 4096) return false;
      shape.push_back(v);
      numel *= v;
      if (numel > 4096) return false;
    }
  } else {
    shape = {static_cast<int64_t>(rng() % 4)};
  }
  onnxi::Tensor t(io.dtype, shape);
  switch (io.dtype) {
    case DType::Float: fill_reals<float>(t, rng); break;
    case DType::Double: fill_reals<double>(t, rng); break;
    case DType::Int64: fill_ints<int64_t>(t, rng); break;
    case DType::Int32: fill_ints<int32_t>(t, rng); break;
    case DType::Int16: fill_ints<int16_t>(t, rng); break;
    case DType::Int8: fill_ints<int8_t>(t, rng); break;
    case DType::UInt8: fill_ints<uint8_t>(t, rng); break;
    case DType::Bool:
      for (int64_t i = 0; i < t.numel(); ++i) t.data<bool>()[i] = rng() & 1;
      break;
    default: {  // any other fixed-size type: random bits
      auto* p = static_cast<unsigned char*>(t.raw_data());
      for (size_t i = 0; i < t.nbytes(); ++i) p[i] = static_cast<unsigned char>(rng());
    }
  }
  *out = std::move(t);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  onnxi::set_max_tensor_bytes(size_t(64) << 20);
  onnxi::set_max_loop_iterations(10000);  // a longer Loop is the model's request, not a hang
  uint64_t seed = fnv1a(data, size);
  std::mt19937_64 rng(seed);
  onnxi::SessionOptions options;
  options.threads = 1;
  options.optimize = (seed & 1) != 0;
  if (seed & 2) options.force_provider = "ref";
  try {
    auto session = onnxi::Session::from_bytes(data, size, options, "<fuzz>");
    std::map<std::string, onnxi::Tensor> feeds;
    for (const auto& io : session->inputs()) {
      onnxi::Tensor t;
      if (make_input(io, rng, &t)) feeds.emplace(io.name, std::move(t));
    }
    session->run(feeds);
  } catch (const onnxi::Error&) {
  }
  return 0;
}
