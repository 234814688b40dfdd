// Helpers for the NN kernel tests (Conv, pooling, BatchNormalization): random tensors,
// layout copies, comparison with a double-precision reference, a thread pool holder, and a
// kernel driver that runs one built kernel over several input shapes.
#pragma once
#include <pthreadpool.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "kernel_harness.h"

namespace onnxi::test {

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

struct ThreadPool2 {
  pthreadpool_t pool = pthreadpool_create(2);
  ~ThreadPool2() { pthreadpool_destroy(pool); }
  ThreadPool2() = default;
  ThreadPool2(const ThreadPool2&) = delete;
  ThreadPool2& operator=(const ThreadPool2&) = delete;
};

// Builds one kernel (inputs flagged constant are fixed for its lifetime) and runs it
// on several inputs, as a session does when input shapes change between runs. The
// non-constant inputs of `r` only give dtypes (their shapes are unknown at build).
class KernelDriver {
 public:
  KernelDriver(NodeRun r, pthreadpool_t pool = nullptr) : r_(std::move(r)), pool_(pool) {
    node_.name = "test_node";
    node_.op_type = r_.op_type;
    node_.domain = r_.domain;
    for (const auto& a : r_.attributes) node_.attributes[a.name] = a;
    types_.resize(r_.inputs.size());
    for (size_t i = 0; i < r_.inputs.size(); ++i) {
      node_.inputs.push_back(r_.inputs[i].defined() ? "in" + std::to_string(i) : "");
      if (!r_.inputs[i].defined()) continue;
      types_[i].dtype = r_.inputs[i].dtype();
      const bool constant = i < r_.constant.size() && r_.constant[i];
      types_[i].shape_known = constant;
      if (constant) {
        types_[i].shape = r_.inputs[i].shape();
        types_[i].constant = &r_.inputs[i];
      }
    }
    for (size_t i = 0; i < r_.num_outputs; ++i) node_.outputs.push_back("out" + std::to_string(i));
    options_.force_provider = r_.provider;
    BuildContext bctx{node_, r_.opset, types_, &options_};
    kernel_ = build_kernel(bctx, r_.provider);
    REQUIRE(kernel_);
    PrepareContext pctx;
    pctx.threadpool = pool_;
    pctx.options = &options_;
    kernel_->prepare(pctx);
  }
  std::string provider() const { return kernel_->provider(); }

  // Runs with new values for the non-constant inputs (constant ones are kept).
  std::vector<Tensor> run(std::vector<Tensor> inputs) {
    for (size_t i = 0; i < r_.inputs.size(); ++i)
      if (i < r_.constant.size() && r_.constant[i]) inputs[i] = r_.inputs[i];
    std::vector<ValueType> types = types_;
    for (size_t i = 0; i < inputs.size(); ++i) {
      if (!inputs[i].defined()) continue;
      types[i].shape_known = true;
      types[i].shape = inputs[i].shape();
      types[i].constant = &inputs[i];
    }
    std::vector<ValueType> out_types(r_.num_outputs);
    InferContext ictx(types, out_types);
    kernel_->infer(ictx);
    std::vector<Tensor> outs(r_.num_outputs);
    std::vector<Tensor*> out_ptrs;
    for (size_t i = 0; i < r_.num_outputs; ++i) {
      REQUIRE(out_types[i].shape_known);
      outs[i] = Tensor(out_types[i].dtype, out_types[i].shape);
      out_ptrs.push_back(&outs[i]);
    }
    std::vector<const Tensor*> in_ptrs;
    for (const auto& t : inputs) in_ptrs.push_back(&t);
    // Like a session's execution context: one state across runs, reshaped when the input
    // shapes change.
    if (!state_made_) {
      state_ = kernel_->make_state();
      state_made_ = true;
    }
    std::vector<Shape> shapes;
    for (const auto& t : inputs) shapes.push_back(t.defined() ? t.shape() : Shape{-1});
    RunContext rctx(in_ptrs, out_ptrs, pool_, state_.get());
    if (shapes != last_shapes_) {
      kernel_->reshape(rctx);
      last_shapes_ = shapes;
    }
    kernel_->run(rctx);
    return outs;
  }

 private:
  std::unique_ptr<KernelState> state_;
  bool state_made_ = false;
  std::vector<Shape> last_shapes_;
  NodeRun r_;
  pthreadpool_t pool_;
  Node node_;
  std::vector<ValueType> types_;
  SessionOptions options_;
  std::unique_ptr<Kernel> kernel_;
};

}  // namespace onnxi::test
